// Sample stock for demos, tests, benchmarks and the simulator: real-world model sizes and prices (CNY),
// each car with a valid, unique VIN. Deterministic for a given seed.
#pragma once

#include <vector>

#include "tower/entities.hpp"
#include "tower/random.hpp"

namespace tower {

struct CatalogueModel {
  const char* make;
  const char* model;
  const char* trim;
  std::int64_t price_cny;
  int length_mm, width_mm, height_mm, mass_kg;
  int popularity;  // relative weight with which customers pick it
};

// The models a demo tower stocks, from a compact hatchback to a large SUV at the EN 14010 limit.
const std::vector<CatalogueModel>& catalogue();

// A car of `model` in `colour` with a VIN made from `serial` (unique per serial).
CarSpec make_car(const CatalogueModel& model, const char* colour, std::uint32_t serial);

// `count` cars drawn from the catalogue by popularity, with colours, serials from `first_serial`.
std::vector<CarSpec> sample_stock(int count, Random& random, std::uint32_t first_serial = 1);

}  // namespace tower
