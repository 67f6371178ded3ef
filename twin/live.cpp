// The live mirror: the gateway's snapshot gives the configuration and the cars; events move cars; job messages
// replace the queue. Cars are decoded with the core's own state codec, so the mirror reads exactly what the
// gateway wrote.
#include "live.hpp"

#include <algorithm>
#include <variant>

#include "tower/codec.hpp"

namespace tower::twin {

namespace {

// What Gateway::after_event erases from events before broadcasting them.
const char* const redacted_fields[] = {"name", "identity_digest", "selfie_template", "pickup_code", "comment"};

Status malformed(const std::string& what) { return make_error(ErrorCode::invalid_argument, "live feed: " + what); }

}  // namespace

Status LiveMirror::receive(std::string_view message, double wall_seconds) {
  auto json = parse_json(message);
  Status read = !json ? malformed(json.error().message)
                : !json->is_object() || !json->contains("type") || !(*json)["type"].is_string()
                    ? malformed("a message without a \"type\"")
                    : ok_status();
  if (read) {
    const std::string type = (*json)["type"].get<std::string>();
    if (type == "snapshot") read = read_snapshot(*json, wall_seconds);
    else if (!config_) read = malformed("a \"" + type + "\" message before the snapshot");
    else if (type == "event") read = read_event(*json);
    else if (type == "jobs") read = read_jobs(*json);
    else read = malformed("unknown message type \"" + type + "\"");
  }
  if (!read) {
    last_error_ = read.error().message;
    return read;
  }
  if (json->contains("now") && (*json)["now"].is_number_integer()) {
    clock_at_message_ = SimTime{(*json)["now"].get<std::int64_t>()};
    wall_at_message_ = wall_seconds;
  }
  ++messages_;
  return ok_status();
}

void LiveMirror::set_connected(bool connected, double wall_seconds) {
  connected_ = connected;
  if (!connected) wall_at_message_ = std::min(wall_at_message_, wall_seconds);
  if (connected) needs_resync_ = false;
}

SimTime LiveMirror::now(double wall_seconds) const {
  const double since = std::max(0.0, wall_seconds - wall_at_message_);
  return clock_at_message_ + Duration{static_cast<std::int64_t>(since * 1e6)};
}

Status LiveMirror::read_snapshot(const nlohmann::json& json, double wall_seconds) {
  if (!json.contains("config") || !json.contains("cars") || !json["cars"].is_array() || !json["config"].is_object())
    return malformed("the snapshot needs \"config\" and \"cars\"");
  // The snapshot's cars in the shape the state codec reads, with the tower's other lists empty.
  nlohmann::json state = to_json(TowerState{});
  state["config"] = json["config"];
  state["cars"] = json["cars"];
  auto decoded = state_from_json(state);
  if (!decoded) return malformed("snapshot: " + decoded.error().message);
  std::vector<LiveJob> jobs;
  if (json.contains("jobs")) {
    LiveMirror probe;
    if (auto read = probe.read_jobs(json); !read) return read;
    jobs = std::move(probe.jobs_);
  }
  config_ = std::move(decoded->config);
  cars_ = std::move(decoded->cars);
  jobs_ = std::move(jobs);
  const bool has_sequence = json.contains("sequence") && json["sequence"].is_number_unsigned();
  sequence_ = has_sequence ? json["sequence"].get<std::uint64_t>() : 0;
  needs_resync_ = false;
  rest_pose_ = MachinePose{0.0, bay_facing_rad(config_->layout.bays.front().id, config_->layout), 0.0};
  const bool has_now = json.contains("now") && json["now"].is_number_integer();
  clock_at_message_ = SimTime{has_now ? json["now"].get<std::int64_t>() : 0};
  wall_at_message_ = wall_seconds;
  return ok_status();
}

Car* LiveMirror::car(CarId id) {
  if (id.value == 0 || id.value > cars_.size()) return nullptr;
  return &cars_[id.value - 1];
}

Status LiveMirror::read_event(const nlohmann::json& json) {
  if (!json.contains("event") || !json.contains("sequence") || !json["sequence"].is_number_unsigned())
    return malformed("an event message needs \"sequence\" and \"event\"");
  const auto sequence = json["sequence"].get<std::uint64_t>();
  if (sequence <= sequence_) return ok_status();  // already in the snapshot
  // The gateway leaves personal fields out of the public feed; put them back empty so the core's strict
  // decoder reads the rest. Only a field the decoder reports missing is added, so nothing else slips through.
  nlohmann::json encoded = json["event"];
  auto event = event_from_json(encoded);
  for (int tries = 0; !event && tries < 5; ++tries) {
    const std::string& why = event.error().message;
    bool filled = false;
    for (const char* field : redacted_fields) {
      const bool reported = why.find(std::string(field) + " is missing") != std::string::npos;
      if (encoded.is_object() && !encoded.contains(field) && reported) {
        encoded[field] = "";
        filled = true;
      }
    }
    if (!filled) break;
    event = event_from_json(encoded);
  }
  if (!event) return malformed("event: " + event.error().message);
  sequence_ = sequence;
  clock_at_message_ = event->at;
  auto moved = [&](CarId id) -> Car* {
    Car* found = car(id);
    if (!found) needs_resync_ = true;  // a car the snapshot did not have: ask for a new one
    return found;
  };
  const EventBody& body = event->body;
  if (const auto* stocked = std::get_if<CarStocked>(&body)) {
    if (stocked->car.value == cars_.size() + 1) {
      Car car;
      car.id = stocked->car;
      car.spec = stocked->spec;
      car.size = stocked->size;
      car.slot = stocked->slot;
      cars_.push_back(car);
    } else {
      needs_resync_ = true;
    }
  } else if (const auto* placed = std::get_if<OrderPlaced>(&body)) {
    if (Car* c = moved(placed->car)) c->hold.order = placed->order;
  } else if (const auto* booked = std::get_if<TrialBooked>(&body)) {
    if (Car* c = moved(booked->car)) c->hold.trial = booked->trial;
  } else if (const auto* started = std::get_if<RetrievalStarted>(&body)) {
    if (Car* c = moved(started->car)) {
      c->state = CarState::moving;
      c->to_bay = true;
      c->slot = started->slot;
      c->bay = started->bay;
    }
  } else if (const auto* arrived = std::get_if<CarArrivedInBay>(&body)) {
    if (Car* c = moved(arrived->car)) {
      c->state = CarState::in_bay;
      c->bay = arrived->bay;
      c->slot = SlotId{};
    }
  } else if (const auto* storing = std::get_if<StorageStarted>(&body)) {
    if (Car* c = moved(storing->car)) {
      c->state = CarState::moving;
      c->to_bay = false;
      c->slot = storing->slot;
    }
  } else if (const auto* stored = std::get_if<CarStoredInSlot>(&body)) {
    if (Car* c = moved(stored->car)) {
      c->state = CarState::in_slot;
      c->slot = stored->slot;
      c->bay = BayId{};
      c->hold = Hold{};
    }
  } else if (const auto* delivered = std::get_if<OrderDelivered>(&body)) {
    for (Car& c : cars_)
      if (c.hold.order == delivered->order && c.state == CarState::in_bay) c.state = CarState::delivered;
  } else if (const auto* trial = std::get_if<TrialStarted>(&body)) {
    for (Car& c : cars_)
      if (c.hold.trial == trial->trial && c.state == CarState::in_bay) c.state = CarState::out_on_trial;
  } else if (const auto* returned = std::get_if<TrialReturned>(&body)) {
    for (Car& c : cars_)
      if (c.hold.trial == returned->trial) {
        c.state = CarState::in_bay;
        c.bay = returned->bay;
      }
  }
  return ok_status();
}

Status LiveMirror::read_jobs(const nlohmann::json& json) {
  if (!json.contains("jobs") || !json["jobs"].is_array()) return malformed("a jobs message needs a \"jobs\" array");
  std::vector<LiveJob> jobs;
  // Read without exceptions (the browser build has none): every field is checked before it is taken.
  auto integer = [](const nlohmann::json& item, const char* key, std::int64_t& out) {
    if (!item.contains(key) || !item[key].is_number_integer()) return false;
    out = item[key].get<std::int64_t>();
    return true;
  };
  for (const auto& item : json["jobs"]) {
    std::int64_t id = 0, car = 0, slot = 0, bay = 0, requested = 0, started = 0, eta = 0;
    const bool shaped = item.is_object() && integer(item, "id", id) && integer(item, "car", car) &&
                        integer(item, "slot", slot) && integer(item, "bay", bay) && integer(item, "requested", requested) &&
                        integer(item, "started", started) && item.contains("kind") && item["kind"].is_string() &&
                        item.contains("state") && item["state"].is_string() && item.contains("planned_s") &&
                        item["planned_s"].is_number() && id >= 0 && car >= 0 && slot >= 0 && bay >= 0;
    if (!shaped) return malformed("a job is malformed: " + item.dump());
    LiveJob job;
    job.id = static_cast<std::uint64_t>(id);
    job.retrieval = item["kind"].get<std::string>() == "retrieval";
    job.state = item["state"].get<std::string>();
    job.car = CarId{static_cast<std::uint32_t>(car)};
    job.slot = SlotId{static_cast<std::uint32_t>(slot)};
    job.bay = BayId{static_cast<std::uint32_t>(bay)};
    job.requested = SimTime{requested};
    job.started = SimTime{started};
    job.planned = Duration{static_cast<std::int64_t>(item["planned_s"].get<double>() * 1e6)};
    if (integer(item, "eta", eta)) job.eta = SimTime{eta};
    jobs.push_back(job);
  }
  // The job that was running and is gone has left the lift where its plan ends.
  if (config_) {
    for (const LiveJob& old : jobs_) {
      if (old.state != "running") continue;
      const bool still = std::any_of(jobs.begin(), jobs.end(), [&](const LiveJob& j) { return j.id == old.id && j.state == "running"; });
      if (still) continue;
      SafetyInputs safety;
      safety.bays.resize(config_->layout.bays.size());
      auto plan = old.retrieval ? plan_retrieval(MachineConfig{}, config_->layout, rest_pose_, old.slot, old.bay, safety)
                                : plan_storage(MachineConfig{}, config_->layout, rest_pose_, old.bay, old.slot, safety);
      if (plan) rest_pose_ = plan->end_pose;
    }
  }
  jobs_ = std::move(jobs);
  return ok_status();
}

MachineFrame LiveMirror::machine_at(SimTime at, const MachineConfig& machine) const {
  MachineFrame frame{rest_pose_, {}, LoadPhase::at_origin};
  if (!config_) return frame;
  frame.inner_doors.assign(config_->layout.bays.size(), 0.0);
  const auto running = std::find_if(jobs_.begin(), jobs_.end(), [](const LiveJob& job) { return job.state == "running"; });
  if (running == jobs_.end()) return frame;
  SafetyInputs safety;
  safety.bays.resize(config_->layout.bays.size());
  auto plan = running->retrieval ? plan_retrieval(machine, config_->layout, rest_pose_, running->slot, running->bay, safety)
                                 : plan_storage(machine, config_->layout, rest_pose_, running->bay, running->slot, safety);
  if (!plan) return frame;
  // The gateway's ETA is the plan's end as its machine runs it (a halt pushes it later): sample backwards
  // from there, so the drawing agrees with the ETA.
  const SimTime end = running->eta ? *running->eta : running->started + plan->duration;
  return sample_plan(*plan, config_->layout, plan->duration - (end - at));
}

}  // namespace tower::twin
