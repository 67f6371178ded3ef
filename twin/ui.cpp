// The frame, the tower view window, and the customer panel. The staff panel is in ui_staff.cpp, the live one in
// ui_live.cpp.
#include "ui.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "tower/finance.hpp"
#include "tower/machine.hpp"

namespace tower::twin {
namespace {

using json = nlohmann::json;

const ImVec4 refusal_colour{1.0f, 0.42f, 0.36f, 1.0f};
const ImVec4 good_colour{0.35f, 0.82f, 0.6f, 1.0f};
const ImVec4 warning_colour{0.95f, 0.8f, 0.3f, 1.0f};
const ImVec4 highlight_text{0.86f, 0.55f, 0.75f, 1.0f};  // the tower view's outline of the customer's car

std::string printed(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

void wrapped(const std::string& text) { ImGui::TextWrapped("%s", text.c_str()); }

void reasons(const std::vector<std::string>& lines) {
  ImGui::Indent();
  for (const std::string& line : lines) {
    ImGui::Bullet();
    ImGui::SameLine();
    wrapped(line);
  }
  ImGui::Unindent();
}

const SceneCar* find_car(const Scene& scene, CarId id) {
  for (const SceneCar& car : scene.cars)
    if (car.id == id) return &car;
  return nullptr;
}

std::string car_name(const CarSpec& spec) {
  std::string name = spec.make + " " + spec.model;
  if (!spec.trim.empty()) name += " " + spec.trim;
  return name;
}

// Where a car is, in words: "level 7, position 2", "Bay 1", "on the lift"; "level 7, position 2 (lift 2)" and
// "on lift 2" when the tower has several lifts.
std::string whereabouts(const Scene& scene, const SceneCar& car) {
  const bool several = scene.lifts.size() > 1;
  const std::string lift = "lift " + std::to_string(car.lift.value);
  if (car.place == CarPlace::on_machine) return several ? "on " + lift : "on the lift";
  if (!scene.config) return "";
  const TowerLayout& layout = scene.config->layout;
  if (several && car.place == CarPlace::in_slot)
    for (const SlotDef& slot : layout.slots)
      if (slot.id == car.slot)
        return "level " + std::to_string(slot.level) + ", position " + std::to_string(slot.position + 1) + " (" +
               lift + ")";
  if (car.place == CarPlace::in_bay) {
    for (const BayDef& bay : layout.bays)
      if (bay.id == car.bay) return bay.name.empty() ? "bay " + std::to_string(bay.id.value) : bay.name;
    return "a bay";
  }
  for (const SlotDef& slot : layout.slots)
    if (slot.id == car.slot)
      return "level " + std::to_string(slot.level) + ", position " + std::to_string(slot.position + 1);
  return "";
}

std::string bay_name(const Scene& scene, BayId id) {
  if (scene.config)
    for (const BayDef& bay : scene.config->layout.bays)
      if (bay.id == id && !bay.name.empty()) return bay.name;
  return "bay " + std::to_string(id.value);
}

// A paint swatch for the catalogue's colour names; none for a name it does not know.
void colour_swatch(const std::string& name) {
  struct Paint {
    const char* name;
    ImU32 colour;
  };
  static const Paint paints[] = {{"white", IM_COL32(242, 242, 242, 255)}, {"black", IM_COL32(24, 24, 26, 255)},
                                 {"silver", IM_COL32(192, 196, 202, 255)}, {"blue", IM_COL32(36, 78, 168, 255)},
                                 {"red", IM_COL32(188, 30, 40, 255)},      {"grey", IM_COL32(118, 120, 126, 255)}};
  for (const Paint& paint : paints) {
    if (name != paint.name) continue;
    const float size = ImGui::GetFontSize();
    const ImVec2 at = ImGui::GetCursorScreenPos();
    ImGui::GetWindowDrawList()->AddRectFilled({at.x, at.y + size * 0.1f}, {at.x + size, at.y + size * 0.9f},
                                              paint.colour, 3.0f);
    ImGui::GetWindowDrawList()->AddRect({at.x, at.y + size * 0.1f}, {at.x + size, at.y + size * 0.9f},
                                        IM_COL32(200, 200, 200, 255), 3.0f);
    ImGui::Dummy({size, size});
    ImGui::SameLine();
  }
}

// A car glyph as the tower view draws it, inline with the text.
void car_glyph(CarLook look) {
  const float size = ImGui::GetFontSize();
  const ImVec2 at = ImGui::GetCursorScreenPos();
  draw_car_side(ImGui::GetWindowDrawList(), at, {at.x + size * 2.2f, at.y + size * 1.1f}, look);
  ImGui::Dummy({size * 2.2f, size * 1.1f});
  ImGui::SameLine();
}

bool section(const char* title) { return ImGui::CollapsingHeader(title, ImGuiTreeNodeFlags_DefaultOpen); }

}  // namespace

// [SECTION] Formatting shared by the panels

std::string format_money(Money amount) {
  const std::string plain = format_major_units(amount.minor);  // "-22200.00"
  const bool negative = !plain.empty() && plain[0] == '-';
  const std::size_t point = plain.find('.');
  const std::string whole = plain.substr(negative ? 1 : 0, point - (negative ? 1 : 0));
  std::string grouped;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped += ',';
    grouped += whole[i];
  }
  return (negative ? "-" : "") + grouped + (point == std::string::npos ? "" : plain.substr(point)) + " " +
         amount.currency.str();
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds)) return "-";
  if (seconds < 0.0) return "-" + format_duration(-seconds);
  const long long whole = std::llround(seconds);
  char text[48];
  if (whole < 60) std::snprintf(text, sizeof text, "%lld s", whole);
  else if (whole < 3600) std::snprintf(text, sizeof text, "%lld min %02lld s", whole / 60, whole % 60);
  else if (whole < 172800) std::snprintf(text, sizeof text, "%lld h %02lld min", whole / 3600, whole / 60 % 60);
  else std::snprintf(text, sizeof text, "%lld d %02lld h", whole / 86400, whole / 3600 % 24);
  return text;
}

std::string format_clock(SimTime at) {
  const long long seconds = std::max<long long>(0, at.us / 1'000'000);
  char text[48];
  const long long days = seconds / 86400;
  if (days < 3650) {  // a simulation counts days from its start
    std::snprintf(text, sizeof text, "day %lld, %02lld:%02lld:%02lld", days + 1, seconds / 3600 % 24,
                  seconds / 60 % 60, seconds % 60);
    return text;
  }
  // The live tower's clock is UTC since 1970: a calendar date (Howard Hinnant's days-to-civil).
  const long long z = days + 719468, era = z / 146097, doe = z - era * 146097;
  const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long long mp = (5 * doy + 2) / 153, day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
  std::snprintf(text, sizeof text, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld UTC", yoe + era * 400 + (month <= 2),
                month, day, seconds / 3600 % 24, seconds / 60 % 60, seconds % 60);
  return text;
}

// [SECTION] The UI

void TwinUi::refusal_text(const std::string& refusal) {
  if (refusal.empty()) return;
  ImGui::PushStyleColor(ImGuiCol_Text, refusal_colour);
  ImGui::TextWrapped("%s", refusal.c_str());
  ImGui::PopStyleColor();
}

// Drawn as lines: the default font has neither glyph.
void TwinUi::verdict(bool ok, const std::string& words) {
  const float size = ImGui::GetFontSize();
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImU32 colour = ImGui::GetColorU32(ok ? good_colour : refusal_colour);
  const float thickness = std::max(2.0f, size * 0.14f);
  if (ok) {
    draw->AddLine({at.x + size * 0.15f, at.y + size * 0.55f}, {at.x + size * 0.4f, at.y + size * 0.8f}, colour,
                  thickness);
    draw->AddLine({at.x + size * 0.4f, at.y + size * 0.8f}, {at.x + size * 0.9f, at.y + size * 0.2f}, colour,
                  thickness);
  } else {
    draw->AddLine({at.x + size * 0.2f, at.y + size * 0.2f}, {at.x + size * 0.8f, at.y + size * 0.8f}, colour,
                  thickness);
    draw->AddLine({at.x + size * 0.8f, at.y + size * 0.2f}, {at.x + size * 0.2f, at.y + size * 0.8f}, colour,
                  thickness);
  }
  ImGui::Dummy({size, size});
  if (words.empty()) return;
  ImGui::SameLine();
  ImGui::TextColored(ok ? good_colour : refusal_colour, "%s", words.c_str());
}

TwinUi::TwinUi(TwinModel& model) : model_(model), tab_shown_(model.mode) {
  const auto& examples = example_scenarios();  // the example chooser starts on the one being watched
  for (std::size_t i = 0; i < examples.size(); ++i)
    if (examples[i].file == model.scenario_label()) example_index_ = static_cast<int>(i);
}

void TwinUi::frame() {
  keyboard();
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const float panel = std::min(display.x, std::max(display.x * 0.4f, ImGui::GetFontSize() * 30.0f));
  const float split = std::floor(std::max(display.x * 0.45f, display.x - panel));
  tower_window({0.0f, 0.0f}, {split, display.y});
  panel_window({split, 0.0f}, {display.x - split, display.y});
  send_pending();
}

void TwinUi::send(json command, std::string& refusal) { pending_.push_back({std::move(command), &refusal}); }

void TwinUi::send_pending() {
  std::vector<Pending> batch;
  batch.swap(pending_);
  for (const Pending& pending : batch) {
    const json answer = model_.command(pending.command);
    if (!answer.contains("error")) pending.refusal->clear();
    else *pending.refusal = answer["error"].is_string() ? answer["error"].get<std::string>() : answer["error"].dump();
  }
}

void TwinUi::keyboard() {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return;
  static const char* const modes[] = {"customer", "staff", "live"};
  for (const ImWchar typed : io.InputQueueCharacters) {
    // While keyboard navigation shows a focused widget, Space is ImGui's "activate" and stays so.
    if (typed == ' ' && !io.NavVisible)
      send({{"do", "pause"}, {"value", !model_.playback().paused}}, refusals_.playback);
    if (typed >= '1' && typed <= '3') send({{"do", "mode"}, {"value", modes[typed - '1']}}, refusals_.mode);
  }
}

bool TwinUi::showing_live() const { return model_.mode == Mode::live && model_.live().has_snapshot(); }

double TwinUi::transfer_stroke_m() const {
  if (showing_live()) return MachineConfig{}.transfer_stroke_m;  // the feed carries no machine configuration
  return model_.playback().simulator().scenario().machine.transfer_stroke_m;
}

void TwinUi::tower_window(ImVec2 pos, ImVec2 size) {
  ImGui::SetNextWindowPos(pos);
  ImGui::SetNextWindowSize(size);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, {0.0f, 0.0f});
  ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 0.0f);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0.0f);
  const bool open = ImGui::Begin("Tower view", nullptr,
                                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                     ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                                     ImGuiWindowFlags_NoBackground);  // the sky covers it: a software
                                                                       // renderer pays for every layer
  ImGui::PopStyleVar(3);
  if (open) {
    const float status_h = ImGui::GetFrameHeightWithSpacing();
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const ImVec2 canvas{size.x, std::max(1.0f, size.y - status_h)};
    TowerViewInput input;
    input.mouse = ImGui::GetIO().MousePos;
    input.mouse_over = ImGui::IsWindowHovered() && !ImGui::IsAnyItemHovered();
    input.time_s = ImGui::GetTime();
    input.transfer_stroke_m = transfer_stroke_m();
    const TowerViewResult view = draw_tower(model_.scene(), ImGui::GetWindowDrawList(), origin, canvas, view_, input);
    plan_chooser(view.chooser_min, view.chooser_max);
    if (view.hovered.valid()) {
      car_card(view.hovered);
      // A live car's id means nothing to the local simulation the customer buys from.
      if (ImGui::IsMouseClicked(ImGuiMouseButton_Left) && !showing_live())
        send({{"do", "select_car"}, {"car", view.hovered.value}}, refusals_.tower);
    }
    ImGui::SetCursorScreenPos({origin.x + ImGui::GetStyle().ItemSpacing.x, origin.y + canvas.y + 2.0f});
    status_line();
  }
  ImGui::End();
}

// The hover card: what the car is, what it costs, where it is and whether it is free.
void TwinUi::car_card(CarId id) {
  const Scene& scene = model_.scene();
  const SceneCar* car = find_car(scene, id);
  if (!car) return;
  ImGui::BeginTooltip();
  if (car->spec) {
    ImGui::TextUnformatted(car_name(*car->spec).c_str());
    colour_swatch(car->spec->colour);
    ImGui::Text("%s,  %s", car->spec->colour.c_str(), format_money(car->spec->price).c_str());
  } else {
    ImGui::Text("Car %u", id.value);
  }
  const CarLook look = car_look(*car);
  car_glyph(look);
  ImGui::Text("%s: %s", car_look_name(look), whereabouts(scene, *car).c_str());
  if (car->held) ImGui::TextUnformatted("Promised to an order or a test drive");
  if (car->id == scene.highlight) {
    const bool yours = model_.delivery() && model_.delivery()->car == id;
    ImGui::TextColored(highlight_text, yours ? "Your car" : "Your choice");
  }
  if (!showing_live()) ImGui::TextDisabled("%s", model_.selected == id ? "Selected" : "Click to choose this car");
  ImGui::EndTooltip();
}

// Which level, and with several lifts which lift's, the plan inset shows; a view setting, not a model command.
void TwinUi::plan_chooser(ImVec2 min, ImVec2 max) {
  const Scene& scene = model_.scene();
  if (!scene.config || max.x <= min.x) return;
  const int lifts = static_cast<int>(scene.lifts.size());
  // Beside the lift chooser the level chooser has less room: "Level: auto" rather than "Plan: follows the lift".
  auto name = [&](int level) -> std::string {
    if (level < 0) return lifts > 1 ? "Level: auto" : "Plan: follows the lift";
    const std::string what = level == 0 ? "bays (ground)" : "level " + std::to_string(level);
    return lifts > 1 ? static_cast<char>(what[0] - 'a' + 'A') + what.substr(1) : "Plan: " + what;
  };
  auto lift_name = [](int lift) { return lift == 0 ? std::string("Lift: auto") : "Lift " + std::to_string(lift); };
  const ImGuiStyle& style = ImGui::GetStyle();
  const float spacing = style.ItemSpacing.x;
  const float lift_w =
      lifts > 1 ? ImGui::CalcTextSize("Lift: auto").x + ImGui::GetFrameHeight() + style.FramePadding.x * 2.0f : 0.0f;
  ImGui::SetCursorScreenPos(min);
  ImGui::SetNextItemWidth(max.x - min.x - (lifts > 1 ? lift_w + spacing : 0.0f));
  if (ImGui::BeginCombo("##plan level", name(view_.plan_level).c_str())) {
    for (int level = -1; level <= scene.config->layout.levels; ++level)
      if (ImGui::Selectable(name(level).c_str(), view_.plan_level == level)) view_.plan_level = level;
    ImGui::EndCombo();
  }
  if (lifts <= 1) return;
  ImGui::SetCursorScreenPos({max.x - lift_w, min.y});
  ImGui::SetNextItemWidth(lift_w);
  if (ImGui::BeginCombo("##plan lift", lift_name(std::min(view_.plan_lift, lifts)).c_str())) {
    for (int lift = 0; lift <= lifts; ++lift)
      if (ImGui::Selectable(lift_name(lift).c_str(), view_.plan_lift == lift)) view_.plan_lift = lift;
    ImGui::EndCombo();
  }
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("The plan shows this lift's shaft; auto follows your car (lift 1 until you choose one)");
}

void TwinUi::status_line() {
  const bool live = showing_live();
  const std::string clock = format_clock(model_.scene().now);
  ImGui::Text("%.0f fps  %.1f ms  |  %s  |  %s%s", model_.fps, model_.frame_ms,
              live ? "live tower" : model_.scenario_label().c_str(), clock.c_str(),
              !live && model_.playback().paused ? "  (paused)" : "");
  if (!refusals_.tower.empty()) {
    ImGui::SameLine();
    ImGui::TextColored(refusal_colour, "%s", refusals_.tower.c_str());
  }
}

void TwinUi::panel_window(ImVec2 pos, ImVec2 size) {
  ImGui::SetNextWindowPos(pos);
  ImGui::SetNextWindowSize(size);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 0.0f);
  const bool open = ImGui::Begin("Panel", nullptr,
                                 ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                     ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                                     ImGuiWindowFlags_NoBackground);  // the backend clears to the panel colour
  ImGui::PopStyleVar();
  if (open) {
    mode_tabs();
    refusal_text(refusals_.mode);
    switch (model_.mode) {
      case Mode::customer: customer_panel(); break;
      case Mode::staff: staff_panel(); break;
      case Mode::live: live_panel(); break;
    }
  }
  ImGui::End();
}

// The tab bar follows model.mode (which a key, the test hook or "what if" may change); a click on a tab sends
// the mode command. ImGui selects a tab one frame after being asked, hence tab_shown_.
void TwinUi::mode_tabs() {
  struct Tab {
    Mode mode;
    const char* label;
  };
  static const Tab tabs[] = {{Mode::customer, "Customer"}, {Mode::staff, "Staff"}, {Mode::live, "Live"}};
  if (!ImGui::BeginTabBar("modes")) return;
  const Mode shown_before = tab_shown_;
  for (const Tab& tab : tabs) {
    const bool follow = tab.mode == model_.mode && shown_before != model_.mode;
    if (!ImGui::BeginTabItem(tab.label, nullptr, follow ? ImGuiTabItemFlags_SetSelected : 0)) continue;
    if (tab.mode != model_.mode && shown_before == model_.mode)
      send({{"do", "mode"}, {"value", to_string(tab.mode)}}, refusals_.mode);
    tab_shown_ = tab.mode;
    ImGui::EndTabItem();
  }
  ImGui::EndTabBar();
}

// [SECTION] Customer panel

// Once a car is on its way, watching it comes first.
void TwinUi::customer_panel() {
  if (model_.delivery() && section("Watch the retrieval")) delivery_watch();
  if (section("Your profile")) profile_inputs();
  if (section("Cars in stock")) stock_list();
  if (section("Your choice")) offer_details();
  if (section("Simulation")) playback_controls();
}

void TwinUi::profile_inputs() {
  CustomerProfile profile = model_.profile;
  float apr = static_cast<float>(profile.apr_percent);
  ImGui::PushItemWidth(ImGui::GetContentRegionAvail().x * 0.55f);
  bool changed = ImGui::SliderInt("Credit score", &profile.credit_score, 350, 950);
  changed |= ImGui::Checkbox("Super Member", &profile.super_member);
  changed |= ImGui::SliderFloat("APR", &apr, 0.0f, 20.0f, "%.2f %%");
  changed |= ImGui::SliderInt("Months", &profile.months, 1, 120, "%d months");
  ImGui::PopItemWidth();
  if (changed)
    send({{"do", "profile"},
          {"credit_score", profile.credit_score},
          {"super_member", profile.super_member},
          {"apr_percent", std::round(static_cast<double>(apr) * 100.0) / 100.0},
          {"months", profile.months}},
         refusals_.profile);
  refusal_text(refusals_.profile);
}

void TwinUi::stock_list() {
  const Scene& scene = model_.scene();
  std::vector<const SceneCar*> stock;
  for (const SceneCar& car : scene.cars)
    if (car.place == CarPlace::in_slot && car.state == CarState::in_slot && !car.held && car.spec)
      stock.push_back(&car);
  std::sort(stock.begin(), stock.end(), [](const SceneCar* a, const SceneCar* b) {
    if (a->spec->make != b->spec->make) return a->spec->make < b->spec->make;
    if (a->spec->model != b->spec->model) return a->spec->model < b->spec->model;
    return a->spec->price.minor < b->spec->price.minor;
  });
  ImGui::TextDisabled("%d free cars: pick one here or click one in the tower", static_cast<int>(stock.size()));
  const float rows = static_cast<float>(std::min<std::size_t>(stock.size() + 1, 8));
  const float height = rows * ImGui::GetTextLineHeightWithSpacing() + 6.0f;
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersOuter |
                                ImGuiTableFlags_SizingStretchProp;
  CarId chosen{};
  if (!stock.empty() && ImGui::BeginTable("stock", 4, flags, {0.0f, height})) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("Car", ImGuiTableColumnFlags_WidthStretch, 3.0f);
    ImGui::TableSetupColumn("Colour", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableSetupColumn("Price", ImGuiTableColumnFlags_WidthStretch, 1.8f);
    ImGui::TableSetupColumn("Where", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableHeadersRow();
    for (const SceneCar* car : stock) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::PushID(static_cast<int>(car->id.value));
      const std::string name = car->spec->make + " " + car->spec->model;
      if (ImGui::Selectable(name.c_str(), model_.selected == car->id, ImGuiSelectableFlags_SpanAllColumns))
        chosen = car->id;
      ImGui::PopID();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(car->spec->colour.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(format_money(car->spec->price).c_str());
      ImGui::TableNextColumn();
      const std::string where = whereabouts(scene, *car);
      ImGui::TextUnformatted(where.substr(0, where.find(',')).c_str());
    }
    ImGui::EndTable();
  }
  if (chosen.valid()) send({{"do", "select_car"}, {"car", chosen.value}}, refusals_.choice);
  refusal_text(refusals_.choice);
}

void TwinUi::offer_details() {
  const std::optional<Offer> offer = model_.offer();
  if (!offer) {
    ImGui::TextDisabled("Choose a car in the list or click one in the tower.");
    return;
  }
  const CarSpec& spec = offer->spec;
  ImGui::TextUnformatted(car_name(spec).c_str());
  colour_swatch(spec.colour);
  ImGui::Text("%s,  %s", spec.colour.c_str(), format_money(spec.price).c_str());
  ImGui::Spacing();
  const auto& delivery = model_.delivery();
  if (delivery && delivery->car == offer->car) {  // its offer would only say it is promised, to this customer
    ImGui::TextColored(good_colour, delivery->trial ? "Your test drive" : "Yours");
    if (!model_.customer_message.empty()) wrapped(model_.customer_message);
    return;
  }

  verdict(offer->purchase.allowed, offer->purchase.allowed ? "You can buy it now" : "Instant purchase not available");
  reasons(offer->purchase.reasons);
  const TrialTerms& trial = offer->trial;
  if (trial.free) {
    verdict(true, "Free test drive");
  } else {
    std::string terms = "Test drive: fee " + format_money(trial.fee) + ", refundable deposit " +
                        format_money(trial.deposit);
    if (trial.discount.value > 0) terms += " (" + format_percent(trial.discount) + "% off)";
    verdict(false, "No free test drive");
    ImGui::Indent();
    wrapped(terms);
    ImGui::Unindent();
  }
  reasons(trial.reasons);
  ImGui::Spacing();

  const Ppm down = model_.scene().config ? model_.scene().config->sales.down_payment : percent(10);
  ImGui::Text("Down payment: %s", format_money(offer->down_payment).c_str());
  if (offer->finance) {
    const FinanceQuote& quote = *offer->finance;
    ImGui::Text("Then %s a month for %d months at %s%% APR", format_money(quote.monthly_payment).c_str(),
                quote.terms.months, format_percent(quote.terms.apr).c_str());
    ImGui::Text("Total interest: %s", format_money(quote.total_interest).c_str());
  } else {
    refusal_text("Financing: " + offer->finance_error);
  }
  ImGui::Spacing();

  ImGui::BeginDisabled(!offer->purchase.allowed);
  const std::string buy = "Buy (pay " + format_percent(down) + "% down)";
  if (ImGui::Button(buy.c_str())) send({{"do", "buy"}}, refusals_.order);
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Book a test drive")) send({{"do", "book_trial"}}, refusals_.order);
  if (!refusals_.order.empty()) refusal_text(refusals_.order);
  else if (!model_.customer_message.empty()) wrapped(model_.customer_message);
}

// The countdown is the simulation's own future (the model runs a copy ahead); the scheduler's ETA is shown
// beside it in small text, so a customer can see how honest the promise was.
void TwinUi::delivery_watch() {
  const Delivery& delivery = *model_.delivery();
  const Scene& scene = model_.playback().scene();  // the customer's car is in the local simulation
  const SimTime now = model_.playback().now();
  const SceneCar* car = find_car(scene, delivery.car);
  if (car && car->spec) ImGui::Text("%s, %s", car_name(*car->spec).c_str(), car->spec->colour.c_str());
  const Job* job = model_.playback().simulator().visitor_job(delivery.visitor);
  const std::string bay = job && job->bay.valid() ? bay_name(scene, job->bay) : std::string("a bay");

  ImGui::SetWindowFontScale(1.5f);
  if (delivery.arrived)
    ImGui::TextColored(good_colour, "Arrived: your car is in %s", bay.c_str());
  else if (delivery.arrives)
    wrapped("Your car is in " + bay + " in " +
            format_duration(std::max(0.0, static_cast<double>((*delivery.arrives - now).us) / 1e6)));
  else
    ImGui::TextColored(warning_colour, "Waiting for the lift");
  ImGui::SetWindowFontScale(1.0f);
  if (!delivery.arrived && !delivery.arrives)
    wrapped("No estimate: the lift is halted, or the simulated run ends before your car comes down.");
  if (delivery.arrived && delivery.arrives)
    ImGui::Text("It took %s from your order.",
                format_duration(static_cast<double>((*delivery.arrives - delivery.requested).us) / 1e6).c_str());

  if (!delivery.arrived) {
    const double promised = static_cast<double>((delivery.promised - now).us) / 1e6;
    ImGui::TextDisabled("Scheduler's ETA: %s (%s)", promised >= 0 ? ("in " + format_duration(promised)).c_str() : "due",
                        format_clock(delivery.promised).c_str());
  }
  if (delivery.arrives) {
    const double total = static_cast<double>((*delivery.arrives - delivery.requested).us);
    const double done = static_cast<double>((now - delivery.requested).us);
    const float fraction = total > 0.0 ? static_cast<float>(std::clamp(done / total, 0.0, 1.0)) : 1.0f;
    ImGui::ProgressBar(delivery.arrived ? 1.0f : fraction, {-1.0f, 0.0f},
                       delivery.arrived ? "in the bay" : printed("%.0f%% of the way", fraction * 100.0).c_str());
  }
  ImGui::TextDisabled("%s requested %s", delivery.trial ? "Test drive" : "Purchase",
                      format_clock(delivery.requested).c_str());
}

void TwinUi::playback_controls() {
  const Playback& playback = model_.playback();
  float speed = static_cast<float>(playback.speed);
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.55f);
  if (ImGui::SliderFloat("Speed", &speed, 0.5f, 600.0f, "%.1fx", ImGuiSliderFlags_Logarithmic))
    send({{"do", "speed"}, {"value", static_cast<double>(speed)}}, refusals_.playback);
  ImGui::SameLine();
  if (ImGui::Button(playback.paused ? "Resume" : "Pause"))
    send({{"do", "pause"}, {"value", !playback.paused}}, refusals_.playback);
  ImGui::Text("Clock: %s", format_clock(playback.now()).c_str());
  ImGui::SameLine();
  ImGui::TextDisabled("(runs to %s)", format_clock(playback.simulator().end()).c_str());
  ImGui::TextDisabled("Space pauses; 1 / 2 / 3 switch modes.");
  refusal_text(refusals_.playback);
}

}  // namespace tower::twin
