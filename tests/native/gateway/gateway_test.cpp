// The whole gateway, through HTTP on loopback: customer journeys, restart durability and machine jobs.
#include <boost/beast/websocket.hpp>

#include "gateway_fixture.hpp"
#include "tower/scenario.hpp"

namespace tower::testing {
namespace {

std::string path(const char* prefix, const nlohmann::json& id) { return std::string(prefix) + std::to_string(id.get<std::uint32_t>()); }

// Starts a retrieval at the kiosk and waits until the car is in the bay; returns the job.
nlohmann::json pick_up(RunningGateway& tower, const std::string& code, std::uint32_t car) {
  const Reply pickup = tower.client->post("/api/v1/pickups", {{"pickup_code", code}, {"face_match_permille", 950}}, staff_token);
  REQUIRE(pickup.status == 201);
  REQUIRE(pickup.json["job"]["kind"] == "retrieval");
  REQUIRE(pickup.json["job"]["eta_seconds"].is_number());
  const auto in_bay = tower.wait_for_car(car, [](const nlohmann::json& json) { return json["state"] == "in_bay"; });
  REQUIRE(in_bay["state"] == "in_bay");
  return pickup.json["job"];
}

TEST_CASE("a new tower priced in dollars is stocked in dollars and sells in dollars", "[journeys]") {
  const auto directory = fresh_directory("dollars");
  gateway::GatewayConfig config = test_config(directory);
  auto carvana = preset_config("carvana-8-storey");
  REQUIRE(carvana.ok());
  config.tower = *carvana;
  RunningGateway tower(directory, config);
  const Reply cars = tower.client->get("/api/v1/cars?limit=100");
  REQUIRE(cars.status == 200);
  REQUIRE(cars.json["cars"].size() == 12);
  for (const auto& car : cars.json["cars"]) CHECK(car["spec"]["price"]["currency"] == "USD");

  auto [customer, token] = tower.register_customer(good_credit);
  const Reply order = tower.client->post("/api/v1/orders", {{"car", tower.available_car()}, {"months", 36}}, token);
  REQUIRE(order.status == 201);
  CHECK(order.json["order"]["price"]["currency"] == "USD");
}

TEST_CASE("a customer registers, checks eligibility, buys a car, pays, picks it up and rates it", "[journeys]") {
  RunningGateway tower("journey-buy");
  auto [customer, token] = tower.register_customer(good_credit, "Ada Buyer");
  const std::uint32_t car = tower.available_car();

  const Reply eligibility = tower.client->get("/api/v1/customers/" + std::to_string(customer) + "/eligibility?car=" + std::to_string(car), token);
  REQUIRE(eligibility.status == 200);
  CHECK(eligibility.json["purchase"]["allowed"] == true);
  CHECK_FALSE(eligibility.json["purchase"]["reasons"].empty());

  const Reply order = tower.client->post("/api/v1/orders", {{"car", car}, {"months", 48}}, token);
  REQUIRE(order.status == 201);
  CHECK(order.json["financing"]["months"] == 48);
  CHECK_FALSE(order.json["order"].contains("pickup_code"));  // only the customer's answer carries the code
  const std::string code = order.json["pickup_code"];
  const auto order_id = order.json["order"]["id"];

  const Reply early = tower.client->post("/api/v1/pickups", {{"pickup_code", code}, {"face_match_permille", 950}}, staff_token);
  CHECK(early.status == 409);  // not paid yet

  const Reply paid = tower.client->post(path("/api/v1/orders/", order_id) + "/payment", {{"amount", order.json["order"]["down_payment"]}}, token);
  REQUIRE(paid.status == 200);
  CHECK(paid.json["state"] == "paid");

  const nlohmann::json job = pick_up(tower, code, car);
  const Reply jobs = tower.client->get("/api/v1/jobs", token);
  REQUIRE(jobs.status == 200);
  CHECK(jobs.json["recent"].size() == 1);
  CHECK(jobs.json["recent"][0]["id"] == job["id"]);

  REQUIRE(tower.client->post("/api/v1/handovers", {{"car", car}}, staff_token).status == 200);
  CHECK(tower.client->get(path("/api/v1/orders/", order_id), token).json["state"] == "delivered");
  const Reply survey = tower.client->post("/api/v1/surveys", {{"order", order_id}, {"rating", 5}, {"comment", "quick"}}, token);
  CHECK(survey.status == 201);
}

TEST_CASE("a customer test-drives a car, returns it, books another and buys that one", "[journeys]") {
  RunningGateway tower("journey-trial");
  auto [customer, token] = tower.register_customer(good_credit);
  const std::uint32_t first = tower.available_car(0);

  const Reply booked = tower.client->post("/api/v1/trials", {{"car", first}}, token);
  REQUIRE(booked.status == 201);
  const auto trial = booked.json["trial"]["id"];
  pick_up(tower, booked.json["pickup_code"], first);
  REQUIRE(tower.client->post("/api/v1/handovers", {{"car", first}}, staff_token).status == 200);
  CHECK(tower.client->get(path("/api/v1/trials/", trial), token).json["state"] == "out");

  const Reply returned = tower.client->post(path("/api/v1/trials/", trial) + "/return", {{"damaged", false}}, staff_token);
  REQUIRE(returned.status == 200);
  CHECK(returned.json["state"] == "returned");
  // The returned car goes back to a slot on its own.
  CHECK(tower.wait_for_car(first, [](const nlohmann::json& json) { return json["state"] == "in_slot"; })["state"] == "in_slot");

  // Another model: each model once.
  const Reply cars = tower.client->get("/api/v1/cars");
  std::uint32_t second = 0;
  const auto first_car = tower.client->get("/api/v1/cars/" + std::to_string(first)).json;
  for (const auto& car : cars.json["cars"])
    if (car["spec"]["model"] != first_car["spec"]["model"]) second = car["id"];
  REQUIRE(second != 0);
  const Reply again = tower.client->post("/api/v1/trials", {{"car", second}}, token);
  REQUIRE(again.status == 201);
  pick_up(tower, again.json["pickup_code"], second);
  REQUIRE(tower.client->post("/api/v1/handovers", {{"car", second}}, staff_token).status == 200);

  const auto price = tower.client->get("/api/v1/cars/" + std::to_string(second)).json["spec"]["price"]["minor"].get<std::int64_t>();
  const Reply converted = tower.client->post(path("/api/v1/trials/", again.json["trial"]["id"]) + "/convert",
                                             {{"payment", {{"minor", price / 10}, {"currency", "CNY"}}}}, token);
  REQUIRE(converted.status == 200);
  CHECK(converted.json["trial"]["state"] == "converted");
  (void)customer;
}

TEST_CASE("everything acknowledged survives a restart, with and without snapshots", "[durability]") {
  for (const std::uint64_t snapshot_every : {std::uint64_t{1'000'000}, std::uint64_t{3}}) {
    const auto directory = fresh_directory("durability");
    auto config = test_config(directory);
    config.snapshot_every = snapshot_every;
    RunningGateway tower(directory, config);
    auto [customer, token] = tower.register_customer(good_credit);
    const std::uint32_t car = tower.available_car();
    const Reply order = tower.client->post("/api/v1/orders", {{"car", car}}, token);
    REQUIRE(order.status == 201);
    const Reply sale = tower.client->post("/api/v1/flash-sales", {{"make", "BYD"}, {"model", "Seal"}, {"colour", "blue"}, {"units", 3}, {"price", "180000"}}, staff_token);
    REQUIRE(sale.status == 201);
    const Reply claim = tower.client->post(path("/api/v1/flash-sales/", sale.json["id"]) + "/claims", nlohmann::json::object(), token);
    REQUIRE(claim.status == 201);
    const std::string before = tower.client->get("/api/v1/tower").json["cars_by_state"].dump();

    tower.restart();

    CHECK(tower.client->get("/api/v1/customers/" + std::to_string(customer), token).status == 200);  // the token too
    const Reply order_after = tower.client->get(path("/api/v1/orders/", order.json["order"]["id"]), token);
    REQUIRE(order_after.status == 200);
    CHECK(order_after.json["car"] == car);
    CHECK(tower.client->get(path("/api/v1/claims/", claim.json["id"]), token).json["state"] == "reserved");
    CHECK(tower.client->get(path("/api/v1/flash-sales/", sale.json["id"])).json["available"] == 2);
    CHECK(tower.client->get("/api/v1/tower").json["cars_by_state"].dump() == before);
    // The pickup code still works after the restart: the signing key is durable.
    REQUIRE(tower.client->post(path("/api/v1/orders/", order.json["order"]["id"]) + "/payment", {{"amount", order.json["order"]["down_payment"]}}, token).status == 200);
    pick_up(tower, order.json["pickup_code"], car);
  }
}

TEST_CASE("an emergency stop halts a retrieval and makes its ETA unknown until staff reset it", "[machine_jobs]") {
  const auto directory = fresh_directory("estop");
  auto config = test_config(directory);
  config.machine_speed = 20;  // a retrieval takes a few seconds
  RunningGateway tower(directory, config);
  auto [customer, token] = tower.register_customer(good_credit);
  const std::uint32_t car = tower.available_car();
  const Reply booked = tower.client->post("/api/v1/trials", {{"car", car}}, token);
  REQUIRE(booked.status == 201);
  const Reply pickup = tower.client->post("/api/v1/pickups", {{"pickup_code", booked.json["pickup_code"]}, {"face_match_permille", 990}}, staff_token);
  REQUIRE(pickup.status == 201);
  const auto job_path = path("/api/v1/jobs/", pickup.json["job"]["id"]);
  CHECK(pickup.json["job"]["eta_seconds"].get<double>() > 0.5);

  REQUIRE(tower.client->post("/api/v1/machine/faults", {{"fault", "emergency_stop"}}, staff_token).status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const Reply halted = tower.client->get(job_path, token);
  CHECK(halted.json["eta"].is_null());
  CHECK(halted.json["state"] == "running");
  std::this_thread::sleep_for(std::chrono::seconds(4));
  CHECK(tower.client->get("/api/v1/cars/" + std::to_string(car)).json["state"] == "moving");

  CHECK(tower.client->request("DELETE", "/api/v1/machine/faults/emergency_stop", nullptr, token).status == 403);
  REQUIRE(tower.client->request("DELETE", "/api/v1/machine/faults/emergency_stop", nullptr, staff_token).status == 200);
  CHECK(tower.client->get(job_path, token).json["eta"].is_number());
  CHECK(tower.wait_for_car(car, [](const nlohmann::json& json) { return json["state"] == "in_bay"; })["state"] == "in_bay");
  CHECK(tower.client->get(job_path, token).json["state"] == "done");
}

TEST_CASE("jobs queue first come first served and each ETA counts the jobs ahead", "[machine_jobs]") {
  const auto directory = fresh_directory("queue");
  auto config = test_config(directory);
  config.machine_speed = 5;
  RunningGateway tower(directory, config);
  std::vector<double> etas;
  for (int i = 0; i < 2; ++i) {
    auto [customer, token] = tower.register_customer("QUEUE0000" + std::to_string(i));
    const Reply booked = tower.client->post("/api/v1/trials", {{"car", tower.available_car(0)}}, token);
    REQUIRE(booked.status == 201);
    const Reply pickup = tower.client->post("/api/v1/pickups", {{"pickup_code", booked.json["pickup_code"]}, {"face_match_permille", 990}}, staff_token);
    REQUIRE(pickup.status == 201);
    etas.push_back(pickup.json["job"]["eta_seconds"].get<double>());
    (void)customer;
  }
  // The second job waits for the first: its ETA is later by at least one whole retrieval (> 30 s / 5).
  CHECK(etas[1] > etas[0] + 5);
  const Reply jobs = tower.client->get("/api/v1/jobs", staff_token);
  REQUIRE(jobs.json["active"].size() == 2);
  CHECK(jobs.json["active"][0]["state"] == "running");
  CHECK(jobs.json["active"][1]["state"] == "queued");
}

}  // namespace
}  // namespace tower::testing

namespace tower::testing {
namespace {

TEST_CASE("the live feed sends a snapshot, then the tower's events, and never personal data", "[live]") {
  RunningGateway tower("live");
  boost::asio::io_context io;
  boost::beast::websocket::stream<boost::beast::tcp_stream> socket(io);
  socket.next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), tower.port()});
  socket.handshake("localhost", "/api/v1/live");
  boost::beast::flat_buffer buffer;
  socket.read(buffer);
  const auto snapshot = nlohmann::json::parse(boost::beast::buffers_to_string(buffer.data()));
  buffer.consume(buffer.size());
  REQUIRE(snapshot["type"] == "snapshot");
  CHECK(snapshot["cars"].size() == static_cast<std::size_t>(tower.config.initial_stock));

  auto [customer, token] = tower.register_customer(good_credit, "Private Person");
  const std::uint32_t car = tower.available_car();
  REQUIRE(tower.client->post("/api/v1/trials", {{"car", car}}, token).status == 201);
  // Read until the booking shows up; nothing before or with it may carry a name, a digest or a code.
  bool booked = false;
  for (int i = 0; i < 50 && !booked; ++i) {
    socket.read(buffer);
    const std::string text = boost::beast::buffers_to_string(buffer.data());
    buffer.consume(buffer.size());
    CHECK(text.find("Private Person") == std::string::npos);
    CHECK(text.find("identity_digest") == std::string::npos);
    CHECK(text.find("pickup_code") == std::string::npos);
    const auto message = nlohmann::json::parse(text);
    booked = message["type"] == "event" && message["event"]["type"] == "trial_booked" && message["event"]["car"] == car;
    if (message["type"] == "event") CHECK(message["sequence"].get<std::uint64_t>() > snapshot["sequence"].get<std::uint64_t>());
  }
  CHECK(booked);
  (void)customer;
}

}  // namespace
}  // namespace tower::testing
