// Operational figures in the Prometheus text exposition format (version 0.0.4): counters, gauges and
// histograms with labels. Thread-safe; recording is a short critical section, scraping renders everything.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace tower::gateway {

using Labels = std::vector<std::pair<std::string, std::string>>;  // rendered in this order, values escaped

class Metrics {
 public:
  // Every metric is declared once with its help text; recording into an undeclared name is a programmer error.
  void declare_counter(const std::string& name, const std::string& help);
  void declare_gauge(const std::string& name, const std::string& help);
  // `bounds` are the upper bounds of the buckets, ascending; +Inf is implicit.
  void declare_histogram(const std::string& name, const std::string& help, std::vector<double> bounds);

  void add(const std::string& counter, const Labels& labels = {}, double amount = 1);
  void set(const std::string& gauge, const Labels& labels, double value);
  void observe(const std::string& histogram, const Labels& labels, double value);
  // Gauges that are cheaper to read at scrape time (queue depth, subscribers): called by render().
  void on_scrape(std::function<void(Metrics&)> refresh);

  // The whole exposition: "# HELP", "# TYPE", then one line per series; histograms as _bucket{le=...}
  // (cumulative), _sum and _count.
  std::string render();

 private:
  enum class Type { counter, gauge, histogram };
  struct Series {
    double value = 0;                 // counter, gauge
    std::vector<std::uint64_t> counts;  // histogram: per bucket (not cumulative) + the +Inf bucket
    double sum = 0;
    std::uint64_t count = 0;
  };
  struct Family {
    Type type = Type::counter;
    std::string help;
    std::vector<double> bounds;
    std::map<Labels, Series> series;
  };
  void declare(const std::string& name, const std::string& help, Type type, std::vector<double> bounds);
  Family* family(const std::string& name, Type type);  // null (after an assert) if undeclared or mistyped
  static void render_family(std::string& out, const std::string& name, const Family& family);
  std::mutex mutex_;
  std::map<std::string, Family> families_;
  std::vector<std::function<void(Metrics&)>> refreshers_;
};

// One JSON object per line on stderr: {"ts":"2026-11-22T02:53:16.123Z","level":"info","msg":...,<fields>}.
// Thread-safe; a line is written with one call so lines never interleave.
void log_json(const char* level, const std::string& message, const std::map<std::string, std::string>& fields = {});

}  // namespace tower::gateway
