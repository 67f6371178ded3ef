// The API's tower, stock and customer routes.
#include <algorithm>
#include <cctype>

#include "gateway/api_support.hpp"
#include "gateway/gateway.hpp"
#include "gateway/security.hpp"
#include "tower/codec.hpp"
#include "tower/credit.hpp"

namespace tower::gateway {

namespace {

nlohmann::json public_customer(const Customer& customer) {
  nlohmann::json json = to_json(customer);
  json.erase("identity_digest");  // the keyed hash is ours alone: it would let anyone test a guessed number
  return json;
}

bool available(const Car& car) { return car.state == CarState::in_slot && !car.hold.held(); }

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

void Gateway::get_tower(Call& call) {
  const auto& state = tower_.state();
  nlohmann::json cars_by_state = nlohmann::json::object();
  for (const Car& car : state.cars) cars_by_state[to_string(car.state)] = cars_by_state.value(to_string(car.state), 0) + 1;
  nlohmann::json bays = nlohmann::json::array();
  for (const BayDef& bay : state.config.layout.bays)
    bays.push_back({{"id", bay.id.value}, {"name", bay.name}, {"car", tower_.car_at_bay(bay.id).value}});
  const std::size_t free_slots = static_cast<std::size_t>(std::count_if(
      state.config.layout.slots.begin(), state.config.layout.slots.end(),
      [&](const SlotDef& slot) { return !tower_.car_in_slot(slot.id).valid(); }));
  const MachineStatus machine = driver_->status();
  call.respond(json_response(
      200, {{"name", state.config.layout.name},
            {"levels", state.config.layout.levels},
            {"slots", state.config.layout.slots.size()},
            {"free_slots", free_slots},
            {"bays", bays},
            {"cars", state.cars.size()},
            {"cars_by_state", cars_by_state},
            {"customers", state.customers.size()},
            {"flash_sales", state.sales.size()},
            {"now", tower_.now().us},
            {"sequence", last_sequence_},
            {"machine", {{"emergency_stop", machine.has(Fault::emergency_stop)}, {"lift_out_of_service", machine.has(Fault::lift_out_of_service)},
                         {"halted", machine.halted()}, {"mode", machine.manual ? "manual" : "automatic"},
                         {"busy", !driver_->idle()}, {"jobs_queued", jobs_.queued()}}},
            {"config", to_json(state.config)}}));
}

// GET /api/v1/cars?make=&model=&colour=&max_price=&available=true&offset=&limit=
void Gateway::list_cars(Call& call) {
  const auto& query = call.request.query;
  const auto make = query_value(query, "make"), model = query_value(query, "model"), colour = query_value(query, "colour");
  const auto max_price_text = query_value(query, "max_price");
  const bool only_available = query_value(query, "available").value_or("true") != "false";
  std::optional<std::int64_t> max_price;
  if (max_price_text) {
    auto parsed = parse_major_units(*max_price_text);
    if (!parsed) return call.respond(error_response(400, "invalid_argument", "max_price: " + parsed.error().message));
    max_price = *parsed;
  }
  long offset = 0, limit = 100;
  for (auto [name, target, max] : {std::tuple{"offset", &offset, 1'000'000L}, std::tuple{"limit", &limit, 1000L}}) {
    const auto text = query_value(query, name);
    if (!text) continue;
    if (text->empty() || text->size() > 7 || text->find_first_not_of("0123456789") != std::string::npos || std::stol(*text) > max)
      return call.respond(error_response(400, "invalid_argument", std::string(name) + " must be a whole number up to " + std::to_string(max)));
    *target = std::stol(*text);
  }
  nlohmann::json cars = nlohmann::json::array();
  long matched = 0;
  for (const Car& car : tower_.state().cars) {
    if (only_available && !available(car)) continue;
    if (make && lower(car.spec.make) != lower(*make)) continue;
    if (model && lower(car.spec.model) != lower(*model)) continue;
    if (colour && lower(car.spec.colour) != lower(*colour)) continue;
    if (max_price && car.spec.price.minor > *max_price) continue;
    if (matched++ >= offset && static_cast<long>(cars.size()) < limit) cars.push_back(to_json(car));
  }
  call.respond(json_response(200, {{"cars", cars}, {"total", matched}, {"offset", offset}, {"limit", limit}}));
}

void Gateway::get_car(Call& call) {
  const Car* car = tower_.car(CarId{call.ids[0]});
  if (!car) return call.respond(error_response(404, "not_found", "car " + std::to_string(call.ids[0]) + " does not exist"));
  call.respond(json_response(200, to_json(*car)));
}

void Gateway::stock_car(Call& call) {
  Fields fields(call.body, {"vin", "make", "model", "trim", "colour", "price", "length_mm", "width_mm", "height_mm", "mass_kg"});
  CarSpec spec;
  spec.vin = fields.text("vin", 17);
  spec.make = fields.text("make", 60);
  spec.model = fields.text("model", 60);
  spec.trim = fields.text("trim", 60, false);
  spec.colour = fields.text("colour", 60);
  spec.price = fields.money("price", tower_.config().currency);
  spec.length_mm = static_cast<int>(fields.integer("length_mm", 1, 100'000, std::nullopt));
  spec.width_mm = static_cast<int>(fields.integer("width_mm", 1, 100'000, std::nullopt));
  spec.height_mm = static_cast<int>(fields.integer("height_mm", 1, 100'000, std::nullopt));
  spec.mass_kg = static_cast<int>(fields.integer("mass_kg", 1, 100'000, std::nullopt));
  if (fields.error()) return call.respond(error_response(*fields.error()));
  submit(call, StockCar{spec}, {}, [this](const std::vector<Event>& events) {
    return to_json(*tower_.car(std::get<CarStocked>(events.front().body).car));
  }, 201);
}

void Gateway::register_customer(Call& call) {
  Fields fields(call.body, {"name", "identity_document", "selfie_template"});
  const std::string name = fields.text("name", 200);
  const std::string document = fields.text("identity_document", 64);
  const std::string selfie = fields.text("selfie_template", 4096);
  if (fields.error()) return call.respond(error_response(*fields.error()));
  auto digest = identity_digest(identity_key_, document);
  if (!digest) return call.respond(error_response(digest.error()));
  std::string normalised;
  for (char c : document)
    if (c != ' ' && c != '-') normalised += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto score = credit_->score(normalised, *digest);
  if (!score) return call.respond(error_response(503, "unavailable", "the credit provider did not answer: " + score.error().message));
  const std::string token = new_token();
  const CustomerId id{static_cast<std::uint32_t>(tower_.state().customers.size() + 1)};
  std::vector<Record> extra{{"token", nlohmann::json{{"digest", token_digest(token)}, {"customer", id.value}}.dump()}};
  submit(call, RegisterCustomer{name, *digest, selfie, *score, false}, std::move(extra),
         [this, token, id](const std::vector<Event>&) {
           return nlohmann::json{{"customer", public_customer(*tower_.customer(id))}, {"token", token}};
         }, 201);
}

void Gateway::get_customer(Call& call) {
  const Customer* customer = tower_.customer(CustomerId{call.ids[0]});
  if (!owns_or_staff(call, CustomerId{call.ids[0]})) return;
  if (!customer) return call.respond(error_response(404, "not_found", "customer " + std::to_string(call.ids[0]) + " does not exist"));
  call.respond(json_response(200, public_customer(*customer)));
}

// GET /api/v1/customers/{id}/eligibility?car=N
void Gateway::get_eligibility(Call& call) {
  if (!owns_or_staff(call, CustomerId{call.ids[0]})) return;
  const auto car_text = query_value(call.request.query, "car");
  if (!car_text || car_text->empty() || car_text->size() > 9 || car_text->find_first_not_of("0123456789") != std::string::npos)
    return call.respond(error_response(400, "invalid_argument", "car must be given as ?car=<car id>"));
  const CarId car{static_cast<std::uint32_t>(std::stoul(*car_text))};
  auto eligibility = tower_.eligibility(CustomerId{call.ids[0]}, car, now());
  if (!eligibility) return call.respond(error_response(eligibility.error()));
  call.respond(json_response(200, {{"customer", call.ids[0]},
                                   {"car", car.value},
                                   {"purchase", to_json(eligibility->purchase)},
                                   {"trial", to_json(eligibility->trial)},
                                   {"trial_terms", to_json(eligibility->trial_terms)}}));
}

void Gateway::set_membership(Call& call) {
  Fields fields(call.body, {"super_member"});
  const bool member = fields.flag("super_member", false);
  if (!call.body.contains("super_member")) return call.respond(error_response(400, "invalid_argument", "super_member is required"));
  if (fields.error()) return call.respond(error_response(*fields.error()));
  const CustomerId id{call.ids[0]};
  submit(call, SetMembership{id, member}, {}, [this, id](const std::vector<Event>&) {
    return public_customer(*tower_.customer(id));
  });
}

}  // namespace tower::gateway
