// Names of states, as they appear in JSON, logs and the twin.
#include "tower/entities.hpp"

namespace tower {

const char* to_string(CarState state) {
  constexpr const char* names[] = {"in_slot", "moving", "in_bay", "out_on_trial", "sold", "delivered", "in_service"};
  return names[static_cast<int>(state)];
}
const char* to_string(OrderState state) {
  constexpr const char* names[] = {"awaiting_payment", "paid", "delivered", "expired", "cancelled"};
  return names[static_cast<int>(state)];
}
const char* to_string(TrialState state) {
  constexpr const char* names[] = {"booked", "out", "returned", "no_show", "cancelled", "converted"};
  return names[static_cast<int>(state)];
}
const char* to_string(ClaimState state) {
  constexpr const char* names[] = {"reserved", "paid", "expired"};
  return names[static_cast<int>(state)];
}
const char* to_string(SizeClass size) {
  constexpr const char* names[] = {"compact", "standard", "large"};
  return names[static_cast<int>(size)];
}
const char* to_string(FreeTrialRule rule) {
  constexpr const char* names[] = {"member_and_score", "member_or_score"};
  return names[static_cast<int>(rule)];
}

}  // namespace tower
