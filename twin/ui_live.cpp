// The live panel: the connection to the tower gateway, the job queue with ETAs, and "what if, from now".
#include <algorithm>
#include <string>

#include "ui.hpp"

namespace tower::twin {
namespace {

const ImVec4 good_colour{0.35f, 0.82f, 0.6f, 1.0f};
const ImVec4 warning_colour{0.95f, 0.8f, 0.3f, 1.0f};

void wrapped(const std::string& text) { ImGui::TextWrapped("%s", text.c_str()); }

bool section(const char* title) { return ImGui::CollapsingHeader(title, ImGuiTreeNodeFlags_DefaultOpen); }

const SceneCar* find_car(const Scene& scene, CarId id) {
  for (const SceneCar& car : scene.cars)
    if (car.id == id) return &car;
  return nullptr;
}

std::string bay_name(const Scene& scene, BayId id) {
  if (scene.config)
    for (const BayDef& bay : scene.config->layout.bays)
      if (bay.id == id && !bay.name.empty()) return bay.name;
  return "bay " + std::to_string(id.value);
}

}  // namespace

void TwinUi::live_panel() {
  const LiveMirror& live = model_.live();
  if (section("Connection")) {
    if (live.connected()) ImGui::TextColored(good_colour, "Connected to the tower gateway");
    else ImGui::TextColored(warning_colour, "Not connected");
    ImGui::Text("Sequence %llu,  %llu messages", static_cast<unsigned long long>(live.sequence()),
                static_cast<unsigned long long>(live.messages()));
    if (live.needs_resync()) ImGui::TextColored(warning_colour, "A message was missed: waiting for a fresh snapshot");
    refusal_text(live.last_error());
    if (!live.connected())
      wrapped("Live mode mirrors a real tower through its gateway's live feed, so it needs this page to be served by "
              "a tower gateway (`tower serve`). Meanwhile the tower view shows the local simulation.");
    if (live.has_snapshot()) {
      const long in_tower = std::count_if(live.cars().begin(), live.cars().end(), [](const Car& car) {
        return car.state == CarState::in_slot || car.state == CarState::in_bay || car.state == CarState::moving;
      });
      ImGui::Text("%ld cars in the tower,  %d jobs", in_tower, static_cast<int>(model_.scene().jobs.size()));
    }
  }
  if (section(live.has_snapshot() ? "Job queue" : "Job queue (local simulation)")) job_table();
  if (section("What if, from now")) what_if_controls();
}

void TwinUi::job_table() {
  const Scene& scene = model_.scene();
  if (scene.jobs.empty()) {
    ImGui::TextDisabled("No jobs: the lift is idle.");
    return;
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_SizingStretchProp;
  const float rows = static_cast<float>(std::min<std::size_t>(scene.jobs.size() + 1, 12));
  if (!ImGui::BeginTable("jobs", 6, flags, {0.0f, rows * ImGui::GetTextLineHeightWithSpacing() + 6.0f})) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  for (const char* column : {"Job", "Kind", "Car", "Bay", "State", "ETA"}) ImGui::TableSetupColumn(column);
  ImGui::TableHeadersRow();
  for (const SceneJob& job : scene.jobs) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::Text("%llu", static_cast<unsigned long long>(job.id));
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(job.retrieval ? "retrieval" : "storage");
    ImGui::TableNextColumn();
    const SceneCar* car = find_car(scene, job.car);
    if (car && car->spec) ImGui::Text("%s %s", car->spec->make.c_str(), car->spec->model.c_str());
    else ImGui::Text("car %u", job.car.value);
    ImGui::TableNextColumn();
    const std::string bay = job.bay.valid() ? bay_name(scene, job.bay) : "-";
    if (scene.lifts.size() > 1) ImGui::Text("%s (lift %u)", bay.c_str(), job.lift.value);
    else ImGui::TextUnformatted(bay.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(job.running ? "running" : "queued");
    ImGui::TableNextColumn();
    if (!job.eta_s) ImGui::TextColored(warning_colour, "halted");
    else if (*job.eta_s >= 0.0) ImGui::Text("in %s", format_duration(*job.eta_s).c_str());
    else ImGui::TextColored(warning_colour, "late %s", format_duration(-*job.eta_s).c_str());
  }
  ImGui::EndTable();
}

void TwinUi::what_if_controls() {
  wrapped("Forks the live tower into a local simulation, with the fault and without it, and shows both as runs "
          "in the Staff tab.");
  static const char* const faults[] = {"Lift out of service", "No fault (as is)"};
  ImGui::PushItemWidth(ImGui::GetContentRegionAvail().x * 0.55f);
  ImGui::Combo("Fault", &what_if_fault_, faults, 2);
  ImGui::BeginDisabled(what_if_fault_ != 0);
  ImGui::SliderInt("Minutes out", &what_if_minutes_, 1, 240);
  ImGui::EndDisabled();
  ImGui::PopItemWidth();
  ImGui::BeginDisabled(!model_.live().has_snapshot());
  if (ImGui::Button("Fork and run"))
    send({{"do", "what_if"}, {"fault", what_if_fault_ == 0 ? "lift_out" : "none"}, {"minutes", what_if_minutes_}},
         refusals_.what_if);
  ImGui::EndDisabled();
  if (!model_.live().has_snapshot()) ImGui::TextDisabled("Needs the live tower's snapshot first.");
  refusal_text(refusals_.what_if);
}

}  // namespace tower::twin
