// The tower picture: elevation geometry, glass and steel, cars, the lift, the plan inset and the legend.
#include "tower_view.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tower/machine.hpp"

namespace tower::twin {
namespace {

constexpr double pi = 3.14159265358979323846;

// Proportions of the elevation in metres, so the picture keeps the tower's shape at any size.
constexpr double column_m = 5.8;  // a slot seen from the side: a car's length plus clearance
constexpr double shaft_m = 6.0;   // wide enough for a car to turn on the platform
constexpr double roof_m = 1.4;
constexpr double footing_m = 0.9;  // pavement under the bays

ImVec2 operator+(ImVec2 a, ImVec2 b) { return {a.x + b.x, a.y + b.y}; }
ImVec2 operator-(ImVec2 a, ImVec2 b) { return {a.x - b.x, a.y - b.y}; }
ImVec2 operator*(ImVec2 a, float k) { return {a.x * k, a.y * k}; }

float to_f(double value) { return static_cast<float>(value); }

ImU32 mix(ImU32 a, ImU32 b, float t) {
  auto channel = [&](int shift) {
    const float from = to_f((a >> shift) & 0xFF), to = to_f((b >> shift) & 0xFF);
    return static_cast<ImU32>(from + (to - from) * t + 0.5f) << shift;
  };
  return channel(0) | channel(8) | channel(16) | channel(24);
}

const ImU32 black = IM_COL32(20, 20, 24, 255);
const ImU32 white = IM_COL32(255, 255, 255, 255);
const ImU32 steel = IM_COL32(84, 94, 108, 255);
const ImU32 steel_light = IM_COL32(150, 160, 172, 255);
const ImU32 glass = IM_COL32(226, 242, 252, 120);
const ImU32 wall = IM_COL32(176, 184, 194, 220);
const ImU32 showroom = IM_COL32(250, 246, 234, 230);
const ImU32 highlight_colour = IM_COL32(204, 121, 167, 255);  // Okabe-Ito reddish purple: no car has it
const ImU32 warning = IM_COL32(240, 228, 66, 255);            // Okabe-Ito yellow

// By CarLook: Okabe-Ito blue, orange, vermillion and bluish green.
const ImU32 look_colours[] = {IM_COL32(0, 114, 178, 255), IM_COL32(230, 159, 0, 255), IM_COL32(213, 94, 0, 255),
                              IM_COL32(0, 158, 115, 255)};
const char look_markers[] = "FHMB";
const char* const look_names[] = {"Free in slot", "Held (promised)", "Moving", "In a bay"};

float font_size() { return ImGui::GetFontSize(); }

void text_at(ImDrawList* draw, ImVec2 pos, ImU32 colour, const std::string& text, float size = 0.0f) {
  draw->AddText(ImGui::GetFont(), size > 0.0f ? size : font_size(), pos, colour, text.c_str());
}

ImVec2 text_size(const std::string& text, float size) {
  return ImGui::CalcTextSize(text.c_str()) * (size / font_size());
}

void text_centred(ImDrawList* draw, ImVec2 centre, ImU32 colour, const std::string& text, float size) {
  text_at(draw, centre - text_size(text, size) * 0.5f, colour, text, size);
}

// Screen direction of a turntable angle: the plan puts angle 0 at the top turned by `rotation`, clockwise.
ImVec2 direction(double angle_rad, double rotation_rad) {
  const double screen = angle_rad + rotation_rad;
  return {to_f(std::sin(screen)), to_f(-std::cos(screen))};
}

// Turns a ring of `count` positions so that its first half lies on the left, mirrored by the second half.
double ring_rotation(int count) { return -pi + pi / std::max(count, 1); }

void rotated_rect(ImVec2 centre, ImVec2 along, float half_length, float half_width, ImVec2 out[4]) {
  const ImVec2 across{-along.y, along.x};
  out[0] = centre - along * half_length - across * half_width;
  out[1] = centre + along * half_length - across * half_width;
  out[2] = centre + along * half_length + across * half_width;
  out[3] = centre - along * half_length + across * half_width;
}

// Marching dashes along a polyline, ending in an arrow head; as `travel_px` grows the dashes move forward.
void dashed_path(ImDrawList* draw, const std::vector<ImVec2>& points, ImU32 colour, float thickness, float dash,
                 double travel_px) {
  float offset = to_f(std::fmod(travel_px, 2.0 * dash)) - 2.0f * dash;
  for (std::size_t i = 1; i < points.size(); ++i) {
    const ImVec2 a = points[i - 1], b = points[i];
    const float length = std::hypot(b.x - a.x, b.y - a.y);
    if (length <= 0.0f) continue;
    const ImVec2 unit = (b - a) * (1.0f / length);
    for (float s = offset; s < length; s += 2.0f * dash) {
      const float from = std::max(s, 0.0f), to = std::min(s + dash, length);
      if (to > from) draw->AddLine(a + unit * from, a + unit * to, colour, thickness);
    }
    offset = std::fmod(offset - length, 2.0f * dash);
  }
  if (points.size() < 2) return;
  const ImVec2 tip = points.back(), before = points[points.size() - 2];
  const float length = std::max(std::hypot(tip.x - before.x, tip.y - before.y), 1.0f);
  const ImVec2 unit = (tip - before) * (1.0f / length), across{-unit.y, unit.x};
  const float head = thickness * 4.0f;
  draw->AddTriangleFilled(tip, tip - unit * head + across * head * 0.6f, tip - unit * head - across * head * 0.6f,
                          colour);
}

// Black and yellow hazard stripes over a rectangle.
void hazard_stripes(ImDrawList* draw, ImVec2 min, ImVec2 max) {
  draw->AddRectFilled(min, max, warning);
  draw->PushClipRect(min, max, true);
  const float step = std::max(max.y - min.y, 4.0f);
  for (float x = min.x - (max.y - min.y); x < max.x; x += 2.0f * step)
    draw->AddQuadFilled({x, max.y}, {x + step, max.y}, {x + step + (max.y - min.y), min.y},
                        {x + (max.y - min.y), min.y}, black);
  draw->PopClipRect();
}

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

struct Hit {
  CarId car;
  ImVec2 min, max;
};

// The car under `point`: the last drawn wins, as it is on top.
CarId hit_at(const std::vector<Hit>& hits, ImVec2 point) {
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
int max_slots_per_level(const TowerLayout& layout) {
  int most = 1;
  for (const SlotDef& slot : layout.slots) most = std::max(most, slot.position + 1);
  return most;
}

double level_rotation(const TowerLayout& layout, int level) {
  return level == 0 ? ring_rotation(static_cast<int>(layout.bays.size())) : ring_rotation(max_slots_per_level(layout));
}

// Where a slot or a bay sits in the elevation: which side of the shaft and how many columns out (0: next to it).
struct Cell {
  bool left = true;
  int out = 0;
};

// Unrolls one ring (a level's slots or the bays) clockwise: left side outermost first, then the right side.
std::vector<Cell> place_ring(const std::vector<double>& angles, double rotation) {
  std::vector<std::pair<double, std::size_t>> left, right;  // screen angle in (-pi, pi], index
  for (std::size_t i = 0; i < angles.size(); ++i) {
    double screen = std::remainder(angles[i] + rotation, 2.0 * pi);
    if (screen <= -pi + 1e-9) screen = pi;
    const double x = std::sin(screen);  // straight up counts as left, straight down as right
    (x < -1e-6 || (std::abs(x) <= 1e-6 && std::cos(screen) > 0.0) ? left : right).push_back({screen, i});
  }
  std::sort(left.begin(), left.end());
  std::sort(right.begin(), right.end());
  std::vector<Cell> cells(angles.size());
  for (std::size_t i = 0; i < left.size(); ++i) cells[left[i].second] = {true, static_cast<int>(left.size() - 1 - i)};
  for (std::size_t i = 0; i < right.size(); ++i) cells[right[i].second] = {false, static_cast<int>(i)};
  return cells;
}

// The elevation's geometry for one frame: metres to pixels and every slot's and bay's cell.
struct Elevation {
  const TowerLayout* layout = nullptr;
  float scale = 1.0f;  // pixels per metre
  float centre_x = 0.0f, ground_y = 0.0f;
  float column_w = 0.0f, shaft_w = 0.0f, row_h = 0.0f;
  int columns = 1;  // per side
  std::vector<Cell> slot_cells;  // by index into layout->slots
  std::vector<Cell> bay_cells;   // by index into layout->bays
  std::vector<char> used;        // by level, side and column: holds a slot (or a bay at level 0)

  std::size_t grid(int level, Cell cell) const {
    return (static_cast<std::size_t>(level) * 2 + (cell.left ? 0 : 1)) * static_cast<std::size_t>(columns) +
           static_cast<std::size_t>(cell.out);
  }

  float floor_y(double height_m) const { return ground_y - to_f(height_m) * scale; }
  float level_floor(int level) const { return floor_y(level_height_m(*layout, level)); }
  float shaft_left() const { return centre_x - shaft_w * 0.5f; }
  float shaft_right() const { return centre_x + shaft_w * 0.5f; }
  float top_y() const { return level_floor(layout->levels) - row_h; }
  ImVec2 cell_min(Cell cell, int level) const {
    const float out = to_f(cell.out) * column_w;
    return {cell.left ? shaft_left() - out - column_w : shaft_right() + out, level_floor(level) - row_h};
  }
  ImVec2 cell_max(Cell cell, int level) const { return cell_min(cell, level) + ImVec2{column_w, row_h}; }
  float cell_centre_x(Cell cell) const { return cell_min(cell, 0).x + column_w * 0.5f; }
  // Where a parked car stands: the centre of its cell and the cell's floor.
  std::optional<ImVec2> slot_spot(SlotId id) const {
    const auto i = index_of(layout->slots, id);
    if (!i) return std::nullopt;
    return ImVec2{cell_centre_x(slot_cells[*i]), level_floor(layout->slots[*i].level)};
  }
  std::optional<ImVec2> bay_spot(BayId id) const {
    const auto i = index_of(layout->bays, id);
    if (!i) return std::nullopt;
    return ImVec2{cell_centre_x(bay_cells[*i]), level_floor(0)};
  }
  // The car standing on `floor_y_px`, centred on `centre_x_px` (a pallet lifts it a little).
  std::pair<ImVec2, ImVec2> car_box(float centre_x_px, float floor_y_px) const {
    const float half = column_w * 0.39f, lift = row_h * 0.08f;
    return {{centre_x_px - half, floor_y_px - lift - row_h * 0.5f}, {centre_x_px + half, floor_y_px - lift}};
  }
};

Elevation make_elevation(const TowerLayout& layout, ImVec2 min, ImVec2 max) {
  Elevation e;
  e.layout = &layout;
  const double storage_rotation = ring_rotation(max_slots_per_level(layout));
  e.slot_cells.resize(layout.slots.size());
  for (int level = 1; level <= layout.levels; ++level) {
    std::vector<std::size_t> indices;
    std::vector<double> angles;
    for (std::size_t i = 0; i < layout.slots.size(); ++i)
      if (layout.slots[i].level == level) {
        indices.push_back(i);
        angles.push_back(slot_angle_rad(layout.slots[i], layout));
      }
    const std::vector<Cell> cells = place_ring(angles, storage_rotation);
    for (std::size_t k = 0; k < indices.size(); ++k) e.slot_cells[indices[k]] = cells[k];
  }
  std::vector<double> bay_angles;
  for (const BayDef& bay : layout.bays) bay_angles.push_back(bay_angle_rad(bay.id, layout));
  e.bay_cells = place_ring(bay_angles, ring_rotation(static_cast<int>(layout.bays.size())));
  for (const auto* cells : {&e.slot_cells, &e.bay_cells})
    for (const Cell& cell : *cells) e.columns = std::max(e.columns, cell.out + 1);
  e.used.assign(e.grid(layout.levels + 1, {true, 0}), 0);
  for (std::size_t i = 0; i < layout.slots.size(); ++i)
    if (layout.slots[i].level >= 1 && layout.slots[i].level <= layout.levels)
      e.used[e.grid(layout.slots[i].level, e.slot_cells[i])] = 1;
  for (const Cell& cell : e.bay_cells) e.used[e.grid(0, cell)] = 1;

  const double width_m = 2.0 * e.columns * column_m + shaft_m;
  const double height_m = (layout.levels + 1) * layout.level_pitch_m + roof_m + footing_m;
  e.scale = std::max(0.5f, std::min((max.x - min.x) / to_f(width_m), (max.y - min.y) / to_f(height_m)));
  e.centre_x = (min.x + max.x) * 0.5f;
  e.ground_y = max.y - to_f(footing_m) * e.scale;
  e.column_w = to_f(column_m) * e.scale;
  e.shaft_w = to_f(shaft_m) * e.scale;
  e.row_h = to_f(layout.level_pitch_m) * e.scale;
  return e;
}

// Sky, ground, glass cells, steel frame, roof and level numbers.
void draw_structure(ImDrawList* draw, const Elevation& e, ImVec2 view_min, ImVec2 view_max) {
  const TowerLayout& layout = *e.layout;
  draw->AddRectFilledMultiColor(view_min, view_max, IM_COL32(112, 164, 214, 255), IM_COL32(112, 164, 214, 255),
                                IM_COL32(218, 235, 248, 255), IM_COL32(218, 235, 248, 255));
  draw->AddRectFilled({view_min.x, e.ground_y}, view_max, IM_COL32(150, 152, 146, 255));
  draw->AddLine({view_min.x, e.ground_y}, {view_max.x, e.ground_y}, IM_COL32(96, 98, 94, 255), 2.0f);

  const float left = e.shaft_left() - to_f(e.columns) * e.column_w, top = e.top_y();
  const float right = e.shaft_right() + to_f(e.columns) * e.column_w;
  auto glass_cell = [&](ImVec2 min, ImVec2 max, ImU32 fill) {
    draw->AddRectFilled(min, max, fill);
    const float w = max.x - min.x;  // a faint reflection makes the panes read as glass
    draw->AddQuadFilled({min.x + w * 0.12f, max.y}, {min.x + w * 0.22f, max.y}, {min.x + w * 0.42f, min.y},
                        {min.x + w * 0.32f, min.y}, IM_COL32(255, 255, 255, 46));
  };
  for (int level = 0; level <= layout.levels; ++level)
    for (int side = 0; side < 2; ++side)
      for (int out = 0; out < e.columns; ++out) {
        const Cell cell{side == 0, out};
        const ImU32 fill = e.used[e.grid(level, cell)] ? (level == 0 ? showroom : glass) : wall;
        glass_cell(e.cell_min(cell, level), e.cell_max(cell, level), fill);
      }
  draw->AddRectFilled({e.shaft_left(), top}, {e.shaft_right(), e.ground_y}, IM_COL32(52, 70, 92, 70));
  const float rail = std::max(1.0f, e.shaft_w * 0.03f);
  for (float x : {e.shaft_left() + e.shaft_w * 0.08f, e.shaft_right() - e.shaft_w * 0.08f})
    draw->AddLine({x, top}, {x, e.ground_y}, steel_light, rail);

  const float slab = std::max(2.0f, 0.16f * e.scale), mullion = std::max(1.0f, 0.08f * e.scale);
  for (int level = 0; level <= layout.levels + 1; ++level) {
    const float y = level == layout.levels + 1 ? top : e.level_floor(level);
    draw->AddRectFilled({left, y - slab * 0.5f}, {right, y + slab * 0.5f}, steel);
  }
  for (int k = 0; k <= e.columns; ++k) {
    const float offset = to_f(k) * e.column_w;
    const float width = k == e.columns ? slab * 1.4f : mullion;
    draw->AddLine({e.shaft_left() - offset, top}, {e.shaft_left() - offset, e.ground_y}, steel, width);
    draw->AddLine({e.shaft_right() + offset, top}, {e.shaft_right() + offset, e.ground_y}, steel, width);
  }
  const ImVec2 roof_min{left - slab, top - to_f(roof_m) * e.scale}, roof_max{right + slab, top};
  draw->AddRectFilled(roof_min, roof_max, IM_COL32(60, 68, 80, 255), slab);
  const float sign_size = std::min(font_size(), (roof_max.y - roof_min.y) * 0.8f);
  if (text_size(layout.name, sign_size).x < roof_max.x - roof_min.x - slab * 2.0f)
    text_centred(draw, (roof_min + roof_max) * 0.5f, IM_COL32(240, 244, 248, 255), layout.name, sign_size);

  const float label_size = std::min(font_size(), e.row_h * 0.9f);
  const int every = e.row_h < font_size() * 1.1f ? 2 : 1;
  for (int level = 0; level <= layout.levels; ++level) {
    if (level % every != 0 && level != layout.levels) continue;
    const std::string label = level == 0 ? "G" : std::to_string(level);
    const ImVec2 size = text_size(label, label_size);
    text_at(draw, {left - slab - size.x - font_size() * 0.4f, e.level_floor(level) - (e.row_h + size.y) * 0.5f},
            IM_COL32(22, 36, 56, 255), label, label_size);
  }
}

// Bay names and the inner doors, rolling up as MachineFrame::inner_doors opens them.
void draw_bays(ImDrawList* draw, const Elevation& e, const Scene& scene) {
  const TowerLayout& layout = *e.layout;
  for (std::size_t i = 0; i < layout.bays.size(); ++i) {
    const Cell cell = e.bay_cells[i];
    const ImVec2 min = e.cell_min(cell, 0), max = e.cell_max(cell, 0);
    const float mark = std::max(1.0f, 0.08f * e.scale);
    draw->AddLine({min.x + e.column_w * 0.06f, max.y - mark}, {max.x - e.column_w * 0.06f, max.y - mark}, warning,
                  mark);
    const std::string name = layout.bays[i].name.empty() ? "Bay " + std::to_string(i + 1) : layout.bays[i].name;
    // Above the car's roof: the whole font where there is room, as a scaled bitmap font blurs.
    const float size = e.row_h * 0.36f >= font_size() ? font_size() : e.row_h * 0.3f;
    if (size >= 7.0f && text_size(name, size).x < e.column_w * 0.9f)
      text_centred(draw, {(min.x + max.x) * 0.5f, min.y + size * 0.8f}, IM_COL32(60, 60, 60, 255), name, size);

    const double open = i < scene.machine.inner_doors.size() ? scene.machine.inner_doors[i] : 0.0;
    const float door_w = std::max(3.0f, 0.35f * e.scale);
    const float door_x = cell.left ? max.x - door_w : min.x;
    const float bottom = min.y + (max.y - min.y) * to_f(1.0 - std::clamp(open, 0.0, 1.0));
    draw->AddRectFilled({door_x, min.y}, {door_x + door_w, std::max(bottom, min.y + 2.0f)}, steel_light);
    for (float y = min.y + e.row_h * 0.12f; y < bottom; y += e.row_h * 0.12f)
      draw->AddLine({door_x, y}, {door_x + door_w, y}, steel, 1.0f);
  }
}

// Where the transfer is reaching: the cell of the slot (or bay) that the turntable faces at the lift's level.
std::optional<Cell> transfer_target(const Elevation& e, const Scene& scene) {
  const TowerLayout& layout = *e.layout;
  const int level = lift_level(scene);
  // A slot is served with the turntable facing it, a bay with the turntable facing away from it.
  const double reach = scene.machine.pose.turntable_rad + (level == 0 ? pi : 0.0);
  std::optional<Cell> best;
  double best_gap = 1e9;
  auto consider = [&](double angle, Cell cell) {
    const double gap = std::abs(std::remainder(angle - reach, 2.0 * pi));
    if (gap >= best_gap) return;
    best_gap = gap;
    best = cell;
  };
  for (std::size_t i = 0; level == 0 && i < layout.bays.size(); ++i)
    consider(bay_angle_rad(layout.bays[i].id, layout), e.bay_cells[i]);
  for (std::size_t i = 0; i < layout.slots.size(); ++i)
    if (level > 0 && layout.slots[i].level == level)
      consider(slot_angle_rad(layout.slots[i], layout), e.slot_cells[i]);
  return best;
}

// The cage, the platform, the sliding transfer and the turntable dial; halted in hazard colours. Returns where
// a car riding the transfer stands (centre x, floor y).
ImVec2 draw_lift(ImDrawList* draw, const Elevation& e, const Scene& scene, double stroke_m) {
  const MachinePose& pose = scene.machine.pose;
  const float floor = e.floor_y(pose.lift_m);
  const float pad = e.shaft_w * 0.1f;
  const ImVec2 cage_min{e.shaft_left() + pad, floor - e.row_h * 0.94f}, cage_max{e.shaft_right() - pad, floor};
  for (float x : {e.centre_x - e.shaft_w * 0.12f, e.centre_x + e.shaft_w * 0.12f})
    draw->AddLine({x, e.top_y()}, {x, cage_min.y}, IM_COL32(40, 44, 50, 200), 1.0f);
  const ImU32 frame = scene.lift_halted ? warning : steel;
  draw->AddRectFilled(cage_min, cage_max, IM_COL32(40, 54, 70, 40));
  draw->AddRect(cage_min, cage_max, frame, 0.0f, 0, std::max(1.5f, 0.1f * e.scale));

  const float deck = std::max(3.0f, 0.24f * e.scale);
  if (scene.lift_halted)
    hazard_stripes(draw, {cage_min.x, floor}, {cage_max.x, floor + deck});
  else
    draw->AddRectFilled({cage_min.x, floor}, {cage_max.x, floor + deck}, IM_COL32(58, 64, 74, 255));

  float reach_px = 0.0f;
  if (const auto target = transfer_target(e, scene); target && stroke_m > 0.0)
    reach_px = (e.cell_centre_x(*target) - e.centre_x) * to_f(std::clamp(pose.transfer_m / stroke_m, 0.0, 1.1));
  const float fork = std::max(2.0f, 0.12f * e.scale), x = e.centre_x + reach_px;
  draw->AddRectFilled({e.centre_x - e.shaft_w * 0.28f, floor - fork}, {e.centre_x + e.shaft_w * 0.28f, floor},
                      steel_light);
  draw->AddRectFilled({x - e.column_w * 0.42f, floor - fork * 1.6f}, {x + e.column_w * 0.42f, floor - fork * 0.6f},
                      IM_COL32(110, 118, 128, 255));

  // The dial shows the turntable as the plan draws it, so the two views agree at a glance.
  const float radius = std::min(e.row_h * 0.14f, e.shaft_w * 0.16f);
  const ImVec2 dial{e.centre_x, cage_min.y + radius + e.row_h * 0.06f};
  if (radius >= 3.0f) {
    const ImVec2 heading = direction(pose.turntable_rad, level_rotation(*e.layout, lift_level(scene)));
    draw->AddCircleFilled(dial, radius, IM_COL32(245, 247, 250, 230));
    draw->AddCircle(dial, radius, steel, 0, 1.0f);
    draw->AddLine(dial - heading * (radius * 0.6f), dial + heading * (radius * 0.85f), black, 1.5f);
    draw->AddCircleFilled(dial + heading * (radius * 0.85f), std::max(1.5f, radius * 0.18f), black);
  }
  if (scene.lift_halted) {
    const float size = font_size() * 0.9f;
    const ImVec2 text = text_size("halted", size), pos{e.centre_x - text.x * 0.5f, cage_min.y - text.y - 3.0f};
    draw->AddRectFilled(pos - ImVec2{3.0f, 1.0f}, pos + text + ImVec2{3.0f, 1.0f}, warning, 2.0f);
    draw->AddRect(pos - ImVec2{3.0f, 1.0f}, pos + text + ImVec2{3.0f, 1.0f}, black, 2.0f);
    text_at(draw, pos, black, "halted", size);
  }
  return {x, floor - fork * 1.6f};
}

// The customer's car's way to the bay (or back to its slot) as marching dashes, from `start`.
void draw_path(ImDrawList* draw, const Elevation& e, const Scene& scene, ImVec2 start, double time_s) {
  const auto job = std::find_if(scene.jobs.begin(), scene.jobs.end(),
                                [&](const SceneJob& j) { return j.car == scene.highlight; });
  if (job == scene.jobs.end()) return;
  const std::optional<ImVec2> destination = job->retrieval ? e.bay_spot(job->bay) : e.slot_spot(job->slot);
  if (!destination) return;
  const float y = destination->y - e.row_h * 0.35f;
  const std::vector<ImVec2> path{start, {e.centre_x, start.y}, {e.centre_x, y}, {destination->x, y}};
  dashed_path(draw, path, highlight_colour, std::max(2.0f, font_size() * 0.16f), font_size() * 0.6f,
              time_s * font_size() * 1.5);
}

// Every car where the scene puts it, the customer's under its path and in a thick pulsing outline.
void draw_cars(ImDrawList* draw, const Elevation& e, const Scene& scene, ImVec2 on_machine, double time_s,
               std::vector<Hit>& hits) {
  auto spot_of = [&](const SceneCar& car) {
    return car.place == CarPlace::on_machine ? std::optional<ImVec2>(on_machine)
           : car.place == CarPlace::in_bay   ? e.bay_spot(car.bay)
                                             : e.slot_spot(car.slot);
  };
  std::optional<std::pair<ImVec2, ImVec2>> highlighted;
  for (const SceneCar& car : scene.cars)
    if (car.id == scene.highlight && car_in_tower(car))
      if (const auto spot = spot_of(car)) highlighted = e.car_box(spot->x, spot->y);
  if (highlighted) draw_path(draw, e, scene, (highlighted->first + highlighted->second) * 0.5f, time_s);

  for (const SceneCar& car : scene.cars) {
    const std::optional<ImVec2> spot = car_in_tower(car) ? spot_of(car) : std::nullopt;
    if (!spot) continue;
    if (car.place == CarPlace::in_slot) {  // its pallet; on the machine the transfer draws it
      const float height = std::max(2.0f, e.row_h * 0.07f), half = e.column_w * 0.44f;
      draw->AddRectFilled({spot->x - half, spot->y - height}, {spot->x + half, spot->y}, IM_COL32(118, 124, 132, 255));
    }
    const auto [min, max] = e.car_box(spot->x, spot->y);
    draw_car_side(draw, min, max, car_look(car));
    hits.push_back({car.id, min, max});
  }
  if (!highlighted) return;
  const auto [min, max] = *highlighted;
  const float thickness = font_size() * (0.2f + 0.06f * to_f(std::sin(time_s * 5.0)));
  const ImVec2 grow{thickness, thickness};
  draw->AddRect(min - grow, max + grow, highlight_colour, thickness * 1.5f, 0, thickness);
  draw->AddRect(min - grow * 0.3f, max + grow * 0.3f, white, thickness, 0, 1.0f);
}

// The plan's turntable, which rides the lift: live on the level nearest the lift, greyed on the others. Returns
// where the transfer holds a car (`ring` is the distance to a slot or bay) and the turntable's heading, or none
// when the lift is on another level.
std::optional<ImVec2> draw_turntable(ImDrawList* draw, const Scene& scene, ImVec2 centre, float radius, int level,
                                     double stroke_m, float ring, ImVec2& heading) {
  const MachinePose& pose = scene.machine.pose;
  const bool lift_here = lift_level(scene) == level;
  const float shaft = radius * 0.34f;
  draw->AddRectFilled(centre - ImVec2{shaft, shaft}, centre + ImVec2{shaft, shaft}, IM_COL32(52, 70, 92, 90));
  heading = direction(pose.turntable_rad, level_rotation(scene.config->layout, level));
  const ImU32 table = lift_here ? (scene.lift_halted ? warning : steel_light) : IM_COL32(190, 196, 204, 160);
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

// [SECTION] Drawing the tower

int lift_level(const Scene& scene) {
  if (!scene.config) return 0;
  const TowerLayout& layout = scene.config->layout;
  if (layout.level_pitch_m <= 0.0) return 0;
  const int level = static_cast<int>(std::lround(scene.machine.pose.lift_m / layout.level_pitch_m));
  return std::clamp(level, 0, layout.levels);
}

CarId draw_plan(const Scene& scene, ImDrawList* draw, ImVec2 centre, float radius, int level,
                const TowerViewInput& input) {
  if (!scene.config) return {};
  const TowerLayout& layout = scene.config->layout;
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
  // A slot or a bay (index `bay`, or -1 for a slot) at `angle`, holding the car `parked` picks.
  auto draw_place = [&](double angle, int bay, auto parked) {
    const ImVec2 out = direction(angle, rotation), middle = centre + out * ring;
    ImVec2 cell[4];
    rotated_rect(middle, out, half_length, half_width, cell);
    draw->AddConvexPolyFilled(cell, 4, bay >= 0 ? showroom : IM_COL32(214, 234, 247, 255));
    draw->AddPolyline(cell, 4, steel, ImDrawFlags_Closed, 1.0f);
    if (bay >= 0) {  // the inner door across the end facing the shaft, sliding aside as it opens
      const auto index = static_cast<std::size_t>(bay);
      const double open = index < scene.machine.inner_doors.size() ? scene.machine.inner_doors[index] : 0.0;
      const ImVec2 edge = middle - out * half_length, across{-out.y, out.x};
      const float shut = half_width * 2.0f * to_f(1.0 - std::clamp(open, 0.0, 1.0));
      draw->AddLine(edge - across * half_width, edge - across * (half_width - shut), black, 3.0f);
    }
    // Parked nose towards the shaft; in a bay, nose out, ready to drive away forward.
    for (const SceneCar& car : scene.cars)
      if (car_in_tower(car) && parked(car)) draw_car(car, middle, bay >= 0 ? out : out * -1.0f);
  };
  for (std::size_t i = 0; level == 0 && i < layout.bays.size(); ++i)
    draw_place(bay_angle_rad(layout.bays[i].id, layout), static_cast<int>(i), [&](const SceneCar& car) {
      return car.place == CarPlace::in_bay && car.bay == layout.bays[i].id;
    });
  for (const SlotDef& slot : layout.slots)
    if (level > 0 && slot.level == level)
      draw_place(slot_angle_rad(slot, layout), -1,
                 [&](const SceneCar& car) { return car.place == CarPlace::in_slot && car.slot == slot.id; });

  ImVec2 heading{};
  if (const auto pallet = draw_turntable(draw, scene, centre, radius, level, input.transfer_stroke_m, ring, heading))
    for (const SceneCar& car : scene.cars)
      if (car.place == CarPlace::on_machine) draw_car(car, *pallet, heading * -1.0f);
  const float dx = input.mouse.x - centre.x, dy = input.mouse.y - centre.y;
  if (!input.mouse_over || dx * dx + dy * dy > radius * radius) return {};
  return hit_at(hits, input.mouse);
}

TowerViewResult draw_tower(const Scene& scene, ImDrawList* draw, ImVec2 origin, ImVec2 size,
                           const TowerViewState& view, const TowerViewInput& input) {
  TowerViewResult result;
  const ImVec2 end = origin + size;
  draw->PushClipRect(origin, end, true);
  if (!scene.config || scene.config->layout.levels <= 0) {
    draw->AddRectFilled(origin, end, IM_COL32(112, 164, 214, 255));
    text_at(draw, origin + ImVec2{font_size(), font_size()}, black, "No tower to show yet.");
    draw->PopClipRect();
    return result;
  }
  const TowerLayout& layout = scene.config->layout;
  const float font = font_size(), pad = font * 0.6f, caption_h = font * 1.4f, chooser_h = ImGui::GetFrameHeight();
  const ImVec2 legend = legend_size();
  const bool roomy = size.x >= legend.x * 2.6f;  // if not, the column takes a third and the legend is left out
  const float widest = std::max(font * 18.0f, legend.x);
  const float column = roomy ? std::clamp(std::min(size.x * 0.3f, size.y * 0.45f), legend.x, widest) : size.x * 0.3f;
  const float column_x = end.x - column - pad;
  const float label_w = font * 2.0f, top_margin = font * 1.6f;  // level numbers; room for the "halted" tag

  // The plan and the legend go in a column right of the tower or, if that leaves a wide tower smaller, in a
  // band above it.
  Elevation e = make_elevation(layout, origin + ImVec2{pad + label_w, pad + top_margin}, {column_x - pad, end.y});
  const float band = pad * 2.0f + chooser_h + column + caption_h;
  bool band_above = false;
  if (size.x >= column + legend.x + pad * 3.0f) {
    Elevation wide = make_elevation(layout, {origin.x + pad + label_w, origin.y + band + top_margin},
                                    {end.x - pad, end.y});
    band_above = wide.scale > e.scale;
    if (band_above) e = std::move(wide);
  }
  draw_structure(draw, e, origin, end);
  draw_bays(draw, e, scene);
  std::vector<Hit> hits;
  draw_cars(draw, e, scene, draw_lift(draw, e, scene, input.transfer_stroke_m), input.time_s, hits);
  if (input.mouse_over) result.hovered = hit_at(hits, input.mouse);
  for (const Hit& hit : hits)
    if (hit.car == result.hovered && hit.car.valid()) draw->AddRect(hit.min, hit.max, white, 3.0f, 0, 2.0f);

  result.plan_level = view.plan_level < 0 ? lift_level(scene) : std::min(view.plan_level, layout.levels);
  result.chooser_min = {column_x, origin.y + pad};
  result.chooser_max = {column_x + column, origin.y + pad + chooser_h};
  const float below_chooser = end.y - result.chooser_max.y - pad * 3.0f - caption_h - (roomy ? legend.y : 0.0f);
  const float plan = band_above ? column : std::max(0.0f, std::min(column, below_chooser));
  if (plan > font * 4.0f) {
    const ImVec2 centre{column_x + column * 0.5f, result.chooser_max.y + pad + plan * 0.5f};
    const CarId under = draw_plan(scene, draw, centre, plan * 0.5f, result.plan_level, input);
    if (under.valid()) result.hovered = under;
    const int at = lift_level(scene);
    const std::string caption = at == result.plan_level ? "lift at this level"
                                : at == 0              ? "lift at the bays"
                                                       : "lift at level " + std::to_string(at);
    text_centred(draw, {centre.x, centre.y + (plan + caption_h) * 0.5f}, IM_COL32(20, 30, 40, 255), caption, font);
  }
  if (roomy)
    draw_legend(draw, band_above ? ImVec2{column_x - pad - legend.x, origin.y + pad}
                                 : ImVec2{end.x - pad - legend.x, end.y - legend.y - pad});
  draw->PopClipRect();
  return result;
}

}  // namespace tower::twin
