// The API's purchase, test-drive and survey routes. Pickup codes are signed here and only their digest
// enters the tower, so the code itself exists only in the customer's answer.
#include "gateway/api_support.hpp"
#include "gateway/gateway.hpp"
#include "gateway/security.hpp"
#include "tower/codec.hpp"
#include "tower/finance.hpp"

namespace tower::gateway {

namespace {

nlohmann::json quote_json(const FinanceQuote& quote) {
  return {{"down_payment", money_json(quote.down_payment)},   {"financed", money_json(quote.financed)},
          {"monthly_payment", money_json(quote.monthly_payment)}, {"months", quote.terms.months},
          {"apr_percent", format_percent(quote.terms.apr)},    {"total_interest", money_json(quote.total_interest)},
          {"total_paid", money_json(quote.total_paid)}};
}

}  // namespace

void Gateway::place_order(Call& call) {
  Fields fields(call.body, {"car", "months", "apr_percent"});
  const CarId car{fields.id("car")};
  const int months = static_cast<int>(fields.integer("months", 1, 120, config_.finance_months));
  Ppm apr = config_.finance_apr;
  if (call.body.contains("apr_percent")) {
    const auto& value = call.body["apr_percent"];
    auto parsed = parse_percent(value.is_string() ? value.get<std::string>() : value.dump());
    if (!parsed) return call.respond(error_response(400, "invalid_argument", "apr_percent: " + parsed.error().message));
    apr = *parsed;
  }
  if (fields.error()) return call.respond(error_response(*fields.error()));
  const Car* found = tower_.car(car);
  if (!found) return call.respond(error_response(404, "not_found", "car " + std::to_string(car.value) + " does not exist"));
  auto quote = quote_financing({found->spec.price, tower_.config().sales.down_payment, apr, months, std::nullopt});
  if (!quote) return call.respond(error_response(quote.error()));
  const OrderId id{static_cast<std::uint32_t>(tower_.state().orders.size() + 1)};
  const SimTime at = now();
  const std::string code = sign_pickup_code(
      code_key_, {"order:" + std::to_string(id.value), call.caller.customer, car, at, at + config_.pickup_code_valid});
  submit(call, PlaceOrder{call.caller.customer, car, pickup_code_digest(code)}, {},
         [this, id, code, quote = *quote](const std::vector<Event>&) {
           return nlohmann::json{{"order", without_code(to_json(*tower_.order(id)))}, {"pickup_code", code},
                                 {"financing", quote_json(quote)}};
         }, 201);
}

void Gateway::get_order(Call& call) {
  const Order* order = tower_.order(OrderId{call.ids[0]});
  if (!order) return call.respond(error_response(404, "not_found", "order " + std::to_string(call.ids[0]) + " does not exist"));
  if (!owns_or_staff(call, order->customer)) return;
  call.respond(json_response(200, without_code(to_json(*order))));
}

void Gateway::pay_order(Call& call) {
  const Order* order = tower_.order(OrderId{call.ids[0]});
  if (!order) return call.respond(error_response(404, "not_found", "order " + std::to_string(call.ids[0]) + " does not exist"));
  if (!owns_or_staff(call, order->customer)) return;
  Fields fields(call.body, {"amount"});
  const Money amount = fields.money("amount", tower_.config().currency);
  if (fields.error()) return call.respond(error_response(*fields.error()));
  const OrderId id = order->id;
  submit(call, PayOrder{id, amount}, {}, [this, id](const std::vector<Event>&) { return without_code(to_json(*tower_.order(id))); });
}

void Gateway::cancel_order(Call& call) {
  const OrderId id{call.ids[0]};
  submit(call, CancelOrder{id, call.caller.customer}, {}, [this, id](const std::vector<Event>&) {
    return without_code(to_json(*tower_.order(id)));
  });
}

void Gateway::book_trial(Call& call) {
  Fields fields(call.body, {"car"});
  const CarId car{fields.id("car")};
  if (fields.error()) return call.respond(error_response(*fields.error()));
  const TrialId id{static_cast<std::uint32_t>(tower_.state().trials.size() + 1)};
  const SimTime at = now();
  const std::string code = sign_pickup_code(code_key_, {"trial:" + std::to_string(id.value), call.caller.customer, car, at,
                                                        at + tower_.config().trials.pickup_window});
  submit(call, BookTrial{call.caller.customer, car, pickup_code_digest(code)}, {},
         [this, id, code](const std::vector<Event>&) {
           return nlohmann::json{{"trial", without_code(to_json(*tower_.trial(id)))}, {"pickup_code", code}};
         }, 201);
}

void Gateway::get_trial(Call& call) {
  const Trial* trial = tower_.trial(TrialId{call.ids[0]});
  if (!trial) return call.respond(error_response(404, "not_found", "test drive " + std::to_string(call.ids[0]) + " does not exist"));
  if (!owns_or_staff(call, trial->customer)) return;
  call.respond(json_response(200, without_code(to_json(*trial))));
}

void Gateway::cancel_trial(Call& call) {
  const TrialId id{call.ids[0]};
  submit(call, CancelTrial{id, call.caller.customer}, {}, [this, id](const std::vector<Event>&) {
    return without_code(to_json(*tower_.trial(id)));
  });
}

void Gateway::return_trial(Call& call) {
  Fields fields(call.body, {"bay", "damaged"});
  const BayId bay{fields.id("bay", false)};
  const bool damaged = fields.flag("damaged", false);
  if (fields.error()) return call.respond(error_response(*fields.error()));
  BayId chosen = bay;
  if (!chosen.valid())
    chosen = free_bay();
  if (!chosen.valid()) return call.respond(error_response(409, "conflict", "every bay is occupied; the car must wait at the entrance"));
  const TrialId id{call.ids[0]};
  submit(call, ReturnTrial{id, chosen, damaged}, {}, [this, id](const std::vector<Event>&) {
    return without_code(to_json(*tower_.trial(id)));
  });
}

void Gateway::convert_trial(Call& call) {
  const Trial* trial = tower_.trial(TrialId{call.ids[0]});
  if (!trial) return call.respond(error_response(404, "not_found", "test drive " + std::to_string(call.ids[0]) + " does not exist"));
  if (!owns_or_staff(call, trial->customer)) return;
  Fields fields(call.body, {"payment"});
  const Money payment = fields.money("payment", tower_.config().currency);
  if (fields.error()) return call.respond(error_response(*fields.error()));
  const TrialId id = trial->id;
  submit(call, ConvertTrial{id, payment}, {}, [this, id](const std::vector<Event>& events) {
    nlohmann::json answer{{"trial", without_code(to_json(*tower_.trial(id)))}};
    for (const Event& event : events)
      if (const auto* placed = std::get_if<OrderPlaced>(&event.body))
        answer["order"] = without_code(to_json(*tower_.order(placed->order)));
    return answer;
  });
}

void Gateway::submit_survey(Call& call) {
  Fields fields(call.body, {"order", "trial", "rating", "comment", "incentive_offered"});
  SubmitSurvey survey;
  survey.customer = call.caller.customer;
  survey.order = OrderId{fields.id("order", false)};
  survey.trial = TrialId{fields.id("trial", false)};
  survey.rating = static_cast<int>(fields.integer("rating", 1, 5, std::nullopt));
  survey.comment = fields.text("comment", 2000, false);
  survey.incentive_offered = fields.flag("incentive_offered", false);
  if (fields.error()) return call.respond(error_response(*fields.error()));
  submit(call, survey, {}, [](const std::vector<Event>& events) {
    return nlohmann::json{{"survey", std::get<SurveyRecorded>(events.front().body).survey.value}};
  }, 201);
}

}  // namespace tower::gateway
