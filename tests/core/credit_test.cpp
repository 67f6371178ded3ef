// Credit rules (core/src/credit.cpp): who may buy instantly, and what a test drive costs by membership and score.
#include <catch2/catch.hpp>

#include <string>

#include "fixtures.hpp"
#include "tower/credit.hpp"

using namespace tower;
using namespace tower::testing;

namespace {

Customer customer_with(int score, bool super_member = false) {
  Customer customer;
  customer.id = CustomerId{1};
  customer.name = "Test Customer";
  customer.identity_digest = "identity";
  customer.selfie_template = "selfie";
  customer.credit_score = score;
  customer.super_member = super_member;
  return customer;
}

CarSpec car_priced(std::int64_t price_cny) {
  CarSpec spec = make_car(model_named("Golf"), "white", 1);
  spec.price = cny(price_cny);
  return spec;
}

bool mentions(const std::vector<std::string>& reasons, const std::string& text) {
  for (const auto& reason : reasons)
    if (reason.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("instant purchase needs a score of more than 750", "[credit]") {
  const CreditPolicy policy;

  const Decision at_750 = instant_purchase(customer_with(750), policy);
  CHECK_FALSE(at_750.allowed);
  REQUIRE_FALSE(at_750.reasons.empty());
  CHECK(mentions(at_750.reasons, "750"));
  CHECK(mentions(at_750.reasons, "751"));

  const Decision at_751 = instant_purchase(customer_with(751), policy);
  CHECK(at_751.allowed);
  CHECK_FALSE(at_751.reasons.empty());

  CHECK_FALSE(instant_purchase(customer_with(550), policy).allowed);
  CHECK(instant_purchase(customer_with(950), policy).allowed);
}

TEST_CASE("the instant purchase threshold comes from the policy", "[credit]") {
  CreditPolicy policy;
  policy.instant_purchase_min_score = 700;
  CHECK(instant_purchase(customer_with(700), policy).allowed);
  CHECK_FALSE(instant_purchase(customer_with(699), policy).allowed);
}

TEST_CASE("a free test drive needs Super Member status and a score above 700", "[credit]") {
  const CreditPolicy policy;
  const CarSpec car = car_priced(159'800);

  const TrialTerms member_701 = trial_terms(customer_with(701, true), car, policy);
  CHECK(member_701.free);
  CHECK(member_701.fee.minor == 0);
  CHECK(member_701.deposit.minor == 0);

  const TrialTerms member_700 = trial_terms(customer_with(700, true), car, policy);
  CHECK_FALSE(member_700.free);
  CHECK(member_700.fee.minor > 0);
  CHECK(member_700.deposit.minor > 0);

  const TrialTerms non_member_900 = trial_terms(customer_with(900, false), car, policy);
  CHECK_FALSE(non_member_900.free);
  CHECK(non_member_900.fee.minor > 0);
  CHECK(non_member_900.deposit.minor > 0);
  CHECK(mentions(non_member_900.reasons, "not a Super Member"));
}

TEST_CASE("with the member-or-score rule either condition gives a free test drive", "[credit]") {
  CreditPolicy policy;
  policy.free_trial_rule = FreeTrialRule::member_or_score;
  const CarSpec car = car_priced(159'800);

  CHECK(trial_terms(customer_with(500, true), car, policy).free);
  CHECK(trial_terms(customer_with(701, false), car, policy).free);
  CHECK(trial_terms(customer_with(701, true), car, policy).free);
  CHECK_FALSE(trial_terms(customer_with(700, false), car, policy).free);
}

TEST_CASE("a paid test drive costs 99 for standard models and 198 from the premium price", "[credit]") {
  const CreditPolicy policy;  // premium from 300,000 CNY
  const Customer no_discount = customer_with(550);

  const TrialTerms standard = trial_terms(no_discount, car_priced(299'999), policy);
  CHECK(standard.fee == cny(99));
  CHECK(standard.deposit == cny(3'000));
  CHECK(standard.discount.value == 0);

  const TrialTerms at_premium = trial_terms(no_discount, car_priced(300'000), policy);
  CHECK(at_premium.fee == cny(198));
  CHECK(at_premium.deposit == cny(3'000));

  const TrialTerms above_premium = trial_terms(no_discount, car_priced(1'239'000), policy);
  CHECK(above_premium.fee == cny(198));
}

TEST_CASE("the paid test drive deposit is 3000", "[credit]") {
  const TrialTerms terms = trial_terms(customer_with(400), car_priced(159'800), CreditPolicy{});
  CHECK_FALSE(terms.free);
  CHECK(terms.deposit == cny(3'000));
}

TEST_CASE("score bands discount the trial fee and the deposit", "[credit]") {
  const CreditPolicy policy;  // 600: 10%, 650: 30%, 700: 50%
  const CarSpec standard_car = car_priced(159'800);

  const TrialTerms below_bands = trial_terms(customer_with(599), standard_car, policy);
  CHECK(below_bands.fee.minor == 9'900);
  CHECK(below_bands.deposit.minor == 300'000);

  const TrialTerms band_600 = trial_terms(customer_with(600), standard_car, policy);
  CHECK(band_600.discount == percent(10));
  CHECK(band_600.fee.minor == 8'910);
  CHECK(band_600.deposit.minor == 270'000);

  const TrialTerms band_650 = trial_terms(customer_with(650), standard_car, policy);
  CHECK(band_650.discount == percent(30));
  CHECK(band_650.fee.minor == 6'930);
  CHECK(band_650.deposit.minor == 210'000);
  CHECK(mentions(band_650.reasons, "30%"));

  CHECK(trial_terms(customer_with(649), standard_car, policy).discount == percent(10));

  const TrialTerms band_700 = trial_terms(customer_with(700, true), standard_car, policy);
  CHECK(band_700.discount == percent(50));
  CHECK(band_700.fee.minor == 4'950);
  CHECK(band_700.deposit.minor == 150'000);

  const TrialTerms premium_650 = trial_terms(customer_with(650), car_priced(489'900), policy);
  CHECK(premium_650.fee.minor == 13'860);
  CHECK(premium_650.deposit.minor == 210'000);
}

TEST_CASE("every credit decision gives its reasons", "[credit]") {
  for (const FreeTrialRule rule : {FreeTrialRule::member_and_score, FreeTrialRule::member_or_score}) {
    CreditPolicy policy;
    policy.free_trial_rule = rule;
    for (const int score : {350, 550, 600, 650, 700, 701, 750, 751, 950}) {
      for (const bool member : {false, true}) {
        for (const std::int64_t price : {159'800, 698'800}) {
          INFO("rule " << to_string(rule) << ", score " << score << ", member " << member << ", price " << price);
          const Customer customer = customer_with(score, member);
          const Decision purchase = instant_purchase(customer, policy);
          REQUIRE_FALSE(purchase.reasons.empty());
          for (const auto& reason : purchase.reasons) CHECK_FALSE(reason.empty());
          const TrialTerms terms = trial_terms(customer, car_priced(price), policy);
          REQUIRE_FALSE(terms.reasons.empty());
          for (const auto& reason : terms.reasons) CHECK_FALSE(reason.empty());
        }
      }
    }
  }
}

TEST_CASE("eligibility combines the purchase decision and the trial terms for a car", "[credit]") {
  Tower tower = default_tower();
  const CustomerId buyer = register_customer(tower, 800, true);
  const CustomerId browser = register_customer(tower, 650);
  const CarId golf = stock_car(tower, "Golf");

  const auto buyer_view = tower.eligibility(buyer, golf, at_minute(1));
  REQUIRE(buyer_view.ok());
  CHECK(buyer_view->purchase.allowed);
  CHECK(buyer_view->trial.allowed);
  CHECK(buyer_view->trial_terms.free);
  CHECK_FALSE(buyer_view->trial.reasons.empty());

  const auto browser_view = tower.eligibility(browser, golf, at_minute(1));
  REQUIRE(browser_view.ok());
  CHECK_FALSE(browser_view->purchase.allowed);
  CHECK(mentions(browser_view->purchase.reasons, "751"));
  CHECK(browser_view->trial.allowed);
  CHECK(browser_view->trial_terms.fee.minor == 6'930);
  CHECK(browser_view->trial_terms.deposit.minor == 210'000);

  CHECK(tower.eligibility(CustomerId{99}, golf, at_minute(1)).error().code == ErrorCode::not_found);
  CHECK(tower.eligibility(buyer, CarId{99}, at_minute(1)).error().code == ErrorCode::not_found);
}
