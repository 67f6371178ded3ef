// The scheduler: a job queue over the lift and the bays. FCFS among the jobs that can start (a retrieval
// needs a free bay), optionally storing a returned car first on the way to a retrieval (dual command), and
// a dwell point for the idle lift. Faults suspend the lift or take a bay out of use; ETAs follow.
#include <algorithm>
#include <cstring>
#include <limits>

#include "tower/sim.hpp"

namespace tower {

namespace {

constexpr int face_match_permille = 990;
constexpr std::uint8_t log_job_started = 100, log_job_done = 101, log_reposition = 102;

// The exact bits of a position, so equal keys mean identical planner inputs. (Emscripten 3.1.6's libc++ has
// no std::bit_cast.)
std::uint64_t bits_of(double value) {
  std::uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

}  // namespace

const Simulator::PlannedMove& Simulator::planned(Move move, const MachinePose& from, SlotId slot, BayId bay) {
  const MoveKey key{move, bits_of(from.lift_m), bits_of(from.turntable_rad), bits_of(from.transfer_m), slot.value,
                    bay.value};
  const auto found = plans_.find(key);
  if (found != plans_.end()) return found->second;
  const MachineConfig& machine = scenario_.machine;
  const TowerLayout& layout = scenario_.config.layout;
  const Result<MachinePlan> plan = move == Move::retrieval ? plan_retrieval(machine, layout, from, slot, bay, safety_)
                                   : move == Move::storage ? plan_storage(machine, layout, from, bay, slot, safety_)
                                                           : plan_reposition(machine, layout, from, ground_, safety_);
  PlannedMove outcome;
  if (plan) outcome = PlannedMove{true, plan->duration, plan->end_pose};
  return plans_.emplace(key, outcome).first->second;
}

Duration Simulator::estimate_retrieval(SlotId slot) const {
  return slot.valid() ? retrieval_estimates_[slot.value - 1] : Duration{};
}

Duration Simulator::queue_backlog() const {
  Duration backlog{};
  if (activity_ != LiftActivity::idle) backlog = lift_out_ > 0 ? lift_remaining_ : lift_until_ - now_;
  for (const std::uint32_t j : queue_) backlog = backlog + jobs_[j].estimate;
  return backlog;
}

bool Simulator::bay_usable(BayId bay) const { return bay_blocked_[bay.value - 1] == 0; }

BayId Simulator::free_bay() const {
  for (std::size_t i = 0; i < bay_busy_.size(); ++i)
    if (!bay_busy_[i] && bay_blocked_[i] == 0) return BayId{static_cast<std::uint32_t>(i + 1)};
  return BayId{};
}

void Simulator::request_retrieval(std::uint32_t v) {
  Visitor& visitor = visitors_[v];
  Job job;
  job.kind = JobKind::retrieval;
  job.visitor = v;
  job.car = visitor.car;
  job.requested = now_;
  job.first_eta = SimTime{-1};
  job.estimate = estimate_retrieval(tower_.car(visitor.car)->slot);
  jobs_.push_back(job);
  visitor.job = static_cast<std::uint32_t>(jobs_.size());
  queue_.push_back(static_cast<std::uint32_t>(jobs_.size() - 1));
  dispatch();
}

void Simulator::dispatch() {
  while (activity_ == LiftActivity::idle && lift_out_ == 0) {
    const bool bay_free = free_bay().valid();
    auto startable = [&](std::uint32_t j) {
      return jobs_[j].kind == JobKind::retrieval ? bay_free : bay_usable(jobs_[j].bay);
    };
    auto chosen = std::find_if(queue_.begin(), queue_.end(), startable);
    if (chosen != queue_.end() && scenario_.policy.dual_command && jobs_[*chosen].kind == JobKind::retrieval) {
      // Dual command: take a returned car up on the way, freeing its bay; the retrieval starts from there.
      const auto storage = std::find_if(queue_.begin(), queue_.end(), [&](std::uint32_t j) {
        return jobs_[j].kind == JobKind::storage && bay_usable(jobs_[j].bay);
      });
      if (storage != queue_.end()) chosen = storage;
    }
    if (chosen == queue_.end()) break;
    const std::uint32_t job = *chosen;
    queue_.erase(chosen);
    if (start_job(job)) return;
  }
  if (activity_ != LiftActivity::idle || lift_out_ > 0 || !scenario_.policy.dwell_ground) return;
  if (pose_.lift_m == ground_.lift_m && pose_.turntable_rad == ground_.turntable_rad) return;
  const PlannedMove& plan = planned(Move::reposition, pose_, SlotId{}, BayId{});
  if (!plan.ok) return;
  activity_ = LiftActivity::reposition;
  move_ = LiftMove{LiftMove::Kind::reposition, pose_, ground_, SlotId{}, BayId{}, CarId{}, now_, plan.duration};
  pose_ = plan.end_pose;
  lift_until_ = now_ + plan.duration;
  schedule(lift_until_, EventKind::lift_done, ++lift_generation_);
  log(static_cast<EventKind>(log_reposition), 0, 0, 0);
}

bool Simulator::start_job(std::uint32_t j) {
  Job& job = jobs_[j];
  PlannedMove plan;
  if (job.kind == JobKind::retrieval) {
    const Visitor& visitor = visitors_[job.visitor];
    const BayId bay = free_bay();
    auto events = tower_.apply(StartPickup{visitor.order, visitor.trial, visitor.code, face_match_permille, bay}, now_);
    if (!events) {
      count_refusal(events.error());
      job.state = JobState::dropped;
      return false;
    }
    job.bay = bay;
    job.slot = std::get<RetrievalStarted>(events->front().body).slot;
    bay_busy_[bay.value - 1] = 1;
    bay_leaves_at_[bay.value - 1] = SimTime{std::numeric_limits<std::int64_t>::max()};  // the ETAs project it
    plan = planned(Move::retrieval, pose_, job.slot, bay);
  } else {
    auto events = tower_.apply(StoreCar{job.car}, now_);
    if (!events) {
      count_refusal(events.error());
      job.state = JobState::dropped;
      return false;
    }
    job.slot = std::get<StorageStarted>(events->front().body).slot;
    plan = planned(Move::storage, pose_, job.slot, job.bay);
  }
  // The plans of a validated layout always exist; a failure would be a planner bug, shown as an instant move.
  assert(plan.ok);
  job.state = JobState::running;
  job.started = now_;
  activity_ = LiftActivity::job;
  lift_job_ = j;
  move_ = LiftMove{job.kind == JobKind::retrieval ? LiftMove::Kind::retrieval : LiftMove::Kind::storage,
                   pose_, pose_, job.slot, job.bay, job.car, now_, plan.duration};
  if (plan.ok) pose_ = plan.end_pose;
  lift_until_ = now_ + plan.duration;
  if (job.first_eta.us < 0) job.first_eta = lift_until_;  // started at once: the first ETA is the plan's end
  job.eta = lift_until_;
  schedule(lift_until_, EventKind::lift_done, ++lift_generation_);
  log(static_cast<EventKind>(log_job_started), j, job.slot.value, job.bay.value);
  return true;
}

void Simulator::finish_lift() {
  const LiftActivity was = activity_;
  activity_ = LiftActivity::idle;
  move_ = LiftMove{};
  if (was == LiftActivity::job) {
    Job& job = jobs_[lift_job_];
    job.state = JobState::done;
    job.finished = now_;
    job.eta = now_;
    log(static_cast<EventKind>(log_job_done), lift_job_, job.slot.value, job.bay.value);
    if (job.kind == JobKind::retrieval) {
      if (auto arrived = tower_.apply(CarArrived{job.car, job.bay}, now_); !arrived) count_refusal(arrived.error());
      retrievals_us_.push_back((now_ - job.started).us);
      const std::int64_t error = job.first_eta.us < 0 ? 0 : std::max(now_.us - job.first_eta.us, job.first_eta.us - now_.us);
      eta_error_sum_us_ += error;
      eta_error_max_us_ = std::max(eta_error_max_us_, error);
      ++eta_errors_;
      on_car_in_bay(job.visitor);
    } else {
      if (auto stored = tower_.apply(CarStored{job.car, job.slot}, now_); !stored) count_refusal(stored.error());
      bay_busy_[job.bay.value - 1] = 0;
      storages_us_.push_back((now_ - job.started).us);
    }
  }
  dispatch();
  try_returns();
}

// An outage or a transfer jam suspends the move in progress where it is (the car waits in the shaft, or on
// the jammed pallet) and resumes it when the lift is back or the jam is cleared; the ETAs count on that time.
void Simulator::lift_out(bool starts, std::uint32_t fault) {
  if (starts) {
    const double back_hours = scenario_.faults[fault].to_hour;
    lift_back_at_ = std::max(lift_back_at_, SimTime{static_cast<std::int64_t>(back_hours * 3'600'000'000.0 + 0.5)});
    if (lift_out_++ > 0) return;
    lift_out_since_ = now_;
    if (activity_ != LiftActivity::idle) {
      lift_remaining_ = lift_until_ - now_;
      ++lift_generation_;  // the pending lift_done is stale
      move_.halted = true;
      move_.halted_at = now_;
    }
    return;
  }
  if (--lift_out_ > 0) return;
  if (activity_ != LiftActivity::idle) {
    move_.started = move_.started + (now_ - move_.halted_at);
    move_.halted = false;
    lift_until_ = now_ + lift_remaining_;
    schedule(lift_until_, EventKind::lift_done, ++lift_generation_);
  }
  dispatch();
  try_returns();
}

void Simulator::bay_blocked(BayId bay, bool starts) {
  bay_blocked_[bay.value - 1] += starts ? 1 : -1;
  if (!starts) {
    dispatch();
    try_returns();
  }
}

// ETAs: a dry run of the dispatcher over the queue, so that a retrieval waiting for a bay is promised when a
// bay will be free, not merely when the lift will be. The lift is free after its current move (an outage in
// force lasts until its announced end). A bay is free when what it holds is expected to leave: a car in its
// handover once the handover is done, a staged car after its customer's announced arrival and handover, a car on
// its way after it arrives and is handed over, a returned car once its storage job has taken it. Jobs then
// start as dispatch() would start them: the first that can start, a storage first under dual command, each
// taking its planned time. Returning drivers who take a bay that frees up are not foreseen.
void Simulator::update_etas() {
  const Duration handover{static_cast<std::int64_t>(scenario_.handover_minutes * 60'000'000.0)};
  const SimTime never{std::numeric_limits<std::int64_t>::max()};
  SimTime lift_free = now_;
  if (lift_out_ > 0) lift_free = std::max(lift_free, lift_back_at_);
  std::vector<SimTime>& bay_free = eta_bay_free_;
  bay_free.resize(bay_busy_.size());
  for (std::size_t b = 0; b < bay_free.size(); ++b)
    bay_free[b] = bay_blocked_[b] > 0 ? never : bay_busy_[b] ? bay_leaves_at_[b] : now_;
  // A customer who is not at the kiosk yet hands over from the announced arrival.
  auto handed_over = [&](const Job& job, SimTime in_bay) {
    const Visitor& visitor = visitors_[job.visitor];
    const SimTime from = visitor.arrived.us < 0 && visitor.announced.us >= 0 ? std::max(in_bay, visitor.announced) : in_bay;
    return from + handover;
  };
  auto revise = [&](Job& job, SimTime eta) {
    if (job.first_eta.us < 0) job.first_eta = eta;
    else if (std::max(eta.us - job.eta.us, job.eta.us - eta.us) > seconds(30).us) ++counts_.eta_revisions;
    job.eta = eta;
  };
  if (activity_ != LiftActivity::idle) {
    lift_free = lift_out_ > 0 ? lift_free + lift_remaining_ : lift_until_;
    if (activity_ == LiftActivity::job) {
      Job& running = jobs_[lift_job_];
      revise(running, lift_free);
      const std::size_t b = running.bay.value - 1;
      if (bay_blocked_[b] == 0) bay_free[b] = running.kind == JobKind::retrieval ? handed_over(running, lift_free) : lift_free;
    }
  }
  std::vector<std::uint32_t>& pending = eta_pending_;
  pending.assign(queue_.begin(), queue_.end());
  while (!pending.empty()) {
    // The earliest a bay is free, and which (the lowest-numbered, as free_bay() picks).
    std::size_t first_bay = bay_free.size();
    for (std::size_t b = 0; b < bay_free.size(); ++b)
      if (bay_free[b] != never && (first_bay == bay_free.size() || bay_free[b] < bay_free[first_bay])) first_bay = b;
    const bool bay_by_then = first_bay < bay_free.size() && bay_free[first_bay] <= lift_free;
    auto chosen = std::find_if(pending.begin(), pending.end(), [&](std::uint32_t j) {
      return jobs_[j].kind == JobKind::storage || bay_by_then;
    });
    if (chosen != pending.end() && scenario_.policy.dual_command && jobs_[*chosen].kind == JobKind::retrieval) {
      const auto storage = std::find_if(pending.begin(), pending.end(), [&](std::uint32_t j) { return jobs_[j].kind == JobKind::storage; });
      if (storage != pending.end()) chosen = storage;
    }
    if (chosen == pending.end()) {
      if (first_bay == bay_free.size()) break;  // every bay blocked with no end in sight: no honest promise
      lift_free = bay_free[first_bay];          // the lift waits for the first bay to free up
      continue;
    }
    Job& job = jobs_[*chosen];
    pending.erase(chosen);
    lift_free = lift_free + job.estimate;
    revise(job, lift_free);
    if (job.kind == JobKind::retrieval) {
      std::size_t b = 0;
      while (bay_free[b] == never || bay_free[b] > lift_free - job.estimate) ++b;
      bay_free[b] = handed_over(job, lift_free);
    } else if (bay_blocked_[job.bay.value - 1] == 0) {
      bay_free[job.bay.value - 1] = lift_free;
    }
  }
  // Jobs no bay will ever serve keep the lift-only promise, after everything else.
  for (const std::uint32_t j : pending) {
    lift_free = lift_free + jobs_[j].estimate;
    revise(jobs_[j], lift_free);
  }
}

Duration LiftMove::elapsed(SimTime now) const {
  if (kind == Kind::none) return Duration{};
  const Duration elapsed = (halted ? halted_at : now) - started;
  return std::clamp(elapsed, Duration{}, duration);
}

}  // namespace tower
