#include "odte/core/engine/order_manager.hpp"

#include <algorithm>
#include <cstring>

#include "odte/core/engine/tick_table.hpp"

namespace odte {

namespace {
constexpr std::uint8_t kFillSourceNone = 0;
constexpr std::uint8_t kFillSourceLegs = 1;
constexpr std::uint8_t kFillSourceCombo = 2;
}  // namespace

std::uint32_t Order::filled_units() const noexcept {
  if (fill_source == kFillSourceCombo) return combo_filled;
  std::uint32_t units = UINT32_MAX;
  for (int i = 0; i < leg_count; ++i) units = std::min(units, leg_filled[i] / legs[i].ratio);
  return leg_count == 0 ? 0 : units;
}

std::uint32_t Order::max_leg_units() const noexcept {
  if (fill_source == kFillSourceCombo) return combo_filled;
  std::uint32_t units = 0;
  for (int i = 0; i < leg_count; ++i) {
    // A partly filled unit on a leg still counts as exposure on that leg.
    const std::uint32_t r = legs[i].ratio;
    units = std::max(units, (leg_filled[i] + r - 1) / r);
  }
  return units;
}

OrderManager::OrderManager(const OrderManagerConfig& config, const InstrumentRegistry* grid_registry)
    : config_{config},
      grid_registry_{grid_registry},
      orders_{std::make_unique<Order[]>(config.max_orders)},
      slot_of_seq_{std::make_unique<std::uint32_t[]>(config.max_requests)},
      next_seq_{config.first_seq} {
  std::memset(static_cast<void*>(orders_.get()), 0, sizeof(Order) * config.max_orders);
  std::memset(slot_of_seq_.get(), 0, sizeof(std::uint32_t) * config.max_requests);
}

bool OrderManager::off_grid(std::span<const OrderLeg> legs, Price limit) const noexcept {
  return grid_registry_ != nullptr && !restoring_ && !limit_on_grid(*grid_registry_, legs, limit);
}

bool OrderManager::reserve_id(ClientOrderId& id, std::uint32_t slot) noexcept {
  const std::uint32_t index = next_seq_ - config_.first_seq;
  if (index >= config_.max_requests) return false;
  slot_of_seq_[index] = slot + 1;
  id = ClientOrderId::make(config_.trading_day, next_seq_++);
  return true;
}

ClientOrderId OrderManager::reserve_request_id() noexcept {
  const std::uint32_t index = next_seq_ - config_.first_seq;
  if (index >= config_.max_requests) return ClientOrderId{};
  slot_of_seq_[index] = 0;  // names no order: reports for it are not order reports
  return ClientOrderId::make(config_.trading_day, next_seq_++);
}

RequestStatus OrderManager::restore_command(const OrderCommand& c, TimestampNs now, Order** order) noexcept {
  if (order != nullptr) *order = nullptr;
  if (c.kind == CommandKind::kCancelAll || !c.id.valid()) return RequestStatus::kOk;  // no id to restore
  if (c.id.day() != config_.trading_day || c.id.seq() < next_seq_) return RequestStatus::kUnknownOrder;
  if (c.id.seq() - config_.first_seq >= config_.max_requests) return RequestStatus::kTableFull;
  next_seq_ = c.id.seq();  // ids the process reserved but never journaled were never sent: skipped
  struct Restoring {
    bool& flag;
    explicit Restoring(bool& f) noexcept : flag{f} { flag = true; }
    ~Restoring() { flag = false; }
    Restoring(const Restoring&) = delete;
    Restoring& operator=(const Restoring&) = delete;
  } restoring{restoring_};
  OrderCommand out;
  switch (c.kind) {
    case CommandKind::kNew: {
      Order* created = nullptr;
      const RequestStatus st = create(NewOrder{c.strategy, c.quantity, c.limit,
                                               std::span<const OrderLeg>(c.legs, std::min<std::size_t>(c.leg_count, kMaxLegs))},
                                      now, out, &created);
      if (created != nullptr) created->short_sale = c.short_sale;
      if (order != nullptr) *order = created;
      return st;
    }
    case CommandKind::kCancel:
    case CommandKind::kReplace: {
      Order* o = find(c.orig_id);
      if (o == nullptr) {
        (void)reserve_request_id();
        return RequestStatus::kUnknownOrder;
      }
      if (order != nullptr) *order = o;
      const RequestStatus st = c.kind == CommandKind::kCancel ? request_cancel(o->id, now, out)
                                                              : request_replace(o->id, c.limit, c.quantity, now, out);
      if (st == RequestStatus::kOk) return st;
      // The order ended between the request and its journaling (a fill or cancel applied in the
      // same batch): the request was still sent, so its id must still lead the answer to the order.
      ClientOrderId id;
      (void)reserve_id(id, static_cast<std::uint32_t>(o - orders_.get()));
      return RequestStatus::kOk;
    }
    case CommandKind::kStatusRequest:
      (void)reserve_request_id();
      return RequestStatus::kOk;
    case CommandKind::kCancelAll:
      break;
  }
  return RequestStatus::kOk;
}

Order* OrderManager::find(ClientOrderId id) noexcept {
  if (id.day() != config_.trading_day || id.seq() < config_.first_seq) return nullptr;
  const std::uint32_t index = id.seq() - config_.first_seq;
  if (index >= config_.max_requests || index >= next_seq_ - config_.first_seq) return nullptr;
  const std::uint32_t slot = slot_of_seq_[index];
  return slot == 0 ? nullptr : &orders_[slot - 1];
}

const Order* OrderManager::find(ClientOrderId id) const noexcept {
  return const_cast<OrderManager*>(this)->find(id);
}

std::uint32_t OrderManager::live_count() const noexcept {
  std::uint32_t n = 0;
  for (std::uint32_t i = first_live_; i < order_count_; ++i) n += orders_[i].is_live() ? 1u : 0u;
  return n;
}

RequestStatus OrderManager::create(const NewOrder& request, TimestampNs now, OrderCommand& out,
                                   Order** created) noexcept {
  if (request.legs.empty() || request.legs.size() > static_cast<std::size_t>(kMaxLegs)) {
    return RequestStatus::kBadLegs;
  }
  for (const OrderLeg& leg : request.legs) {
    if (leg.ratio == 0 || leg.instrument == kNoInstrument ||
        (leg.side != Side::kBuy && leg.side != Side::kSell)) {
      return RequestStatus::kBadLegs;
    }
  }
  if (request.quantity == 0) return RequestStatus::kBadQuantity;
  if (!request.limit.valid()) return RequestStatus::kBadPrice;
  if (off_grid(request.legs, request.limit)) return RequestStatus::kOffGrid;
  if (order_count_ >= config_.max_orders) return RequestStatus::kTableFull;

  const std::uint32_t slot = order_count_;
  ClientOrderId id;
  if (!reserve_id(id, slot)) return RequestStatus::kTableFull;
  ++order_count_;

  Order& o = orders_[slot];
  std::memset(static_cast<void*>(&o), 0, sizeof o);
  o.id = id;
  o.working_id = id;
  o.state = OrderState::kPendingNew;
  o.resume_state = OrderState::kPendingNew;
  o.leg_count = static_cast<std::uint8_t>(request.legs.size());
  o.strategy = request.strategy;
  o.quantity = request.quantity;
  o.limit = request.limit;
  o.pending_limit = Price::invalid();
  for (std::size_t i = 0; i < request.legs.size(); ++i) {
    o.legs[i] = request.legs[i];
    o.leg_notional[i] = Price::zero();
  }
  o.combo_notional = Price::zero();
  o.created_ns = now;
  o.updated_ns = now;
  o.deadline_ns = now + config_.ack_timeout_ns;

  std::memset(static_cast<void*>(&out), 0, sizeof out);
  out.kind = CommandKind::kNew;
  out.leg_count = o.leg_count;
  out.strategy = o.strategy;
  out.quantity = o.quantity;
  out.id = id;
  out.limit = o.limit;
  out.created_ns = now;
  std::copy_n(o.legs, o.leg_count, out.legs);
  if (created != nullptr) *created = &o;
  return RequestStatus::kOk;
}

RequestStatus OrderManager::request_cancel(ClientOrderId order_id, TimestampNs now,
                                           OrderCommand& out) noexcept {
  Order* o = find(order_id);
  if (o == nullptr) return RequestStatus::kUnknownOrder;
  if (!o->is_live() || o->state == OrderState::kPendingCancel || o->state == OrderState::kPendingReplace) {
    return RequestStatus::kNotWorking;
  }
  ClientOrderId id;
  if (!reserve_id(id, static_cast<std::uint32_t>(o - orders_.get()))) return RequestStatus::kTableFull;
  o->resume_state = o->state;
  o->state = OrderState::kPendingCancel;
  o->pending_id = id;
  o->updated_ns = now;
  o->deadline_ns = now + config_.cancel_timeout_ns;

  std::memset(static_cast<void*>(&out), 0, sizeof out);
  out.kind = CommandKind::kCancel;
  out.short_sale = o->short_sale;
  out.strategy = o->strategy;
  out.id = id;
  out.orig_id = o->working_id;
  out.limit = o->limit;
  out.quantity = o->quantity;
  out.leg_count = o->leg_count;
  std::copy_n(o->legs, o->leg_count, out.legs);
  out.created_ns = now;
  return RequestStatus::kOk;
}

RequestStatus OrderManager::request_replace(ClientOrderId order_id, Price new_limit,
                                            std::uint32_t new_quantity, TimestampNs now,
                                            OrderCommand& out) noexcept {
  Order* o = find(order_id);
  if (o == nullptr) return RequestStatus::kUnknownOrder;
  if (o->state != OrderState::kNew && o->state != OrderState::kPartiallyFilled) {
    return RequestStatus::kNotWorking;
  }
  if (!new_limit.valid()) return RequestStatus::kBadPrice;
  if (off_grid(std::span<const OrderLeg>(o->legs, o->leg_count), new_limit)) return RequestStatus::kOffGrid;
  if (new_quantity == 0 || new_quantity < o->filled_units()) return RequestStatus::kBadQuantity;
  ClientOrderId id;
  if (!reserve_id(id, static_cast<std::uint32_t>(o - orders_.get()))) return RequestStatus::kTableFull;
  o->resume_state = o->state;
  o->state = OrderState::kPendingReplace;
  o->pending_id = id;
  o->pending_limit = new_limit;
  o->pending_quantity = new_quantity;
  o->updated_ns = now;
  o->deadline_ns = now + config_.cancel_timeout_ns;

  std::memset(static_cast<void*>(&out), 0, sizeof out);
  out.kind = CommandKind::kReplace;
  out.short_sale = o->short_sale;
  out.strategy = o->strategy;
  out.id = id;
  out.orig_id = o->working_id;
  out.limit = new_limit;
  out.quantity = new_quantity;
  out.leg_count = o->leg_count;
  std::copy_n(o->legs, o->leg_count, out.legs);
  out.created_ns = now;
  return RequestStatus::kOk;
}

void OrderManager::settle_terminal(Order& o, ApplyResult& res) noexcept {
  if (!is_terminal(o.state)) return;
  o.deadline_ns = 0;
  o.pending_id = ClientOrderId{};
  if (!o.legged && o.fill_source == kFillSourceLegs && o.max_leg_units() != o.filled_units()) {
    o.legged = true;
    res.became_legged = true;
  }
  if (!o.legged && o.fill_source == kFillSourceLegs) {
    // Whole units on every leg but a leg with a partial unit (e.g. 3 of ratio 2) is still legged.
    for (int i = 0; i < o.leg_count; ++i) {
      if (o.leg_filled[i] != o.filled_units() * o.legs[i].ratio) {
        o.legged = true;
        res.became_legged = true;
        break;
      }
    }
  }
}

ApplyResult OrderManager::apply_fill(Order& o, const ExecutionReport& r, ApplyResult res,
                                     TimestampNs now) noexcept {
  const bool combo = r.leg == kComboLeg;
  if (!combo && r.leg >= o.leg_count) {
    res.status = ApplyStatus::kInvalidTransition;
    return res;
  }
  const std::uint8_t source = combo ? kFillSourceCombo : kFillSourceLegs;
  if (o.fill_source != kFillSourceNone && o.fill_source != source) {
    // Some venues send both a strategy-level and per-leg reports for the same execution; the
    // first kind seen is the one booked, the other is a shadow of it.
    res.status = ApplyStatus::kShadowReport;
    return res;
  }
  const std::uint32_t known = combo ? o.combo_filled : o.leg_filled[r.leg];
  if (r.cum_qty <= known) {
    res.status = ApplyStatus::kDuplicate;
    return res;
  }
  // cum_qty is authoritative: a missed report in between is recovered, not lost.
  const std::uint32_t delta = r.cum_qty - known;
  o.fill_source = source;
  if (combo) {
    o.combo_filled = r.cum_qty;
    o.combo_notional += r.last_price * static_cast<std::int64_t>(delta);
    for (int i = 0; i < o.leg_count; ++i) o.leg_filled[i] = o.combo_filled * o.legs[i].ratio;
  } else {
    o.leg_filled[r.leg] = r.cum_qty;
    o.leg_notional[r.leg] += r.last_price * static_cast<std::int64_t>(delta);
  }
  res.fill = FillDelta{r.leg, delta, r.last_price};
  o.updated_ns = now;
  if (r.broker_order_id != 0) o.broker_order_id = r.broker_order_id;

  const std::uint32_t cap = combo ? o.quantity : o.quantity * o.legs[r.leg].ratio;
  const bool overfilled = r.cum_qty > cap;
  const bool was_terminal = is_terminal(o.state);
  if (!was_terminal) {
    const bool complete = o.filled_units() >= o.quantity;
    if (complete) {
      o.state = OrderState::kFilled;
    } else if (o.state == OrderState::kPendingCancel || o.state == OrderState::kPendingReplace) {
      o.resume_state = OrderState::kPartiallyFilled;  // still waiting on the cancel/replace answer
    } else {
      o.state = OrderState::kPartiallyFilled;
      o.deadline_ns = 0;  // a fill is as good as an ack
    }
  }
  settle_terminal(o, res);
  res.after = o.state;
  res.status = was_terminal ? ApplyStatus::kLateFill : overfilled ? ApplyStatus::kOverfill : ApplyStatus::kApplied;
  return res;
}

ApplyResult OrderManager::apply(const ExecutionReport& r, TimestampNs now) noexcept {
  ApplyResult res{};
  res.fill = FillDelta{kComboLeg, 0, Price::zero()};
  Order* found = find(r.id);
  if (found == nullptr && r.orig_id.valid()) found = find(r.orig_id);
  if (found == nullptr) {
    res.status = ApplyStatus::kUnknownOrder;
    return res;
  }
  Order& o = *found;
  res.order = &o;
  res.before = o.state;
  res.after = o.state;
  res.status = ApplyStatus::kApplied;

  auto invalid = [&res]() {
    res.status = ApplyStatus::kInvalidTransition;
    return res;
  };

  switch (r.kind) {
    case ExecKind::kAccepted:
      if (o.state == OrderState::kPendingNew) {
        o.state = OrderState::kNew;
        o.deadline_ns = 0;
      } else if ((o.state == OrderState::kPendingCancel || o.state == OrderState::kPendingReplace) &&
                 o.resume_state == OrderState::kPendingNew) {
        o.resume_state = OrderState::kNew;
      } else if (o.state == OrderState::kNew || o.state == OrderState::kPartiallyFilled ||
                 o.state == OrderState::kFilled) {
        // A resent ack, or an ack overtaken by the fill it preceded at the venue.
        res.status = ApplyStatus::kDuplicate;
        return res;
      } else {
        return invalid();
      }
      if (r.broker_order_id != 0) o.broker_order_id = r.broker_order_id;
      break;

    case ExecKind::kPartialFill:
    case ExecKind::kFill:
      return apply_fill(o, r, res, now);

    case ExecKind::kCancelled:
      if (o.state == OrderState::kCancelled) {
        res.status = ApplyStatus::kDuplicate;
        return res;
      }
      if (is_terminal(o.state)) return invalid();
      // Unsolicited cancels (venue-side, e.g. end of session) are accepted from any live state.
      o.state = OrderState::kCancelled;
      break;

    case ExecKind::kReplaced:
      if (o.state != OrderState::kPendingReplace || r.id != o.pending_id) return invalid();
      o.working_id = o.pending_id;
      o.limit = o.pending_limit;
      o.quantity = o.pending_quantity;
      o.pending_limit = Price::invalid();
      o.pending_id = ClientOrderId{};
      o.deadline_ns = 0;
      o.state = o.filled_units() >= o.quantity ? OrderState::kFilled
                : o.filled_units() > 0         ? OrderState::kPartiallyFilled
                                               : OrderState::kNew;
      break;

    case ExecKind::kCancelRejected:
      if ((o.state != OrderState::kPendingCancel && o.state != OrderState::kPendingReplace) ||
          r.id != o.pending_id) {
        return invalid();
      }
      o.state = o.resume_state;
      o.pending_id = ClientOrderId{};
      o.pending_limit = Price::invalid();
      o.deadline_ns = o.state == OrderState::kPendingNew ? now + config_.ack_timeout_ns : 0;
      o.reject_reason = r.reason;
      break;

    case ExecKind::kRejected: {
      const bool pending_new = o.state == OrderState::kPendingNew ||
                               ((o.state == OrderState::kPendingCancel || o.state == OrderState::kPendingReplace) &&
                                o.resume_state == OrderState::kPendingNew);
      if (o.state == OrderState::kRejected) {
        res.status = ApplyStatus::kDuplicate;
        return res;
      }
      if (!pending_new || o.filled_units() > 0 || o.max_leg_units() > 0) return invalid();
      o.state = OrderState::kRejected;
      o.reject_reason = r.reason;
      break;
    }

    case ExecKind::kExpired:
      if (o.state == OrderState::kExpired) {
        res.status = ApplyStatus::kDuplicate;
        return res;
      }
      if (is_terminal(o.state)) return invalid();
      o.state = OrderState::kExpired;
      break;

    case ExecKind::kStatus:
    case ExecKind::kStatusEnd:
      break;  // informational; reconciliation reads it, the state machine does not move

    default:
      return invalid();
  }
  o.updated_ns = now;
  settle_terminal(o, res);
  res.after = o.state;
  return res;
}

int legging_repair(const Order& order, LeggingPolicy policy, OrderLeg (&legs)[kMaxLegs]) noexcept {
  int n = 0;
  const std::uint32_t whole = order.filled_units();
  const std::uint32_t most = order.max_leg_units();
  for (int i = 0; i < order.leg_count; ++i) {
    const OrderLeg& leg = order.legs[i];
    if (policy == LeggingPolicy::kComplete) {
      const std::uint32_t want = most * leg.ratio;
      if (order.leg_filled[i] < want) {
        legs[n++] = OrderLeg{leg.instrument, leg.side, 0,
                             static_cast<std::uint16_t>(want - order.leg_filled[i])};
      }
    } else {
      const std::uint32_t keep = whole * leg.ratio;
      if (order.leg_filled[i] > keep) {
        legs[n++] = OrderLeg{leg.instrument, opposite(leg.side), 0,
                             static_cast<std::uint16_t>(order.leg_filled[i] - keep)};
      }
    }
  }
  return n;
}

}  // namespace odte
