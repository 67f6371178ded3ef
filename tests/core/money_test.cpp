// Money stays in integer minor units; parsing refuses anything ambiguous.
#include <catch2/catch.hpp>

#include "tower/money.hpp"

using namespace tower;

TEST_CASE("amounts parse from major units exactly to the cent", "[money]") {
  CHECK(*parse_major_units("22200") == 2'220'000);
  CHECK(*parse_major_units("22200.5") == 2'220'050);
  CHECK(*parse_major_units("22200.05") == 2'220'005);
  CHECK(*parse_major_units("0.01") == 1);
}

TEST_CASE("amounts that are not plain decimals are refused with the reason", "[money]") {
  for (const char* bad : {"", "-5", "1e3", "12.345", "12.", ".5", "12,00", "abc", "99999999999999"}) {
    INFO(bad);
    const auto parsed = parse_major_units(bad);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == ErrorCode::invalid_argument);
    CHECK(parsed.error().message.find("amount") != std::string::npos);
  }
}

TEST_CASE("amounts format back to major units with two decimals", "[money]") {
  CHECK(format_major_units(2'220'005) == "22200.05");
  CHECK(format_major_units(7) == "0.07");
  CHECK(format_major_units(-150) == "-1.50");
}

TEST_CASE("percentages parse to parts per million", "[money]") {
  CHECK(parse_percent("10")->value == 100'000);
  CHECK(parse_percent("4.99")->value == 49'900);
  CHECK_FALSE(parse_percent("4.99999").ok());
  CHECK_FALSE(parse_percent("-1").ok());
}

TEST_CASE("a fraction of an amount rounds half away from zero", "[money]") {
  CHECK(apply_ppm(2'220'000, percent(10)) == 222'000);
  CHECK(apply_ppm(5, Ppm{500'000}) == 3);    // 2.5 cents -> 3
  CHECK(apply_ppm(-5, Ppm{500'000}) == -3);
}
