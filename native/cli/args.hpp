// A small, strict command-line flag reader shared by every `tower` subcommand: unknown flags, missing
// values and malformed numbers are reported by name, so every bad invocation gets a one-line reason.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace tower::cli {

class Args {
 public:
  // value_flags take a value (--port 8080 or --port=8080); switch_flags take none (--json).
  Args(std::vector<std::string> argv, std::set<std::string> value_flags, std::set<std::string> switch_flags);

  // Empty when the arguments parsed; otherwise the reason, e.g. "unknown option --prot".
  const std::string& error() const { return error_; }

  bool has(const std::string& flag) const;
  std::optional<std::string> value(const std::string& flag) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> switches_;
  std::vector<std::string> positional_;
  std::string error_;
};

// Parses a decimal number for a flag; on failure sets `error` to "--flag: 'x' is not a number".
std::optional<double> parse_number(const std::string& flag, const std::string& text, std::string& error);
std::optional<long long> parse_integer(const std::string& flag, const std::string& text, std::string& error);

// The signature every subcommand implements: argv excludes "tower" and the subcommand name.
// Returns the process exit code: 0 success, 1 refused input, 2 usage error.
using CommandFunction = int (*)(const std::vector<std::string>& args);

}  // namespace tower::cli
