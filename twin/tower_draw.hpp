// Drawing helpers shared by the elevation (tower_view.cpp) and the plan and car looks (tower_plan.cpp): vector
// arithmetic, the palette, text, ring geometry and hit-testing. Private to the tower view.
#pragma once

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "imgui.h"
#include "model.hpp"
#include "tower/machine.hpp"

namespace tower::twin::drawing {

inline constexpr double pi = 3.14159265358979323846;

inline ImVec2 operator+(ImVec2 a, ImVec2 b) { return {a.x + b.x, a.y + b.y}; }
inline ImVec2 operator-(ImVec2 a, ImVec2 b) { return {a.x - b.x, a.y - b.y}; }
inline ImVec2 operator*(ImVec2 a, float k) { return {a.x * k, a.y * k}; }

inline float to_f(double value) { return static_cast<float>(value); }

inline ImU32 mix(ImU32 a, ImU32 b, float t) {
  auto channel = [&](int shift) {
    const float from = to_f((a >> shift) & 0xFF), to = to_f((b >> shift) & 0xFF);
    return static_cast<ImU32>(from + (to - from) * t + 0.5f) << shift;
  };
  return channel(0) | channel(8) | channel(16) | channel(24);
}

inline constexpr ImU32 black = IM_COL32(20, 20, 24, 255);
inline constexpr ImU32 white = IM_COL32(255, 255, 255, 255);
inline constexpr ImU32 steel = IM_COL32(84, 94, 108, 255);
inline constexpr ImU32 steel_light = IM_COL32(150, 160, 172, 255);
inline constexpr ImU32 glass = IM_COL32(226, 242, 252, 120);
inline constexpr ImU32 wall = IM_COL32(176, 184, 194, 220);
inline constexpr ImU32 showroom = IM_COL32(250, 246, 234, 230);
inline constexpr ImU32 highlight_colour = IM_COL32(204, 121, 167, 255);  // Okabe-Ito reddish purple: no car has it
inline constexpr ImU32 warning = IM_COL32(240, 228, 66, 255);            // Okabe-Ito yellow

inline float font_size() { return ImGui::GetFontSize(); }

inline void text_at(ImDrawList* draw, ImVec2 pos, ImU32 colour, const std::string& text, float size = 0.0f) {
  draw->AddText(ImGui::GetFont(), size > 0.0f ? size : font_size(), pos, colour, text.c_str());
}

inline ImVec2 text_size(const std::string& text, float size) {
  return ImGui::CalcTextSize(text.c_str()) * (size / font_size());
}

inline void text_centred(ImDrawList* draw, ImVec2 centre, ImU32 colour, const std::string& text, float size) {
  text_at(draw, centre - text_size(text, size) * 0.5f, colour, text, size);
}

// A tag in hazard yellow, centred above `bottom_centre`: "halted", "e-stop".
inline void warning_tag(ImDrawList* draw, ImVec2 bottom_centre, const std::string& text, float size) {
  const ImVec2 extent = text_size(text, size), pos{bottom_centre.x - extent.x * 0.5f, bottom_centre.y - extent.y};
  draw->AddRectFilled(pos - ImVec2{3.0f, 1.0f}, pos + extent + ImVec2{3.0f, 1.0f}, warning, 2.0f);
  draw->AddRect(pos - ImVec2{3.0f, 1.0f}, pos + extent + ImVec2{3.0f, 1.0f}, black, 2.0f);
  text_at(draw, pos, black, text, size);
}

// Screen direction of a turntable angle: the plan puts angle 0 at the top turned by `rotation`, clockwise.
inline ImVec2 direction(double angle_rad, double rotation_rad) {
  const double screen = angle_rad + rotation_rad;
  return {to_f(std::sin(screen)), to_f(-std::cos(screen))};
}

// Turns a ring of `count` positions so that its first half lies on the left, mirrored by the second half.
inline double ring_rotation(int count) { return -pi + pi / std::max(count, 1); }

inline void rotated_rect(ImVec2 centre, ImVec2 along, float half_length, float half_width, ImVec2 out[4]) {
  const ImVec2 across{-along.y, along.x};
  out[0] = centre - along * half_length - across * half_width;
  out[1] = centre + along * half_length - across * half_width;
  out[2] = centre + along * half_length + across * half_width;
  out[3] = centre - along * half_length + across * half_width;
}

// Black and yellow hazard stripes over a rectangle.
inline void hazard_stripes(ImDrawList* draw, ImVec2 min, ImVec2 max) {
  draw->AddRectFilled(min, max, warning);
  draw->PushClipRect(min, max, true);
  const float step = std::max(max.y - min.y, 4.0f);
  for (float x = min.x - (max.y - min.y); x < max.x; x += 2.0f * step)
    draw->AddQuadFilled({x, max.y}, {x + step, max.y}, {x + step + (max.y - min.y), min.y},
                        {x + (max.y - min.y), min.y}, black);
  draw->PopClipRect();
}

struct Hit {
  CarId car;
  ImVec2 min, max;
};

// The car under `point`: the last drawn wins, as it is on top.
inline CarId hit_at(const std::vector<Hit>& hits, ImVec2 point) {
  for (auto it = hits.rbegin(); it != hits.rend(); ++it)
    if (point.x >= it->min.x && point.x <= it->max.x && point.y >= it->min.y && point.y <= it->max.y) return it->car;
  return {};
}

// Index of the slot or bay definition with `id`, or none.
template <class Def, class IdType>
std::optional<std::size_t> index_of(const std::vector<Def>& defs, IdType id) {
  for (std::size_t i = 0; i < defs.size(); ++i)
    if (defs[i].id == id) return i;
  return std::nullopt;
}

// Positions run 0..n-1 on a level of n slots, so the largest position tells the fullest level.
inline int max_slots_per_level(const TowerLayout& layout) {
  int most = 1;
  for (const SlotDef& slot : layout.slots) most = std::max(most, slot.position + 1);
  return most;
}

// Rotation of a level's ring in a shaft's layout (shaft_layout): its slots', or its bays' at level 0.
inline double level_rotation(const TowerLayout& shaft, int level) {
  return level == 0 ? ring_rotation(static_cast<int>(shaft.bays.size())) : ring_rotation(max_slots_per_level(shaft));
}

// How open the inner door of the whole layout's bay `index` is, 0..1, whichever lift's frame drives it.
inline double door_open(const Scene& scene, std::size_t index) {
  double open = 0.0;
  for (const SceneLift& lift : scene.lifts)
    if (index < lift.machine.inner_doors.size()) open = std::max(open, lift.machine.inner_doors[index]);
  return std::clamp(open, 0.0, 1.0);
}

// The lift `id` of the scene, or a lift standing at the bays when the scene has none such.
inline const SceneLift& scene_lift(const Scene& scene, LiftId id) {
  static const SceneLift idle{};
  const SceneLift* lift = scene.lift(id);
  return lift ? *lift : idle;
}

}  // namespace tower::twin::drawing
