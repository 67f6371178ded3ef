// What-if scenarios for the simulator (sim.hpp): a tower, its stock, customer demand, a flash-sale pickup
// rush, faults with times and the scheduling policy. Decoded from JSON with every field validated; an error
// names the field ("scenario.demand.buyers_per_hour must be 0..1000").
//
// [SECTION] Scenario
// [SECTION] Presets and decoding
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tower/config.hpp"
#include "tower/machine.hpp"
#include "tower/result.hpp"

namespace tower {

// [SECTION] Scenario

// How customers pick a car. popularity: among the free cars, by how popular the model is. random_storage:
// any free car with equal chance, and a sold car is replaced at once by one of the same model, which takes
// the slot it left; a tower stocked full stays full and every slot is equally likely (Bozer-White's random
// storage, for validating the simulator against theory).
enum class CarChoice { popularity, random_storage };

// One scripted customer at a set time (hours from the start of the run), on top of the Poisson streams:
//   buyer          walks in at at_hour, orders a car and pays the down payment, then waits at the kiosk;
//   trial_booking  books a test drive at at_hour for a pickup announced for pickup_at_hour; with return_at_hour
//                  the driver brings the car back then (else some hours before the drive is due, as drawn);
//   trial_return   a driver out on a test drive since the start brings the car back at at_hour.
// The car is chosen as every other customer's is (demand.car_choice).
enum class ScriptedKind { buyer, trial_booking, trial_return };

struct ScriptedVisit {
  ScriptedKind kind = ScriptedKind::buyer;
  double at_hour = 0;
  double pickup_at_hour = -1;  // trial_booking only (required), >= at_hour
  double return_at_hour = -1;  // trial_booking only (optional), > pickup_at_hour, within the drive and the run
  int credit_score = -1;       // buyer and trial_booking; -1: uniform in [min_credit_score, max_credit_score]
};

// Customers arriving as Poisson streams, plus any scripted ones. hourly_profile (24 factors, hour of day
// 0..23) scales both rates; empty means flat.
struct DemandDef {
  double buyers_per_hour = 4.0;          // walk-in buyers: register, order, pay, then wait at the kiosk
  double trial_pickups_per_hour = 2.0;   // booked test drives: booked ahead, pickup at an announced time
  std::vector<double> hourly_profile;    // factor per hour of day, each 0..10
  int trials_out_at_start = 0;           // cars already out on a test drive at t = 0; they return in 3 days
  int min_credit_score = 650;            // customers' scores are uniform in [min, max]
  int max_credit_score = 950;
  double booking_lead_min_hours = 0.5;   // a trial is booked this long ahead of its pickup, uniform in [min, max]
  double booking_lead_max_hours = 6.0;
  CarChoice car_choice = CarChoice::popularity;  // "car_choice": "popularity" or "random_storage"
  std::vector<ScriptedVisit> script;             // "script": scripted customers, in any order
};

// Flash-sale winners who all come for their cars within a short window.
struct FlashRushDef {
  double at_hour = -1.0;     // < 0: no rush
  int pickups = 0;
  double over_minutes = 60;  // arrivals uniform over this window
};

// lift_out: a lift is out of service over an announced window. bay_blocked: a bay cannot be used.
// transfer_jam: a lift's pallet transfer jams at from_hour ("at_hour" in JSON); the move in progress stops
// where it is and that lift is out until staff clear the jam at to_hour (at_hour + "clear_after_minutes").
// emergency_stop: someone presses the stop at from_hour ("at_hour"); every lift halts where it is, latched
// until staff reset it at to_hour (at_hour + "reset_after_minutes"); then each interrupted move is finished
// from where it stopped (plan_recovery: the transfer retracts first, an open door closes, ...).
enum class FaultKind { lift_out, bay_blocked, transfer_jam, emergency_stop };

struct FaultDef {
  FaultKind kind = FaultKind::lift_out;
  BayId bay{};       // bay_blocked only
  double from_hour = 0;
  double to_hour = 0;
  LiftId lift{1};    // lift_out and transfer_jam: which lift ("lift" in JSON, default 1)
};

// Which job the lift does next. fcfs: oldest first, a booked pickup is requested when the customer reaches
// the kiosk. call_ahead: a booked pickup's car is retrieved ahead of the announced arrival. dual_command:
// a returned car waiting in a bay is stored on the way to the next retrieval.
struct PolicyDef {
  bool call_ahead = false;
  bool dual_command = false;
  bool dwell_ground = true;          // the idle lift returns to the bays ("ground") or stays where it is ("stay")
  double call_ahead_margin_minutes = 3.0;  // the car is due in the bay this long before the announced arrival
};

struct Scenario {
  std::string name = "scenario";
  TowerConfig config = default_tower_config();
  MachineConfig machine{};
  int stock = -1;                 // cars stocked at t = 0 (and topped up nightly at restock_hour); -1: 80% of the slots
  double duration_hours = 24.0;
  std::uint64_t seed = 1;
  DemandDef demand{};
  FlashRushDef flash_rush{};
  std::vector<FaultDef> faults;
  PolicyDef policy{};
  int restock_hour = 3;           // hour of day at which staff top the stock up again; -1: never
  double handover_minutes = 2.0;  // a customer checks the car and drives out of the bay
  double arrival_jitter_minutes = 5.0;  // booked customers arrive up to this early or late
};

// [SECTION] Presets and decoding

// The built-in tower presets ("autobahn-motors", "tmall-guangzhou", "carvana-8-storey"); the core reads no
// files, so they are compiled in (they match public/presets/). not_found for another name.
Result<TowerConfig> preset_config(const std::string& name);

// Decodes and validates a scenario. "preset" is a preset name or an inline configuration object; "lifts"
// makes that many copies of the preset's shaft (lift 1) side by side, and "bays" overrides the number of
// delivery bays; bays are dealt out to the lifts in turn. Unknown fields are refused so typos do not pass silently.
Result<Scenario> scenario_from_json(const nlohmann::json& json);

// The schedule name as scenarios spell it: "fcfs", "call_ahead", "dual_command", "call_ahead+dual_command".
std::string schedule_name(const PolicyDef& policy);

}  // namespace tower
