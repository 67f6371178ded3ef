// Credit rules: instant purchase and the terms of a test drive, each with its reasons.
#include "tower/credit.hpp"

#include <string>

namespace tower {

Decision instant_purchase(const Customer& customer, const CreditPolicy& policy) {
  const int score = customer.credit_score;
  const int needed = policy.instant_purchase_min_score;
  if (score >= needed)
    return {true, {"score " + std::to_string(score) + " meets the " + std::to_string(needed) +
                   " needed for instant purchase with " + "a down payment"}};
  return {false, {"score " + std::to_string(score) + " is below " + std::to_string(needed) +
                  " needed for instant purchase"}};
}

namespace {

Ppm band_discount(int score, const CreditPolicy& policy) {
  Ppm best{};
  int best_floor = -1;
  for (const auto& band : policy.discounts)
    if (score >= band.min_score && band.min_score > best_floor) {
      best = band.discount;
      best_floor = band.min_score;
    }
  return best;
}

Money discounted(Money amount, Ppm discount) {
  return Money{amount.minor - apply_ppm(amount.minor, discount), amount.currency};
}

std::string percent_text(Ppm value) {
  std::string text = std::to_string(value.value / 10'000);
  if (const auto rest = value.value % 10'000; rest != 0) {
    std::string digits = std::to_string(rest + 10'000).substr(1);
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    text += "." + digits;
  }
  return text + "%";
}

}  // namespace

TrialTerms trial_charges(const Customer& customer, const CarSpec& car, const CreditPolicy& policy) {
  TrialTerms terms;
  const bool score_ok = customer.credit_score >= policy.free_trial_min_score;
  const bool member = customer.super_member;
  terms.free = policy.free_trial_rule == FreeTrialRule::member_and_score ? (member && score_ok) : (member || score_ok);
  if (terms.free) {
    terms.fee = Money{0, policy.trial_deposit.currency};
    terms.deposit = Money{0, policy.trial_deposit.currency};
    return terms;
  }
  const Money fee = car.price.minor >= policy.premium_from_price.minor ? policy.premium_trial_fee : policy.standard_trial_fee;
  terms.discount = band_discount(customer.credit_score, policy);
  terms.fee = discounted(fee, terms.discount);
  terms.deposit = discounted(policy.trial_deposit, terms.discount);
  return terms;
}

TrialTerms trial_terms(const Customer& customer, const CarSpec& car, const CreditPolicy& policy) {
  TrialTerms terms = trial_charges(customer, car, policy);
  const int score = customer.credit_score;
  const bool score_ok = score >= policy.free_trial_min_score;
  const bool both = policy.free_trial_rule == FreeTrialRule::member_and_score;
  const std::string score_text = "score " + std::to_string(score) +
                                 (score_ok ? " meets the " : " is below the ") +
                                 std::to_string(policy.free_trial_min_score) + " for a free test drive";
  const std::string member_text = customer.super_member ? "Super Member" : "not a Super Member";
  terms.reasons.push_back(member_text + " and " + score_text +
                          (both ? " (both are needed)" : " (either is enough)"));
  if (terms.free) {
    terms.reasons.push_back("the test drive is free, with no deposit");
    return terms;
  }
  const bool premium = car.price.minor >= policy.premium_from_price.minor;
  const Money fee = premium ? policy.premium_trial_fee : policy.standard_trial_fee;
  terms.reasons.push_back(std::string(premium ? "premium" : "standard") + " model: fee " +
                          format_major_units(fee.minor) + " " + fee.currency.str() + ", deposit " +
                          format_major_units(policy.trial_deposit.minor) + " " + policy.trial_deposit.currency.str());
  if (terms.discount.value > 0)
    terms.reasons.push_back("score " + std::to_string(score) + " earns " + percent_text(terms.discount) +
                            " off the fee and the deposit");
  return terms;
}

}  // namespace tower
