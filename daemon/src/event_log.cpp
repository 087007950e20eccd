#include "odte/daemon/event_log.hpp"

#include <cstdio>
#include <spdlog/spdlog.h>

#include "odte/core/engine/engine.hpp"
#include "odte/core/engine/journal_records.hpp"
#include "odte/core/options/calendar.hpp"

namespace odte::daemon {

namespace {

std::string text_of(const char* p, std::size_t max) {
  std::size_t n = 0;
  while (n < max && p[n] != '\0') ++n;
  return std::string(p, n);
}

std::string px(Price p) { return p.valid() ? p.to_string() : "none"; }

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return out;
}

// "BUY 1 O:SPY260821C00640000, SELL 2 O:SPY260821C00645000" for `units` spread units.
std::string legs_text(const OrderLeg* legs, int n, std::uint32_t units, const JournalNames& names) {
  std::string out;
  for (int i = 0; i < n && i < kMaxLegs; ++i) {
    if (!out.empty()) out += ", ";
    out += upper(to_string(legs[i].side)) + " " + std::to_string(static_cast<std::uint64_t>(legs[i].ratio) * units) +
           " " + names.symbol(legs[i].instrument);
  }
  return out;
}

// A net limit: "debit 1.20" / "credit 0.45".
std::string net_text(Price p) {
  if (!p.valid()) return "no limit";
  return p.ticks() < 0 ? "credit " + (-p).to_string() : "debit " + p.to_string();
}

std::string at_text(TimestampNs ns) { return ns > 0 ? " at " + new_york_time(ns) : std::string(); }

}  // namespace

std::string new_york_time(TimestampNs ns) {
  // The offset of the New York date's session (its open, or noon when closed); DST changes at
  // 02:00 on a Sunday, so it holds for every trading hour. Cached: the tz database is not cheap.
  static thread_local std::int32_t cached_date = 0;
  static thread_local int cached_offset = 0;
  const std::int32_t date = options::new_york_date(ns);
  if (date != cached_date) {
    cached_offset = options::session(date).utc_offset_minutes;
    cached_date = date;
  }
  const std::int64_t local_s = ns / 1'000'000'000 + static_cast<std::int64_t>(cached_offset) * 60;
  const std::int64_t sod = ((local_s % 86400) + 86400) % 86400;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                static_cast<int>(sod % 60));
  return buf;
}

std::string journal_record_line(JournalRecordType type, std::span<const std::byte> payload, const JournalNames& names) {
  const JournalRecord r{type, 0, 0, payload};
  switch (type) {
    case JournalRecordType::kIntent: {
      JournalIntent v;
      if (!r.read_pod(v) || v.reason == RiskReason::kNone) return {};  // accepted: its order says the rest
      const Intent& i = v.intent;
      const char* action = i.action == IntentAction::kOpen ? "open" : i.action == IntentAction::kHedge ? "hedge" : "close";
      return "risk refused " + names.strategy(i.strategy) + " " + action + " " + std::to_string(i.quantity) + " x [" +
             legs_text(i.legs, i.leg_count, 1, names) + "] " + net_text(i.limit) + ": " + std::string(to_string(v.reason)) +
             (v.max_loss_dollars.valid() && v.max_loss_dollars.ticks() != 0 ? " (max loss " + px(v.max_loss_dollars) + ")" : "") +
             " [" + text_of(i.reason, sizeof i.reason) + "]";
    }
    case JournalRecordType::kOrderCommand: {
      OrderCommand c;
      if (!r.read_pod(c)) return {};
      switch (c.kind) {
        case CommandKind::kNew:
          return "order " + c.id.to_string() + " " + names.strategy(c.strategy) + (c.opening == 1 ? " open " : " close ") +
                 std::to_string(c.quantity) + " x [" + legs_text(c.legs, c.leg_count, 1, names) + "] " + net_text(c.limit) +
                 (c.closes.valid() ? " closes " + c.closes.to_string() : "") + at_text(c.created_ns);
        case CommandKind::kCancel: {
          const OrderCommand* o = names.order(c.orig_id);
          return "cancel " + c.orig_id.to_string() + " " + (o != nullptr ? names.strategy(o->strategy) : names.strategy(c.strategy)) +
                 (o != nullptr ? " [" + legs_text(o->legs, o->leg_count, o->quantity, names) + "] " + net_text(o->limit) : "") +
                 (c.cancel_reason == static_cast<std::uint8_t>(CancelReason::kTimeInForce) ? " (time in force ended)" : "") +
                 at_text(c.created_ns);
        }
        case CommandKind::kReplace:
          return "replace " + c.orig_id.to_string() + " as " + c.id.to_string() + " " + names.strategy(c.strategy) + " " +
                 std::to_string(c.quantity) + " x [" + legs_text(c.legs, c.leg_count, 1, names) + "] " + net_text(c.limit) +
                 at_text(c.created_ns);
        default:
          return "broker status request " + c.id.to_string() + at_text(c.created_ns);
      }
    }
    case JournalRecordType::kExecReport: {
      ExecutionReport e;
      if (!r.read_pod(e)) return {};
      const OrderCommand* o = names.order(e.id);
      if (o == nullptr && e.orig_id.valid()) o = names.order(e.orig_id);
      const std::string who = o != nullptr ? names.strategy(o->strategy) : std::string("unknown order");
      const std::string order = (e.orig_id.valid() && e.kind != ExecKind::kStatus && e.kind != ExecKind::kStatusEnd
                                     ? e.orig_id : e.id).to_string();
      const std::string legs = o != nullptr ? " [" + legs_text(o->legs, o->leg_count, o->quantity, names) + "]" : "";
      const std::string text = text_of(e.text, sizeof e.text);
      switch (e.kind) {
        case ExecKind::kAccepted:
          return "ack " + order + " " + who + legs + (o != nullptr ? " " + net_text(o->limit) : "") + at_text(e.transact_ns);
        case ExecKind::kPartialFill:
        case ExecKind::kFill: {
          std::string what;
          if (e.leg == kComboLeg) {
            what = std::to_string(e.last_qty) + " x" + legs + " at net " + net_text(e.last_price);
          } else {
            const bool known = o != nullptr && e.leg < o->leg_count;
            what = "leg " + std::to_string(e.leg) + " " +
                   (known ? upper(to_string(o->legs[e.leg].side)) + " " + std::to_string(e.last_qty) + " " +
                                names.symbol(o->legs[e.leg].instrument)
                          : std::to_string(e.last_qty)) +
                   " at " + px(e.last_price);
          }
          return std::string(e.kind == ExecKind::kFill ? "fill " : "partial fill ") + order + " " + who + " " + what +
                 ", filled " + std::to_string(e.cum_qty) + ", leaves " + std::to_string(e.leaves_qty) + ", fees " +
                 px(e.commission) + at_text(e.transact_ns);
        }
        case ExecKind::kRejected:
          return "reject " + order + " " + who + legs + ": " + (text.empty() ? "no text" : text) + " (reason " +
                 std::to_string(e.reason) + ")" + at_text(e.transact_ns);
        case ExecKind::kCancelled:
          return "cancelled " + order + " " + who + legs + ", filled " + std::to_string(e.cum_qty) + at_text(e.transact_ns);
        case ExecKind::kExpired:
          return "expired " + order + " " + who + legs + at_text(e.transact_ns);
        case ExecKind::kReplaced:
          return "replaced " + order + " " + who + legs + at_text(e.transact_ns);
        case ExecKind::kCancelRejected:
          return "cancel rejected " + order + " " + who + legs + ": " + (text.empty() ? "no text" : text) + at_text(e.transact_ns);
        case ExecKind::kStatus:
          return "broker status " + e.id.to_string() + " " + who + " filled " + std::to_string(e.cum_qty) + " at " +
                 px(e.last_price) + ", leaves " + std::to_string(e.leaves_qty);
        case ExecKind::kStatusEnd:
          return "broker status end: " + std::to_string(e.last_qty) + " reports";
      }
      return {};
    }
    case JournalRecordType::kBookFill: {
      JournalFill f;
      if (!r.read_pod(f)) return {};
      const char* how = nullptr;
      switch (static_cast<FillSettlement>(f.settlement)) {
        case FillSettlement::kNone: return {};  // part of its execution's line (EventLog)
        case FillSettlement::kCash: how = "cash"; break;
        case FillSettlement::kExercise: how = "exercise"; break;
        case FillSettlement::kAssignment: how = "assignment"; break;
      }
      return std::string("settled ") + how + " " + names.strategy(f.strategy) + " " + upper(to_string(f.side)) + " " +
             std::to_string(f.quantity) + " " + text_of(f.symbol, sizeof f.symbol) + " at " + px(f.price) + at_text(f.at_ns);
    }
    case JournalRecordType::kKillSwitch:
    case JournalRecordType::kPause:
    case JournalRecordType::kStrategyEnabled: {
      JournalFlag f;
      if (!r.read_pod(f)) return {};
      if (type == JournalRecordType::kKillSwitch) {
        return std::string("kill switch ") + (f.on == 1 ? "ON" : "off") + (f.flatten == 1 ? ", flatten" : "") +
               (f.strategy == kFlagByEngine ? " (daily loss limit reached)" : "") + at_text(f.at_ns);
      }
      if (type == JournalRecordType::kPause) return std::string(f.on == 1 ? "paused" : "resumed") + at_text(f.at_ns);
      return "strategy " + names.strategy(f.strategy) + (f.on == 1 ? " enabled" : " disabled") + at_text(f.at_ns);
    }
    case JournalRecordType::kFlatten: {
      JournalFlatten f;
      if (!r.read_pod(f)) return {};
      return "flatten by uid " + std::to_string(f.peer_uid) + " pid " + std::to_string(f.peer_pid) + ": " +
             std::to_string(f.open_positions) + " open positions, " + std::to_string(f.working_orders) + " working orders" +
             at_text(f.at_ns);
    }
    case JournalRecordType::kRiskLimits: {
      JournalLimits l;
      if (!r.read_pod(l)) return {};
      char buf[256];
      std::snprintf(buf, sizeof buf,
                    "risk limits: max_risk_fraction %g, daily_loss_limit %s, max_open_positions %u, "
                    "max_orders_per_second %u",
                    l.max_risk_fraction, px(l.daily_loss_limit).c_str(), l.max_open_positions, l.max_orders_per_second);
      return buf;
    }
    case JournalRecordType::kReconciliation: {
      JournalReconciliation v;
      if (!r.read_pod(v)) return {};
      return std::string("reconciliation ") + to_string(static_cast<ReconcileStatus>(v.status)) + ": " +
             std::to_string(v.orders_matched) + " orders matched, " + std::to_string(v.fills_applied) + " fills applied, " +
             std::to_string(v.orders_closed) + " closed, " + std::to_string(v.orphans) + " orphans, " +
             std::to_string(v.mismatches) + " mismatches" + at_text(v.at_ns);
    }
    case JournalRecordType::kSettlement: {
      JournalSettlement v;
      if (!r.read_pod(v)) return {};
      return "settlement " + text_of(v.underlying, sizeof v.underlying) + " at " + px(v.value) + " (" +
             (v.style == static_cast<std::uint8_t>(SettlementStyle::kCash) ? "cash" : "physical") + "), " +
             std::to_string(v.positions) + " positions" + at_text(v.at_ns);
    }
    case JournalRecordType::kSessionStart:
    case JournalRecordType::kSessionEnd: {
      JournalSessionMarker m;
      if (!r.read_pod(m)) return {};
      return std::string(type == JournalRecordType::kSessionStart ? "session start" : "session end") + ", trading day " +
             std::to_string(m.trading_day) + at_text(m.at_ns);
    }
    case JournalRecordType::kAccount: {
      JournalAccount a;
      if (!r.read_pod(a)) return {};
      std::string list;
      for (std::uint16_t i = 0; i < a.strategy_count; ++i) list += (i == 0 ? "" : ", ") + names.strategy(i);
      return "account: equity " + px(a.equity) + " from " + to_string(static_cast<EquitySource>(a.source)) +
             " ([account] equity " + px(a.config_equity) + "); strategies: " + (list.empty() ? "none" : list);
    }
    default: return {};
  }
}

EventLog::EventLog(std::vector<std::string> strategy_names, Sink sink, const InstrumentRegistry* registry)
    : names_{std::move(strategy_names)}, sink_{std::move(sink)} {
  names_.set_registry(registry);
}

EventLog::~EventLog() { flush(); }

void EventLog::emit(const std::string& line) noexcept {
  try {
    if (sink_) {
      sink_(line);
    } else {
      spdlog::info("{}", line);
    }
    ++lines_;
  } catch (...) {  // a line lost to memory exhaustion is not worth stopping the journal for
  }
}

void EventLog::flush() noexcept {
  if (pending_.empty()) return;
  if (!pending_legs_.empty()) pending_ += "; booked " + pending_legs_;
  emit(pending_);
  pending_.clear();
  pending_legs_.clear();
  pending_order_ = 0;
}

void EventLog::on_existing_record(JournalRecordType type, std::span<const std::byte> payload) noexcept {
  try {
    names_.learn(type, payload);
  } catch (...) {
  }
}

void EventLog::on_record(JournalRecordType type, std::span<const std::byte> payload) noexcept {
  try {
    // A combo fill's booked legs, with their prices, join its line.
    if (type == JournalRecordType::kBookFill && !pending_.empty()) {
      JournalFill f;
      const JournalRecord r{type, 0, 0, payload};
      if (r.read_pod(f) && f.settlement == 0 && f.order.value == pending_order_) {
        pending_legs_ += (pending_legs_.empty() ? "" : ", ") + upper(to_string(f.side)) + " " + std::to_string(f.quantity) +
                         " " + text_of(f.symbol, sizeof f.symbol) + " at " + px(f.price);
        return;
      }
    }
    flush();
    names_.learn(type, payload);
    std::string line = journal_record_line(type, payload, names_);
    if (line.empty()) return;
    if (type == JournalRecordType::kExecReport) {
      ExecutionReport e;
      const JournalRecord r{type, 0, 0, payload};
      // A combo fill's line waits for its legs' booked prices; a leg fill already has its own.
      if (r.read_pod(e) && (e.kind == ExecKind::kFill || e.kind == ExecKind::kPartialFill) && e.leg == kComboLeg) {
        const OrderCommand* o = names_.order(e.id);
        pending_ = std::move(line);
        pending_order_ = o != nullptr ? o->id.value : e.id.value;
        return;
      }
    }
    emit(line);
  } catch (...) {
  }
}

}  // namespace odte::daemon
