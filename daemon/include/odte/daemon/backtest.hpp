#pragma once

// `odte backtest`: the plan of a sweep -- recordings (one trading day each) times parameter sets --
// and each run's odted configuration. The runs themselves are odted replays (docs/research.md):
// this file only decides what runs, with which config, where its outputs go, and whether a run
// already finished.
//
// A parameter grid is a TOML file (docs/research.md, "Parameter grid"):
//
//   [grid]                                       # cartesian product of every key's values
//   "strategy.iv_spike_butterfly.params.wing_fraction" = [0.03, 0.05, 0.07]
//   "risk.max_risk_fraction" = [0.005, 0.01]
//
// or an explicit list of sets, each a table of key = value (and an optional name):
//
//   [[set]]
//   name = "narrow"
//   "strategy.iv_spike_butterfly.params.wing_fraction" = 0.03
//
// A key is a dotted path into the odted config. `strategy.NAME.` addresses the [[strategy]] named
// NAME (`strategy.3.` the fourth by position); what follows is a key of that table (`enabled`,
// `params.wing_fraction`). Keys the backtest sets itself (mode,
// journal, output_dir, replay.recording/transport/speed, admin.socket/metrics_port, log.path) are
// refused. Unquoted dotted keys (`risk.max_risk_fraction = [...]`) are the same keys.
//
// Cold path only.

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace odte::daemon::backtest {

// One parameter set: its name (a folder name) and its key = value overrides (values as TOML text).
struct ParamSet {
  std::string name;
  std::vector<std::pair<std::string, std::string>> values;  // key, TOML value text; in grid key order
};

// Parses a grid file's text. Throws std::runtime_error naming the file and key on a bad grid.
[[nodiscard]] std::vector<ParamSet> parse_grid(const std::string& toml_text, const std::string& source_name);
[[nodiscard]] std::vector<ParamSet> load_grid(const std::filesystem::path& file);

// One recording, one trading day.
struct Day {
  std::string recording;   // as given (relative to the working directory, like odted's own paths)
  std::int32_t day = 0;    // yyyymmdd
};

// The recordings named by `inputs` (files, folders of *.odr, or glob patterns), each checked to be
// one trading day (check_single_trading_day), sorted by day. Throws std::runtime_error on an input
// that matches nothing, a recording that cannot be read or spans several days, or two recordings
// of the same day.
[[nodiscard]] std::vector<Day> find_days(const std::vector<std::string>& inputs);

// "20260720" -> "2026-07-20" (a run's folder name).
[[nodiscard]] std::string day_text(std::int32_t day);

struct Run {
  std::string set;
  std::int32_t day = 0;
  std::string recording;
  std::string dir;         // OUT/runs/<set>/<day>
};

// The base config file's text with `set`'s overrides applied and the run's own keys set (mode
// replay in-process at full speed, journal and outputs in run.dir, the admin socket at
// `admin_socket`, no metrics port, the log in run.dir/odted.log). Throws std::runtime_error naming
// the key when an override does not apply (no such strategy, a reserved key).
[[nodiscard]] std::string run_config(const std::string& base_toml, const std::string& base_name, const ParamSet& set,
                                     const Run& run, const std::string& admin_socket);

// The run list: one line per run, "set<TAB>day<TAB>recording<TAB>dir", in plan order (sets outer,
// days inner). What `--shard i/n` splits and a cluster job array reads.
[[nodiscard]] std::string run_list_text(const std::vector<Run>& runs);
[[nodiscard]] std::vector<Run> parse_run_list(const std::string& text);

// A run is complete when odted finished it (exit 0: summary.json says "finished", the report is
// written) with the config now in its folder: done.json holds the config it ran with.
[[nodiscard]] bool run_complete(const Run& run, const std::string& config_text);

// `i/n` (1 <= i <= n): the runs whose position in the list is i-1 modulo n.
[[nodiscard]] bool parse_shard(const std::string& text, unsigned& index, unsigned& count);

}  // namespace odte::daemon::backtest
