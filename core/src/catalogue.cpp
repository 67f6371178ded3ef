#include "tower/catalogue.hpp"

#include <cassert>

namespace tower {

const std::vector<CatalogueModel>& catalogue() {
  static const std::vector<CatalogueModel> models = {
      {"Volkswagen", "Golf", "1.4 TSI", 159'800, 23'995, 4259, 1799, 1452, 1320, 9},
      {"Toyota", "Corolla", "Hybrid", 139'800, 23'500, 4635, 1780, 1455, 1385, 10},
      {"Honda", "Accord", "260TURBO", 179'800, 27'895, 4893, 1862, 1449, 1520, 7},
      {"Tesla", "Model 3", "RWD", 231'900, 38'990, 4720, 1848, 1442, 1760, 8},
      {"BYD", "Han", "EV", 209'800, 29'550, 4995, 1910, 1495, 2050, 8},
      {"BMW", "5 Series", "530Li", 489'900, 57'900, 5087, 1868, 1490, 1840, 5},
      {"Alfa Romeo", "Giulia", "2.0T", 339'800, 43'845, 4643, 1860, 1450, 1580, 4},
      {"Maserati", "Ghibli", "GT", 698'800, 79'000, 4971, 1945, 1461, 1905, 2},
      {"Mercedes-Benz", "GLS", "450 4MATIC", 1'239'000, 86'950, 5220, 2030, 1823, 2475, 2},
      {"Volvo", "XC90", "B6", 639'900, 57'000, 4953, 1958, 1776, 2100, 3},
  };
  return models;
}

namespace {
constexpr const char* colours[] = {"white", "black", "silver", "blue", "red", "grey"};
// VIN alphabet without I, O and Q.
constexpr char vin_chars[] = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ";
}  // namespace

bool catalogue_prices_in(Currency currency) {
  return currency == cny(0).currency || currency == usd(0).currency;
}

CarSpec make_car(const CatalogueModel& model, const char* colour, std::uint32_t serial, Currency currency) {
  assert(catalogue_prices_in(currency));
  CarSpec spec;
  std::string vin = "LTW";  // a made-up manufacturer prefix, clearly not a real maker's
  std::uint64_t code = static_cast<std::uint64_t>(serial) * 2654435761ull + 12345;
  for (int i = 0; i < 14; ++i) {
    vin += vin_chars[code % 33];
    code /= 33;
    if (code == 0) code = serial + static_cast<std::uint64_t>(i) * 7919;
  }
  // The last 6 characters are the serial itself, so distinct serials give distinct VINs.
  std::uint32_t rest = serial;
  for (int i = 0; i < 6; ++i) {
    vin[16 - static_cast<std::size_t>(i)] = vin_chars[rest % 33];
    rest /= 33;
  }
  spec.vin = vin;
  spec.make = model.make;
  spec.model = model.model;
  spec.trim = model.trim;
  spec.colour = colour;
  spec.price = currency == usd(0).currency ? usd(model.price_usd) : cny(model.price_cny);
  spec.length_mm = model.length_mm;
  spec.width_mm = model.width_mm;
  spec.height_mm = model.height_mm;
  spec.mass_kg = model.mass_kg;
  return spec;
}

std::vector<CarSpec> sample_stock(int count, Random& random, std::uint32_t first_serial, Currency currency) {
  if (!catalogue_prices_in(currency)) return {};
  const auto& models = catalogue();
  int total_weight = 0;
  for (const auto& model : models) total_weight += model.popularity;
  std::vector<CarSpec> stock;
  for (int i = 0; i < count; ++i) {
    auto pick = static_cast<int>(random.below(static_cast<std::uint64_t>(total_weight)));
    std::size_t index = 0;
    while (pick >= models[index].popularity) pick -= models[index++].popularity;
    const char* colour = colours[random.below(std::size(colours))];
    stock.push_back(make_car(models[index], colour, first_serial + static_cast<std::uint32_t>(i), currency));
  }
  return stock;
}

}  // namespace tower
