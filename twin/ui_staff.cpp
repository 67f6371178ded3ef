// The staff panel: the scenario editor, what-if runs with their KPIs and plots, and two runs compared.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "ui.hpp"

namespace tower::twin {
namespace {

// The verdict's colours, as the tick and the cross beside them.
const ImVec4 better_colour{0.35f, 0.82f, 0.6f, 1.0f};
const ImVec4 worse_colour{1.0f, 0.42f, 0.36f, 1.0f};
const ImU32 run_a_colour = IM_COL32(86, 180, 233, 255);  // Okabe-Ito sky blue and orange: apart for every eye
const ImU32 run_b_colour = IM_COL32(230, 159, 0, 255);

double seconds(Duration duration) { return static_cast<double>(duration.us) / 1e6; }

// [SECTION] KPIs, described once for the run's table and the comparison

enum class Unit { count, seconds, percent, per_hour };
enum class Better { lower, higher, neither };

struct Kpi {
  const char* name;
  Unit unit;
  Better better;
  double (*value)(const SimKpis&);
};

const Kpi kpi_rows[] = {
    {"Customers", Unit::count, Better::neither, [](const SimKpis& k) { return static_cast<double>(k.customers); }},
    {"Refused", Unit::count, Better::lower, [](const SimKpis& k) { return static_cast<double>(k.refused); }},
    {"Wait, mean", Unit::seconds, Better::lower, [](const SimKpis& k) { return seconds(k.wait.mean); }},
    {"Wait, p95", Unit::seconds, Better::lower, [](const SimKpis& k) { return seconds(k.wait.p95); }},
    {"Wait, max", Unit::seconds, Better::lower, [](const SimKpis& k) { return seconds(k.wait.max); }},
    {"Lift utilisation", Unit::percent, Better::neither, [](const SimKpis& k) { return 100.0 * k.lift_utilisation; }},
    {"Throughput", Unit::per_hour, Better::higher, [](const SimKpis& k) { return k.throughput_per_hour; }},
    {"Ready on arrival", Unit::percent, Better::higher,
     [](const SimKpis& k) { return 100.0 * k.ready_on_arrival_share; }},
    {"ETA error, mean", Unit::seconds, Better::lower, [](const SimKpis& k) { return seconds(k.eta_error_mean); }},
    {"ETA error, max", Unit::seconds, Better::lower, [](const SimKpis& k) { return seconds(k.eta_error_max); }},
    {"Max queue", Unit::count, Better::lower, [](const SimKpis& k) { return static_cast<double>(k.max_queue_length); }},
    {"Lifts", Unit::count, Better::neither, [](const SimKpis& k) { return static_cast<double>(k.lifts); }},
    {"Lift out of service", Unit::seconds, Better::lower, [](const SimKpis& k) { return seconds(k.lift_out_time); }},
    {"Emergency stops", Unit::count, Better::lower,
     [](const SimKpis& k) { return static_cast<double>(k.emergency_stops); }},
};

std::string formatted(Unit unit, double value, bool signed_value = false) {
  char text[48];
  const char* sign = signed_value && value > 0.0 ? "+" : "";
  switch (unit) {
    case Unit::count: std::snprintf(text, sizeof text, "%s%.0f", sign, value); break;
    case Unit::seconds: return sign + format_duration(value);
    case Unit::percent: std::snprintf(text, sizeof text, "%s%.1f %%", sign, value); break;
    case Unit::per_hour: std::snprintf(text, sizeof text, "%s%.2f /h", sign, value); break;
  }
  return text;
}

// [SECTION] Plots

struct Series {
  std::string name;
  std::vector<float> values;
  ImU32 colour;
};

// How the x axis is labelled: index i stands for first + i * step, in `unit`.
struct XAxis {
  double first = 0.0, step = 1.0;
  Unit unit = Unit::count;
  const char* prefix = "hour ";
};

std::string x_label(const XAxis& axis, double index) {
  return axis.prefix + formatted(axis.unit, axis.first + axis.step * index);
}

// What the plot shows at `index`: the x range (bars) or point (lines) it stands for and each series' value.
void plot_tooltip(const std::vector<Series>& series, bool bars, Unit y_unit, const XAxis& axis, std::size_t index) {
  const double at = static_cast<double>(index);
  const std::string what =
      bars ? x_label(axis, at) + " to " + formatted(axis.unit, axis.first + axis.step * (at + 1.0)) : x_label(axis, at);
  ImGui::BeginTooltip();
  ImGui::TextUnformatted(what.c_str());
  for (const Series& s : series)
    if (index < s.values.size())
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(s.colour), "%s: %s", s.name.c_str(),
                         formatted(y_unit, static_cast<double>(s.values[index])).c_str());
  ImGui::EndTooltip();
}

// Lines (or grouped bars) of one or more series over a shared x axis, with the scale, the axis ends and a
// tooltip of every series' value under the mouse. Series of different lengths share the x scale.
void plot(const char* id, const std::string& title, const std::vector<Series>& series, bool bars, Unit y_unit,
          const XAxis& axis) {
  std::size_t count = 0;
  float top = 0.0f;
  for (const Series& s : series) {
    count = std::max(count, s.values.size());
    for (float v : s.values) top = std::max(top, v);
  }
  ImGui::TextUnformatted(title.c_str());
  if (count == 0) {
    ImGui::TextDisabled("no data");
    return;
  }
  top = top > 0.0f ? top * 1.1f : 1.0f;
  if (y_unit == Unit::count) top = 2.0f * std::ceil(top / 2.0f);  // whole numbers at the half-way line too
  const float font = ImGui::GetFontSize(), gutter = ImGui::CalcTextSize("00 min 00 s").x * 0.75f;
  const ImVec2 min = ImGui::GetCursorScreenPos();
  const ImVec2 size{std::max(ImGui::GetContentRegionAvail().x, font * 8.0f), font * 6.5f};
  ImGui::InvisibleButton(id, size);
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 max{min.x + size.x, min.y + size.y};
  draw->AddRectFilled(min, max, ImGui::GetColorU32(ImGuiCol_FrameBg), 3.0f);
  const ImVec2 area_min{min.x + gutter, min.y + font * 0.5f}, area_max{max.x - font * 0.5f, max.y - font * 1.4f};
  const float width = area_max.x - area_min.x, height = area_max.y - area_min.y;
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  for (float share : {0.0f, 0.5f, 1.0f}) {
    const float y = area_max.y - height * share;
    draw->AddLine({area_min.x, y}, {area_max.x, y}, ImGui::GetColorU32(ImGuiCol_Border));
    const std::string label = formatted(y_unit, static_cast<double>(top * share));
    draw->AddText({min.x + 3.0f, y - font * 0.5f}, text, label.c_str());
  }
  const double slots = bars ? static_cast<double>(count) : static_cast<double>(std::max<std::size_t>(count - 1, 1));
  auto x_of = [&](double index) { return area_min.x + width * static_cast<float>(index / slots); };
  auto y_of = [&](float value) { return area_max.y - height * std::clamp(value / top, 0.0f, 1.0f); };
  const float bar = width / static_cast<float>(count) * 0.8f / static_cast<float>(series.size());
  for (std::size_t k = 0; k < series.size(); ++k) {
    const std::vector<float>& values = series[k].values;
    if (bars) {
      for (std::size_t i = 0; i < values.size(); ++i) {
        const float left = x_of(static_cast<double>(i)) + width / static_cast<float>(count) * 0.1f +
                           bar * static_cast<float>(k);
        draw->AddRectFilled({left, y_of(values[i])}, {left + bar, area_max.y}, series[k].colour);
      }
    } else {
      std::vector<ImVec2> points;
      for (std::size_t i = 0; i < values.size(); ++i) points.push_back({x_of(static_cast<double>(i)), y_of(values[i])});
      draw->AddPolyline(points.data(), static_cast<int>(points.size()), series[k].colour, 0, 2.0f);
    }
  }
  const std::string first = x_label(axis, 0.0), last = x_label(axis, bars ? static_cast<double>(count) : slots);
  draw->AddText({area_min.x, area_max.y + font * 0.2f}, text, first.c_str());
  draw->AddText({area_max.x - ImGui::CalcTextSize(last.c_str()).x, area_max.y + font * 0.2f}, text, last.c_str());
  if (!hovered) return;
  const double at = (ImGui::GetIO().MousePos.x - area_min.x) / width * slots;
  const std::size_t index = std::min(count - 1, static_cast<std::size_t>(std::max(0.0, bars ? at : at + 0.5)));
  const float guide = bars ? x_of(static_cast<double>(index) + 0.5) : x_of(static_cast<double>(index));
  draw->AddLine({guide, area_min.y}, {guide, area_max.y}, text);
  plot_tooltip(series, bars, y_unit, axis, index);
}

std::vector<float> hourly(const SimKpis& kpis, float (*value)(const HourSample&)) {
  std::vector<float> values;
  for (const HourSample& hour : kpis.hourly) values.push_back(value(hour));
  return values;
}

float longest_hourly_wait(const SimKpis& kpis) {
  float longest = 0.0f;
  for (const HourSample& hour : kpis.hourly) longest = std::max(longest, static_cast<float>(seconds(hour.mean_wait)));
  return longest;
}

// Customers by their hour's mean wait: each hour's retrievals land in the bucket of that hour's mean. The
// KPIs keep no single waits, so this is the closest honest histogram.
std::vector<float> wait_histogram(const SimKpis& kpis, double bucket_s, std::size_t buckets) {
  std::vector<float> counts(buckets, 0.0f);
  for (const HourSample& hour : kpis.hourly) {
    if (hour.retrievals <= 0) continue;
    const auto bucket = static_cast<std::size_t>(std::max(0.0, seconds(hour.mean_wait) / bucket_s));
    counts[std::min(bucket, buckets - 1)] += static_cast<float>(hour.retrievals);
  }
  return counts;
}

// Bucket width for waits up to `longest_s`: a round number of seconds giving about ten buckets.
double bucket_width(float longest_s) {
  for (double width : {5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0})
    if (static_cast<double>(longest_s) / width <= 12.0) return width;
  return 3600.0;
}

// The three plots of one run, or of two runs overlaid.
void run_plots(const std::vector<const SimKpis*>& runs, const std::vector<std::string>& names) {
  const ImU32 colours[] = {run_a_colour, run_b_colour};
  float longest = 0.0f;
  for (const SimKpis* kpis : runs) longest = std::max(longest, longest_hourly_wait(*kpis));
  const double bucket = bucket_width(longest);
  const auto buckets = static_cast<std::size_t>(std::floor(static_cast<double>(longest) / bucket)) + 1;
  std::vector<Series> waits, lift, queue;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    waits.push_back({names[i], wait_histogram(*runs[i], bucket, buckets), colours[i]});
    lift.push_back({names[i], hourly(*runs[i], [](const HourSample& h) {
                      return 100.0f * static_cast<float>(h.lift_utilisation);
                    }),
                    colours[i]});
    queue.push_back({names[i], hourly(*runs[i], [](const HourSample& h) { return static_cast<float>(h.queue_length); }),
                     colours[i]});
  }
  plot("##waits", "Customers by their hour's mean wait", waits, true, Unit::count, {0.0, bucket, Unit::seconds, ""});
  plot("##lift", "Lift utilisation per hour", lift, false, Unit::percent, {});
  plot("##queue", "Queue length at the end of each hour", queue, false, Unit::count, {});
}

int resize_string(ImGuiInputTextCallbackData* data) {
  if (data->EventFlag == ImGuiInputTextFlags_CallbackResize) {
    auto* text = static_cast<std::string*>(data->UserData);
    text->resize(static_cast<std::size_t>(data->BufTextLen));
    data->Buf = text->data();
  }
  return 0;
}

std::string run_name(const std::vector<Run>& runs, int index) {
  if (index < 0 || index >= static_cast<int>(runs.size())) return "(choose a run)";
  return std::to_string(index + 1) + ": " + runs[static_cast<std::size_t>(index)].label;
}

}  // namespace

void TwinUi::staff_panel() {
  if (ImGui::CollapsingHeader("Scenario", ImGuiTreeNodeFlags_DefaultOpen)) scenario_editor();
  if (ImGui::CollapsingHeader("Simulation")) playback_controls();
  const std::string runs_title = "What-if runs (" + std::to_string(model_.runs().size()) + ")###runs";
  if (ImGui::CollapsingHeader(runs_title.c_str(), ImGuiTreeNodeFlags_DefaultOpen)) runs_list();
  if (ImGui::CollapsingHeader("Compare two runs", ImGuiTreeNodeFlags_DefaultOpen)) comparison();
}

void TwinUi::scenario_editor() {
  const auto& examples = example_scenarios();
  if (!examples.empty()) {
    example_index_ = std::clamp(example_index_, 0, static_cast<int>(examples.size()) - 1);
    const std::string& file = examples[static_cast<std::size_t>(example_index_)].file;
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.45f);
    if (ImGui::BeginCombo("##example", file.c_str())) {
      for (std::size_t i = 0; i < examples.size(); ++i)
        if (ImGui::Selectable(examples[i].file.c_str(), static_cast<int>(i) == example_index_))
          example_index_ = static_cast<int>(i);
      ImGui::EndCombo();
    }
    ImGui::SameLine();
    if (ImGui::Button("Load")) send({{"do", "load"}, {"example", file}}, refusals_.scenario);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Watch it in the tower view");
    ImGui::SameLine();
    if (ImGui::Button("Run what-if")) send({{"do", "run"}, {"example", file}}, refusals_.scenario);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Run it to the end and add its KPIs to the runs below");
  }
  ImGui::TextDisabled("Watching: %s", model_.scenario_label().c_str());
  std::string& text = model_.scenario_text;
  ImGui::InputTextMultiline("##scenario", text.data(), text.capacity() + 1,
                            {-1.0f, ImGui::GetTextLineHeight() * 14.0f}, ImGuiInputTextFlags_CallbackResize,
                            resize_string, &text);
  if (ImGui::Button("Run edited")) send({{"do", "run"}, {"scenario_text", true}}, refusals_.scenario);
  ImGui::SameLine();
  if (ImGui::Button("Watch edited")) send({{"do", "load"}, {"scenario_text", true}}, refusals_.scenario);
  ImGui::SameLine();
  if (ImGui::Button("Copy JSON")) ImGui::SetClipboardText(text.c_str());
  ImGui::SameLine();
  bool instant = model_.instant;
  if (ImGui::Checkbox("Instant", &instant)) send({{"do", "instant"}, {"value", instant}}, refusals_.scenario);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Run what-ifs to the end at once instead of a slice per frame");
  if (!model_.scenario_error.empty()) refusal_text(model_.scenario_error);
  else refusal_text(refusals_.scenario);
  ImGui::TextDisabled("To load a saved scenario, paste its JSON into the editor.");
}

void TwinUi::runs_list() {
  const std::vector<Run>& runs = model_.runs();
  if (runs.empty()) {
    ImGui::TextDisabled("No runs yet: run an example or the edited scenario.");
    return;
  }
  if (details_run_ >= static_cast<int>(runs.size())) details_run_ = -1;
  const int shown = details_run_ >= 0 ? details_run_ : static_cast<int>(runs.size()) - 1;
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_SizingStretchProp;
  const float rows = static_cast<float>(std::min<std::size_t>(runs.size(), 6));
  if (ImGui::BeginTable("run list", 2, flags, {0.0f, rows * ImGui::GetFrameHeightWithSpacing() + 6.0f})) {
    ImGui::TableSetupColumn("Run", ImGuiTableColumnFlags_WidthStretch, 3.0f);
    ImGui::TableSetupColumn("Progress", ImGuiTableColumnFlags_WidthStretch, 2.0f);
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const Run& run = runs[i];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::PushID(static_cast<int>(i));
      if (ImGui::Selectable(run_name(runs, static_cast<int>(i)).c_str(), static_cast<int>(i) == shown))
        details_run_ = static_cast<int>(i);
      ImGui::PopID();
      ImGui::TableNextColumn();
      if (!run.error.empty()) refusal_text("failed");
      else ImGui::ProgressBar(static_cast<float>(run.progress()), {-1.0f, 0.0f}, run.finished() ? "done" : nullptr);
    }
    ImGui::EndTable();
  }
  run_details(shown);
}

void TwinUi::run_details(int index) {
  const Run& run = model_.runs()[static_cast<std::size_t>(index)];
  ImGui::Text("%s", run_name(model_.runs(), index).c_str());
  ImGui::SameLine();
  if (ImGui::SmallButton("Copy to editor")) send({{"do", "edit_run"}, {"index", index}}, refusals_.runs);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Put this run's scenario JSON in the editor, to change or save it");
  refusal_text(refusals_.runs);
  refusal_text(run.error);
  if (!run.kpis) {
    if (run.error.empty()) ImGui::TextDisabled("Running: KPIs when it finishes.");
    return;
  }
  const SimKpis& kpis = *run.kpis;
  ImGui::TextDisabled("%s, schedule %s, dwell %s, seed %llu", format_duration(seconds(kpis.simulated)).c_str(),
                      kpis.schedule.c_str(), kpis.dwell.c_str(), static_cast<unsigned long long>(kpis.seed));
  if (ImGui::BeginTable("kpis", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
    for (const Kpi& kpi : kpi_rows) {
      ImGui::TableNextColumn();
      ImGui::TextDisabled("%s", kpi.name);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(formatted(kpi.unit, kpi.value(kpis)).c_str());
    }
    ImGui::EndTable();
  }
  run_plots({&kpis}, {run.label});
}

void TwinUi::comparison() {
  const std::vector<Run>& runs = model_.runs();
  if (runs.size() < 2) {
    ImGui::TextDisabled("Comparing needs two runs.");
    return;
  }
  int a = model_.compare_a >= 0 ? model_.compare_a : compare_pick_a_;
  int b = model_.compare_b >= 0 ? model_.compare_b : compare_pick_b_;
  bool changed = false;
  const float width = ImGui::GetContentRegionAvail().x * 0.5f - ImGui::GetStyle().ItemSpacing.x;
  for (int* pick : {&a, &b}) {
    ImGui::PushID(pick == &a ? "a" : "b");
    ImGui::SetNextItemWidth(width);
    if (ImGui::BeginCombo("##run", ((pick == &a ? "A " : "B ") + run_name(runs, *pick)).c_str())) {
      for (int i = 0; i < static_cast<int>(runs.size()); ++i)
        if (ImGui::Selectable(run_name(runs, i).c_str(), *pick == i)) {
          *pick = i;
          changed = true;
        }
      ImGui::EndCombo();
    }
    ImGui::PopID();
    if (pick == &a) ImGui::SameLine();
  }
  compare_pick_a_ = a;
  compare_pick_b_ = b;
  if (changed && a >= 0 && b >= 0) send({{"do", "compare"}, {"a", a}, {"b", b}}, refusals_.compare);
  refusal_text(refusals_.compare);
  if (a < 0 || b < 0 || a >= static_cast<int>(runs.size()) || b >= static_cast<int>(runs.size())) return;
  const Run& run_a = runs[static_cast<std::size_t>(a)];
  const Run& run_b = runs[static_cast<std::size_t>(b)];
  if (!run_a.kpis || !run_b.kpis) {
    ImGui::TextDisabled("Both runs must finish first.");
    return;
  }
  comparison_table(*run_a.kpis, *run_b.kpis);
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(run_a_colour), "A: %s", run_a.label.c_str());
  ImGui::SameLine();
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(run_b_colour), "  B: %s", run_b.label.c_str());
  ImGui::PushID("compare plots");
  run_plots({&*run_a.kpis, &*run_b.kpis}, {"A", "B"});
  ImGui::PopID();
}

// Every KPI of A and B, B's difference and ratio, in green with a tick where B is better.
void TwinUi::comparison_table(const SimKpis& a, const SimKpis& b) {
  const ImGuiTableFlags flags =
      ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp;
  if (ImGui::BeginTable("compare", 5, flags)) {
    for (const char* column : {"KPI", "A", "B", "B - A", "B / A"}) ImGui::TableSetupColumn(column);
    ImGui::TableHeadersRow();
    for (const Kpi& kpi : kpi_rows) {
      const double va = kpi.value(a), vb = kpi.value(b);
      const bool b_better = kpi.better == Better::lower ? vb < va : kpi.better == Better::higher && vb > va;
      const bool b_worse = kpi.better == Better::lower ? vb > va : kpi.better == Better::higher && vb < va;
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(kpi.name);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(formatted(kpi.unit, va).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(formatted(kpi.unit, vb).c_str());
      ImGui::TableNextColumn();
      const std::string difference = formatted(kpi.unit, vb - va, true);
      if (b_better || b_worse) ImGui::TextColored(b_better ? better_colour : worse_colour, "%s", difference.c_str());
      else ImGui::TextUnformatted(difference.c_str());
      ImGui::TableNextColumn();
      char ratio[32] = "-";
      if (va != 0.0) std::snprintf(ratio, sizeof ratio, "x%.2f", vb / va);
      if (b_better || b_worse) {  // a tick or a cross as well, so the verdict does not rest on colour alone
        verdict(b_better);
        ImGui::SameLine(0.0f, 2.0f);
        ImGui::TextColored(b_better ? better_colour : worse_colour, "%s", ratio);
      } else {
        ImGui::TextUnformatted(ratio);
      }
    }
    ImGui::EndTable();
  }
}

}  // namespace tower::twin
