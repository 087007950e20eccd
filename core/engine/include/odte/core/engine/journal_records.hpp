#pragma once

// Journal payloads written for the record of a run rather than for recovery: the legs the
// position book booked (with what the report needs to know about each instrument) and a
// once-a-minute account mark. Both are produced by the engine from its own state on the core
// thread, so a re-run re-creates them byte for byte (docs/journal-format.md).

#include <cstdint>
#include <type_traits>

#include "odte/core/engine/orders.hpp"

namespace odte {

// Session markers (session_start, session_end), written by the run loop.
struct JournalSessionMarker {
  std::int32_t trading_day;
  std::uint32_t version;
  TimestampNs at_ns;            // first event (start) or the engine clock at the end (the latest record)
};
static_assert(sizeof(JournalSessionMarker) == 16);
static_assert(std::has_unique_object_representations_v<JournalSessionMarker>);

// One leg booked into the position book (type book_fill). A combo fill is booked leg by leg at
// the prices the engine split it at, so these records add up to the journal's position P&L.
struct JournalFill {
  ClientOrderId order;          // the order the fill belongs to
  TimestampNs at_ns;            // market time it was booked
  Price price;                  // per share/contract unit, as booked
  Price fee;                    // dollars charged with this leg
  Price strike;                 // options; zero otherwise
  InstrumentId instrument;
  std::uint32_t quantity;       // contracts (options) or shares
  std::uint32_t multiplier;     // 100 for SPX/SPY options, 1 for stock
  std::int32_t expiry_yyyymmdd; // options; zero otherwise
  std::uint16_t strategy;
  std::uint8_t leg;             // leg index in the order
  Side side;
  std::uint8_t asset;           // AssetClass
  std::uint8_t right;           // 'C', 'P', or 0 for non-options
  std::uint8_t opening;         // 1 when the order opened risk
  std::uint8_t settlement;      // FillSettlement: 0 = an execution; else booked by expiry settlement
                                // (order 0, fee 0). Was padding, always 0, before expiry settlement:
                                // old journals read as executions.
  char symbol[32];              // NUL-terminated, as interned
};
static_assert(sizeof(JournalFill) == 96);

// JournalFill::settlement.
enum class FillSettlement : std::uint8_t {
  kNone = 0,
  kCash = 1,        // an option closed at its intrinsic value against the settlement value (0 when OTM)
  kExercise = 2,    // physical: a long in-the-money option exercised (the option at 0, shares at the strike)
  kAssignment = 3,  // physical: a short in-the-money option assigned (the option at 0, shares at the strike)
};

// The settlement value one underlying's expiring options were settled against (type settlement),
// written at the session close before the book_fill records that settle them.
struct JournalSettlement {
  TimestampNs at_ns;            // the session close (market time) the positions settled at
  TimestampNs value_ns;         // exchange time of the value used
  Price value;                  // the underlying's settlement value (index close / last trade)
  std::uint32_t positions;      // option positions settled against it
  std::uint8_t style;           // SettlementStyle
  std::uint8_t pad[3];
  char underlying[32];          // feed symbol, NUL-terminated ("I:SPX", "SPY")
};
static_assert(sizeof(JournalSettlement) == 64);
static_assert(std::has_unique_object_representations_v<JournalSettlement>);
static_assert(std::has_unique_object_representations_v<JournalFill>);

// Seed 004's day record (type variance_swap): what one expiry's chain implies at a strategy's
// decision time -- the implied forward and the single-expiry variance swap rate (the Cboe VIX
// method, options::variance_swap_rate) priced at the mids, the bids and the offers, as the
// seed's chain history keeps them per day. Computed by the strategy (ShortStrangleStrategy, at its
// entry decision), journaled by the engine (StrategyContext::record_variance_swap) at most once
// per strategy per day. Doubles are the computed values bit for bit (no padding: the fields add
// up to the size asserted below, so identical inputs give identical bytes).
struct JournalVarianceSwap {
  TimestampNs at_ns;            // market time of the quotes (stamped by the engine)
  double variance;              // mid swap rate: annualised sigma^2; 0 unless status is ok
  double bid_variance;          // priced at the bids (the seed's bid_swap_rate); 0 unless bid_status is ok
  double ask_variance;          // priced at the offers; 0 unless ask_status is ok
  double forward;               // implied forward of the mid computation (parity at the smallest |C - P|)
  double years;                 // time to the settlement used: minutes / 525,600
  double k0;                    // first listed strike at or below the forward
  std::int32_t expiry_yyyymmdd;
  std::uint16_t strategy;       // the strategy's index in the config
  std::uint8_t status;          // options::ChainStatus of the mid computation: 0 = ok
  std::uint8_t bid_status;
  std::uint8_t ask_status;
  std::uint8_t pad[3];          // 0
  std::uint32_t puts;           // out-of-the-money puts in the mid sum
  std::uint32_t calls;          // out-of-the-money calls in the mid sum
  std::uint32_t strikes;        // listed strikes of the chain the quotes came from
  char underlying[16];          // feed symbol of its price, NUL-terminated ("SPY", "I:SPX")
  char root[8];                 // OCC root, NUL-terminated ("SPY", "SPXW")
};
static_assert(sizeof(JournalVarianceSwap) == 7 * 8 + 4 + 2 + 3 * 1 + 3 + 3 * 4 + 16 + 8,
              "the fields add up to the size: no padding");

// The account once a minute of market time after the first fill (type mark), after the book was
// marked to mids.
struct JournalMark {
  TimestampNs at_ns;
  Price equity;                 // account equity from the config (the returns' denominator)
  Price realized;               // dollars, since the session started
  Price unrealized;             // dollars, open positions at mid
  Price fees;                   // dollars
  std::uint32_t open_spreads;   // spreads with open units
  std::uint32_t open_positions; // (strategy, instrument) positions not flat
};
static_assert(sizeof(JournalMark) == 48);
static_assert(std::has_unique_object_representations_v<JournalMark>);

// What an in-process InstrumentId names (type instrument). Ids are dense and per process, so a
// restarted daemon cannot read the legs of a journaled order without this: the engine writes one
// record per instrument before the first order command that uses it, and restore re-interns the
// symbol and maps the old id to the new one.
struct JournalInstrument {
  InstrumentId id;              // as used by the journal's intent and order_command records
  std::uint8_t asset;           // AssetClass
  std::uint8_t right;           // 'C', 'P', or 0 for non-options
  std::uint16_t pad;
  std::int32_t expiry_yyyymmdd; // options; zero otherwise
  std::uint32_t multiplier;     // options; zero otherwise
  Price strike;                 // options; zero otherwise
  char root[8];                 // options: OCC root, NUL-terminated
  char symbol[32];              // NUL-terminated, as interned
};
static_assert(sizeof(JournalInstrument) == 64);
static_assert(std::has_unique_object_representations_v<JournalInstrument>);

// JournalFlag::strategy of a kill switch record the engine made itself (the daily loss rule's
// flatten, EngineConfig::flatten_on_daily_loss): not an operator command, so a re-run does not
// re-apply it -- the re-run makes it again at the same point.
inline constexpr std::uint16_t kFlagByEngine = 0xFFFF;

// Where the day's equity came from (JournalAccount::source).
enum class EquitySource : std::uint8_t {
  kConfig = 0,       // [account] equity: the broker could not say (logged as a warning)
  kPaperBroker = 1,  // the paper broker's account (its starting cash is [account] equity)
  kBroker = 2,       // the broker's answer at the start of the day
};
[[nodiscard]] const char* to_string(EquitySource) noexcept;

// The account at the start of the day (type account, 18): the equity the per-trade cap (0.5%)
// and the returns are a fraction of, where it came from, and the names of the strategies the
// journal's numeric strategy ids stand for (ids are config indices, so they name different
// strategies in runs with different configs). Written once by Engine::start, before any intent;
// a restart keeps the journaled equity (Engine::restore).
struct JournalAccount {
  TimestampNs at_ns;            // engine start (market time)
  Price equity;                 // dollars, in force for the day
  Price config_equity;          // [account] equity, for comparison
  std::uint8_t source;          // EquitySource
  std::uint8_t strategy_count;  // strategies of the run (ids 0 .. count-1)
  std::uint8_t strategies_named;// how many of them `names` holds (the first ones; the rest did not fit)
  std::uint8_t pad[5];
  char names[200];              // strategy names in id order, each NUL-terminated
};
static_assert(sizeof(JournalAccount) == 232);
static_assert(std::has_unique_object_representations_v<JournalAccount>);

// Outcome of restart reconciliation (type reconciliation), written once per attempt when the
// engine decides (docs/architecture.md, reconciliation).
enum class ReconcileStatus : std::uint8_t {
  kNone = 0,         // never attempted
  kPending,          // status request sent, answer not complete
  kOk,               // journal and broker agree (after missed fills were applied): trading resumes
  kOrphans,          // the broker reports orders the journal has no record of: halted
  kMismatch,         // the broker has fewer fills than the journal, or works an order we finished: halted
  kTimeout,          // no complete answer in time: halted
  kIncomplete,       // kStatusEnd's count differs from the kStatus reports received: halted
};
[[nodiscard]] const char* to_string(ReconcileStatus) noexcept;

struct JournalReconciliation {
  TimestampNs at_ns;            // when the engine decided
  ClientOrderId request;        // the status request's id (orig_id of its answer)
  ClientOrderId first_problem;  // first orphan or mismatched order (its ClOrdID), 0 when none
  std::uint32_t status_reports; // kStatus reports received for the request
  std::uint32_t expected_reports; // kStatusEnd's count; 0 when it never came
  std::uint32_t orders_matched; // journal orders the broker reported
  std::uint32_t fills_applied;  // missed fills applied (one per leg or combo report)
  std::uint32_t orders_closed;  // journal-working orders closed: unknown to, or finished at, the broker
  std::uint32_t orphans;        // broker reports for orders the journal does not have
  std::uint32_t mismatches;
  std::uint32_t reserved;
  std::uint8_t status;          // ReconcileStatus
  std::uint8_t pad[7];
};
static_assert(sizeof(JournalReconciliation) == 64);
static_assert(std::has_unique_object_representations_v<JournalReconciliation>);

}  // namespace odte
