// The seam between the gateway and the retrieval machine. The gateway sends one checked plan at a time and
// hears back when it is done; faults arrive as status changes. A PLC bridge implements this interface by
// translating each PlanStep into its axis commands and its feedback (in position, door closed, e-stop input)
// into calls of Feedback. The simulated driver below executes the plan's timing on the wall clock.
//
// Threading: every call into a driver, and every Feedback call out of it, happens on the gateway's sequencer.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/io_context.hpp>

#include "tower/machine.hpp"
#include "tower/result.hpp"

namespace tower::gateway {

enum class Fault { emergency_stop, lift_out_of_service };
const char* to_string(Fault fault);

struct MachineStatus {
  bool emergency_stop = false;       // latched until staff reset it
  bool lift_out_of_service = false;  // maintenance, a jam: staff clear it
  std::string note;                  // what staff said when they raised the fault
  std::optional<std::chrono::steady_clock::time_point> expected_back;  // when staff expect it cleared, if said
  bool halted() const { return emergency_stop || lift_out_of_service; }
};

class MachineDriver {
 public:
  struct Feedback {
    std::function<void(std::uint64_t job, const MachinePose& end)> done;  // the plan finished
    std::function<void()> status_changed;                                 // a fault was raised or cleared
  };
  virtual ~MachineDriver() = default;
  virtual void set_feedback(Feedback feedback) = 0;
  // Starts a plan (already checked by check_plan). Precondition: idle() and not halted.
  virtual void execute(std::uint64_t job, const MachinePlan& plan) = 0;
  virtual bool idle() const = 0;
  virtual MachinePose pose() const = 0;
  // Wall time until the running plan finishes, excluding any halt; nullopt when idle.
  virtual std::optional<std::chrono::microseconds> remaining() const = 0;
  virtual MachineStatus status() const = 0;
  // Staff: raise or clear a fault. Motion halts at once and resumes where it stopped once nothing is raised.
  // Clearing a fault that is not raised is a conflict.
  virtual Status raise(Fault fault, std::string note, std::optional<std::chrono::minutes> expected) = 0;
  virtual Status clear(Fault fault) = 0;
};

// Plays plans on the wall clock, `speed` times faster (demos), on the sequencer's executor.
class SimulatedDriver final : public MachineDriver {
 public:
  using Executor = boost::asio::strand<boost::asio::io_context::executor_type>;
  SimulatedDriver(Executor sequencer, double speed);
  void set_feedback(Feedback feedback) override { feedback_ = std::move(feedback); }
  void execute(std::uint64_t job, const MachinePlan& plan) override;
  bool idle() const override { return !job_; }
  MachinePose pose() const override { return pose_; }
  std::optional<std::chrono::microseconds> remaining() const override;
  MachineStatus status() const override { return status_; }
  Status raise(Fault fault, std::string note, std::optional<std::chrono::minutes> expected) override;
  Status clear(Fault fault) override;

 private:
  void arm();
  void halt();
  std::chrono::microseconds wall(Duration plan_time) const;

  boost::asio::steady_timer timer_;
  double speed_;
  Feedback feedback_;
  MachineStatus status_;
  MachinePose pose_{};
  std::optional<std::uint64_t> job_;
  MachinePose target_{};
  std::chrono::microseconds left_{};  // wall time still to run when halted or not yet armed
  std::chrono::steady_clock::time_point finishes_at_{};
  std::uint64_t generation_ = 0;  // timer callbacks of an older arming are stale
};

}  // namespace tower::gateway
