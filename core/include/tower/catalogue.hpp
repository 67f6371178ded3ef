// Sample stock for demos, tests, benchmarks and the simulator: real-world model sizes and list prices, in
// yuan (CNY) and in dollars (USD), each car with a valid, unique VIN. Deterministic for a given seed.
#pragma once

#include <vector>

#include "tower/entities.hpp"
#include "tower/random.hpp"

namespace tower {

struct CatalogueModel {
  const char* make;
  const char* model;
  const char* trim;
  std::int64_t price_cny;  // the Chinese list price [CNY]
  std::int64_t price_usd;  // the US list price [USD]; for a model not sold there, the CNY price's equivalent
  int length_mm, width_mm, height_mm, mass_kg;
  int popularity;  // relative weight with which customers pick it
};

// The models a demo tower stocks, from a compact hatchback to a large SUV at the EN 14010 limit.
const std::vector<CatalogueModel>& catalogue();

// Whether the catalogue has list prices in `currency` (it has CNY and USD; no rate converts the others).
bool catalogue_prices_in(Currency currency);

// A car of `model` in `colour` with a VIN made from `serial` (unique per serial), priced in `currency`.
// Precondition: catalogue_prices_in(currency).
CarSpec make_car(const CatalogueModel& model, const char* colour, std::uint32_t serial, Currency currency = Currency{});

// `count` cars drawn from the catalogue by popularity, with colours, serials from `first_serial`, priced in
// `currency`. None when the catalogue has no prices in that currency.
std::vector<CarSpec> sample_stock(int count, Random& random, std::uint32_t first_serial = 1,
                                  Currency currency = Currency{});

}  // namespace tower
