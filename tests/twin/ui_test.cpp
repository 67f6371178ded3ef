// The whole UI, headless through the null backend: every mode lays out and draws the tower at several window
// sizes, a click on a drawn car selects it, and a what-if started from the model shows its KPIs in the panels.
#include <catch2/catch.hpp>

#include "backends/null.hpp"

using namespace tower;
using namespace tower::twin;
using nlohmann::json;

namespace {

void frames(NullPlatform& platform, TwinApp& app, int count) {
  for (int i = 0; i < count; ++i) platform.frame(app, 1.0 / 60.0);
}

}  // namespace

TEST_CASE("every mode draws the tower at every window size", "[twin_ui]") {
  for (const auto& [width, height] : {std::pair{1280, 800}, std::pair{1920, 1080}, std::pair{800, 600}}) {
    NullPlatform platform(width, height);
    TwinApp app;
    for (const char* mode : {"customer", "staff", "live"}) {
      INFO(mode << " at " << width << "x" << height);
      REQUIRE(app.model().command({{"do", "mode"}, {"value", mode}}).value("ok", false));
      frames(platform, app, 5);
      // 60 cars, 60 slots, the shaft, the bays: a drawn tower is thousands of vertices, a blank window dozens.
      CHECK(platform.last_vertices() > 5000);
      CHECK(app.model().width == width);
    }
  }
}

TEST_CASE("clicking a car in the tower view selects it", "[twin_ui]") {
  NullPlatform platform(1280, 800);
  TwinApp app;
  frames(platform, app, 3);
  REQUIRE_FALSE(app.model().selected.valid());
  // Sweep the left part of the window, where the elevation is, until a click lands on a car.
  for (float y = 40; y < 780 && !app.model().selected.valid(); y += 9) {
    for (float x = 20; x < 700 && !app.model().selected.valid(); x += 13) {
      platform.frame(app, 1.0 / 60.0, ImVec2(x, y), true);
      platform.frame(app, 1.0 / 60.0, ImVec2(x, y), false);
    }
  }
  REQUIRE(app.model().selected.valid());
  const auto offer = app.model().offer();
  REQUIRE(offer.has_value());
  CHECK(offer->car == app.model().selected);
}

TEST_CASE("a what-if's KPIs reach the staff panel", "[twin_ui]") {
  NullPlatform platform(1280, 800);
  TwinApp app;
  REQUIRE(app.model().command({{"do", "mode"}, {"value", "staff"}}).value("ok", false));
  frames(platform, app, 3);
  const int before = platform.last_vertices();
  REQUIRE(app.model().command({{"do", "instant"}, {"value", true}}).value("ok", false));
  REQUIRE(app.model().command({{"do", "run"}, {"example", "normal-day.json"}}).value("ok", false));
  REQUIRE(app.model().command({{"do", "run"}, {"example", "second-bay.json"}}).value("ok", false));
  frames(platform, app, 5);
  CHECK(app.model().runs()[1].finished());
  CHECK(platform.last_vertices() > before);  // KPI tables and plots are drawn
}

TEST_CASE("clocks read as a day of the run, or as a UTC date for the live tower", "[twin_ui]") {
  CHECK(format_clock(SimTime{(3600LL * 26 + 61) * 1'000'000}) == "day 2, 02:01:01");
  CHECK(format_clock(SimTime{1795330800LL * 1'000'000}) == "2026-11-22 07:00:00 UTC");
  CHECK(format_clock(SimTime{951782400LL * 1'000'000}) == "2000-02-29 00:00:00 UTC");
}

TEST_CASE("a two-lift tower draws both shafts and its cars answer the mouse", "[twin_ui]") {
  const json scenario = json::parse(R"({
    "name": "two lifts", "preset": "autobahn-motors", "lifts": 2, "bays": 4, "stock": 60, "duration_hours": 24,
    "seed": 1, "flash_rush": {"at_hour": 18, "pickups": 40, "over_minutes": 45},
    "faults": [{"kind": "emergency_stop", "at_hour": 18.25, "reset_after_minutes": 6}]
  })");
  for (const auto& [width, height] : {std::pair{1280, 800}, std::pair{1920, 1080}, std::pair{800, 600}}) {
    INFO(width << "x" << height);
    NullPlatform platform(width, height);
    TwinApp app;
    REQUIRE(app.model().command({{"do", "load"}, {"scenario", scenario}}).value("ok", false));
    REQUIRE(app.model().command({{"do", "jump"}, {"hours", 18.1}}).value("ok", false));
    frames(platform, app, 5);
    CHECK(platform.last_vertices() > 3000);  // both shafts, small at 800x600; a blank window has dozens
    REQUIRE(app.model().command({{"do", "jump"}, {"hours", 18.3}}).value("ok", false));  // e-stop latched
    REQUIRE(app.model().scene().emergency_stop);
    for (const char* mode : {"customer", "staff", "live"}) {
      REQUIRE(app.model().command({{"do", "mode"}, {"value", mode}}).value("ok", false));
      frames(platform, app, 3);
      CHECK(platform.last_vertices() > 3000);
    }
  }

  // A sweep from the right of the elevation, where lift 2's shaft is, until a click picks one of its cars.
  NullPlatform platform(1280, 800);
  TwinApp app;
  REQUIRE(app.model().command({{"do", "load"}, {"scenario", scenario}}).value("ok", false));
  frames(platform, app, 3);
  auto selected_lift = [&] {
    for (const SceneCar& car : app.model().scene().cars)
      if (car.id == app.model().selected) return car.lift.value;
    return 0u;
  };
  for (float y = 40; y < 780 && selected_lift() != 2; y += 9) {
    for (float x = 700; x > 20 && selected_lift() != 2; x -= 13) {
      platform.frame(app, 1.0 / 60.0, ImVec2(x, y), true);
      platform.frame(app, 1.0 / 60.0, ImVec2(x, y), false);
    }
  }
  CHECK(selected_lift() == 2);
}
