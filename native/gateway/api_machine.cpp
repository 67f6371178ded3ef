// The API's kiosk and machine routes: pickups start retrieval jobs, handovers release the bay, staff raise
// and clear machine faults, and everyone can see the jobs and their ETAs.
#include <limits>

#include "gateway/api_support.hpp"
#include "gateway/gateway.hpp"
#include "gateway/security.hpp"
#include "tower/codec.hpp"

namespace tower::gateway {

namespace {

// What a customer waiting for a car is told while the machine stands still: why, and what happens next. A
// fault says more than the mode staff chose to recover from it, so it comes first.
struct Delay {
  const char* reason;
  std::string message;
  std::string next;
};

std::optional<Delay> delay_of(const MachineStatus& status) {
  if (status.has(Fault::emergency_stop))
    return Delay{"emergency_stop", "The tower's emergency stop was pressed and the machine stopped where it was. Your car cannot be retrieved now.",
                 "Staff check the tower and reset the stop; your car then continues and its ETA appears here again."};
  if (status.has(Fault::transfer_jam))
    return Delay{"transfer_jam", "The pallet transfer that moves cars on and off the lift has jammed. Your car cannot be retrieved now.",
                 "A technician frees it and, if needed, brings your car to the bay by hand; a new ETA appears here once it moves."};
  if (status.has(Fault::door_sensor_mismatch))
    return Delay{"door_sensor_mismatch",
                 "A door sensor in delivery bay " + std::to_string(status.faulty_bay.value) +
                     " disagrees with the door, so nothing may move until staff have checked it. Your car cannot be retrieved now.",
                 "Staff inspect the bay; your car continues as soon as they confirm it is safe."};
  if (status.has(Fault::position_jump))
    return Delay{"position_jump", "The lift's position sensor reported a sudden jump, so the machine stopped until its position is confirmed. Your car cannot be retrieved now.",
                 "Staff re-reference the lift; your car then continues and its ETA appears here again."};
  if (status.has(Fault::lift_out_of_service))
    return Delay{"lift_out_of_service", "The lift is out of service.",
                 status.expected_back ? "Staff expect it back soon; the ETA shown includes the wait."
                                      : "Staff are working on it; a new ETA appears here as soon as they know when it is back."};
  if (status.manual)
    return Delay{"manual_mode", "Staff have taken the machine into manual mode, so your car cannot be retrieved automatically now.",
                 "They bring waiting cars to the bay themselves; a new ETA appears here as soon as yours is on its way."};
  return std::nullopt;
}

nlohmann::json job_json(const MachineJob& job, SimTime now, const MachineStatus& status) {
  nlohmann::json json = to_json(job);
  json["eta_seconds"] = job.eta ? nlohmann::json(static_cast<double>(std::max<std::int64_t>(0, (*job.eta - now).us)) / 1e6) : nlohmann::json(nullptr);
  if (job.state != JobState::queued && job.state != JobState::running) return json;
  // In manual mode the job staff are running is on its way; only the others wait for them.
  if (status.manual && !status.halted() && job.state == JobState::running) return json;
  if (auto delay = delay_of(status)) {
    json["delay"] = {{"reason", delay->reason}, {"message", delay->message}, {"next", delay->next}};
    if (!job.eta) json["eta_note"] = delay->message + " " + delay->next;
  }
  return json;
}

std::optional<std::chrono::minutes> expected_minutes(std::int64_t minutes) {
  if (minutes < 0) return std::nullopt;
  return std::chrono::minutes(minutes);
}

// The names of every fault, or of those raised in `status`.
std::string fault_names(const MachineStatus* status = nullptr) {
  std::string names;
  for (Fault fault : all_faults)
    if (!status || status->has(fault)) names += (names.empty() ? "" : ", ") + std::string(to_string(fault));
  return names;
}

}  // namespace

// The kiosk: a signed code and the face match release the car; the code is consumed in the same durable
// commit that starts the retrieval. Failed attempts are recorded, and enough of them lock the code.
void Gateway::start_pickup(Call& call) {
  Fields fields(call.body, {"pickup_code", "face_match_permille", "bay"});
  const std::string code = fields.text("pickup_code", 512);
  const int face = static_cast<int>(fields.integer("face_match_permille", 0, 1000, std::nullopt));
  BayId bay{fields.id("bay", false)};
  if (fields.error()) return call.respond(error_response(*fields.error()));
  auto claims = verify_pickup_code(code_key_, code, now());
  if (!claims) return call.respond(error_response(claims.error()));
  const std::string subject = claims->subject;
  if (pickup_failures_[subject] >= config_.pickup_failures_to_lock)
    return call.respond(error_response(403, "forbidden", "this pickup code is locked after too many failed attempts; please ask the staff"));
  StartPickup pickup{OrderId{}, TrialId{}, pickup_code_digest(code), face, bay};
  CustomerId owner;
  CarId car;
  const std::uint32_t id = static_cast<std::uint32_t>(std::stoul(subject.substr(subject.find(':') + 1)));
  if (subject.rfind("order:", 0) == 0) {
    pickup.order = OrderId{id};
    if (const Order* order = tower_.order(pickup.order)) owner = order->customer, car = order->car;
  } else {
    pickup.trial = TrialId{id};
    if (const Trial* trial = tower_.trial(pickup.trial)) owner = trial->customer, car = trial->car;
  }
  if (owner != claims->customer || car != claims->car)
    return call.respond(error_response(403, "forbidden", "the pickup code is not valid"));
  if (!pickup.bay.valid()) {
    pickup.bay = free_bay();
    if (!pickup.bay.valid())
      return call.respond(error_response(409, "conflict", "every delivery bay is busy; please try again in a minute"));
  }
  auto refused = tower_.decide(pickup, now());
  if (!refused && refused.error().code == ErrorCode::forbidden) {
    // A wrong face or a used code counts against this code, durably, before the kiosk hears back.
    Record failure{"pickup_failure", nlohmann::json{{"subject", subject}}.dump()};
    Respond respond = call.respond;
    const Error error = refused.error();
    record({failure}, [respond, error](const Status&, std::uint64_t) { respond(error_response(error)); });
    return;
  }
  submit(call, pickup, {}, [this, car](const std::vector<Event>&) {
    for (const MachineJob* job : jobs_.active())
      if (job->car == car) return nlohmann::json{{"job", job_json(*job, now(), driver_->status())}};
    return nlohmann::json{{"job", nullptr}};
  }, 201);
}

void Gateway::hand_over(Call& call) {
  Fields fields(call.body, {"car"});
  const CarId car{fields.id("car")};
  if (fields.error()) return call.respond(error_response(*fields.error()));
  submit(call, HandOver{car}, {}, [this, car](const std::vector<Event>&) { return to_json(*tower_.car(car)); });
}

void Gateway::list_jobs(Call& call) {
  nlohmann::json active = nlohmann::json::array(), recent = nlohmann::json::array();
  const bool staff = call.caller.role == Caller::Role::staff;
  const SimTime at = now();
  const MachineStatus machine = driver_->status();
  for (const MachineJob* job : jobs_.active())
    if (staff || job->customer == call.caller.customer) active.push_back(job_json(*job, at, machine));
  for (const MachineJob* job : jobs_.recent())
    if (staff || job->customer == call.caller.customer) recent.push_back(job_json(*job, at, machine));
  call.respond(json_response(200, {{"active", active}, {"recent", recent}}));
}

void Gateway::get_job(Call& call) {
  const MachineJob* job = jobs_.find(call.ids[0]);
  if (!job) return call.respond(error_response(404, "not_found", "job " + std::to_string(call.ids[0]) + " does not exist"));
  if (call.caller.role != Caller::Role::staff && job->customer != call.caller.customer)
    return call.respond(error_response(404, "not_found", "no such record of yours"));
  call.respond(json_response(200, job_json(*job, now(), driver_->status())));
}

void Gateway::get_machine(Call& call) {
  const MachineStatus status = driver_->status();
  const MachinePose pose = driver_->pose();
  nlohmann::json faults = nlohmann::json::array();
  for (Fault fault : all_faults)
    if (status.has(fault)) faults.push_back(to_string(fault));
  nlohmann::json json{{"faults", faults},
                      {"emergency_stop", status.has(Fault::emergency_stop)},
                      {"lift_out_of_service", status.has(Fault::lift_out_of_service)},
                      {"mode", status.manual ? "manual" : "automatic"},
                      {"note", status.note},
                      {"busy", !driver_->idle()},
                      {"jobs_queued", jobs_.queued()},
                      {"pose_trusted", !status.has(Fault::position_jump)},
                      {"pose", {{"lift_m", pose.lift_m}, {"turntable_rad", pose.turntable_rad}, {"transfer_m", pose.transfer_m}}}};
  if (status.faulty_bay.valid()) json["faulty_bay"] = status.faulty_bay.value;
  if (auto delay = delay_of(status)) json["delay"] = {{"reason", delay->reason}, {"message", delay->message}, {"next", delay->next}};
  if (auto left = driver_->remaining()) json["current_job_remaining_s"] = static_cast<double>(left->count()) / 1e6;
  call.respond(json_response(200, json));
}

void Gateway::raise_fault(Call& call) {
  Fields fields(call.body, {"fault", "note", "expected_minutes", "bay"});
  const std::string name = fields.text("fault", 40);
  const std::string note = fields.text("note", 500, false);
  const std::int64_t expected = fields.integer("expected_minutes", 0, 7 * 24 * 60, -1);
  const BayId bay{fields.id("bay", false)};
  if (fields.error()) return call.respond(error_response(*fields.error()));
  const std::optional<Fault> fault = fault_from_string(name);
  if (!fault) return call.respond(error_response(400, "invalid_argument", "fault must be one of " + fault_names()));
  if (*fault == Fault::door_sensor_mismatch) {
    if (!bay.valid()) return call.respond(error_response(400, "invalid_argument", "bay: a door_sensor_mismatch names the bay whose sensor disagrees"));
    const auto& bays = tower_.config().layout.bays;
    if (std::none_of(bays.begin(), bays.end(), [&](const BayDef& def) { return def.id == bay; }))
      return call.respond(error_response(400, "invalid_argument", "bay: this tower has no bay " + std::to_string(bay.value)));
  } else if (bay.valid()) {
    return call.respond(error_response(400, "invalid_argument", "bay: only a door_sensor_mismatch names a bay"));
  }
  safety_.emergency_stop_latched = *fault == Fault::emergency_stop || safety_.emergency_stop_latched;
  auto raised = driver_->raise(*fault, note.empty() ? "raised by " + call.caller.staff_name : note, expected_minutes(expected), bay);
  if (!raised) return call.respond(error_response(raised.error()));
  log_json("warn", "machine fault raised", {{"fault", name}, {"by", call.caller.staff_name}, {"note", note}});
  get_machine(call);
}

void Gateway::clear_fault(Call& call) {
  const std::string name = call.request.path.substr(call.request.path.rfind('/') + 1);
  const std::optional<Fault> fault = fault_from_string(name);
  if (!fault) return call.respond(error_response(404, "not_found", "there is no fault called " + name + "; faults are " + fault_names()));
  if (*fault == Fault::emergency_stop) safety_.emergency_stop_latched = false;
  auto cleared = driver_->clear(*fault);
  if (!cleared) return call.respond(error_response(cleared.error()));
  log_json("info", "machine fault cleared", {{"fault", name}, {"by", call.caller.staff_name}});
  get_machine(call);
}

// Manual mode is the recovery procedure: it abandons the running plan where the machine stopped, so staff can
// clear the faults and bring each waiting car to its bay (manual_delivery) from there.
void Gateway::set_machine_mode(Call& call) {
  Fields fields(call.body, {"mode"});
  const std::string mode = fields.text("mode", 20);
  if (fields.error()) return call.respond(error_response(*fields.error()));
  if (mode != "manual" && mode != "automatic")
    return call.respond(error_response(400, "invalid_argument", "mode must be manual or automatic"));
  if (auto abandoned = driver_->set_manual(mode == "manual")) {
    jobs_.abandoned(abandoned->job, abandoned->state);
    log_json("warn", "a running job was abandoned part-way for manual recovery",
             {{"job", std::to_string(abandoned->job)}, {"by", call.caller.staff_name}});
  }
  log_json("info", "machine mode set", {{"mode", mode}, {"by", call.caller.staff_name}});
  dispatch_machine();
  get_machine(call);
}

void Gateway::manual_delivery(Call& call) {
  Fields fields(call.body, {"job"});
  const auto id = static_cast<std::uint64_t>(fields.integer("job", 1, std::numeric_limits<std::int64_t>::max(), std::nullopt));
  if (fields.error()) return call.respond(error_response(*fields.error()));
  const MachineStatus status = driver_->status();
  if (!status.manual)
    return call.respond(error_response(409, "conflict", "the machine is in automatic mode; set mode manual first"));
  if (status.halted())
    return call.respond(error_response(409, "conflict", "clear the raised faults first (" + fault_names(&status) + ")"));
  if (!driver_->idle()) return call.respond(error_response(409, "conflict", "the machine is busy with another move"));
  auto plan = jobs_.manual_plan(id, *driver_, safety_);
  if (!plan) return call.respond(error_response(plan.error()));
  jobs_.started(id, now(), *plan);
  driver_->execute(id, *plan);
  log_json("info", "manual delivery started", {{"job", std::to_string(id)}, {"by", call.caller.staff_name}});
  publish_jobs();
  call.respond(json_response(200, job_json(*jobs_.find(id), now(), driver_->status())));
}

void Gateway::service_done(Call& call) {
  Fields fields(call.body, {"bay"});
  BayId bay{fields.id("bay", false)};
  if (fields.error()) return call.respond(error_response(*fields.error()));
  if (!bay.valid())
    bay = free_bay();
  const CarId car{call.ids[0]};
  submit(call, ServiceDone{car, bay}, {}, [this, car](const std::vector<Event>&) { return to_json(*tower_.car(car)); });
}

}  // namespace tower::gateway
