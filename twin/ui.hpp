// The twin's user interface: the tower view fills the left of the canvas, and a panel on the right holds the
// current mode's controls. Customer: qualify, choose a car, buy it or book a test drive, then watch it come down
// with an honest countdown. Staff: edit and watch scenarios, run what-ifs, read and compare their KPIs. Live: the
// gateway's tower, its job queue and "what if, from now".
//
// Every action is a TwinModel::command, the same JSON the browser's test hook sends, so whatever a person can do
// is testable headless. Commands are queued while the frame is drawn and sent after it, so the scene and the runs
// never change under the widgets that are reading them; a refusal is shown in red next to the control that sent
// the command, from the next frame on.
//
// Keys (when no text field has the keyboard): Space pauses or resumes the simulation, 1 / 2 / 3 switch to the
// customer, staff and live modes.
//
// [SECTION] Formatting shared by the panels
// [SECTION] The UI
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "imgui.h"
#include "model.hpp"
#include "tower_view.hpp"

namespace tower::twin {

// [SECTION] Formatting shared by the panels

// "22,200.00 CNY": major units grouped by thousands, two decimals, the currency code.
std::string format_money(Money amount);
// A span for people: "8 s", "1 min 23 s", "2 h 05 min", "3 d 04 h"; a negative span gets a minus sign.
std::string format_duration(double seconds);
// A simulated instant as "day 1, 08:12:33" (day 1 starts at the run's epoch); the live tower's clock, which
// counts from 1970, as "2026-11-22 07:00:00 UTC".
std::string format_clock(SimTime at);

// [SECTION] The UI

class TwinUi {
 public:
  explicit TwinUi(TwinModel& model);

  // Draws every window for one frame, sized from ImGui::GetIO().DisplaySize, then sends the frame's commands.
  // Call between ImGui::NewFrame() and ImGui::Render().
  void frame();

 private:
  // Where each control shows the reason its last command was refused (empty when it was accepted).
  struct Refusals {
    std::string mode, tower, profile, choice, order, playback, scenario, runs, compare, what_if;
  };
  struct Pending {
    nlohmann::json command;
    std::string* refusal;
  };

  // Small widgets both panel files draw: a refusal in red (nothing when empty); a tick or a cross, the second
  // cue besides colour, optionally followed by the verdict in words.
  static void refusal_text(const std::string& refusal);
  static void verdict(bool ok, const std::string& words = "");

  void send(nlohmann::json command, std::string& refusal);
  void send_pending();
  void keyboard();
  bool showing_live() const;  // the tower view shows the gateway's tower, not the local simulation
  double transfer_stroke_m() const;

  // ui.cpp: the frame, the tower view, the customer and live panels
  void tower_window(ImVec2 pos, ImVec2 size);
  void car_card(CarId car);
  void plan_chooser(ImVec2 min, ImVec2 max);
  void status_line();
  void panel_window(ImVec2 pos, ImVec2 size);
  void mode_tabs();
  void customer_panel();
  void profile_inputs();
  void stock_list();
  void offer_details();
  void delivery_watch();
  void playback_controls();

  // ui_live.cpp: the gateway connection, the job queue, what if from now
  void live_panel();
  void job_table();
  void what_if_controls();

  // ui_staff.cpp: scenarios, what-if runs, KPIs and their comparison
  void staff_panel();
  void scenario_editor();
  void runs_list();
  void run_details(int index);
  void comparison();
  static void comparison_table(const SimKpis& a, const SimKpis& b);

  TwinModel& model_;
  TowerViewState view_;
  std::vector<Pending> pending_;
  Refusals refusals_;
  Mode tab_shown_ = Mode::customer;  // the tab the tab bar showed last frame
  int example_index_ = 0;
  int details_run_ = -1;  // the run whose KPIs are shown; -1 follows the newest
  int compare_pick_a_ = -1, compare_pick_b_ = -1;
  int what_if_minutes_ = 30;
  int what_if_fault_ = 0;  // 0 lift out, 1 none (the baseline alone)
};

}  // namespace tower::twin
