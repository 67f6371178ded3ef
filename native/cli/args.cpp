#include "cli/args.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace tower::cli {

Args::Args(std::vector<std::string> argv, std::set<std::string> value_flags, std::set<std::string> switch_flags) {
  for (std::size_t i = 0; i < argv.size() && error_.empty(); ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      positional_.push_back(arg);
      continue;
    }
    std::string inline_value;
    bool has_inline = false;
    if (const auto eq = arg.find('='); eq != std::string::npos) {
      inline_value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_inline = true;
    }
    if (switch_flags.count(arg)) {
      if (has_inline) error_ = arg + " takes no value";
      switches_.insert(arg);
    } else if (value_flags.count(arg)) {
      if (has_inline) {
        values_[arg] = inline_value;
      } else if (i + 1 < argv.size()) {
        values_[arg] = argv[++i];
      } else {
        error_ = arg + " needs a value";
      }
    } else {
      error_ = "unknown option " + arg;
    }
  }
}

bool Args::has(const std::string& flag) const { return switches_.count(flag) || values_.count(flag); }

std::optional<std::string> Args::value(const std::string& flag) const {
  const auto found = values_.find(flag);
  if (found == values_.end()) return std::nullopt;
  return found->second;
}

std::optional<double> parse_number(const std::string& flag, const std::string& text, std::string& error) {
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(value)) {
    error = flag + ": '" + text + "' is not a number";
    return std::nullopt;
  }
  return value;
}

std::optional<long long> parse_integer(const std::string& flag, const std::string& text, std::string& error) {
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE) {
    error = flag + ": '" + text + "' is not a whole number";
    return std::nullopt;
  }
  return value;
}

}  // namespace tower::cli
