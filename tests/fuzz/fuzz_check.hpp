// Shared by the fuzz targets: a property check that reports what broke and aborts, so libFuzzer keeps the
// input as a crash. Asserts would vanish under NDEBUG; these never do.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace tower::fuzz {

[[noreturn]] inline void fail(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "fuzz property violated: %s\n%s\n", what, detail.c_str());
  std::abort();
}

inline void check(bool holds, const char* what, const std::string& detail = {}) {
  if (!holds) fail(what, detail);
}

inline std::string_view as_text(const unsigned char* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace tower::fuzz
