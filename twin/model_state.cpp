// What the twin shows, as a scene for the tower view and as JSON for the test hook.
#include <algorithm>

#include "model.hpp"
#include "tower/codec.hpp"

namespace tower::twin {

namespace {

using json = nlohmann::json;

double in_seconds(Duration duration) { return static_cast<double>(duration.us) / 1e6; }
double in_seconds(SimTime time) { return static_cast<double>(time.us) / 1e6; }
double in_major(Money money) { return static_cast<double>(money.minor) / 100.0; }

// The live tower as a scene: cars where the feed last put them, the running job's car riding the machine.
void live_scene(const LiveMirror& live, double wall_seconds, Scene& scene) {
  scene.config = live.config();
  scene.now = live.now(wall_seconds);
  // The gateway runs one lift (it refuses a layout with several), so the feed's jobs are all lift 1's.
  SceneLift lift{LiftId{1}, live.machine_at(scene.now, MachineConfig{}), false, CarId{}};
  scene.emergency_stop = false;
  scene.cars.clear();
  scene.jobs.clear();
  for (const LiveJob& job : live.jobs()) {
    const bool running = job.state == "running";
    if (running) lift.car = job.car;
    if (running && !job.eta) lift.halted = true;
    std::optional<double> eta;
    if (job.eta) eta = in_seconds(*job.eta - scene.now);
    scene.jobs.push_back(SceneJob{job.id, job.retrieval, running, job.car, job.slot, job.bay, eta});
  }
  std::stable_partition(scene.jobs.begin(), scene.jobs.end(), [](const SceneJob& job) { return job.running; });
  for (const Car& car : live.cars()) {
    SceneCar drawn{car.id, CarPlace::in_slot, car.slot, car.bay, car.state, car.hold.held(), &car.spec};
    if (car.state == CarState::in_bay) {
      drawn.place = CarPlace::in_bay;
    } else if (car.state == CarState::moving) {
      const LoadPhase load = car.id == lift.car ? lift.machine.load : LoadPhase::at_origin;
      drawn.place = load == LoadPhase::on_transfer                       ? CarPlace::on_machine
                    : car.to_bay == (load == LoadPhase::delivered) ? CarPlace::in_bay
                                                                         : CarPlace::in_slot;
    } else if (car.state != CarState::in_slot) {
      continue;
    }
    scene.cars.push_back(drawn);
  }
  scene.lifts.assign(1, std::move(lift));
}

// Every lift's height and state; lift_m and lift_halted stay lift 1's and "any lift's" for older readers.
json lifts_state(const Scene& shown) {
  json lifts = json::array();
  bool halted = false;
  for (const SceneLift& lift : shown.lifts) {
    halted = halted || lift.halted;
    lifts.push_back({{"lift", lift.id.value}, {"lift_m", lift.machine.pose.lift_m}, {"halted", lift.halted},
                     {"car", lift.car.value}, {"carrying", lift.machine.load == LoadPhase::on_transfer}});
  }
  const double lift_m = shown.lifts.empty() ? 0.0 : shown.lifts.front().machine.pose.lift_m;
  return json{{"lift_m", lift_m}, {"lift_halted", halted}, {"lifts", lifts}, {"emergency_stop", shown.emergency_stop}};
}

}  // namespace

void TwinModel::refresh_scene() {
  if (mode == Mode::live && live_.has_snapshot()) live_scene(live_, wall_seconds_, scene_);
  else scene_ = playback_->scene();
  scene_.highlight = selected;
  if (mode != Mode::live && delivery_) scene_.highlight = delivery_->car;
}

json TwinModel::state() const {
  const Simulator& simulator = playback_->simulator();
  const Scene& shown = scene_;
  json tower = lifts_state(shown);
  tower["cars"] = shown.cars.size();
  int in_slot = 0, moving = 0, in_bay = 0, queued = 0, running = 0;
  for (const SceneCar& car : shown.cars) {
    in_slot += car.place == CarPlace::in_slot && car.state == CarState::in_slot;
    moving += car.state == CarState::moving;
    in_bay += car.state == CarState::in_bay;
  }
  for (const SceneJob& job : shown.jobs) (job.running ? running : queued) += 1;
  tower["in_slot"] = in_slot;
  tower["moving"] = moving;
  tower["in_bay"] = in_bay;
  tower["jobs_queued"] = queued;
  tower["jobs_running"] = running;

  json customer{{"selected", selected.value}, {"message", customer_message}, {"offer", nullptr}, {"delivery", nullptr},
                {"profile", {{"credit_score", profile.credit_score}, {"super_member", profile.super_member},
                             {"apr_percent", profile.apr_percent}, {"months", profile.months}}}};
  if (const auto shown_offer = offer()) {
    json item{{"car", shown_offer->car.value}, {"make", shown_offer->spec.make}, {"model", shown_offer->spec.model},
              {"price", in_major(shown_offer->spec.price)}, {"purchase", to_json(shown_offer->purchase)},
              {"purchase_allowed", shown_offer->purchase.allowed}, {"trial", to_json(shown_offer->trial)},
              {"down_payment", in_major(shown_offer->down_payment)}, {"finance", nullptr},
              {"finance_error", shown_offer->finance_error}};
    if (shown_offer->finance)
      item["finance"] = {{"monthly_payment", in_major(shown_offer->finance->monthly_payment)},
                         {"total_interest", in_major(shown_offer->finance->total_interest)},
                         {"months", shown_offer->finance->terms.months}};
    customer["offer"] = item;
  }
  if (delivery_) {
    const Delivery& d = *delivery_;
    json item{{"car", d.car.value}, {"trial", d.trial}, {"requested_s", in_seconds(d.requested)},
              {"promised_s", in_seconds(d.promised)}, {"arrived", d.arrived}, {"arrives_s", nullptr},
              {"countdown_s", nullptr}, {"arrived_s", nullptr}};
    if (d.arrives) {
      item["arrives_s"] = in_seconds(*d.arrives);
      item["countdown_s"] = std::max(0.0, in_seconds(*d.arrives - playback_->now()));
      if (d.arrived) item["arrived_s"] = in_seconds(*d.arrives);
    }
    customer["delivery"] = item;
  }

  json runs = json::array();
  for (const Run& run : runs_) {
    json item{{"label", run.label}, {"progress", run.progress()}, {"finished", run.finished()}, {"error", run.error},
              {"kpis", nullptr}};
    if (run.kpis) item["kpis"] = to_json(*run.kpis);
    runs.push_back(item);
  }

  return json{
      {"mode", to_string(mode)},
      {"frames", frames},
      {"frame_ms", frame_ms},
      {"fps", fps},
      {"width", width},
      {"height", height},
      {"probe_colours", probe_colours},
      {"scenario", {{"label", scenario_label_}, {"now_s", in_seconds(playback_->now())},
                    {"end_s", in_seconds(simulator.end())}, {"events", simulator.events_processed()},
                    {"finished", simulator.finished()}, {"speed", playback_->speed}, {"paused", playback_->paused},
                    {"error", scenario_error}}},
      {"tower", tower},
      {"customer", customer},
      {"staff", {{"runs", runs}, {"compare", {compare_a, compare_b}}, {"instant", instant}}},
      {"live", {{"connected", live_.connected()}, {"has_snapshot", live_.has_snapshot()}, {"sequence", live_.sequence()},
                {"messages", live_.messages()}, {"cars", live_.cars().size()}, {"jobs", live_.jobs().size()},
                {"error", live_.last_error()}, {"needs_resync", live_.needs_resync()}}},
  };
}

}  // namespace tower::twin
