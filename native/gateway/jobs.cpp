// Machine jobs: FCFS service by the one lift, with ETAs planned from the pose the lift will have.
#include "gateway/jobs.hpp"

#include <algorithm>
#include <cmath>

namespace tower::gateway {

namespace {

const char* kind_name(JobKind kind) { return kind == JobKind::retrieval ? "retrieval" : "storage"; }
const char* state_name(JobState state) {
  switch (state) {
    case JobState::queued: return "queued";
    case JobState::running: return "running";
    case JobState::done: return "done";
    case JobState::dropped: return "dropped";
  }
  return "?";
}

// ETAs assume the machine's nominal inputs (doors closed, nobody in a bay): faults are accounted separately.
SafetyInputs nominal(const SafetyInputs& actual) {
  SafetyInputs safety;
  safety.bays.resize(actual.bays.size());
  return safety;
}

Duration to_duration(std::chrono::microseconds wall) { return Duration{wall.count()}; }

}  // namespace

nlohmann::json to_json(const MachineJob& job) {
  nlohmann::json json{{"id", job.id},           {"kind", kind_name(job.kind)}, {"state", state_name(job.state)},
                      {"car", job.car.value},   {"slot", job.slot.value},      {"bay", job.bay.value},
                      {"customer", job.customer.value}, {"requested", job.requested.us}, {"started", job.started.us},
                      {"finished", job.finished.us},    {"planned_s", static_cast<double>(job.planned.us) / 1e6}};
  json["eta"] = job.eta ? nlohmann::json(job.eta->us) : nlohmann::json(nullptr);
  return json;
}

Result<MachineJob> machine_job_from_json(const nlohmann::json& json) {
  MachineJob job;
  try {
    job.id = json.at("id").get<std::uint64_t>();
    job.kind = json.at("kind").get<std::string>() == "retrieval" ? JobKind::retrieval : JobKind::storage;
    const std::string state = json.at("state").get<std::string>();
    job.state = state == "queued" ? JobState::queued : state == "running" ? JobState::running : JobState::done;
    job.car = CarId{json.at("car").get<std::uint32_t>()};
    job.slot = SlotId{json.at("slot").get<std::uint32_t>()};
    job.bay = BayId{json.at("bay").get<std::uint32_t>()};
    job.customer = CustomerId{json.at("customer").get<std::uint32_t>()};
    job.requested = SimTime{json.at("requested").get<std::int64_t>()};
    job.started = SimTime{json.at("started").get<std::int64_t>()};
    job.finished = SimTime{json.at("finished").get<std::int64_t>()};
    job.planned = Duration{static_cast<std::int64_t>(std::llround(json.at("planned_s").get<double>() * 1e6))};
  } catch (const nlohmann::json::exception& error) {
    return make_error(ErrorCode::invalid_argument, std::string("a job in the snapshot is malformed: ") + error.what());
  }
  return job;
}

JobBoard::JobBoard(MachineConfig machine, TowerLayout layout, double speed)
    : machine_(machine), layout_(std::move(layout)), speed_(speed) {}

void JobBoard::on_event(std::uint64_t sequence, const Event& event, const Tower& tower) {
  auto queue = [&](JobKind kind, CarId car, SlotId slot, BayId bay, CustomerId customer) {
    MachineJob job;
    job.id = sequence;
    job.kind = kind;
    job.car = car;
    job.slot = slot;
    job.bay = bay;
    job.customer = customer;
    job.requested = event.at;
    active_.push_back(job);
  };
  if (const auto* retrieval = std::get_if<RetrievalStarted>(&event.body)) {
    const CustomerId customer = retrieval->order.valid() ? tower.order(retrieval->order)->customer
                                                         : tower.trial(retrieval->trial)->customer;
    queue(JobKind::retrieval, retrieval->car, retrieval->slot, retrieval->bay, customer);
  } else if (const auto* storage = std::get_if<StorageStarted>(&event.body)) {
    queue(JobKind::storage, storage->car, storage->slot, storage->bay, CustomerId{});
  } else {
    CarId finished_car;
    if (const auto* arrived = std::get_if<CarArrivedInBay>(&event.body)) finished_car = arrived->car;
    if (const auto* stored = std::get_if<CarStoredInSlot>(&event.body)) finished_car = stored->car;
    if (!finished_car.valid()) return;
    auto job = std::find_if(active_.begin(), active_.end(), [&](const MachineJob& j) { return j.car == finished_car; });
    if (job == active_.end()) return;
    job->state = JobState::done;
    job->finished = event.at;
    job->eta = event.at;
    recent_.push_back(*job);
    active_.erase(job);
    if (recent_.size() > kRecent) recent_.pop_front();
  }
}

Result<MachinePlan> JobBoard::plan(const MachineJob& job, const MachinePose& from, const SafetyInputs& safety) const {
  if (job.interrupted)
    return plan_recovery(machine_, layout_, *job.interrupted, job.kind == JobKind::retrieval ? Trip::retrieval : Trip::storage,
                         job.slot, job.bay, safety);
  return job.kind == JobKind::retrieval ? plan_retrieval(machine_, layout_, from, job.slot, job.bay, safety)
                                        : plan_storage(machine_, layout_, from, job.bay, job.slot, safety);
}

Duration JobBoard::plan_duration(const MachineJob& job, const MachinePose& from, const SafetyInputs& safety,
                                 MachinePose* end) const {
  auto planned = plan(job, from, safety);
  if (!planned) return job.planned;
  *end = planned->end_pose;
  return planned->duration;
}

Result<MachinePlan> JobBoard::checked_plan(const MachineJob& job, const MachinePose& from, const SafetyInputs& safety) const {
  auto planned = plan(job, from, safety);
  if (!planned) return planned;
  if (auto checked = check_plan(machine_, layout_, *planned, safety); !checked) return checked.error();
  return planned;
}

std::optional<std::pair<std::uint64_t, Result<MachinePlan>>> JobBoard::next(const MachineDriver& driver,
                                                                             const SafetyInputs& safety) {
  const MachineStatus status = driver.status();
  if (!driver.idle() || status.halted() || status.manual) return std::nullopt;
  auto queued = std::find_if(active_.begin(), active_.end(), [](const MachineJob& j) { return j.state == JobState::queued; });
  if (queued == active_.end()) return std::nullopt;
  return std::pair{queued->id, checked_plan(*queued, driver.pose(), safety)};
}

Result<MachinePlan> JobBoard::manual_plan(std::uint64_t id, const MachineDriver& driver, const SafetyInputs& safety) const {
  const MachineJob* job = find(id);
  if (!job || job->state == JobState::done || job->state == JobState::dropped)
    return make_error(ErrorCode::not_found, "there is no unfinished job " + std::to_string(id));
  if (job->kind != JobKind::retrieval)
    return make_error(ErrorCode::conflict, "job " + std::to_string(id) +
                                               " stores a car; manual mode brings cars to a bay (leave manual mode to store it)");
  if (job->state == JobState::running) return make_error(ErrorCode::conflict, "job " + std::to_string(id) + " is already running");
  for (const MachineJob& other : active_)
    if (other.interrupted && other.id != id)
      return make_error(ErrorCode::conflict, "job " + std::to_string(other.id) +
                                                 " was stopped part-way; finish it first, the machine is not clear");
  return checked_plan(*job, driver.pose(), safety);
}

void JobBoard::started(std::uint64_t id, SimTime now, const MachinePlan& plan) {
  MachineJob* job = find_mutable(id);
  if (!job) return;
  job->state = JobState::running;
  job->started = now;
  job->planned = plan.duration;
  job->end_pose = plan.end_pose;
  job->interrupted.reset();
  // The running job goes first: service order is the lift's order.
  auto position = std::find_if(active_.begin(), active_.end(), [&](const MachineJob& j) { return j.id == id; });
  std::rotate(active_.begin(), position, position + 1);
}

void JobBoard::abandoned(std::uint64_t id, const Interrupted& state) {
  MachineJob* job = find_mutable(id);
  if (!job) return;
  job->state = JobState::queued;
  job->interrupted = state;
}

void JobBoard::update_etas(SimTime now, const MachineDriver& driver, const SafetyInputs& safety) {
  const MachineStatus status = driver.status();
  std::optional<SimTime> free_at = now;
  if (status.halted()) {
    if (status.expected_back) {
      const auto wait = std::chrono::duration_cast<std::chrono::microseconds>(*status.expected_back -
                                                                              std::chrono::steady_clock::now());
      free_at = now + Duration{std::max<std::int64_t>(0, wait.count())};
    } else {
      free_at.reset();
    }
  }
  const SafetyInputs inputs = nominal(safety);
  MachinePose pose = driver.pose();
  for (MachineJob& job : active_) {
    if (status.manual && job.state != JobState::running) {  // staff decide what moves next, and when
      job.eta.reset();
      continue;
    }
    Duration lift_time{};
    if (job.state == JobState::running) {
      if (auto left = driver.remaining()) lift_time = to_duration(*left);
      pose = job.end_pose;
    } else {
      MachinePose end = pose;
      job.planned = plan_duration(job, pose, inputs, &end);
      lift_time = Duration{static_cast<std::int64_t>(static_cast<double>(job.planned.us) / speed_)};
      pose = end;
    }
    if (free_at) free_at = *free_at + lift_time;
    job.eta = free_at;
  }
}

MachineJob* JobBoard::find_mutable(std::uint64_t id) {
  for (auto& job : active_)
    if (job.id == id) return &job;
  return nullptr;
}

const MachineJob* JobBoard::find(std::uint64_t id) const {
  for (const auto& job : active_)
    if (job.id == id) return &job;
  for (const auto& job : recent_)
    if (job.id == id) return &job;
  return nullptr;
}

std::vector<const MachineJob*> JobBoard::active() const {
  std::vector<const MachineJob*> jobs;
  for (const auto& job : active_) jobs.push_back(&job);
  return jobs;
}

std::vector<const MachineJob*> JobBoard::recent() const {
  std::vector<const MachineJob*> jobs;
  for (const auto& job : recent_) jobs.push_back(&job);
  return jobs;
}

std::size_t JobBoard::queued() const {
  return static_cast<std::size_t>(
      std::count_if(active_.begin(), active_.end(), [](const MachineJob& j) { return j.state == JobState::queued; }));
}

nlohmann::json JobBoard::snapshot() const {
  nlohmann::json active = nlohmann::json::array(), recent = nlohmann::json::array();
  for (const auto& job : active_) {
    // After a restart the machine is homed first: a job that was running is started again from the top.
    MachineJob requeued = job;
    requeued.state = JobState::queued;
    active.push_back(to_json(requeued));
  }
  for (const auto& job : recent_) recent.push_back(to_json(job));
  return {{"active", active}, {"recent", recent}};
}

Status JobBoard::restore(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("active") || !json.contains("recent"))
    return make_error(ErrorCode::invalid_argument, "the snapshot's jobs are malformed");
  active_.clear();
  recent_.clear();
  for (const auto& item : json["active"]) {
    auto job = machine_job_from_json(item);
    if (!job) return job.error();
    active_.push_back(*job);
  }
  for (const auto& item : json["recent"]) {
    auto job = machine_job_from_json(item);
    if (!job) return job.error();
    recent_.push_back(*job);
  }
  return ok_status();
}

}  // namespace tower::gateway
