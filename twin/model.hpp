// The twin's state, without pixels: what is being watched (a local simulation or the live tower), where every
// car and axis is at the displayed instant, the customer's delivery preview, the staff's what-if runs and their
// comparison. The UI (ui.hpp) draws it and turns clicks into the same commands the browser's test hook sends
// (TwinModel::command), so everything a person can do is testable headless.
//
// [SECTION] Scenes: what the tower view draws
// [SECTION] Playback: a simulation on a display clock
// [SECTION] Customer: offer and delivery preview
// [SECTION] Staff: what-if runs
// [SECTION] The model
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "live.hpp"
#include "tower/finance.hpp"
#include "tower/sim.hpp"

namespace tower::twin {

// [SECTION] Scenes: what the tower view draws

// Where a car is drawn. in_slot / in_bay are places; on_machine rides the transfer (at MachineFrame's pose).
enum class CarPlace { in_slot, in_bay, on_machine };

struct SceneCar {
  CarId id{};
  CarPlace place = CarPlace::in_slot;
  SlotId slot{};
  BayId bay{};
  CarState state = CarState::in_slot;
  bool held = false;         // promised to an order or a trial
  const CarSpec* spec = nullptr;  // valid until the model next changes
  LiftId lift{1};  // the shaft it is in: its slot's, its bay's, or that of the lift carrying it
};

struct SceneJob {
  std::uint64_t id = 0;
  bool retrieval = true;
  bool running = false;
  CarId car{};
  SlotId slot{};
  BayId bay{};
  std::optional<double> eta_s;  // seconds from the displayed instant until the car is in the bay / slot
  LiftId lift{1};
};

// One lift as drawn: its machine sampled from its current plan in its own shaft (Simulator::shaft).
struct SceneLift {
  LiftId id{1};
  MachineFrame machine{};  // inner_doors follows the whole layout's bays; other shafts' bays stay 0 (shut)
  bool halted = false;     // out of service, jammed or e-stopped
  CarId car{};             // the car of its current move: it rides the lift while machine.load is on_transfer
};

// One instant of a tower, whoever produced it: the tower view draws only this.
struct Scene {
  const TowerConfig* config = nullptr;
  SimTime now{};
  std::vector<SceneLift> lifts;  // lift n at index n - 1
  bool emergency_stop = false;   // latched: every lift stands until staff reset it
  std::vector<SceneCar> cars;
  std::vector<SceneJob> jobs;  // running first, then the queue in order
  CarId highlight{};           // the customer's car

  // The lift `id`, or none when the scene has no such lift.
  const SceneLift* lift(LiftId id) const {
    return id.valid() && id.value <= lifts.size() ? &lifts[id.value - 1] : nullptr;
  }
};

// [SECTION] Playback: a simulation on a display clock

// A simulation watched at `speed` simulated seconds per real second; the displayed instant moves smoothly and
// the simulator is run up to it, so every lift is sampled from its current plan at every frame.
class Playback {
 public:
  static Result<Playback> create(const Scenario& scenario);
  // The scene points into the simulator's tower (its config, its cars' specs), so a copied or moved playback
  // draws its own scene again instead of keeping pointers into the one it came from.
  Playback(const Playback& other)
      : speed(other.speed), paused(other.paused), simulator_(other.simulator_), now_(other.now_), plans_(other.plans_) {
    refresh();
  }
  Playback(Playback&& other)
      : speed(other.speed), paused(other.paused), simulator_(std::move(other.simulator_)), now_(other.now_),
        plans_(std::move(other.plans_)) {
    refresh();
  }
  Playback& operator=(Playback other) {
    speed = other.speed;
    paused = other.paused;
    simulator_ = std::move(other.simulator_);
    now_ = other.now_;
    plans_ = std::move(other.plans_);
    refresh();
    return *this;
  }

  void advance(double real_seconds);  // no-op while paused or finished
  void jump_to(SimTime at);           // runs the simulation to `at` at once (capped at its end)
  double speed = 30.0;
  bool paused = false;

  SimTime now() const { return now_; }
  const Simulator& simulator() const { return simulator_; }
  Simulator& simulator() { return simulator_; }
  const Scene& scene() const { return scene_; }  // refreshed by advance / jump_to / refresh
  void refresh();

 private:
  // A lift's plan and the move it was made for: re-planned only when the move changes, not every frame.
  struct LiftPlan {
    bool planned = false;
    LiftMove move{};
    std::optional<MachinePlan> plan;  // none when planning failed
  };

  explicit Playback(Simulator simulator);
  const MachinePlan* current_plan(LiftId lift);
  SceneLift sample_lift(LiftId lift);
  void scene_cars();
  void scene_jobs();

  Simulator simulator_;
  SimTime now_{};
  std::vector<LiftPlan> plans_;  // by lift id - 1
  Scene scene_;
};

// [SECTION] Customer: offer and delivery preview

struct CustomerProfile {
  int credit_score = 780;
  bool super_member = false;
  double apr_percent = 4.99;  // financing offered with the purchase
  int months = 36;
};

// What the app shows for one car before the customer commits.
struct Offer {
  CarId car{};
  CarSpec spec;
  Decision purchase;
  TrialTerms trial;
  Money down_payment{};
  std::optional<FinanceQuote> finance;  // none when the terms are invalid (finance_error says why)
  std::string finance_error;
};

// The customer's car on its way: the ETA is when this run will have the car in the bay, found by running a
// copy of the simulation ahead (the simulation is deterministic, so the copy is the future), re-checked after
// every simulated event.
struct Delivery {
  std::uint32_t visitor = 0;
  CarId car{};
  bool trial = false;
  SimTime requested{};
  std::optional<SimTime> arrives;  // predicted (or actual, once `arrived`) time the car is in the bay
  SimTime promised{};              // the scheduler's own ETA at the displayed instant
  bool arrived = false;
  std::uint64_t predicted_at_events = 0;
};

// [SECTION] Staff: what-if runs

// A scenario run to its end in slices, so a long run shows progress and the UI stays responsive.
struct Run {
  std::string label;
  Scenario scenario;
  std::string scenario_json;             // as run, for the editor
  std::unique_ptr<Simulator> simulator;  // while running
  std::optional<SimKpis> kpis;           // when finished
  std::string error;
  double progress() const;               // 0..1 of simulated time
  bool finished() const { return kpis.has_value() || !error.empty(); }
};

// Scenarios the twin ships with: the files of public/scenarios/, compiled in so a static host needs nothing
// else.
struct ExampleScenario {
  std::string file;  // "lift-outage-noon.json"
  std::string text;  // its JSON
};
const std::vector<ExampleScenario>& example_scenarios();

// [SECTION] The model

enum class Mode { customer, staff, live };
const char* to_string(Mode mode);

class TwinModel {
 public:
  // Starts on the default tower with the normal-day example scenario, at 09:30 of its day.
  TwinModel();

  // Per frame: moves the displayed instant, advances running what-ifs by a slice of work, keeps the delivery
  // prediction current. `real_seconds` is the wall time since the last frame.
  void update(double real_seconds);

  // Everything a person (or the test hook) can do. `command` is {"do": name, ...}; the answer is {"ok": true,
  // ...} or {"error": "what was wrong"}. The commands are listed in command_help().
  nlohmann::json command(const nlohmann::json& command);
  static const char* command_help();
  // A summary of what the twin shows, for the test hook and for debugging.
  nlohmann::json state() const;

  // The scene the tower view draws: the local playback, or the live mirror in live mode once it has a
  // snapshot; the customer's selected car highlighted.
  const Scene& scene() const { return scene_; }
  // Wall time the platform has reported through update(), for the live mirror's clock.
  double wall_seconds() const { return wall_seconds_; }

  Mode mode = Mode::customer;
  Playback& playback() { return *playback_; }
  const Playback& playback() const { return *playback_; }
  const std::string& scenario_label() const { return scenario_label_; }

  // customer
  CustomerProfile profile;
  CarId selected{};
  std::optional<Offer> offer() const;  // for `selected`
  const std::optional<Delivery>& delivery() const { return delivery_; }
  std::string customer_message;  // the last refusal or confirmation, in words

  // staff
  std::string scenario_text;  // the editor's JSON
  std::string scenario_error; // why the editor's JSON is not a valid scenario
  std::vector<Run>& runs() { return runs_; }
  const std::vector<Run>& runs() const { return runs_; }
  int compare_a = -1, compare_b = -1;  // indices into runs, -1 none
  bool instant = false;                // run what-ifs to the end in one go (still sliced per frame)

  // live
  LiveMirror& live() { return live_; }
  const LiveMirror& live() const { return live_; }

  // frame timing, measured by the platform and reported through state()
  double frame_ms = 0.0;   // mean over the last second
  double fps = 0.0;
  std::uint64_t frames = 0;
  int width = 0, height = 0;  // framebuffer pixels
  // The test hook's "probe_pixels": the platform reads a grid of pixels back after the next frame and stores
  // how many distinct colours it saw (a blank canvas has one).
  bool probe_requested = false;
  int probe_colours = -1;

 private:
  nlohmann::json dispatch(const nlohmann::json& command);
  void refresh_scene();
  nlohmann::json load_scenario(const std::string& text, const std::string& label);
  nlohmann::json start_run(const std::string& text, const std::string& label);
  nlohmann::json walk_in(bool trial);
  nlohmann::json what_if_from_now(const nlohmann::json& command);
  void predict_delivery();

  std::unique_ptr<Playback> playback_;
  std::string scenario_label_;
  std::optional<Delivery> delivery_;
  std::vector<Run> runs_;
  LiveMirror live_;
  Scene scene_;
  double wall_seconds_ = 0.0;
};

}  // namespace tower::twin
