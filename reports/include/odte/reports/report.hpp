#pragma once

// Run reports: what the trader reads after a replay or a session. Computed from write-ahead
// journals alone (the record of truth): intents with their risk decisions, order commands, the
// legs the position book booked (book_fill) and the once-a-minute account marks (mark).
//
// A run is one journal (one trading day) or several (a multi-day run, ordered by trading day).
// Everything here is deterministic: the same journals give byte-identical JSON, CSV and HTML
// (fixed number formatting, no generation time). Statistics are defined in docs/reports.md.
//
// Not for the hot path: this allocates freely and reads whole files. Offline tool and session end.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "odte/core/engine/orders.hpp"

namespace odte::reports {

struct ReportOptions {
  std::vector<std::string> strategy_names;  // by strategy index; "strategy N" where missing
  std::optional<double> equity;             // account equity; else the journal's marks; else 100,000
  std::string name;                         // run name shown in reports; else from the path
  // What the run knows and the journal cannot say (a recording that ended early), shown with the
  // report's warnings.
  std::vector<std::string> warnings;
};

// One booked leg fill (a book_fill record).
struct Fill {
  std::int32_t day = 0;
  TimestampNs at_ns = 0;
  ClientOrderId order;
  std::uint32_t trade = 0;          // Trade::number it belongs to
  std::uint16_t strategy = 0;
  std::uint8_t leg = 0;
  std::string symbol;
  char right = 0;                   // 'C', 'P', 0
  double strike = 0.0;
  Side side = Side::kBuy;
  std::uint32_t quantity = 0;       // contracts
  std::uint32_t multiplier = 100;
  double price = 0.0;               // per contract unit
  double fee = 0.0;                 // dollars
  bool opening = false;
  std::string settlement;           // "", or booked by expiry settlement: "cash", "exercise", "assignment"
};

// The value one underlying's expiring positions settled against (a settlement record).
struct Settlement {
  std::int32_t day = 0;
  TimestampNs at_ns = 0;            // the session close
  TimestampNs value_ns = 0;         // exchange time of the value used
  std::string underlying;           // "I:SPX", "SPY"
  double value = 0.0;
  std::string style;                // "cash" or "physical"
  std::uint32_t positions = 0;
};

// Seed 004's day record (a variance_swap record): the implied forward and variance swap rates
// (annualised sigma^2) of one expiry's chain at a strategy's decision time.
struct VarianceSwapDay {
  std::int32_t day = 0;
  TimestampNs at_ns = 0;
  std::string strategy;             // its name (ReportOptions::strategy_names) or "strategy N"
  std::string underlying;           // "SPY", "I:SPX"
  std::string root;                 // "SPY", "SPXW"
  std::int32_t expiry = 0;          // yyyymmdd
  std::string status;               // "ok", or why the chain gave no rate (options::ChainStatus)
  double variance = 0.0;            // mid swap rate
  double bid_variance = 0.0;
  double ask_variance = 0.0;
  double forward = 0.0;
  double years = 0.0;               // time to the settlement used
  std::uint32_t puts = 0;           // out-of-the-money puts and calls in the mid sum
  std::uint32_t calls = 0;
  std::uint32_t strikes = 0;        // listed strikes of the chain
};

// A trade's result in one instrument (a leg of the spread).
struct LegResult {
  std::string symbol;
  char right = 0;
  double strike = 0.0;
  Side open_side = Side::kBuy;      // kSell: a short leg
  std::uint32_t contracts = 0;      // opened
  double pnl = 0.0;                 // dollars, cash flows less fees (complete once flat)
  double fees = 0.0;
  std::int64_t open_qty = 0;        // signed contracts still open at the end of the journal
};

// One opening order and the orders that closed it (closes = its id) or repaired it.
struct Trade {
  std::uint32_t number = 0;         // 1-based, in order of opening
  std::int32_t day = 0;
  ClientOrderId open_order;
  std::uint16_t strategy = 0;
  std::string open_reason;          // the strategy's reason on the opening intent
  std::string close_reason;         // the reason of the last closing intent ("exit:time")
  TimestampNs opened_ns = 0;
  TimestampNs closed_ns = 0;        // last fill that made it flat; 0 while open
  std::uint32_t units = 0;          // spread units opened
  double entry = 0.0;               // net per unit at open: + debit paid, - credit received
  double exit = 0.0;                // net per unit at close, same sign convention as entry
  double premium_sold = 0.0;        // dollars: short legs' premium taken in at open
  double pnl = 0.0;                 // dollars, net of fees (closed trades: final)
  double fees = 0.0;
  bool closed = false;
  std::vector<LegResult> legs;
};

struct EquityPoint {
  TimestampNs at_ns = 0;
  std::int32_t day = 0;
  double pnl = 0.0;                 // cumulative net P&L of the run, dollars
  double equity = 0.0;              // initial equity + pnl
  double drawdown = 0.0;            // peak equity so far - equity (>= 0)
  bool open_position = false;
};

struct DayResult {
  std::int32_t day = 0;
  double pnl = 0.0;                 // net, dollars
  double equity_start = 0.0;
  double ret = 0.0;                 // pnl / equity_start
  std::uint32_t trades = 0;         // trades opened that day
  double fees = 0.0;
  TimestampNs session_start_ns = 0;
  TimestampNs session_end_ns = 0;
  double exposed_s = 0.0;           // seconds with an open position
  bool complete = true;             // false: no session_end marker (a stopped run)
};

struct Stats {
  double initial_equity = 0.0;
  double final_equity = 0.0;
  double net_pnl = 0.0;
  double fees = 0.0;
  double total_return = 0.0;
  std::optional<double> annualized_return;  // needs at least two days (one day annualized means nothing)
  std::optional<double> sharpe;             // needs >= 2 days and non-zero dispersion
  std::optional<double> sortino;            // needs >= 2 days and a losing day
  double max_drawdown = 0.0;                // dollars
  double max_drawdown_pct = 0.0;            // of the peak equity
  double max_drawdown_duration_s = 0.0;     // peak to recovery (or to the end)
  std::uint32_t days = 0;
  std::uint32_t trades = 0;                 // opened
  std::uint32_t closed_trades = 0;
  std::uint32_t wins = 0;
  std::uint32_t losses = 0;
  std::optional<double> win_rate;           // over closed trades
  std::optional<double> profit_factor;      // gross wins / gross losses; none without a loss
  std::optional<double> average_win;
  std::optional<double> average_loss;       // negative
  double exposure = 0.0;                    // fraction of session time with an open position
  double premium_sold = 0.0;
  std::uint64_t intents = 0;
  std::uint64_t rejections = 0;
};

struct Breakdown {
  std::string label;
  double pnl = 0.0;
  std::uint32_t count = 0;
};

// The operator's flatten (admin socket), from the journal's flatten record and the closing orders
// that follow it (reason "operator:flatten").
struct OperatorFlatten {
  TimestampNs at_ns = 0;
  std::uint32_t peer_uid = 0;
  std::int32_t peer_pid = 0;
  std::uint32_t open_positions = 0;  // at the time
  std::uint32_t working_orders = 0;
  std::uint32_t closing_orders = 0;  // closing orders it sent
  [[nodiscard]] std::string describe() const;
};

struct Run {
  std::string name;
  std::vector<std::string> journals;
  std::vector<std::string> strategy_names;  // from ReportOptions, else the journals' account records
  std::vector<Fill> fills;
  std::vector<Trade> trades;
  std::vector<EquityPoint> curve;
  std::vector<DayResult> days;
  std::vector<Settlement> settlements;   // expiry settlements, in journal order
  std::vector<VarianceSwapDay> variance_swaps;  // seed 004's day records, in journal order
  std::map<std::string, std::uint64_t> rejections;  // by risk reason
  std::vector<Breakdown> by_strategy;
  std::vector<Breakdown> by_leg;         // per instrument
  std::vector<Breakdown> by_right;       // call, put
  std::vector<Breakdown> by_direction;   // short legs, long legs
  std::vector<Breakdown> by_month;       // yyyy-mm
  std::vector<Breakdown> by_year;        // yyyy
  std::vector<std::string> warnings;     // what the journal could not tell (torn tail, open at end)
  std::vector<OperatorFlatten> flattens; // the operator's flattens, in journal order
  Stats stats;
};

// A strategy's name ("iron_condor"); "strategy N" when neither the options nor the journal named it.
[[nodiscard]] std::string strategy_label(const Run& run, std::uint16_t strategy);

// Reads journals (each a file; a directory stands for every *.odj file in it) into one run.
// Returns nullopt with `error` set when a journal is missing or corrupt.
[[nodiscard]] std::optional<Run> load_run(const std::vector<std::string>& journals, const ReportOptions& options,
                                          std::string& error);

// The statistics of docs/reports.md from a run's days, curve and trades (load_run calls it).
[[nodiscard]] Stats compute_stats(const Run& run, double initial_equity);

// Outputs (deterministic bytes).
[[nodiscard]] std::string summary_json(const Run& run);
[[nodiscard]] std::string trades_csv(const Run& run);
[[nodiscard]] std::string legs_csv(const Run& run);
[[nodiscard]] std::string fills_csv(const Run& run);
[[nodiscard]] std::string daily_csv(const Run& run);
[[nodiscard]] std::string equity_csv(const Run& run);
[[nodiscard]] std::string report_html(const Run& run);
[[nodiscard]] std::string comparison_json(const std::vector<Run>& runs);
[[nodiscard]] std::string comparison_csv(const std::vector<Run>& runs);
[[nodiscard]] std::string comparison_html(const std::vector<Run>& runs);

// A sweep (odte backtest, docs/research.md): parameter sets x trading days, each (set, day) one
// odted replay with its own journal and report. Each set is one multi-day Run over the days that
// finished; the aggregate ranks the sets and shows every run.
struct SweepRun {
  std::string set;
  std::int32_t day = 0;
  std::string status;                 // "ok", "failed", "not run"
  std::string link;                   // the run's own report page, relative to the aggregate
  std::string error;                  // why it failed
  std::vector<std::string> notes;     // the strategies' notes ("name: text"): why they did or did not trade
};
struct SweepSet {
  std::string name;
  std::vector<std::pair<std::string, std::string>> params;  // key, value as TOML text
  Run run;                            // over the set's finished days (days may be fewer than the sweep's)
  std::uint32_t days_ok = 0;
  std::uint32_t days_failed = 0;
};
struct Sweep {
  std::string name;
  std::vector<std::int32_t> days;     // every day of the sweep, ascending
  std::vector<SweepSet> sets;         // in plan order
  std::vector<SweepRun> runs;         // sets outer, days inner
};
// The sets' indexes, best first: net P&L descending, then name.
[[nodiscard]] std::vector<std::size_t> sweep_ranking(const Sweep& sweep);
[[nodiscard]] std::string sweep_json(const Sweep& sweep);
[[nodiscard]] std::string sweep_sets_csv(const Sweep& sweep);   // one row per set, ranked
[[nodiscard]] std::string sweep_days_csv(const Sweep& sweep);   // one row per run
[[nodiscard]] std::string sweep_html(const Sweep& sweep);

// Writes summary.json, trades.csv, legs.csv, fills.csv, daily.csv, equity.csv and report.html
// for one run into `out_dir` (created). Returns an error text, empty on success.
[[nodiscard]] std::string write_report(const std::vector<std::string>& journals, const std::string& out_dir,
                                       const ReportOptions& options = {});
// Several runs: each run's report in out_dir/<n>-<name>/, and comparison.json, comparison.csv
// and comparison.html side by side in out_dir.
[[nodiscard]] std::string write_comparison(const std::vector<std::vector<std::string>>& runs, const std::string& out_dir,
                                           const ReportOptions& options = {});

}  // namespace odte::reports
