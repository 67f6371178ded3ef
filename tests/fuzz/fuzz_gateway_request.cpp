// Fuzzes the gateway's request handling end to end (routing, authentication, rate limits, JSON decoding, the
// handlers, the durable commit) through Gateway::serve, with no socket. One gateway runs for the whole
// process, on a fresh data directory, so state builds up across inputs as it would in production.
//
// Input: byte 0 picks the method, byte 1 the credentials (none, a customer's, staff's, a forged token), then
// the target up to the first newline, then the body. Every answer must come, within seconds, with a status in
// 200..599; a 4xx must carry {"error": {"code", "message"}}; a 500 (the handler threw) is a finding.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <string>

#include <unistd.h>

#include "fuzz_check.hpp"
#include "gateway/gateway.hpp"

namespace {

using tower::fuzz::check;
namespace gw = tower::gateway;

constexpr const char* staff_token = "staff-token-for-the-request-fuzzer-0123456789";

struct Fixture {
  std::filesystem::path directory;
  std::unique_ptr<gw::Gateway> gateway;
  std::string customer_token;
};

gw::HttpResponse serve(gw::Gateway& gateway, gw::HttpRequest request) {
  auto answer = std::make_shared<std::promise<gw::HttpResponse>>();
  auto future = answer->get_future();
  request.received = std::chrono::steady_clock::now();
  try {
    gateway.serve(std::move(request), [answer](gw::HttpResponse response) { answer->set_value(std::move(response)); });
  } catch (const std::exception& error) {
    tower::fuzz::fail("the handler threw (the server would answer 500)", error.what());
  }
  check(future.wait_for(std::chrono::seconds(10)) == std::future_status::ready, "no answer within 10 s");
  return future.get();
}

// A gateway on a temporary directory (tmpfs when there is one: the store syncs every commit), with a known
// staff token, a registered customer and rate limits out of the way.
Fixture* instance = nullptr;

Fixture& fixture() {
  if (instance) return *instance;
  instance = [] {
    auto* made = new Fixture;
    const std::filesystem::path base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    // A crash skips the atexit cleanup below, so each start first clears what an earlier run left.
    for (const auto& entry : std::filesystem::directory_iterator(base))
      if (entry.path().filename().string().rfind("tower-fuzz-gateway-", 0) == 0) std::filesystem::remove_all(entry.path());
    made->directory = base / ("tower-fuzz-gateway-" + std::to_string(::getpid()));
    std::filesystem::create_directories(made->directory);
    gw::GatewayConfig config;
    config.data_dir = (made->directory / "data").string();
    config.public_dir = TOWER_PUBLIC_DIR;
    config.staff_tokens_file = (made->directory / "staff-tokens").string();
    std::ofstream(config.staff_tokens_file) << "fuzzer " << staff_token << "\n";
    config.http.address = "127.0.0.1";
    config.http.port = 0;
    config.machine_speed = 1000;
    config.initial_stock = 12;
    config.per_address = {1e9, 1e9};
    config.per_customer = {1e9, 1e9};
    auto started = gw::Gateway::start(config);
    check(started.ok(), "the gateway did not start", started.ok() ? "" : started.error().message);
    made->gateway = std::move(*started);
    gw::HttpRequest registration;
    registration.method = "POST";
    registration.path = "/api/v1/customers";
    registration.body = R"({"name": "Fuzz Customer", "identity_document": "DEMOGOOD1", "selfie_template": "face:fuzz"})";
    registration.client_address = "127.0.0.1";
    const gw::HttpResponse registered = serve(*made->gateway, std::move(registration));
    check(registered.status == 201, "the fuzzer's customer could not register", registered.body);
    made->customer_token = nlohmann::json::parse(registered.body)["token"].get<std::string>();
    std::atexit([] {
      instance->gateway.reset();
      std::filesystem::remove_all(instance->directory);
    });
    return made;
  }();
  return *instance;
}

void check_answer(const gw::HttpResponse& response, const std::string& request) {
  check(response.status >= 200 && response.status <= 599, "status outside 200..599", request);
  check(response.status != 500, "internal error", request + "\n" + response.body);
  if (response.status < 400 || response.status > 499) return;
  check(response.content_type == "application/json", "a 4xx is not JSON", request);
  const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  check(!body.is_discarded() && body.is_object() && body.contains("error"), "a 4xx without an error object", request);
  const nlohmann::json& error = body["error"];
  check(error.is_object() && error.contains("code") && error["code"].is_string() && error.contains("message") &&
            error["message"].is_string(),
        "a 4xx error without a code and message", request + "\n" + response.body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const char* methods[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"};
  Fixture& fix = fixture();
  if (size < 2) return 0;
  const std::string_view input = tower::fuzz::as_text(data, size);
  gw::HttpRequest request;
  request.method = methods[data[0] % 6];
  switch (data[1] % 4) {
    case 1: request.headers.push_back({"authorization", "Bearer " + fix.customer_token}); break;
    case 2: request.headers.push_back({"authorization", std::string("Bearer ") + staff_token}); break;
    case 3: request.headers.push_back({"authorization", "Bearer forged-" + fix.customer_token}); break;
    default: break;
  }
  const std::string_view rest = input.substr(2);
  const std::size_t newline = rest.find('\n');
  const std::string_view target = rest.substr(0, newline);
  if (newline != std::string_view::npos) request.body = std::string(rest.substr(newline + 1));
  const std::size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
  // The HTTP parser refuses an empty target; the sessions never pass one on.
  if (request.path.empty()) return 0;
  request.client_address = "127.0.0.1";
  const std::string description = request.method + " " + std::string(target) + "\n" + request.body;
  check_answer(serve(*fix.gateway, std::move(request)), description);
  return 0;
}
