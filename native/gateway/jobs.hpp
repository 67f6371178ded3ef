// The gateway's machine jobs: retrievals (slot -> bay) and storages (bay -> slot), created and finished by
// the tower's events, served first come first served by the one lift, each with an ETA that is recomputed
// whenever anything changes: the jobs ahead are planned from the pose the lift will have, faults push the
// ETA to the expected end of the fault (or make it unknown), and a running job counts only its remaining time.
// Pure bookkeeping on the sequencer; the Gateway feeds it events and asks it what to run next.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "gateway/machine_driver.hpp"
#include "tower/events.hpp"
#include "tower/machine.hpp"
#include "tower/sim.hpp"
#include "tower/tower.hpp"

namespace tower::gateway {

struct MachineJob {
  std::uint64_t id = 0;  // the sequence number of the event that created it: stable across restarts
  JobKind kind = JobKind::retrieval;
  JobState state = JobState::queued;
  CarId car{};
  SlotId slot{};
  BayId bay{};
  CustomerId customer{};  // whose pickup (retrievals); none for storages
  SimTime requested{};
  SimTime started{};
  SimTime finished{};
  std::optional<SimTime> eta;  // unknown while the machine is halted with no expected end
  Duration planned{};          // lift time of its plan (as last planned)
  MachinePose end_pose{};      // where its plan leaves the machine (running jobs)
  // Set when staff abandoned it part-way (manual mode): its next plan finishes it from there (plan_recovery).
  // Not kept across a restart, when the machine is homed and the job starts again from the top.
  std::optional<Interrupted> interrupted;
};

nlohmann::json to_json(const MachineJob& job);
Result<MachineJob> machine_job_from_json(const nlohmann::json& json);

class JobBoard {
 public:
  JobBoard(MachineConfig machine, TowerLayout layout, double speed);

  // Creates a job on RetrievalStarted/StorageStarted, finishes it on CarArrivedInBay/CarStoredInSlot.
  void on_event(std::uint64_t sequence, const Event& event, const Tower& tower);
  // The next queued job and its plan from `pose`, if the lift may start one now. A job whose plan fails is
  // left queued and the failure returned, so an operator sees why the machine stands still.
  // Nothing starts on its own in manual mode.
  std::optional<std::pair<std::uint64_t, Result<MachinePlan>>> next(const MachineDriver& driver, const SafetyInputs& safety);
  // Staff in manual mode: the checked plan that brings a queued retrieval's car to its bay from where the
  // machine is. Refused (naming why) for a job that is not a queued retrieval, while another job is left
  // part-way (it must be finished first), or when the plan is refused.
  Result<MachinePlan> manual_plan(std::uint64_t id, const MachineDriver& driver, const SafetyInputs& safety) const;
  void started(std::uint64_t id, SimTime now, const MachinePlan& plan);
  // A running job that staff abandoned part-way: queued again, first, to be finished from `state`.
  void abandoned(std::uint64_t id, const Interrupted& state);
  // Recomputes every ETA at `now` from the driver's state.
  void update_etas(SimTime now, const MachineDriver& driver, const SafetyInputs& safety);

  const MachineJob* find(std::uint64_t id) const;
  std::vector<const MachineJob*> active() const;   // queued and running, in service order
  std::vector<const MachineJob*> recent() const;   // the last finished ones, newest last
  std::size_t queued() const;

  nlohmann::json snapshot() const;
  Status restore(const nlohmann::json& json);

 private:
  MachineJob* find_mutable(std::uint64_t id);
  Duration plan_duration(const MachineJob& job, const MachinePose& from, const SafetyInputs& safety,
                         MachinePose* end) const;
  Result<MachinePlan> plan(const MachineJob& job, const MachinePose& from, const SafetyInputs& safety) const;
  Result<MachinePlan> checked_plan(const MachineJob& job, const MachinePose& from, const SafetyInputs& safety) const;

  MachineConfig machine_;
  TowerLayout layout_;
  double speed_;
  std::deque<MachineJob> active_;  // running first (if any), then queued in request order
  std::deque<MachineJob> recent_;  // finished, at most kRecent
  static constexpr std::size_t kRecent = 200;
};

}  // namespace tower::gateway
