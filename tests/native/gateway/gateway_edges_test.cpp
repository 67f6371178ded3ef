// The gateway's edges through HTTP: every refusal path, auth negatives, the flash-sale race and the API
// contract (every route documented in OpenAPI, every error shaped alike).
#include <atomic>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include <unistd.h>

#include "gateway_fixture.hpp"

namespace tower::testing {
namespace {

bool is_error(const Reply& reply, int status, const std::string& code) {
  return reply.status == status && reply.json.is_object() && reply.json.contains("error") &&
         reply.json["error"]["code"] == code && reply.json["error"]["message"].is_string() &&
         !reply.json["error"]["message"].get<std::string>().empty();
}

TEST_CASE("malformed requests are refused with a JSON error that names the problem", "[refusals]") {
  RunningGateway tower("refusals");
  auto& client = *tower.client;
  CHECK(is_error(client.raw("POST", "/api/v1/customers", "{\"name\": ", ""), 400, "invalid_argument"));
  const Reply unknown_field = client.post("/api/v1/customers", {{"name", "A"}, {"identity_document", "ABC12345"}, {"selfie_template", "f"}, {"admin", true}});
  CHECK(is_error(unknown_field, 400, "invalid_argument"));
  CHECK_THAT(unknown_field.json["error"]["message"].get<std::string>(), Catch::Contains("admin"));
  const Reply missing = client.post("/api/v1/customers", {{"name", "A"}, {"selfie_template", "f"}});
  CHECK_THAT(missing.json["error"]["message"].get<std::string>(), Catch::Contains("identity_document"));
  CHECK(is_error(client.post("/api/v1/customers", {{"name", "A"}, {"identity_document", "!!"}, {"selfie_template", "f"}}), 400, "invalid_argument"));
  CHECK(is_error(client.get("/api/v1/nothing-here"), 404, "not_found"));
  const Reply wrong_method = client.request("DELETE", "/api/v1/cars");
  CHECK(is_error(wrong_method, 405, "method_not_allowed"));
  CHECK(wrong_method.header("Allow").find("GET") != std::string::npos);
  CHECK(is_error(client.get("/api/v1/cars/99999"), 404, "not_found"));
  CHECK(is_error(client.get("/api/v1/cars?max_price=cheap"), 400, "invalid_argument"));
  CHECK(client.get("/api/v1/cars/abc").status == 404);
  const std::string huge(200'000, 'x');
  CHECK(client.raw("POST", "/api/v1/customers", "{\"name\": \"" + huge + "\"}", "").status == 413);
}

// Found by tests/fuzz/fuzz_gateway_request: a path that is not UTF-8 was quoted into the 404's message and
// the JSON encoder threw, so the client got a 500 instead of its 404.
TEST_CASE("deeply nested JSON is refused with a JSON error, not a crash or a stall", "[refusals]") {
  RunningGateway tower("deep-json");
  const std::size_t depth = 30'000;  // within the 64 KiB body limit
  const std::string arrays = std::string(depth, '[') + std::string(depth, ']');
  std::string objects;
  for (std::size_t i = 0; i < depth / 6; ++i) objects += "{\"a\":";
  objects += "1" + std::string(depth / 6, '}');
  for (const std::string& body : {arrays, objects}) {
    const Reply reply = tower.client->raw("POST", "/api/v1/customers", body, "");
    CHECK(is_error(reply, 400, "invalid_argument"));
  }
  CHECK(tower.client->get("/healthz").status == 200);
}

TEST_CASE("a path or query that is not UTF-8 is refused with a JSON error, not a 500", "[refusals]") {
  RunningGateway tower("not-utf8");
  auto& client = *tower.client;
  const Reply path = client.get("/api/v1\xe1\xe1/tower");
  CHECK(is_error(path, 404, "not_found"));
  CHECK(is_error(client.get("/api/v1/cars?max_price=%E1%E1"), 400, "invalid_argument"));
  CHECK(client.get("/healthz").status == 200);
}

// Found by tests/fuzz/fuzz_gateway_request: every unknown file path became a metrics label of its own.
TEST_CASE("the request metrics have a bounded set of labels whatever paths clients send", "[refusals]") {
  RunningGateway tower("metric-labels");
  auto& client = *tower.client;
  for (int i = 0; i < 5; ++i) CHECK(client.get("/no-such-file-" + std::to_string(i)).status == 404);
  const std::string metrics = client.get("/metrics").body;
  CHECK(metrics.find("no-such-file") == std::string::npos);
  CHECK(metrics.find("route=\"static\",method=\"GET\",status=\"404\"} 5") != std::string::npos);
}

TEST_CASE("business refusals keep their codes: not eligible, sold out, one claim per customer, wrong payment", "[refusals]") {
  RunningGateway tower("business-refusals");
  auto& client = *tower.client;
  auto [poor, poor_token] = tower.register_customer(poor_credit);
  const std::uint32_t car = tower.available_car();
  CHECK(is_error(client.post("/api/v1/orders", {{"car", car}}, poor_token), 422, "not_eligible"));
  CHECK(is_error(client.post("/api/v1/customers", {{"name", "Again"}, {"identity_document", poor_credit}, {"selfie_template", "f"}}), 409, "conflict"));

  auto [buyer, token] = tower.register_customer(good_credit);
  const Reply order = client.post("/api/v1/orders", {{"car", car}}, token);
  REQUIRE(order.status == 201);
  CHECK(is_error(client.post("/api/v1/orders", {{"car", car}}, token), 409, "conflict"));  // no car promised twice
  CHECK(is_error(client.post("/api/v1/orders/" + std::to_string(order.json["order"]["id"].get<int>()) + "/payment", {{"amount", "1.00"}}, token), 400, "invalid_argument"));

  const Reply sale = client.post("/api/v1/flash-sales", {{"make", "BYD"}, {"model", "Seal"}, {"colour", "blue"}, {"units", 1}, {"price", "180000"}}, staff_token);
  REQUIRE(sale.status == 201);
  const std::string claims = "/api/v1/flash-sales/" + std::to_string(sale.json["id"].get<int>()) + "/claims";
  CHECK(client.post(claims, nlohmann::json::object(), token).status == 201);
  CHECK(is_error(client.post(claims, nlohmann::json::object(), token), 409, "limit_reached"));
  auto [late, late_token] = tower.register_customer("LATE00001");
  CHECK(is_error(client.post(claims, nlohmann::json::object(), late_token), 409, "sold_out"));
  const Reply future = client.post("/api/v1/flash-sales", {{"make", "BYD"}, {"model", "Han"}, {"colour", "red"}, {"units", 1}, {"price", "200000"}, {"opens_at", "2099-01-01T00:00:00Z"}}, staff_token);
  REQUIRE(future.status == 201);
  CHECK(is_error(client.post("/api/v1/flash-sales/" + std::to_string(future.json["id"].get<int>()) + "/claims", nlohmann::json::object(), late_token), 409, "too_early"));
  (void)poor; (void)buyer; (void)late;
}

TEST_CASE("pickup codes: forged, replayed and repeatedly failed codes are refused; failures lock a code", "[refusals]") {
  RunningGateway tower("pickup-codes");
  auto& client = *tower.client;
  auto [customer, token] = tower.register_customer(good_credit);
  const Reply booked = client.post("/api/v1/trials", {{"car", tower.available_car(0)}}, token);
  REQUIRE(booked.status == 201);
  std::string code = booked.json["pickup_code"];

  std::string forged = code;
  forged[forged.size() / 2] = forged[forged.size() / 2] == 'A' ? 'B' : 'A';
  CHECK(is_error(client.post("/api/v1/pickups", {{"pickup_code", forged}, {"face_match_permille", 990}}, staff_token), 403, "forbidden"));
  CHECK(is_error(client.post("/api/v1/pickups", {{"pickup_code", "pc1.x.y"}, {"face_match_permille", 990}}, staff_token), 403, "forbidden"));

  // A face that does not match counts against the code; enough of them lock it even for the right face.
  for (int attempt = 0; attempt < tower.config.pickup_failures_to_lock; ++attempt)
    CHECK(is_error(client.post("/api/v1/pickups", {{"pickup_code", code}, {"face_match_permille", 100}}, staff_token), 403, "forbidden"));
  const Reply locked = client.post("/api/v1/pickups", {{"pickup_code", code}, {"face_match_permille", 990}}, staff_token);
  CHECK(is_error(locked, 403, "forbidden"));
  CHECK_THAT(locked.json["error"]["message"].get<std::string>(), Catch::Contains("locked"));
  tower.restart();  // the lock is durable
  CHECK(is_error(tower.client->post("/api/v1/pickups", {{"pickup_code", code}, {"face_match_permille", 990}}, staff_token), 403, "forbidden"));

  // A fresh booking's code works once; the replay is refused. (One test drive at a time: cancel the first.)
  REQUIRE(tower.client->post("/api/v1/trials/" + std::to_string(booked.json["trial"]["id"].get<int>()) + "/cancel", nlohmann::json::object(), token).status == 200);
  const Reply other = tower.client->post("/api/v1/trials", {{"car", tower.available_car(1)}}, token);
  REQUIRE(other.status == 201);
  REQUIRE(tower.client->post("/api/v1/pickups", {{"pickup_code", other.json["pickup_code"]}, {"face_match_permille", 990}}, staff_token).status == 201);
  CHECK(tower.client->post("/api/v1/pickups", {{"pickup_code", other.json["pickup_code"]}, {"face_match_permille", 990}}, staff_token).status >= 400);
  (void)customer;
}

TEST_CASE("pickup codes expire with their window", "[refusals]") {
  const auto directory = fresh_directory("expiry");
  auto config = test_config(directory);
  config.tower.trials.pickup_window = seconds(1);
  RunningGateway tower(directory, config);
  auto [customer, token] = tower.register_customer(good_credit);
  const Reply booked = tower.client->post("/api/v1/trials", {{"car", tower.available_car()}}, token);
  REQUIRE(booked.status == 201);
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  CHECK(is_error(tower.client->post("/api/v1/pickups", {{"pickup_code", booked.json["pickup_code"]}, {"face_match_permille", 990}}, staff_token), 410, "expired"));
  (void)customer;
}

TEST_CASE("roles are checked on every route and customers see only their own records", "[auth]") {
  RunningGateway tower("auth");
  auto& client = *tower.client;
  auto [alice, alice_token] = tower.register_customer(good_credit, "Alice");
  auto [bob, bob_token] = tower.register_customer("BOB000001", "Bob");
  const Reply order = client.post("/api/v1/orders", {{"car", tower.available_car()}}, alice_token);
  REQUIRE(order.status == 201);
  const std::string order_path = "/api/v1/orders/" + std::to_string(order.json["order"]["id"].get<int>());

  CHECK(is_error(client.get(order_path), 401, "unauthorized"));
  const Reply forged = client.get(order_path, "tt_not-a-real-token");
  CHECK(is_error(forged, 401, "unauthorized"));
  CHECK(forged.json["error"]["message"] == "the token sent is not valid here; send the token you got at registration");  // not "sign in", as if none were sent
  CHECK(is_error(client.get(order_path, bob_token), 404, "not_found"));  // Bob cannot even learn it exists
  CHECK(client.get(order_path, alice_token).status == 200);
  CHECK(client.get(order_path, staff_token).status == 200);
  CHECK(is_error(client.get("/api/v1/customers/" + std::to_string(alice), bob_token), 404, "not_found"));
  CHECK(is_error(client.post("/api/v1/flash-sales", {{"make", "X"}, {"model", "Y"}, {"colour", "Z"}, {"units", 1}, {"price", "1"}}, alice_token), 403, "forbidden"));
  CHECK(is_error(client.post("/api/v1/pickups", {{"pickup_code", "x"}, {"face_match_permille", 1}}, alice_token), 403, "forbidden"));
  CHECK(is_error(client.post("/api/v1/orders", {{"car", 1}}, staff_token), 403, "forbidden"));
  CHECK(is_error(client.post(order_path + "/cancel", nlohmann::json::object(), bob_token), 403, "forbidden"));
  const Reply registered = client.post("/api/v1/customers", {{"name", "C"}, {"identity_document", "CARL00001"}, {"selfie_template", "f"}});
  REQUIRE(registered.status == 201);
  CHECK(registered.json["token"].get<std::string>().size() >= 43);  // 256 bits in base64url
  CHECK_FALSE(registered.json["customer"].contains("identity_digest"));
  (void)bob;
}

// Runs `body` with the process's stderr (where the gateway logs) going to a file; returns what was written.
template <class Body>
std::string captured_stderr(const std::filesystem::path& file, Body body) {
  std::fflush(stderr);
  const int saved = dup(2);
  FILE* capture = std::fopen(file.c_str(), "w");
  REQUIRE(capture != nullptr);
  dup2(fileno(capture), 2);
  body();
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  std::fclose(capture);
  std::ostringstream text;
  text << std::ifstream(file).rdbuf();
  return text.str();
}

TEST_CASE("secrets never reach the logs: tokens, pickup codes, identity documents, face templates", "[auth]") {
  const auto directory = fresh_directory("secrets");
  std::string customer_token, pickup_code;
  const std::string document = "SECRET0042", selfie = "face:very-private-template";
  const std::string log = captured_stderr(directory.parent_path() / "secrets-stderr.log", [&] {
    RunningGateway tower(directory);
    const Reply registered = tower.client->post("/api/v1/customers", {{"name", "S"}, {"identity_document", document}, {"selfie_template", selfie}});
    REQUIRE(registered.status == 201);
    customer_token = registered.json["token"].get<std::string>();
    const Reply booked = tower.client->post("/api/v1/trials", {{"car", tower.available_car()}}, customer_token);
    REQUIRE(booked.status == 201);
    pickup_code = booked.json["pickup_code"].get<std::string>();
    // Refusals are where a careless server logs what it was sent.
    CHECK(tower.client->post("/api/v1/pickups", {{"pickup_code", pickup_code}, {"face_match_permille", 10}}, staff_token).status == 403);
    CHECK(tower.client->post("/api/v1/pickups", {{"pickup_code", pickup_code + "x"}, {"face_match_permille", 990}}, staff_token).status == 403);
    CHECK(tower.client->get("/api/v1/jobs", customer_token + "tampered").status == 401);
    CHECK(tower.client->post("/api/v1/customers", {{"name", "S"}, {"identity_document", document}, {"selfie_template", selfie}}).status == 409);
    CHECK(tower.client->post("/api/v1/pickups", {{"pickup_code", pickup_code}, {"face_match_permille", 990}}, staff_token).status == 201);
    CHECK(tower.client->post("/api/v1/machine/faults", {{"fault", "emergency_stop"}}, staff_token).status == 200);
  });
  REQUIRE(log.find("machine fault raised") != std::string::npos);  // the capture did see the gateway's log
  for (const std::string& secret : {customer_token, std::string(staff_token), pickup_code, document, selfie}) {
    INFO("a secret in the log: " << secret);
    CHECK(log.find(secret) == std::string::npos);
  }
}

TEST_CASE("registrations and claims are rate-limited per client address", "[auth]") {
  const auto directory = fresh_directory("rate");
  auto config = test_config(directory);
  config.per_address = {0.5, 3};
  RunningGateway tower(directory, config);
  int refused = 0;
  for (int i = 0; i < 6; ++i) {
    const Reply reply = tower.client->post("/api/v1/customers", {{"name", "R"}, {"identity_document", "RATE0000" + std::to_string(i)}, {"selfie_template", "f"}});
    if (reply.status == 429) {
      ++refused;
      CHECK(!reply.header("Retry-After").empty());
    }
  }
  CHECK(refused == 3);
}

TEST_CASE("a flash-sale rush of concurrent clients has exactly K winners and no customer twice", "[flash_race]") {
  RunningGateway tower("flash-race");
  constexpr int customers = 240, units = 25, threads = 8;
  std::vector<std::string> tokens;
  for (int i = 0; i < customers; ++i) tokens.push_back(tower.register_customer("RUSH" + std::to_string(100000 + i)).second);
  const Reply sale = tower.client->post("/api/v1/flash-sales", {{"make", "BYD"}, {"model", "Seal"}, {"colour", "blue"}, {"units", units}, {"price", "180000"}}, staff_token);
  REQUIRE(sale.status == 201);
  const std::string claims = "/api/v1/flash-sales/" + std::to_string(sale.json["id"].get<int>()) + "/claims";

  std::atomic<int> won{0}, sold_out{0}, other{0};
  std::mutex mutex;
  std::set<std::uint32_t> winners;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      TestClient client(tower.port());
      // Every customer tries twice: the second try must never win.
      for (int round = 0; round < 2; ++round)
        for (int i = t; i < customers; i += threads) {
          const Reply reply = client.post(claims, nlohmann::json::object(), tokens[i]);
          if (reply.status == 201) {
            ++won;
            std::lock_guard lock(mutex);
            winners.insert(reply.json["customer"].get<std::uint32_t>());
          } else if (reply.status == 409) {
            ++sold_out;
          } else {
            ++other;
          }
        }
    });
  for (auto& thread : pool) thread.join();
  CHECK(won == units);
  CHECK(winners.size() == static_cast<std::size_t>(units));
  CHECK(sold_out == 2 * customers - units);
  CHECK(other == 0);
  tower.restart();
  CHECK(tower.client->get(claims.substr(0, claims.rfind('/'))).json["available"] == 0);
}

TEST_CASE("every API route is in the OpenAPI document, and the document names no route that is not", "[api_contract]") {
  RunningGateway tower("openapi");
  const Reply document = tower.client->get("/api/v1/openapi.json");
  REQUIRE(document.status == 200);
  REQUIRE(document.json["openapi"].get<std::string>().rfind("3.", 0) == 0);
  std::set<std::string> documented;
  for (const auto& [route_path, operations] : document.json["paths"].items())
    for (const auto& [method, operation] : operations.items()) documented.insert(method + " " + route_path);
  std::set<std::string> served{"get /api/v1/openapi.json", "get /api/v1/live", "get /healthz", "get /metrics"};
  for (const auto& route : gateway::api_routes()) {
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    served.insert(method + " " + route.pattern);
  }
  for (const auto& route : served) CHECK(documented.count(route) == 1);
  for (const auto& route : documented) CHECK(served.count(route) == 1);
}

TEST_CASE("health, metrics and the public files are served", "[api_contract]") {
  RunningGateway tower("operations");
  CHECK(tower.client->get("/healthz").json["status"] == "ok");
  tower.client->get("/api/v1/cars");
  const Reply metrics = tower.client->get("/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.body.find("tower_http_requests_total{route=\"/api/v1/cars\",method=\"GET\",status=\"200\"} 1") != std::string::npos);
  CHECK(metrics.body.find("tower_http_request_duration_seconds_bucket") != std::string::npos);
  CHECK(metrics.body.find("tower_store_commits") != std::string::npos);
  CHECK(tower.client->get("/").status == 200);
  CHECK(tower.client->get("/../../etc/passwd").status == 404);
}

}  // namespace
}  // namespace tower::testing
