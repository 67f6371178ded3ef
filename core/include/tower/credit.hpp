// Credit decisions: who may buy instantly and what a test drive costs. Every decision carries its reasons in
// words a customer understands ("score 742 is below 751 needed for instant purchase").
#pragma once

#include <string>
#include <vector>

#include "tower/config.hpp"
#include "tower/entities.hpp"

namespace tower {

struct Decision {
  bool allowed = false;
  std::vector<std::string> reasons;  // why it was allowed or refused, one sentence each
};

// Instant purchase (10% down, take the car): needs a score of at least policy.instant_purchase_min_score.
Decision instant_purchase(const Customer& customer, const CreditPolicy& policy);

struct TrialTerms {
  bool free = false;
  Money fee{};      // after the score-band discount; zero when free
  Money deposit{};  // refundable; after the discount; zero when free
  Ppm discount{};   // the band's discount applied to fee and deposit
  std::vector<std::string> reasons;
};

// A test drive is free for Super Members with a high score (the combinator is policy.free_trial_rule);
// otherwise the customer pays a fee by the car's price class and a deposit, both discounted by score band.
TrialTerms trial_terms(const Customer& customer, const CarSpec& car, const CreditPolicy& policy);

// The same terms without their reasons (empty): what a booking charges, for the paths that show no text.
TrialTerms trial_charges(const Customer& customer, const CarSpec& car, const CreditPolicy& policy);

}  // namespace tower
