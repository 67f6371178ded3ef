// Tokens, digests, identity hashes, pickup codes and staff token files (native/gateway/security.cpp).
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <set>
#include <vector>

#include <unistd.h>

#include "gateway/security.hpp"

using namespace tower;
using namespace tower::gateway;

namespace {

const std::string key = "the tower's pickup key, 32 bytes";

PickupClaims claims() {
  return PickupClaims{"order:42", CustomerId{7}, CarId{9}, SimTime{} + seconds(1000), SimTime{} + seconds(2000)};
}

// A code whose signature is right but whose payload is whatever the test says: only the parser can refuse it.
std::string signed_payload(const std::string& payload) {
  const std::string signed_part = "pc1." + base64url(payload);
  return signed_part + "." + base64url(hmac_sha256(key, signed_part));
}

bool is_lower_hex(const std::string& text, std::size_t length) {
  return text.size() == length && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

void check_forbidden(const Result<PickupClaims>& verified) {
  REQUIRE_FALSE(verified.ok());
  CHECK(verified.error().code == ErrorCode::forbidden);
  CHECK(verified.error().message == "the pickup code is not valid");
}

// A file under /tmp that is removed when the test ends.
struct TempFile {
  std::string path;
  explicit TempFile(const std::string& text) {
    static int counter = 0;
    path = "/tmp/tower_staff_tokens_" + std::to_string(getpid()) + "_" + std::to_string(++counter) + ".txt";
    std::ofstream(path) << text;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

const std::string token_a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";  // 36 characters
const std::string token_b = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";      // exactly 32

}  // namespace

TEST_CASE("bearer tokens carry 256 random bits and are all distinct", "[security]") {
  CHECK(random_bytes(32).size() == 32);
  std::set<std::string> tokens;
  for (int i = 0; i < 200; ++i) {
    const std::string token = new_token();
    REQUIRE(token.rfind("tt_", 0) == 0);
    CHECK(token.size() == 3 + 43);  // 43 base64url characters are exactly 32 bytes
    tokens.insert(token);
  }
  CHECK(tokens.size() == 200);
}

TEST_CASE("a token digest is stable lower-case hex of its SHA-256", "[security]") {
  const std::string token = new_token();
  CHECK(token_digest(token) == token_digest(token));
  CHECK(is_lower_hex(token_digest(token), 64));
  CHECK(token_digest(token) == hex(sha256(token)));
  CHECK(token_digest(token) != token_digest(new_token()));
  CHECK(pickup_code_digest("pc1.x.y") == hex(sha256("pc1.x.y")));
}

TEST_CASE("sha256 and hmac_sha256 match the published test vectors", "[security]") {
  CHECK(hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // RFC 4231, test case 2.
  CHECK(hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("base64url uses the url-safe alphabet without padding", "[security]") {
  CHECK(base64url("") == "");
  CHECK(base64url("f") == "Zg");
  CHECK(base64url("fo") == "Zm8");
  CHECK(base64url("foo") == "Zm9v");
  CHECK(base64url("\xfb\xff\xbf") == "-_-_");  // "+/+/" in standard base64
  for (int length = 0; length < 40; ++length) {
    const std::string encoded = base64url(random_bytes(static_cast<std::size_t>(length)));
    CHECK(encoded.find_first_of("=+/") == std::string::npos);
  }
}

TEST_CASE("constant_time_equal compares content and length", "[security]") {
  CHECK(constant_time_equal("", ""));
  CHECK(constant_time_equal("secret", "secret"));
  CHECK_FALSE(constant_time_equal("secret", "secreT"));
  CHECK_FALSE(constant_time_equal("secret", "secret!"));
  CHECK_FALSE(constant_time_equal("secret!", "secret"));
  CHECK_FALSE(constant_time_equal("", "x"));
}

TEST_CASE("a signed pickup code verifies and returns its claims", "[security]") {
  const std::string code = sign_pickup_code(key, claims());
  CHECK(code.rfind("pc1.", 0) == 0);
  const auto verified = verify_pickup_code(key, code, SimTime{} + seconds(1500));
  REQUIRE(verified.ok());
  CHECK(verified->subject == "order:42");
  CHECK(verified->customer == CustomerId{7});
  CHECK(verified->car == CarId{9});
  CHECK(verified->not_before == claims().not_before);
  CHECK(verified->not_after == claims().not_after);
}

TEST_CASE("two codes for the same claims differ, thanks to the nonce", "[security]") {
  CHECK(sign_pickup_code(key, claims()) != sign_pickup_code(key, claims()));
}

TEST_CASE("every single-character change of a pickup code is refused as forbidden", "[security]") {
  const std::string code = sign_pickup_code(key, claims());
  const std::string replacements = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ |%";
  const SimTime now = SimTime{} + seconds(1500);
  for (std::size_t at = 0; at < code.size(); ++at) {
    INFO("position " << at);
    for (const char replacement : replacements) {
      if (replacement == code[at]) continue;
      std::string changed = code;
      changed[at] = replacement;
      check_forbidden(verify_pickup_code(key, changed, now));
    }
    check_forbidden(verify_pickup_code(key, code.substr(0, at) + code.substr(at + 1), now));
  }
  check_forbidden(verify_pickup_code(key, code + "A", now));
  check_forbidden(verify_pickup_code(key, "", now));
}

TEST_CASE("a pickup code signed with another key is refused", "[security]") {
  const std::string code = sign_pickup_code("another tower's key", claims());
  check_forbidden(verify_pickup_code(key, code, SimTime{} + seconds(1500)));
}

TEST_CASE("a correctly signed but malformed payload is refused", "[security]") {
  const std::string nonce = "0123456789abcdef0123456789abcdef";
  const SimTime now = SimTime{} + seconds(150);
  REQUIRE(verify_pickup_code(key, signed_payload("order:1|7|9|100000000|200000000|" + nonce), now).ok());
  for (const std::string& bad : std::vector<std::string>{
           "order:1|7|9|100000000|200000000|" + nonce + "|extra",  // too many fields
           "order:1|7|9|100000000|200000000",                      // no nonce
           "|7|9|100000000|200000000|" + nonce,                    // empty subject
           "order:1|07|9|100000000|200000000|" + nonce,            // leading zero
           "order:1|+7|9|100000000|200000000|" + nonce,            // sign
           "order:1|-7|9|100000000|200000000|" + nonce,            // negative id
           "order:1|4294967296|9|100000000|200000000|" + nonce,    // id out of range
           "order:1|7|9|100000000|99999999999999999999|" + nonce,  // time out of range
           "order:1|7|9|200000000|100000000|" + nonce,             // window reversed
           "order:1|7|9|100000000|200000000|" + nonce.substr(1),   // short nonce
           "order:1|7|9|100000000|200000000|0123456789ABCDEF0123456789ABCDEF",
       }) {
    INFO(bad);
    check_forbidden(verify_pickup_code(key, signed_payload(bad), now));
  }
}

TEST_CASE("a pickup code is refused before its window and after it", "[security]") {
  const std::string code = sign_pickup_code(key, claims());
  const auto early = verify_pickup_code(key, code, claims().not_before - microseconds(1));
  REQUIRE_FALSE(early.ok());
  CHECK(early.error().code == ErrorCode::too_early);
  CHECK(early.error().message == "this pickup code is not valid yet");
  CHECK(verify_pickup_code(key, code, claims().not_before).ok());
  CHECK(verify_pickup_code(key, code, claims().not_after).ok());
  const auto late = verify_pickup_code(key, code, claims().not_after + microseconds(1));
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().code == ErrorCode::expired);
  CHECK(late.error().message == "this pickup code has expired");
}

TEST_CASE("identity digests ignore case, spaces and dashes and depend on the key", "[security]") {
  const auto digest = identity_digest(key, "ab-12 345");
  REQUIRE(digest.ok());
  CHECK(*digest == *identity_digest(key, "AB12345"));
  CHECK(*digest == hex(hmac_sha256(key, "AB12345")));
  CHECK(is_lower_hex(*digest, 64));
  CHECK(*digest != *identity_digest("another key", "AB12345"));
  CHECK(*digest != *identity_digest(key, "AB12346"));
}

TEST_CASE("identity numbers that are not 5 to 32 letters and digits are refused", "[security]") {
  for (const std::string& bad : std::vector<std::string>{"", "1234", "12-3 4", std::string(33, '7'), "AB12$45", "AB.12345", "\xc3\x84" "B12345"}) {
    INFO(bad);
    const auto digest = identity_digest(key, bad);
    REQUIRE_FALSE(digest.ok());
    CHECK(digest.error().code == ErrorCode::invalid_argument);
    CHECK(digest.error().message == "identity_document must be 5 to 32 letters and digits");
  }
  CHECK(identity_digest(key, "12345").ok());
  CHECK(identity_digest(key, std::string(32, '7')).ok());
}

TEST_CASE("staff tokens load as digest to name, skipping comments and blank lines", "[security]") {
  const TempFile file("# staff of the tower\n\nalice " + token_a + "\n  bob\t" + token_b + "\r\n   # indented comment\n");
  const auto tokens = load_staff_tokens(file.path);
  REQUIRE(tokens.ok());
  CHECK(tokens->size() == 2);
  CHECK(tokens->at(token_digest(token_a)) == "alice");
  CHECK(tokens->at(token_digest(token_b)) == "bob");
  CHECK(tokens->count(token_a) == 0);  // the token itself is never a key
}

TEST_CASE("a bad staff tokens file is refused naming the file and line", "[security]") {
  const std::pair<std::string, std::string> cases[] = {
      {"alice " + token_a + "\n# comment\ncarol short-token\n", "line 3: token shorter than 32 characters"},
      {"alice\n", "line 1: expected \"name token\""},
      {"\nalice " + token_a + " extra\n", "line 2: expected \"name token\""},
      {"alice " + token_a + "\nbob " + token_a + "\n", "line 2: token already given to another name"},
  };
  for (const auto& [text, expected] : cases) {
    const TempFile file(text);
    const auto tokens = load_staff_tokens(file.path);
    REQUIRE_FALSE(tokens.ok());
    CHECK(tokens.error().message == "staff tokens file " + file.path + " " + expected);
  }
}

TEST_CASE("a missing or unreadable staff tokens file is refused naming it", "[security]") {
  for (const std::string path : {"/tmp/tower_no_such_staff_tokens_file.txt", "/tmp"}) {
    const auto tokens = load_staff_tokens(path);
    REQUIRE_FALSE(tokens.ok());
    CHECK(tokens.error().message == "cannot read staff tokens file " + path);
  }
}
