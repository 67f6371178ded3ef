// Errors as values: the core never throws, so the WASM build can run without exception support.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace tower {

// Why a command or an input was refused. Codes are stable (APIs map them to HTTP statuses);
// messages are for people: a customer or an operator must understand them as written.
enum class ErrorCode {
  invalid_argument,   // malformed or out-of-range input; the message names the field
  not_found,          // the referenced customer, car, order, ... does not exist
  conflict,           // the request contradicts the current state (car taken, trial active, ...)
  not_eligible,       // a credit or membership rule refuses it; the message gives the rule
  limit_reached,      // a quota (trials per 60 days, one unit per customer) is used up
  expired,            // a deadline passed (reservation, pickup window, code)
  forbidden,          // identity or code check failed, or the record belongs to someone else
  too_early,          // not open yet (a flash sale before its start)
  sold_out,           // nothing left to claim
};

const char* to_string(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;
};

inline Error make_error(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

// A value or an Error. Accessing the wrong alternative is a programmer error (assert).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : storage_(std::move(value)) {}
  Result(Error error) : storage_(std::move(error)) {}

  bool ok() const { return storage_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(storage_); }
  const T& value() const& { assert(ok()); return std::get<0>(storage_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(storage_)); }
  const Error& error() const { assert(!ok()); return std::get<1>(storage_); }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> storage_;
};

// Result<void>: success carries nothing.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

}  // namespace tower
