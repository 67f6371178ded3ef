// The what-if simulator: a discrete-event simulation that drives a real Tower through its commands, so the
// business rules (eligibility, reservations, slot choice, trials) are the gateway's own. Customers arrive,
// buy or book test drives, and wait at the kiosk; the scheduler hands jobs to the lift; the machine plans
// (machine.hpp) give every move its real jerk-limited duration. Everything is plain data: copying a
// Simulator forks the run, and the same scenario and seed give the same event log on every platform.
//
// [SECTION] KPIs
// [SECTION] Jobs and their ETAs
// [SECTION] The lift's move, for drawing
// [SECTION] Simulator
#pragma once

#include <cassert>
#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tower/random.hpp"
#include "tower/scenario.hpp"
#include "tower/tower.hpp"

namespace tower {

// [SECTION] KPIs

struct DurationStats {
  int count = 0;
  Duration mean{}, p50{}, p95{}, max{};
};

// One hour of the run, for plots.
struct HourSample {
  int hour = 0;                 // hours since the start
  int queue_length = 0;         // jobs waiting for the lift (and returners waiting for a bay) at the hour's end
  int max_queue_length = 0;     // largest queue during the hour
  double lift_utilisation = 0;  // share of the hour the lifts moved a car (mean over the lifts), 0..1
  double bay_utilisation = 0;   // mean share of the hour a bay held a car, 0..1
  int retrievals = 0;           // cars that reached a bay during the hour
  Duration mean_wait{};         // of customers whose car reached the bay during the hour
  Duration max_wait{};
};

struct SimKpis {
  std::string scenario;
  std::string schedule;  // schedule_name()
  std::string dwell;     // "ground" or "stay"
  std::uint64_t seed = 0;
  Duration simulated{};
  std::uint64_t events = 0;          // simulation events processed
  std::uint64_t event_log_hash = 0;  // FNV-1a over the simulator's event log
  int lifts = 1;

  int customers = 0;       // who came to buy or book (walk-in buyers, trial bookings, rush winners)
  int refused = 0;         // whose command the tower refused
  int refused_not_eligible = 0;
  int refused_no_car = 0;  // nothing left they could have
  int purchases_delivered = 0;
  int trials_started = 0;
  int trials_returned = 0;

  DurationStats wait;       // arrival at the kiosk -> car in the bay (0 when it was already there)
  DurationStats retrieval;  // lift time of a retrieval, start to car in the bay
  DurationStats storage;    // lift time of a storage
  double lift_utilisation = 0;   // share of the run the lifts moved a car (mean over the lifts)
  double bay_utilisation = 0;    // mean share of the run a bay held a car (moving to it, waiting or handing over)
  double throughput_per_hour = 0;  // retrievals completed per simulated hour
  int booked_pickups = 0;          // pickups announced ahead (test drives and rush winners) that arrived
  int ready_on_arrival = 0;        // of those, the car was already in the bay
  double ready_on_arrival_share = 0;
  Duration eta_error_mean{};  // |first ETA promised - actual| of retrievals
  Duration eta_error_max{};
  int eta_revisions = 0;      // times a retrieval's ETA moved by more than 30 s
  Duration lift_out_time{};   // time lifts were out of service (outages, transfer jams, e-stops), summed over lifts
  int emergency_stops = 0;
  int max_queue_length = 0;
  std::vector<HourSample> hourly;
};

nlohmann::json to_json(const DurationStats& stats);
nlohmann::json to_json(const SimKpis& kpis);

// [SECTION] Jobs and their ETAs

enum class JobKind { retrieval, storage };
enum class JobState { queued, running, done, dropped };

// A machine job. The ETA is when the car is expected in the bay (retrieval) or in its slot (storage),
// revised on every event from the queue ahead, the lift's state and known outages.
struct Job {
  JobKind kind = JobKind::retrieval;
  JobState state = JobState::queued;
  LiftId lift{1};             // the lift of the car's slot (retrieval) or of the bay (storage)
  std::uint32_t visitor = 0;  // retrieval: index into the simulator's visitors
  CarId car{};
  BayId bay{};
  SlotId slot{};
  SimTime requested{};
  SimTime started{};
  SimTime finished{};
  SimTime eta{};
  SimTime first_eta{};
  Duration estimate{};  // planned lift time from the dwell point, for ETAs
};

// [SECTION] The lift's move, for drawing

// What a lift is doing, enough to re-plan the move (Simulator::plan_of: the planners are pure, so the plan
// is the simulator's own bit for bit) and sample it with sample_plan.
struct LiftMove {
  enum class Kind : std::uint8_t { none, retrieval, storage, reposition, recovery };
  Kind kind = Kind::none;
  MachinePose from{};  // the pose where the move began
  MachinePose to{};    // reposition only: the dwell point
  Interrupted interrupted{};  // recovery only: where the e-stop left the machine and the car
  Trip trip = Trip::retrieval;  // recovery only: the trip it finishes
  SlotId slot{};
  BayId bay{};
  CarId car{};
  SimTime started{};   // the move's start, shifted later by any time it stood still
  Duration duration{};
  bool halted = false;  // the lift is out of service or jammed: the move is frozen at halted_at - started
  SimTime halted_at{};

  // How far into its plan the move is at `now` (at or after the simulator's clock), within [0, duration].
  Duration elapsed(SimTime now) const;
};

// [SECTION] Simulator

// A customer who walks in now, for a delivery preview: registers with the score and membership, buys the car
// (order and down payment) or books a test drive of it, and waits at the kiosk for it.
struct WalkIn {
  CarId car{};
  bool trial = false;
  int credit_score = 800;
  bool super_member = false;
};

class Simulator {
 public:
  // Stocks the tower and schedules the first arrivals. Fails if the scenario's tower cannot be built.
  static Result<Simulator> create(const Scenario& scenario);

  // Processes the next event; false when the run is over.
  bool step();
  // Processes every event up to and including `until` (capped at the end of the run), then moves the clock
  // to `until`.
  void run_until(SimTime until);
  void run() { run_until(end_); }
  bool finished() const;

  SimTime now() const { return now_; }
  SimTime end() const { return end_; }
  const Tower& tower() const { return tower_; }
  const std::vector<Job>& jobs() const { return jobs_; }
  std::uint64_t events_processed() const { return events_; }
  std::uint64_t event_log_hash() const { return log_hash_; }
  // The KPIs so far (final once finished()).
  SimKpis kpis() const;
  const Scenario& scenario() const { return scenario_; }

  // The lifts, 1..lifts(). A lift id out of range is a programmer error.
  int lifts() const { return static_cast<int>(lifts_.size()); }
  const LiftMove& lift_move(LiftId lift = LiftId{1}) const { return lift_at(lift).move; }
  // Where the lift stands when idle, or where its current move will leave it.
  const MachinePose& lift_pose(LiftId lift = LiftId{1}) const { return lift_at(lift).pose; }
  // The lift stands still (an outage, a jam or the emergency stop), expected back at lift_back_at.
  bool lift_out_of_service(LiftId lift = LiftId{1}) const { return lift_at(lift).out > 0; }
  SimTime lift_back_at(LiftId lift = LiftId{1}) const { return lift_at(lift).back_at; }
  bool emergency_stop_latched() const { return estop_latched_; }
  // The layout of one lift's shaft (shaft_layout), which its moves are planned and sampled in.
  const TowerLayout& shaft(LiftId lift = LiftId{1}) const { return lift_at(lift).shaft; }
  // The full plan of a move of `lift` (its current one: lift_move(lift)), re-planned exactly as the simulator
  // planned it. Fails for Kind::none.
  Result<MachinePlan> plan_of(const LiftMove& move, LiftId lift = LiftId{1}) const;

  // Adds a walk-in customer at the simulator's clock; their car's retrieval is requested at once. Returns the
  // visitor's index, or the tower's refusal (not eligible, car not available, ...) with nothing changed
  // but the registration.
  Result<std::uint32_t> walk_in(const WalkIn& walk_in);
  // The job fetching a visitor's car; nullptr before it is requested or for an unknown visitor.
  const Job* visitor_job(std::uint32_t visitor) const;

  // Simulation events, as kinds on the heap. Public for the event log's documentation only.
  enum class EventKind : std::uint8_t {
    buyer_arrives, trial_booking, call_ahead, kiosk_arrival, rush_starts, lift_done,
    handover_done, trial_return, lift_out_starts, lift_out_ends, bay_blocked_starts, bay_blocked_ends, hour_tick,
    transfer_jam, jam_cleared, emergency_stop, emergency_reset, scripted_visit,
  };

 private:
  struct Pending {
    SimTime at{};
    std::uint64_t sequence = 0;
    EventKind kind{};
    std::uint32_t a = 0, b = 0;
  };
  enum class VisitorKind : std::uint8_t { buyer, trial, rush };
  struct Visitor {
    VisitorKind kind = VisitorKind::buyer;
    CustomerId customer{};
    OrderId order{};
    TrialId trial{};
    CarId car{};
    std::string code;
    SimTime announced{-1};  // booked pickups: the announced arrival at the kiosk
    SimTime arrived{-1};    // at the kiosk
    SimTime ready{-1};      // car in the bay
    SimTime back{-1};       // test drivers: when a scripted driver returns the car; -1 drawn at the handover
    std::uint32_t job = 0;  // retrieval job + 1, 0 before it is requested
    Random random;          // this customer's own choices: runs that differ in policy see the same people
  };
  enum class LiftActivity : std::uint8_t { idle, job, reposition };
  // A plan is a pure function of (lift, move, start pose, slot, bay) here, the machine, layout and safety
  // inputs being fixed for the run, and a lift only ever stands at a few poses (its dwell point, a bay, a
  // slot); so each distinct move is planned once and its outcome memoised, bit for bit.
  enum class Move : std::uint8_t { retrieval, storage, reposition };
  struct MoveKey {
    std::uint32_t lift = 0;
    Move move{};
    std::uint64_t lift_bits = 0, turntable_bits = 0, transfer_bits = 0;  // the start pose, exactly
    std::uint32_t slot = 0, bay = 0;
    friend auto operator<=>(const MoveKey&, const MoveKey&) = default;
  };
  struct PlannedMove {
    bool ok = false;
    Duration duration{};
    MachinePose end_pose{};
  };
  // One lift in its shaft, with its own queue of jobs.
  struct Lift {
    LiftId id{};
    TowerLayout shaft;           // shaft_layout of the scenario's layout
    SafetyInputs safety;         // shaft_safety: this shaft's bays
    MachinePose ground{};        // the dwell point: at the bays, facing the shaft's first bay
    BayId first_bay{};
    Duration storage_estimate{}; // mean planned storage from the first bay
    std::vector<std::uint32_t> queue;  // queued job indices in request order
    LiftActivity activity = LiftActivity::idle;
    LiftMove move{};
    std::uint32_t job = 0;       // the running job while activity == job
    MachinePose pose{};
    SimTime until{};             // when the running move ends
    std::uint32_t generation = 0;  // lift_done events of an older generation are stale
    int out = 0;                 // overlapping outages, jams and e-stops in force
    SimTime back_at{};           // the announced end of the outages in force
    Duration remaining{};        // of the move suspended by an outage
    bool recover = false;        // an e-stop interrupted the move: finish it with plan_recovery, not resume it
    std::int64_t busy_us = 0, hour_busy_us = 0, out_us = 0;
  };
  const Lift& lift_at(LiftId lift) const {
    assert(lift.valid() && lift.value <= lifts_.size());
    return lifts_[lift.value - 1];
  }

  explicit Simulator(const Scenario& scenario, Tower tower);

  // events (sim.cpp)
  void schedule(SimTime at, EventKind kind, std::uint32_t a = 0, std::uint32_t b = 0);
  void handle(const Pending& event);
  void advance_clock(SimTime to);
  int queue_length() const;  // jobs waiting for a lift, and returners waiting for a bay
  void log(EventKind kind, std::uint32_t a, std::uint32_t b, std::uint32_t c);
  double rate_factor(SimTime at) const;
  static Duration exponential_gap(Random& random, double per_hour);
  void schedule_next_arrival(EventKind kind, double per_hour);

  // customers (sim_customers.cpp)
  void stock_up(int target);
  void start_trials_out(int count);
  bool start_trial_out(SimTime back);
  CarId choose_car(Random& random);
  void replace_sold(CarSpec sold);
  std::uint32_t new_visitor(VisitorKind kind, int min_score, int max_score);
  void count_refusal(const Error& error);
  void on_buyer_arrives(int min_score, int max_score);
  void on_trial_booking(int min_score, int max_score, SimTime pickup, SimTime back);
  void on_rush_starts();
  void announce_pickup(std::uint32_t visitor, SimTime announced);
  void on_kiosk_arrival(std::uint32_t visitor);
  void on_car_in_bay(std::uint32_t visitor);
  void on_handover_done(std::uint32_t visitor);
  void on_trial_return(std::uint32_t trial);
  void try_returns();

  // scheduling (schedule.cpp)
  void request_retrieval(std::uint32_t visitor);
  void dispatch();
  void dispatch(Lift& lift);
  bool start_job(Lift& lift, std::uint32_t job);
  void finish_lift(Lift& lift);
  void lift_out(Lift& lift, bool starts, SimTime back_at);
  void emergency_stop(bool latched, SimTime reset_at);
  void resume(Lift& lift);
  LiftMove recovery_of(const Lift& lift, MachinePose& end_pose) const;
  void bay_blocked(BayId bay, bool starts);
  BayId free_bay(const Lift& lift) const;
  bool bay_usable(BayId bay) const;
  Lift& lift_of_slot(SlotId slot) { return lifts_[lift_of(scenario_.config.layout, slot).value - 1]; }
  Duration estimate_retrieval(SlotId slot) const;
  // The move from `from` (a reposition goes to the dwell point), planned on first use.
  const PlannedMove& planned(const Lift& lift, Move move, const MachinePose& from, SlotId slot, BayId bay);
  Duration queue_backlog(const Lift& lift) const;
  void update_etas();
  void update_etas(Lift& lift);

  Scenario scenario_;
  Tower tower_;
  Random random_;          // the stock
  Random buyer_arrivals_;  // the arrival streams, independent of everything else
  Random trial_arrivals_;
  std::vector<Lift> lifts_;
  bool estop_latched_ = false;
  std::vector<Duration> retrieval_estimates_;  // by slot id - 1: planned from its lift's dwell point to its first bay
  std::map<MoveKey, PlannedMove> plans_;
  SimTime now_{};
  SimTime end_{};
  std::vector<Pending> heap_;
  std::uint64_t sequence_ = 0;
  std::uint64_t events_ = 0;
  std::uint64_t log_hash_ = 0xcbf29ce484222325ull;

  std::vector<Visitor> visitors_;
  std::vector<Job> jobs_;
  std::vector<std::uint32_t> returners_;  // trials waiting at the entrance for a free bay
  std::vector<int> car_weight_;        // by car id - 1: how much customers want its model
  std::vector<std::pair<CarId, std::int64_t>> choice_scratch_;  // choose_car's, kept to spare an allocation
  std::uint32_t next_serial_ = 1;

  std::vector<int> bay_blocked_;     // by bay id - 1: blocks in force
  std::vector<std::uint8_t> bay_busy_;  // by bay id - 1: holds a car (mirrors Tower::car_at_bay)
  std::vector<SimTime> bay_leaves_at_;  // by bay id - 1, of a busy bay: when its car is expected to leave
                                        // (the largest time while a job of the queue decides it)
  std::vector<SimTime> eta_bay_free_;   // update_etas's scratch, kept to spare an allocation per event
  std::vector<std::uint32_t> eta_pending_;

  // accounting
  SimTime last_accounted_{};
  std::int64_t bay_busy_us_ = 0, hour_bay_busy_us_ = 0;
  int hour_max_queue_ = 0;
  std::vector<std::int64_t> waits_us_, retrievals_us_, storages_us_;
  std::vector<std::int64_t> hour_waits_us_;
  std::int64_t eta_error_sum_us_ = 0, eta_error_max_us_ = 0;
  int eta_errors_ = 0;
  SimKpis counts_;  // the counters; durations and shares are derived in kpis()
};

// Runs a scenario to its end and returns its KPIs.
Result<SimKpis> run_scenario(const Scenario& scenario);

// Natural logarithm from + - * / only (bit-identical natively and in WASM, unlike libm); x > 0.
double portable_log(double x);

}  // namespace tower
