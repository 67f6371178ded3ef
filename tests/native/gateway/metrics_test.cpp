// The Prometheus exposition and the JSON log lines (native/gateway/metrics.cpp).
#include <catch2/catch.hpp>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include <unistd.h>

#include "gateway/metrics.hpp"

using namespace tower::gateway;

namespace {
// True if `text` matches `shape`, where 'd' stands for any digit and other characters for themselves.
bool has_shape(const std::string& text, const std::string& shape) {
  if (text.size() != shape.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool digit = text[i] >= '0' && text[i] <= '9';
    if (shape[i] == 'd' ? !digit : text[i] != shape[i]) return false;
  }
  return true;
}
}  // namespace

TEST_CASE("a counter renders help, type and one line per label set", "[metrics]") {
  Metrics metrics;
  metrics.declare_counter("tower_requests_total", "Requests served.");
  metrics.add("tower_requests_total", {{"route", "/cars"}, {"status", "200"}});
  metrics.add("tower_requests_total", {{"route", "/cars"}, {"status", "200"}}, 2);
  metrics.add("tower_requests_total", {{"route", "/orders"}, {"status", "409"}});
  CHECK(metrics.render() ==
        "# HELP tower_requests_total Requests served.\n"
        "# TYPE tower_requests_total counter\n"
        "tower_requests_total{route=\"/cars\",status=\"200\"} 3\n"
        "tower_requests_total{route=\"/orders\",status=\"409\"} 1\n");
}

TEST_CASE("a gauge prints integers without exponent and fractions exactly", "[metrics]") {
  Metrics metrics;
  metrics.declare_gauge("tower_queue_depth", "Cars waiting for a bay.");
  metrics.set("tower_queue_depth", {}, 4);
  metrics.set("tower_queue_depth", {}, 2.5);
  metrics.declare_gauge("tower_value", "Values.");
  metrics.set("tower_value", {{"k", "big"}}, 1e15);
  metrics.set("tower_value", {{"k", "negative"}}, -3);
  metrics.set("tower_value", {{"k", "tenth"}}, 0.1);
  CHECK(metrics.render() ==
        "# HELP tower_queue_depth Cars waiting for a bay.\n"
        "# TYPE tower_queue_depth gauge\n"
        "tower_queue_depth 2.5\n"
        "# HELP tower_value Values.\n"
        "# TYPE tower_value gauge\n"
        "tower_value{k=\"big\"} 1000000000000000\n"
        "tower_value{k=\"negative\"} -3\n"
        "tower_value{k=\"tenth\"} 0.1\n");
}

TEST_CASE("a histogram renders cumulative buckets, +Inf, sum and count", "[metrics]") {
  Metrics metrics;
  metrics.declare_histogram("tower_retrieval_seconds", "Time to bring a car down.", {0.005, 0.25, 1});
  for (const double value : {0.0009765625, 0.25, 0.125, 0.5, 4.0}) {
    metrics.observe("tower_retrieval_seconds", {{"bay", "1"}}, value);
  }
  CHECK(metrics.render() ==
        "# HELP tower_retrieval_seconds Time to bring a car down.\n"
        "# TYPE tower_retrieval_seconds histogram\n"
        "tower_retrieval_seconds_bucket{bay=\"1\",le=\"0.005\"} 1\n"
        "tower_retrieval_seconds_bucket{bay=\"1\",le=\"0.25\"} 3\n"
        "tower_retrieval_seconds_bucket{bay=\"1\",le=\"1\"} 4\n"
        "tower_retrieval_seconds_bucket{bay=\"1\",le=\"+Inf\"} 5\n"
        "tower_retrieval_seconds_sum{bay=\"1\"} 4.8759765625\n"
        "tower_retrieval_seconds_count{bay=\"1\"} 5\n");
}

TEST_CASE("a histogram without labels puts le alone in braces", "[metrics]") {
  Metrics metrics;
  metrics.declare_histogram("tower_wait_seconds", "Wait.", {1});
  metrics.observe("tower_wait_seconds", {}, 2);
  CHECK(metrics.render() ==
        "# HELP tower_wait_seconds Wait.\n"
        "# TYPE tower_wait_seconds histogram\n"
        "tower_wait_seconds_bucket{le=\"1\"} 0\n"
        "tower_wait_seconds_bucket{le=\"+Inf\"} 1\n"
        "tower_wait_seconds_sum 2\n"
        "tower_wait_seconds_count 1\n");
}

TEST_CASE("label values escape backslash, quote and newline; help escapes backslash and newline", "[metrics]") {
  Metrics metrics;
  metrics.declare_counter("tower_errors_total", "Errors \"by\" reason\\kind\nsecond line.");
  metrics.add("tower_errors_total", {{"reason", "a\\b\"c\nd"}});
  CHECK(metrics.render() ==
        "# HELP tower_errors_total Errors \"by\" reason\\\\kind\\nsecond line.\n"
        "# TYPE tower_errors_total counter\n"
        "tower_errors_total{reason=\"a\\\\b\\\"c\\nd\"} 1\n");
}

TEST_CASE("render calls the scrape-time refreshers first", "[metrics]") {
  Metrics metrics;
  metrics.declare_gauge("tower_subscribers", "Open event streams.");
  int calls = 0;
  metrics.on_scrape([&](Metrics& m) { m.set("tower_subscribers", {}, ++calls); });
  CHECK(metrics.render().find("tower_subscribers 1\n") != std::string::npos);
  CHECK(metrics.render().find("tower_subscribers 2\n") != std::string::npos);
  CHECK(calls == 2);
}

TEST_CASE("recording from four threads at once loses nothing", "[metrics]") {
  Metrics metrics;
  metrics.declare_counter("tower_hits_total", "Hits.");
  metrics.declare_histogram("tower_latency_seconds", "Latency.", {1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&metrics] {
      for (int i = 0; i < 10'000; ++i) {
        metrics.add("tower_hits_total");
        metrics.observe("tower_latency_seconds", {}, 0.5);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const std::string text = metrics.render();
  CHECK(text.find("tower_hits_total 40000\n") != std::string::npos);
  CHECK(text.find("tower_latency_seconds_bucket{le=\"1\"} 40000\n") != std::string::npos);
  CHECK(text.find("tower_latency_seconds_sum 20000\n") != std::string::npos);
  CHECK(text.find("tower_latency_seconds_count 40000\n") != std::string::npos);
}

TEST_CASE("a log line is one JSON object with a UTC millisecond timestamp", "[metrics]") {
  const std::string path = "/tmp/tower_log_json_" + std::to_string(getpid()) + ".txt";
  std::fflush(stderr);
  const int saved = dup(2);
  FILE* capture = std::fopen(path.c_str(), "w");
  REQUIRE(capture != nullptr);
  dup2(fileno(capture), 2);
  log_json("warn", "car \"7\" stuck\n", {{"bay", "2"}, {"msg", "must not replace the message"}});
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  std::fclose(capture);
  std::string text;
  {
    FILE* in = std::fopen(path.c_str(), "r");
    char buffer[4096];
    text.assign(buffer, std::fread(buffer, 1, sizeof buffer, in));
    std::fclose(in);
  }
  std::remove(path.c_str());
  REQUIRE(!text.empty());
  CHECK(text.back() == '\n');
  CHECK(text.find('\n') == text.size() - 1);
  const auto line = nlohmann::json::parse(text);
  CHECK(has_shape(line["ts"].get<std::string>(), "dddd-dd-ddTdd:dd:dd.dddZ"));
  CHECK(line["level"] == "warn");
  CHECK(line["msg"] == "car \"7\" stuck\n");
  CHECK(line["bay"] == "2");
  CHECK(text.rfind("{\"ts\":", 0) == 0);
}
