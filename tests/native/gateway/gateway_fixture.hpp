// A real gateway on an ephemeral loopback port with a fresh data directory, for the integration tests.
// The machine runs fast, the credit provider knows a few documents, and the staff token is known.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "gateway/gateway.hpp"
#include "test_client.hpp"

namespace tower::testing {

constexpr const char* staff_token = "staff-token-for-the-integration-tests-0123456789";

// Documents the simulated credit provider scores: instant purchase needs > 750, a free trial > 700.
constexpr const char* good_credit = "GOOD00001";
constexpr const char* poor_credit = "POOR00001";

inline std::filesystem::path fresh_directory(const std::string& name) {
  std::random_device seed;
  const auto path = std::filesystem::temp_directory_path() / ("tower-" + name + "-" + std::to_string(seed()));
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(path);
  return path;
}

inline gateway::GatewayConfig test_config(const std::filesystem::path& directory) {
  gateway::GatewayConfig config;
  config.data_dir = (directory / "data").string();
  config.public_dir = (directory / "public").string();
  config.staff_tokens_file = (directory / "staff-tokens").string();
  if (!std::filesystem::exists(config.staff_tokens_file)) std::ofstream(config.staff_tokens_file) << "tester " << staff_token << "\n";
  config.http.address = "127.0.0.1";
  config.http.port = 0;
  config.machine_speed = 500;  // a 50 s retrieval takes 0.1 s
  config.initial_stock = 12;
  config.tick = std::chrono::milliseconds(20);
  config.per_address = {1e6, 1e6};
  config.per_customer = {1e6, 1e6};
  config.credit.min_score = 760;  // everyone else may buy
  config.credit.max_score = 800;
  config.credit.scores = {{good_credit, 800}, {poor_credit, 500}};
  return config;
}

struct RunningGateway {
  explicit RunningGateway(const std::string& name) : directory(fresh_directory(name)), config(test_config(directory)) { start(); }
  RunningGateway(std::filesystem::path dir, gateway::GatewayConfig cfg) : directory(std::move(dir)), config(std::move(cfg)) { start(); }
  ~RunningGateway() {
    gateway.reset();
    std::filesystem::remove_all(directory);
  }
  void start() {
    auto started = gateway::Gateway::start(config);
    if (!started) FAIL("the gateway did not start: " << started.error().message);
    gateway = std::move(*started);
    client = std::make_unique<TestClient>(gateway->port());
  }
  void restart() {
    client.reset();
    gateway.reset();
    start();
  }
  unsigned short port() const { return gateway->port(); }

  // Registers a customer and returns (id, token).
  std::pair<std::uint32_t, std::string> register_customer(const std::string& document, const std::string& name = "Test Customer") {
    const Reply reply = client->post("/api/v1/customers", {{"name", name}, {"identity_document", document}, {"selfie_template", "face:" + document}});
    REQUIRE(reply.status == 201);
    return {reply.json["customer"]["id"].get<std::uint32_t>(), reply.json["token"].get<std::string>()};
  }
  // The first available car of the stock.
  std::uint32_t available_car(std::size_t index = 0) {
    const Reply reply = client->get("/api/v1/cars");
    REQUIRE(reply.status == 200);
    REQUIRE(reply.json["cars"].size() > index);
    return reply.json["cars"][index]["id"].get<std::uint32_t>();
  }
  // Polls until `predicate(car json)` holds, for up to `seconds`.
  template <class Predicate>
  nlohmann::json wait_for_car(std::uint32_t car, Predicate predicate, double seconds = 10) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    nlohmann::json json;
    while (std::chrono::steady_clock::now() < deadline) {
      json = client->get("/api/v1/cars/" + std::to_string(car)).json;
      if (predicate(json)) return json;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return json;
  }

  std::filesystem::path directory;
  gateway::GatewayConfig config;
  std::unique_ptr<gateway::Gateway> gateway;
  std::unique_ptr<TestClient> client;
};

}  // namespace tower::testing
