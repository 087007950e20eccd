// JSON and CSV outputs. Columns are documented in docs/reports.md.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "odte/reports/report.hpp"
#include "time_format.hpp"

namespace odte::reports {

using nlohmann::ordered_json;
using detail::fixed;

namespace {

// Rounded so the shortest round-trip text is the fixed decimal one; -0 becomes 0.
double round_to(double v, int decimals) {
  const double k = std::pow(10.0, decimals);
  const double r = std::round(v * k) / k;
  return r == 0.0 ? 0.0 : r;
}
double money(double v) { return round_to(v, 2); }
double ratio(double v) { return round_to(v, 6); }
ordered_json opt_ratio(const std::optional<double>& v) { return v ? ordered_json(ratio(*v)) : ordered_json(nullptr); }
ordered_json opt_money(const std::optional<double>& v) { return v ? ordered_json(money(*v)) : ordered_json(nullptr); }

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Fixed notation (never "8e-06"), trailing zeros dropped; empty for null.
std::string csv_number(const ordered_json& v) {
  if (v.is_null()) return {};
  if (!v.is_number_float()) return v.dump();
  std::string s = fixed(v.get<double>(), 6);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

std::string right_label(char r) { return r == 'C' ? "call" : r == 'P' ? "put" : ""; }

ordered_json breakdown_json(const std::vector<Breakdown>& v) {
  ordered_json out = ordered_json::array();
  for (const Breakdown& b : v) out.push_back(ordered_json{{"label", b.label}, {"pnl", money(b.pnl)}, {"count", b.count}});
  return out;
}

}  // namespace

ordered_json stats_json(const Stats& s);
ordered_json stats_json(const Stats& s) {
  return ordered_json{
      {"initial_equity", money(s.initial_equity)},
      {"final_equity", money(s.final_equity)},
      {"net_pnl", money(s.net_pnl)},
      {"fees", money(s.fees)},
      {"total_return", ratio(s.total_return)},
      {"annualized_return", opt_ratio(s.annualized_return)},
      {"sharpe", opt_ratio(s.sharpe)},
      {"sortino", opt_ratio(s.sortino)},
      {"max_drawdown", money(s.max_drawdown)},
      {"max_drawdown_pct", ratio(s.max_drawdown_pct)},
      {"max_drawdown_duration_s", round_to(s.max_drawdown_duration_s, 3)},
      {"days", s.days},
      {"trades", s.trades},
      {"closed_trades", s.closed_trades},
      {"wins", s.wins},
      {"losses", s.losses},
      {"win_rate", opt_ratio(s.win_rate)},
      {"profit_factor", opt_ratio(s.profit_factor)},
      {"average_win", opt_money(s.average_win)},
      {"average_loss", opt_money(s.average_loss)},
      {"exposure", ratio(s.exposure)},
      {"premium_sold", money(s.premium_sold)},
      {"intents", s.intents},
      {"risk_rejections", s.rejections},
  };
}

std::string summary_json(const Run& run) {
  ordered_json journals = ordered_json::array();
  for (const std::string& j : run.journals) journals.push_back(std::filesystem::path(j).filename().string());
  ordered_json days = ordered_json::array();
  for (const DayResult& d : run.days) {
    days.push_back(ordered_json{{"day", detail::day_label(d.day)},
                                {"pnl", money(d.pnl)},
                                {"return", ratio(d.ret)},
                                {"trades", d.trades},
                                {"fees", money(d.fees)},
                                {"complete", d.complete}});
  }
  ordered_json trades = ordered_json::array();
  for (const Trade& t : run.trades) {
    ordered_json legs = ordered_json::array();
    for (const LegResult& l : t.legs) {
      legs.push_back(ordered_json{{"symbol", l.symbol},
                                  {"right", right_label(l.right)},
                                  {"strike", round_to(l.strike, 4)},
                                  {"side", l.open_side == Side::kSell ? "short" : "long"},
                                  {"contracts", l.contracts},
                                  {"pnl", money(l.pnl)},
                                  {"fees", money(l.fees)}});
    }
    trades.push_back(ordered_json{{"number", t.number},
                                  {"day", detail::day_label(t.day)},
                                  {"strategy", t.strategy},
                                  {"strategy_name", strategy_label(run, t.strategy)},
                                  {"open_order", t.open_order.to_string()},
                                  {"opened", detail::et_time(t.opened_ns)},
                                  {"closed", t.closed ? ordered_json(detail::et_time(t.closed_ns)) : ordered_json(nullptr)},
                                  {"open_reason", t.open_reason},
                                  {"close_reason", t.close_reason},
                                  {"units", t.units},
                                  {"entry", round_to(t.entry, 4)},
                                  {"exit", t.closed ? ordered_json(round_to(t.exit, 4)) : ordered_json(nullptr)},
                                  {"premium_sold", money(t.premium_sold)},
                                  {"fees", money(t.fees)},
                                  {"pnl", money(t.pnl)},
                                  {"legs", legs}});
  }
  ordered_json rejections = ordered_json::object();
  for (const auto& [reason, n] : run.rejections) rejections[reason] = n;
  ordered_json flattens = ordered_json::array();
  for (const OperatorFlatten& f : run.flattens) {
    flattens.push_back(ordered_json{{"at_ns", f.at_ns},
                                    {"peer_uid", f.peer_uid},
                                    {"peer_pid", f.peer_pid},
                                    {"open_positions", f.open_positions},
                                    {"working_orders", f.working_orders},
                                    {"closing_orders", f.closing_orders}});
  }
  ordered_json settlements = ordered_json::array();
  for (const Settlement& st : run.settlements) {
    settlements.push_back(ordered_json{{"day", detail::day_label(st.day)},
                                       {"at", detail::et_time(st.at_ns)},
                                       {"underlying", st.underlying},
                                       {"value", round_to(st.value, 4)},
                                       {"value_at", detail::et_time(st.value_ns)},
                                       {"style", st.style},
                                       {"positions", st.positions}});
  }
  // Seed 004's day records: full precision (the rates are small numbers; rounding would lose them).
  ordered_json variance_swaps = ordered_json::array();
  for (const VarianceSwapDay& v : run.variance_swaps) {
    variance_swaps.push_back(ordered_json{{"day", detail::day_label(v.day)},
                                          {"at", detail::et_time(v.at_ns)},
                                          {"strategy", v.strategy},
                                          {"underlying", v.underlying},
                                          {"root", v.root},
                                          {"expiry", v.expiry},
                                          {"status", v.status},
                                          {"variance_swap_rate", v.variance},
                                          {"bid_variance_swap_rate", v.bid_variance},
                                          {"ask_variance_swap_rate", v.ask_variance},
                                          {"implied_forward", v.forward},
                                          {"years", v.years},
                                          {"puts", v.puts},
                                          {"calls", v.calls},
                                          {"strikes", v.strikes}});
  }
  const ordered_json j{
      {"run", run.name},
      {"journals", journals},
      {"statistics", stats_json(run.stats)},
      {"days", days},
      {"by_strategy", breakdown_json(run.by_strategy)},
      {"by_leg", breakdown_json(run.by_leg)},
      {"by_right", breakdown_json(run.by_right)},
      {"by_direction", breakdown_json(run.by_direction)},
      {"by_month", breakdown_json(run.by_month)},
      {"by_year", breakdown_json(run.by_year)},
      {"risk_rejections", rejections},
      {"trades", trades},
      {"settlements", settlements},
      {"variance_swaps", variance_swaps},
      {"warnings", run.warnings},
      {"operator_flattens", flattens},
  };
  return j.dump(2) + "\n";
}

std::string trades_csv(const Run& run) {
  std::string out =
      "trade,day,strategy,open_order,opened_et,closed_et,open_reason,close_reason,units,entry,exit,premium_sold,fees,"
      "pnl,status\n";
  for (const Trade& t : run.trades) {
    out += std::to_string(t.number) + "," + detail::day_label(t.day) + "," + csv_field(strategy_label(run, t.strategy)) + "," +
           t.open_order.to_string() + "," + detail::et_time(t.opened_ns) + "," +
           (t.closed ? detail::et_time(t.closed_ns) : std::string()) + "," + csv_field(t.open_reason) + "," +
           csv_field(t.close_reason) + "," + std::to_string(t.units) + "," + fixed(t.entry, 4) + "," +
           (t.closed ? fixed(t.exit, 4) : std::string()) + "," + fixed(t.premium_sold, 2) + "," + fixed(t.fees, 2) +
           "," + fixed(t.pnl, 2) + "," + (t.closed ? "closed" : "open") + "\n";
  }
  return out;
}

std::string legs_csv(const Run& run) {
  std::string out = "trade,symbol,right,strike,side,contracts,fees,pnl,open_qty\n";
  for (const Trade& t : run.trades) {
    for (const LegResult& l : t.legs) {
      out += std::to_string(t.number) + "," + csv_field(l.symbol) + "," + right_label(l.right) + "," +
             fixed(l.strike, 2) + "," + (l.open_side == Side::kSell ? "short" : "long") + "," +
             std::to_string(l.contracts) + "," + fixed(l.fees, 2) + "," + fixed(l.pnl, 2) + "," +
             std::to_string(l.open_qty) + "\n";
    }
  }
  return out;
}

std::string fills_csv(const Run& run) {
  std::string out =
      "trade,day,time_et,at_ns,order,strategy,leg,symbol,right,strike,side,quantity,price,fee,multiplier,opening,settlement\n";
  for (const Fill& f : run.fills) {
    out += std::to_string(f.trade) + "," + detail::day_label(f.day) + "," + detail::et_time(f.at_ns) + "," +
           std::to_string(f.at_ns) + "," + f.order.to_string() + "," + csv_field(strategy_label(run, f.strategy)) + "," +
           std::to_string(f.leg) + "," + csv_field(f.symbol) + "," + right_label(f.right) + "," + fixed(f.strike, 2) +
           "," + (f.side == Side::kBuy ? "buy" : "sell") + "," + std::to_string(f.quantity) + "," + fixed(f.price, 4) +
           "," + fixed(f.fee, 4) + "," + std::to_string(f.multiplier) + "," + (f.opening ? "1" : "0") + "," +
           f.settlement + "\n";
  }
  return out;
}

std::string daily_csv(const Run& run) {
  std::string out = "day,trades,pnl,fees,equity_start,return,session_s,exposed_s,complete\n";
  for (const DayResult& d : run.days) {
    out += detail::day_label(d.day) + "," + std::to_string(d.trades) + "," + fixed(d.pnl, 2) + "," + fixed(d.fees, 2) +
           "," + fixed(d.equity_start, 2) + "," + fixed(d.ret, 6) + "," +
           fixed(static_cast<double>(d.session_end_ns - d.session_start_ns) * 1e-9, 3) + "," + fixed(d.exposed_s, 3) +
           "," + (d.complete ? "1" : "0") + "\n";
  }
  return out;
}

std::string equity_csv(const Run& run) {
  std::string out = "at_ns,time_et,day,pnl,equity,drawdown,open_position\n";
  for (const EquityPoint& p : run.curve) {
    out += std::to_string(p.at_ns) + "," + detail::et_time(p.at_ns) + "," + detail::day_label(p.day) + "," +
           fixed(p.pnl, 2) + "," + fixed(p.equity, 2) + "," + fixed(p.drawdown, 2) + "," +
           (p.open_position ? "1" : "0") + "\n";
  }
  return out;
}

std::string comparison_json(const std::vector<Run>& runs) {
  ordered_json out = ordered_json::array();
  for (const Run& r : runs) out.push_back(ordered_json{{"run", r.name}, {"statistics", stats_json(r.stats)}});
  return out.dump(2) + "\n";
}

std::string comparison_csv(const std::vector<Run>& runs) {
  // One row per statistic, one column per run: the table the HTML shows.
  std::vector<ordered_json> stats;
  for (const Run& r : runs) stats.push_back(stats_json(r.stats));
  std::string out = "statistic";
  for (const Run& r : runs) out += "," + csv_field(r.name);
  out += "\n";
  if (runs.empty()) return out;
  for (auto it = stats.front().begin(); it != stats.front().end(); ++it) {
    const std::string& key = it.key();
    out += key;
    for (const ordered_json& s : stats) out += "," + csv_number(s[key]);
    out += "\n";
  }
  return out;
}


std::vector<std::size_t> sweep_ranking(const Sweep& sweep) {
  std::vector<std::size_t> order(sweep.sets.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double pa = money(sweep.sets[a].run.stats.net_pnl);
    const double pb = money(sweep.sets[b].run.stats.net_pnl);
    if (pa != pb) return pa > pb;
    return sweep.sets[a].name < sweep.sets[b].name;
  });
  return order;
}

namespace {

// The day's result of one set, if that day finished.
const DayResult* sweep_day(const SweepSet& set, std::int32_t day) {
  for (const DayResult& d : set.run.days) {
    if (d.day == day) return &d;
  }
  return nullptr;
}

const SweepSet* sweep_set(const Sweep& sweep, const std::string& name) {
  for (const SweepSet& s : sweep.sets) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace

std::string sweep_json(const Sweep& sweep) {
  ordered_json days = ordered_json::array();
  for (const std::int32_t d : sweep.days) days.push_back(detail::day_label(d));
  ordered_json sets = ordered_json::array();
  const std::vector<std::size_t> rank = sweep_ranking(sweep);
  for (std::size_t r = 0; r < rank.size(); ++r) {
    const SweepSet& s = sweep.sets[rank[r]];
    ordered_json params = ordered_json::object();
    for (const auto& [k, v] : s.params) params[k] = v;
    ordered_json curve = ordered_json::array();
    double cumulative = 0.0;
    for (const DayResult& d : s.run.days) {
      cumulative += d.pnl;
      curve.push_back(ordered_json{{"day", detail::day_label(d.day)}, {"pnl", money(d.pnl)}, {"cumulative", money(cumulative)},
                                   {"trades", d.trades}});
    }
    sets.push_back(ordered_json{{"rank", r + 1},
                                {"set", s.name},
                                {"params", params},
                                {"days_ok", s.days_ok},
                                {"days_failed", s.days_failed},
                                {"statistics", stats_json(s.run.stats)},
                                {"equity_curve", curve}});
  }
  ordered_json runs = ordered_json::array();
  for (const SweepRun& r : sweep.runs) {
    ordered_json run{{"set", r.set}, {"day", detail::day_label(r.day)}, {"status", r.status}, {"report", r.link}};
    if (const SweepSet* s = sweep_set(sweep, r.set); s != nullptr) {
      if (const DayResult* d = sweep_day(*s, r.day); d != nullptr) {
        run["pnl"] = money(d->pnl);
        run["trades"] = d->trades;
      }
    }
    if (!r.error.empty()) run["error"] = r.error;
    run["notes"] = r.notes;
    runs.push_back(std::move(run));
  }
  return ordered_json{{"sweep", sweep.name}, {"days", days}, {"sets", sets}, {"runs", runs}}.dump(2) + "\n";
}

std::string sweep_sets_csv(const Sweep& sweep) {
  std::vector<std::string> keys;
  for (const SweepSet& s : sweep.sets) {
    for (const auto& [k, v] : s.params) {
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    }
  }
  std::string out = "rank,set,days_ok,days_failed";
  for (const std::string& k : keys) out += "," + csv_field(k);
  std::vector<std::string> stat_keys;
  if (!sweep.sets.empty()) {
    const ordered_json st = stats_json(sweep.sets.front().run.stats);
    for (auto it = st.begin(); it != st.end(); ++it) stat_keys.push_back(it.key());
  }
  for (const std::string& k : stat_keys) out += "," + k;
  out += "\n";
  const std::vector<std::size_t> rank = sweep_ranking(sweep);
  for (std::size_t r = 0; r < rank.size(); ++r) {
    const SweepSet& s = sweep.sets[rank[r]];
    out += std::to_string(r + 1) + "," + csv_field(s.name) + "," + std::to_string(s.days_ok) + "," +
           std::to_string(s.days_failed);
    for (const std::string& k : keys) {
      std::string v;
      for (const auto& [pk, pv] : s.params) {
        if (pk == k) v = pv;
      }
      out += "," + csv_field(v);
    }
    const ordered_json st = stats_json(s.run.stats);
    for (const std::string& k : stat_keys) out += "," + csv_number(st[k]);
    out += "\n";
  }
  return out;
}

std::string sweep_days_csv(const Sweep& sweep) {
  std::string out = "set,day,status,pnl,trades,notes,error,report\n";
  for (const SweepRun& r : sweep.runs) {
    std::string pnl;
    std::string trades;
    if (const SweepSet* s = sweep_set(sweep, r.set); s != nullptr) {
      if (const DayResult* d = sweep_day(*s, r.day); d != nullptr) {
        pnl = fixed(d->pnl, 2);
        trades = std::to_string(d->trades);
      }
    }
    std::string notes;
    for (const std::string& n : r.notes) notes += (notes.empty() ? "" : " | ") + n;
    out += csv_field(r.set) + "," + detail::day_label(r.day) + "," + r.status + "," + pnl + "," + trades + "," +
           csv_field(notes) + "," + csv_field(r.error) + "," + csv_field(r.link) + "\n";
  }
  return out;
}

}  // namespace odte::reports
