// The API's kiosk and machine routes: pickups start retrieval jobs, handovers release the bay, staff raise
// and clear machine faults, and everyone can see the jobs and their ETAs.
#include "gateway/api_support.hpp"
#include "gateway/gateway.hpp"
#include "gateway/security.hpp"
#include "tower/codec.hpp"

namespace tower::gateway {

namespace {

nlohmann::json job_json(const MachineJob& job, SimTime now) {
  nlohmann::json json = to_json(job);
  json["eta_seconds"] = job.eta ? nlohmann::json(static_cast<double>(std::max<std::int64_t>(0, (*job.eta - now).us)) / 1e6) : nlohmann::json(nullptr);
  if (!job.eta) json["eta_note"] = "the machine is halted; the ETA is unknown until staff clear the fault";
  return json;
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
      if (job->car == car) return nlohmann::json{{"job", job_json(*job, now())}};
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
  for (const MachineJob* job : jobs_.active())
    if (staff || job->customer == call.caller.customer) active.push_back(job_json(*job, at));
  for (const MachineJob* job : jobs_.recent())
    if (staff || job->customer == call.caller.customer) recent.push_back(job_json(*job, at));
  call.respond(json_response(200, {{"active", active}, {"recent", recent}}));
}

void Gateway::get_job(Call& call) {
  const MachineJob* job = jobs_.find(call.ids[0]);
  if (!job) return call.respond(error_response(404, "not_found", "job " + std::to_string(call.ids[0]) + " does not exist"));
  if (call.caller.role != Caller::Role::staff && job->customer != call.caller.customer)
    return call.respond(error_response(404, "not_found", "no such record of yours"));
  call.respond(json_response(200, job_json(*job, now())));
}

void Gateway::get_machine(Call& call) {
  const MachineStatus status = driver_->status();
  const MachinePose pose = driver_->pose();
  nlohmann::json json{{"emergency_stop", status.emergency_stop},
                      {"lift_out_of_service", status.lift_out_of_service},
                      {"note", status.note},
                      {"busy", !driver_->idle()},
                      {"jobs_queued", jobs_.queued()},
                      {"pose", {{"lift_m", pose.lift_m}, {"turntable_rad", pose.turntable_rad}, {"transfer_m", pose.transfer_m}}}};
  if (auto left = driver_->remaining()) json["current_job_remaining_s"] = static_cast<double>(left->count()) / 1e6;
  call.respond(json_response(200, json));
}

void Gateway::raise_fault(Call& call) {
  Fields fields(call.body, {"fault", "note", "expected_minutes"});
  const std::string name = fields.text("fault", 40);
  const std::string note = fields.text("note", 500, false);
  const std::int64_t expected = fields.integer("expected_minutes", 0, 7 * 24 * 60, -1);
  if (fields.error()) return call.respond(error_response(*fields.error()));
  if (name != "emergency_stop" && name != "lift_out_of_service")
    return call.respond(error_response(400, "invalid_argument", "fault must be emergency_stop or lift_out_of_service"));
  const Fault fault = name == "emergency_stop" ? Fault::emergency_stop : Fault::lift_out_of_service;
  std::optional<std::chrono::minutes> back;
  if (expected >= 0) back = std::chrono::minutes(expected);
  safety_.emergency_stop_latched = fault == Fault::emergency_stop || safety_.emergency_stop_latched;
  auto raised = driver_->raise(fault, note.empty() ? "raised by " + call.caller.staff_name : note, back);
  if (!raised) return call.respond(error_response(raised.error()));
  log_json("warn", "machine fault raised", {{"fault", name}, {"by", call.caller.staff_name}, {"note", note}});
  get_machine(call);
}

void Gateway::clear_fault(Call& call) {
  const std::string name = call.request.path.substr(call.request.path.rfind('/') + 1);
  if (name != "emergency_stop" && name != "lift_out_of_service")
    return call.respond(error_response(404, "not_found", "there is no fault called " + name));
  const Fault fault = name == "emergency_stop" ? Fault::emergency_stop : Fault::lift_out_of_service;
  if (fault == Fault::emergency_stop) safety_.emergency_stop_latched = false;
  auto cleared = driver_->clear(fault);
  if (!cleared) return call.respond(error_response(cleared.error()));
  log_json("info", "machine fault cleared", {{"fault", name}, {"by", call.caller.staff_name}});
  get_machine(call);
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
