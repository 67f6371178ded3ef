// Machine faults injected mid-move on a live gateway: each halts the machine in place (a safe state: nothing
// moves, the transfer stays where it stopped, so the lift and turntable cannot move with it out), tells the
// waiting customer why the car cannot be retrieved now and what happens next, and has a recovery: clearing the
// fault resumes the same checked plan, or staff take the machine into manual mode and bring the car to its bay.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "gateway_fixture.hpp"

namespace tower::testing {
namespace {

using Catch::Matchers::Contains;

// One customer's retrieval, started and then watched until `ready(machine json)` says the moment has come.
struct Retrieval {
  explicit Retrieval(const std::string& name) : directory(fresh_directory(name)), tower(directory, speed_config()) {
    auto [customer, customer_token] = tower.register_customer(good_credit);
    token = customer_token;
    car = tower.available_car();
    const Reply booked = tower.client->post("/api/v1/trials", {{"car", car}}, token);
    REQUIRE(booked.status == 201);
    const Reply pickup = tower.client->post("/api/v1/pickups", {{"pickup_code", booked.json["pickup_code"]}, {"face_match_permille", 990}}, staff_token);
    REQUIRE(pickup.status == 201);
    job = pickup.json["job"]["id"].get<std::uint64_t>();
    (void)customer;
  }

  gateway::GatewayConfig speed_config() {
    auto config = test_config(directory);
    config.machine_speed = 10;  // a retrieval takes a few seconds
    return config;
  }

  nlohmann::json machine() { return tower.client->get("/api/v1/machine").json; }
  nlohmann::json job_view() { return tower.client->get("/api/v1/jobs/" + std::to_string(job), token).json; }

  template <class Ready>
  nlohmann::json wait_for_machine(Ready ready, double seconds = 10) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    nlohmann::json json = machine();
    while (!ready(json) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      json = machine();
    }
    return json;
  }

  Reply raise(nlohmann::json body) { return tower.client->post("/api/v1/machine/faults", std::move(body), staff_token); }
  Reply clear(const std::string& fault) {
    return tower.client->request("DELETE", "/api/v1/machine/faults/" + fault, nullptr, staff_token);
  }
  Reply mode(const std::string& mode) { return tower.client->request("PUT", "/api/v1/machine/mode", {{"mode", mode}}, staff_token); }
  Reply deliver() { return tower.client->post("/api/v1/machine/manual-deliveries", {{"job", job}}, staff_token); }

  bool delivered(double seconds = 15) {
    return tower.wait_for_car(car, [](const nlohmann::json& json) { return json["state"] == "in_bay"; }, seconds)["state"] == "in_bay";
  }

  // The machine stands still: its pose does not change over a while, and the car is not delivered.
  void require_standing_still(const nlohmann::json& halted) {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    const nlohmann::json later = machine();
    CHECK(later["pose"] == halted["pose"]);
    CHECK(later["busy"] == halted["busy"]);
    CHECK(tower.client->get("/api/v1/cars/" + std::to_string(car)).json["state"] == "moving");
  }

  // The customer hears why and what happens next, and no made-up ETA.
  void require_customer_told(const std::string& reason) {
    const nlohmann::json view = job_view();
    CHECK(view["eta"].is_null());
    CHECK(view["eta_seconds"].is_null());
    CHECK(view["delay"]["reason"] == reason);
    CHECK_THAT(view["eta_note"].get<std::string>(), Contains("cannot be retrieved now"));
    CHECK_FALSE(view["delay"]["next"].get<std::string>().empty());
  }

  std::filesystem::path directory;
  RunningGateway tower;
  std::string token;
  std::uint32_t car = 0;
  std::uint64_t job = 0;
};

bool lift_moving(const nlohmann::json& machine) { return machine["pose"]["lift_m"].get<double>() > 3.0; }
bool transfer_out(const nlohmann::json& machine) { return machine["pose"]["transfer_m"].get<double>() > 1.0; }

TEST_CASE("an emergency stop mid-move halts in place until reset, then the same move continues", "[machine_faults]") {
  Retrieval retrieval("fault-estop");
  REQUIRE(lift_moving(retrieval.wait_for_machine(lift_moving)));
  REQUIRE(retrieval.raise({{"fault", "emergency_stop"}}).status == 200);
  const nlohmann::json halted = retrieval.machine();
  CHECK(halted["faults"] == nlohmann::json::array({"emergency_stop"}));
  retrieval.require_standing_still(halted);
  retrieval.require_customer_told("emergency_stop");
  // Not even staff may move anything by hand while it is latched.
  REQUIRE(retrieval.mode("manual").status == 200);
  const Reply refused = retrieval.deliver();
  CHECK(refused.status == 409);
  CHECK_THAT(refused.json["error"]["message"].get<std::string>(), Contains("emergency_stop"));
  REQUIRE(retrieval.mode("automatic").status == 200);
  REQUIRE(retrieval.clear("emergency_stop").status == 200);
  CHECK(retrieval.delivered());
}

TEST_CASE("a lift out of service for a stated time gives the customer an ETA that counts the wait", "[machine_faults]") {
  Retrieval retrieval("fault-outage");
  REQUIRE(lift_moving(retrieval.wait_for_machine(lift_moving)));
  const double before = retrieval.job_view()["eta_seconds"].get<double>();
  REQUIRE(retrieval.raise({{"fault", "lift_out_of_service"}, {"expected_minutes", 20}}).status == 200);
  retrieval.require_standing_still(retrieval.machine());
  const nlohmann::json view = retrieval.job_view();
  REQUIRE(view["eta_seconds"].is_number());
  CHECK(view["eta_seconds"].get<double>() >= 20 * 60);
  CHECK(view["eta_seconds"].get<double>() <= 20 * 60 + before + 1);
  CHECK(view["delay"]["reason"] == "lift_out_of_service");
  REQUIRE(retrieval.clear("lift_out_of_service").status == 200);
  CHECK(retrieval.delivered());
}

TEST_CASE("a transfer jam with the pallet out stops everything; staff recover the car in manual mode", "[machine_faults]") {
  Retrieval retrieval("fault-jam");
  const nlohmann::json moving = retrieval.wait_for_machine(transfer_out);
  REQUIRE(transfer_out(moving));
  REQUIRE(retrieval.raise({{"fault", "transfer_jam"}, {"note", "pallet caught on level 3"}}).status == 200);
  const nlohmann::json halted = retrieval.machine();
  CHECK(halted["pose"]["transfer_m"].get<double>() > 0.5);  // stuck out: the lift may not move now
  retrieval.require_standing_still(halted);
  retrieval.require_customer_told("transfer_jam");

  // The recovery procedure: manual mode abandons the move where it stopped; the faults are cleared; the car
  // is brought to the bay by a plan from there, which first retracts the transfer.
  const Reply manual = retrieval.mode("manual");
  REQUIRE(manual.status == 200);
  CHECK(manual.json["mode"] == "manual");
  CHECK(retrieval.job_view()["delay"]["reason"] == "transfer_jam");
  const Reply still_jammed = retrieval.deliver();
  CHECK(still_jammed.status == 409);
  CHECK_THAT(still_jammed.json["error"]["message"].get<std::string>(), Contains("transfer_jam"));
  REQUIRE(retrieval.clear("transfer_jam").status == 200);
  // Clearing in manual mode starts nothing on its own.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(retrieval.machine()["busy"] == false);
  CHECK(retrieval.job_view()["delay"]["reason"] == "manual_mode");
  CHECK(retrieval.job_view()["state"] == "queued");
  CHECK(retrieval.job_view()["eta_seconds"].is_null());  // staff decide when it moves

  CHECK(retrieval.tower.client->post("/api/v1/machine/manual-deliveries", {{"job", retrieval.job}}, retrieval.token).status == 403);
  const Reply delivering = retrieval.deliver();
  REQUIRE(delivering.status == 200);
  CHECK(delivering.json["state"] == "running");
  // On its way again: the customer sees an ETA, and no delay.
  const nlohmann::json on_its_way = retrieval.job_view();
  CHECK(on_its_way["eta_seconds"].is_number());
  CHECK_FALSE(on_its_way.contains("delay"));
  CHECK(retrieval.deliver().status == 409);  // already on its way
  CHECK(retrieval.delivered());
  CHECK(retrieval.job_view()["state"] == "done");
  CHECK(retrieval.machine()["pose"]["transfer_m"].get<double>() <= 1e-6);
  REQUIRE(retrieval.mode("automatic").status == 200);
}

TEST_CASE("a bay door sensor that disagrees halts the machine until staff have checked the bay", "[machine_faults]") {
  Retrieval retrieval("fault-door");
  REQUIRE(lift_moving(retrieval.wait_for_machine(lift_moving)));
  const Reply no_bay = retrieval.raise({{"fault", "door_sensor_mismatch"}});
  CHECK(no_bay.status == 400);
  CHECK_THAT(no_bay.json["error"]["message"].get<std::string>(), Contains("bay"));
  CHECK(retrieval.raise({{"fault", "door_sensor_mismatch"}, {"bay", 99}}).status == 400);
  CHECK(retrieval.raise({{"fault", "transfer_jam"}, {"bay", 1}}).status == 400);
  REQUIRE(retrieval.raise({{"fault", "door_sensor_mismatch"}, {"bay", 1}}).status == 200);
  const nlohmann::json halted = retrieval.machine();
  CHECK(halted["faulty_bay"] == 1);
  retrieval.require_standing_still(halted);
  retrieval.require_customer_told("door_sensor_mismatch");
  CHECK_THAT(retrieval.job_view()["delay"]["message"].get<std::string>(), Contains("bay 1"));
  REQUIRE(retrieval.clear("door_sensor_mismatch").status == 200);
  CHECK(retrieval.delivered());
}

TEST_CASE("a position sensor jump stops the machine; its pose is not trusted until staff re-reference it", "[machine_faults]") {
  Retrieval retrieval("fault-position");
  REQUIRE(lift_moving(retrieval.wait_for_machine(lift_moving)));
  REQUIRE(retrieval.raise({{"fault", "position_jump"}}).status == 200);
  const nlohmann::json halted = retrieval.machine();
  CHECK(halted["pose_trusted"] == false);
  retrieval.require_standing_still(halted);
  retrieval.require_customer_told("position_jump");
  REQUIRE(retrieval.mode("manual").status == 200);
  CHECK(retrieval.deliver().status == 409);
  REQUIRE(retrieval.clear("position_jump").status == 200);
  CHECK(retrieval.machine()["pose_trusted"] == true);
  REQUIRE(retrieval.deliver().status == 200);
  CHECK(retrieval.delivered());
}

TEST_CASE("back in automatic mode, a job abandoned part-way is finished from where it stopped", "[machine_faults]") {
  Retrieval retrieval("fault-resume");
  REQUIRE(transfer_out(retrieval.wait_for_machine(transfer_out)));
  REQUIRE(retrieval.raise({{"fault", "transfer_jam"}}).status == 200);
  REQUIRE(retrieval.mode("manual").status == 200);
  REQUIRE(retrieval.clear("transfer_jam").status == 200);
  REQUIRE(retrieval.mode("automatic").status == 200);
  CHECK(retrieval.delivered());
}

TEST_CASE("fault and mode requests are checked: names, staff only, nothing to clear", "[machine_faults]") {
  Retrieval retrieval("fault-refusals");
  const Reply unknown = retrieval.raise({{"fault", "gremlins"}});
  CHECK(unknown.status == 400);
  CHECK_THAT(unknown.json["error"]["message"].get<std::string>(), Contains("transfer_jam"));
  CHECK(retrieval.clear("gremlins").status == 404);
  CHECK(retrieval.clear("transfer_jam").status == 409);
  CHECK(retrieval.tower.client->post("/api/v1/machine/faults", {{"fault", "emergency_stop"}}, retrieval.token).status == 403);
  CHECK(retrieval.tower.client->request("PUT", "/api/v1/machine/mode", {{"mode", "manual"}}, retrieval.token).status == 403);
  CHECK(retrieval.mode("sideways").status == 400);
  const Reply automatic = retrieval.deliver();
  CHECK(automatic.status == 409);
  CHECK_THAT(automatic.json["error"]["message"].get<std::string>(), Contains("automatic"));
  REQUIRE(retrieval.mode("manual").status == 200);
  CHECK(retrieval.tower.client->post("/api/v1/machine/manual-deliveries", {{"job", 999999}}, staff_token).status == 404);
  REQUIRE(retrieval.mode("automatic").status == 200);
  CHECK(retrieval.delivered());
}

}  // namespace
}  // namespace tower::testing
