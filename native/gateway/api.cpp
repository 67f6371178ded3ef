// The API's plumbing: the route table, matching (404/405), operational routes, static files, and the trip of
// every API request through the sequencer: authenticate, check the role, rate-limit, handle.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>

#include <boost/asio/post.hpp>

#include "gateway/api_support.hpp"
#include "gateway/gateway.hpp"
#include "gateway/security.hpp"
#include "tower/codec.hpp"

namespace tower::gateway {

const std::vector<Route>& api_routes() {
  using G = Gateway;
  static const std::vector<Route> routes = {
      {"GET", "/api/v1/tower", Access::anyone, &G::get_tower},
      {"GET", "/api/v1/cars", Access::anyone, &G::list_cars},
      {"POST", "/api/v1/cars", Access::staff, &G::stock_car},
      {"GET", "/api/v1/cars/{id}", Access::anyone, &G::get_car},
      {"POST", "/api/v1/cars/{id}/service-done", Access::staff, &G::service_done},
      {"POST", "/api/v1/customers", Access::anyone, &G::register_customer, "registrations"},
      {"GET", "/api/v1/customers/{id}", Access::customer_or_staff, &G::get_customer},
      {"GET", "/api/v1/customers/{id}/eligibility", Access::customer_or_staff, &G::get_eligibility},
      {"PUT", "/api/v1/customers/{id}/membership", Access::staff, &G::set_membership},
      {"POST", "/api/v1/orders", Access::customer, &G::place_order, "orders"},
      {"GET", "/api/v1/orders/{id}", Access::customer_or_staff, &G::get_order},
      {"POST", "/api/v1/orders/{id}/payment", Access::customer_or_staff, &G::pay_order},
      {"POST", "/api/v1/orders/{id}/cancel", Access::customer, &G::cancel_order},
      {"POST", "/api/v1/trials", Access::customer, &G::book_trial, "trials"},
      {"GET", "/api/v1/trials/{id}", Access::customer_or_staff, &G::get_trial},
      {"POST", "/api/v1/trials/{id}/cancel", Access::customer, &G::cancel_trial},
      {"POST", "/api/v1/trials/{id}/return", Access::staff, &G::return_trial},
      {"POST", "/api/v1/trials/{id}/convert", Access::customer, &G::convert_trial},
      {"POST", "/api/v1/flash-sales", Access::staff, &G::create_sale},
      {"GET", "/api/v1/flash-sales/{id}", Access::anyone, &G::get_sale},
      {"POST", "/api/v1/flash-sales/{id}/claims", Access::customer, &G::claim_sale, "claims"},
      {"GET", "/api/v1/claims/{id}", Access::customer_or_staff, &G::get_claim},
      {"POST", "/api/v1/claims/{id}/payment", Access::customer_or_staff, &G::pay_claim},
      {"POST", "/api/v1/pickups", Access::staff, &G::start_pickup, "pickups"},
      {"POST", "/api/v1/handovers", Access::staff, &G::hand_over},
      {"GET", "/api/v1/jobs", Access::customer_or_staff, &G::list_jobs},
      {"GET", "/api/v1/jobs/{id}", Access::customer_or_staff, &G::get_job},
      {"POST", "/api/v1/surveys", Access::customer, &G::submit_survey},
      {"GET", "/api/v1/machine", Access::anyone, &G::get_machine},
      {"POST", "/api/v1/machine/faults", Access::staff, &G::raise_fault},
      {"DELETE", "/api/v1/machine/faults/{fault}", Access::staff, &G::clear_fault},
      {"PUT", "/api/v1/machine/mode", Access::staff, &G::set_machine_mode},
      {"POST", "/api/v1/machine/manual-deliveries", Access::staff, &G::manual_delivery},
  };
  return routes;
}

namespace {

// Path segments as views into `path` ("/api/v1/cars/7" -> api, v1, cars, 7): one allocation per request.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 1;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

// The route patterns split once, in the routes' order.
const std::vector<std::vector<std::string_view>>& route_segments() {
  static const auto segments = [] {
    std::vector<std::vector<std::string_view>> all;
    for (const Route& route : api_routes()) all.push_back(split_path(route.pattern));
    return all;
  }();
  return segments;
}

// Matches a path against a pattern; {id} segments must be positive whole numbers, {fault} any word.
bool match(const std::vector<std::string_view>& pattern, const std::vector<std::string_view>& path,
           std::vector<std::uint32_t>& ids) {
  if (pattern.size() != path.size()) return false;
  ids.clear();
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == "{id}") {
      const std::string_view text = path[i];
      if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string_view::npos) return false;
      std::uint32_t value = 0;
      for (char digit : text) value = value * 10 + static_cast<std::uint32_t>(digit - '0');
      if (value == 0) return false;
      ids.push_back(value);
    } else if (pattern[i] != "{fault}" && pattern[i] != path[i]) {
      return false;
    }
  }
  return true;
}

const char* content_type_of(const std::filesystem::path& path) {
  const std::string extension = path.extension().string();
  if (extension == ".html") return "text/html; charset=utf-8";
  if (extension == ".js") return "text/javascript";
  if (extension == ".wasm") return "application/wasm";
  if (extension == ".json") return "application/json";
  if (extension == ".css") return "text/css";
  if (extension == ".png") return "image/png";
  if (extension == ".svg") return "image/svg+xml";
  return "application/octet-stream";
}

constexpr const char* fallback_index =
    "<!doctype html><meta charset=utf-8><title>Tower gateway</title><h1>Tower gateway</h1>"
    "<p>The digital twin is not built into this public directory yet. The API is at "
    "<a href=/api/v1/tower>/api/v1/tower</a>; its description at <a href=/api/v1/openapi.json>/api/v1/openapi.json</a>; "
    "the live feed is the WebSocket /api/v1/live.</p>";

}  // namespace

void Gateway::declare_metrics() {
  metrics_.declare_counter("tower_http_requests_total", "HTTP requests answered, by route, method and status");
  metrics_.declare_histogram("tower_http_request_duration_seconds", "Time from a request's arrival to its answer",
                             {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5});
  metrics_.declare_counter("tower_events_total", "Tower events committed, by type");
  metrics_.declare_gauge("tower_store_commits", "Group commits of the store");
  metrics_.declare_gauge("tower_store_records", "Records committed");
  metrics_.declare_gauge("tower_store_queue_depth", "Records waiting for the next commit");
  metrics_.declare_gauge("tower_store_batches", "Group commits by records per batch (upper bound)");
  metrics_.declare_gauge("tower_live_subscribers", "WebSocket subscribers of the live feed");
  metrics_.declare_gauge("tower_live_resyncs", "Live subscribers resynced for falling behind");
  metrics_.declare_gauge("tower_live_drops", "Live subscribers dropped for falling behind");
  metrics_.declare_gauge("tower_http_connections", "Open HTTP connections");
  metrics_.declare_gauge("tower_jobs_queued", "Machine jobs waiting for the lift");
  metrics_.declare_gauge("tower_job_eta_seconds", "Seconds until the next and the last active job's car is expected (0: none or unknown)");
  metrics_.on_scrape([this](Metrics& m) {
    const StoreStats stats = store_->stats();
    m.set("tower_store_commits", {}, static_cast<double>(stats.commits));
    m.set("tower_store_records", {}, static_cast<double>(stats.records));
    m.set("tower_store_queue_depth", {}, static_cast<double>(stats.queued));
    static const char* bounds[] = {"1", "4", "16", "64", "256", "1024", "+Inf"};
    for (std::size_t i = 0; i < stats.batch_size_buckets.size() && i < 7; ++i)
      m.set("tower_store_batches", {{"size_le", bounds[i]}}, static_cast<double>(stats.batch_size_buckets[i]));
    m.set("tower_live_subscribers", {}, static_cast<double>(live_.subscribers()));
    m.set("tower_live_resyncs", {}, static_cast<double>(live_.resyncs()));
    m.set("tower_live_drops", {}, static_cast<double>(live_.drops()));
    if (server_) m.set("tower_http_connections", {}, static_cast<double>(server_->connections()));
  });
}

// On an I/O thread: route, answer what needs no tower state, parse the body, then go to the sequencer.
void Gateway::handle(HttpRequest&& request, Respond respond) {
  const std::vector<std::string_view> path = split_path(request.path);
  const Route* route = nullptr;
  std::vector<std::uint32_t> ids;
  std::string allowed;
  for (std::size_t index = 0; index < api_routes().size(); ++index) {
    const Route& candidate = api_routes()[index];
    if (!match(route_segments()[index], path, ids)) continue;
    if (request.method == candidate.method) {
      route = &candidate;
      break;
    }
    allowed += (allowed.empty() ? "" : ", ") + std::string(candidate.method);
  }
  // Labels come from a fixed set: a client's own paths and methods as labels would grow the metrics without
  // bound (found by the request fuzzer).
  static const std::set<std::string, std::less<>> own_paths{"/", "/healthz", "/metrics", "/index.html"};
  static const std::set<std::string, std::less<>> methods{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
  const std::string label = route                                 ? route->pattern
                            : request.path.rfind("/api/", 0) == 0 ? "unmatched"
                            : own_paths.count(request.path)       ? request.path
                                                                  : "static";
  const std::string method = methods.count(request.method) ? request.method : "other";
  const auto received = request.received;
  Respond measured = [this, respond = std::move(respond), label, method, received](HttpResponse response) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - received).count();
    metrics_.add("tower_http_requests_total", {{"route", label}, {"method", method}, {"status", std::to_string(response.status)}});
    metrics_.observe("tower_http_request_duration_seconds", {{"route", label}}, seconds);
    respond(std::move(response));
  };
  if (!route) {
    if (!allowed.empty()) {
      HttpResponse response = error_response(405, "method_not_allowed", request.method + " is not allowed here; use " + allowed);
      response.headers.push_back({"Allow", allowed});
      return measured(std::move(response));
    }
    if (request.method == "GET" && request.path == "/healthz") {
      const bool healthy = !store_failed_;
      return measured(json_response(healthy ? 200 : 503, {{"status", healthy ? "ok" : "store failed"}}));
    }
    if (request.method == "GET" && request.path == "/metrics") {
      HttpResponse response{200, "text/plain; version=0.0.4", metrics_.render(), {}};
      return measured(std::move(response));
    }
    if (request.method == "GET" && request.path == "/api/v1/openapi.json") {
      HttpResponse response{200, "application/json", openapi_document(), {}};
      return measured(std::move(response));
    }
    if (request.path.rfind("/api/", 0) == 0)
      return measured(error_response(404, "not_found", "there is no " + request.path + " in this API; see /api/v1/openapi.json"));
    return serve_static(request, measured);
  }
  Call call{std::move(request), std::move(measured), {}, std::move(ids), nullptr};
  if (!call.request.body.empty()) {
    auto body = parse_json(call.request.body);
    if (!body) return call.respond(error_response(400, "invalid_argument", "the request body is not JSON: " + body.error().message));
    call.body = std::move(*body);
  } else if (call.request.method == "POST" || call.request.method == "PUT") {
    call.body = nlohmann::json::object();
  }
  boost::asio::post(sequencer_, [this, call = std::move(call), route]() mutable { on_sequencer(std::move(call), route); });
}

void Gateway::serve_static(const HttpRequest& request, Respond& respond) {
  if (request.method != "GET" && request.method != "HEAD")
    return respond(error_response(405, "method_not_allowed", "only GET serves files"));
  std::string relative = request.path == "/" ? "index.html" : request.path.substr(1);
  // Only plain relative paths inside public/: no "..", no hidden files, no backslashes.
  if (relative.find("..") != std::string::npos || relative.find('\\') != std::string::npos ||
      relative.find("/.") != std::string::npos || relative.front() == '.')
    return respond(error_response(404, "not_found", "no such file"));
  const std::filesystem::path file = std::filesystem::path(config_.public_dir) / relative;
  std::ifstream in(file, std::ios::binary);
  if (!in || std::filesystem::is_directory(file)) {
    if (relative == "index.html") return respond(HttpResponse{200, "text/html; charset=utf-8", fallback_index, {}});
    return respond(error_response(404, "not_found", "no such file: " + request.path));
  }
  std::ostringstream content;
  content << in.rdbuf();
  respond(HttpResponse{200, content_type_of(file), content.str(), {{"Cache-Control", "no-cache"}}});
}

Caller Gateway::authenticate(const HttpRequest& request) const {
  Caller caller;
  const std::string* header = request.header("authorization");
  if (!header || header->rfind("Bearer ", 0) != 0) return caller;
  const std::string digest = token_digest(header->substr(7));
  if (auto customer = customer_tokens_.find(digest); customer != customer_tokens_.end()) {
    caller.role = Caller::Role::customer;
    caller.customer = customer->second;
  } else if (auto staff = staff_tokens_.find(digest); staff != staff_tokens_.end()) {
    caller.role = Caller::Role::staff;
    caller.staff_name = staff->second;
  }
  return caller;
}

bool Gateway::rate_limited(Call& call, const char* bucket) {
  const std::int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::steady_clock::now().time_since_epoch()).count();
  int retry_after = 1;
  bool allowed = per_address_.allow(std::string(bucket) + "|" + call.request.client_address, now_us, &retry_after);
  if (allowed && call.caller.customer.valid())
    allowed = per_customer_.allow(std::string(bucket) + "|" + std::to_string(call.caller.customer.value), now_us, &retry_after);
  if (allowed) return false;
  HttpResponse response = error_response(429, "rate_limited", "too many requests; try again in " + std::to_string(retry_after) + " s");
  response.headers.push_back({"Retry-After", std::to_string(retry_after)});
  call.respond(std::move(response));
  return true;
}

void Gateway::on_sequencer(Call call, const Route* route) {
  if (stopping_ && route->method != std::string("GET"))
    return call.respond(error_response(503, "unavailable", "the tower is shutting down; please retry in a moment"));
  call.caller = authenticate(call.request);
  const bool customer = call.caller.role == Caller::Role::customer, staff = call.caller.role == Caller::Role::staff;
  const bool allowed = route->access == Access::anyone || (route->access == Access::customer && customer) ||
                       (route->access == Access::staff && staff) ||
                       (route->access == Access::customer_or_staff && (customer || staff));
  if (!allowed) {
    if (call.caller.role == Caller::Role::anonymous && call.request.header("authorization"))
      return call.respond(error_response(401, "unauthorized", "the token sent is not valid here; send the token you got at registration"));
    if (call.caller.role == Caller::Role::anonymous)
      return call.respond(error_response(401, "unauthorized", "sign in: send 'Authorization: Bearer <token>'"));
    return call.respond(error_response(403, "forbidden", route->access == Access::staff ? "this needs a staff token"
                                                                                         : "this is for customers"));
  }
  if (route->limited && rate_limited(call, route->limited)) return;
  (this->*route->handle)(call);
}

void Gateway::submit(Call& call, const Command& command, std::vector<Record> extra,
                     std::function<nlohmann::json(const std::vector<Event>&)> answer, int status) {
  // The answer is built right after apply, while the state is the one these events produced, and sent once
  // durable. The commit may finish first (the writer thread is fast), so whichever comes second sends.
  struct Pending {
    HttpResponse response;
    std::optional<HttpResponse> failure;
    std::atomic<int> waiting{2};
    Respond respond;
    void arrive() {
      if (waiting.fetch_sub(1, std::memory_order_acq_rel) == 1) respond(failure ? std::move(*failure) : std::move(response));
    }
  };
  auto pending = std::make_shared<Pending>();
  pending->respond = call.respond;
  auto events = commit(command, std::move(extra), [this, pending](const Status& durable, std::uint64_t) {
    if (!durable) {
      store_failed_ = true;
      log_json("error", "the store failed; refusing changes until restarted", {{"reason", durable.error().message}});
      pending->failure = error_response(503, "unavailable", "the tower could not record this; please retry later");
    }
    pending->arrive();
  });
  if (!events) return call.respond(error_response(events.error()));
  pending->response = json_response(status, answer(*events));
  if (events->empty()) pending->waiting.fetch_sub(1);
  pending->arrive();
}

bool Gateway::owns_or_staff(Call& call, CustomerId owner) {
  if (call.caller.role == Caller::Role::staff || call.caller.customer == owner) return true;
  // Someone else's record is reported as missing, so ids cannot be probed.
  call.respond(error_response(404, "not_found", "no such record of yours"));
  return false;
}

}  // namespace tower::gateway
