// Shared by the API's handlers: strict readers for request bodies and query strings, and the JSON answers.
// Every reader names the field it refused, so a client always learns what to fix.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "gateway/http_server.hpp"
#include "tower/money.hpp"
#include "tower/result.hpp"
#include "tower/time.hpp"

namespace tower::gateway {

// The HTTP status of a refusal: invalid_argument 400, forbidden 403, not_found 404, expired 410,
// not_eligible 422, and the state conflicts (conflict, limit_reached, too_early, sold_out) 409.
int http_status(ErrorCode code);

HttpResponse json_response(int status, const nlohmann::json& body);
// {"error": {"code": ..., "message": ...}}
HttpResponse error_response(int status, const std::string& code, const std::string& message);
HttpResponse error_response(const Error& error);

// Reads the fields of one JSON object. The first problem is kept (and later reads return defaults), so a
// handler reads everything, then checks error() once.
class Fields {
 public:
  Fields(const nlohmann::json& body, std::initializer_list<const char*> allowed);
  const std::optional<Error>& error() const { return error_; }

  std::uint32_t id(const char* name, bool required = true);
  std::int64_t integer(const char* name, std::int64_t min, std::int64_t max, std::optional<std::int64_t> fallback);
  std::string text(const char* name, std::size_t max_length, bool required = true);
  bool flag(const char* name, bool fallback);
  // An amount: {"minor": 123, "currency": "CNY"}, or major units as a string or number ("2220.00") in `currency`.
  Money money(const char* name, Currency currency);
  // An instant: microseconds since the Unix epoch, or "YYYY-MM-DDTHH:MM:SSZ".
  SimTime time(const char* name, SimTime fallback);

 private:
  bool present(const char* name, bool required);
  void fail(const std::string& message);
  const nlohmann::json& body_;
  std::optional<Error> error_;
};

// The value of `name` in a query string ("a=1&b=2"), percent-decoded; nullopt when absent.
std::optional<std::string> query_value(const std::string& query, const std::string& name);

}  // namespace tower::gateway

namespace tower::gateway {
// {"minor": 222000, "currency": "CNY"}, the form every record uses.
nlohmann::json money_json(Money money);
// A record as its owner sees it: without the stored pickup-code digest.
nlohmann::json without_code(nlohmann::json record);
}  // namespace tower::gateway
