// Secrets of the gateway, all from OpenSSL: bearer tokens (256 random bits, stored only as SHA-256),
// keyed hashes of identity-document numbers (HMAC-SHA256 with the tower's key, so the number never enters
// the store), and pickup codes signed with HMAC-SHA256 and bound to a customer, a car and a time window.
// Comparisons of secrets are constant-time.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "tower/ids.hpp"
#include "tower/result.hpp"
#include "tower/time.hpp"

namespace tower::gateway {

// `count` bytes from OpenSSL's CSPRNG. Aborts if the CSPRNG fails: there is no safe fallback.
std::string random_bytes(std::size_t count);
std::string hex(std::string_view bytes);
std::string base64url(std::string_view bytes);  // no padding
std::string sha256(std::string_view data);      // raw 32 bytes
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
bool constant_time_equal(std::string_view a, std::string_view b);

// A new bearer token: "tt_" + base64url(32 random bytes). Only token_digest(token) is ever stored.
std::string new_token();
std::string token_digest(std::string_view token);  // hex(sha256(token))

// The keyed hash of an identity-document number, after normalising it (letters upper-cased, spaces and
// dashes dropped): one account per document, and a leaked store does not reveal the numbers.
// Fails with invalid_argument if the number is not 5 to 32 letters and digits.
Result<std::string> identity_digest(std::string_view key, std::string_view document_number);

// What a pickup code binds. `subject` is "order:<id>" or "trial:<id>".
struct PickupClaims {
  std::string subject;
  CustomerId customer{};
  CarId car{};
  SimTime not_before{};
  SimTime not_after{};
};

// "pc1.<base64url(payload)>.<base64url(hmac)>" with a random nonce in the payload, so two codes for the same
// claims differ. The core stores only pickup_code_digest(code), which is what makes a code single-use.
std::string sign_pickup_code(std::string_view key, const PickupClaims& claims);
std::string pickup_code_digest(std::string_view code);  // hex(sha256(code))

// Checks the signature first (forbidden "the pickup code is not valid" for anything forged or malformed,
// without saying which part failed), then the window at `now` (expired / too_early).
Result<PickupClaims> verify_pickup_code(std::string_view key, std::string_view code, SimTime now);

// Staff bearer tokens from a file: one "name token" pair per line, '#' comments and blank lines ignored.
// Tokens must be at least 32 characters. Fails naming the file and line.
Result<std::map<std::string, std::string>> load_staff_tokens(const std::string& path);  // digest -> name

}  // namespace tower::gateway
