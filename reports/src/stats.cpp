// The statistics of docs/reports.md. Keep the two in step.

#include <cmath>

#include "odte/reports/report.hpp"

namespace odte::reports {

namespace {

constexpr double kTradingDaysPerYear = 252.0;

}  // namespace

Stats compute_stats(const Run& run, double initial_equity) {
  Stats s;
  s.initial_equity = initial_equity;
  s.days = static_cast<std::uint32_t>(run.days.size());

  double session_s = 0.0;
  double exposed_s = 0.0;
  for (const DayResult& d : run.days) {
    s.net_pnl += d.pnl;
    session_s += static_cast<double>(d.session_end_ns - d.session_start_ns) * 1e-9;
    exposed_s += d.exposed_s;
  }
  for (const Fill& f : run.fills) s.fees += f.fee;
  s.final_equity = initial_equity + s.net_pnl;
  s.total_return = initial_equity != 0.0 ? s.net_pnl / initial_equity : 0.0;
  // One day annualized says nothing (a 0.5% day becomes 250% a year): two days at least.
  if (s.days >= 2 && 1.0 + s.total_return > 0.0) {
    s.annualized_return = std::pow(1.0 + s.total_return, kTradingDaysPerYear / s.days) - 1.0;
  }
  s.exposure = session_s > 0.0 ? exposed_s / session_s : 0.0;

  // Daily returns: Sharpe (sample standard deviation) and Sortino (downside deviation over all
  // days, target 0), both annualised with sqrt(252), risk-free rate 0.
  if (s.days >= 2) {
    double mean = 0.0;
    for (const DayResult& d : run.days) mean += d.ret;
    mean /= s.days;
    double var = 0.0;
    double down = 0.0;
    for (const DayResult& d : run.days) {
      var += (d.ret - mean) * (d.ret - mean);
      if (d.ret < 0.0) down += d.ret * d.ret;
    }
    const double sd = std::sqrt(var / (s.days - 1));
    const double dd = std::sqrt(down / s.days);
    if (sd > 0.0) s.sharpe = mean / sd * std::sqrt(kTradingDaysPerYear);
    if (dd > 0.0) s.sortino = mean / dd * std::sqrt(kTradingDaysPerYear);
  }

  // Max drawdown on the equity curve; its duration runs from the peak before the trough to the
  // first point back at that peak, or to the end of the curve when it never recovers.
  if (!run.curve.empty()) {
    double peak = run.curve.front().equity;
    std::size_t peak_i = 0;
    std::size_t max_peak_i = 0;
    std::size_t max_trough_i = 0;
    for (std::size_t i = 0; i < run.curve.size(); ++i) {
      const double e = run.curve[i].equity;
      if (e > peak) {
        peak = e;
        peak_i = i;
      }
      const double dd = peak - e;
      if (dd > s.max_drawdown) {
        s.max_drawdown = dd;
        s.max_drawdown_pct = peak > 0.0 ? dd / peak : 0.0;
        max_peak_i = peak_i;
        max_trough_i = i;
      }
    }
    if (s.max_drawdown > 0.0) {
      const double top = run.curve[max_peak_i].equity;
      TimestampNs end = run.curve.back().at_ns;
      for (std::size_t i = max_trough_i; i < run.curve.size(); ++i) {
        if (run.curve[i].equity >= top) {
          end = run.curve[i].at_ns;
          break;
        }
      }
      s.max_drawdown_duration_s = static_cast<double>(end - run.curve[max_peak_i].at_ns) * 1e-9;
    }
  }

  // Trades: win rate and profit factor over closed trades, P&L net of fees.
  double gross_win = 0.0;
  double gross_loss = 0.0;
  s.trades = static_cast<std::uint32_t>(run.trades.size());
  for (const Trade& t : run.trades) {
    s.premium_sold += t.premium_sold;
    if (!t.closed) continue;
    ++s.closed_trades;
    if (t.pnl > 0.0) {
      ++s.wins;
      gross_win += t.pnl;
    } else if (t.pnl < 0.0) {
      ++s.losses;
      gross_loss += t.pnl;
    }
  }
  if (s.closed_trades > 0) s.win_rate = static_cast<double>(s.wins) / s.closed_trades;
  if (gross_loss < 0.0) s.profit_factor = gross_win / -gross_loss;
  if (s.wins > 0) s.average_win = gross_win / s.wins;
  if (s.losses > 0) s.average_loss = gross_loss / s.losses;
  return s;
}

}  // namespace odte::reports
