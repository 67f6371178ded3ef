// Pickup and the machine: identity checks release a car; the machine's feedback moves it between slot and bay.
#include "rules.hpp"
#include "tower/tower.hpp"

namespace tower {

using namespace rules;

Status Tower::check_bay(BayId bay) const {
  if (!bay.valid() || bay.value > state_.config.layout.bays.size())
    return refuse(ErrorCode::not_found, "bay " + number(bay.value) + " does not exist");
  if (const CarId busy = car_at_bay(bay); busy.valid())
    return refuse(ErrorCode::conflict, "bay " + number(bay.value) + " is occupied by car " + number(busy.value));
  return ok_status();
}

Result<Tower::Events> Tower::decide_command(const StartPickup& command, SimTime now) const {
  if (command.order.valid() == command.trial.valid()) return invalid("give exactly one of order or trial");
  CarId car_id;
  const std::string* code = nullptr;
  if (command.order.valid()) {
    auto found = find_order(command.order);
    if (!found) return found.error();
    if ((*found)->state != OrderState::paid)
      return refuse(ErrorCode::conflict, "order " + number(command.order.value) + " is " + to_string((*found)->state) +
                                             "; a car is released once its down payment is paid");
    car_id = (*found)->car;
    code = &(*found)->pickup_code;
  } else {
    auto found = find_trial(command.trial);
    if (!found) return found.error();
    if ((*found)->state != TrialState::booked)
      return refuse(ErrorCode::conflict, "test drive " + number(command.trial.value) + " is " + to_string((*found)->state));
    if (now > (*found)->pickup_deadline)
      return refuse(ErrorCode::expired, "the pickup window of test drive " + number(command.trial.value) + " has closed");
    car_id = (*found)->car;
    code = &(*found)->pickup_code;
  }
  if (code->empty()) return refuse(ErrorCode::forbidden, "this pickup code has already been used");
  if (!same_secret(*code, command.pickup_code)) return refuse(ErrorCode::forbidden, "the pickup code is not valid");
  if (command.face_match_permille < state_.config.trials.face_match_min_permille)
    return refuse(ErrorCode::forbidden, "the face scan did not match the selfie on file; please ask the staff for help");
  const Car& car = state_.cars[car_id.value - 1];
  if (car.state != CarState::in_slot && car.state != CarState::sold)
    return refuse(ErrorCode::conflict, "car " + number(car.id.value) + " is not in its slot (" + to_string(car.state) + ")");
  if (auto bay = check_bay(command.bay); !bay) return bay.error();
  const TowerLayout& layout = state_.config.layout;
  if (const LiftId lift = lift_of(layout, car.slot); lift_of(layout, command.bay) != lift) {
    std::string bays;
    for (const BayDef& def : layout.bays)
      if (def.lift == lift) bays += (bays.empty() ? "" : ", ") + number(def.id.value);
    return refuse(ErrorCode::conflict, "car " + number(car.id.value) + " is stored around lift " + number(lift.value) +
                                           ", which does not serve bay " + number(command.bay.value) +
                                           "; it can come down to bay " + bays);
  }
  return Events{{now, RetrievalStarted{car.id, car.slot, command.bay, command.order, command.trial}}};
}

Result<Tower::Events> Tower::decide_command(const CarArrived& command, SimTime now) const {
  auto found = find_car(command.car);
  if (!found) return found.error();
  const Car& car = **found;
  if (car.state != CarState::moving || !car.to_bay || car.bay != command.bay)
    return refuse(ErrorCode::conflict, "car " + number(car.id.value) + " is not being retrieved to bay " +
                                           number(command.bay.value));
  return Events{{now, CarArrivedInBay{car.id, command.bay}}};
}

Result<Tower::Events> Tower::decide_command(const HandOver& command, SimTime now) const {
  auto found = find_car(command.car);
  if (!found) return found.error();
  const Car& car = **found;
  if (car.state != CarState::in_bay)
    return refuse(ErrorCode::conflict, "car " + number(car.id.value) + " is not in a bay");
  if (car.hold.trial.valid())
    return Events{{now, TrialStarted{car.hold.trial, now + state_.config.trials.drive_length}}};
  if (car.hold.order.valid()) return Events{{now, OrderDelivered{car.hold.order}}};
  return refuse(ErrorCode::conflict, "car " + number(car.id.value) + " has no order or test drive waiting; store it");
}

Result<Tower::Events> Tower::decide_command(const StoreCar& command, SimTime now) const {
  auto found = find_car(command.car);
  if (!found) return found.error();
  const Car& car = **found;
  if (car.state != CarState::in_bay) return refuse(ErrorCode::conflict, "car " + number(car.id.value) + " is not in a bay");
  if (car.hold.held())
    return refuse(ErrorCode::conflict, "car " + number(car.id.value) + " is waiting in the bay for its customer");
  // The car can only go up the shaft of the bay it stands in.
  auto slot = choose_slot(car.spec, car.size, lift_of(state_.config.layout, car.bay));
  if (!slot) return slot.error();
  return Events{{now, StorageStarted{car.id, car.bay, *slot}}};
}

Result<Tower::Events> Tower::decide_command(const CarStored& command, SimTime now) const {
  auto found = find_car(command.car);
  if (!found) return found.error();
  const Car& car = **found;
  if (car.state != CarState::moving || car.to_bay || car.slot != command.slot)
    return refuse(ErrorCode::conflict, "car " + number(car.id.value) + " is not being stored in slot " +
                                           number(command.slot.value));
  return Events{{now, CarStoredInSlot{car.id, command.slot}}};
}

Result<Tower::Events> Tower::decide_command(const ServiceDone& command, SimTime now) const {
  auto found = find_car(command.car);
  if (!found) return found.error();
  if ((*found)->state != CarState::in_service)
    return refuse(ErrorCode::conflict, "car " + number(command.car.value) + " is not in service");
  if (auto bay = check_bay(command.bay); !bay) return bay.error();
  return Events{{now, CarServiced{command.car, command.bay}}};
}

void Tower::fold_event(const RetrievalStarted& event, SimTime) {
  Car& car = state_.cars[event.car.value - 1];
  car.state = CarState::moving;
  car.to_bay = true;
  car.bay = event.bay;
  set_bay(event.bay, car.id);
  // The code is single-use: consumed in the same event that starts the retrieval.
  if (event.order.valid()) state_.orders[event.order.value - 1].pickup_code.clear();
  if (event.trial.valid()) state_.trials[event.trial.value - 1].pickup_code.clear();
}

void Tower::fold_event(const CarArrivedInBay& event, SimTime) {
  Car& car = state_.cars[event.car.value - 1];
  set_slot(car.slot, CarId{});
  car.slot = SlotId{};
  car.state = CarState::in_bay;
  car.to_bay = false;
}

void Tower::fold_event(const OrderDelivered& event, SimTime) {
  Order& order = state_.orders[event.order.value - 1];
  order.state = OrderState::delivered;
  Car& car = state_.cars[order.car.value - 1];
  set_bay(car.bay, CarId{});
  car.bay = BayId{};
  mark_delivered(car);
}

void Tower::fold_event(const StorageStarted& event, SimTime) {
  Car& car = state_.cars[event.car.value - 1];
  car.state = CarState::moving;
  car.to_bay = false;
  car.slot = event.slot;
  set_slot(event.slot, car.id);
}

void Tower::fold_event(const CarStoredInSlot& event, SimTime) {
  Car& car = state_.cars[event.car.value - 1];
  set_bay(car.bay, CarId{});
  car.bay = BayId{};
  car.state = CarState::in_slot;
}

void Tower::fold_event(const CarServiced& event, SimTime) {
  Car& car = state_.cars[event.car.value - 1];
  car.state = CarState::in_bay;
  car.bay = event.bay;
  set_bay(event.bay, car.id);
}

}  // namespace tower
