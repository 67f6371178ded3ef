// The live tower, mirrored from the gateway's WebSocket feed (/api/v1/live): a snapshot, then events and job
// updates. The transport is the platform's (the browser's WebSocket in web/); this only reads messages, so the
// mirror is tested headless with the gateway's own message shapes. A message that cannot be read is refused
// with the reason and changes nothing; an event whose sequence skips ahead asks for a fresh snapshot.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tower/machine.hpp"
#include "tower/result.hpp"
#include "tower/tower.hpp"

namespace tower::twin {

struct LiveJob {
  std::uint64_t id = 0;
  bool retrieval = true;
  std::string state;  // queued, running, done
  CarId car{};
  SlotId slot{};
  BayId bay{};
  SimTime requested{}, started{};
  Duration planned{};
  std::optional<SimTime> eta;  // null while the machine is halted with no estimate
};

class LiveMirror {
 public:
  // Reads one message of the feed. On error nothing changes.
  Status receive(std::string_view message, double wall_seconds);
  // The transport's state, shown to staff.
  void set_connected(bool connected, double wall_seconds);

  bool connected() const { return connected_; }
  bool has_snapshot() const { return config_.has_value(); }
  bool needs_resync() const { return needs_resync_; }  // a sequence gap: reconnect for a fresh snapshot
  std::uint64_t sequence() const { return sequence_; }
  std::uint64_t messages() const { return messages_; }
  const std::string& last_error() const { return last_error_; }

  const TowerConfig* config() const { return config_ ? &*config_ : nullptr; }
  const std::vector<Car>& cars() const { return cars_; }
  const std::vector<LiveJob>& jobs() const { return jobs_; }
  // The tower's clock at wall time `wall_seconds`, running on from the last message that carried it.
  SimTime now(double wall_seconds) const;

  // The machine as the running job's plan says at `at` (planned from where the last job left the lift);
  // the pose at rest when nothing runs.
  MachineFrame machine_at(SimTime at, const MachineConfig& machine) const;

 private:
  Status read_snapshot(const nlohmann::json& json, double wall_seconds);
  Status read_event(const nlohmann::json& json);
  Status read_jobs(const nlohmann::json& json);
  Car* car(CarId id);

  bool connected_ = false;
  bool needs_resync_ = false;
  std::uint64_t sequence_ = 0;
  std::uint64_t messages_ = 0;
  std::string last_error_;
  std::optional<TowerConfig> config_;
  std::vector<Car> cars_;
  std::vector<LiveJob> jobs_;
  SimTime clock_at_message_{};
  double wall_at_message_ = 0.0;
  MachinePose rest_pose_{};  // where the lift stopped after the last job it finished
};

}  // namespace tower::twin
