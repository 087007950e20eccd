#pragma once

// The core engine: one object, one thread, the same code in live, paper-live and replay.
//
//   market events --> MarketState, MinuteBars --> strategies (on_bar, on_timer)
//   strategy Intent --> RiskEngine --> OrderManager --> OrderCommand ring (journal, then broker)
//   ExecutionReport --> OrderManager --> PositionBook, open spreads --> strategies (on_order, on_fill)
//   timer --> order timeouts, exit rules (profit target, stop, time), legging policy, marks
//   ControlCommand (admin) --> pause/resume/kill/flatten/limits --> ControlReply
//
// Time is passed in with every call (replay: the recording's clock), so a replay is
// deterministic. Nothing here allocates after construction on the event path, locks, or does
// I/O: commands leave through a ring, and journal records through a JournalSink whose
// implementation decides where they go (a ring to the journal thread live; the file in replay).

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "odte/core/engine/control.hpp"
#include "odte/core/journal/journal.hpp"
#include "odte/core/engine/journal_records.hpp"
#include "odte/core/market/market_guard.hpp"
#include "odte/core/market/market_state.hpp"
#include "odte/core/engine/order_manager.hpp"
#include "odte/core/engine/positions.hpp"
#include "odte/core/engine/risk.hpp"
#include "odte/core/base/spsc_ring.hpp"
#include "odte/core/engine/strategy.hpp"

namespace odte {

using CommandRing = SpscRing<OrderCommand, 1024>;

// Journal payloads the engine writes. No implicit padding (proved below), so identical inputs
// give identical journal bytes.
struct JournalIntent {
  Intent intent;
  Price max_loss_dollars;
  Price band_reference;
  RiskReason reason;
  std::uint8_t pad[7];
};
static_assert(std::has_unique_object_representations_v<JournalIntent>);

struct JournalLimits {
  double max_risk_fraction;
  double price_band_fraction;
  double undefined_risk_stress;
  double profit_target_fraction;
  double stop_credit_multiple;
  double debit_stop_fraction;
  Price daily_loss_limit;
  Price price_band_abs;
  std::uint32_t max_open_positions;
  std::uint32_t max_orders_per_second;
  MinuteWindow no_trade_windows[4];
  std::uint8_t no_trade_window_count;
  std::uint8_t allow_undefined_risk;
  std::int16_t exit_minute;
  std::uint32_t after_ticks;   // timer ticks the core had run since that event (JournalFlag::after_ticks)
  std::uint64_t after_events;  // market events the core had applied when the change took effect
};
static_assert(sizeof(JournalLimits) == 104, "the fields add up to 104 bytes: no padding");
[[nodiscard]] JournalLimits to_journal(const RiskLimits& l, const ExitRules& e) noexcept;
void from_journal(const JournalLimits& j, RiskLimits& l, ExitRules& e) noexcept;

// The operator command a journal record stands for (pause, resume, kill, unkill, limits,
// strategy toggles), so a re-run can apply it at the same point. False for other records.
// `after_events` receives the number of market events applied before the command took effect,
// `after_ticks` the timer ticks run since the last of them (a command between two events far
// apart comes after some of the ticks between them).
[[nodiscard]] bool control_from_journal(const JournalRecord& record, ControlCommand& out, std::uint64_t& after_events,
                                        std::uint32_t& after_ticks) noexcept;

class JournalSink {
 public:
  virtual ~JournalSink() = default;
  virtual void record(JournalRecordType type, std::span<const std::byte> payload) noexcept = 0;
};

struct EngineConfig {
  OrderManagerConfig orders;
  RiskLimits risk;
  // The engine-wide safety exit ([risk] profit_target_fraction, stop_credit_multiple,
  // debit_stop_fraction, exit_time), applied to every spread on top of its strategy's own exit
  // rules (Strategy::exit_rules). Off unless the config sets it.
  ExitRules exits;
  Price equity = Price::from_dollars(100'000);
  // Where `equity` came from and the config's number (the account record, type 18, says both).
  EquitySource equity_source = EquitySource::kConfig;
  Price config_equity = Price::from_dollars(100'000);
  LeggingPolicy legging = LeggingPolicy::kFlatten;
  int utc_offset_minutes = -240;                 // exchange local time = UTC + this (EDT: -240)
  std::int64_t timer_period_ns = 1'000'000'000;  // strategies' on_timer cadence (market time)
  std::int64_t stale_after_ns = 30'000'000'000;  // a stream silent this long in session is stale
  int session_open_minute = 9 * 60 + 30;
  int session_close_minute = 16 * 60;            // the day's close: 13:00 on early-close days; the
                                                 // strategies' time exits are resolved against it
  Price close_slack = Price::from_cents(10);     // closing orders pay this beyond the natural price
  std::size_t max_open_spreads = 256;
  // The sanity filter in front of MarketState (market_guard.hpp); the trading day above bounds
  // its outside_day rule.
  MarketGuardConfig market_guard;
  // Expiry settlement at the session close (the calendar's close, 13:00 on early-close days):
  // cash-settled roots (SPXW, PM) close at intrinsic against the underlying index's last value at
  // or before the close; physically settled ones (SPY) as `physical_expiry` says.
  PhysicalExpiry physical_expiry = PhysicalExpiry::kClose;
  int physical_close_lead_minutes = 10;
  // [risk] daily_loss_action = "flatten": when the day's net P&L reaches -daily_loss_limit the
  // engine turns the kill switch on and flattens everything, once (journaled as a kill switch
  // record marked kFlagByEngine). "halt" (false): opening orders are refused, positions stay.
  bool flatten_on_daily_loss = false;
  // Per strategy index, whether it starts enabled (config `[[strategy]] enabled`); missing = true.
  // A disabled strategy gets no bars or timers and its openings are refused until enabled.
  std::vector<bool> strategy_enabled;
};

struct EngineStats {
  std::uint64_t events = 0;
  std::uint64_t intents = 0;
  std::uint64_t rejected = 0;
  std::uint64_t orders_sent = 0;
  std::uint64_t reports = 0;
  std::uint64_t report_anomalies = 0;  // unknown ids, invalid transitions, late fills, overfills
  std::uint64_t fills = 0;
  std::uint64_t legged = 0;
  std::uint64_t exits = 0;
  std::uint64_t ring_full = 0;         // commands refused because the command ring was full
  std::uint64_t book_errors = 0;
};

// What Engine::restore found in the journal.
struct RestoreResult {
  bool ok = false;                  // false: the journal cannot be trusted; `error` says why; do not trade
  std::string error;
  std::uint64_t records = 0;        // records read
  std::uint32_t orders = 0;         // orders restored
  std::uint32_t live_orders = 0;    // orders the journal leaves working: reconciliation asks the broker
  std::uint64_t fills = 0;          // fills re-applied to the order manager
  std::uint64_t book_fills = 0;     // legs booked into the position book from book_fill records
  std::uint32_t tail_booked = 0;    // legs booked (and journaled) from an exec report whose book_fill
                                    // records the crash cut off
  std::uint64_t torn_tail_bytes = 0;
  std::uint32_t operator_flattens = 0;  // flatten records (the operator's flatten over the admin socket)
  std::uint32_t variance_swaps = 0;     // variance_swap records (seed 004's day record); not written again
};

class Engine final : private StrategyContext {
 public:
  Engine(const EngineConfig& config, InstrumentRegistry& registry, std::vector<std::unique_ptr<Strategy>> strategies,
         CommandRing& commands, JournalSink* journal);
  ~Engine() override;

  void start(TimestampNs now);
  // The history strategies see through StrategyContext::history(); call before start(). start()
  // journals it (history records, one line each) unless restore() found it in the journal, in
  // which case the journaled one is kept: a restart uses exactly what the first start fetched.
  // Each of `problems` (what the sources lacked) becomes a note, then one line says what it holds.
  void set_history(SessionHistory history, const std::vector<std::string>& problems = {});
  // restore() found the history in the journal (a live restart need not fetch it again).
  [[nodiscard]] bool history_restored() const noexcept { return history_restored_; }
  // The day's equity (the account record: journaled by start(), or read back by restore()).
  [[nodiscard]] Price equity() const noexcept { return config_.equity; }
  [[nodiscard]] EquitySource equity_source() const noexcept { return config_.equity_source; }
  // Applies one market event, after the MarketDataGuard: false when the guard rejected it (then
  // nothing changed but the guard's counters: not the clock, not the stream's freshness, so a run
  // loop must not advance its own clock to the event's time either).
  bool on_market_event(const MarketEvent& e, TimestampNs now) noexcept;
  // on_market_event in two halves, for a run loop that runs what is due before the event's time
  // (run_due_before, daemon/replay.hpp) only once it knows the event's time can be trusted:
  // admit_market_event judges it (a rejected event is counted and done: false), and
  // apply_market_event applies an admitted one. Nothing but the guard's own state changes between.
  [[nodiscard]] bool admit_market_event(const MarketEvent& e) noexcept;
  void apply_market_event(const MarketEvent& e, TimestampNs now) noexcept;
  // The same for a run loop whose clock is made from the events themselves (the live modes'
  // FeedClock): the guard judges the event first, and only an admitted one is handed to
  // `clock(e)` for the time to apply it at -- so a rejected event cannot move that clock either.
  template <typename EventClock>
  bool on_market_event_clocked(const MarketEvent& e, EventClock&& clock) noexcept {
    if (!admit_market_event(e)) return false;
    apply_market_event(e, clock(e));
    return true;
  }
  void on_exec_report(const ExecutionReport& r, TimestampNs now) noexcept;
  // Runs whatever is due by `now`; cheap to call after every event.
  void on_timer(TimestampNs now) noexcept;
  // When on_timer next has work: the next tick of the timer period (strategies' on_timer, bar
  // closes, exit rules, order timeouts, marks). A run loop whose clock jumps (a replay between
  // events far apart) calls on_timer at each such time on the way (run_due_before).
  [[nodiscard]] TimestampNs next_timer_ns() const noexcept { return next_timer_; }
  // Timer ticks run since the last market event (journaled with operator commands).
  [[nodiscard]] std::uint32_t ticks_since_event() const noexcept { return ticks_since_event_; }
  [[nodiscard]] ControlReply on_control(const ControlCommand& c, TimestampNs now) noexcept;
  // Expiry: settles every position in options expiring today against its underlying's value at
  // the session close (cash: at intrinsic; physical: exercise/assignment into shares at the
  // strike), journals a settlement record per underlying and the settlement's book_fill records,
  // and ends the spreads it closed. Runs by itself at the first event or timer at or after the
  // close (before that event is applied) while the engine is running, in two steps: first every
  // working order is cancelled (the day's orders end at the close; orders in today's contracts
  // can no longer trade, and no new one is sent), then -- once no order in today's contracts is
  // working any more (each cancel answered), or settle_wait_ns() after the close without an answer
  // (noted) -- the settlement is booked, once. Called again while it waits, it books as soon as
  // it can. A restarted engine whose journal holds the settlement does not settle again. Returns
  // the positions settled (0 while waiting).
  std::uint32_t settle_expiry() noexcept;
  [[nodiscard]] bool settled() const noexcept { return settled_; }
  // The close has come and the settlement waits for the answers to its cancels.
  [[nodiscard]] bool settlement_pending() const noexcept { return settling_ && !settled_; }
  [[nodiscard]] TimestampNs settlement_ns() const noexcept { return settle_ns_; }
  // How long the settlement waits for the broker to answer the cancels it sent at the close: the
  // order manager's cancel timeout, then its status request's answer (2 x cancel_timeout_ns).
  [[nodiscard]] std::int64_t settle_wait_ns() const noexcept { return 2 * config_.orders.cancel_timeout_ns; }
  // The engine's clock: the latest time of anything it applied (events, timer ticks, reports).
  // The session end is stamped with it, so it is never earlier than a record before it.
  [[nodiscard]] TimestampNs clock_ns() const noexcept { return now_; }

  // ---- restart recovery: live, paper-live and any real broker (replay re-runs instead) ----
  //
  // Call order after a restart: construct -> restore(scan, now) -> start(now) ->
  // begin_reconciliation(now, timeout) -> the run loop as usual (the status request leaves through
  // the command ring; its answer comes back through on_exec_report; on_timer enforces the timeout).
  // A first start of the day (no journal: scan.status == kMissing) restores nothing and still
  // reconciles, so orders a previous process left at the broker are found.
  //
  // restore() rebuilds, from today's journal (JournalReader::read): every order with its exact id
  // and state, its fills, and the day's id sequence (new ids never collide); open spreads (opening
  // order, closing order sent, closed units); the position book from the book_fill records (the
  // exact prices, fees and split the engine booked, in the same order -- exec reports alone would
  // need the mids a combo fill was split at); realized P&L and fees; the kill switch, pause, limits
  // in force and strategy enabled flags; intent, refusal and order counters. Strategies are told
  // what they own through Strategy::on_restore, refusals through on_rejected. It sends nothing
  // (anything submitted meanwhile is refused) and writes no record except book_fill records for
  // legs of an exec report whose book_fill records the crash cut off. Unrealized P&L starts at zero
  // and is re-marked at the next timer tick from live quotes. Must be called once, on a freshly
  // constructed engine, whose JournalSink appends to the same journal file, already opened
  // (JournalWriter::open truncates a torn tail, so the records restore and the run add follow the
  // last whole record). Leaves state() == kStarting (or kHalted when !ok): no opening orders.
  RestoreResult restore(const JournalScan& scan, TimestampNs now);

  // Sends a status request (kStatusRequest with a fresh id, see the contract in orders.hpp) and
  // enters kReconciling: opening orders are refused (kNotReconciled), strategies' timers and the
  // exit rules wait; operator commands and closing orders work. When the answer's kStatusEnd
  // arrives the engine decides: fills the broker has and the journal lacks are applied as
  // ordinary fills (journaled, booked, told to strategies); orders the journal leaves working that
  // the broker does not know, or reports finished, are closed as cancelled with a note; orders the
  // broker reports that the journal does not have (orphans), fewer broker fills than journaled,
  // or a broker working an order the journal finished halt the engine (kHalted) for the operator.
  // No complete answer within `timeout_ns` (on the clock passed to on_timer: the wall clock live,
  // so the run loop must tick on_timer while waiting) = kHalted, fills received so far
  // applied, nothing closed. The outcome is journaled (reconciliation record), noted, and
  // visible in state() and the snapshot. Success = kRunning. May be called again from kHalted.
  // False (and kHalted) when the request could not be sent (ring full, ids used up).
  // timeout_ns <= 0: no deadline on that clock; the run loop keeps its own and calls
  // reconciliation_timed_out (the live modes do, on the monotonic clock: the broker answers in
  // wall time, while the feed clock of a paper-live run against a fast replay runs ahead of it).
  bool begin_reconciliation(TimestampNs now, std::int64_t timeout_ns) noexcept;
  // The run loop's own deadline passed: the same outcome as the timeout above. No-op unless
  // reconciling.
  void reconciliation_timed_out(TimestampNs now) noexcept;
  [[nodiscard]] CoreState state() const noexcept { return state_; }
  [[nodiscard]] const JournalReconciliation& reconciliation() const noexcept { return recon_; }

  // Everything restore() rebuilds, as text (orders with leg fills and notionals, spreads,
  // positions, P&L, risk flags, strategies, counters): two engines that print the same are the same
  // to recovery. Cold path (allocates).
  [[nodiscard]] std::string describe() const;

  void fill_snapshot(CoreSnapshot& s, TimestampNs now) const noexcept;
  // Shutdown: cancel every working order (opening and closing).
  void cancel_all_working(TimestampNs now) noexcept;

  [[nodiscard]] const EngineStats& stats() const noexcept { return stats_; }
  [[nodiscard]] const MarketState& market_state() const noexcept { return market_; }
  [[nodiscard]] const MarketDataGuard& market_guard() const noexcept { return guard_; }
  // The run loop drains the guard's log samples from here (MarketDataGuard::drain_samples).
  [[nodiscard]] MarketDataGuard& market_guard() noexcept { return guard_; }
  [[nodiscard]] const PositionBook& book() const noexcept { return book_; }
  [[nodiscard]] const OrderManager& orders() const noexcept { return om_; }
  [[nodiscard]] const RiskEngine& risk() const noexcept { return risk_; }
  [[nodiscard]] const InstrumentRegistry& instruments() const noexcept { return registry_; }
  [[nodiscard]] std::size_t open_spreads() const noexcept;
  // Every note so far, oldest first. Cold path (it may allocate): note() only copies the text into
  // a buffer sized at construction, and the strings are made here. Core thread.
  [[nodiscard]] const std::vector<std::string>& notes() const;
  [[nodiscard]] std::size_t note_count() const noexcept { return notes_.size() + note_ends_.size(); }
  // note() copies into these without allocating while both have room; past that (more than
  // kNoteBufferNotes notes, or kNoteBufferBytes of text, since notes() was last read) it makes the
  // string at once.
  static constexpr std::size_t kNoteBufferNotes = 512;
  static constexpr std::size_t kNoteBufferBytes = 64 * 1024;
  [[nodiscard]] Strategy& strategy(std::size_t i) noexcept { return *strategies_[i]; }
  [[nodiscard]] std::size_t strategy_count() const noexcept { return strategies_.size(); }

 private:
  struct OrderMeta {
    IntentAction action;
    std::uint32_t spread;       // index into spreads_ for closing orders, else kNoSpread
    char reason[32];
  };
  struct OpenSpread {
    ClientOrderId open_order;   // the order that opened it
    std::uint16_t strategy;
    std::uint32_t closed_units;  // units closed by filled closing orders
    ClientOrderId closing;      // working closing order, or invalid
    bool exit_sent;
  };
  static constexpr std::uint32_t kNoSpread = 0xFFFF'FFFFu;

  // StrategyContext
  [[nodiscard]] TimestampNs now() const noexcept override { return now_; }
  [[nodiscard]] int local_minute() const noexcept override;
  [[nodiscard]] const MarketState& market() const noexcept override { return market_; }
  [[nodiscard]] const InstrumentRegistry& registry() const noexcept override { return registry_; }
  [[nodiscard]] const PositionBook& positions() const noexcept override { return book_; }
  ClientOrderId submit(Intent& intent) noexcept override;
  bool cancel(ClientOrderId id) noexcept override;
  bool close_position(ClientOrderId open_order, std::string_view reason) noexcept override;
  ClientOrderId close_stock(std::uint16_t strategy, InstrumentId stock, std::string_view reason) noexcept override;
  bool track_bars(InstrumentId id) noexcept override { return bars_.track(id) >= 0; }
  InstrumentId instrument(std::string_view symbol) noexcept override;
  [[nodiscard]] std::int32_t trading_day() const noexcept override { return config_.orders.trading_day; }
  void note(std::string_view text) override;
  bool record_variance_swap(JournalVarianceSwap& record) noexcept override;
  [[nodiscard]] const SessionHistory& history() const noexcept override { return history_; }

  ClientOrderId submit_for(Intent& intent, std::uint32_t spread) noexcept;
  // True when the intent sells shares the account is not long (net of working sells): the order
  // goes out as a short sale (OrderCommand::short_sale).
  [[nodiscard]] bool is_short_sale(const Intent& intent) const noexcept;
  [[nodiscard]] AccountState account() const noexcept override;
  [[nodiscard]] const RiskLimits& risk_limits() const noexcept override { return risk_.limits(); }
  [[nodiscard]] bool data_stale() const noexcept;
  [[nodiscard]] std::uint32_t slot_of(const Order& o) const noexcept;
  void on_fill(Order& o, const FillDelta& fill, Price commission) noexcept;
  void book_delta(const Order& o, const FillDelta& fill, Price commission, int first_leg) noexcept;
  void track_spread_fill(const Order& o) noexcept;
  void track_spread_end(const Order& o) noexcept;
  void journal_instrument(InstrumentId id) noexcept;
  void on_status_report(const ExecutionReport& r) noexcept;
  void apply_status_fills(Order& o, const ExecutionReport& s) noexcept;
  void reconcile_problem(ClientOrderId id, const std::string& text);
  void synthesize(const Order& o, ExecKind kind, const char* text) noexcept;
  void finish_reconciliation(bool answered, std::uint32_t expected) noexcept;
  void book_leg(const Order& o, std::uint8_t leg_index, std::uint32_t qty, Price price, Price fee, bool opening) noexcept;
  void journal_mark() noexcept;
  void journal_account(TimestampNs now) noexcept;
  void check_daily_loss() noexcept;
  void handle_legging(Order& o) noexcept;
  void check_exits() noexcept;
  // Cancels working opening orders whose strategy's entry time in force has ended
  // (Strategy::entry_expiry_minute); the cancel carries CancelReason::kTimeInForce and is noted.
  void expire_entries() noexcept;
  // With PhysicalExpiry::kClose: from the lead time before the close, closes every open spread
  // with a leg in a physically settled option expiring today. Short legs are always bought back;
  // a long leg with no bid is left out (nobody would buy it) and settles at the close at its
  // intrinsic value: 0 out of the money, exercised into shares in the money (noted either way).
  // A closing order already working that sells such a leg cannot fill: it is cancelled and
  // replaced by this close.
  void close_physical_before_expiry() noexcept;
  // The legs of `o` (bits) that the physical close leaves to expire: long legs expiring today
  // with no bid.
  [[nodiscard]] std::uint32_t unbid_expiring_longs(const Order& o, bool opening_order) const noexcept;
  // Notes each leg of `legs` (bits of the opening order) left to expire by the physical close.
  void note_left_to_expire(const Order& open_order, std::uint32_t legs, const char* rest);
  [[nodiscard]] bool expires_today(InstrumentId id) const noexcept;
  // Spreads whose legs all expired today are closed by the settlement: no exit rule acts on them.
  void end_settled_spreads() noexcept;
  void book_settlement(const Position& p, InstrumentId instrument, Side side, std::uint64_t qty, Price price,
                       FillSettlement kind) noexcept;
  [[nodiscard]] bool combo_mark(const Order& o, Price& mark) const noexcept;
  [[nodiscard]] Price entry_per_unit(const Order& o) const noexcept;
  // `leave`: a bit per leg of the opening order to leave out of the close (physical close before
  // expiry: a long leg nobody bids); 0 closes every leg.
  ClientOrderId send_closing(const Order& open_order, std::uint32_t units, std::uint32_t spread, std::string_view reason,
                             std::uint32_t leave = 0) noexcept;
  struct FlattenCount {
    std::uint32_t cancelled = 0;         // working opening orders and hedges asked to cancel
    std::uint32_t closing_sent = 0;      // closing orders sent
    std::uint32_t already_closing = 0;   // positions whose closing order is already working
    std::uint32_t not_sent = 0;          // open positions no closing order could be sent for
  };
  FlattenCount flatten_all(std::string_view reason) noexcept;
  // Returns the number of cancels sent.
  std::uint32_t cancel_working(bool opening_only) noexcept;
  bool push(const OrderCommand& c) noexcept;
  void journal(JournalRecordType type, const void* data, std::size_t size) noexcept;

  EngineConfig config_;
  InstrumentRegistry& registry_;
  std::vector<std::unique_ptr<Strategy>> strategies_;
  std::vector<bool> enabled_;
  std::vector<std::uint32_t> strategy_intents_;
  std::vector<std::uint32_t> strategy_rejected_;
  CommandRing& commands_;
  JournalSink* journal_;
  MarketDataGuard guard_;
  MarketState market_;
  MinuteBars bars_;
  RiskEngine risk_;
  OrderManager om_;
  PositionBook book_;
  std::vector<OrderMeta> meta_;       // by order slot
  std::vector<OpenSpread> spreads_;   // reserved at construction
  mutable std::vector<std::string> notes_;
  mutable std::vector<char> note_text_;          // texts not yet made strings, back to back
  mutable std::vector<std::uint32_t> note_ends_; // where each ends in note_text_
  SessionHistory history_;
  bool history_set_ = false;        // set_history was called: start() journals it
  bool history_restored_ = false;   // restore() read it from the journal
  bool account_restored_ = false;
  bool daily_loss_flattened_ = false;  // the daily loss rule flattened (once per engine)   // restore() read the account record (the day's equity)
  std::array<TimestampNs, kStreamCount> last_stream_ns_{};
  TimestampNs now_ = 0;
  TimestampNs next_timer_ = 0;
  TimestampNs settle_ns_ = 0;   // the session close of the trading day; 0 when unknown
  int settle_minute_ = 16 * 60; // its exchange-local minute
  bool settled_ = false;
  bool settling_ = false;           // the close came: cancels sent, the settlement waits for their answers
  std::uint32_t ticks_since_event_ = 0;
  EngineStats stats_;
  CoreState state_ = CoreState::kRunning;  // replay starts running; restore/reconcile gate the rest
  bool restoring_ = false;
  std::vector<std::uint8_t> instrument_journaled_;  // by instrument id: an instrument record was written
  std::vector<std::uint8_t> variance_swap_journaled_;  // by strategy: its variance_swap record is in the journal
  ClientOrderId recon_request_;
  TimestampNs recon_deadline_ = 0;
  bool recon_overflow_ = false;
  std::vector<ExecutionReport> recon_reports_;      // reserved at construction
  JournalReconciliation recon_{};
};

}  // namespace odte
