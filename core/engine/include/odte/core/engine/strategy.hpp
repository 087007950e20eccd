#pragma once

// The strategy interface. Strategies read market state, bars and indicators through the context
// and emit Intents (multi-leg spreads with a limit price and a reason), never broker messages.
// Every intent passes the risk engine; its fate comes back as on_order / on_fill / on_rejected.
//
// Dispatch: strategies are chosen by config, so they are virtual, but the core calls them only on
// cold paths -- once per completed minute bar, once per second of market time, and on their own
// orders' updates -- never per market event. Per-event work (NBBO, bars, volume) is done by the
// core's non-virtual market state before the strategy looks at it.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "odte/core/market/history.hpp"
#include "odte/core/market/instrument_registry.hpp"
#include "odte/core/engine/intent.hpp"
#include "odte/core/engine/journal_records.hpp"
#include "odte/core/market/market_state.hpp"
#include "odte/core/engine/order_manager.hpp"
#include "odte/core/engine/positions.hpp"
#include "odte/core/engine/risk.hpp"

namespace odte {

enum class StrategyState : std::uint8_t {
  kWaiting = 1,      // before its entry window
  kEntering,         // opening order working
  kInPosition,
  kExiting,          // closing order working
  kDone,             // nothing more today
  kDisabled,         // by the operator
  kMissingInput,     // a required series is absent: says so once, never trades on invented data
};
[[nodiscard]] std::string_view to_string(StrategyState) noexcept;

// What a strategy may see and do. Implemented by the core.
class StrategyContext {
 public:
  virtual ~StrategyContext() = default;
  [[nodiscard]] virtual TimestampNs now() const noexcept = 0;
  // Minutes after midnight in exchange time (America/New_York) for now().
  [[nodiscard]] virtual int local_minute() const noexcept = 0;
  [[nodiscard]] virtual const MarketState& market() const noexcept = 0;
  [[nodiscard]] virtual const InstrumentRegistry& registry() const noexcept = 0;
  [[nodiscard]] virtual const PositionBook& positions() const noexcept = 0;
  // The account as the risk engine sees it now (equity the per-trade cap is a fraction of, today's
  // P&L, open positions): strategies that size from equity (seeds 000 and 004) read it here.
  [[nodiscard]] virtual AccountState account() const noexcept = 0;
  // The risk limits in force (the per-trade cap, the undefined-risk stress): a strategy may size
  // under them instead of sending an order risk would refuse.
  [[nodiscard]] virtual const RiskLimits& risk_limits() const noexcept = 0;
  // Sends the intent through risk to the order manager. Returns the order id, or an invalid id
  // when risk refused it (the reason also arrives through on_rejected).
  virtual ClientOrderId submit(Intent& intent) noexcept = 0;
  virtual bool cancel(ClientOrderId id) noexcept = 0;
  // Closes what is still open of the spread opened by `open_order` with a marketable order
  // (strategies with their own exit times: seed 001 closes at 15:00, seed 000 at the volume peak).
  virtual bool close_position(ClientOrderId open_order, std::string_view reason) noexcept = 0;
  // Flattens `strategy`'s position in the stock `stock` (a delta hedge) with a marketable closing
  // order, after cancelling its working hedge orders in that stock. Returns the closing order's
  // id; invalid when there is nothing to close, a close is already working, the stock has no
  // two-sided quote, or risk refused it. Closing orders pass the kill switch.
  virtual ClientOrderId close_stock(std::uint16_t strategy, InstrumentId stock, std::string_view reason) noexcept {
    (void)strategy;
    (void)stock;
    (void)reason;
    return ClientOrderId{};
  }
  // The id of `symbol` ("SPY", "I:VIX"), interned if the feed has not shown it yet.
  virtual InstrumentId instrument(std::string_view symbol) noexcept = 0;
  // Today's trading day, yyyymmdd (0DTE contracts expire on it).
  [[nodiscard]] virtual std::int32_t trading_day() const noexcept = 0;
  // Asks the core to build 1-minute bars for `id` (delivered to every strategy's on_bar).
  virtual bool track_bars(InstrumentId id) noexcept = 0;
  // A line for the log and the report ("no VVIX 1-minute series in this recording").
  virtual void note(std::string_view text) = 0;
  // Journals a strategy's day record of an expiry's forward and variance swap rates (type
  // variance_swap, docs/journal-format.md), stamped with now(); the run report lists it. At most
  // one per strategy (record.strategy) per day: false, and nothing written, when that strategy's
  // record is already in the journal (written earlier in this run, or restored after a restart).
  virtual bool record_variance_swap(JournalVarianceSwap& record) noexcept {
    (void)record;
    return false;
  }
  // What was known before today's session (previous closes, the previous session's 1-minute bars),
  // fetched on the cold path before start and journaled; empty when the run has none.
  [[nodiscard]] virtual const SessionHistory& history() const noexcept {
    static const SessionHistory kNone{};
    return kNone;
  }
};

// What restart recovery (Engine::restore) tells a strategy about one of its orders.
struct RestoredOrder {
  bool opening;              // the order opened risk (a strategy's entry)
  bool exit_sent;            // opening orders: a closing order was sent for the spread it opened
  std::uint32_t open_units;  // opening orders: units filled and not yet closed
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;

  // What the strategy needs from before the session (StrategyContext::history()); asked once,
  // before start, by the daemon that fetches (live) or loads (replay) it.
  virtual void history_needs(HistoryRequest&) const {}
  virtual void on_start(StrategyContext&) {}
  virtual void on_bar(const MinuteBar&, StrategyContext&) {}
  virtual void on_timer(StrategyContext&) {}
  virtual void on_order(const Order&, StrategyContext&) {}
  virtual void on_fill(const Order&, const FillDelta&, StrategyContext&) {}
  virtual void on_rejected(const Intent&, RiskReason, StrategyContext&) {}
  // The engine's exit rules (profit target, stop, time) want this order's spread closed; the
  // engine sends the closing intent itself and tells the strategy which rule fired.
  virtual void on_exit(const Order&, ExitReason, StrategyContext&) {}
  // After a restart (non-deterministic modes), once per order of this strategy that the journal
  // holds, oldest first, before start(): the strategy adopts what it already owns so that it does
  // not enter again. Anything submitted from here is refused (restore sends nothing). The default
  // ends the day for a strategy that already opened something; its open spreads keep the engine's
  // exit rules.
  virtual void on_restore(const Order&, const RestoredOrder& info, StrategyContext&) {
    if (info.opening) set_state(StrategyState::kDone);
  }

  [[nodiscard]] StrategyState state() const noexcept { return state_; }
  void set_state(StrategyState s) noexcept { state_ = s; }

  // The strategy's own exit rules (profit target, stop, time), from its config (the factory sets
  // them; docs/strategies.md). The engine enforces them on every spread the strategy opens; the
  // time exit is resolved against the day's close by the engine at start (resolve_exit_time), so on
  // an early-close day it moves with the close. Until then exit_rules().exit_minute is the time as
  // on a regular day.
  void set_exits(const ExitRules& rules, ExitTime time) noexcept {
    exits_ = rules;
    exit_time_ = time;
    exits_.exit_minute = time.resolve(kRegularCloseMinute);
  }
  void resolve_exit_time(int close_minute) noexcept { exits_.exit_minute = exit_time_.resolve(close_minute); }
  [[nodiscard]] const ExitRules& exit_rules() const noexcept { return exits_; }
  [[nodiscard]] const ExitTime& exit_time() const noexcept { return exit_time_; }
  // Today's time exit, local minute of day; -1 = none (hold to settlement).
  [[nodiscard]] std::int16_t exit_minute() const noexcept { return exits_.exit_minute; }

  // True when it reads option volume (chain volume from option trades): the live feed then
  // subscribes option trades beside the quotes (config feed.option_trades = "auto").
  [[nodiscard]] virtual bool reads_option_volume() const noexcept { return false; }

  // The last minute (exchange local time) this strategy looks for an entry; -1 when it has none.
  [[nodiscard]] virtual std::int16_t entry_deadline_minute() const noexcept { return -1; }
  // Time in force of its entry orders: from this minute (exchange local time) the engine cancels
  // every working opening order of the strategy (Engine::on_timer, also after a restart). -1: they
  // rest until filled or the session ends (a day order). Default: the entry deadline; config
  // `entry_expires` (strategies/factory.cpp) sets it.
  [[nodiscard]] std::int16_t entry_expiry_minute() const noexcept {
    return expiry_given_ ? entry_expiry_ : entry_deadline_minute();
  }
  void set_entry_expiry_minute(std::int16_t minute) noexcept {
    entry_expiry_ = minute;
    expiry_given_ = true;
  }

 private:
  StrategyState state_ = StrategyState::kWaiting;
  ExitRules exits_{};
  ExitTime exit_time_{};
  std::int16_t entry_expiry_ = -1;
  bool expiry_given_ = false;
};

// What the strategies of a run need from before the session, together.
inline HistoryRequest history_needs(const std::vector<std::unique_ptr<Strategy>>& strategies) {
  HistoryRequest r;
  for (const auto& s : strategies) s->history_needs(r);
  return r;
}

}  // namespace odte
