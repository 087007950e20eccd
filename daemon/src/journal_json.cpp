#include "odte/daemon/journal_json.hpp"

#include <nlohmann/json.hpp>

#include "odte/core/engine/engine.hpp"
#include "odte/core/market/instrument_registry.hpp"
#include "odte/core/options/forward.hpp"

namespace odte::daemon {

using nlohmann::ordered_json;

namespace {

std::string_view type_name(JournalRecordType t) {
  switch (t) {
    case JournalRecordType::kSessionStart: return "session_start";
    case JournalRecordType::kIntent: return "intent";
    case JournalRecordType::kOrderCommand: return "order_command";
    case JournalRecordType::kExecReport: return "exec_report";
    case JournalRecordType::kRiskLimits: return "risk_limits";
    case JournalRecordType::kKillSwitch: return "kill_switch";
    case JournalRecordType::kPause: return "pause";
    case JournalRecordType::kStrategyEnabled: return "strategy_enabled";
    case JournalRecordType::kReconciliation: return "reconciliation";
    case JournalRecordType::kSessionEnd: return "session_end";
    case JournalRecordType::kBookFill: return "book_fill";
    case JournalRecordType::kMark: return "mark";
    case JournalRecordType::kInstrument: return "instrument";
    case JournalRecordType::kFlatten: return "flatten";
    case JournalRecordType::kSettlement: return "settlement";
    case JournalRecordType::kHistory: return "history";
    case JournalRecordType::kAccount: return "account";
    case JournalRecordType::kVarianceSwap: return "variance_swap";
  }
  return "unknown";
}

std::string px(Price p) { return p.valid() ? p.to_string() : "none"; }

ordered_json legs_json(const OrderLeg* legs, int n, const JournalNames* names) {
  ordered_json out = ordered_json::array();
  for (int i = 0; i < n && i < kMaxLegs; ++i) {
    out.push_back(ordered_json{{"instrument", legs[i].instrument}});
    if (names != nullptr) out.back()["symbol"] = names->symbol(legs[i].instrument);
    out.back()["side"] = to_string(legs[i].side);
    out.back()["ratio"] = legs[i].ratio;
    if (legs[i].unit == kLegShares) out.back()["unit"] = "shares";  // contracts unless said
  }
  return out;
}

std::string text_of(const char* p, std::size_t max) {
  std::size_t n = 0;
  while (n < max && p[n] != '\0') ++n;
  return std::string(p, n);
}

std::string strategy_name(const JournalNames* names, std::uint16_t id) {
  return names != nullptr ? names->strategy(id) : "strategy " + std::to_string(id);
}

}  // namespace

void JournalNames::learn(JournalRecordType type, std::span<const std::byte> payload) {
  const JournalRecord r{type, 0, 0, payload};
  switch (type) {
    case JournalRecordType::kAccount: {
      JournalAccount a;
      if (!r.read_pod(a)) return;
      std::size_t at = 0;
      for (std::size_t i = 0; i < a.strategies_named && at < sizeof a.names; ++i) {
        const std::string name = text_of(a.names + at, sizeof a.names - at);
        if (strategies_.size() <= i) strategies_.resize(i + 1);
        strategies_[i] = name;
        at += name.size() + 1;
      }
      break;
    }
    case JournalRecordType::kInstrument: {
      JournalInstrument in;
      if (r.read_pod(in)) symbols_[in.id] = text_of(in.symbol, sizeof in.symbol);
      break;
    }
    case JournalRecordType::kOrderCommand: {
      OrderCommand c;
      if (!r.read_pod(c)) return;
      if (c.kind == CommandKind::kNew) {
        orders_[c.id.value] = c;
      } else if (c.orig_id.valid()) {
        // A cancel or replace request: its id answers for the same order (a replace's new limit
        // and quantity are the order's from then on).
        const auto it = orders_.find(c.orig_id.value);
        if (it == orders_.end()) return;
        OrderCommand o = it->second;
        if (c.kind == CommandKind::kReplace) {
          o.limit = c.limit;
          o.quantity = c.quantity;
        }
        orders_[c.id.value] = o;
      }
      break;
    }
    default: break;
  }
}

std::string JournalNames::strategy(std::uint16_t id) const {
  if (id < strategies_.size() && !strategies_[id].empty()) return strategies_[id];
  return "strategy " + std::to_string(id);
}

std::string JournalNames::symbol(InstrumentId id) const {
  const auto it = symbols_.find(id);
  if (it != symbols_.end()) return it->second;
  if (registry_ != nullptr && id < registry_->size()) return std::string(registry_->get(id).symbol_view());
  return "#" + std::to_string(id);
}

const OrderCommand* JournalNames::order(ClientOrderId id) const {
  const auto it = orders_.find(id.value);
  return it != orders_.end() ? &it->second : nullptr;
}

std::string journal_record_json(const JournalRecord& r, const JournalNames* names) {
  ordered_json j{{"seq", r.sequence}, {"type", type_name(r.type)}};
  bool ok = true;
  switch (r.type) {
    case JournalRecordType::kIntent: {
      JournalIntent v;
      if ((ok = r.read_pod(v))) {
        j["strategy"] = strategy_name(names, v.intent.strategy);
        j["strategy_id"] = v.intent.strategy;
        j["action"] = v.intent.action == IntentAction::kOpen ? "open" : v.intent.action == IntentAction::kHedge ? "hedge" : "close";
        j["quantity"] = v.intent.quantity;
        j["limit"] = px(v.intent.limit);
        j["legs"] = legs_json(v.intent.legs, v.intent.leg_count, names);
        j["reason"] = text_of(v.intent.reason, sizeof v.intent.reason);
        j["risk"] = to_string(v.reason);
        j["max_loss"] = px(v.max_loss_dollars);
      }
      break;
    }
    case JournalRecordType::kOrderCommand: {
      OrderCommand c;
      if ((ok = r.read_pod(c))) {
        j["kind"] = to_string(c.kind);
        j["id"] = c.id.to_string();
        if (c.orig_id.valid()) j["orig_id"] = c.orig_id.to_string();
        j["strategy"] = strategy_name(names, c.strategy);
        j["strategy_id"] = c.strategy;
        j["quantity"] = c.quantity;
        j["limit"] = px(c.limit);
        j["opening"] = c.opening == 1;
        if (c.short_sale != 0) j["short_sale"] = true;  // absent: not a short sale
        if (c.cancel_reason == static_cast<std::uint8_t>(CancelReason::kTimeInForce)) j["cancel_reason"] = "time_in_force";
        if (c.closes.valid()) j["closes"] = c.closes.to_string();
        j["legs"] = legs_json(c.legs, c.leg_count, names);
        j["at_ns"] = c.created_ns;
      }
      break;
    }
    case JournalRecordType::kExecReport: {
      ExecutionReport e;
      if ((ok = r.read_pod(e))) {
        j["kind"] = to_string(e.kind);
        j["id"] = e.id.to_string();
        if (const OrderCommand* o = names != nullptr ? names->order(e.id) : nullptr) {
          j["strategy"] = strategy_name(names, o->strategy);
          if (e.leg != kComboLeg && e.leg < o->leg_count) j["symbol"] = names->symbol(o->legs[e.leg].instrument);
        }
        if (e.orig_id.valid()) j["orig_id"] = e.orig_id.to_string();
        j["leg"] = e.leg == kComboLeg ? ordered_json("combo") : ordered_json(e.leg);
        j["last_qty"] = e.last_qty;
        j["last_price"] = px(e.last_price);
        j["cum_qty"] = e.cum_qty;
        j["leaves_qty"] = e.leaves_qty;
        j["commission"] = px(e.commission);
        if (e.reason != 0) j["reason"] = e.reason;
        const std::string text = text_of(e.text, sizeof e.text);
        if (!text.empty()) j["text"] = text;
        j["at_ns"] = e.transact_ns;
      }
      break;
    }
    case JournalRecordType::kRiskLimits: {
      JournalLimits l;
      if ((ok = r.read_pod(l))) {
        j["max_risk_fraction"] = l.max_risk_fraction;
        j["daily_loss_limit"] = px(l.daily_loss_limit);
        j["max_open_positions"] = l.max_open_positions;
        j["max_orders_per_second"] = l.max_orders_per_second;
        j["profit_target_fraction"] = l.profit_target_fraction;
        j["stop_credit_multiple"] = l.stop_credit_multiple;
        j["exit_minute"] = l.exit_minute;
      }
      break;
    }
    case JournalRecordType::kKillSwitch:
    case JournalRecordType::kPause:
    case JournalRecordType::kStrategyEnabled: {
      JournalFlag f;
      if ((ok = r.read_pod(f))) {
        j["on"] = f.on == 1;
        if (r.type == JournalRecordType::kKillSwitch) j["flatten"] = f.flatten == 1;
        if (r.type == JournalRecordType::kStrategyEnabled) {
          j["strategy"] = strategy_name(names, f.strategy);
          j["strategy_id"] = f.strategy;
        }
        j["at_ns"] = f.at_ns;
      }
      break;
    }
    case JournalRecordType::kFlatten: {
      JournalFlatten f;
      if ((ok = r.read_pod(f))) {
        j["at_ns"] = f.at_ns;
        j["after_events"] = f.after_events;
        j["peer_uid"] = f.peer_uid;
        j["peer_pid"] = f.peer_pid;
        j["open_positions"] = f.open_positions;
        j["working_orders"] = f.working_orders;
        j["after_ticks"] = f.after_ticks;
      }
      break;
    }
    case JournalRecordType::kSessionStart:
    case JournalRecordType::kSessionEnd: {
      JournalSessionMarker m;
      if ((ok = r.read_pod(m))) {
        j["trading_day"] = m.trading_day;
        j["at_ns"] = m.at_ns;
      }
      break;
    }
    case JournalRecordType::kBookFill: {
      JournalFill f;
      if ((ok = r.read_pod(f))) {
        j["id"] = f.order.to_string();
        j["strategy"] = strategy_name(names, f.strategy);
        j["strategy_id"] = f.strategy;
        j["leg"] = f.leg;
        j["symbol"] = text_of(f.symbol, sizeof f.symbol);
        j["side"] = to_string(f.side);
        j["quantity"] = f.quantity;
        j["price"] = px(f.price);
        j["fee"] = px(f.fee);
        j["opening"] = f.opening == 1;
        switch (static_cast<FillSettlement>(f.settlement)) {  // absent: an execution
          case FillSettlement::kNone: break;
          case FillSettlement::kCash: j["settlement"] = "cash"; break;
          case FillSettlement::kExercise: j["settlement"] = "exercise"; break;
          case FillSettlement::kAssignment: j["settlement"] = "assignment"; break;
        }
        j["at_ns"] = f.at_ns;
      }
      break;
    }
    case JournalRecordType::kSettlement: {
      JournalSettlement v;
      if ((ok = r.read_pod(v))) {
        j["underlying"] = text_of(v.underlying, sizeof v.underlying);
        j["value"] = px(v.value);
        j["value_at_ns"] = v.value_ns;
        j["style"] = v.style == static_cast<std::uint8_t>(SettlementStyle::kCash) ? "cash" : "physical";
        j["positions"] = v.positions;
        j["at_ns"] = v.at_ns;
      }
      break;
    }
    case JournalRecordType::kMark: {
      JournalMark m;
      if ((ok = r.read_pod(m))) {
        j["realized"] = px(m.realized);
        j["unrealized"] = px(m.unrealized);
        j["fees"] = px(m.fees);
        j["open_spreads"] = m.open_spreads;
        j["at_ns"] = m.at_ns;
      }
      break;
    }
    case JournalRecordType::kInstrument: {
      JournalInstrument in;
      if ((ok = r.read_pod(in))) {
        j["id"] = in.id;
        j["symbol"] = text_of(in.symbol, sizeof in.symbol);
        switch (static_cast<AssetClass>(in.asset)) {
          case AssetClass::kStock: j["asset"] = "stock"; break;
          case AssetClass::kIndex: j["asset"] = "index"; break;
          case AssetClass::kOption: j["asset"] = "option"; break;
          default: j["asset"] = in.asset; break;
        }
        if (static_cast<AssetClass>(in.asset) == AssetClass::kOption) {
          j["root"] = text_of(in.root, sizeof in.root);
          j["expiry"] = in.expiry_yyyymmdd;
          j["right"] = std::string(1, static_cast<char>(in.right));
          j["strike"] = px(in.strike);
          j["multiplier"] = in.multiplier;
        }
      }
      break;
    }
    case JournalRecordType::kAccount: {
      JournalAccount a;
      if ((ok = r.read_pod(a))) {
        j["equity"] = px(a.equity);
        j["source"] = to_string(static_cast<EquitySource>(a.source));
        j["config_equity"] = px(a.config_equity);
        ordered_json list = ordered_json::array();
        std::size_t at = 0;
        for (std::size_t i = 0; i < a.strategies_named && at < sizeof a.names; ++i) {
          list.push_back(text_of(a.names + at, sizeof a.names - at));
          at += list.back().get_ref<const std::string&>().size() + 1;
        }
        j["strategies"] = std::move(list);
        j["strategy_count"] = a.strategy_count;
        j["at_ns"] = a.at_ns;
      }
      break;
    }
    case JournalRecordType::kVarianceSwap: {
      JournalVarianceSwap v;
      if ((ok = r.read_pod(v))) {
        j["strategy"] = strategy_name(names, v.strategy);
        j["underlying"] = text_of(v.underlying, sizeof v.underlying);
        j["root"] = text_of(v.root, sizeof v.root);
        j["expiry"] = v.expiry_yyyymmdd;
        j["status"] = options::to_string(static_cast<options::ChainStatus>(v.status));
        j["variance_swap_rate"] = v.variance;
        j["bid_variance_swap_rate"] = v.bid_variance;
        j["ask_variance_swap_rate"] = v.ask_variance;
        j["bid_status"] = options::to_string(static_cast<options::ChainStatus>(v.bid_status));
        j["ask_status"] = options::to_string(static_cast<options::ChainStatus>(v.ask_status));
        j["implied_forward"] = v.forward;
        j["k0"] = v.k0;
        j["years"] = v.years;
        j["puts"] = v.puts;
        j["calls"] = v.calls;
        j["strikes"] = v.strikes;
        j["at_ns"] = v.at_ns;
      }
      break;
    }
    case JournalRecordType::kHistory:
      j["line"] = std::string(reinterpret_cast<const char*>(r.payload.data()), r.payload.size());
      break;
    default:
      j["bytes"] = r.payload.size();
      break;
  }
  if (!ok) {
    j["error"] = "payload of " + std::to_string(r.payload.size()) + " bytes does not match the record type";
  }
  return j.dump();
}

}  // namespace odte::daemon
