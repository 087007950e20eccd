#include "odte/core/engine/engine.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "odte/core/journal/async_journal.hpp"  // kJournalSlotPayload
#include "odte/core/engine/journal_records.hpp"
#include "odte/core/engine/tick_table.hpp"
#include "odte/core/options/black_scholes.hpp"
#include "odte/core/options/calendar.hpp"
#include "odte/core/options/symbology.hpp"

namespace odte {

// Every record the engine and the run loops journal fits one AsyncJournal ring slot (checked here,
// on the engine side: the journal knows nothing of the records it carries).
static_assert(sizeof(JournalIntent) <= kJournalSlotPayload);
static_assert(sizeof(JournalLimits) <= kJournalSlotPayload);
static_assert(sizeof(OrderCommand) <= kJournalSlotPayload);
static_assert(sizeof(ExecutionReport) <= kJournalSlotPayload);
static_assert(sizeof(JournalFill) <= kJournalSlotPayload);
static_assert(sizeof(JournalMark) <= kJournalSlotPayload);
static_assert(sizeof(JournalInstrument) <= kJournalSlotPayload);
static_assert(sizeof(JournalReconciliation) <= kJournalSlotPayload);
static_assert(sizeof(JournalFlag) <= kJournalSlotPayload);
static_assert(sizeof(JournalSessionMarker) <= kJournalSlotPayload);
static_assert(sizeof(JournalSettlement) <= kJournalSlotPayload);
static_assert(sizeof(JournalAccount) <= kJournalSlotPayload);
static_assert(sizeof(JournalVarianceSwap) <= kJournalSlotPayload);

std::string_view to_string(StrategyState s) noexcept {
  switch (s) {
    case StrategyState::kWaiting: return "waiting";
    case StrategyState::kEntering: return "entering";
    case StrategyState::kInPosition: return "in_position";
    case StrategyState::kExiting: return "exiting";
    case StrategyState::kDone: return "done";
    case StrategyState::kDisabled: return "disabled";
    case StrategyState::kMissingInput: return "missing_input";
  }
  return "unknown";
}

JournalLimits to_journal(const RiskLimits& l, const ExitRules& e) noexcept {
  JournalLimits j;
  std::memset(static_cast<void*>(&j), 0, sizeof j);
  j.max_risk_fraction = l.max_risk_fraction;
  j.price_band_fraction = l.price_band_fraction;
  j.undefined_risk_stress = l.undefined_risk_stress;
  j.profit_target_fraction = e.profit_target_fraction;
  j.stop_credit_multiple = e.stop_credit_multiple;
  j.debit_stop_fraction = e.debit_stop_fraction;
  j.daily_loss_limit = l.daily_loss_limit;
  j.price_band_abs = l.price_band_abs;
  j.max_open_positions = l.max_open_positions;
  j.max_orders_per_second = l.max_orders_per_second;
  for (std::size_t i = 0; i < 4; ++i) j.no_trade_windows[i] = l.no_trade_windows[i];
  j.no_trade_window_count = l.no_trade_window_count;
  j.allow_undefined_risk = l.allow_undefined_risk ? 1 : 0;
  j.exit_minute = e.exit_minute;
  return j;
}

void from_journal(const JournalLimits& j, RiskLimits& l, ExitRules& e) noexcept {
  l.max_risk_fraction = j.max_risk_fraction;
  l.price_band_fraction = j.price_band_fraction;
  l.undefined_risk_stress = j.undefined_risk_stress;
  e.profit_target_fraction = j.profit_target_fraction;
  e.stop_credit_multiple = j.stop_credit_multiple;
  e.debit_stop_fraction = j.debit_stop_fraction;
  l.daily_loss_limit = j.daily_loss_limit;
  l.price_band_abs = j.price_band_abs;
  l.max_open_positions = j.max_open_positions;
  l.max_orders_per_second = j.max_orders_per_second;
  for (std::size_t i = 0; i < 4; ++i) l.no_trade_windows[i] = j.no_trade_windows[i];
  l.no_trade_window_count = j.no_trade_window_count;
  l.allow_undefined_risk = j.allow_undefined_risk != 0;
  e.exit_minute = j.exit_minute;
}

bool control_from_journal(const JournalRecord& record, ControlCommand& out, std::uint64_t& after_events,
                          std::uint32_t& after_ticks) noexcept {
  std::memset(static_cast<void*>(&out), 0, sizeof out);
  JournalFlag flag{};
  switch (record.type) {
    case JournalRecordType::kPause:
      if (!record.read_pod(flag)) return false;
      out.kind = flag.on != 0 ? ControlKind::kPause : ControlKind::kResume;
      after_events = flag.after_events;
      after_ticks = flag.after_ticks;
      return true;
    case JournalRecordType::kKillSwitch:
      if (!record.read_pod(flag) || flag.strategy == kFlagByEngine) return false;
      out.kind = flag.on != 0 ? ControlKind::kKill : ControlKind::kUnkill;
      out.flatten = flag.flatten != 0;
      after_events = flag.after_events;
      after_ticks = flag.after_ticks;
      return true;
    case JournalRecordType::kStrategyEnabled:
      if (!record.read_pod(flag)) return false;
      out.kind = flag.on != 0 ? ControlKind::kEnableStrategy : ControlKind::kDisableStrategy;
      out.strategy = flag.strategy;
      after_events = flag.after_events;
      after_ticks = flag.after_ticks;
      return true;
    case JournalRecordType::kFlatten: {
      JournalFlatten f{};
      if (!record.read_pod(f)) return false;
      out.kind = ControlKind::kFlatten;
      out.peer_uid = f.peer_uid;
      out.peer_pid = f.peer_pid;
      after_events = f.after_events;
      after_ticks = f.after_ticks;
      return true;
    }
    case JournalRecordType::kRiskLimits: {
      JournalLimits j{};
      if (!record.read_pod(j)) return false;
      out.kind = ControlKind::kSetRiskLimits;
      from_journal(j, out.limits, out.exits);
      after_events = j.after_events;
      after_ticks = j.after_ticks;
      return true;
    }
    default:
      return false;
  }
}

namespace {
std::int64_t leg_sign(Side s) noexcept { return s == Side::kBuy ? 1 : -1; }

std::string_view root_of(const OptionFields& o) noexcept { return {o.root, ::strnlen(o.root, sizeof o.root)}; }

constexpr std::int64_t kNsPerDay = 86'400'000'000'000LL;

// Local midnight starting the trading day, in Unix ns; 0 when the day is not set.
TimestampNs day_start_ns(const EngineConfig& c) noexcept {
  const std::int32_t d = c.orders.trading_day;
  if (d <= 0) return 0;
  using namespace std::chrono;
  const year_month_day ymd{year{d / 10000}, month{static_cast<unsigned>(d / 100 % 100)}, day{static_cast<unsigned>(d % 100)}};
  if (!ymd.ok()) return 0;
  const std::int64_t utc_midnight = sys_days{ymd}.time_since_epoch().count() * kNsPerDay;
  return utc_midnight - static_cast<std::int64_t>(c.utc_offset_minutes) * kNsPerMinute;
}
}  // namespace

Engine::Engine(const EngineConfig& config, InstrumentRegistry& registry,
               std::vector<std::unique_ptr<Strategy>> strategies, CommandRing& commands, JournalSink* journal)
    : config_{config},
      registry_{registry},
      strategies_{std::move(strategies)},
      enabled_(strategies_.size(), true),
      strategy_intents_(strategies_.size(), 0),
      strategy_rejected_(strategies_.size(), 0),
      commands_{commands},
      journal_{journal},
      guard_{config.market_guard, registry, registry.capacity(), day_start_ns(config), day_start_ns(config) == 0 ? 0 : day_start_ns(config) + kNsPerDay},
      market_{registry.capacity()},
      risk_{config.risk, registry},
      om_{config.orders, &registry},
      book_{registry},
      meta_(config.orders.max_orders),
      instrument_journaled_(registry.capacity(), 0),
      variance_swap_journaled_(strategies_.size(), 0) {
  spreads_.reserve(config.max_open_spreads);
  note_text_.reserve(kNoteBufferBytes);
  note_ends_.reserve(kNoteBufferNotes);
  recon_reports_.reserve(static_cast<std::size_t>(config.orders.max_orders) * kMaxLegs);
  for (std::size_t i = 0; i < enabled_.size() && i < config.strategy_enabled.size(); ++i) {
    enabled_[i] = config.strategy_enabled[i];
  }
  // The calendar's close (13:00 on early-close days); a day it does not know closes at the
  // configured session close.
  if (config.orders.trading_day > 0) {
    const options::SessionDay day = options::session(config.orders.trading_day);
    if (day.close_ns != 0) {
      settle_ns_ = day.close_ns;
    } else if (day_start_ns(config) != 0) {
      settle_ns_ = day_start_ns(config) + static_cast<std::int64_t>(config.session_close_minute) * kNsPerMinute;
    }
  }
  if (settle_ns_ != 0) {
    const std::int64_t m = minute_of(settle_ns_) + config_.utc_offset_minutes;
    settle_minute_ = static_cast<int>(((m % 1440) + 1440) % 1440);
  }
}

Engine::~Engine() = default;

int Engine::local_minute() const noexcept {
  const std::int64_t m = minute_of(now_) + config_.utc_offset_minutes;
  return static_cast<int>(((m % 1440) + 1440) % 1440);
}

void Engine::note(std::string_view text) {
  // Notes come from decisions on the hot path (a strategy's entry, a refusal): copied, not
  // allocated, while the buffer has room; notes() makes the strings on the cold path.
  if (note_ends_.size() < note_ends_.capacity() && text.size() <= note_text_.capacity() - note_text_.size()) {
    note_text_.insert(note_text_.end(), text.begin(), text.end());
    note_ends_.push_back(static_cast<std::uint32_t>(note_text_.size()));
    return;
  }
  (void)notes();
  notes_.emplace_back(text);
}

const std::vector<std::string>& Engine::notes() const {
  std::uint32_t begin = 0;
  for (const std::uint32_t end : note_ends_) {
    notes_.emplace_back(note_text_.data() + begin, end - begin);
    begin = end;
  }
  note_text_.clear();
  note_ends_.clear();
  return notes_;
}

bool Engine::record_variance_swap(JournalVarianceSwap& record) noexcept {
  if (restoring_ || record.strategy >= variance_swap_journaled_.size() ||
      variance_swap_journaled_[record.strategy] != 0) {
    return false;
  }
  variance_swap_journaled_[record.strategy] = 1;
  record.at_ns = now_;
  std::memset(record.pad, 0, sizeof record.pad);
  journal(JournalRecordType::kVarianceSwap, &record, sizeof record);
  return true;
}

void Engine::journal(JournalRecordType type, const void* data, std::size_t size) noexcept {
  if (journal_ != nullptr) journal_->record(type, std::span<const std::byte>(static_cast<const std::byte*>(data), size));
}

void Engine::set_history(SessionHistory history, const std::vector<std::string>& problems) {
  if (history_restored_) {
    note("history: kept the one journaled by the first start of the day");
    return;
  }
  for (const std::string& p : problems) note(p);
  history_ = std::move(history);
  history_set_ = true;
  std::string line = "history before " + std::to_string(history_.trading_day) + ":";
  if (history_.empty()) line += " nothing";
  for (const SeriesHistory& s : history_.all()) {
    line += " " + s.symbol + " (" + s.source + ": " + std::to_string(s.daily.size()) + " daily";
    if (!s.daily.empty()) line += " to " + std::to_string(s.daily.back().day);
    line += ", " + std::to_string(s.minutes.size()) + " minutes)";
  }
  note(line);
}

void Engine::start(TimestampNs now) {
  now_ = now;
  next_timer_ = now;
  risk_.set_limits(config_.risk);
  if (!account_restored_) journal_account(now);
  // Each strategy's time exit for today: on an early-close day it moves with the close.
  for (std::size_t i = 0; i < strategies_.size(); ++i) strategies_[i]->resolve_exit_time(config_.session_close_minute);
  if (history_set_ && !history_restored_) {
    const std::string text = history_.to_text();
    std::string_view rest = text;
    while (!rest.empty()) {
      const std::size_t nl = rest.find('\n');
      const std::string_view line = rest.substr(0, nl);
      journal(JournalRecordType::kHistory, line.data(), line.size());
      rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    }
  }
  for (std::size_t i = 0; i < strategies_.size(); ++i) strategies_[i]->on_start(*this);
}

void Engine::journal_account(TimestampNs now) noexcept {
  JournalAccount a{};
  a.at_ns = now;
  a.equity = config_.equity;
  a.config_equity = config_.config_equity;
  a.source = static_cast<std::uint8_t>(config_.equity_source);
  a.strategy_count = static_cast<std::uint8_t>(strategies_.size() < 255 ? strategies_.size() : 255);
  std::size_t used = 0;
  for (std::size_t i = 0; i < a.strategy_count; ++i) {
    const std::string_view name = strategies_[i]->name();
    if (used + name.size() + 1 > sizeof a.names) break;  // the rest print as "strategy N"
    std::memcpy(a.names + used, name.data(), name.size());
    used += name.size() + 1;                               // and its NUL (zeroed above)
    ++a.strategies_named;
  }
  journal(JournalRecordType::kAccount, &a, sizeof a);
}

void Engine::check_daily_loss() noexcept {
  if (!config_.flatten_on_daily_loss || daily_loss_flattened_ || risk_.kill_switch()) return;
  const Price limit = risk_.limits().daily_loss_limit;
  const Price net = book_.totals().net();
  if (limit <= Price::zero() || net > -limit) return;
  daily_loss_flattened_ = true;
  risk_.set_kill_switch(true);
  const JournalFlag flag{1, 1, kFlagByEngine, ticks_since_event_, now_, stats_.events};
  journal(JournalRecordType::kKillSwitch, &flag, sizeof flag);
  const FlattenCount n = flatten_all("risk:daily_loss");
  char text[200];
  std::snprintf(text, sizeof text,
                "daily loss limit: day P&L %s at or below -%s (risk.daily_loss_action = \"flatten\"): kill switch on; "
                "%u working cancelled, %u closing sent, %u NOT sent",
                net.to_string().c_str(), limit.to_string().c_str(), n.cancelled, n.closing_sent, n.not_sent);
  note(text);
}

bool Engine::data_stale() const noexcept {
  const int m = local_minute();
  if (m < config_.session_open_minute || m >= config_.session_close_minute) return false;
  for (const TimestampNs t : last_stream_ns_) {
    if (t != 0 && now_ - t > config_.stale_after_ns) return true;
  }
  return false;
}

AccountState Engine::account() const noexcept {
  const PnlTotals t = book_.totals();
  return AccountState{config_.equity, t.net(), static_cast<std::uint32_t>(open_spreads()),
                      static_cast<std::int16_t>(local_minute()), data_stale()};
}

std::size_t Engine::open_spreads() const noexcept {
  std::size_t n = 0;
  for (const OpenSpread& s : spreads_) {
    const Order* o = om_.find(s.open_order);
    if (o != nullptr && o->filled_units() > s.closed_units) ++n;
  }
  return n;
}

std::uint32_t Engine::slot_of(const Order& o) const noexcept {
  return static_cast<std::uint32_t>(&o - om_.orders().data());
}

bool Engine::push(const OrderCommand& c) noexcept {
  if (!commands_.try_push(c)) {
    ++stats_.ring_full;
    return false;
  }
  ++stats_.orders_sent;
  risk_.on_order_sent(now_);
  return true;
}

ClientOrderId Engine::submit(Intent& intent) noexcept { return submit_for(intent, kNoSpread); }

ClientOrderId Engine::submit_for(Intent& intent, std::uint32_t spread) noexcept {
  if (restoring_) return ClientOrderId{};  // restore sends nothing and journals no intent
  ++stats_.intents;
  if (intent.strategy < strategy_intents_.size()) ++strategy_intents_[intent.strategy];
  // The legs say what they count, for brokers that charge per contract or per share.
  for (int i = 0; i < intent.leg_count && i < kMaxLegs; ++i) {
    const InstrumentId id = intent.legs[i].instrument;
    intent.legs[i].unit =
        id < registry_.size() && registry_.get(id).info.asset == AssetClass::kStock ? kLegShares : kLegContracts;
  }
  // From the close on, today's contracts no longer trade: nothing is sent in them (the settlement
  // is waiting for the day's last orders to end, or has booked them).
  if (settling_) {
    for (int i = 0; i < intent.leg_count && i < kMaxLegs; ++i) {
      if (expires_today(intent.legs[i].instrument)) return ClientOrderId{};
    }
  }
  RiskDecision d{RiskReason::kNone, Price::zero(), Price::invalid()};
  if (intent.action == IntentAction::kOpen && intent.strategy < enabled_.size() && !enabled_[intent.strategy]) {
    d.reason = RiskReason::kPaused;  // a disabled strategy opens nothing
  } else if (intent.action == IntentAction::kOpen && state_ != CoreState::kRunning) {
    d.reason = RiskReason::kNotReconciled;  // restarted and not reconciled, or halted
    risk_.count_rejection(d.reason);
  } else {
    d = risk_.check(intent, account(), market_, now_);
  }
  JournalIntent rec;
  std::memset(static_cast<void*>(&rec), 0, sizeof rec);
  rec.intent = intent;
  rec.max_loss_dollars = d.max_loss_dollars;
  rec.band_reference = d.band_reference;
  rec.reason = d.reason;
  journal(JournalRecordType::kIntent, &rec, sizeof rec);
  if (d.reason != RiskReason::kNone) {
    ++stats_.rejected;
    if (intent.strategy < strategy_rejected_.size()) {
      ++strategy_rejected_[intent.strategy];
      strategies_[intent.strategy]->on_rejected(intent, d.reason, *this);
    }
    return ClientOrderId{};
  }
  // Never create an order the ring cannot carry: the single producer knows the space it has.
  if (commands_.size_approx() >= CommandRing::capacity()) {
    ++stats_.ring_full;
    return ClientOrderId{};
  }
  // Judged before the order exists, so its own shares are not counted as a working sell.
  const bool short_sale = is_short_sale(intent);
  OrderCommand cmd;
  Order* order = nullptr;
  const RequestStatus st = om_.create(
      NewOrder{intent.strategy, intent.quantity, intent.limit, std::span<const OrderLeg>(intent.legs, intent.leg_count)},
      now_, cmd, &order);
  if (st != RequestStatus::kOk || order == nullptr) return ClientOrderId{};
  // The legs' instruments are named in the journal before the command that uses them, so a
  // restarted process can read the command (instrument ids are per process).
  for (int i = 0; i < intent.leg_count; ++i) journal_instrument(intent.legs[i].instrument);
  OrderMeta& m = meta_[slot_of(*order)];
  m.action = intent.action;
  m.spread = spread;
  std::memcpy(m.reason, intent.reason, sizeof m.reason);
  cmd.opening = intent.action == IntentAction::kOpen ? 1 : 0;
  cmd.short_sale = short_sale ? 1 : 0;
  order->short_sale = cmd.short_sale;
  if (spread != kNoSpread && spread < spreads_.size()) cmd.closes = spreads_[spread].open_order;
  (void)push(cmd);
  return cmd.id;
}

// US Reg SHO marks a sale short unless the seller is long the shares it sells. The seller is the
// broker account, so the long position is the account's: the shares of this stock every strategy
// holds, less what the account's working sell orders may still sell (their unfilled shares,
// counting a pending replace at the larger quantity and an order whose cancel is pending as still
// working, since the cancel may lose the race to a fill). Conservative: when any share of this
// sale is not covered, the whole order is marked short; it is never split into a long and a short
// part. Working buys cover nothing until they fill.
bool Engine::is_short_sale(const Intent& intent) const noexcept {
  for (int i = 0; i < intent.leg_count && i < kMaxLegs; ++i) {
    const OrderLeg& leg = intent.legs[i];
    if (leg.unit != kLegShares || leg.side != Side::kSell) continue;
    std::int64_t covered = 0;
    for (const Position& p : book_.positions()) {
      if (p.instrument == leg.instrument) covered += p.quantity;
    }
    for (const Order& o : om_.orders()) {
      if (!o.is_live()) continue;
      std::uint32_t units = o.quantity;
      if (o.state == OrderState::kPendingReplace && o.pending_quantity > units) units = o.pending_quantity;
      for (int j = 0; j < o.leg_count; ++j) {
        const OrderLeg& w = o.legs[j];
        if (w.instrument != leg.instrument || w.side != Side::kSell) continue;
        const std::int64_t shares = static_cast<std::int64_t>(units) * w.ratio;
        const std::int64_t filled =
            std::max<std::int64_t>(o.leg_filled[j], static_cast<std::int64_t>(o.combo_filled) * w.ratio);
        if (shares > filled) covered -= shares - filled;
      }
    }
    if (static_cast<std::int64_t>(intent.quantity) * leg.ratio > covered) return true;
  }
  return false;
}

ClientOrderId Engine::close_stock(std::uint16_t strategy, InstrumentId stock, std::string_view reason) noexcept {
  if (stock >= registry_.size() || registry_.get(stock).info.asset != AssetClass::kStock) return ClientOrderId{};
  // A hedge still working would reopen what this closes: cancel it first. A close already
  // working is left to finish.
  for (const Order& o : om_.orders()) {
    if (!o.is_live() || o.strategy != strategy || o.leg_count != 1 || o.legs[0].instrument != stock) continue;
    const IntentAction action = meta_[slot_of(o)].action;
    if (action == IntentAction::kClose) return ClientOrderId{};
    if (action == IntentAction::kHedge && o.state != OrderState::kPendingCancel) (void)cancel(o.id);
  }
  const Position* p = book_.find(strategy, stock);
  if (p == nullptr || p->quantity == 0) return ClientOrderId{};
  const Nbbo* q = market_.nbbo(stock);
  if (q == nullptr || !q->two_sided()) return ClientOrderId{};
  Intent close{};
  close.strategy = strategy;
  close.action = IntentAction::kClose;
  close.leg_count = 1;
  const Side side = p->quantity > 0 ? Side::kSell : Side::kBuy;
  close.legs[0] = OrderLeg{stock, side, kLegShares, 1};
  close.quantity = static_cast<std::uint32_t>(p->quantity > 0 ? p->quantity : -p->quantity);
  close.limit = round_limit_passive(registry_, std::span<const OrderLeg>(close.legs, 1),
                                    (side == Side::kBuy ? q->ask : -q->bid) + config_.close_slack);
  close.set_reason(reason);
  return submit_for(close, kNoSpread);
}

bool Engine::cancel(ClientOrderId id) noexcept {
  if (restoring_) return false;
  OrderCommand cmd;
  if (om_.request_cancel(id, now_, cmd) != RequestStatus::kOk) return false;
  return push(cmd);
}

InstrumentId Engine::instrument(std::string_view symbol) noexcept {
  const bool index = symbol.size() > 2 && symbol[0] == 'I' && symbol[1] == ':';
  return registry_.intern(symbol, InstrumentInfo{index ? AssetClass::kIndex : AssetClass::kStock, {}});
}

bool Engine::close_position(ClientOrderId open_order, std::string_view reason) noexcept {
  if (restoring_) return false;
  for (std::uint32_t i = 0; i < spreads_.size(); ++i) {
    OpenSpread& s = spreads_[i];
    if (s.open_order != open_order) continue;
    const Order* o = om_.find(open_order);
    if (o == nullptr || s.closing.valid()) return false;
    const std::uint32_t open_units = o->filled_units() > s.closed_units ? o->filled_units() - s.closed_units : 0;
    if (open_units == 0) return false;
    if (!send_closing(*o, open_units, i, reason).valid()) return false;
    spreads_[i].exit_sent = true;
    return true;
  }
  return false;
}

bool Engine::on_market_event(const MarketEvent& e, TimestampNs now) noexcept {
  if (!admit_market_event(e)) return false;
  apply_market_event(e, now);
  return true;
}

bool Engine::admit_market_event(const MarketEvent& e) noexcept {
  if (guard_.admit(e)) return true;
  ++stats_.events;
  ticks_since_event_ = 0;
  return false;
}

void Engine::apply_market_event(const MarketEvent& e, TimestampNs now) noexcept {
  ++stats_.events;
  ticks_since_event_ = 0;
  // The first event at or after the close: settle on the market as it stood at the close.
  if (!settled_ && settle_ns_ != 0 && now >= settle_ns_ && state_ == CoreState::kRunning) (void)settle_expiry();
  if (now > now_) now_ = now;
  const auto stream = static_cast<std::size_t>(e.header.stream);
  if (stream < last_stream_ns_.size()) last_stream_ns_[stream] = now_;
  if (!market_.apply(e)) return;
  bars_.on_event(e, [this](const MinuteBar& b) {
    for (std::size_t i = 0; i < strategies_.size(); ++i) {
      if (enabled_[i]) strategies_[i]->on_bar(b, *this);
    }
  });
}

void Engine::on_timer(TimestampNs now) noexcept {
  if (now > now_) now_ = now;
  if (state_ == CoreState::kReconciling && now_ >= recon_deadline_) finish_reconciliation(false, 0);
  if (!settled_ && settle_ns_ != 0 && now_ >= settle_ns_ && state_ == CoreState::kRunning) (void)settle_expiry();
  if (now_ < next_timer_) return;
  // The first tick in a new minute of market time (the previous tick was before next_timer_).
  const bool new_minute = minute_of(now_) != minute_of(next_timer_ - 1);
  next_timer_ = (now_ / config_.timer_period_ns + 1) * config_.timer_period_ns;
  ++ticks_since_event_;
  bars_.flush(now_, [this](const MinuteBar& b) {
    for (std::size_t i = 0; i < strategies_.size(); ++i) {
      if (enabled_[i]) strategies_[i]->on_bar(b, *this);
    }
  });
  om_.check_timeouts(now_, [this](Order&) {
    // The venue has not answered in time: ask for the status of everything working.
    OrderCommand status;
    std::memset(static_cast<void*>(&status), 0, sizeof status);
    status.kind = CommandKind::kStatusRequest;
    status.created_ns = now_;
    (void)push(status);
  });
  book_.mark(market_);
  // The account for the report's equity curve, once a minute from the first fill on (before it
  // the P&L is zero by definition).
  if (new_minute && stats_.fills > 0 && journal_ != nullptr) journal_mark();
  // Restored but not reconciled: the book may still miss fills the broker has, so neither the
  // exit rules nor the strategies act on it yet.
  if (state_ == CoreState::kStarting || state_ == CoreState::kReconciling) return;
  check_daily_loss();
  expire_entries();
  // The physical close before expiry first: in its window it takes over a spread's close from the
  // exit rules (a time exit is then sent as expiry:close_physical).
  close_physical_before_expiry();
  check_exits();
  for (std::size_t i = 0; i < strategies_.size(); ++i) {
    if (enabled_[i]) strategies_[i]->on_timer(*this);
  }
}

void Engine::expire_entries() noexcept {
  const int minute = local_minute();
  for (const Order& o : om_.orders()) {
    if (!o.is_live() || o.state == OrderState::kPendingCancel || o.strategy >= strategies_.size()) continue;
    if (meta_[slot_of(o)].action != IntentAction::kOpen) continue;
    const std::int16_t expiry = strategies_[o.strategy]->entry_expiry_minute();
    if (expiry < 0 || minute < expiry) continue;
    OrderCommand cmd;
    if (om_.request_cancel(o.id, now_, cmd) != RequestStatus::kOk) continue;
    cmd.cancel_reason = static_cast<std::uint8_t>(CancelReason::kTimeInForce);
    if (!push(cmd)) continue;  // counted in ring_full; the next tick asks again
    char text[160];
    const std::string_view name = strategies_[o.strategy]->name();
    std::snprintf(text, sizeof text, "%.*s: entry order %s cancelled at %02d:%02d: its time in force ended at %02d:%02d",
                  static_cast<int>(name.size()), name.data(), o.id.to_string().c_str(), minute / 60, minute % 60,
                  expiry / 60, expiry % 60);
    note(text);
  }
}

Price Engine::entry_per_unit(const Order& o) const noexcept {
  const std::uint32_t units = o.filled_units();
  if (units == 0) return Price::zero();
  if (o.combo_filled > 0) return Price::from_ticks(o.combo_notional.ticks() / static_cast<Price::Rep>(units));
  Price::Rep net = 0;
  for (int i = 0; i < o.leg_count; ++i) net += leg_sign(o.legs[i].side) * o.leg_notional[i].ticks();
  return Price::from_ticks(net / static_cast<Price::Rep>(units));
}

// A leg's price for marking and closing, by the one-sided-quote rule of Nbbo::has_market: a leg
// offered with no bid is marked at half its offer, bought back at the offer and sold for 0.
// Without that, one wing bid at zero would leave a spread unmarked and unclosable until the
// settlement.
namespace {
bool leg_mid(const Nbbo* q, Price::Rep& mid) noexcept {
  if (q == nullptr || !q->has_market()) return false;
  mid = q->market_mid().ticks();
  return true;
}
// What closing the leg trades against: the offer when buying, the bid (0 when none) when selling.
bool leg_natural(const Nbbo* q, Side side, Price::Rep& px) noexcept {
  if (q == nullptr || !q->has_market()) return false;
  px = side == Side::kBuy ? q->ask.ticks() : q->market_bid().ticks();
  return true;
}
}  // namespace

bool Engine::combo_mark(const Order& o, Price& mark) const noexcept {
  Price::Rep value = 0;
  for (int i = 0; i < o.leg_count; ++i) {
    Price::Rep mid = 0;
    if (!leg_mid(market_.nbbo(o.legs[i].instrument), mid)) return false;
    value += leg_sign(o.legs[i].side) * static_cast<Price::Rep>(o.legs[i].ratio) * mid;
  }
  mark = Price::from_ticks(value);
  return true;
}

ClientOrderId Engine::send_closing(const Order& open_order, std::uint32_t units, std::uint32_t spread,
                                   std::string_view reason, std::uint32_t leave) noexcept {
  Intent close{};
  close.strategy = open_order.strategy;
  close.action = IntentAction::kClose;
  close.quantity = units;
  close.leg_count = 0;
  // The closing combo is the opening one reversed (less the legs left out); its natural price
  // pays offers on what it buys.
  Price::Rep natural = 0;
  for (int i = 0; i < open_order.leg_count; ++i) {
    if ((leave >> i & 1u) != 0) continue;
    OrderLeg leg = open_order.legs[i];
    leg.side = opposite(leg.side);
    close.legs[close.leg_count++] = leg;
    Price::Rep px = 0;
    if (!leg_natural(market_.nbbo(leg.instrument), leg.side, px)) return ClientOrderId{};
    natural += leg_sign(leg.side) * static_cast<Price::Rep>(leg.ratio) * px;
  }
  if (close.leg_count == 0) return ClientOrderId{};
  // Marketable by the slack, then onto the venue's grid toward the passive side (tick_table.hpp).
  close.limit = round_limit_passive(registry_, std::span<const OrderLeg>(close.legs, close.leg_count),
                                    Price::from_ticks(natural) + config_.close_slack);
  close.set_reason(reason);
  const ClientOrderId id = submit_for(close, spread);
  if (id.valid() && spread < spreads_.size()) spreads_[spread].closing = id;
  return id;
}

void Engine::check_exits() noexcept {
  const int minute = local_minute();
  for (std::uint32_t i = 0; i < spreads_.size(); ++i) {
    OpenSpread& s = spreads_[i];
    const Order* o = om_.find(s.open_order);
    if (o == nullptr) continue;
    const std::uint32_t open_units = o->filled_units() > s.closed_units ? o->filled_units() - s.closed_units : 0;
    if (open_units == 0 || s.closing.valid()) continue;
    Price mark;
    if (!combo_mark(*o, mark)) continue;
    if (s.exit_sent) continue;
    // The strategy's own rules first ("exit:<rule>"), then the engine-wide safety rules when the
    // config sets any ("safety:<rule>"; all off by default).
    const Price entry = entry_per_unit(*o);
    const auto local = static_cast<std::int16_t>(minute);
    const char* source = "exit";
    ExitReason why = o->strategy < strategies_.size()
                         ? evaluate_exit(strategies_[o->strategy]->exit_rules(), entry, mark, local)
                         : ExitReason::kNone;
    if (why == ExitReason::kNone) {
      why = evaluate_exit(config_.exits, entry, mark, local);
      source = "safety";
    }
    if (why == ExitReason::kNone) continue;
    char reason[32];
    std::snprintf(reason, sizeof reason, "%s:%.*s", source, static_cast<int>(to_string(why).size()), to_string(why).data());
    if (send_closing(*o, open_units, i, reason).valid()) {
      spreads_[i].exit_sent = true;
      ++stats_.exits;
      if (o->strategy < strategies_.size()) strategies_[o->strategy]->on_exit(*o, why, *this);
    }
  }
}

void Engine::book_leg(const Order& o, std::uint8_t leg_index, std::uint32_t qty, Price price, Price fee,
                      bool opening) noexcept {
  const OrderLeg& leg = o.legs[leg_index];
  if (book_.book_fill(o.strategy, leg.instrument, leg.side, qty, price, fee) != BookStatus::kOk) {
    ++stats_.book_errors;
    return;
  }
  if (journal_ == nullptr) return;
  JournalFill rec;
  std::memset(static_cast<void*>(&rec), 0, sizeof rec);
  const Instrument& inst = registry_.get(leg.instrument);
  rec.order = o.id;
  rec.at_ns = now_;
  rec.price = price;
  rec.fee = fee;
  rec.instrument = leg.instrument;
  rec.quantity = qty;
  rec.multiplier = 1;
  rec.strategy = o.strategy;
  rec.leg = leg_index;
  rec.side = leg.side;
  rec.asset = static_cast<std::uint8_t>(inst.info.asset);
  rec.opening = opening ? 1 : 0;
  if (inst.info.asset == AssetClass::kOption) {
    rec.strike = inst.info.option.strike;
    rec.expiry_yyyymmdd = inst.info.option.expiry_yyyymmdd;
    rec.right = static_cast<std::uint8_t>(inst.info.option.right);
    rec.multiplier = inst.info.option.multiplier != 0 ? inst.info.option.multiplier : 100;
  } else {
    rec.strike = Price::zero();
  }
  const std::string_view sym = inst.symbol_view();
  std::memcpy(rec.symbol, sym.data(), std::min(sym.size(), sizeof rec.symbol - 1));
  journal(JournalRecordType::kBookFill, &rec, sizeof rec);
}

void Engine::journal_mark() noexcept {
  JournalMark rec;
  std::memset(static_cast<void*>(&rec), 0, sizeof rec);
  const PnlTotals t = book_.totals();
  rec.at_ns = now_;
  rec.equity = config_.equity;
  rec.realized = t.realized;
  rec.unrealized = t.unrealized;
  rec.fees = t.fees;
  rec.open_spreads = static_cast<std::uint32_t>(open_spreads());
  rec.open_positions = t.open_positions;
  journal(JournalRecordType::kMark, &rec, sizeof rec);
}

void Engine::on_fill(Order& o, const FillDelta& fill, Price commission) noexcept {
  ++stats_.fills;
  book_delta(o, fill, commission, 0);
  track_spread_fill(o);
}

void Engine::book_delta(const Order& o, const FillDelta& fill, Price commission, int first_leg) noexcept {
  const bool opening = meta_[slot_of(o)].action == IntentAction::kOpen;
  if (fill.leg != kComboLeg) {
    if (first_leg == 0) book_leg(o, fill.leg, fill.qty, fill.price, commission, opening);
  } else {
    // A strategy-level fill carries only the net price. Legs are booked at their mids, with the
    // first leg absorbing the difference so the legs add up to the net exactly.
    Price::Rep rest = fill.price.ticks();
    std::array<Price, kMaxLegs> px{};
    for (int i = 1; i < o.leg_count; ++i) {
      const Nbbo* q = market_.nbbo(o.legs[i].instrument);
      px[static_cast<std::size_t>(i)] = q != nullptr && q->two_sided() ? q->mid() : Price::zero();
      rest -= leg_sign(o.legs[i].side) * static_cast<Price::Rep>(o.legs[i].ratio) * px[static_cast<std::size_t>(i)].ticks();
    }
    px[0] = Price::from_ticks(leg_sign(o.legs[0].side) * rest / static_cast<Price::Rep>(o.legs[0].ratio));
    for (int i = first_leg; i < o.leg_count; ++i) {
      const OrderLeg& leg = o.legs[i];
      const Price fee = i == 0 ? commission : Price::zero();
      book_leg(o, static_cast<std::uint8_t>(i), fill.qty * leg.ratio, px[static_cast<std::size_t>(i)], fee, opening);
    }
  }
}

void Engine::track_spread_fill(const Order& o) noexcept {
  const OrderMeta& m = meta_[slot_of(o)];
  if (m.action == IntentAction::kOpen) {
    const bool known = std::any_of(spreads_.begin(), spreads_.end(), [&](const OpenSpread& s) { return s.open_order == o.id; });
    if (!known && o.filled_units() > 0 && spreads_.size() < spreads_.capacity()) {
      spreads_.push_back(OpenSpread{o.id, o.strategy, 0, ClientOrderId{}, false});
    }
  } else if (m.spread != kNoSpread && m.spread < spreads_.size()) {
    OpenSpread& s = spreads_[m.spread];
    s.closed_units = std::max(s.closed_units, o.filled_units());
  }
}

void Engine::handle_legging(Order& o) noexcept {
  ++stats_.legged;
  OrderLeg legs[kMaxLegs];
  const int n = legging_repair(o, config_.legging, legs);
  if (n == 0) return;
  Intent repair{};
  repair.strategy = o.strategy;
  repair.action = IntentAction::kClose;  // either policy reduces the unintended exposure
  repair.quantity = 1;
  repair.leg_count = static_cast<std::uint8_t>(n);
  Price::Rep natural = 0;
  for (int i = 0; i < n; ++i) {
    repair.legs[i] = legs[i];
    const Nbbo* q = market_.nbbo(legs[i].instrument);
    if (q == nullptr || !q->two_sided()) {
      note("legged order " + o.id.to_string() + ": no quote to repair it; left for the operator");
      return;
    }
    natural += leg_sign(legs[i].side) * static_cast<Price::Rep>(legs[i].ratio) *
               (legs[i].side == Side::kBuy ? q->ask.ticks() : q->bid.ticks());
  }
  repair.limit = round_limit_passive(registry_, std::span<const OrderLeg>(repair.legs, repair.leg_count),
                                     Price::from_ticks(natural) + config_.close_slack);
  repair.set_reason(config_.legging == LeggingPolicy::kFlatten ? "legging:flatten" : "legging:complete");
  if (!submit_for(repair, kNoSpread).valid()) {
    note("legged order " + o.id.to_string() + ": repair order refused; left for the operator");
  }
}

void Engine::on_exec_report(const ExecutionReport& r, TimestampNs now) noexcept {
  if (now > now_) now_ = now;
  ++stats_.reports;
  journal(JournalRecordType::kExecReport, &r, sizeof r);
  if (r.kind == ExecKind::kStatus || r.kind == ExecKind::kStatusEnd) {
    on_status_report(r);  // moves no order by itself (contract in orders.hpp)
    return;
  }
  const ApplyResult res = om_.apply(r, now_);
  if (res.status != ApplyStatus::kApplied && res.status != ApplyStatus::kDuplicate &&
      res.status != ApplyStatus::kShadowReport) {
    ++stats_.report_anomalies;
  }
  if (res.order == nullptr) return;
  Order& o = *res.order;
  if (res.fill.qty > 0) {
    on_fill(o, res.fill, r.commission);
    if (o.strategy < strategies_.size()) strategies_[o.strategy]->on_fill(o, res.fill, *this);
  }
  if (res.before != res.after && o.strategy < strategies_.size()) strategies_[o.strategy]->on_order(o, *this);
  if (is_terminal(o.state)) track_spread_end(o);
  if (res.became_legged) handle_legging(o);
}

void Engine::track_spread_end(const Order& o) noexcept {
  const OrderMeta& m = meta_[slot_of(o)];
  if (m.spread != kNoSpread && m.spread < spreads_.size()) {
    OpenSpread& s = spreads_[m.spread];
    s.closing = ClientOrderId{};
    // A closing order that ended without closing everything may be retried by the exit rules.
    const Order* open = om_.find(s.open_order);
    if (open != nullptr && open->filled_units() > s.closed_units) s.exit_sent = false;
  }
}

std::uint32_t Engine::cancel_working(bool opening_only) noexcept {
  std::uint32_t sent = 0;
  for (const Order& o : om_.orders()) {
    if (!o.is_live() || o.state == OrderState::kPendingCancel) continue;
    // "Opening" here is anything that adds exposure: entries and delta hedges.
    if (opening_only && meta_[slot_of(o)].action != IntentAction::kOpen && meta_[slot_of(o)].action != IntentAction::kHedge) {
      continue;
    }
    if (cancel(o.id)) ++sent;
  }
  return sent;
}

void Engine::cancel_all_working(TimestampNs now) noexcept {
  if (now > now_) now_ = now;
  cancel_working(false);
}

Engine::FlattenCount Engine::flatten_all(std::string_view reason) noexcept {
  FlattenCount count;
  count.cancelled = cancel_working(true);
  for (std::uint32_t i = 0; i < spreads_.size(); ++i) {
    OpenSpread& s = spreads_[i];
    const Order* o = om_.find(s.open_order);
    if (o == nullptr) continue;
    const std::uint32_t open_units = o->filled_units() > s.closed_units ? o->filled_units() - s.closed_units : 0;
    if (open_units == 0) continue;
    if (s.closing.valid()) {
      ++count.already_closing;
    } else if (send_closing(*o, open_units, i, reason).valid()) {
      spreads_[i].exit_sent = true;
      ++count.closing_sent;
    } else {
      ++count.not_sent;
    }
  }
  // Stock held by a strategy (delta hedges, SPY exercise/assignment) is flattened too. The book's
  // slots are collected first: sending can book nothing, but the loop should not depend on that.
  std::array<std::pair<std::uint16_t, InstrumentId>, 16> stock{};
  std::size_t n = 0;
  for (const Position& p : book_.positions()) {
    if (p.quantity == 0 || registry_.get(p.instrument).info.asset != AssetClass::kStock) continue;
    if (n < stock.size()) stock[n++] = {p.strategy, p.instrument};
  }
  for (std::size_t i = 0; i < n; ++i) {
    // close_stock sends nothing while a close of that stock is working.
    const bool closing = std::any_of(om_.orders().begin(), om_.orders().end(), [&](const Order& o) {
      return o.is_live() && o.strategy == stock[i].first && o.leg_count == 1 && o.legs[0].instrument == stock[i].second &&
             meta_[slot_of(o)].action == IntentAction::kClose;
    });
    if (closing) {
      ++count.already_closing;
    } else if (close_stock(stock[i].first, stock[i].second, reason).valid()) {
      ++count.closing_sent;
    } else {
      ++count.not_sent;
    }
  }
  return count;
}

ControlReply Engine::on_control(const ControlCommand& c, TimestampNs now) noexcept {
  if (now > now_) now_ = now;
  ControlReply reply{};
  reply.request_id = c.request_id;
  reply.ok = true;
  JournalFlag flag{0, 0, 0, ticks_since_event_, now_, stats_.events};
  // What only lets opening orders out again cannot take effect while the engine refuses them for
  // its state: refused, nothing changed (pause, kill, flatten, limits and disabling still apply).
  const bool reopens =
      c.kind == ControlKind::kResume || c.kind == ControlKind::kUnkill || c.kind == ControlKind::kEnableStrategy;
  if (reopens && state_ != CoreState::kRunning) {
    reply.ok = false;
    reply.set_message(state_ == CoreState::kReconciling
                          ? "reconciling with the broker: no opening order until it ends; nothing changed"
                          : "halted: no opening order until a restart reconciles; nothing changed");
    return reply;
  }
  char text[sizeof reply.message];
  switch (c.kind) {
    case ControlKind::kPause:
      risk_.set_paused(true);
      flag.on = 1;
      journal(JournalRecordType::kPause, &flag, sizeof flag);
      reply.set_message("paused: no opening orders");
      break;
    case ControlKind::kResume:
      risk_.set_paused(false);
      journal(JournalRecordType::kPause, &flag, sizeof flag);
      reply.set_message("resumed");
      break;
    case ControlKind::kKill:
      risk_.set_kill_switch(true);
      flag.on = 1;
      flag.flatten = c.flatten ? 1 : 0;
      journal(JournalRecordType::kKillSwitch, &flag, sizeof flag);
      if (c.flatten) {
        const FlattenCount n = flatten_all("kill:flatten");
        reply.ok = n.not_sent == 0;
        std::snprintf(text, sizeof text, "kill switch on; %u working cancelled, %u closing sent, %u closing, %u NOT sent",
                      n.cancelled, n.closing_sent, n.already_closing, n.not_sent);
      } else {
        std::snprintf(text, sizeof text, "kill switch on; %u working opening orders cancelled", cancel_working(true));
      }
      reply.set_message(text);
      break;
    case ControlKind::kUnkill:
      risk_.set_kill_switch(false);
      journal(JournalRecordType::kKillSwitch, &flag, sizeof flag);
      reply.set_message("kill switch off");
      break;
    case ControlKind::kFlatten:
    {
      // Journaled first, as the kill switch is: the record precedes the orders it causes.
      JournalFlatten rec{now_, stats_.events, c.peer_uid, c.peer_pid, 0, 0, ticks_since_event_, 0};
      for (const Position& p : book_.positions()) rec.open_positions += p.quantity != 0 ? 1u : 0u;
      for (const Order& o : om_.orders()) rec.working_orders += o.is_live() ? 1u : 0u;
      journal(JournalRecordType::kFlatten, &rec, sizeof rec);
      const FlattenCount n = flatten_all("operator:flatten");
      reply.ok = n.not_sent == 0;
      if (n.cancelled + n.closing_sent + n.already_closing + n.not_sent == 0) {
        std::snprintf(text, sizeof text, "flatten: nothing to do: no working opening order, no open position");
      } else if (n.not_sent == 0) {
        std::snprintf(text, sizeof text, "flatten: %u opening orders cancelled, %u closing orders sent, %u already closing",
                      n.cancelled, n.closing_sent, n.already_closing);
      } else {
        std::snprintf(text, sizeof text, "flatten: %u positions NOT closed (no quote or refused); %u closing sent, %u cancelled",
                      n.not_sent, n.closing_sent, n.cancelled);
      }
      reply.set_message(text);
      break;
    }
    case ControlKind::kSetRiskLimits: {
      config_.risk = c.limits;
      config_.exits = c.exits;
      risk_.set_limits(c.limits);
      JournalLimits rec = to_journal(c.limits, c.exits);
      rec.after_events = stats_.events;
      rec.after_ticks = ticks_since_event_;
      journal(JournalRecordType::kRiskLimits, &rec, sizeof rec);
      reply.set_message("risk limits updated");
      break;
    }
    case ControlKind::kEnableStrategy:
    case ControlKind::kDisableStrategy: {
      if (c.strategy >= strategies_.size()) {
        reply.ok = false;
        reply.set_message("no such strategy");
        break;
      }
      const bool on = c.kind == ControlKind::kEnableStrategy;
      enabled_[c.strategy] = on;
      strategies_[c.strategy]->set_state(on ? StrategyState::kWaiting : StrategyState::kDisabled);
      flag.on = on ? 1 : 0;
      flag.strategy = c.strategy;
      journal(JournalRecordType::kStrategyEnabled, &flag, sizeof flag);
      reply.set_message(on ? "strategy enabled" : "strategy disabled: no new openings; open positions keep their exits");
      break;
    }
  }
  return reply;
}

bool Engine::expires_today(InstrumentId id) const noexcept {
  if (id >= registry_.size()) return false;
  const InstrumentInfo& info = registry_.get(id).info;
  return info.asset == AssetClass::kOption && info.option.expiry_yyyymmdd == config_.orders.trading_day;
}

void Engine::book_settlement(const Position& p, InstrumentId instrument, Side side, std::uint64_t qty, Price price,
                             FillSettlement kind) noexcept {
  const std::uint16_t strategy = p.strategy;
  if (qty == 0 || qty > 0xFFFF'FFFFu ||
      book_.book_fill(strategy, instrument, side, static_cast<std::uint32_t>(qty), price, Price::zero()) != BookStatus::kOk) {
    ++stats_.book_errors;
    return;
  }
  if (journal_ == nullptr) return;
  JournalFill rec;
  std::memset(static_cast<void*>(&rec), 0, sizeof rec);
  const Instrument& inst = registry_.get(instrument);
  rec.at_ns = settle_ns_;
  rec.price = price;
  rec.fee = Price::zero();
  rec.instrument = instrument;
  rec.quantity = static_cast<std::uint32_t>(qty);
  rec.multiplier = 1;
  rec.strategy = strategy;
  rec.side = side;
  rec.asset = static_cast<std::uint8_t>(inst.info.asset);
  // Shares from an exercise or assignment open a position; the option's settlement closes one.
  rec.opening = inst.info.asset == AssetClass::kStock ? 1 : 0;
  rec.settlement = static_cast<std::uint8_t>(kind);
  rec.strike = Price::zero();
  if (inst.info.asset == AssetClass::kOption) {
    rec.strike = inst.info.option.strike;
    rec.expiry_yyyymmdd = inst.info.option.expiry_yyyymmdd;
    rec.right = static_cast<std::uint8_t>(inst.info.option.right);
    rec.multiplier = inst.info.option.multiplier != 0 ? inst.info.option.multiplier : 100;
  }
  const std::string_view sym = inst.symbol_view();
  std::memcpy(rec.symbol, sym.data(), std::min(sym.size(), sizeof rec.symbol - 1));
  journal(JournalRecordType::kBookFill, &rec, sizeof rec);
}

std::uint32_t Engine::settle_expiry() noexcept {
  if (settled_ || restoring_) return 0;
  const TimestampNs saved_now = now_;
  if (settle_ns_ > now_) now_ = settle_ns_;  // what the settlement sends and notes is at the close
  auto in_todays_contracts = [this](const Order& o) {
    for (int i = 0; i < o.leg_count; ++i) {
      if (expires_today(o.legs[i].instrument)) return true;
    }
    return false;
  };
  if (!settling_) {
    // The close: the day's orders end. Orders in contracts that expired can no longer trade; the
    // rest were day orders. Cancel everything still working; submit_for sends nothing new in
    // today's contracts from now on.
    settling_ = true;
    for (const Order& o : om_.orders()) {
      if (o.is_live() && o.state != OrderState::kPendingCancel) (void)cancel(o.id);
    }
  }
  // Settle only once no order in today's contracts can still fill: each cancel answered (or the
  // order filled meanwhile, booked before the settlement), or the broker silent for the wait.
  std::uint32_t working = 0;
  ClientOrderId first_working;
  for (const Order& o : om_.orders()) {
    if (!o.is_live() || !in_todays_contracts(o)) continue;
    if (working++ == 0) first_working = o.id;
  }
  if (working > 0) {
    if (now_ < settle_ns_ + settle_wait_ns()) {
      now_ = std::max(saved_now, now_);
      return 0;
    }
    char text[200];
    std::snprintf(text, sizeof text,
                  "expiry: %u order(s) in today's contracts still working %llds after the close (first %s): the broker has "
                  "not answered their cancel; settled anyway, a late fill would reopen a position",
                  working, static_cast<long long>(settle_wait_ns() / 1'000'000'000), first_working.to_string().c_str());
    note(text);
  }
  settled_ = true;
  // The underlyings of today's open option positions, in book order (deterministic).
  struct Underlying {
    std::string_view symbol;
    InstrumentId id;
    options::RootInfo root;
  };
  std::array<Underlying, 8> unders{};
  std::size_t n_unders = 0;
  for (const Position& p : book_.positions()) {
    if (p.quantity == 0 || !expires_today(p.instrument)) continue;
    const options::RootInfo root = options::root_info(root_of(registry_.get(p.instrument).info.option));
    const bool seen = std::any_of(unders.begin(), unders.begin() + static_cast<std::ptrdiff_t>(n_unders),
                                  [&](const Underlying& u) { return u.root.root == root.root; });
    if (!seen && n_unders < unders.size()) unders[n_unders++] = Underlying{root.underlying, registry_.find(root.underlying), root};
  }
  std::uint32_t settled = 0;
  char text[256];
  for (std::size_t u = 0; u < n_unders; ++u) {
    const Underlying& under = unders[u];
    const std::string_view root = under.root.root;
    const InstrumentState* st = under.id == kNoInstrument ? nullptr : market_.state(under.id);
    Price value = Price::invalid();
    TimestampNs value_ns = 0;
    if (st != nullptr && st->last_ns != 0 && st->last.valid() && st->last > Price::zero()) {
      value = st->last;
      value_ns = st->last_ns;
    } else if (st != nullptr && st->nbbo.two_sided()) {
      value = st->nbbo.mid();
      value_ns = st->nbbo.updated_ns;
    }
    const bool known_style = under.root.settlement == options::Settlement::kPmClose;
    if (!value.valid() || !known_style) {
      std::snprintf(text, sizeof text,
                    "expiry: %.*s positions NOT settled: %s; they stay open for the operator",
                    static_cast<int>(root.size()), root.data(),
                    !known_style ? "not a PM-settled root odte knows (SPXW, SPY)"
                                 : "no value of the underlying in the feed by the close");
      note(text);
      continue;
    }
    const SettlementStyle style = under.root.cash_settled ? SettlementStyle::kCash : SettlementStyle::kPhysical;
    const InstrumentId shares = style == SettlementStyle::kPhysical ? instrument(under.symbol) : kNoInstrument;
    JournalSettlement rec;
    std::memset(static_cast<void*>(&rec), 0, sizeof rec);
    rec.at_ns = settle_ns_;
    rec.value_ns = value_ns;
    rec.value = value;
    rec.style = static_cast<std::uint8_t>(style);
    std::memcpy(rec.underlying, under.symbol.data(), std::min(under.symbol.size(), sizeof rec.underlying - 1));
    for (const Position& p : book_.positions()) {
      if (p.quantity != 0 && expires_today(p.instrument) &&
          root_of(registry_.get(p.instrument).info.option) == root) {
        ++rec.positions;
      }
    }
    journal(JournalRecordType::kSettlement, &rec, sizeof rec);
    const std::int64_t stale_s = (settle_ns_ - value_ns) / 1'000'000'000;
    std::snprintf(text, sizeof text, "expiry: %u %.*s position(s) settled against %.*s %s%s", rec.positions,
                  static_cast<int>(root.size()), root.data(), static_cast<int>(under.symbol.size()), under.symbol.data(),
                  value.to_string().c_str(),
                  stale_s > 60 ? " (its last value, well before the close: the data ends early)" : " (its value at the close)");
    note(text);
    // The book may grow by the shares of an exercise: walk it by index over the slots that exist now.
    const std::size_t count = book_.positions().size();
    for (std::size_t k = 0; k < count; ++k) {
      const Position& p = book_.positions()[k];
      if (p.quantity == 0 || !expires_today(p.instrument)) continue;
      const OptionFields& o = registry_.get(p.instrument).info.option;
      if (root_of(o) != root) continue;
      const bool call = o.right == OptionRight::kCall;
      const Price raw = call ? value - o.strike : o.strike - value;
      const Price intrinsic = raw > Price::zero() ? raw : Price::zero();
      const std::int64_t qty = p.quantity;
      const Side close_side = qty > 0 ? Side::kSell : Side::kBuy;
      const auto contracts = static_cast<std::uint64_t>(qty > 0 ? qty : -qty);
      const std::uint32_t multiplier = p.multiplier;
      ++settled;
      if (style == SettlementStyle::kCash || intrinsic == Price::zero() || shares == kNoInstrument) {
        book_settlement(p, p.instrument, close_side, contracts, intrinsic, FillSettlement::kCash);
        continue;
      }
      // In the money, physical: exercised (long) or assigned (short) at the strike.
      const FillSettlement kind = qty > 0 ? FillSettlement::kExercise : FillSettlement::kAssignment;
      const Position copy = p;  // the shares' slot may be new: keep what the option's booking needs
      book_settlement(copy, p.instrument, close_side, contracts, Price::zero(), kind);
      const bool buys = call == (qty > 0);  // long call / short put end long the shares
      book_settlement(copy, shares, buys ? Side::kBuy : Side::kSell, contracts * multiplier, o.strike, kind);
      book_.set_mark(copy.strategy, shares, value);  // until the stock's own quotes mark it
      const std::string_view sym = registry_.get(copy.instrument).symbol_view();
      std::snprintf(text, sizeof text, "expiry: %.*s %s %llu: %s %llu %.*s at %s", static_cast<int>(sym.size()), sym.data(),
                    kind == FillSettlement::kExercise ? "exercised" : "assigned", static_cast<unsigned long long>(contracts),
                    buys ? "bought" : "sold", static_cast<unsigned long long>(contracts * multiplier),
                    static_cast<int>(under.symbol.size()), under.symbol.data(), o.strike.to_string().c_str());
      note(text);
    }
  }
  end_settled_spreads();
  book_.mark(market_);
  if (journal_ != nullptr && settled > 0) journal_mark();
  now_ = std::max(saved_now, now_);
  return settled;
}

void Engine::end_settled_spreads() noexcept {
  for (OpenSpread& s : spreads_) {
    const Order* o = om_.find(s.open_order);
    if (o == nullptr || o->filled_units() <= s.closed_units) continue;
    bool all_expired = o->leg_count > 0;
    for (int i = 0; i < o->leg_count; ++i) all_expired = all_expired && expires_today(o->legs[i].instrument);
    if (!all_expired) continue;
    s.closed_units = o->filled_units();
    s.exit_sent = true;
  }
}

void Engine::close_physical_before_expiry() noexcept {
  if (config_.physical_expiry != PhysicalExpiry::kClose || settle_ns_ == 0 || settled_) return;
  const int minute = local_minute();
  const int close = settle_minute_;
  if (minute < close - config_.physical_close_lead_minutes || minute >= close) return;
  for (std::uint32_t i = 0; i < spreads_.size(); ++i) {
    OpenSpread& s = spreads_[i];
    const Order* o = om_.find(s.open_order);
    if (o == nullptr) continue;
    const std::uint32_t open_units = o->filled_units() > s.closed_units ? o->filled_units() - s.closed_units : 0;
    if (open_units == 0) continue;
    bool physical = false;
    for (int k = 0; k < o->leg_count; ++k) {
      const InstrumentId id = o->legs[k].instrument;
      physical = physical || (expires_today(id) && !options::root_info(root_of(registry_.get(id).info.option)).cash_settled);
    }
    if (!physical) continue;
    if (s.closing.valid()) {
      // A closing order already working (a strategy's exit) that sells a long leg nobody bids can
      // never fill, and the short legs would stay open into the close: it is cancelled, and this
      // close replaces it once the cancel is answered (this runs before the exit rules).
      const Order* c = om_.find(s.closing);
      if (c != nullptr && c->is_live() && c->state != OrderState::kPendingCancel && unbid_expiring_longs(*c, false) != 0 &&
          cancel(c->id)) {
        note("expiry:close_physical: closing order " + c->id.to_string() +
             " sells a long leg with no bid and cannot fill: cancelled, the short legs are bought back instead");
      }
      continue;
    }
    // A long leg nobody bids cannot be sold: the close buys back the rest (the short legs carry the
    // assignment risk) and leaves it to the settlement, at its intrinsic value.
    const std::uint32_t leave = unbid_expiring_longs(*o, true);
    const std::uint32_t all = (1u << o->leg_count) - 1u;
    if (leave == all) {
      if (!s.exit_sent) note_left_to_expire(*o, leave, "nothing to buy back");
      s.exit_sent = true;
      continue;
    }
    if (!send_closing(*o, open_units, i, "expiry:close_physical", leave).valid()) continue;
    spreads_[i].exit_sent = true;
    if (leave != 0) note_left_to_expire(*o, leave, "the short legs bought back");
  }
}

std::uint32_t Engine::unbid_expiring_longs(const Order& o, bool opening_order) const noexcept {
  std::uint32_t legs = 0;
  for (int k = 0; k < o.leg_count; ++k) {
    const OrderLeg& leg = o.legs[k];
    // What the close sells: a long leg of the opening order, a sold leg of a closing one.
    const bool sold = opening_order ? leg.side == Side::kBuy : leg.side == Side::kSell;
    if (!sold || !expires_today(leg.instrument)) continue;
    const Nbbo* q = market_.nbbo(leg.instrument);
    const bool bid = q != nullptr && q->bid.valid() && q->bid > Price::zero();
    if (!bid) legs |= 1u << k;
  }
  return legs;
}

void Engine::note_left_to_expire(const Order& open_order, std::uint32_t legs, const char* rest) {
  const std::string_view name =
      open_order.strategy < strategies_.size() ? strategies_[open_order.strategy]->name() : std::string_view{"?"};
  for (int k = 0; k < open_order.leg_count; ++k) {
    if ((legs >> k & 1u) == 0) continue;
    const Instrument& inst = registry_.get(open_order.legs[k].instrument);
    const OptionFields& opt = inst.info.option;
    const options::RootInfo root = options::root_info(root_of(opt));
    const InstrumentId under = registry_.find(root.underlying);
    const InstrumentState* st = under == kNoInstrument ? nullptr : market_.state(under);
    Price spot = Price::invalid();
    if (st != nullptr && st->last.valid() && st->last > Price::zero()) {
      spot = st->last;
    } else if (st != nullptr && st->nbbo.two_sided()) {
      spot = st->nbbo.mid();
    }
    char itm[120] = "";
    if (spot.valid()) {
      const Price raw = opt.right == OptionRight::kCall ? spot - opt.strike : opt.strike - spot;
      if (raw > Price::zero()) {
        std::snprintf(itm, sizeof itm, "in the money by %s (%.*s %s): exercised into shares at the close -- flatten them",
                      raw.to_string().c_str(), static_cast<int>(root.underlying.size()), root.underlying.data(),
                      spot.to_string().c_str());
      } else {
        std::snprintf(itm, sizeof itm, "out of the money (%.*s %s): it expires worthless",
                      static_cast<int>(root.underlying.size()), root.underlying.data(), spot.to_string().c_str());
      }
    } else {
      std::snprintf(itm, sizeof itm, "no value of %.*s yet", static_cast<int>(root.underlying.size()),
                    root.underlying.data());
    }
    const std::string_view sym = inst.symbol_view();
    char text[320];
    std::snprintf(text, sizeof text,
                  "%.*s: expiry:close_physical (%s): long %.*s has no bid, left to the settlement at its intrinsic "
                  "value; %s",
                  static_cast<int>(name.size()), name.data(), rest, static_cast<int>(sym.size()), sym.data(), itm);
    note(text);
  }
}

void Engine::fill_snapshot(CoreSnapshot& s, TimestampNs now) const noexcept {
  std::memset(static_cast<void*>(&s), 0, sizeof s);
  s.published_ns = now;
  s.state = state_;
  s.killed = risk_.kill_switch();
  s.paused = risk_.paused();
  s.equity = config_.equity;
  s.pnl = book_.totals();
  s.limits = risk_.limits();
  s.exits = config_.exits;
  for (std::size_t i = 0; i < static_cast<std::size_t>(RiskReason::kCount); ++i) {
    s.rejections[i] = risk_.rejections(static_cast<RiskReason>(i));
  }
  s.events_processed = stats_.events;
  s.intents = stats_.intents;
  s.orders_sent = stats_.orders_sent;
  s.fills = stats_.fills;
  const int minute = local_minute();
  const bool in_session = minute >= config_.session_open_minute && minute < config_.session_close_minute;
  for (std::size_t i = 0; i < last_stream_ns_.size(); ++i) {
    const TimestampNs t = last_stream_ns_[i];
    s.feeds[i].last_event_ns = t;
    s.feeds[i].stale = in_session && t != 0 && now_ - t > config_.stale_after_ns;  // as data_stale()
    for (std::size_t k = 0; k < kBadTickKinds; ++k) {
      s.feeds[i].rejected_by_kind[k] = guard_.rejected(static_cast<StreamId>(i), static_cast<BadTick>(k));
    }
  }
  s.strategy_count = static_cast<std::uint32_t>(std::min(strategies_.size(), kSnapshotStrategies));
  for (std::uint32_t i = 0; i < s.strategy_count; ++i) {
    StrategySnapshot& st = s.strategies[i];
    const std::string_view n = strategies_[i]->name();
    std::memcpy(st.name, n.data(), std::min(n.size(), sizeof st.name - 1));
    st.enabled = enabled_[i];
    st.state = static_cast<std::uint8_t>(strategies_[i]->state());
    st.intents = strategy_intents_[i];
    st.rejected = strategy_rejected_[i];
    st.pnl = book_.strategy_totals(static_cast<std::uint16_t>(i));
  }
  // Greeks and the payoff at expiry, per position then per strategy (cold path: a publish).
  constexpr std::size_t kRiskLegs = 16;
  std::array<std::array<LegForRisk, kRiskLegs>, kSnapshotStrategies> strategy_legs{};
  std::array<std::size_t, kSnapshotStrategies> n_legs{};
  std::array<Price, kSnapshotStrategies> cost{};
  std::array<bool, kSnapshotStrategies> unbounded{};
  std::array<std::uint32_t, kSnapshotStrategies> multiplier{};
  const double year_ns = 365.0 * 86400e9;
  for (const Position& p : book_.positions()) {
    if (s.position_count == kSnapshotPositions) break;
    PositionSnapshot& ps = s.positions[s.position_count++];
    const InstrumentInfo& info = registry_.get(p.instrument).info;
    if (p.quantity != 0 && info.asset == AssetClass::kOption) {
      const double q = static_cast<double>(p.quantity) * static_cast<double>(p.multiplier);
      const options::RootInfo root = options::root_info(root_of(info.option));
      const InstrumentId under = registry_.find(root.underlying);
      const Price spot = under != kNoInstrument ? market_.reference_price(under) : Price::invalid();
      const double t = static_cast<double>(settle_ns_ - now_) / year_ns;
      bool done = false;
      if (expires_today(p.instrument) && spot.valid() && p.mark.valid() && t > 0) {
        options::BsmInput in;
        in.right = info.option.right;
        in.spot = spot.to_double();
        in.strike = info.option.strike.to_double();
        in.t = t;
        const options::IvResult iv = options::implied_vol(in, p.mark.to_double());
        if (iv.ok()) {
          in.sigma = iv.iv;
          const options::Greeks g = options::bsm_greeks(in);
          ps.iv = iv.iv;
          ps.greeks = DollarGreeks{g.delta * q * in.spot, g.gamma * q * in.spot * in.spot * 0.01, g.theta * q / 365.0,
                                   g.vega * q * 0.01, false};
          done = true;
        }
      }
      if (!done) ps.greeks.partial = true;
    } else if (p.quantity != 0) {
      const Price px = p.mark.valid() ? p.mark : market_.reference_price(p.instrument);
      ps.greeks.delta = static_cast<double>(p.quantity) * (px.valid() ? px.to_double() : 0.0);
      ps.greeks.partial = !px.valid();
    }
    if (p.quantity != 0 && p.strategy < kSnapshotStrategies) {
      if (info.asset == AssetClass::kOption && n_legs[p.strategy] < kRiskLegs) {
        // One "unit" made of every open option leg: ratio = contracts, the cost of them all.
        strategy_legs[p.strategy][n_legs[p.strategy]++] =
            LegForRisk{info.option.right, info.option.strike, p.quantity > 0 ? Side::kBuy : Side::kSell,
                       static_cast<std::uint32_t>(p.quantity > 0 ? p.quantity : -p.quantity)};
        cost[p.strategy] = cost[p.strategy] + p.open_cost;
        multiplier[p.strategy] = p.multiplier;
      } else {
        unbounded[p.strategy] = true;  // stock (a hedge) or more legs than counted
      }
    }
    const std::string_view sym = registry_.get(p.instrument).symbol_view();
    std::memcpy(ps.symbol, sym.data(), std::min(sym.size(), sizeof ps.symbol - 1));
    ps.strategy = p.strategy;
    ps.instrument = p.instrument;
    ps.quantity = p.quantity;
    ps.mark = p.mark;
    ps.unrealized = p.unrealized();
    ps.realized = p.realized;
    ps.fees = p.fees;
    s.greeks.add(ps.greeks);
    if (p.strategy < s.strategy_count) s.strategies[p.strategy].greeks.add(ps.greeks);
  }
  s.max_loss = Price::zero();
  s.max_loss_defined = true;
  for (std::uint32_t i = 0; i < s.strategy_count; ++i) {
    StrategySnapshot& st = s.strategies[i];
    st.max_loss = Price::zero();
    st.max_loss_defined = !unbounded[i];
    if (n_legs[i] > 0) {
      const SpreadRisk r = spread_risk(std::span<const LegForRisk>(strategy_legs[i].data(), n_legs[i]), cost[i], 0.2);
      st.max_loss = r.max_loss * static_cast<std::int64_t>(multiplier[i]);
      st.max_loss_defined = st.max_loss_defined && r.defined;
    }
    s.max_loss = s.max_loss + st.max_loss;
    s.max_loss_defined = s.max_loss_defined && st.max_loss_defined;
  }
  // Live orders first, then the most recent finished ones.
  const auto all = om_.orders();
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t k = all.size(); k-- > 0 && s.order_count < kSnapshotOrders;) {
      const Order& o = all[k];
      if ((pass == 0) != o.is_live()) continue;
      OrderSnapshot& os = s.orders[s.order_count++];
      os.id = o.id;
      os.strategy = o.strategy;
      os.state = o.state;
      os.leg_count = o.leg_count;
      os.legged = o.legged;
      os.quantity = o.quantity;
      os.filled = o.filled_units();
      os.limit = o.limit;
      os.created_ns = o.created_ns;
    }
  }
}

}  // namespace odte
