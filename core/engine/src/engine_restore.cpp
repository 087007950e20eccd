// Restart recovery for the non-deterministic modes (live, paper-live, real brokers): rebuilding
// the engine from its journal, then reconciling it with the broker's view. Cold paths: these run
// once at start, so they may allocate and format text.

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>

#include "odte/core/engine/engine.hpp"

namespace odte {

const char* to_string(EquitySource s) noexcept {
  switch (s) {
    case EquitySource::kConfig: return "config";
    case EquitySource::kPaperBroker: return "paper_broker";
    case EquitySource::kBroker: return "broker";
  }
  return "config";
}

const char* to_string(ReconcileStatus s) noexcept {
  switch (s) {
    case ReconcileStatus::kNone: return "none";
    case ReconcileStatus::kPending: return "pending";
    case ReconcileStatus::kOk: return "ok";
    case ReconcileStatus::kOrphans: return "orphans";
    case ReconcileStatus::kMismatch: return "mismatch";
    case ReconcileStatus::kTimeout: return "timeout";
    case ReconcileStatus::kIncomplete: return "incomplete";
  }
  return "unknown";
}

namespace {

constexpr std::uint8_t kSourceLegs = 1;   // Order::fill_source values (order_manager.cpp)
constexpr std::uint8_t kSourceCombo = 2;

template <std::size_t N>
std::string_view c_str_view(const char (&text)[N]) noexcept {
  return {text, strnlen(text, N)};
}

// The instrument an instrument or book_fill record describes (both carry the same asset and
// option fields); the option's underlying is left unresolved.
template <typename Record>
InstrumentInfo info_of(const Record& j) noexcept {
  InstrumentInfo info{};
  info.asset = static_cast<AssetClass>(j.asset);
  if (info.asset == AssetClass::kOption) {
    info.option.expiry_yyyymmdd = j.expiry_yyyymmdd;
    info.option.right = static_cast<OptionRight>(j.right);
    info.option.strike = j.strike;
    info.option.multiplier = j.multiplier;
    info.option.underlying = kNoInstrument;
  }
  return info;
}

}  // namespace

void Engine::journal_instrument(InstrumentId id) noexcept {
  if (journal_ == nullptr || id >= instrument_journaled_.size() || instrument_journaled_[id] != 0) return;
  instrument_journaled_[id] = 1;
  JournalInstrument rec;
  std::memset(static_cast<void*>(&rec), 0, sizeof rec);
  const Instrument& inst = registry_.get(id);
  rec.id = id;
  rec.asset = static_cast<std::uint8_t>(inst.info.asset);
  rec.strike = Price::zero();
  if (inst.info.asset == AssetClass::kOption) {
    rec.right = static_cast<std::uint8_t>(inst.info.option.right);
    rec.expiry_yyyymmdd = inst.info.option.expiry_yyyymmdd;
    rec.multiplier = inst.info.option.multiplier;
    rec.strike = inst.info.option.strike;
    std::memcpy(rec.root, inst.info.option.root, sizeof rec.root - 1);
  }
  const std::string_view sym = inst.symbol_view();
  std::memcpy(rec.symbol, sym.data(), std::min(sym.size(), sizeof rec.symbol - 1));
  journal(JournalRecordType::kInstrument, &rec, sizeof rec);
}

RestoreResult Engine::restore(const JournalScan& scan, TimestampNs now) {
  RestoreResult res;
  res.torn_tail_bytes = scan.torn_tail_bytes;
  state_ = CoreState::kStarting;
  auto fail = [&](std::string text) {
    res.ok = false;
    res.error = std::move(text);
    state_ = CoreState::kHalted;
    restoring_ = false;
    note("restore: " + res.error);
    return res;
  };
  if (now > now_) now_ = now;
  if (scan.status == JournalStatus::kMissing) {
    res.ok = true;  // first start of the day: nothing to restore, reconciliation still runs
    return res;
  }
  if (scan.status != JournalStatus::kOk) {
    return fail(std::string("journal ") + to_string(scan.status) + ": " + scan.error);
  }
  if (scan.trading_day != config_.orders.trading_day) {
    return fail("journal is for trading day " + std::to_string(scan.trading_day) + ", this run is " +
                std::to_string(config_.orders.trading_day));
  }
  if (!om_.orders().empty() || stats_.reports != 0 || stats_.intents != 0) {
    return fail("restore on an engine that already traded");
  }
  restoring_ = true;
  now_ = 0;
  auto see = [this](TimestampNs t) {
    if (t > now_) now_ = t;
  };

  // Instrument ids are per process: the journal's ids are mapped to this process's ones.
  std::vector<InstrumentId> remap(registry_.capacity(), kNoInstrument);
  // Each process journals its own ids before it first uses them, so a journal written across
  // restarts holds one mapping per process: a later instrument record for an id replaces the
  // earlier one. This process has journaled none of its ids yet (instrument_journaled_ stays clear).
  auto intern = [this](std::string_view symbol, const InstrumentInfo& info) { return registry_.intern(symbol, info); };
  auto map_legs = [&](OrderLeg* legs, int n) {
    for (int i = 0; i < n && i < kMaxLegs; ++i) {
      if (legs[i].instrument >= remap.size() || remap[legs[i].instrument] == kNoInstrument) return false;
      legs[i].instrument = remap[legs[i].instrument];
    }
    return true;
  };

  // Accepted intents, to give each restored order the reason its intent carried.
  std::vector<Intent> accepted;
  std::size_t next_accepted = 0;

  // The book_fill records an exec report's fill produces follow it directly (the engine books in
  // on_exec_report before anything else can be journaled). A fill whose records the crash cut off
  // is booked here from the report; one followed by another record was not booked live either
  // (the book refused it: counted as a book error, as it was).
  struct Expected {
    Order* order = nullptr;
    FillDelta fill{};
    Price commission;
    int legs_total = 0;
    int legs_seen = 0;
  } expected;
  auto expectation_broken = [&]() {
    if (expected.order != nullptr) ++stats_.book_errors;
    expected.order = nullptr;
  };

  std::string history_text;  // the history records' lines, in order
  for (const JournalRecord& rec : scan.records) {
    ++res.records;
    if (expected.order != nullptr && rec.type != JournalRecordType::kBookFill) expectation_broken();
    switch (rec.type) {
      case JournalRecordType::kInstrument: {
        JournalInstrument j{};
        if (!rec.read_pod(j)) return fail("instrument record " + std::to_string(rec.sequence) + " has the wrong size");
        InstrumentInfo info = info_of(j);
        if (info.asset == AssetClass::kOption) std::memcpy(info.option.root, j.root, sizeof info.option.root - 1);
        const InstrumentId id = intern(c_str_view(j.symbol), info);
        if (id == kNoInstrument || j.id >= remap.size()) {
          return fail("instrument record " + std::to_string(rec.sequence) + " (" + std::string(c_str_view(j.symbol)) +
                      ") cannot be registered");
        }
        remap[j.id] = id;
        break;
      }
      case JournalRecordType::kIntent: {
        JournalIntent j{};
        if (!rec.read_pod(j)) return fail("intent record " + std::to_string(rec.sequence) + " has the wrong size");
        const std::uint16_t s = j.intent.strategy;
        ++stats_.intents;
        if (s < strategy_intents_.size()) ++strategy_intents_[s];
        if (j.reason == RiskReason::kNone) {
          accepted.push_back(j.intent);  // legs in the journal's ids, as the commands carry them
          break;
        }
        ++stats_.rejected;
        const bool disabled = j.intent.action == IntentAction::kOpen && s < enabled_.size() && !enabled_[s] &&
                              j.reason == RiskReason::kPaused;
        if (!disabled) risk_.count_rejection(j.reason);  // the live engine counted these in the risk engine
        if (s < strategy_rejected_.size()) {
          ++strategy_rejected_[s];
          Intent in = j.intent;
          (void)map_legs(in.legs, in.leg_count);
          strategies_[s]->on_rejected(in, j.reason, *this);
        }
        break;
      }
      case JournalRecordType::kOrderCommand: {
        OrderCommand c{};
        if (!rec.read_pod(c)) return fail("order command record " + std::to_string(rec.sequence) + " has the wrong size");
        see(c.created_ns);
        const OrderCommand raw = c;
        if (c.kind == CommandKind::kNew && !map_legs(c.legs, c.leg_count)) {
          return fail("order " + c.id.to_string() + " names an instrument no instrument record defines");
        }
        Order* o = nullptr;
        const RequestStatus st = om_.restore_command(c, c.created_ns, &o);
        ++stats_.orders_sent;
        risk_.on_order_sent(c.created_ns);
        if (c.kind == CommandKind::kNew) {
          if (st != RequestStatus::kOk || o == nullptr) {
            return fail("order " + c.id.to_string() + " cannot be restored (request status " +
                        std::to_string(static_cast<int>(st)) + "): the journal is out of order or the tables too small");
          }
          ++res.orders;
          OrderMeta& m = meta_[slot_of(*o)];
          std::memset(static_cast<void*>(&m), 0, sizeof m);
          m.action = c.opening != 0 ? IntentAction::kOpen : IntentAction::kClose;
          m.spread = kNoSpread;
          for (std::size_t k = next_accepted; k < accepted.size(); ++k) {
            const Intent& in = accepted[k];
            if (in.strategy == raw.strategy && in.quantity == raw.quantity && in.limit == raw.limit &&
                in.leg_count == raw.leg_count && std::memcmp(in.legs, raw.legs, sizeof(OrderLeg) * in.leg_count) == 0) {
              std::memcpy(m.reason, in.reason, sizeof m.reason);
              if (in.action == IntentAction::kHedge) m.action = IntentAction::kHedge;  // opening = 0 on the wire
              next_accepted = k + 1;
              break;
            }
          }
          if (c.closes.valid()) {
            for (std::uint32_t i = 0; i < spreads_.size(); ++i) {
              if (spreads_[i].open_order != c.closes) continue;
              m.spread = i;
              spreads_[i].closing = c.id;
              spreads_[i].exit_sent = true;
              break;
            }
          }
        } else if (st != RequestStatus::kOk) {
          ++stats_.report_anomalies;
          note("restore: " + std::string(to_string(c.kind)) + " " + c.id.to_string() + " for " + c.orig_id.to_string() +
               " names no restored order");
        }
        break;
      }
      case JournalRecordType::kExecReport: {
        ExecutionReport r{};
        if (!rec.read_pod(r)) return fail("exec report record " + std::to_string(rec.sequence) + " has the wrong size");
        see(r.transact_ns);
        ++stats_.reports;
        if (r.kind == ExecKind::kStatus || r.kind == ExecKind::kStatusEnd) break;  // moved nothing live either
        const ApplyResult a = om_.apply(r, now_);
        if (a.status != ApplyStatus::kApplied && a.status != ApplyStatus::kDuplicate &&
            a.status != ApplyStatus::kShadowReport) {
          ++stats_.report_anomalies;
        }
        if (a.order == nullptr) break;
        Order& o = *a.order;
        if (a.fill.qty > 0) {
          ++stats_.fills;
          ++res.fills;
          expected.order = &o;
          expected.fill = a.fill;
          expected.commission = r.commission;
          expected.legs_total = a.fill.leg == kComboLeg ? o.leg_count : 1;
          expected.legs_seen = 0;
          track_spread_fill(o);
        }
        if (is_terminal(o.state)) track_spread_end(o);
        if (a.became_legged) ++stats_.legged;  // its repair order, if any, is in the journal
        break;
      }
      case JournalRecordType::kBookFill: {
        JournalFill f{};
        if (!rec.read_pod(f)) return fail("book_fill record " + std::to_string(rec.sequence) + " has the wrong size");
        see(f.at_ns);
        // Self-contained: named by symbol, never by the id of whichever process wrote it.
        const InstrumentId id = intern(c_str_view(f.symbol), info_of(f));
        if (book_.book_fill(f.strategy, id, f.side, f.quantity, f.price, f.fee) != BookStatus::kOk) ++stats_.book_errors;
        ++res.book_fills;
        if (expected.order != nullptr && expected.order->id == f.order) {
          if (++expected.legs_seen >= expected.legs_total) expected.order = nullptr;
        } else {
          expectation_broken();
        }
        break;
      }
      case JournalRecordType::kFlatten: {
        // What the flatten did is in the records that follow it; the record itself sets no state.
        JournalFlatten f{};
        if (!rec.read_pod(f)) return fail("flatten record " + std::to_string(rec.sequence) + " has the wrong size");
        see(f.at_ns);
        ++res.operator_flattens;
        break;
      }
      case JournalRecordType::kKillSwitch:
      case JournalRecordType::kPause:
      case JournalRecordType::kStrategyEnabled:
      case JournalRecordType::kRiskLimits: {
        ControlCommand c{};
        std::uint64_t after = 0;
        std::uint32_t after_ticks = 0;
        if (!control_from_journal(rec, c, after, after_ticks)) {
          return fail("operator record " + std::to_string(rec.sequence) + " has the wrong size");
        }
        switch (c.kind) {
          case ControlKind::kKill: risk_.set_kill_switch(true); break;
          case ControlKind::kUnkill: risk_.set_kill_switch(false); break;
          case ControlKind::kPause: risk_.set_paused(true); break;
          case ControlKind::kResume: risk_.set_paused(false); break;
          case ControlKind::kEnableStrategy:
          case ControlKind::kDisableStrategy:
            if (c.strategy < enabled_.size()) enabled_[c.strategy] = c.kind == ControlKind::kEnableStrategy;
            break;
          case ControlKind::kSetRiskLimits:
            config_.risk = c.limits;
            config_.exits = c.exits;
            risk_.set_limits(c.limits);
            break;
          case ControlKind::kFlatten: break;
        }
        if (rec.type != JournalRecordType::kRiskLimits) {
          JournalFlag flag{};
          if (rec.read_pod(flag)) see(flag.at_ns);
        }
        break;
      }
      case JournalRecordType::kMark: {
        JournalMark m{};
        if (rec.read_pod(m)) see(m.at_ns);
        break;
      }
      case JournalRecordType::kReconciliation: {
        JournalReconciliation j{};
        if (rec.read_pod(j)) {
          recon_ = j;  // the last attempt, for status; this start reconciles again
          see(j.at_ns);
        }
        break;
      }
      case JournalRecordType::kSettlement: {
        // Its book_fill records follow and are booked above. settle_expiry runs again at the next
        // tick after the close: it settles only what is still open (nothing, unless the crash cut
        // the settlement short) and ends the settled spreads.
        JournalSettlement j{};
        if (rec.read_pod(j)) see(j.at_ns);
        break;
      }
      case JournalRecordType::kVarianceSwap: {
        // A strategy's day record: written once a day; a restarted engine does not write it again.
        JournalVarianceSwap j{};
        if (rec.read_pod(j)) {
          see(j.at_ns);
          if (j.strategy < variance_swap_journaled_.size()) variance_swap_journaled_[j.strategy] = 1;
          ++res.variance_swaps;
        }
        break;
      }
      case JournalRecordType::kHistory:
        history_text.append(reinterpret_cast<const char*>(rec.payload.data()), rec.payload.size());
        history_text += '\n';
        break;
      case JournalRecordType::kAccount: {
        // The day's equity as the first start fetched it: a restart does not ask again.
        JournalAccount j{};
        if (!rec.read_pod(j)) return fail("account record " + std::to_string(rec.sequence) + " has the wrong size");
        config_.equity = j.equity;
        config_.config_equity = j.config_equity;
        config_.equity_source = static_cast<EquitySource>(j.source);
        account_restored_ = true;
        break;
      }
      case JournalRecordType::kSessionStart:
      case JournalRecordType::kSessionEnd:
        break;
    }
  }
  if (!history_text.empty()) {
    SessionHistory h;
    if (std::string err = SessionHistory::parse(history_text, h); !err.empty()) {
      return fail("journaled history does not parse: " + err);
    }
    history_ = std::move(h);
    history_restored_ = true;
    history_set_ = true;
  }

  // The crash cut the book_fill records of the last fill: book what is missing, as on_fill would
  // have (a combo split at the mids known now -- none right after a restart, so the first leg
  // takes the whole net), and journal it so the report adds up.
  if (expected.order != nullptr) {
    const int booked = expected.legs_seen;
    res.tail_booked = static_cast<std::uint32_t>(expected.legs_total - booked);
    book_delta(*expected.order, expected.fill, expected.commission, booked);
    note("restore: booked " + std::to_string(res.tail_booked) + " leg(s) of the last fill of " +
         expected.order->id.to_string() + " whose book records the crash cut off");
  }

  // Strategies adopt their orders, oldest first.
  for (const Order& o : om_.orders()) {
    if (o.is_live()) ++res.live_orders;
    if (o.strategy >= strategies_.size()) continue;
    const OrderMeta& m = meta_[slot_of(o)];
    RestoredOrder info{m.action == IntentAction::kOpen, false, 0};
    if (info.opening) {
      for (std::uint32_t i = 0; i < spreads_.size(); ++i) {
        const OpenSpread& s = spreads_[i];
        if (s.open_order != o.id) continue;
        info.open_units = o.filled_units() > s.closed_units ? o.filled_units() - s.closed_units : 0;
        for (const Order& c : om_.orders()) {
          if (meta_[slot_of(c)].spread == i && meta_[slot_of(c)].action != IntentAction::kOpen) info.exit_sent = true;
        }
      }
    }
    strategies_[o.strategy]->on_restore(o, info, *this);
  }
  for (std::size_t i = 0; i < strategies_.size(); ++i) {
    if (!enabled_[i]) strategies_[i]->set_state(StrategyState::kDisabled);
  }
  restoring_ = false;
  if (now > now_) now_ = now;
  next_timer_ = now_;
  res.ok = true;
  char line[200];
  std::snprintf(line, sizeof line,
                "restore: %llu records, %u orders (%u working), %llu fills, next id %s; trading halted until reconciled",
                static_cast<unsigned long long>(res.records), res.orders, res.live_orders,
                static_cast<unsigned long long>(res.fills),
                ClientOrderId::make(config_.orders.trading_day, om_.next_seq()).to_string().c_str());
  note(line);
  return res;
}

// ---- reconciliation -------------------------------------------------------------------------

bool Engine::begin_reconciliation(TimestampNs now, std::int64_t timeout_ns) noexcept {
  if (now > now_) now_ = now;
  std::memset(static_cast<void*>(&recon_), 0, sizeof recon_);
  recon_reports_.clear();
  recon_overflow_ = false;
  OrderCommand c;
  std::memset(static_cast<void*>(&c), 0, sizeof c);
  c.kind = CommandKind::kStatusRequest;
  c.created_ns = now_;
  c.id = om_.reserve_request_id();
  recon_.request = c.id;
  recon_.at_ns = now_;
  if (!c.id.valid() || !push(c)) {
    state_ = CoreState::kHalted;
    recon_.status = static_cast<std::uint8_t>(ReconcileStatus::kTimeout);
    journal(JournalRecordType::kReconciliation, &recon_, sizeof recon_);
    note("reconcile: the status request could not be sent; halted");
    return false;
  }
  recon_request_ = c.id;
  recon_deadline_ = timeout_ns > 0 ? now_ + timeout_ns : std::numeric_limits<TimestampNs>::max();
  recon_.status = static_cast<std::uint8_t>(ReconcileStatus::kPending);
  state_ = CoreState::kReconciling;
  return true;
}

void Engine::reconciliation_timed_out(TimestampNs now) noexcept {
  if (now > now_) now_ = now;
  if (state_ == CoreState::kReconciling) finish_reconciliation(false, 0);
}

void Engine::on_status_report(const ExecutionReport& r) noexcept {
  if (state_ != CoreState::kReconciling || !recon_request_.valid() || r.orig_id != recon_request_) return;
  if (r.kind == ExecKind::kStatus) {
    ++recon_.status_reports;
    if (recon_reports_.size() < recon_reports_.capacity()) {
      recon_reports_.push_back(r);
    } else {
      recon_overflow_ = true;
    }
    return;
  }
  finish_reconciliation(true, r.last_qty);
}

void Engine::reconcile_problem(ClientOrderId id, const std::string& text) {
  if (!recon_.first_problem.valid()) recon_.first_problem = id;
  note("reconcile: " + text);
}

void Engine::synthesize(const Order& o, ExecKind kind, const char* text) noexcept {
  ExecutionReport r = blank_report(kind, o.working_id, now_);
  std::memcpy(r.text, text, std::min(std::strlen(text), sizeof r.text - 1));
  on_exec_report(r, now_);
}

void Engine::apply_status_fills(Order& o, const ExecutionReport& s) noexcept {
  const bool combo = s.leg == kComboLeg;
  if (!combo && s.leg >= o.leg_count) {
    ++recon_.mismatches;
    reconcile_problem(o.id, "broker reports leg " + std::to_string(s.leg) + " of " + o.id.to_string() + ", which has " +
                                std::to_string(o.leg_count) + " legs");
    return;
  }
  const bool other_source = o.fill_source != 0 && o.fill_source != (combo ? kSourceCombo : kSourceLegs);
  const std::uint32_t known = combo ? (o.fill_source == kSourceLegs ? o.filled_units() : o.combo_filled)
                                    : o.leg_filled[s.leg];
  if (s.cum_qty == known) return;
  if (s.cum_qty < known) {
    ++recon_.mismatches;
    reconcile_problem(o.id, "broker has " + std::to_string(s.cum_qty) + " filled on " + o.id.to_string() + " leg " +
                                (combo ? std::string("combo") : std::to_string(s.leg)) + ", the journal " +
                                std::to_string(known) + "; nothing un-booked");
    return;
  }
  if (other_source) {
    ++recon_.mismatches;
    reconcile_problem(o.id, "broker reports " + std::string(combo ? "combo" : "leg") + " fills on " + o.id.to_string() +
                                " that the journal booked the other way; not applied");
    return;
  }
  // A fill the journal lacks: applied as an ordinary report (journaled, booked, told to the
  // strategy), at the price that makes the broker's average come out over the whole quantity.
  const std::uint32_t delta = s.cum_qty - known;
  const Price known_notional = combo ? o.combo_notional : o.leg_notional[s.leg];
  const Price::Rep missing = s.last_price.ticks() * static_cast<Price::Rep>(s.cum_qty) - known_notional.ticks();
  ExecutionReport f;
  std::memset(static_cast<void*>(&f), 0, sizeof f);
  const std::uint32_t cap = combo ? o.quantity : o.quantity * o.legs[s.leg].ratio;
  f.kind = s.cum_qty >= cap ? ExecKind::kFill : ExecKind::kPartialFill;
  f.leg = s.leg;
  f.last_qty = delta;
  f.cum_qty = s.cum_qty;
  f.id = s.id;
  f.broker_order_id = s.broker_order_id;
  f.last_price = Price::from_ticks(missing / static_cast<Price::Rep>(delta));
  f.commission = Price::from_ticks(s.commission.ticks() * static_cast<Price::Rep>(delta) / static_cast<Price::Rep>(s.cum_qty));
  f.leaves_qty = s.leaves_qty;
  f.transact_ns = now_;
  std::memcpy(f.text, "reconcile:fill", 14);
  ++recon_.fills_applied;
  note("reconcile: applied a fill the journal lacked: " + o.id.to_string() + " " +
       (combo ? std::string("combo") : "leg " + std::to_string(s.leg)) + " " + std::to_string(delta) + " at " +
       f.last_price.to_string());
  on_exec_report(f, now_);
}

void Engine::finish_reconciliation(bool answered, std::uint32_t expected) noexcept {
  recon_.at_ns = now_;
  recon_.expected_reports = expected;
  const bool complete = answered && !recon_overflow_ && expected == recon_.status_reports;
  // Orders sent after the status request are not in its answer: only older ones are judged.
  const std::uint32_t judged_below = recon_request_.seq();
  const std::size_t n = om_.orders().size();
  std::vector<std::uint8_t> seen(n, 0);
  std::vector<std::uint32_t> leaves(n, 0);
  Order* table = const_cast<Order*>(om_.orders().data());

  for (const ExecutionReport& s : recon_reports_) {
    Order* o = om_.find(s.id);
    if (o == nullptr) {
      ++recon_.orphans;
      reconcile_problem(s.id, "the broker reports order " + s.id.to_string() + " (broker id " +
                                  std::to_string(s.broker_order_id) + ", " + std::to_string(s.leaves_qty) +
                                  " working) that the journal does not have: orphan; halted for the operator");
      continue;
    }
    const std::size_t slot = slot_of(*o);
    if (slot < n) {
      if (seen[slot] == 0) ++recon_.orders_matched;
      seen[slot] = 1;
      leaves[slot] = std::max(leaves[slot], s.leaves_qty);
    }
    apply_status_fills(*o, s);
  }

  if (complete) {
    for (std::size_t i = 0; i < n; ++i) {
      Order& o = table[i];
      if (o.id.seq() >= judged_below) continue;
      if (seen[i] != 0) {
        if (o.is_live() && leaves[i] == 0) {
          ++recon_.orders_closed;
          note("reconcile: " + o.id.to_string() + " is finished at the broker; closed as cancelled");
          synthesize(o, ExecKind::kCancelled, "reconcile:done");
        } else if (o.state == OrderState::kPendingNew) {
          synthesize(o, ExecKind::kAccepted, "reconcile:working");
        } else if (!o.is_live() && leaves[i] > 0) {
          ++recon_.mismatches;
          reconcile_problem(o.id, "the broker works " + o.id.to_string() + " (" + std::to_string(leaves[i]) +
                                      " units), which the journal has " + std::string(to_string(o.state)));
        }
      } else if (o.is_live()) {
        ++recon_.orders_closed;
        note("reconcile: " + o.id.to_string() + " (" + std::string(to_string(o.state)) +
             " in the journal) is unknown to the broker; closed as cancelled");
        synthesize(o, ExecKind::kCancelled, "reconcile:unknown");
      }
    }
  }

  ReconcileStatus st = ReconcileStatus::kOk;
  if (recon_.orphans > 0) {
    st = ReconcileStatus::kOrphans;
  } else if (recon_.mismatches > 0) {
    st = ReconcileStatus::kMismatch;
  } else if (!answered) {
    st = ReconcileStatus::kTimeout;
  } else if (!complete) {
    st = ReconcileStatus::kIncomplete;
  }
  recon_.status = static_cast<std::uint8_t>(st);
  state_ = st == ReconcileStatus::kOk ? CoreState::kRunning : CoreState::kHalted;
  journal(JournalRecordType::kReconciliation, &recon_, sizeof recon_);
  char line[240];
  std::snprintf(line, sizeof line,
                "reconcile %s: %u status reports (%u announced), %u orders matched, %u fills applied, %u closed, %u "
                "orphans, %u mismatches; %s",
                to_string(st), recon_.status_reports, recon_.expected_reports, recon_.orders_matched,
                recon_.fills_applied, recon_.orders_closed, recon_.orphans, recon_.mismatches,
                st == ReconcileStatus::kOk ? "trading resumes" : "halted: no opening orders until an operator acts");
  note(line);
}

// ---- description ----------------------------------------------------------------------------

std::string Engine::describe() const {
  std::string out;
  char line[400];
  for (const Order& o : om_.orders()) {
    const OrderMeta& m = meta_[slot_of(o)];
    std::snprintf(line, sizeof line,
                  "order %s working=%s strategy=%u state=%s qty=%u limit=%s filled=%u legged=%d action=%d spread=%d "
                  "combo=%u/%s",
                  o.id.to_string().c_str(), o.working_id.to_string().c_str(), o.strategy,
                  std::string(to_string(o.state)).c_str(), o.quantity, o.limit.to_string().c_str(), o.filled_units(),
                  o.legged ? 1 : 0, static_cast<int>(m.action), m.spread == kNoSpread ? -1 : static_cast<int>(m.spread),
                  o.combo_filled, o.combo_notional.to_string().c_str());
    out += line;
    for (int i = 0; i < o.leg_count; ++i) {
      std::snprintf(line, sizeof line, " leg%d=%s:%s:%u:%u/%s", i,
                    std::string(registry_.get(o.legs[i].instrument).symbol_view()).c_str(),
                    o.legs[i].side == Side::kBuy ? "B" : o.short_sale != 0 ? "SS" : "S", o.legs[i].ratio, o.leg_filled[i],
                    o.leg_notional[i].to_string().c_str());
      out += line;
    }
    out += '\n';
  }
  for (const OpenSpread& s : spreads_) {
    std::snprintf(line, sizeof line, "spread open=%s strategy=%u closed=%u closing=%s exit_sent=%d\n",
                  s.open_order.to_string().c_str(), s.strategy, s.closed_units,
                  s.closing.valid() ? s.closing.to_string().c_str() : "-", s.exit_sent ? 1 : 0);
    out += line;
  }
  for (const Position& p : book_.positions()) {
    std::snprintf(line, sizeof line, "position %u %s qty=%lld cost=%s realized=%s fees=%s fills=%u\n", p.strategy,
                  std::string(registry_.get(p.instrument).symbol_view()).c_str(), static_cast<long long>(p.quantity),
                  p.open_cost.to_string().c_str(), p.realized.to_string().c_str(), p.fees.to_string().c_str(), p.fills);
    out += line;
  }
  const PnlTotals t = book_.totals();
  std::snprintf(line, sizeof line, "pnl realized=%s fees=%s open=%u\n", t.realized.to_string().c_str(),
                t.fees.to_string().c_str(), t.open_positions);
  out += line;
  const RiskLimits& l = risk_.limits();
  std::snprintf(line, sizeof line,
                "risk killed=%d paused=%d daily_loss=%s max_open=%u rate=%u max_risk=%g undefined=%d exit_minute=%d "
                "target=%g stop=%g\n",
                risk_.kill_switch() ? 1 : 0, risk_.paused() ? 1 : 0, l.daily_loss_limit.to_string().c_str(),
                l.max_open_positions, l.max_orders_per_second, l.max_risk_fraction, l.allow_undefined_risk ? 1 : 0,
                config_.exits.exit_minute, config_.exits.profit_target_fraction, config_.exits.stop_credit_multiple);
  out += line;
  out += "rejections";
  for (std::size_t i = 1; i < static_cast<std::size_t>(RiskReason::kCount); ++i) {
    const std::uint64_t n = risk_.rejections(static_cast<RiskReason>(i));
    if (n == 0) continue;
    std::snprintf(line, sizeof line, " %s=%llu", std::string(to_string(static_cast<RiskReason>(i))).c_str(),
                  static_cast<unsigned long long>(n));
    out += line;
  }
  out += '\n';
  for (std::size_t i = 0; i < strategies_.size(); ++i) {
    std::snprintf(line, sizeof line, "strategy %zu %s enabled=%d state=%s intents=%u rejected=%u\n", i,
                  std::string(strategies_[i]->name()).c_str(), enabled_[i] ? 1 : 0,
                  std::string(to_string(strategies_[i]->state())).c_str(), strategy_intents_[i], strategy_rejected_[i]);
    out += line;
  }
  std::snprintf(line, sizeof line,
                "stats intents=%llu rejected=%llu orders_sent=%llu reports=%llu fills=%llu legged=%llu next_seq=%u\n",
                static_cast<unsigned long long>(stats_.intents), static_cast<unsigned long long>(stats_.rejected),
                static_cast<unsigned long long>(stats_.orders_sent), static_cast<unsigned long long>(stats_.reports),
                static_cast<unsigned long long>(stats_.fills), static_cast<unsigned long long>(stats_.legged),
                om_.next_seq());
  out += line;
  return out;
}

}  // namespace odte
