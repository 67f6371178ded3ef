// The tower drawn as a picture from a Scene: an elevation (glass slots left and right of the lift shaft, one
// row per level, the delivery bays with their inner doors at ground level, the lift with its turntable dial and
// pallet transfer; a tower with several lifts shows their shafts side by side) and a plan of one lift's level
// seen from above (the turntable turning, the transfer reaching out).
// Drawing only: it reads the scene and the mouse and tells the caller which car is under the mouse; turning a
// click into a command is the UI's job (ui.hpp).
//
// Elevation and plan share one orientation, so a slot on the left of the elevation is on the left of the plan:
// turntable angle 0 is drawn towards the lower left of the plan when a level has four positions, and in general
// rotated so that the first half of a level's positions (or of the bays) lies on the left.
//
// [SECTION] Car looks: colour, marker and legend
// [SECTION] Drawing the tower
#pragma once

#include "imgui.h"
#include "model.hpp"

namespace tower::twin {

// [SECTION] Car looks: colour, marker and legend

// How a car is drawn. Colours are Okabe-Ito (safe for colour-blind viewers) and each look also carries a
// letter, so colour is never the only cue.
enum class CarLook { free, held, moving, in_bay };

CarLook car_look(const SceneCar& car);
ImU32 car_colour(CarLook look);
char car_marker(CarLook look);           // 'F', 'H', 'M', 'B'
const char* car_look_name(CarLook look);  // "Free in slot", ...
// False for cars that are not in the tower (out on a test drive, delivered, at the workshop).
bool car_in_tower(const SceneCar& car);

// A car seen from the side (body, cabin, two wheels, its marker letter) filling [min, max]. The legend and the
// UI's hover card use it too, so they match the picture.
void draw_car_side(ImDrawList* draw, ImVec2 min, ImVec2 max, CarLook look);

// The key to the colours and markers, drawn from `origin`; legend_size() is its size at the current font.
ImVec2 legend_size();
void draw_legend(ImDrawList* draw, ImVec2 origin);

// [SECTION] Drawing the tower

struct TowerViewState {
  int plan_level = -1;  // level shown in the plan: -1 follows the lift, 0 the bays, 1.. a storage level
  int plan_lift = 0;    // lift shown in the plan: 0 follows the highlighted car (lift 1 without one), 1.. a lift
};

struct TowerViewInput {
  ImVec2 mouse{};
  bool mouse_over = false;         // the view's window is hovered (not covered by another window)
  double time_s = 0.0;             // wall clock [s], for the highlight's pulse and the moving path
  double transfer_stroke_m = 6.0;  // MachineConfig::transfer_stroke_m of the tower shown
};

struct TowerViewResult {
  CarId hovered{};          // the car under the mouse, in the elevation or the plan
  int plan_level = 0;       // the level the plan shows
  LiftId plan_lift{1};      // the lift whose level it is
  ImVec2 chooser_min{};     // a strip above the plan, one frame high, left free for the level and lift choosers
  ImVec2 chooser_max{};
};

// Draws the whole view into the rectangle [origin, origin + size]: the elevation, and the plan and the legend in
// a column to its right (or in a band above a wide tower, whichever leaves the tower larger). Sizes follow
// ImGui::GetFontSize(), so a scaled font scales the picture. Without a configuration it says so on the sky.
TowerViewResult draw_tower(const Scene& scene, ImDrawList* draw, ImVec2 origin, ImVec2 size,
                           const TowerViewState& view, const TowerViewInput& input);

// The plan of `level` (0: the bays) of `lift`'s shaft as a disc of `radius` around `centre`. Returns the car
// under the mouse.
CarId draw_plan(const Scene& scene, ImDrawList* draw, ImVec2 centre, float radius, int level, LiftId lift,
                const TowerViewInput& input);

// The level nearest `lift` (0 for the bays).
int lift_level(const Scene& scene, LiftId lift);

// The lift a plan setting (TowerViewState::plan_lift) shows in `scene`.
LiftId plan_lift(const Scene& scene, int setting);

}  // namespace tower::twin
