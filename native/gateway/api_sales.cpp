// The API's flash-sale routes: staff open a sale, customers claim a unit and pay for it.
#include "gateway/api_support.hpp"
#include "gateway/gateway.hpp"
#include "tower/codec.hpp"

namespace tower::gateway {

namespace {

nlohmann::json sale_json(const FlashSale& sale) {
  nlohmann::json json = to_json(sale);
  json["available"] = sale.available();
  return json;
}

}  // namespace

void Gateway::create_sale(Call& call) {
  Fields fields(call.body, {"make", "model", "colour", "units", "price", "opens_at"});
  CreateFlashSale sale;
  sale.make = fields.text("make", 60);
  sale.model = fields.text("model", 60);
  sale.colour = fields.text("colour", 60);
  sale.units = static_cast<int>(fields.integer("units", 1, 1'000'000, std::nullopt));
  sale.price = fields.money("price", tower_.config().currency);
  sale.opens_at = fields.time("opens_at", now());
  if (fields.error()) return call.respond(error_response(*fields.error()));
  submit(call, sale, {}, [this](const std::vector<Event>& events) {
    return sale_json(*tower_.sale(std::get<FlashSaleCreated>(events.front().body).sale));
  }, 201);
}

void Gateway::get_sale(Call& call) {
  const FlashSale* sale = tower_.sale(SaleId{call.ids[0]});
  if (!sale) return call.respond(error_response(404, "not_found", "flash sale " + std::to_string(call.ids[0]) + " does not exist"));
  call.respond(json_response(200, sale_json(*sale)));
}

// The hot route of a rush: one claim per customer, exactly `units` winners, answered once durable.
void Gateway::claim_sale(Call& call) {
  if (!call.body.empty()) return call.respond(error_response(400, "invalid_argument", "a claim takes no fields; send {}"));
  submit(call, ClaimFlashSale{SaleId{call.ids[0]}, call.caller.customer}, {}, [this](const std::vector<Event>& events) {
    return to_json(*tower_.claim(std::get<ClaimWon>(events.front().body).claim));
  }, 201);
}

void Gateway::get_claim(Call& call) {
  const Claim* claim = tower_.claim(ClaimId{call.ids[0]});
  if (!claim) return call.respond(error_response(404, "not_found", "claim " + std::to_string(call.ids[0]) + " does not exist"));
  if (!owns_or_staff(call, claim->customer)) return;
  call.respond(json_response(200, to_json(*claim)));
}

void Gateway::pay_claim(Call& call) {
  const Claim* claim = tower_.claim(ClaimId{call.ids[0]});
  if (!claim) return call.respond(error_response(404, "not_found", "claim " + std::to_string(call.ids[0]) + " does not exist"));
  if (!owns_or_staff(call, claim->customer)) return;
  Fields fields(call.body, {"amount"});
  const Money amount = fields.money("amount", tower_.config().currency);
  if (fields.error()) return call.respond(error_response(*fields.error()));
  const ClaimId id = claim->id;
  submit(call, PayClaim{id, amount}, {}, [this, id](const std::vector<Event>&) { return to_json(*tower_.claim(id)); });
}

}  // namespace tower::gateway
