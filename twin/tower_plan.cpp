// The car looks (colours, markers, the side view and the legend) and the plan of one lift's level seen from
// above: the turntable turning, the transfer reaching out, the cars parked around it.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "tower_draw.hpp"
#include "tower_view.hpp"

namespace tower::twin {
using namespace drawing;

namespace {

// By CarLook: Okabe-Ito blue, orange, vermillion and bluish green.
const ImU32 look_colours[] = {IM_COL32(0, 114, 178, 255), IM_COL32(230, 159, 0, 255), IM_COL32(213, 94, 0, 255),
                              IM_COL32(0, 158, 115, 255)};
const char look_markers[] = "FHMB";
const char* const look_names[] = {"Free in slot", "Held (promised)", "Moving", "In a bay"};

// The look's letter, haloed so it reads on the body and the windows alike.
void draw_marker(ImDrawList* draw, ImVec2 centre, CarLook look, float size) {
  if (size < 6.0f) return;
  const char text[2] = {car_marker(look), '\0'};
  const bool dark_ink = look == CarLook::held;
  const ImU32 halo = dark_ink ? IM_COL32(255, 255, 255, 150) : IM_COL32(0, 0, 0, 150);
  for (const ImVec2 offset : {ImVec2{-1.0f, 0.0f}, ImVec2{1.0f, 0.0f}, ImVec2{0.0f, -1.0f}, ImVec2{0.0f, 1.0f}})
    text_centred(draw, centre + offset, halo, text, size);
  text_centred(draw, centre, dark_ink ? black : white, text, size);
}

// A car seen from above with its nose towards `nose` (a unit vector).
void draw_car_top(ImDrawList* draw, ImVec2 centre, ImVec2 nose, float length, float width, CarLook look) {
  const ImU32 colour = car_colour(look);
  ImVec2 body[4], screen[4];
  rotated_rect(centre, nose, length * 0.5f, width * 0.5f, body);
  draw->AddConvexPolyFilled(body, 4, colour);
  draw->AddPolyline(body, 4, mix(colour, black, 0.45f), ImDrawFlags_Closed, 1.0f);
  rotated_rect(centre + nose * (length * 0.22f), nose, length * 0.08f, width * 0.4f, screen);
  draw->AddConvexPolyFilled(screen, 4, mix(colour, white, 0.6f));
  draw_marker(draw, centre - nose * (length * 0.12f), look, std::min(width * 0.9f, font_size()));
}

// The plan's turntable, which rides the lift: live on the level nearest the lift, greyed on the others. Returns
// where the transfer holds a car (`ring` is the distance to a slot or bay) and the turntable's heading, or none
// when the lift is on another level.
std::optional<ImVec2> draw_turntable(ImDrawList* draw, const SceneLift& lift, const TowerLayout& layout,
                                     bool lift_here, ImVec2 centre, float radius, int level, double stroke_m,
                                     float ring, ImVec2& heading) {
  const MachinePose& pose = lift.machine.pose;
  const float shaft = radius * 0.34f;
  draw->AddRectFilled(centre - ImVec2{shaft, shaft}, centre + ImVec2{shaft, shaft}, IM_COL32(52, 70, 92, 90));
  heading = direction(pose.turntable_rad, level_rotation(layout, level));
  const ImU32 table = lift_here ? (lift.halted ? warning : steel_light) : IM_COL32(190, 196, 204, 160);
  draw->AddCircleFilled(centre, radius * 0.3f, table, 48);
  draw->AddCircle(centre, radius * 0.3f, steel, 48, 1.0f);
  ImVec2 deck[4];
  rotated_rect(centre, heading, radius * 0.28f, radius * 0.12f, deck);
  draw->AddConvexPolyFilled(deck, 4, lift_here ? steel : IM_COL32(150, 158, 168, 160));
  draw->AddCircleFilled(centre + heading * (radius * 0.27f), radius * 0.035f, warning);  // index mark
  if (!lift_here) return std::nullopt;
  // Slots are served with the turntable facing them, bays with it facing away (the car drives out forward).
  const ImVec2 reach = level == 0 ? heading * -1.0f : heading;
  const float extension = stroke_m > 0.0 ? to_f(std::clamp(pose.transfer_m / stroke_m, 0.0, 1.1)) : 0.0f;
  const ImVec2 pallet = centre + reach * (ring * extension);
  draw->AddLine(centre, pallet, black, std::max(2.0f, radius * 0.04f));
  return pallet;
}

}  // namespace

// [SECTION] Car looks

CarLook car_look(const SceneCar& car) {
  if (car.place == CarPlace::on_machine || car.state == CarState::moving) return CarLook::moving;
  if (car.place == CarPlace::in_bay) return CarLook::in_bay;
  if (car.held || car.state == CarState::sold) return CarLook::held;
  return CarLook::free;
}

ImU32 car_colour(CarLook look) { return look_colours[static_cast<int>(look)]; }
char car_marker(CarLook look) { return look_markers[static_cast<int>(look)]; }
const char* car_look_name(CarLook look) { return look_names[static_cast<int>(look)]; }

bool car_in_tower(const SceneCar& car) {
  return car.state != CarState::out_on_trial && car.state != CarState::delivered &&
         car.state != CarState::in_service;
}

void draw_car_side(ImDrawList* draw, ImVec2 min, ImVec2 max, CarLook look) {
  const float w = max.x - min.x, h = max.y - min.y;
  const ImU32 colour = car_colour(look);
  const float wheel = h * 0.2f, body_top = min.y + h * 0.42f, body_bottom = max.y - wheel * 0.7f;
  const ImVec2 cabin[4] = {{min.x + w * 0.18f, body_top + 1.0f}, {min.x + w * 0.32f, min.y + h * 0.06f},
                           {min.x + w * 0.70f, min.y + h * 0.06f}, {min.x + w * 0.86f, body_top + 1.0f}};
  draw->AddConvexPolyFilled(cabin, 4, mix(colour, black, 0.15f));
  const ImVec2 window[4] = {{min.x + w * 0.26f, body_top}, {min.x + w * 0.35f, min.y + h * 0.14f},
                            {min.x + w * 0.67f, min.y + h * 0.14f}, {min.x + w * 0.77f, body_top}};
  draw->AddConvexPolyFilled(window, 4, mix(colour, white, 0.65f));
  draw->AddRectFilled({min.x, body_top}, {max.x, body_bottom}, colour, h * 0.16f);
  draw->AddRect({min.x, body_top}, {max.x, body_bottom}, mix(colour, black, 0.45f), h * 0.16f, 0, 1.0f);
  for (float x : {min.x + w * 0.24f, min.x + w * 0.76f}) {
    draw->AddCircleFilled({x, body_bottom}, wheel, IM_COL32(34, 34, 38, 255));
    draw->AddCircleFilled({x, body_bottom}, wheel * 0.45f, IM_COL32(190, 192, 196, 255));
  }
  draw_marker(draw, {(min.x + max.x) * 0.5f, body_top + (body_bottom - body_top) * 0.3f}, look,
              std::min(font_size(), h * 0.62f));
}

const char* const legend_extras[] = {"Your car (outlined)", "Lift halted"};

ImVec2 legend_size() {
  float text = 0.0f;
  for (const char* label : look_names) text = std::max(text, ImGui::CalcTextSize(label).x);
  for (const char* label : legend_extras) text = std::max(text, ImGui::CalcTextSize(label).x);
  return {font_size() * (2.4f + 1.2f) + text, font_size() * (1.5f * 6.0f + 0.8f)};
}

void draw_legend(ImDrawList* draw, ImVec2 origin) {
  const float line = font_size() * 1.5f, glyph_w = font_size() * 2.4f, pad = font_size() * 0.4f;
  draw->AddRectFilled(origin, origin + legend_size(), IM_COL32(255, 255, 255, 200), pad);
  ImVec2 pos = origin + ImVec2{pad, pad};
  auto label = [&](const char* text) {
    text_at(draw, pos + ImVec2{glyph_w + pad, (line - font_size()) * 0.5f}, IM_COL32(20, 30, 40, 255), text);
    pos.y += line;
  };
  for (CarLook look : {CarLook::free, CarLook::held, CarLook::moving, CarLook::in_bay}) {
    draw_car_side(draw, pos + ImVec2{0.0f, line * 0.1f}, pos + ImVec2{glyph_w, line * 0.9f}, look);
    label(car_look_name(look));
  }
  const ImVec2 min = pos + ImVec2{2.0f, line * 0.15f}, max = pos + ImVec2{glyph_w - 2.0f, line * 0.85f};
  draw_car_side(draw, min, max, CarLook::free);
  draw->AddRect(min - ImVec2{2.0f, 2.0f}, max + ImVec2{2.0f, 2.0f}, highlight_colour, 3.0f, 0, 2.5f);
  label(legend_extras[0]);
  hazard_stripes(draw, pos + ImVec2{0.0f, line * 0.3f}, pos + ImVec2{glyph_w, line * 0.7f});
  label(legend_extras[1]);
}


// [SECTION] The plan of a level

int lift_level(const Scene& scene, LiftId lift) {
  if (!scene.config) return 0;
  const TowerLayout& layout = scene.config->layout;
  if (layout.level_pitch_m <= 0.0) return 0;
  const int level = static_cast<int>(std::lround(scene_lift(scene, lift).machine.pose.lift_m / layout.level_pitch_m));
  return std::clamp(level, 0, layout.levels);
}

CarId draw_plan(const Scene& scene, ImDrawList* draw, ImVec2 centre, float radius, int level, LiftId lift,
                const TowerViewInput& input) {
  if (!scene.config) return {};
  const TowerLayout layout = shaft_layout(scene.config->layout, lift);  // its slots' angles are its own ring's
  const double rotation = level_rotation(layout, level);
  draw->AddCircleFilled(centre, radius, IM_COL32(236, 243, 249, 240), 64);
  draw->AddCircle(centre, radius, steel, 64, 1.5f);
  const std::size_t places = level == 0 ? layout.bays.size()
                                        : static_cast<std::size_t>(std::count_if(
                                              layout.slots.begin(), layout.slots.end(),
                                              [&](const SlotDef& slot) { return slot.level == level; }));
  const float ring = radius * 0.66f, half_length = radius * 0.25f;
  const float spacing = to_f(pi) * ring / to_f(static_cast<double>(std::max<std::size_t>(places, 1)));
  const float half_width = std::min(radius * 0.2f, spacing * 0.8f);
  std::vector<Hit> hits;
  auto draw_car = [&](const SceneCar& car, ImVec2 at, ImVec2 nose) {
    draw_car_top(draw, at, nose, half_length * 1.7f, half_width * 1.3f, car_look(car));
    const float reach = std::max(half_length, half_width);
    hits.push_back({car.id, at - ImVec2{reach, reach}, at + ImVec2{reach, reach}});
    if (car.id == scene.highlight) draw->AddCircle(at, reach * 1.05f, highlight_colour, 0, font_size() * 0.2f);
  };
  // A slot, or a bay with its inner door `door` open (0..1), at `angle`, holding the car `parked` picks.
  auto draw_place = [&](double angle, std::optional<double> door, auto parked) {
    const ImVec2 out = direction(angle, rotation), middle = centre + out * ring;
    ImVec2 cell[4];
    rotated_rect(middle, out, half_length, half_width, cell);
    draw->AddConvexPolyFilled(cell, 4, door ? showroom : IM_COL32(214, 234, 247, 255));
    draw->AddPolyline(cell, 4, steel, ImDrawFlags_Closed, 1.0f);
    if (door) {  // the inner door across the end facing the shaft, sliding aside as it opens
      const ImVec2 edge = middle - out * half_length, across{-out.y, out.x};
      const float shut = half_width * 2.0f * to_f(1.0 - *door);
      draw->AddLine(edge - across * half_width, edge - across * (half_width - shut), black, 3.0f);
    }
    // Parked nose towards the shaft; in a bay, nose out, ready to drive away forward.
    for (const SceneCar& car : scene.cars)
      if (car_in_tower(car) && parked(car)) draw_car(car, middle, door ? out : out * -1.0f);
  };
  for (std::size_t i = 0; level == 0 && i < layout.bays.size(); ++i) {
    const auto index = index_of(scene.config->layout.bays, layout.bays[i].id);
    draw_place(bay_angle_rad(layout.bays[i].id, layout), index ? door_open(scene, *index) : 0.0,
               [&](const SceneCar& car) { return car.place == CarPlace::in_bay && car.bay == layout.bays[i].id; });
  }
  for (const SlotDef& slot : layout.slots)
    if (level > 0 && slot.level == level)
      draw_place(slot_angle_rad(slot, layout), std::nullopt,
                 [&](const SceneCar& car) { return car.place == CarPlace::in_slot && car.slot == slot.id; });

  ImVec2 heading{};
  const bool lift_here = lift_level(scene, lift) == level;
  if (const auto pallet = draw_turntable(draw, scene_lift(scene, lift), layout, lift_here, centre, radius, level,
                                         input.transfer_stroke_m, ring, heading))
    for (const SceneCar& car : scene.cars)
      if (car.place == CarPlace::on_machine && car.lift == lift) draw_car(car, *pallet, heading * -1.0f);
  const float dx = input.mouse.x - centre.x, dy = input.mouse.y - centre.y;
  if (!input.mouse_over || dx * dx + dy * dy > radius * radius) return {};
  return hit_at(hits, input.mouse);
}

}  // namespace tower::twin
