// The retrieval machine of a tower and its plans: a lift carrying a turntable that carries a pallet transfer.
// A retrieval plan (slot -> bay) and a storage plan (bay -> slot) are timed, jerk-limited axis moves plus the
// bay's inner-door operations, overlapping only what may overlap (lift travel while the turntable turns).
// An independent checker (check_plan, separate code from the planner) validates any plan against the limits,
// the interlocks and the clearances.
//
// [SECTION] Configuration
// [SECTION] Poses and safety inputs
// [SECTION] Plans
// [SECTION] Planning

// Every function below plans or checks one shaft: a layout with one lift. For a tower with several lifts,
// pass shaft_layout(layout, lift) and shaft_safety(layout, lift, safety); a layout with more is invalid_argument.
// [SECTION] Checking
// [SECTION] Sampling
// [SECTION] Recovery after an interrupted trip
#pragma once

#include <string>
#include <vector>

#include "tower/config.hpp"
#include "tower/profile.hpp"
#include "tower/result.hpp"
#include "tower/time.hpp"

namespace tower {

// [SECTION] Configuration

// Limits and geometry of the machine. Defaults are the estimates of DESIGN.md section 1.
struct MachineConfig {
  AxisLimits lift{2.0, 1.0, 2.0};             // vertical, [m/s], [m/s^2], [m/s^3]
  AxisLimits transfer{1.5, 0.8, 1.5};         // pallet transfer, radial
  AxisLimits turntable{0.3665, 0.5, 1.0};     // rotation in [rad/s], [rad/s^2], [rad/s^3]; 0.3665 rad/s = 3.5 rpm
  double transfer_stroke_m = 6.0;             // centre of the platform to the centre of a slot or bay
  double inner_door_s = 4.0;                  // time to open or close a bay's inner door in [s]
};

// [SECTION] Poses and safety inputs

// Where the machine is: lift height above the bay floor [m], turntable angle [rad] in [0, 2 pi), transfer
// extension [m] (0 = retracted onto the platform).
struct MachinePose {
  double lift_m = 0.0;
  double turntable_rad = 0.0;
  double transfer_m = 0.0;
};

// What the bay sensors say, for the checker. One entry per bay of the layout, in bay order.
struct BaySensors {
  bool outer_door_closed = true;  // the customer-side door
  bool person_present = false;    // light curtain / floor mat
};

struct SafetyInputs {
  std::vector<BaySensors> bays;
  bool emergency_stop_latched = false;  // stays latched until staff reset it
};

// The safety inputs of one shaft (shaft_layout): its bays' sensors in its bay order, and the e-stop, which
// halts every lift.
SafetyInputs shaft_safety(const TowerLayout& layout, LiftId lift, const SafetyInputs& safety);

// [SECTION] Plans

enum class Actuator { lift, turntable, transfer, inner_door };

// One timed action. For lift, turntable and transfer: a jerk-limited profile from `from` to `to` (metres or
// radians) starting at `start`. For inner_door: bay `bay` opens (to = 1) or closes (to = 0) over
// MachineConfig::inner_door_s.
// Moves are rest-to-rest; their profile positions are relative to `from`. `duration` is the profile's (or the
// door's) time rounded up to the next whole microsecond, so the axis is at rest by start + duration.
// Turntable angles `from` and `to` lie in [0, 2 pi); its profile turns the shorter way, so `from` plus the
// profile's distance equals `to` modulo a full turn.
struct PlanStep {
  Actuator actuator = Actuator::lift;
  Duration start{};
  Duration duration{};
  double from = 0.0;
  double to = 0.0;
  Profile profile{};  // unused for inner_door
  BayId bay{};        // inner_door steps only
};

// Where a retrieval's or a storage's car is during its plan: still where it started (in its slot or bay),
// riding the transfer, or delivered. See MachinePlan for which strokes carry it.
enum class LoadPhase { at_origin, on_transfer, delivered };

struct MachinePlan {
  std::vector<PlanStep> steps;  // sorted by start
  Duration duration{};          // end of the last step
  MachinePose start_pose{};
  MachinePose end_pose{};
  // The bay whose inner door is open at the start (a plan that finishes an interrupted trip); none: all closed.
  BayId door_open_at_start{};
  // The car: where it is at the start, the transfer stroke (counted from 1) from whose start it rides the
  // pallet and the one at whose end it is set down; 0 for none in this plan. A retrieval or a storage picks it
  // up with its second stroke (pulling the pallet in) and sets it down with its third (pushing it out); a
  // recovery starts wherever the interrupted trip left the car.
  LoadPhase load_at_start = LoadPhase::at_origin;
  int load_stroke = 2;
  int unload_stroke = 3;
};

// [SECTION] Planning

// The lift height [m] of a level: level * level_pitch_m (the bays are at 0, level 1 one pitch up).
double level_height_m(const TowerLayout& layout, int level);
// The turntable angle [rad] in [0, 2 pi) facing a slot: position * 2 pi / (slots on its level). The transfer
// reaches the slot with the turntable at this angle.
double slot_angle_rad(const SlotDef& slot, const TowerLayout& layout);
// The direction [rad] in [0, 2 pi) of a bay at ground level: the bays are spaced evenly from 0, in bay order.
double bay_angle_rad(BayId bay, const TowerLayout& layout);
// The turntable angle [rad] in [0, 2 pi) that serves a bay: its direction + pi, which turns the car so that
// it drives out of the bay forward. The transfer reaches the bay with the turntable at this angle.
double bay_facing_rad(BayId bay, const TowerLayout& layout);

// Slot -> bay: travel to the slot level while turning to face it, pull the pallet in, travel down while
// turning so the car will drive out forward, open the inner door, push the pallet out, retract, close.
// The inner door starts opening so that it is fully open when the lift arrives; the turntable takes the
// shorter way. Each axis starts at rest where `from` says; a move of zero distance (to rounding) gets no step.
// Fails with not_found (the slot or bay does not exist), invalid_argument (a machine limit that is not > 0,
// a pose outside the shaft or not in [0, 2 pi), safety inputs missing a bay) or conflict (the e-stop is
// latched, the bay's outer door is open or a person is in it, the transfer is not retracted at the start).
// Only the served bay's sensors matter: the other bays' inner doors stay closed.
Result<MachinePlan> plan_retrieval(const MachineConfig& machine, const TowerLayout& layout, const MachinePose& from,
                                   SlotId slot, BayId bay, const SafetyInputs& safety);

// Bay -> slot: the reverse. The inner door opens while the lift travels down empty, the pallet is pulled in,
// the door closes while the lift travels to the slot level and turns, the pallet is pushed in. Same failures.
Result<MachinePlan> plan_storage(const MachineConfig& machine, const TowerLayout& layout, const MachinePose& from,
                                 BayId bay, SlotId slot, const SafetyInputs& safety);

// Idle move to a dwell point (a level and an angle), transfer retracted. Fails with invalid_argument (a
// target outside the shaft, an angle not in [0, 2 pi), a target with the transfer out) or conflict (e-stop,
// the transfer not retracted at the start).
Result<MachinePlan> plan_reposition(const MachineConfig& machine, const TowerLayout& layout, const MachinePose& from,
                                    const MachinePose& to, const SafetyInputs& safety);

// [SECTION] Checking

// Validates any plan, independently of the planner: every profile within its axis limits and joining the
// previous position of its axis, no actuator doing two things at once, the turntable and the lift still
// while the transfer is out, the transfer out only towards a slot or a bay whose inner door is open, an
// inner door open only with its outer door closed and nobody in the bay, nothing at all under an e-stop,
// and every position envelope inside the shaft and the stroke. The error says which step broke which rule.
// Inner doors are taken as closed at the start (but for plan.door_open_at_start, which must have its outer
// door closed and nobody inside) and must be closed again by the end. The transfer counts as
// out for the whole of any step that leaves it off 0 (1e-6 m); positions match within 1e-6 m or rad.
// Fails with conflict naming the step and the rule, or invalid_argument if the safety inputs miss a bay.
Status check_plan(const MachineConfig& machine, const TowerLayout& layout, const MachinePlan& plan,
                  const SafetyInputs& safety);

// [SECTION] Sampling


// The machine at one instant of a plan: the pose of every axis, each bay's inner door (0 closed .. 1 open,
// in layout bay order) and the car's phase. What a drawing or a PLC mirror needs.
struct MachineFrame {
  MachinePose pose{};
  std::vector<double> inner_doors;
  LoadPhase load = LoadPhase::at_origin;
};

// Samples `plan` `elapsed` after its start (clamped to [0, plan.duration]), exactly as its profiles say; the
// turntable angle is kept in [0, 2 pi). inner_doors follows the layout's bays.
MachineFrame sample_plan(const MachinePlan& plan, const TowerLayout& layout, Duration elapsed);

// [SECTION] Recovery after an interrupted trip

// What a retrieval's or a storage's plan left behind when it stopped part-way (a fault, then staff taking the
// machine into manual mode): the pose it stopped in, the bay whose inner door is not closed, where the car is.
struct Interrupted {
  MachinePose pose{};
  BayId door_open{};  // a door part-way counts as open: it must close before the lift may leave
  LoadPhase load = LoadPhase::at_origin;
};

// The state `elapsed` into `plan` (clamped like sample_plan).
Interrupted interrupted_at(const MachinePlan& plan, const TowerLayout& layout, Duration elapsed);

enum class Trip { retrieval, storage };

// Finishes an interrupted trip from wherever it stopped, without moving anything the interlocks forbid: the
// transfer retracts first (alone, bringing the car onto the platform if it rides the pallet), an open inner
// door closes before the lift leaves, then the car is fetched from where it is (its slot, or its bay for a
// storage) unless it already reached the destination, and delivered: a retrieval to `bay`, a storage to
// `slot`. A plan from a clean state (transfer retracted, doors closed, car at its origin) is the ordinary
// retrieval or storage. Same failures as plan_retrieval; the interlocks also hold for a door open at the start.
Result<MachinePlan> plan_recovery(const MachineConfig& machine, const TowerLayout& layout, const Interrupted& from,
                                  Trip trip, SlotId slot, BayId bay, const SafetyInputs& safety);

}  // namespace tower
