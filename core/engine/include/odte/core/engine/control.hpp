#pragma once

// The admin side's two channels into the core (see docs/architecture.md):
//  - ControlCommand over an SpscRing (admin -> core) and ControlReply back (core -> admin), for
//    anything that changes state: pause, resume, flatten, kill, unkill, risk limits, strategies.
//    The admin thread validates fully before sending; the core applies and answers.
//  - CoreSnapshot through a TripleBuffer (core -> admin), published on a timer, from which every
//    read-only command (status, positions, orders, pnl, risk, strategies, metrics) is answered.
// All plain data: nothing here allocates or locks.

#include <cstdint>
#include <cstring>
#include <string_view>

#include "odte/core/market/market_guard.hpp"
#include "odte/core/engine/order_manager.hpp"
#include "odte/core/engine/positions.hpp"
#include "odte/core/engine/risk.hpp"

namespace odte {

enum class ControlKind : std::uint8_t {
  kPause = 1,        // no opening orders until resume
  kResume,
  kFlatten,          // cancel working orders and close every position
  kKill,             // sticky kill switch (journaled): no opening orders, cancel working orders
  kUnkill,
  kSetRiskLimits,    // replace limits and exit rules with the ones carried
  kEnableStrategy,
  kDisableStrategy,
};
[[nodiscard]] std::string_view to_string(ControlKind) noexcept;

struct ControlCommand {
  std::uint64_t request_id;
  ControlKind kind;
  bool flatten;            // with kKill: also close every position
  std::uint16_t strategy;  // with k{En,Dis}ableStrategy
  RiskLimits limits;       // with kSetRiskLimits
  ExitRules exits;
  std::uint32_t peer_uid;  // who sent it: the admin socket peer's uid and pid (journaled with kFlatten)
  std::int32_t peer_pid;
};

struct ControlReply {
  std::uint64_t request_id;
  bool ok;
  char message[95];

  void set_message(std::string_view text) noexcept {
    const std::size_t n = text.size() < sizeof message - 1 ? text.size() : sizeof message - 1;
    std::memcpy(message, text.data(), n);
    message[n] = '\0';
  }
};

inline constexpr std::size_t kSnapshotStrategies = 16;
inline constexpr std::size_t kSnapshotPositions = 128;
inline constexpr std::size_t kSnapshotOrders = 128;

// Greeks of a position (or a sum of them) in dollars: delta = the underlying exposure (delta x
// contracts x multiplier x spot); gamma = the change of that delta for a 1% move of the
// underlying; theta = P&L per calendar day; vega = P&L per volatility point. From Black-Scholes
// at each option's implied volatility, solved from its mark (the chain's mid) with the
// underlying's reference price and the time left to today's close. Options expiring today and
// stock (delta only); other expiries count as 0 and set `partial`.
struct DollarGreeks {
  double delta;
  double gamma;
  double theta;
  double vega;
  bool partial;              // some option had no implied vol (no mark, no spot, price out of bounds)
  void add(const DollarGreeks& o) noexcept {
    delta += o.delta;
    gamma += o.gamma;
    theta += o.theta;
    vega += o.vega;
    partial = partial || o.partial;
  }
};

struct StrategySnapshot {
  char name[24];
  bool enabled;
  std::uint8_t state;        // strategy lifecycle state, see the strategy interface
  std::uint32_t intents;
  std::uint32_t rejected;
  PnlTotals pnl;
  DollarGreeks greeks;       // of its open positions
  // Worst loss of its open option positions held to expiry, dollars (>= 0), from the payoff at
  // every strike less what they cost (spread_risk); `max_loss_defined` false when unbounded
  // (net short calls, or stock held): then max_loss is at a 20% move.
  Price max_loss;
  bool max_loss_defined;
};

struct PositionSnapshot {
  char symbol[32];
  std::uint16_t strategy;
  InstrumentId instrument;
  std::int64_t quantity;
  Price mark;
  Price unrealized;
  Price realized;
  Price fees;
  double iv;                 // implied volatility of the mark; 0 when not solved (or not an option)
  DollarGreeks greeks;
};

struct OrderSnapshot {
  ClientOrderId id;
  std::uint16_t strategy;
  OrderState state;
  std::uint8_t leg_count;
  bool legged;
  std::uint32_t quantity;
  std::uint32_t filled;
  Price limit;
  TimestampNs created_ns;
};

// Kinds of bad input a feed's parser counts (feeds::ErrorKind; feed_threads.cpp checks the count).
inline constexpr std::size_t kFeedErrorKinds = 14;

// One stream as the operator sees it. The engine fills last_event_ns, stale and rejected_by_kind;
// the live feed threads (daemon::FeedThreads::fill_snapshot) the rest, zero in an in-process replay.
struct FeedSnapshot {
  std::uint64_t events;
  std::uint64_t ring_drops;
  std::uint64_t parse_errors;
  std::uint64_t errors_by_kind[kFeedErrorKinds];
  std::uint64_t rejected_by_kind[kBadTickKinds];  // events the core's MarketDataGuard rejected
  TimestampNs last_event_ns;
  std::uint32_t ring_depth;
  bool connected;
  bool stale;
};

enum class CoreState : std::uint8_t {
  kStarting = 1,      // replaying the journal
  kReconciling,       // asking the broker; trading halted
  kRunning,
  kHalted,            // reconciliation failed or a broken invariant: no new orders
  kStopping,
  kIdle,              // odted's daily service between trading days: no engine, nothing trades
};
[[nodiscard]] std::string_view to_string(CoreState) noexcept;

// odted's trading-day lifecycle in the live modes with a journal directory (daemon/lifecycle.hpp):
// where the day is and what comes next. kNone in a replay and a one-day run (`journal`).
enum class LifecycleState : std::uint8_t { kNone = 0, kIdle, kConnecting, kReconciling, kTrading, kClosing, kReporting };
[[nodiscard]] std::string_view to_string(LifecycleState) noexcept;
struct LifecycleSnapshot {
  LifecycleState state;
  std::int32_t trading_day;   // the day being run, or the next one while idle (yyyymmdd)
  LifecycleState next_state;  // what happens at next_ns
  TimestampNs next_ns;        // Unix ns; 0: none planned
};

// The live modes' journal thread and write-ahead gate (async_journal.hpp, command_gate.hpp);
// `attached` is false in replay, which journals on the core thread.
struct JournalSnapshot {
  bool attached;
  bool failed;
  std::uint32_t queued;              // records waiting in the journal ring
  std::uint32_t held_commands;       // journaled commands not yet durable or not yet taken by the broker
  std::uint64_t appended;            // last sequence handed to the journal thread
  std::uint64_t written;             // last sequence written
  std::uint64_t durable;             // last sequence made durable (fdatasync)
  std::uint64_t writes;              // write(2) batches
  std::uint64_t syncs;               // fdatasync calls
  std::uint64_t full_waits;          // appends that found the ring full and waited
  std::uint64_t commands_sent;       // handed to the broker once durable
  std::uint64_t back_pressure;       // pumps that left commands in the CommandRing (held or ring full)
  std::uint64_t broker_refused;      // submits the broker put off (the command was kept)
  std::uint64_t discarded;           // commands never sent because the journal failed
};

// A latency distribution with the fixed bucket bounds of a Prometheus histogram (odte_tick_to_order_seconds):
// cumulative counts are made at scrape time. record() is O(buckets) with no allocation.
struct LatencyBuckets {
  static constexpr std::size_t kBounds = 14;
  // Upper bounds in ns: 10 us .. 1 s (the last bucket, +Inf, is `count`).
  static constexpr std::uint64_t kBoundNs[kBounds] = {10'000,     25'000,     50'000,     100'000,     250'000,
                                                      500'000,    1'000'000,  2'500'000,  5'000'000,   10'000'000,
                                                      25'000'000, 100'000'000, 250'000'000, 1'000'000'000};
  std::uint64_t counts[kBounds];  // per bucket, not cumulative: values <= kBoundNs[i] and > the bound before
  std::uint64_t count;
  std::uint64_t sum_ns;
  void record(std::uint64_t ns) noexcept {
    for (std::size_t i = 0; i < kBounds; ++i) {
      if (ns <= kBoundNs[i]) {
        ++counts[i];
        break;
      }
    }
    ++count;
    sum_ns += ns;
  }
};

struct CoreSnapshot {
  std::uint64_t seq;              // increments with every publish
  TimestampNs published_ns;       // core clock (replay: market time)
  CoreState state;
  bool killed;
  bool paused;
  std::uint8_t mode;              // daemon::Mode
  Price equity;
  PnlTotals pnl;
  RiskLimits limits;
  ExitRules exits;
  std::uint64_t rejections[static_cast<std::size_t>(RiskReason::kCount)];
  std::uint64_t events_processed;
  std::uint64_t intents;
  std::uint64_t orders_sent;
  std::uint64_t fills;
  FeedSnapshot feeds[kStreamCount];
  JournalSnapshot journal;
  std::uint32_t strategy_count;
  StrategySnapshot strategies[kSnapshotStrategies];
  std::uint32_t position_count;
  PositionSnapshot positions[kSnapshotPositions];
  DollarGreeks greeks;            // all positions
  Price max_loss;                 // sum of the strategies' max loss at expiry
  bool max_loss_defined;
  std::uint32_t order_count;      // live orders first, then the most recent finished ones
  OrderSnapshot orders[kSnapshotOrders];
  // Market data frame received -> its order in the broker ring, where the run measures it (replay
  // over websocket); all zero where it does not.
  LatencyBuckets tick_to_order;
  LifecycleSnapshot lifecycle;
};
static_assert(std::is_trivially_copyable_v<CoreSnapshot>);

}  // namespace odte
