// Journals -> a Run: trades from order commands and booked legs, the equity curve from the
// engine's minute marks, risk rejections from intents.

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>

#include "odte/core/engine/engine.hpp"
#include "odte/core/journal/journal.hpp"
#include "odte/core/engine/journal_records.hpp"
#include "odte/core/options/forward.hpp"
#include "odte/reports/report.hpp"
#include "time_format.hpp"

namespace odte::reports {

namespace {

namespace fs = std::filesystem;

constexpr double kDefaultEquity = 100'000.0;

std::string text_of(const char* p, std::size_t max) {
  std::size_t n = 0;
  while (n < max && p[n] != '\0') ++n;
  return std::string(p, n);
}

double signed_qty(Side side, std::uint32_t q) {
  return side == Side::kBuy ? static_cast<double>(q) : -static_cast<double>(q);
}

struct PendingIntent {
  Intent intent;
  bool used = false;
};

struct OrderInfo {
  OrderCommand command;
  std::string reason;
  std::size_t trade = SIZE_MAX;  // index into run.trades
};

bool same_order(const Intent& i, const OrderCommand& c) {
  if (i.strategy != c.strategy || i.quantity != c.quantity || i.limit != c.limit || i.leg_count != c.leg_count) {
    return false;
  }
  for (int k = 0; k < i.leg_count && k < kMaxLegs; ++k) {
    if (i.legs[k].instrument != c.legs[k].instrument || i.legs[k].side != c.legs[k].side ||
        i.legs[k].ratio != c.legs[k].ratio) {
      return false;
    }
  }
  return true;
}

// Per trade: sums that become entry/exit prices once the journal is read.
struct TradeWork {
  double open_net = 0.0;   // sum of signed qty x price of opening fills (per contract unit)
  double close_net = 0.0;  // same for closing fills
  double first_leg_open = 0.0;
  std::uint16_t first_leg_ratio = 1;
};


class Loader {
 public:
  Loader(Run& run, const ReportOptions& options) : run_{run}, options_{options} {}

  bool read(const std::string& path, std::string& error) {
    JournalReader reader;
    const JournalScan scan = reader.read(path);
    if (scan.status != JournalStatus::kOk) {
      error = scan.error.empty() ? "journal " + path + ": " + std::string(to_string(scan.status)) : "journal " + scan.error;
      return false;
    }
    if (scan.torn_tail_bytes > 0) {
      run_.warnings.push_back("journal " + fs::path(path).filename().string() + ": torn last record ignored (" +
                              std::to_string(scan.torn_tail_bytes) + " bytes)");
    }
    begin_day(scan.trading_day);
    for (const JournalRecord& r : scan.records) {
      if (!apply(r)) {
        error = "journal " + path + ": record " + std::to_string(r.sequence) + " has a payload of " +
                std::to_string(r.payload.size()) + " bytes, not what its type needs (another build's journal?)";
        return false;
      }
    }
    end_day();
    return true;
  }

  void finish() {
    double equity = options_.equity.value_or(equity_from_marks_ > 0.0 ? equity_from_marks_ : kDefaultEquity);
    initial_equity_ = equity;
    for (Trade& t : run_.trades) {
      const TradeWork& w = work_[t.number - 1];
      if (w.first_leg_ratio > 0 && w.first_leg_open > 0.0) {
        t.units = static_cast<std::uint32_t>(w.first_leg_open / w.first_leg_ratio + 0.5);
      }
      if (t.units > 0) {
        t.entry = w.open_net / t.units;
        t.exit = -w.close_net / t.units;
      }
    }
  }

  [[nodiscard]] double initial_equity() const { return initial_equity_; }

 private:
  void begin_day(std::int32_t day) {
    day_ = DayResult{};
    day_.day = day;
    day_.complete = false;
    day_cash_ = 0.0;
    day_last_mark_ = std::nullopt;
    open_.clear();
    exposed_since_ = 0;
    last_ns_ = 0;
    intents_.clear();
    orders_.clear();
  }

  void see(TimestampNs t) { last_ns_ = std::max(last_ns_, t); }

  bool apply(const JournalRecord& r) {
    switch (r.type) {
      case JournalRecordType::kSessionStart: {
        JournalSessionMarker m;
        if (!r.read_pod(m)) return false;
        day_.session_start_ns = m.at_ns;
        see(m.at_ns);
        return true;
      }
      case JournalRecordType::kSessionEnd: {
        JournalSessionMarker m;
        if (!r.read_pod(m)) return false;
        day_.session_end_ns = m.at_ns;
        day_.complete = true;
        see(m.at_ns);
        return true;
      }
      case JournalRecordType::kIntent: {
        JournalIntent j;
        if (!r.read_pod(j)) return false;
        ++run_.stats.intents;
        if (j.reason == RiskReason::kNone && last_flatten_ != SIZE_MAX &&
            text_of(j.intent.reason, sizeof j.intent.reason) == "operator:flatten") {
          ++run_.flattens[last_flatten_].closing_orders;
        }
        if (j.reason != RiskReason::kNone) {
          ++run_.rejections[std::string(to_string(j.reason))];
          ++run_.stats.rejections;
        } else {
          intents_.push_back(PendingIntent{j.intent, false});
        }
        return true;
      }
      case JournalRecordType::kOrderCommand: {
        OrderCommand c;
        if (!r.read_pod(c)) return false;
        see(c.created_ns);
        if (c.kind == CommandKind::kNew) on_new_order(c);
        return true;
      }
      case JournalRecordType::kBookFill: {
        JournalFill f;
        if (!r.read_pod(f)) return false;
        see(f.at_ns);
        on_fill(f);
        return true;
      }
      case JournalRecordType::kSettlement: {
        JournalSettlement v;
        if (!r.read_pod(v)) return false;
        see(v.at_ns);
        Settlement st;
        st.day = day_.day;
        st.at_ns = v.at_ns;
        st.value_ns = v.value_ns;
        st.underlying = text_of(v.underlying, sizeof v.underlying);
        st.value = v.value.to_double();
        st.style = v.style == static_cast<std::uint8_t>(SettlementStyle::kCash) ? "cash" : "physical";
        st.positions = v.positions;
        run_.settlements.push_back(std::move(st));
        return true;
      }
      case JournalRecordType::kAccount: {
        // The strategies' names as the run had them: they fill what the options did not name.
        JournalAccount a;
        if (!r.read_pod(a)) return false;
        std::size_t at = 0;
        for (std::size_t i = 0; i < a.strategies_named && at < sizeof a.names; ++i) {
          const std::string name = text_of(a.names + at, sizeof a.names - at);
          at += name.size() + 1;
          if (run_.strategy_names.size() <= i) run_.strategy_names.resize(i + 1);
          if (run_.strategy_names[i].empty()) run_.strategy_names[i] = name;
        }
        return true;
      }
      case JournalRecordType::kVarianceSwap: {
        JournalVarianceSwap v;
        if (!r.read_pod(v)) return false;
        see(v.at_ns);
        VarianceSwapDay d;
        d.day = day_.day;
        d.at_ns = v.at_ns;
        d.strategy = strategy_label(run_, v.strategy);
        d.underlying = text_of(v.underlying, sizeof v.underlying);
        d.root = text_of(v.root, sizeof v.root);
        d.expiry = v.expiry_yyyymmdd;
        d.status = std::string(options::to_string(static_cast<options::ChainStatus>(v.status)));
        d.variance = v.variance;
        d.bid_variance = v.bid_variance;
        d.ask_variance = v.ask_variance;
        d.forward = v.forward;
        d.years = v.years;
        d.puts = v.puts;
        d.calls = v.calls;
        d.strikes = v.strikes;
        run_.variance_swaps.push_back(std::move(d));
        return true;
      }
      case JournalRecordType::kMark: {
        JournalMark m;
        if (!r.read_pod(m)) return false;
        see(m.at_ns);
        on_mark(m);
        return true;
      }
      case JournalRecordType::kFlatten: {
        JournalFlatten f;
        if (!r.read_pod(f)) return false;
        see(f.at_ns);
        last_flatten_ = run_.flattens.size();
        run_.flattens.push_back(
            OperatorFlatten{f.at_ns, f.peer_uid, f.peer_pid, f.open_positions, f.working_orders, 0});
        return true;
      }
      default:
        return true;  // operator commands, limits, reconciliation, exec reports: not needed here
    }
  }

  void on_new_order(const OrderCommand& c) {
    OrderInfo info{c, {}, SIZE_MAX};
    for (PendingIntent& p : intents_) {
      if (!p.used && same_order(p.intent, c)) {
        p.used = true;
        info.reason = text_of(p.intent.reason, sizeof p.intent.reason);
        break;
      }
    }
    orders_[c.id.value] = std::move(info);
  }

  // The trade an order's fills belong to; an opening order's trade starts at its first fill, so
  // orders that never filled make no trade.
  std::size_t trade_of(OrderInfo& info, TimestampNs at) {
    if (info.trade != SIZE_MAX) return info.trade;
    const OrderCommand& c = info.command;
    if (c.opening == 1) {
      info.trade = new_trade(c.id, c.strategy, info.reason, at);
      work_.back().first_leg_ratio = c.legs[0].ratio == 0 ? std::uint16_t{1} : c.legs[0].ratio;
    } else if (c.closes.valid()) {
      if (auto it = orders_.find(c.closes.value); it != orders_.end()) info.trade = it->second.trade;
    }
    if (info.trade != SIZE_MAX && c.opening != 1 && !info.reason.empty()) {
      run_.trades[info.trade].close_reason = info.reason;
    }
    return info.trade;
  }

  std::size_t new_trade(ClientOrderId id, std::uint16_t strategy, const std::string& reason, TimestampNs at) {
    Trade t;
    t.number = static_cast<std::uint32_t>(run_.trades.size() + 1);
    t.day = day_.day;
    t.open_order = id;
    t.strategy = strategy;
    t.open_reason = reason;
    t.opened_ns = at;
    run_.trades.push_back(std::move(t));
    work_.emplace_back();
    ++day_.trades;
    return run_.trades.size() - 1;
  }

  // A fill of an order that is not an opening order nor a close of one (a legging repair): the
  // open trade of the same strategy holding that instrument.
  std::size_t trade_holding(std::uint16_t strategy, const std::string& symbol) const {
    for (std::size_t i = run_.trades.size(); i-- > 0;) {
      const Trade& t = run_.trades[i];
      if (t.strategy != strategy || t.closed) continue;
      for (const LegResult& l : t.legs) {
        if (l.symbol == symbol && l.open_qty != 0) return i;
      }
    }
    return SIZE_MAX;
  }

  void on_fill(const JournalFill& jf) {
    Fill f;
    f.day = day_.day;
    f.at_ns = jf.at_ns;
    f.order = jf.order;
    f.strategy = jf.strategy;
    f.leg = jf.leg;
    f.symbol = text_of(jf.symbol, sizeof jf.symbol);
    f.right = static_cast<char>(jf.right);
    f.strike = jf.strike.to_double();
    f.side = jf.side;
    f.quantity = jf.quantity;
    f.multiplier = jf.multiplier == 0 ? 1 : jf.multiplier;
    f.price = jf.price.to_double();
    f.fee = jf.fee.to_double();
    f.opening = jf.opening == 1;
    switch (static_cast<FillSettlement>(jf.settlement)) {
      case FillSettlement::kNone: break;
      case FillSettlement::kCash: f.settlement = "cash"; break;
      case FillSettlement::kExercise: f.settlement = "exercise"; break;
      case FillSettlement::kAssignment: f.settlement = "assignment"; break;
    }

    std::size_t ti = SIZE_MAX;
    auto order = orders_.find(jf.order.value);
    if (order != orders_.end()) ti = trade_of(order->second, jf.at_ns);
    if (ti == SIZE_MAX) ti = trade_holding(jf.strategy, f.symbol);
    // Shares from an exercise or assignment start a trade of their own, named for how they came.
    if (ti == SIZE_MAX) ti = new_trade(jf.order, jf.strategy, f.settlement.empty() ? "" : "expiry:" + f.settlement, jf.at_ns);
    if (order != orders_.end()) order->second.trade = ti;
    Trade& t = run_.trades[ti];
    TradeWork& w = work_[ti];
    f.trade = t.number;

    // A trade its own closing order closed in part (the physical close bought back the short legs
    // and left a long leg nobody bid to expire) keeps that order's reason.
    if (!f.settlement.empty() && !f.opening && t.close_reason.empty()) t.close_reason = "expiry:" + f.settlement;
    const double q = signed_qty(f.side, f.quantity);
    const double cash = -q * f.price * f.multiplier;
    auto leg = std::find_if(t.legs.begin(), t.legs.end(), [&](const LegResult& l) { return l.symbol == f.symbol; });
    if (leg == t.legs.end()) {
      LegResult l;
      l.symbol = f.symbol;
      l.right = f.right;
      l.strike = f.strike;
      l.open_side = f.side;
      t.legs.push_back(l);
      leg = t.legs.end() - 1;
    }
    if (f.opening) {
      leg->contracts += f.quantity;
      w.open_net += q * f.price;
      if (f.leg == 0) w.first_leg_open += f.quantity;
      if (f.side == Side::kSell) t.premium_sold += f.price * f.quantity * f.multiplier;
    } else {
      w.close_net += q * f.price;
    }
    leg->pnl += cash - f.fee;
    leg->fees += f.fee;
    leg->open_qty += static_cast<std::int64_t>(q);
    t.pnl += cash - f.fee;
    t.fees += f.fee;
    const bool flat = std::all_of(t.legs.begin(), t.legs.end(), [](const LegResult& l) { return l.open_qty == 0; });
    t.closed = flat;
    t.closed_ns = flat ? f.at_ns : 0;

    day_cash_ += cash - f.fee;
    day_.fees += f.fee;
    // Exposure: any (strategy, instrument) position not flat.
    const std::string key = std::to_string(f.strategy) + "/" + f.symbol;
    const bool was_exposed = !open_.empty();
    std::int64_t& pos = open_[key];
    pos += static_cast<std::int64_t>(q);
    if (pos == 0) open_.erase(key);
    if (!was_exposed && !open_.empty()) exposed_since_ = f.at_ns;
    if (was_exposed && open_.empty()) day_.exposed_s += static_cast<double>(f.at_ns - exposed_since_) * 1e-9;
    run_.fills.push_back(std::move(f));
  }

  void on_mark(const JournalMark& m) {
    if (equity_from_marks_ <= 0.0) equity_from_marks_ = m.equity.to_double();
    const double net = (m.realized + m.unrealized - m.fees).to_double();
    day_last_mark_ = net;
    day_marks_.push_back(EquityPoint{m.at_ns, day_.day, net, 0.0, 0.0, m.open_positions > 0});
  }

  void end_day() {
    const TimestampNs end = day_.complete ? day_.session_end_ns : last_ns_;
    if (day_.session_start_ns == 0) day_.session_start_ns = first_time();
    day_.session_end_ns = std::max(end, day_.session_start_ns);
    if (!open_.empty()) {
      day_.exposed_s += static_cast<double>(day_.session_end_ns - exposed_since_) * 1e-9;
      if (day_last_mark_) {
        day_.pnl = *day_last_mark_;
        run_.warnings.push_back("day " + std::to_string(day_.day) + ": " + std::to_string(open_.size()) +
                                " position(s) open at the end of the journal, valued at the engine's last minute "
                                "mark (not settled: the journal ends before the close, or the settlement value was missing)");
      } else {
        day_.pnl = day_cash_;
        run_.warnings.push_back("day " + std::to_string(day_.day) +
                                ": positions open at the end of the journal and no mark: valued at cash flows only");
      }
    } else {
      day_.pnl = day_cash_;  // flat: exact, equal to the book's realized less fees
    }
    if (!day_.complete) {
      run_.warnings.push_back("day " + std::to_string(day_.day) + ": no session_end marker (the run was stopped)");
    }
    // The day's curve: flat at the start, the marks, the final value at the end.
    std::vector<EquityPoint> pts;
    pts.push_back(EquityPoint{day_.session_start_ns, day_.day, 0.0, 0.0, 0.0, false});
    for (const EquityPoint& p : day_marks_) {
      if (p.at_ns >= day_.session_start_ns && p.at_ns <= day_.session_end_ns) pts.push_back(p);
    }
    pts.push_back(EquityPoint{day_.session_end_ns, day_.day, day_.pnl, 0.0, 0.0, !open_.empty()});
    days_.push_back(DayCurve{day_, std::move(pts)});
    day_marks_.clear();
  }

  TimestampNs first_time() const {
    TimestampNs t = last_ns_;
    for (const EquityPoint& p : day_marks_) t = std::min(t, p.at_ns);
    return t;
  }

 public:
  struct DayCurve {
    DayResult day;
    std::vector<EquityPoint> points;  // pnl relative to the day's start
  };
  std::vector<DayCurve> days_;

 private:
  Run& run_;
  const ReportOptions& options_;
  DayResult day_;
  double day_cash_ = 0.0;
  std::optional<double> day_last_mark_;
  std::vector<EquityPoint> day_marks_;
  std::map<std::string, std::int64_t> open_;
  TimestampNs exposed_since_ = 0;
  TimestampNs last_ns_ = 0;
  std::vector<PendingIntent> intents_;
  std::size_t last_flatten_ = SIZE_MAX;  // run_.flattens entry the following operator:flatten orders belong to
  std::map<std::uint64_t, OrderInfo> orders_;
  std::vector<TradeWork> work_;
  double equity_from_marks_ = 0.0;
  double initial_equity_ = kDefaultEquity;
};


}  // namespace

std::string strategy_label(const Run& run, std::uint16_t s) {
  if (s < run.strategy_names.size() && !run.strategy_names[s].empty()) return run.strategy_names[s];
  return "strategy " + std::to_string(s);
}

namespace {

std::vector<std::string> expand(const std::vector<std::string>& paths, std::string& error) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (const auto& e : fs::directory_iterator(p, ec)) {
        if (e.path().extension() == ".odj") found.push_back(e.path().string());
      }
      if (found.empty()) {
        error = p + ": a directory with no journal (*.odj) in it";
        return {};
      }
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(p);
    }
  }
  return out;
}

void add(std::vector<Breakdown>& v, const std::string& label, double pnl) {
  auto it = std::find_if(v.begin(), v.end(), [&](const Breakdown& b) { return b.label == label; });
  if (it == v.end()) {
    v.push_back(Breakdown{label, 0.0, 0});
    it = v.end() - 1;
  }
  it->pnl += pnl;
  ++it->count;
}

}  // namespace

std::optional<Run> load_run(const std::vector<std::string>& journals, const ReportOptions& options, std::string& error) {
  const std::vector<std::string> files = expand(journals, error);
  if (files.empty()) {
    if (error.empty()) error = "no journal given";
    return std::nullopt;
  }
  // Days in trading-day order, whatever order the paths came in.
  std::vector<std::pair<std::int32_t, std::string>> ordered;
  for (const std::string& f : files) {
    JournalReader reader;
    const JournalScan scan = reader.read(f);
    if (scan.status != JournalStatus::kOk) {
      error = scan.error.empty() ? "journal " + f + ": " + std::string(to_string(scan.status)) : "journal " + scan.error;
      return std::nullopt;
    }
    ordered.emplace_back(scan.trading_day, f);
  }
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });

  Run run;
  run.strategy_names = options.strategy_names;
  run.name = options.name;
  if (run.name.empty()) {
    const fs::path p(journals.front());
    run.name = p.has_stem() ? p.stem().string() : p.string();
    if (run.name.empty()) run.name = p.parent_path().filename().string();
  }
  Loader loader(run, options);
  for (const auto& [day, f] : ordered) {
    run.journals.push_back(f);
    if (!loader.read(f, error)) return std::nullopt;
  }
  loader.finish();
  run.warnings.insert(run.warnings.end(), options.warnings.begin(), options.warnings.end());
  const double initial = loader.initial_equity();

  // The run's curve: each day's points offset by the P&L of the days before it.
  double cumulative = 0.0;
  for (auto& dc : loader.days_) {
    DayResult d = dc.day;
    d.equity_start = initial + cumulative;
    d.ret = d.equity_start != 0.0 ? d.pnl / d.equity_start : 0.0;
    for (EquityPoint p : dc.points) {
      p.pnl += cumulative;
      p.equity = initial + p.pnl;
      run.curve.push_back(p);
    }
    cumulative += d.pnl;
    run.days.push_back(d);
  }
  double peak = run.curve.empty() ? initial : run.curve.front().equity;
  for (EquityPoint& p : run.curve) {
    peak = std::max(peak, p.equity);
    p.drawdown = peak - p.equity;
  }

  for (const Trade& t : run.trades) {
    add(run.by_strategy, strategy_label(run, t.strategy), t.pnl);
    for (const LegResult& l : t.legs) {
      add(run.by_leg, l.symbol, l.pnl);
      add(run.by_right, l.right == 'C' ? "call" : l.right == 'P' ? "put" : "other", l.pnl);
      add(run.by_direction, l.open_side == Side::kSell ? "short legs" : "long legs", l.pnl);
    }
  }
  std::sort(run.by_strategy.begin(), run.by_strategy.end(),
            [](const Breakdown& a, const Breakdown& b) { return a.label < b.label; });
  std::sort(run.by_leg.begin(), run.by_leg.end(), [](const Breakdown& a, const Breakdown& b) { return a.label < b.label; });
  std::sort(run.by_right.begin(), run.by_right.end(), [](const Breakdown& a, const Breakdown& b) { return a.label < b.label; });
  std::sort(run.by_direction.begin(), run.by_direction.end(),
            [](const Breakdown& a, const Breakdown& b) { return a.label > b.label; });  // short, then long
  for (const DayResult& d : run.days) {
    add(run.by_month, detail::month_label(d.day), d.pnl);
    add(run.by_year, std::to_string(d.day / 10000), d.pnl);
  }

  const std::uint64_t intents = run.stats.intents;
  const std::uint64_t rejections = run.stats.rejections;
  run.stats = compute_stats(run, initial);
  run.stats.intents = intents;
  run.stats.rejections = rejections;
  return run;
}

std::string OperatorFlatten::describe() const {
  std::string out = "operator flatten at " + detail::et_time(at_ns) + " ET";
  if (peer_uid != 0 || peer_pid != 0) {
    out += " by uid " + std::to_string(peer_uid) + " (pid " + std::to_string(peer_pid) + ")";
  }
  out += ": " + std::to_string(closing_orders) + " closing orders sent (" + std::to_string(open_positions) +
         " open positions, " + std::to_string(working_orders) + " working orders at the time)";
  return out;
}

}  // namespace odte::reports
