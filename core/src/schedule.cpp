// The scheduler: a job queue for each lift over its shaft's bays. FCFS among the jobs that can start (a retrieval
// needs a free bay), optionally storing a returned car first on the way to a retrieval (dual command), and
// a dwell point for the idle lift. Faults suspend the lift or take a bay out of use; ETAs follow.
#include <algorithm>
#include <cstring>
#include <limits>

#include "tower/sim.hpp"

namespace tower {

namespace {

constexpr int face_match_permille = 990;
constexpr std::uint8_t log_job_started = 100, log_job_done = 101, log_reposition = 102, log_recovery = 103;

// The exact bits of a position, so equal keys mean identical planner inputs. (Emscripten 3.1.6's libc++ has
// no std::bit_cast.)
std::uint64_t bits_of(double value) {
  std::uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

}  // namespace

const Simulator::PlannedMove& Simulator::planned(const Lift& lift, Move move, const MachinePose& from, SlotId slot,
                                                 BayId bay) {
  const MoveKey key{lift.id.value, move, bits_of(from.lift_m), bits_of(from.turntable_rad), bits_of(from.transfer_m),
                    slot.value, bay.value};
  const auto found = plans_.find(key);
  if (found != plans_.end()) return found->second;
  const MachineConfig& machine = scenario_.machine;
  const TowerLayout& shaft = lift.shaft;
  const Result<MachinePlan> plan =
      move == Move::retrieval ? plan_retrieval(machine, shaft, from, slot, bay, lift.safety)
      : move == Move::storage ? plan_storage(machine, shaft, from, bay, slot, lift.safety)
                              : plan_reposition(machine, shaft, from, lift.ground, lift.safety);
  PlannedMove outcome;
  if (plan) outcome = PlannedMove{true, plan->duration, plan->end_pose};
  return plans_.emplace(key, outcome).first->second;
}

Result<MachinePlan> Simulator::plan_of(const LiftMove& move, LiftId lift_id) const {
  const Lift& lift = lift_at(lift_id);
  const MachineConfig& machine = scenario_.machine;
  SafetyInputs safety = lift.safety;
  safety.emergency_stop_latched = false;  // the plan as it runs once the stop is reset
  switch (move.kind) {
    case LiftMove::Kind::retrieval: return plan_retrieval(machine, lift.shaft, move.from, move.slot, move.bay, safety);
    case LiftMove::Kind::storage: return plan_storage(machine, lift.shaft, move.from, move.bay, move.slot, safety);
    case LiftMove::Kind::reposition: return plan_reposition(machine, lift.shaft, move.from, move.to, safety);
    case LiftMove::Kind::recovery:
      return plan_recovery(machine, lift.shaft, move.interrupted, move.trip, move.slot, move.bay, safety);
    case LiftMove::Kind::none: break;
  }
  return make_error(ErrorCode::invalid_argument, "the lift is not moving");
}

Duration Simulator::estimate_retrieval(SlotId slot) const {
  return slot.valid() ? retrieval_estimates_[slot.value - 1] : Duration{};
}

Duration Simulator::queue_backlog(const Lift& lift) const {
  Duration backlog{};
  if (lift.activity != LiftActivity::idle) backlog = lift.out > 0 ? lift.remaining : lift.until - now_;
  for (const std::uint32_t j : lift.queue) backlog = backlog + jobs_[j].estimate;
  return backlog;
}

bool Simulator::bay_usable(BayId bay) const { return bay_blocked_[bay.value - 1] == 0; }

// The lowest-numbered free, usable bay of the lift's shaft.
BayId Simulator::free_bay(const Lift& lift) const {
  for (const BayDef& bay : lift.shaft.bays)
    if (!bay_busy_[bay.id.value - 1] && bay_blocked_[bay.id.value - 1] == 0) return bay.id;
  return BayId{};
}

void Simulator::request_retrieval(std::uint32_t v) {
  Visitor& visitor = visitors_[v];
  const SlotId slot = tower_.car(visitor.car)->slot;
  Lift& lift = lift_of_slot(slot);
  Job job;
  job.kind = JobKind::retrieval;
  job.lift = lift.id;
  job.visitor = v;
  job.car = visitor.car;
  job.requested = now_;
  job.first_eta = SimTime{-1};
  job.estimate = estimate_retrieval(slot);
  jobs_.push_back(job);
  visitor.job = static_cast<std::uint32_t>(jobs_.size());
  lift.queue.push_back(static_cast<std::uint32_t>(jobs_.size() - 1));
  dispatch(lift);
}

void Simulator::dispatch() {
  for (Lift& lift : lifts_) dispatch(lift);
}

void Simulator::dispatch(Lift& lift) {
  while (lift.activity == LiftActivity::idle && lift.out == 0) {
    const bool bay_free = free_bay(lift).valid();
    auto startable = [&](std::uint32_t j) {
      return jobs_[j].kind == JobKind::retrieval ? bay_free : bay_usable(jobs_[j].bay);
    };
    auto chosen = std::find_if(lift.queue.begin(), lift.queue.end(), startable);
    if (chosen != lift.queue.end() && scenario_.policy.dual_command && jobs_[*chosen].kind == JobKind::retrieval) {
      // Dual command: take a returned car up on the way, freeing its bay; the retrieval starts from there.
      const auto storage = std::find_if(lift.queue.begin(), lift.queue.end(), [&](std::uint32_t j) {
        return jobs_[j].kind == JobKind::storage && bay_usable(jobs_[j].bay);
      });
      if (storage != lift.queue.end()) chosen = storage;
    }
    if (chosen == lift.queue.end()) break;
    const std::uint32_t job = *chosen;
    lift.queue.erase(chosen);
    if (start_job(lift, job)) return;
  }
  if (lift.activity != LiftActivity::idle || lift.out > 0 || !scenario_.policy.dwell_ground) return;
  if (lift.pose.lift_m == lift.ground.lift_m && lift.pose.turntable_rad == lift.ground.turntable_rad) return;
  const PlannedMove& plan = planned(lift, Move::reposition, lift.pose, SlotId{}, BayId{});
  if (!plan.ok) return;
  lift.activity = LiftActivity::reposition;
  lift.move = LiftMove{LiftMove::Kind::reposition, lift.pose, lift.ground};
  lift.move.started = now_;
  lift.move.duration = plan.duration;
  lift.pose = plan.end_pose;
  lift.until = now_ + plan.duration;
  schedule(lift.until, EventKind::lift_done, ++lift.generation, lift.id.value - 1);
  log(static_cast<EventKind>(log_reposition), 0, 0, lift.id.value - 1);
}

bool Simulator::start_job(Lift& lift, std::uint32_t j) {
  Job& job = jobs_[j];
  PlannedMove plan;
  if (job.kind == JobKind::retrieval) {
    const Visitor& visitor = visitors_[job.visitor];
    const BayId bay = free_bay(lift);
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
    plan = planned(lift, Move::retrieval, lift.pose, job.slot, bay);
  } else {
    auto events = tower_.apply(StoreCar{job.car}, now_);
    if (!events) {
      count_refusal(events.error());
      job.state = JobState::dropped;
      return false;
    }
    job.slot = std::get<StorageStarted>(events->front().body).slot;
    plan = planned(lift, Move::storage, lift.pose, job.slot, job.bay);
  }
  // The plans of a validated layout always exist; a failure would be a planner bug, shown as an instant move.
  assert(plan.ok);
  job.state = JobState::running;
  job.started = now_;
  lift.activity = LiftActivity::job;
  lift.job = j;
  lift.move = LiftMove{job.kind == JobKind::retrieval ? LiftMove::Kind::retrieval : LiftMove::Kind::storage,
                       lift.pose, lift.pose};
  lift.move.slot = job.slot;
  lift.move.bay = job.bay;
  lift.move.car = job.car;
  lift.move.started = now_;
  lift.move.duration = plan.duration;
  if (plan.ok) lift.pose = plan.end_pose;
  lift.until = now_ + plan.duration;
  if (job.first_eta.us < 0) job.first_eta = lift.until;  // started at once: the first ETA is the plan's end
  job.eta = lift.until;
  schedule(lift.until, EventKind::lift_done, ++lift.generation, lift.id.value - 1);
  log(static_cast<EventKind>(log_job_started), j, job.slot.value, job.bay.value);
  return true;
}

void Simulator::finish_lift(Lift& lift) {
  const LiftActivity was = lift.activity;
  lift.activity = LiftActivity::idle;
  lift.move = LiftMove{};
  if (was == LiftActivity::job) {
    Job& job = jobs_[lift.job];
    job.state = JobState::done;
    job.finished = now_;
    job.eta = now_;
    log(static_cast<EventKind>(log_job_done), lift.job, job.slot.value, job.bay.value);
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
  dispatch(lift);
  try_returns();
}

// An outage, a transfer jam or the emergency stop suspends the lift's move in progress where it is (the car
// waits in the shaft, or on the pallet) and resumes it when the lift is back; the ETAs count on `back_at`.
void Simulator::lift_out(Lift& lift, bool starts, SimTime back_at) {
  if (starts) {
    lift.back_at = std::max(lift.back_at, back_at);
    if (lift.out++ > 0) return;
    if (lift.activity != LiftActivity::idle) {
      lift.remaining = lift.until - now_;
      ++lift.generation;  // the pending lift_done is stale
      lift.move.halted = true;
      lift.move.halted_at = now_;
    }
    return;
  }
  if (--lift.out > 0) return;
  resume(lift);
  dispatch(lift);
  try_returns();
}

// The move that finishes a move an e-stop halted, from where it stopped (the stop may have caught the pallet
// half out or a door opening), as it would start now. A reposition simply goes on to the dwell point.
LiftMove Simulator::recovery_of(const Lift& lift, MachinePose& end_pose) const {
  const LiftMove& stopped = lift.move;
  const Duration elapsed = stopped.halted_at - stopped.started;
  Result<MachinePlan> original = plan_of(stopped, lift.id);
  assert(original);
  LiftMove next = stopped;
  next.halted = false;
  next.started = now_;
  if (!original) return next;
  const Interrupted interrupted = interrupted_at(*original, lift.shaft, elapsed);
  next.from = interrupted.pose;
  if (stopped.kind != LiftMove::Kind::reposition) {
    next.kind = LiftMove::Kind::recovery;
    next.interrupted = interrupted;
    next.trip = stopped.kind == LiftMove::Kind::storage ? Trip::storage : stopped.trip;
  }
  Result<MachinePlan> plan = plan_of(next, lift.id);
  assert(plan);
  if (plan) {
    next.duration = plan->duration;
    end_pose = plan->end_pose;
  }
  return next;
}

void Simulator::resume(Lift& lift) {
  if (lift.activity == LiftActivity::idle) {
    lift.recover = false;
    return;
  }
  if (lift.recover) {
    lift.recover = false;
    const Duration elapsed = lift.move.halted_at - lift.move.started;
    lift.move = recovery_of(lift, lift.pose);
    lift.until = now_ + lift.move.duration;
    log(static_cast<EventKind>(log_recovery), lift.id.value - 1, static_cast<std::uint32_t>(elapsed.us),
        static_cast<std::uint32_t>(lift.move.duration.us));
  } else {
    lift.move.started = lift.move.started + (now_ - lift.move.halted_at);
    lift.move.halted = false;
    lift.until = now_ + lift.remaining;
  }
  schedule(lift.until, EventKind::lift_done, ++lift.generation, lift.id.value - 1);
}

// The emergency stop halts every lift at once and stays latched until staff reset it; each move it caught is
// then finished by a recovery plan rather than simply resumed.
void Simulator::emergency_stop(bool latched, SimTime reset_at) {
  if (latched) {
    ++counts_.emergency_stops;
    estop_latched_ = true;
    for (Lift& lift : lifts_) {
      if (lift.activity != LiftActivity::idle) lift.recover = true;
      lift_out(lift, true, reset_at);
      if (lift.recover) {
        MachinePose unused;
        lift.remaining = recovery_of(lift, unused).duration;  // what the ETAs count on after the reset
      }
    }
    return;
  }
  estop_latched_ = false;
  for (Lift& lift : lifts_) lift_out(lift, false, reset_at);
}

void Simulator::bay_blocked(BayId bay, bool starts) {
  bay_blocked_[bay.value - 1] += starts ? 1 : -1;
  if (!starts) {
    dispatch();
    try_returns();
  }
}

void Simulator::update_etas() {
  for (Lift& lift : lifts_) update_etas(lift);
}

// ETAs: a dry run of the lift's dispatcher over its queue, so that a retrieval waiting for a bay is promised
// when a bay will be free, not merely when the lift will be. The lift is free after its current move (an
// outage in force lasts until its announced end). A bay is free when what it holds is expected to leave: a car
// in its handover once the handover is done, a staged car after its customer's announced arrival and handover,
// a car on its way after it arrives and is handed over, a returned car once its storage job has taken it. Jobs
// then start as dispatch() would start them: the first that can start, a storage first under dual command,
// each taking its planned time. Returning drivers who take a bay that frees up are not foreseen.
void Simulator::update_etas(Lift& lift) {
  const Duration handover{static_cast<std::int64_t>(scenario_.handover_minutes * 60'000'000.0)};
  const SimTime never{std::numeric_limits<std::int64_t>::max()};
  SimTime lift_free = now_;
  if (lift.out > 0) lift_free = std::max(lift_free, lift.back_at);
  std::vector<SimTime>& bay_free = eta_bay_free_;
  bay_free.assign(bay_busy_.size(), never);  // other shafts' bays are never this lift's
  for (const BayDef& bay : lift.shaft.bays) {
    const std::size_t b = bay.id.value - 1;
    bay_free[b] = bay_blocked_[b] > 0 ? never : bay_busy_[b] ? bay_leaves_at_[b] : now_;
  }
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
  if (lift.activity != LiftActivity::idle) {
    lift_free = lift.out > 0 ? lift_free + lift.remaining : lift.until;
    if (lift.activity == LiftActivity::job) {
      Job& running = jobs_[lift.job];
      revise(running, lift_free);
      const std::size_t b = running.bay.value - 1;
      if (bay_blocked_[b] == 0) bay_free[b] = running.kind == JobKind::retrieval ? handed_over(running, lift_free) : lift_free;
    }
  }
  std::vector<std::uint32_t>& pending = eta_pending_;
  pending.assign(lift.queue.begin(), lift.queue.end());
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
