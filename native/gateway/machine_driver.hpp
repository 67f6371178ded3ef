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
#include <string_view>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/io_context.hpp>

#include "tower/machine.hpp"
#include "tower/result.hpp"

namespace tower::gateway {

// What stops the machine. Staff raise the first two; the machine's own sensors raise the others (a PLC
// bridge reports them through Feedback::status_changed; the simulated driver takes them from staff, so each
// can be tried on a live gateway). Every fault halts all motion at once, in place.
enum class Fault {
  emergency_stop,        // the stop button: latched until staff reset it
  lift_out_of_service,   // maintenance or a breakdown, often with an expected end
  transfer_jam,          // the pallet transfer cannot move: the lift and turntable must not move either
  door_sensor_mismatch,  // a bay's inner-door sensor disagrees with the command: the transfer may not pass
  position_jump,         // an axis's position sensor jumped: the pose is not known until staff re-reference it
};
inline constexpr Fault all_faults[] = {Fault::emergency_stop, Fault::lift_out_of_service, Fault::transfer_jam,
                                       Fault::door_sensor_mismatch, Fault::position_jump};
const char* to_string(Fault fault);
std::optional<Fault> fault_from_string(std::string_view name);

struct MachineStatus {
  std::uint8_t raised = 0;  // one bit per Fault
  BayId faulty_bay{};       // the bay of a door_sensor_mismatch
  bool manual = false;      // staff drive the machine: nothing starts on its own
  std::string note;         // what staff said when they raised the last fault
  std::optional<std::chrono::steady_clock::time_point> expected_back;  // when staff expect it cleared, if said
  bool has(Fault fault) const { return (raised >> static_cast<int>(fault)) & 1u; }
  bool halted() const { return raised != 0; }
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
  // Where the machine is; while a plan is halted part-way, where it stopped.
  virtual MachinePose pose() const = 0;
  // Wall time until the running plan finishes, excluding any halt; nullopt when idle.
  virtual std::optional<std::chrono::microseconds> remaining() const = 0;
  virtual MachineStatus status() const = 0;
  // Staff: raise or clear a fault. Motion halts at once, where it is, and resumes the same plan from there once
  // nothing is raised (unless staff took the machine into manual mode meanwhile). Clearing a fault that is not
  // raised is a conflict; a door_sensor_mismatch names its bay.
  virtual Status raise(Fault fault, std::string note, std::optional<std::chrono::minutes> expected, BayId bay = {}) = 0;
  virtual Status clear(Fault fault) = 0;
  // Staff: manual mode abandons the running plan where it stopped (the job and what the trip left behind are
  // returned, so it can be finished by plan_recovery) and runs only what staff command, once no fault is
  // raised. Leaving manual mode hands the machine back to the job queue.
  struct Abandoned {
    std::uint64_t job = 0;
    Interrupted state;
  };
  virtual std::optional<Abandoned> set_manual(bool manual) = 0;
};

// Plays plans on the wall clock, `speed` times faster (demos), on the sequencer's executor.
class SimulatedDriver final : public MachineDriver {
 public:
  using Executor = boost::asio::strand<boost::asio::io_context::executor_type>;
  SimulatedDriver(Executor sequencer, double speed, TowerLayout layout);
  void set_feedback(Feedback feedback) override { feedback_ = std::move(feedback); }
  void execute(std::uint64_t job, const MachinePlan& plan) override;
  bool idle() const override { return !job_; }
  MachinePose pose() const override;
  std::optional<std::chrono::microseconds> remaining() const override;
  MachineStatus status() const override { return status_; }
  Status raise(Fault fault, std::string note, std::optional<std::chrono::minutes> expected, BayId bay) override;
  Status clear(Fault fault) override;
  std::optional<Abandoned> set_manual(bool manual) override;

 private:
  void arm();
  void halt();
  std::chrono::microseconds wall(Duration plan_time) const;
  Duration plan_time(std::chrono::microseconds wall_time) const;

  boost::asio::steady_timer timer_;
  double speed_;
  TowerLayout layout_;
  Feedback feedback_;
  MachineStatus status_;
  MachinePose pose_{};
  std::optional<std::uint64_t> job_;
  MachinePlan plan_{};
  std::chrono::microseconds left_{};  // wall time still to run when halted or not yet armed
  std::chrono::steady_clock::time_point finishes_at_{};
  std::uint64_t generation_ = 0;  // timer callbacks of an older arming are stale
};

}  // namespace tower::gateway
