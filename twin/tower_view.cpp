// The tower's elevation: every shaft side by side with its glass slots, its bays and its lift, the cars where
// the scene puts them; and the whole view, with the plan inset and the legend beside it.
#include "tower_view.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tower_draw.hpp"

namespace tower::twin {
using namespace drawing;

namespace {

// Proportions of the elevation in metres, so the picture keeps the tower's shape at any size.
constexpr double column_m = 5.8;  // a slot seen from the side: a car's length plus clearance
constexpr double shaft_m = 6.0;   // wide enough for a car to turn on the platform
constexpr double roof_m = 1.4;
constexpr double footing_m = 0.9;  // pavement under the bays
constexpr double party_wall_m = 1.2;  // between two shafts' outer columns

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

// One shaft's elevation for one frame: metres to pixels and every slot's and bay's cell.
struct Elevation {
  const TowerLayout* layout = nullptr;  // the shaft's (shaft_layout)
  LiftId lift{1};
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
    const float half = column_w * 0.39f, raise = row_h * 0.08f;
    return {{centre_x_px - half, floor_y_px - raise - row_h * 0.5f}, {centre_x_px + half, floor_y_px - raise}};
  }
};

// The cells of a shaft's slots and bays; place_shafts sizes and places it.
Elevation make_elevation(const TowerLayout& layout, LiftId lift) {
  Elevation e;
  e.layout = &layout;
  e.lift = lift;
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
  return e;
}

double width_m(const Elevation& e) { return 2.0 * e.columns * column_m + shaft_m; }

// The shafts side by side, a party wall apart, scaled together to fit [min, max] and centred in it.
void place_shafts(std::vector<Elevation>& shafts, ImVec2 min, ImVec2 max) {
  if (shafts.empty()) return;
  const TowerLayout& layout = *shafts.front().layout;
  double total_m = party_wall_m * static_cast<double>(shafts.size() - 1);
  for (const Elevation& e : shafts) total_m += width_m(e);
  const double height_m = (layout.levels + 1) * layout.level_pitch_m + roof_m + footing_m;
  const float scale = std::max(0.5f, std::min((max.x - min.x) / to_f(total_m), (max.y - min.y) / to_f(height_m)));
  double left_m = -0.5 * total_m;  // from the middle of [min, max]: exactly 0 offset for a lone shaft
  for (Elevation& e : shafts) {
    e.scale = scale;
    e.centre_x = (min.x + max.x) * 0.5f + to_f((left_m + 0.5 * width_m(e)) * scale);
    left_m += width_m(e) + party_wall_m;
    e.ground_y = max.y - to_f(footing_m) * scale;
    e.column_w = to_f(column_m) * scale;
    e.shaft_w = to_f(shaft_m) * scale;
    e.row_h = to_f(e.layout->level_pitch_m) * scale;
  }
}

// The elevation of `lift`'s shaft; the first when no shaft is that lift's.
const Elevation& shaft_of(const std::vector<Elevation>& shafts, LiftId lift) {
  for (const Elevation& e : shafts)
    if (e.lift == lift) return e;
  return shafts.front();
}

// A shaft's glass cells (walls where no slot is), and its shaft with the guide rails.
void draw_cells(ImDrawList* draw, const Elevation& e) {
  const TowerLayout& layout = *e.layout;
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
  draw->AddRectFilled({e.shaft_left(), e.top_y()}, {e.shaft_right(), e.ground_y}, IM_COL32(52, 70, 92, 70));
  const float rail = std::max(1.0f, e.shaft_w * 0.03f);
  for (float x : {e.shaft_left() + e.shaft_w * 0.08f, e.shaft_right() - e.shaft_w * 0.08f})
    draw->AddLine({x, e.top_y()}, {x, e.ground_y}, steel_light, rail);
}

void draw_mullions(ImDrawList* draw, const Elevation& e, float slab) {
  const float mullion = std::max(1.0f, 0.08f * e.scale), top = e.top_y();
  for (int k = 0; k <= e.columns; ++k) {
    const float offset = to_f(k) * e.column_w;
    const float width = k == e.columns ? slab * 1.4f : mullion;
    draw->AddLine({e.shaft_left() - offset, top}, {e.shaft_left() - offset, e.ground_y}, steel, width);
    draw->AddLine({e.shaft_right() + offset, top}, {e.shaft_right() + offset, e.ground_y}, steel, width);
  }
}

float left_edge(const Elevation& e) { return e.shaft_left() - to_f(e.columns) * e.column_w; }
float right_edge(const Elevation& e) { return e.shaft_right() + to_f(e.columns) * e.column_w; }

// Sky, ground, every shaft's cells and frame with party walls between them, the roof over all, level numbers,
// and each lift's name over its shaft when there are several.
void draw_structure(ImDrawList* draw, const std::vector<Elevation>& shafts, ImVec2 view_min, ImVec2 view_max) {
  const Elevation& e = shafts.front();
  const TowerLayout& layout = *e.layout;
  draw->AddRectFilledMultiColor(view_min, view_max, IM_COL32(112, 164, 214, 255), IM_COL32(112, 164, 214, 255),
                                IM_COL32(218, 235, 248, 255), IM_COL32(218, 235, 248, 255));
  draw->AddRectFilled({view_min.x, e.ground_y}, view_max, IM_COL32(150, 152, 146, 255));
  draw->AddLine({view_min.x, e.ground_y}, {view_max.x, e.ground_y}, IM_COL32(96, 98, 94, 255), 2.0f);

  const float left = left_edge(e), right = right_edge(shafts.back()), top = e.top_y();
  const float slab = std::max(2.0f, 0.16f * e.scale);
  for (std::size_t i = 0; i < shafts.size(); ++i) {
    draw_cells(draw, shafts[i]);
    if (i > 0) draw->AddRectFilled({right_edge(shafts[i - 1]), top}, {left_edge(shafts[i]), e.ground_y}, wall);
  }
  for (int level = 0; level <= layout.levels + 1; ++level) {
    const float y = level == layout.levels + 1 ? top : e.level_floor(level);
    draw->AddRectFilled({left, y - slab * 0.5f}, {right, y + slab * 0.5f}, steel);
  }
  for (const Elevation& shaft : shafts) draw_mullions(draw, shaft, slab);
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
  for (const Elevation& shaft : shafts)  // above the roof, where only a lift at the top level's tag may go
    if (shafts.size() > 1)
      text_centred(draw, {shaft.centre_x, roof_min.y - font_size() * 0.6f}, IM_COL32(22, 36, 56, 255),
                   "Lift " + std::to_string(shaft.lift.value), font_size());
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
    const std::string name =
        layout.bays[i].name.empty() ? "Bay " + std::to_string(layout.bays[i].id.value) : layout.bays[i].name;
    // Above the car's roof: the whole font where there is room, as a scaled bitmap font blurs.
    const float size = e.row_h * 0.36f >= font_size() ? font_size() : e.row_h * 0.3f;
    if (size >= 7.0f && text_size(name, size).x < e.column_w * 0.9f)
      text_centred(draw, {(min.x + max.x) * 0.5f, min.y + size * 0.8f}, IM_COL32(60, 60, 60, 255), name, size);

    const auto index = index_of(scene.config->layout.bays, layout.bays[i].id);
    const double open = index ? door_open(scene, *index) : 0.0;
    const float door_w = std::max(3.0f, 0.35f * e.scale);
    const float door_x = cell.left ? max.x - door_w : min.x;
    const float bottom = min.y + (max.y - min.y) * to_f(1.0 - std::clamp(open, 0.0, 1.0));
    draw->AddRectFilled({door_x, min.y}, {door_x + door_w, std::max(bottom, min.y + 2.0f)}, steel_light);
    for (float y = min.y + e.row_h * 0.12f; y < bottom; y += e.row_h * 0.12f)
      draw->AddLine({door_x, y}, {door_x + door_w, y}, steel, 1.0f);
  }
}

// Where the transfer is reaching: the cell of the slot (or bay) that the turntable faces at the lift's level.
std::optional<Cell> transfer_target(const Elevation& e, const MachinePose& pose, int level) {
  const TowerLayout& layout = *e.layout;
  // A slot is served with the turntable facing it, a bay with the turntable facing away from it.
  const double reach = pose.turntable_rad + (level == 0 ? pi : 0.0);
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

// The dial shows the turntable as the plan draws it, so the two views agree at a glance.
void draw_dial(ImDrawList* draw, const Elevation& e, double turntable_rad, int level, float cage_top) {
  const float radius = std::min(e.row_h * 0.14f, e.shaft_w * 0.16f);
  if (radius < 3.0f) return;
  const ImVec2 dial{e.centre_x, cage_top + radius + e.row_h * 0.06f};
  const ImVec2 heading = direction(turntable_rad, level_rotation(*e.layout, level));
  draw->AddCircleFilled(dial, radius, IM_COL32(245, 247, 250, 230));
  draw->AddCircle(dial, radius, steel, 0, 1.0f);
  draw->AddLine(dial - heading * (radius * 0.6f), dial + heading * (radius * 0.85f), black, 1.5f);
  draw->AddCircleFilled(dial + heading * (radius * 0.85f), std::max(1.5f, radius * 0.18f), black);
}

// One lift in its shaft: the cage, the platform, the sliding transfer and the turntable dial; halted in hazard
// colours. Returns where a car riding the transfer stands (centre x, floor y).
ImVec2 draw_lift(ImDrawList* draw, const Elevation& e, const Scene& scene, double stroke_m) {
  const SceneLift& lift = scene_lift(scene, e.lift);
  const MachinePose& pose = lift.machine.pose;
  const int level = lift_level(scene, e.lift);
  const float floor = e.floor_y(pose.lift_m);
  const float pad = e.shaft_w * 0.1f;
  const ImVec2 cage_min{e.shaft_left() + pad, floor - e.row_h * 0.94f}, cage_max{e.shaft_right() - pad, floor};
  for (float x : {e.centre_x - e.shaft_w * 0.12f, e.centre_x + e.shaft_w * 0.12f})
    draw->AddLine({x, e.top_y()}, {x, cage_min.y}, IM_COL32(40, 44, 50, 200), 1.0f);
  const ImU32 frame = lift.halted ? warning : steel;
  draw->AddRectFilled(cage_min, cage_max, IM_COL32(40, 54, 70, 40));
  draw->AddRect(cage_min, cage_max, frame, 0.0f, 0, std::max(1.5f, 0.1f * e.scale));

  const float deck = std::max(3.0f, 0.24f * e.scale);
  if (lift.halted)
    hazard_stripes(draw, {cage_min.x, floor}, {cage_max.x, floor + deck});
  else
    draw->AddRectFilled({cage_min.x, floor}, {cage_max.x, floor + deck}, IM_COL32(58, 64, 74, 255));

  float reach_px = 0.0f;
  if (const auto target = transfer_target(e, pose, level); target && stroke_m > 0.0)
    reach_px = (e.cell_centre_x(*target) - e.centre_x) * to_f(std::clamp(pose.transfer_m / stroke_m, 0.0, 1.1));
  const float fork = std::max(2.0f, 0.12f * e.scale), x = e.centre_x + reach_px;
  draw->AddRectFilled({e.centre_x - e.shaft_w * 0.28f, floor - fork}, {e.centre_x + e.shaft_w * 0.28f, floor},
                      steel_light);
  draw->AddRectFilled({x - e.column_w * 0.42f, floor - fork * 1.6f}, {x + e.column_w * 0.42f, floor - fork * 0.6f},
                      IM_COL32(110, 118, 128, 255));
  draw_dial(draw, e, pose.turntable_rad, level, cage_min.y);
  // Every lift stands while the emergency stop is latched: the tag says why, which no outage would.
  if (lift.halted)
    warning_tag(draw, {e.centre_x, cage_min.y - 3.0f}, scene.emergency_stop ? "e-stop" : "halted", font_size() * 0.9f);
  return {x, floor - fork * 1.6f};
}

// The customer's car's way to the bay (or back to its slot) as marching dashes, from `start`, in its shaft.
void draw_path(ImDrawList* draw, const std::vector<Elevation>& shafts, const Scene& scene, ImVec2 start,
               double time_s) {
  const auto job = std::find_if(scene.jobs.begin(), scene.jobs.end(),
                                [&](const SceneJob& j) { return j.car == scene.highlight; });
  if (job == scene.jobs.end()) return;
  const Elevation& e = shaft_of(shafts, job->lift);
  const std::optional<ImVec2> destination = job->retrieval ? e.bay_spot(job->bay) : e.slot_spot(job->slot);
  if (!destination) return;
  const float y = destination->y - e.row_h * 0.35f;
  const std::vector<ImVec2> path{start, {e.centre_x, start.y}, {e.centre_x, y}, {destination->x, y}};
  dashed_path(draw, path, highlight_colour, std::max(2.0f, font_size() * 0.16f), font_size() * 0.6f,
              time_s * font_size() * 1.5);
}

// Where a car stands in the elevation: on its lift's transfer (`on_machine`, by lift), in its bay or its slot.
std::optional<ImVec2> spot_of(const std::vector<Elevation>& shafts, const std::vector<ImVec2>& on_machine,
                              const SceneCar& car) {
  if (car.place == CarPlace::on_machine) {
    for (std::size_t i = 0; i < shafts.size(); ++i)
      if (shafts[i].lift == car.lift) return on_machine[i];
    return std::nullopt;
  }
  const Elevation& own = shaft_of(shafts, car.lift);
  if (auto spot = car.place == CarPlace::in_bay ? own.bay_spot(car.bay) : own.slot_spot(car.slot)) return spot;
  for (const Elevation& e : shafts)  // a car whose lift the scene does not know: found by its place
    if (auto spot = car.place == CarPlace::in_bay ? e.bay_spot(car.bay) : e.slot_spot(car.slot)) return spot;
  return std::nullopt;
}

// Every car where the scene puts it, the customer's under its path and in a thick pulsing outline.
void draw_cars(ImDrawList* draw, const std::vector<Elevation>& shafts, const Scene& scene,
               const std::vector<ImVec2>& on_machine, double time_s, std::vector<Hit>& hits) {
  const Elevation& e = shafts.front();  // every shaft has the same scale
  std::optional<std::pair<ImVec2, ImVec2>> highlighted;
  for (const SceneCar& car : scene.cars)
    if (car.id == scene.highlight && car_in_tower(car))
      if (const auto spot = spot_of(shafts, on_machine, car)) highlighted = e.car_box(spot->x, spot->y);
  if (highlighted) draw_path(draw, shafts, scene, (highlighted->first + highlighted->second) * 0.5f, time_s);

  for (const SceneCar& car : scene.cars) {
    const std::optional<ImVec2> spot = car_in_tower(car) ? spot_of(shafts, on_machine, car) : std::nullopt;
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

// The plan of the watched lift's level under the chooser strip, captioned with where that lift is.
CarId draw_plan_inset(const Scene& scene, ImDrawList* draw, ImVec2 centre, float plan, const TowerViewResult& shown,
                      const TowerViewInput& input) {
  const CarId under = draw_plan(scene, draw, centre, plan * 0.5f, shown.plan_level, shown.plan_lift, input);
  const int at = lift_level(scene, shown.plan_lift);
  const std::string lift = scene.lifts.size() > 1 ? "lift " + std::to_string(shown.plan_lift.value) : "lift";
  const std::string caption = at == shown.plan_level ? lift + " at this level"
                              : at == 0              ? lift + " at the bays"
                                                     : lift + " at level " + std::to_string(at);
  const float caption_h = font_size() * 1.4f;
  text_centred(draw, {centre.x, centre.y + (plan + caption_h) * 0.5f}, IM_COL32(20, 30, 40, 255), caption,
               font_size());
  return under;
}

}  // namespace

// [SECTION] Drawing the tower

LiftId plan_lift(const Scene& scene, int setting) {
  const int lifts = std::max(1, static_cast<int>(scene.lifts.size()));
  if (setting >= 1) return LiftId{static_cast<std::uint32_t>(std::min(setting, lifts))};
  for (const SceneCar& car : scene.cars)
    if (car.id == scene.highlight && car_in_tower(car) && car.lift.value <= static_cast<std::uint32_t>(lifts))
      return car.lift;
  return LiftId{1};
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

  // Each lift's shaft is planned and drawn in its own layout; the elevations point into these.
  std::vector<TowerLayout> shaft_layouts;
  for (int lift = 1; lift <= std::max(layout.lifts, 1); ++lift)
    shaft_layouts.push_back(shaft_layout(layout, LiftId{static_cast<std::uint32_t>(lift)}));
  std::vector<Elevation> shafts;
  for (std::size_t i = 0; i < shaft_layouts.size(); ++i)
    shafts.push_back(make_elevation(shaft_layouts[i], LiftId{static_cast<std::uint32_t>(i + 1)}));
  // The plan and the legend go in a column right of the tower or, if that leaves a wide tower smaller, in a
  // band above it.
  place_shafts(shafts, origin + ImVec2{pad + label_w, pad + top_margin}, {column_x - pad, end.y});
  const float band = pad * 2.0f + chooser_h + column + caption_h;
  bool band_above = false;
  if (size.x >= column + legend.x + pad * 3.0f) {
    std::vector<Elevation> wide = shafts;
    place_shafts(wide, {origin.x + pad + label_w, origin.y + band + top_margin}, {end.x - pad, end.y});
    band_above = wide.front().scale > shafts.front().scale;
    if (band_above) shafts = std::move(wide);
  }
  draw_structure(draw, shafts, origin, end);
  for (const Elevation& e : shafts) draw_bays(draw, e, scene);
  std::vector<ImVec2> on_machine;
  for (const Elevation& e : shafts) on_machine.push_back(draw_lift(draw, e, scene, input.transfer_stroke_m));
  std::vector<Hit> hits;
  draw_cars(draw, shafts, scene, on_machine, input.time_s, hits);
  if (input.mouse_over) result.hovered = hit_at(hits, input.mouse);
  for (const Hit& hit : hits)
    if (hit.car == result.hovered && hit.car.valid()) draw->AddRect(hit.min, hit.max, white, 3.0f, 0, 2.0f);
  if (scene.emergency_stop)
    warning_tag(draw, {origin.x + pad + text_size("EMERGENCY STOP", font).x * 0.5f + 3.0f, origin.y + pad + font},
                "EMERGENCY STOP", font);

  result.plan_lift = plan_lift(scene, view.plan_lift);
  result.plan_level =
      view.plan_level < 0 ? lift_level(scene, result.plan_lift) : std::min(view.plan_level, layout.levels);
  result.chooser_min = {column_x, origin.y + pad};
  result.chooser_max = {column_x + column, origin.y + pad + chooser_h};
  const float below_chooser = end.y - result.chooser_max.y - pad * 3.0f - caption_h - (roomy ? legend.y : 0.0f);
  const float plan = band_above ? column : std::max(0.0f, std::min(column, below_chooser));
  if (plan > font * 4.0f) {
    const ImVec2 centre{column_x + column * 0.5f, result.chooser_max.y + pad + plan * 0.5f};
    if (const CarId under = draw_plan_inset(scene, draw, centre, plan, result, input); under.valid())
      result.hovered = under;
  }
  if (roomy)
    draw_legend(draw, band_above ? ImVec2{column_x - pad - legend.x, origin.y + pad}
                                 : ImVec2{end.x - pad - legend.x, end.y - legend.y - pad});
  draw->PopClipRect();
  return result;
}

}  // namespace tower::twin
