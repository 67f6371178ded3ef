// Small value-type ids: a CarId cannot be passed where a CustomerId is expected.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace tower {

template <class Tag>
struct Id {
  std::uint32_t value = 0;  // 0 is "none"; the core assigns 1, 2, 3, ... in order
  constexpr bool valid() const { return value != 0; }
  friend constexpr auto operator<=>(Id, Id) = default;
};

using CarId = Id<struct CarTag>;
using CustomerId = Id<struct CustomerTag>;
using SlotId = Id<struct SlotTag>;
using BayId = Id<struct BayTag>;
using LiftId = Id<struct LiftTag>;
using OrderId = Id<struct OrderTag>;
using TrialId = Id<struct TrialTag>;
using SaleId = Id<struct SaleTag>;
using ClaimId = Id<struct ClaimTag>;
using SurveyId = Id<struct SurveyTag>;

}  // namespace tower

template <class Tag>
struct std::hash<tower::Id<Tag>> {
  std::size_t operator()(tower::Id<Tag> id) const noexcept { return id.value; }
};
