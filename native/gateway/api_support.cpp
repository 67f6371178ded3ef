// Strict readers for API input and the shape of every JSON answer.
#include "gateway/api_support.hpp"

#include <algorithm>
#include <ctime>

namespace tower::gateway {

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument: return 400;
    case ErrorCode::forbidden: return 403;
    case ErrorCode::not_found: return 404;
    case ErrorCode::expired: return 410;
    case ErrorCode::not_eligible: return 422;
    case ErrorCode::conflict:
    case ErrorCode::limit_reached:
    case ErrorCode::too_early:
    case ErrorCode::sold_out: return 409;
  }
  return 400;
}

HttpResponse json_response(int status, const nlohmann::json& body) {
  HttpResponse response;
  response.status = status;
  // Answers may quote the client's bytes (a path, a query value), which need not be UTF-8: replace what is
  // not, rather than throw and turn the client's mistake into a 500.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

HttpResponse error_response(int status, const std::string& code, const std::string& message) {
  return json_response(status, {{"error", {{"code", code}, {"message", message}}}});
}

HttpResponse error_response(const Error& error) {
  return error_response(http_status(error.code), to_string(error.code), error.message);
}

Fields::Fields(const nlohmann::json& body, std::initializer_list<const char*> allowed) : body_(body) {
  if (!body_.is_object()) {
    fail("the request body must be a JSON object");
    return;
  }
  for (const auto& item : body_.items()) {
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* name) { return item.key() == name; })) {
      std::string known;
      for (const char* name : allowed) known += (known.empty() ? "" : ", ") + std::string(name);
      fail(item.key() + " is not a known field (expected: " + known + ")");
      return;
    }
  }
}

void Fields::fail(const std::string& message) {
  if (!error_) error_ = make_error(ErrorCode::invalid_argument, message);
}

bool Fields::present(const char* name, bool required) {
  if (error_) return false;
  if (body_.contains(name) && !body_[name].is_null()) return true;
  if (required) fail(std::string(name) + " is required");
  return false;
}

std::uint32_t Fields::id(const char* name, bool required) {
  if (!present(name, required)) return 0;
  const auto& value = body_[name];
  if (!value.is_number_integer() || value.get<std::int64_t>() < 1 || value.get<std::int64_t>() > 0xffffffffLL) {
    fail(std::string(name) + " must be a positive whole number");
    return 0;
  }
  return value.get<std::uint32_t>();
}

std::int64_t Fields::integer(const char* name, std::int64_t min, std::int64_t max, std::optional<std::int64_t> fallback) {
  if (!present(name, !fallback)) return fallback.value_or(0);
  const auto& value = body_[name];
  if (!value.is_number_integer() || value.get<std::int64_t>() < min || value.get<std::int64_t>() > max) {
    fail(std::string(name) + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    return fallback.value_or(0);
  }
  return value.get<std::int64_t>();
}

std::string Fields::text(const char* name, std::size_t max_length, bool required) {
  if (!present(name, required)) return {};
  const auto& value = body_[name];
  if (!value.is_string()) {
    fail(std::string(name) + " must be a string");
    return {};
  }
  std::string text = value.get<std::string>();
  if (text.size() > max_length) {
    fail(std::string(name) + " must be at most " + std::to_string(max_length) + " bytes");
    return {};
  }
  return text;
}

bool Fields::flag(const char* name, bool fallback) {
  if (!present(name, false)) return fallback;
  if (!body_[name].is_boolean()) {
    fail(std::string(name) + " must be true or false");
    return fallback;
  }
  return body_[name].get<bool>();
}

Money Fields::money(const char* name, Currency currency) {
  if (!present(name, true)) return {};
  const auto& value = body_[name];
  const std::string field = name;
  if (value.is_object()) {
    if (!value.contains("minor") || !value["minor"].is_number_integer() || !value.contains("currency") ||
        !value["currency"].is_string()) {
      fail(field + " must be {\"minor\": whole number, \"currency\": \"" + currency.str() + "\"} or an amount like \"2220.00\"");
      return {};
    }
    if (value["currency"].get<std::string>() != currency.str()) {
      fail(field + ".currency must be " + currency.str() + ", the tower's currency");
      return {};
    }
    return Money{value["minor"].get<std::int64_t>(), currency};
  }
  if (!value.is_string() && !value.is_number()) {
    fail(field + " must be an amount like \"2220.00\"");
    return {};
  }
  auto minor = parse_major_units(value.is_string() ? value.get<std::string>() : value.dump());
  if (!minor) {
    fail(field + ": " + minor.error().message);
    return {};
  }
  return Money{*minor, currency};
}

SimTime Fields::time(const char* name, SimTime fallback) {
  if (!present(name, false)) return fallback;
  const auto& value = body_[name];
  if (value.is_number_integer()) return SimTime{value.get<std::int64_t>()};
  std::tm parts{};
  int consumed = 0;
  const std::string text = value.is_string() ? value.get<std::string>() : "";
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &parts.tm_year, &parts.tm_mon, &parts.tm_mday,
                  &parts.tm_hour, &parts.tm_min, &parts.tm_sec, &consumed) != 6 ||
      consumed != static_cast<int>(text.size()) || parts.tm_mon < 1 || parts.tm_mon > 12 || parts.tm_mday < 1 ||
      parts.tm_mday > 31 || parts.tm_hour > 23 || parts.tm_min > 59 || parts.tm_sec > 60) {
    fail(std::string(name) + " must be a UTC time like \"2026-11-22T10:00:00Z\" or microseconds since 1970");
    return fallback;
  }
  parts.tm_year -= 1900;
  parts.tm_mon -= 1;
  return SimTime{static_cast<std::int64_t>(timegm(&parts)) * 1'000'000};
}

std::optional<std::string> query_value(const std::string& query, const std::string& name) {
  std::size_t start = 0;
  while (start <= query.size()) {
    const std::size_t end = std::min(query.find('&', start), query.size());
    const std::string pair = query.substr(start, end - start);
    const std::size_t equals = pair.find('=');
    if (pair.substr(0, equals) == name) {
      std::string raw = equals == std::string::npos ? "" : pair.substr(equals + 1), decoded;
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '+') {
          decoded += ' ';
        } else if (raw[i] == '%' && i + 2 < raw.size() && std::isxdigit(static_cast<unsigned char>(raw[i + 1])) &&
                   std::isxdigit(static_cast<unsigned char>(raw[i + 2]))) {
          decoded += static_cast<char>(std::stoi(raw.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          decoded += raw[i];
        }
      }
      return decoded;
    }
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace tower::gateway

namespace tower::gateway {

nlohmann::json money_json(Money money) { return {{"minor", money.minor}, {"currency", money.currency.str()}}; }

nlohmann::json without_code(nlohmann::json record) {
  record.erase("pickup_code");
  return record;
}

}  // namespace tower::gateway
