// Counters, gauges and histograms rendered in the Prometheus text format 0.0.4, and one-line JSON logs.
// Names and label names are fixed in code, so mistakes there are asserts; label values come from outside
// and are escaped.
#include "gateway/metrics.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

namespace tower::gateway {
namespace {

bool valid_name(const std::string& name, bool allow_colon) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           (allow_colon && c == ':');
  });
}

[[maybe_unused]] bool valid_labels(const Labels& labels) {
  return std::all_of(labels.begin(), labels.end(), [](const auto& label) {
    return valid_name(label.first, false) && label.first != "le" && label.first.rfind("__", 0) != 0;
  });
}

// Integral values print as integers ("3", not "3e+00"); others in the shortest form that reads back exactly.
std::string format_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::trunc(value) && std::fabs(value) < 9e18) {
    return std::to_string(static_cast<std::int64_t>(value));
  }
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

// HELP text escapes backslash and newline; label values also escape the double quote.
std::string escape(const std::string& text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '"' && quote) out += "\\\"";
    else out += c;
  }
  return out;
}

// `{a="1",b="2"}`, with an optional `le` last; nothing at all when there are no labels.
std::string render_labels(const Labels& labels, const std::string* le = nullptr) {
  if (labels.empty() && le == nullptr) return "";
  std::string out = "{";
  for (const auto& [name, value] : labels) {
    if (out.size() > 1) out += ',';
    out += name + "=\"" + escape(value, true) + '"';
  }
  if (le != nullptr) out += std::string(out.size() > 1 ? "," : "") + "le=\"" + *le + '"';
  return out + "}";
}

void append_line(std::string& out, const std::string& name, const std::string& labels, const std::string& value) {
  out += name + labels + ' ' + value + '\n';
}

std::string utc_timestamp_ms() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const auto seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[40];
  const auto length = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(buffer + length, sizeof buffer - length, ".%03dZ", static_cast<int>(ms % 1000));
  return buffer;
}

}  // namespace

void Metrics::declare(const std::string& name, const std::string& help, Type type, std::vector<double> bounds) {
  assert(valid_name(name, true) && "metric names are [a-zA-Z_:][a-zA-Z0-9_:]*");
  assert(std::adjacent_find(bounds.begin(), bounds.end(), std::greater_equal<>()) == bounds.end() &&
         "histogram bounds must be strictly ascending");
  const std::lock_guard lock(mutex_);
  const bool added = families_.emplace(name, Family{type, help, std::move(bounds), {}}).second;
  assert(added && "metric declared twice");
  (void)added;
}

void Metrics::declare_counter(const std::string& name, const std::string& help) {
  declare(name, help, Type::counter, {});
}

void Metrics::declare_gauge(const std::string& name, const std::string& help) { declare(name, help, Type::gauge, {}); }

void Metrics::declare_histogram(const std::string& name, const std::string& help, std::vector<double> bounds) {
  declare(name, help, Type::histogram, std::move(bounds));
}

Metrics::Family* Metrics::family(const std::string& name, Type type) {
  const auto found = families_.find(name);
  const bool declared = found != families_.end() && found->second.type == type;
  assert(declared && "recording into an undeclared metric, or with the wrong type");
  return declared ? &found->second : nullptr;  // release builds drop the sample rather than crash the gateway
}

void Metrics::add(const std::string& counter, const Labels& labels, double amount) {
  assert(amount >= 0 && "counters only go up");
  assert(valid_labels(labels));
  const std::lock_guard lock(mutex_);
  if (Family* target = family(counter, Type::counter)) target->series[labels].value += amount;
}

void Metrics::set(const std::string& gauge, const Labels& labels, double value) {
  assert(valid_labels(labels));
  const std::lock_guard lock(mutex_);
  if (Family* target = family(gauge, Type::gauge)) target->series[labels].value = value;
}

void Metrics::observe(const std::string& histogram, const Labels& labels, double value) {
  assert(valid_labels(labels));
  const std::lock_guard lock(mutex_);
  Family* target = family(histogram, Type::histogram);
  if (target == nullptr) return;
  Series& series = target->series[labels];
  series.counts.resize(target->bounds.size() + 1);
  // Bucket i counts bounds[i-1] < value <= bounds[i]; NaN lands in +Inf only.
  const auto bucket = std::isnan(value) ? target->bounds.end()
                                        : std::lower_bound(target->bounds.begin(), target->bounds.end(), value);
  ++series.counts[static_cast<std::size_t>(bucket - target->bounds.begin())];
  series.sum += value;
  ++series.count;
}

void Metrics::on_scrape(std::function<void(Metrics&)> refresh) {
  const std::lock_guard lock(mutex_);
  refreshers_.push_back(std::move(refresh));
}

void Metrics::render_family(std::string& out, const std::string& name, const Family& family) {
  static constexpr const char* type_names[] = {"counter", "gauge", "histogram"};
  out += "# HELP " + name + ' ' + escape(family.help, false) + '\n';
  out += "# TYPE " + name + ' ' + type_names[static_cast<int>(family.type)] + '\n';
  for (const auto& [labels, series] : family.series) {
    if (family.type != Type::histogram) {
      append_line(out, name, render_labels(labels), format_number(series.value));
      continue;
    }
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < family.bounds.size(); ++i) {
      cumulative += series.counts[i];
      const std::string le = format_number(family.bounds[i]);
      append_line(out, name + "_bucket", render_labels(labels, &le), std::to_string(cumulative));
    }
    const std::string infinity = "+Inf";
    append_line(out, name + "_bucket", render_labels(labels, &infinity), std::to_string(series.count));
    append_line(out, name + "_sum", render_labels(labels), format_number(series.sum));
    append_line(out, name + "_count", render_labels(labels), std::to_string(series.count));
  }
}

std::string Metrics::render() {
  std::vector<std::function<void(Metrics&)>> refreshers;
  {
    const std::lock_guard lock(mutex_);
    refreshers = refreshers_;
  }
  for (const auto& refresh : refreshers) refresh(*this);  // unlocked: refreshers record through set()
  const std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) render_family(out, name, family);
  return out;
}

void log_json(const char* level, const std::string& message, const std::map<std::string, std::string>& fields) {
  assert(level != nullptr);
  nlohmann::ordered_json line;
  line["ts"] = utc_timestamp_ms();
  line["level"] = level;
  line["msg"] = message;
  for (const auto& [key, value] : fields) line.emplace(key, value);  // emplace: a field never hides ts/level/msg
  // Replace invalid UTF-8 instead of throwing: a log line must never take the gateway down.
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + '\n';
  static std::mutex mutex;
  const std::lock_guard lock(mutex);
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace tower::gateway
