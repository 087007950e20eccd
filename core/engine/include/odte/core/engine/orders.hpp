#pragma once

// Plain-data messages between the core and the broker thread, and the order vocabulary.
//
//   core  --OrderCommand-->    SpscRing  -->  broker adapter (paper, FIX)
//   core  <--ExecutionReport-- SpscRing  <--  broker adapter
//
// Prices of multi-leg orders are NET per one unit of the spread: positive = debit paid,
// negative = credit received. Quantities of spread orders count spread units; a leg with ratio r
// trades r * units contracts.

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "odte/core/market/events.hpp"
#include "odte/core/base/price.hpp"

namespace odte {

enum class Side : std::uint8_t { kBuy = 1, kSell = 2 };
[[nodiscard]] constexpr Side opposite(Side s) noexcept { return s == Side::kBuy ? Side::kSell : Side::kBuy; }

inline constexpr int kMaxLegs = 4;
inline constexpr std::uint8_t kComboLeg = 0xFF;  // ExecutionReport.leg for strategy-level reports

// OrderLeg::unit: what `ratio` and the order's quantity count. The engine sets it from the
// instrument when it creates the order, so brokers that see only the command can charge per
// contract or per share. (Was padding, always 0, before stock hedges: old journals read as contracts.)
inline constexpr std::uint8_t kLegContracts = 0;  // option contracts
inline constexpr std::uint8_t kLegShares = 1;     // shares of stock (multiplier 1)

struct OrderLeg {
  InstrumentId instrument;
  Side side;
  std::uint8_t unit;    // kLegContracts or kLegShares
  std::uint16_t ratio;  // contracts (or shares) per spread unit, >= 1
};
static_assert(sizeof(OrderLeg) == 8);

// Deterministic client order id: trading day and a per-day sequence. The same replay with the same
// config hands out the same ids; after a restart the journal restores the sequence, so ids stay
// unique and orphans reported by the broker can be matched to what we sent.
struct ClientOrderId {
  std::uint64_t value = 0;

  [[nodiscard]] static constexpr ClientOrderId make(std::int32_t day_yyyymmdd, std::uint32_t seq) noexcept {
    return ClientOrderId{(static_cast<std::uint64_t>(static_cast<std::uint32_t>(day_yyyymmdd)) << 32) | seq};
  }
  [[nodiscard]] constexpr std::int32_t day() const noexcept { return static_cast<std::int32_t>(value >> 32); }
  [[nodiscard]] constexpr std::uint32_t seq() const noexcept { return static_cast<std::uint32_t>(value); }
  [[nodiscard]] constexpr bool valid() const noexcept { return value != 0; }
  constexpr auto operator<=>(const ClientOrderId&) const noexcept = default;

  // "OD20260821-000042": the ClOrdID text sent to brokers. parse() accepts only this form.
  [[nodiscard]] std::string to_string() const;
  std::size_t format(char* buf, std::size_t size) const noexcept;  // >= 24 bytes
  [[nodiscard]] static std::optional<ClientOrderId> parse(std::string_view text) noexcept;
};

// OrderCommand::cancel_reason of a kCancel.
enum class CancelReason : std::uint8_t {
  kUnspecified = 0,   // a strategy, the operator, the kill switch, shutdown
  kTimeInForce = 1,   // an entry order's time in force ended (Strategy::entry_expiry_minute)
};

enum class CommandKind : std::uint8_t {
  kNew = 1,
  kCancel,
  kReplace,        // new limit and/or quantity for a working order (FIX 35=G)
  kCancelAll,      // mass cancel (FIX 35=q), e.g. from the kill switch
  kStatusRequest,  // mass status (FIX 35=AF), used by reconciliation
};

struct OrderCommand {
  CommandKind kind;
  std::uint8_t leg_count;
  std::uint16_t strategy;    // index of the strategy that owns the order
  std::uint32_t quantity;    // spread units (kNew, kReplace)
  ClientOrderId id;          // this request's id
  ClientOrderId orig_id;     // the order being cancelled or replaced
  Price limit;               // net per unit (kNew, kReplace)
  TimestampNs created_ns;
  OrderLeg legs[kMaxLegs];
  ClientOrderId closes;      // kNew of a closing order: the order that opened the spread
  std::uint8_t opening;      // kNew: 1 opens risk, 0 closes or repairs
  // 1: the command's stock sell leg is a short sale (US Reg SHO): set by the engine on a kNew whose
  // shares are not all covered by the account's long position net of working sells, and carried
  // by the order's cancel and replace requests. The FIX adapter sends it as Side 54=5 with the
  // configured locate; the paper broker fills it as a sell. 0 for everything else. (Was padding,
  // always 0, before short sales were marked: old journals read as plain sells.)
  std::uint8_t short_sale;
  // kCancel: why the core cancels (CancelReason). (Was padding, always 0, before entries had a
  // time in force: old journals read as kUnspecified.)
  std::uint8_t cancel_reason;
  std::uint8_t pad_[5];
};
static_assert(sizeof(OrderCommand) == 88);
static_assert(std::has_unique_object_representations_v<OrderCommand>);
static_assert(std::is_trivially_copyable_v<OrderCommand>);

enum class ExecKind : std::uint8_t {
  kAccepted = 1,   // order is working at the venue (FIX ExecType 0)
  kPartialFill,
  kFill,
  kCancelled,
  kReplaced,
  kRejected,       // order refused (FIX ExecType 8)
  kExpired,
  kCancelRejected, // cancel or replace refused (FIX 35=9); the order keeps working
  kStatus,         // one line of the answer to a status request; no state change implied
  kStatusEnd,      // the last report of the answer to a status request
};

// The status contract (mass status, FIX 35=AF answered by 35=8 ExecType=I), shared by every
// adapter and relied on by restart reconciliation (Engine::begin_reconciliation):
//
//  - The request is an OrderCommand{kind = kStatusRequest, id = R}. R is a ClientOrderId reserved
//    for the request (the FIX adapter sends it as MassStatusReqID 584); R may be invalid (0) for
//    the timer's status requests, which nothing waits for.
//  - The broker answers with zero or more kStatus reports and then exactly one kStatusEnd, in this
//    order, every one with orig_id = R.
//  - kStatus covers every order of the trading day the broker knows, working or finished (filled,
//    cancelled, expired), as one report per leg (leg = leg index, cum_qty = contracts filled on
//    that leg) or one strategy-level report (leg = kComboLeg, cum_qty = spread units filled):
//      id              the order's current ClOrdID (the latest new or replace request's id)
//      cum_qty         cumulative filled, as above
//      last_price      average fill price of cum_qty (per contract for a leg, net per unit for a
//                      combo); zero when nothing filled
//      commission      dollars charged for all of cum_qty
//      leaves_qty      spread units still working at the venue; 0 = the order is finished there
//      broker_order_id the venue's id; transact_ns the venue's time
//    last_qty, reason and text are not read.
//  - kStatusEnd: id = 0, orig_id = R, last_qty = the number of kStatus reports sent for R (FIX
//    TotNumReports 911, sent with LastRptRequested 912=Y). A venue that answers "no orders" sends
//    kStatusEnd with last_qty = 0 alone.
// The reports are journaled like every other report; reconciliation decides only on an answer
// whose kStatusEnd arrived and whose count matches.

struct ExecutionReport {
  ExecKind kind;
  std::uint8_t leg;           // leg index for leg-level fills, kComboLeg for strategy-level
  std::uint16_t reason;       // broker/venue reject reason, 0 when none
  std::uint32_t last_qty;     // this fill: contracts for a leg report, spread units for combo
  ClientOrderId id;           // the request this report answers (new, cancel or replace id)
  ClientOrderId orig_id;      // for cancel/replace answers: the order they acted on
  std::uint64_t broker_order_id;
  Price last_price;           // leg price for leg fills, net per unit for combo fills
  std::uint32_t cum_qty;      // cumulative filled, same unit as last_qty; de-duplicates resends
  std::uint32_t leaves_qty;   // spread units still working
  Price commission;           // dollars charged for this fill (commissions and fees)
  TimestampNs transact_ns;
  char text[24];              // NUL-terminated sample of the broker's text
};
static_assert(sizeof(ExecutionReport) == 88);
static_assert(std::is_trivially_copyable_v<ExecutionReport>);

// A strategy-level report of `kind` answering `id` at `transact_ns`, every other field zero (no
// fill, no price, no commission, no text): what brokers and the engine fill in from.
[[nodiscard]] inline ExecutionReport blank_report(ExecKind kind, ClientOrderId id, TimestampNs transact_ns) noexcept {
  ExecutionReport r;
  std::memset(static_cast<void*>(&r), 0, sizeof r);
  r.kind = kind;
  r.leg = kComboLeg;
  r.id = id;
  r.last_price = Price::zero();
  r.commission = Price::zero();
  r.transact_ns = transact_ns;
  return r;
}

enum class OrderState : std::uint8_t {
  kPendingNew = 1,
  kNew,
  kPartiallyFilled,
  kFilled,
  kPendingCancel,
  kPendingReplace,
  kCancelled,
  kRejected,
  kExpired,
};

[[nodiscard]] constexpr bool is_terminal(OrderState s) noexcept {
  return s == OrderState::kFilled || s == OrderState::kCancelled || s == OrderState::kRejected ||
         s == OrderState::kExpired;
}

[[nodiscard]] std::string_view to_string(Side) noexcept;
[[nodiscard]] std::string_view to_string(CommandKind) noexcept;
[[nodiscard]] std::string_view to_string(ExecKind) noexcept;
[[nodiscard]] std::string_view to_string(OrderState) noexcept;

}  // namespace odte
