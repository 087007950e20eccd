#pragma once

// Order manager: the life of every multi-leg order from intent to terminal state.
//
// Single-threaded (core thread). All storage is allocated at construction; create/apply/timeouts
// never allocate. Ids are ClientOrderId{day, seq} with seq counting every request of the day
// (new, cancel, replace), so a report's id maps to its order by array index, not by hashing.
//
// Fills are never dropped: a fill for an order in a terminal state is booked and flagged
// (kLateFill), a fill beyond the order size is booked and flagged (kOverfill). Resent reports are
// recognised by their cumulative quantity and ignored (kDuplicate). An order that ends with its
// legs filled in different proportions is flagged `legged` so the configured policy (complete or
// flatten) can act; see legging_repair().

#include <cstdint>
#include <memory>
#include <span>

#include "odte/core/market/instrument_registry.hpp"
#include "odte/core/engine/orders.hpp"

namespace odte {

struct Order {
  ClientOrderId id;            // identity: the id of the original new-order request
  ClientOrderId working_id;    // the id the venue knows the order by now (changes on replace)
  ClientOrderId pending_id;    // outstanding cancel/replace request, or invalid
  OrderState state;
  OrderState resume_state;     // where a refused cancel/replace returns to
  std::uint8_t leg_count;
  bool legged;                 // terminal with legs filled in different proportions
  std::uint16_t strategy;
  std::uint16_t reject_reason;
  std::uint32_t quantity;      // spread units
  std::uint32_t pending_quantity;
  Price limit;                 // net per unit
  Price pending_limit;
  OrderLeg legs[kMaxLegs];
  std::uint32_t leg_filled[kMaxLegs];    // contracts filled per leg
  Price leg_notional[kMaxLegs];          // sum of price * contracts per leg
  std::uint32_t combo_filled;            // units reported by strategy-level fills
  Price combo_notional;                  // sum of net price * units
  std::uint8_t fill_source;    // 0 none yet, 1 leg reports, 2 combo reports
  // OrderCommand::short_sale of the new order, decided once by its creator (the engine) and
  // restated on the order's cancel and replace requests: venues want a request to name the side
  // the order was entered with. A replace is not re-judged (the engine sends none).
  std::uint8_t short_sale;
  std::uint64_t broker_order_id;
  TimestampNs created_ns;
  TimestampNs updated_ns;
  TimestampNs deadline_ns;     // ack or cancel deadline while pending, else 0

  // Spread units completely filled on every leg.
  [[nodiscard]] std::uint32_t filled_units() const noexcept;
  // Spread units filled on the most-filled leg.
  [[nodiscard]] std::uint32_t max_leg_units() const noexcept;
  [[nodiscard]] bool is_live() const noexcept { return !is_terminal(state); }
};

enum class ApplyStatus : std::uint8_t {
  kApplied = 1,
  kDuplicate,          // resent report already reflected (cum_qty not above what we have)
  kUnknownOrder,       // id is not one we issued today
  kInvalidTransition,  // report does not fit the order's state; state unchanged, counted
  kLateFill,           // fill booked on an order already terminal
  kOverfill,           // fill booked beyond the order size
  kShadowReport,       // a combo report for an order filled by leg reports (or vice versa)
};

struct FillDelta {
  std::uint8_t leg;    // leg index, or kComboLeg for a strategy-level fill
  std::uint32_t qty;   // contracts (leg) or units (combo) newly filled by this report
  Price price;
};

struct ApplyResult {
  ApplyStatus status;
  Order* order;        // null for kUnknownOrder
  OrderState before;
  OrderState after;
  FillDelta fill;      // qty 0 when the report filled nothing new
  bool became_legged;  // the order just ended legged
};

struct OrderManagerConfig {
  std::int32_t trading_day = 0;        // yyyymmdd, part of every id
  std::uint32_t first_seq = 1;         // restored from the journal after a restart
  std::uint32_t max_orders = 4096;     // per day
  std::uint32_t max_requests = 16384;  // new + cancel + replace requests per day
  std::int64_t ack_timeout_ns = 2'000'000'000;
  std::int64_t cancel_timeout_ns = 2'000'000'000;
};

enum class RequestStatus : std::uint8_t {
  kOk = 1,
  kTableFull,        // max_orders or max_requests reached
  kBadLegs,          // 0 or more than kMaxLegs legs, zero ratio, or bad instrument
  kBadQuantity,
  kBadPrice,
  kUnknownOrder,
  kNotWorking,       // terminal, or a cancel/replace is already pending
  kOffGrid,          // limit not on the venue's price grid for the order's legs (tick_table.hpp)
};

struct NewOrder {
  std::uint16_t strategy;
  std::uint32_t quantity;
  Price limit;
  std::span<const OrderLeg> legs;
};

class OrderManager {
 public:
  // With `grid_registry`, create() and request_replace() refuse a limit that is off the venue's
  // price grid for the legs (kOffGrid): the last check before a command exists. The engine passes
  // its registry; restore_command() re-creates journaled commands as they were, unchecked.
  explicit OrderManager(const OrderManagerConfig& config, const InstrumentRegistry* grid_registry = nullptr);

  // Records a new order in pending-new and fills `out` with the command to send.
  [[nodiscard]] RequestStatus create(const NewOrder& request, TimestampNs now, OrderCommand& out,
                                     Order** created = nullptr) noexcept;
  [[nodiscard]] RequestStatus request_cancel(ClientOrderId order_id, TimestampNs now,
                                             OrderCommand& out) noexcept;
  [[nodiscard]] RequestStatus request_replace(ClientOrderId order_id, Price new_limit,
                                              std::uint32_t new_quantity, TimestampNs now,
                                              OrderCommand& out) noexcept;

  // An id for a request that is not an order (the reconciliation's status request); it maps to no
  // order. Invalid when the day's request ids are used up.
  [[nodiscard]] ClientOrderId reserve_request_id() noexcept;

  // Restart recovery (Engine::restore): re-creates what a journaled command did, with the id it
  // carried. kNew creates the order (`*order` set); kCancel/kReplace move the order to
  // pending-cancel/replace as request_cancel/request_replace did, and when the order can no longer
  // take the request (it ended between the request and its journaling) the id still maps to it, so
  // the broker's answer finds it; kStatusRequest with an id reserves it. Commands must come in the
  // journal's order (increasing ids); seqs skipped between them were never sent and are not reused.
  // kUnknownOrder: an id from another day, out of order, or a cancel for an order not restored.
  [[nodiscard]] RequestStatus restore_command(const OrderCommand& command, TimestampNs now,
                                              Order** order = nullptr) noexcept;

  // Applies one broker report. Never throws; anything unexpected is a status, not a crash.
  ApplyResult apply(const ExecutionReport& report, TimestampNs now) noexcept;

  // Calls on_timeout(Order&) once for each order whose ack/cancel deadline has passed, and clears
  // that deadline (the caller typically asks the broker for status).
  template <typename OnTimeout>
  void check_timeouts(TimestampNs now, OnTimeout&& on_timeout) noexcept(noexcept(on_timeout(std::declval<Order&>()))) {
    while (first_live_ < order_count_ && !orders_[first_live_].is_live()) ++first_live_;
    for (std::uint32_t i = first_live_; i < order_count_; ++i) {
      Order& o = orders_[i];
      if (o.is_live() && o.deadline_ns != 0 && now >= o.deadline_ns) {
        o.deadline_ns = 0;
        on_timeout(o);
      }
    }
  }

  [[nodiscard]] Order* find(ClientOrderId id) noexcept;
  [[nodiscard]] const Order* find(ClientOrderId id) const noexcept;
  [[nodiscard]] std::span<const Order> orders() const noexcept { return {orders_.get(), order_count_}; }
  [[nodiscard]] std::uint32_t next_seq() const noexcept { return next_seq_; }
  [[nodiscard]] std::uint32_t live_count() const noexcept;

 private:
  [[nodiscard]] bool reserve_id(ClientOrderId& id, std::uint32_t slot) noexcept;
  ApplyResult apply_fill(Order& o, const ExecutionReport& r, ApplyResult res, TimestampNs now) noexcept;
  void settle_terminal(Order& o, ApplyResult& res) noexcept;

  [[nodiscard]] bool off_grid(std::span<const OrderLeg> legs, Price limit) const noexcept;

  OrderManagerConfig config_;
  const InstrumentRegistry* grid_registry_;
  bool restoring_ = false;  // inside restore_command: what was sent is re-created as it was
  std::unique_ptr<Order[]> orders_;
  std::unique_ptr<std::uint32_t[]> slot_of_seq_;  // seq - first_seq -> order slot + 1 (0 = unused)
  std::uint32_t order_count_ = 0;
  std::uint32_t first_live_ = 0;
  std::uint32_t next_seq_;
};

// The order that repairs a legged order under each policy: `complete` buys/sells the missing
// contracts of the lagging legs; `flatten` closes the excess contracts of the leading legs.
// Fills `legs` (up to kMaxLegs, ratio = contracts) and returns how many legs it wrote.
enum class LeggingPolicy : std::uint8_t { kComplete = 1, kFlatten = 2 };
[[nodiscard]] int legging_repair(const Order& order, LeggingPolicy policy, OrderLeg (&legs)[kMaxLegs]) noexcept;

}  // namespace odte
