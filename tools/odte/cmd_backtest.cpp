// odte backtest: recordings (one trading day each) x parameter sets, each (set, day) one odted
// replay in its own process, several at once; then one aggregate report. docs/research.md.
//
// Three steps, each usable alone so a cluster can run the middle one (issue 18, Slurm):
//   plan     recordings + --config [+ --grid] -> OUT/plan.json, OUT/runs.tsv, each run's config.toml
//   run      OUT/runs.tsv (or its --shard i/n) -> each run's journal, outputs, done.json
//   collect  --collect OUT -> OUT/report.html, aggregate.json, sets.csv, days.csv
// Each run is `odted --config OUT/runs/<set>/<day>/config.toml`: the very program a trader runs,
// so a run's journal is byte for byte the one odted alone writes from that config.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "odte/core/base/file_io.hpp"
#include "odte/daemon/backtest.hpp"
#include "odte/daemon/config.hpp"
#include "odte/reports/report.hpp"

extern char** environ;

namespace odte::tool {

namespace {

namespace fs = std::filesystem;
namespace bt = odte::daemon::backtest;
using nlohmann::ordered_json;

constexpr const char* kUsage =
    "usage: odte backtest --config FILE --out DIR [--grid FILE] [--jobs N] [--shard I/N] [--odted PATH]\n"
    "                     RECORDING|FOLDER|GLOB...\n"
    "       odte backtest --out DIR [--jobs N] [--shard I/N] [--odted PATH]   (run the plan already in DIR)\n"
    "       odte backtest --collect DIR                                        (only the aggregate report)\n"
    "\n"
    "Replays every recording (one trading day each; a folder stands for its *.odr files) with every\n"
    "parameter set of the grid, each run one `odted --config DIR/runs/<set>/<day>/config.toml` (the\n"
    "config with the set's values; its journal, outputs and report in that folder), several at once.\n"
    "Then writes the aggregate report: DIR/report.html, aggregate.json, sets.csv (the ranking) and\n"
    "days.csv (every run with its strategies' notes). A rerun skips the runs already finished with the\n"
    "same config, and resumes the others. docs/research.md explains the grid file and the outputs.\n"
    "\n"
    "options:\n"
    "  --config FILE   odted config (mode replay; its journal, outputs, recording, admin socket and\n"
    "                  log are set per run)\n"
    "  --grid FILE     parameter sets: [grid] key = [values...] (every combination) or [[set]] tables\n"
    "  --out DIR       where the plan, the runs and the report go\n"
    "  --jobs N        runs at once (default: one per core)\n"
    "  --shard I/N     run only the I-th of N slices of the run list (1 <= I <= N), no report\n"
    "  --odted PATH    the odted to run (default: the one beside this odte, else odted on PATH)\n"
    "  --collect DIR   write the aggregate report of DIR from the runs finished so far\n"
    "\n"
    "exit status: 0 every run finished and the report is written; 1 a run failed or is missing (each\n"
    "named on its own line; the report shows the rest); 2 bad arguments, config or grid; 3 stopped by\n"
    "SIGINT/SIGTERM (run again to resume).\n";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string write_whole(const fs::path& p, const std::string& text) {
  std::error_code ec = odte::replace_file_whole(p.string(), std::as_bytes(std::span(text.data(), text.size())));
  if (ec) return "cannot write " + p.string() + ": " + ec.message();
  return {};
}

// A stable admin socket path of at most 107 bytes: in the run's folder when that fits, else in
// the temp folder under a hash of the folder (the same path on every rerun, so the config is too).
std::string admin_socket_for(const std::string& dir) {
  const std::string beside = dir + "/admin.sock";
  if (beside.size() <= 100) return beside;
  std::error_code ec;
  const std::string abs = fs::absolute(dir, ec).lexically_normal().string();
  std::uint64_t h = 1469598103934665603ULL;
  for (const char c : abs) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  char buf[64];
  std::snprintf(buf, sizeof buf, "/tmp/odte-backtest-%016llx.sock", static_cast<unsigned long long>(h));
  return buf;
}

std::string last_line(const std::string& text) {
  std::size_t end = text.find_last_not_of("\n \t");
  if (end == std::string::npos) return {};
  const std::size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

std::string clock_text(double s) {
  const auto t = static_cast<long long>(s + 0.5);
  char buf[32];
  if (t >= 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", t / 3600, t / 60 % 60, t % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", t / 60, t % 60);
  }
  return buf;
}

volatile sig_atomic_t g_stop = 0;
void on_stop_signal(int) { g_stop = 1; }

// ---- plan -------------------------------------------------------------------------------------

int plan(const std::string& config_path, const std::string& grid_path, const std::vector<std::string>& inputs,
         const std::string& out) {
  std::error_code ec;
  if (!fs::is_regular_file(config_path, ec)) {
    std::fprintf(stderr, "odte backtest: --config %s: cannot read the configuration file\n", config_path.c_str());
    return 2;
  }
  const std::string base = slurp(config_path);
  std::vector<bt::ParamSet> sets;
  std::vector<bt::Day> days;
  try {
    sets = grid_path.empty() ? std::vector<bt::ParamSet>{bt::ParamSet{"base", {}}} : bt::load_grid(grid_path);
    days = bt::find_days(inputs);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "odte backtest: %s\n", e.what());
    return 2;
  }
  std::vector<bt::Run> runs;
  std::vector<std::string> configs;
  for (const bt::ParamSet& s : sets) {
    for (const bt::Day& d : days) {
      bt::Run r{s.name, d.day, d.recording, (fs::path(out) / "runs" / s.name / bt::day_text(d.day)).string()};
      try {
        configs.push_back(bt::run_config(base, config_path, s, r, admin_socket_for(r.dir)));
      } catch (const std::exception& e) {
        std::fprintf(stderr, "odte backtest: %s\n", e.what());
        return 2;
      }
      // Refused here as odted would refuse it, before any run starts.
      try {
        (void)odte::daemon::parse_config(configs.back(), (fs::path(r.dir) / "config.toml").string());
      } catch (const odte::daemon::ConfigError& e) {
        std::fprintf(stderr, "odte backtest: set %s: %s\n", s.name.c_str(), e.what());
        return 2;
      }
      runs.push_back(std::move(r));
    }
  }
  fs::create_directories(out, ec);
  if (ec) {
    std::fprintf(stderr, "odte backtest: cannot create %s: %s\n", out.c_str(), ec.message().c_str());
    return 1;
  }
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const fs::path dir(runs[i].dir);
    // A run planned with another config starts afresh: its journal would not verify against it.
    if (fs::exists(dir / "config.toml", ec) && slurp(dir / "config.toml") != configs[i]) {
      std::fprintf(stderr, "odte backtest: %s: the config changed since it ran; starting it afresh\n", runs[i].dir.c_str());
      fs::remove_all(dir, ec);
    }
    fs::create_directories(dir, ec);
    if (std::string err = ec ? "cannot create " + dir.string() + ": " + ec.message() : write_whole(dir / "config.toml", configs[i]);
        !err.empty()) {
      std::fprintf(stderr, "odte backtest: %s\n", err.c_str());
      return 1;
    }
  }
  ordered_json plan_json;
  plan_json["config"] = config_path;
  plan_json["grid"] = grid_path;
  ordered_json jsets = ordered_json::array();
  for (const bt::ParamSet& s : sets) {
    ordered_json params = ordered_json::array();
    for (const auto& [k, v] : s.values) params.push_back({k, v});
    jsets.push_back({{"name", s.name}, {"params", params}});
  }
  plan_json["sets"] = jsets;
  ordered_json jdays = ordered_json::array();
  for (const bt::Day& d : days) jdays.push_back({{"day", d.day}, {"recording", d.recording}});
  plan_json["days"] = jdays;
  for (const auto& [file, text] : {std::pair{fs::path(out) / "plan.json", plan_json.dump(2) + "\n"},
                                   std::pair{fs::path(out) / "runs.tsv", bt::run_list_text(runs)}}) {
    if (std::string err = write_whole(file, text); !err.empty()) {
      std::fprintf(stderr, "odte backtest: %s\n", err.c_str());
      return 1;
    }
  }
  std::fprintf(stderr, "odte backtest: %zu set(s) x %zu day(s) = %zu runs planned in %s\n", sets.size(), days.size(),
               runs.size(), out.c_str());
  return 0;
}

// ---- run --------------------------------------------------------------------------------------

std::string find_odted(const std::string& given) {
  if (!given.empty()) return given;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path beside = self.parent_path() / "odted";
    if (::access(beside.c_str(), X_OK) == 0) return beside.string();
  }
  return "odted";  // on PATH (posix_spawnp)
}

struct Running {
  std::size_t run = 0;
  std::chrono::steady_clock::time_point started;
};

int execute(const std::string& out, unsigned jobs, unsigned shard_index, unsigned shard_count, const std::string& odted) {
  std::vector<bt::Run> all;
  try {
    const fs::path list = fs::path(out) / "runs.tsv";
    std::error_code ec;
    if (!fs::is_regular_file(list, ec)) {
      std::fprintf(stderr, "odte backtest: %s: no run list (plan a sweep first: --config and recordings)\n",
                   list.c_str());
      return 2;
    }
    all = bt::parse_run_list(slurp(list));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "odte backtest: %s\n", e.what());
    return 2;
  }
  std::vector<std::size_t> todo;
  std::size_t skipped = 0;
  std::size_t mine = 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (i % shard_count != shard_index - 1) continue;
    ++mine;
    if (bt::run_complete(all[i], slurp(fs::path(all[i].dir) / "config.toml"))) {
      ++skipped;
      continue;
    }
    todo.push_back(i);
  }
  if (skipped > 0) std::fprintf(stderr, "odte backtest: %zu of %zu runs already finished, skipped\n", skipped, mine);

  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);

  const bool tty = ::isatty(STDERR_FILENO) != 0;
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  std::map<pid_t, Running> running;
  std::size_t next = 0;
  std::size_t finished = 0;
  std::size_t failed = 0;
  std::uint64_t events = 0;
  bool stopping = false;
  auto progress = [&](bool final_line) {
    if (!tty) return;
    const double el = std::chrono::duration<double>(Clock::now() - t0).count();
    const std::size_t done_now = finished + failed;
    std::string eta = "--";
    if (done_now > 0 && todo.size() > done_now) {
      // Runs end at the pool's pace: the rate so far, over what is left.
      eta = clock_text(el / static_cast<double>(done_now) * static_cast<double>(todo.size() - done_now));
    }
    std::fprintf(stderr, "\r\x1b[Kbacktest: %zu/%zu runs done (%zu failed, %zu skipped), %zu running, %.0f events/s, ETA %s%s",
                 done_now + skipped, mine, failed, skipped, running.size(), el > 0 ? static_cast<double>(events) / el : 0.0,
                 eta.c_str(), final_line ? "\n" : "");
    std::fflush(stderr);
  };
  auto clear_line = [&] {
    if (tty) std::fputs("\r\x1b[K", stderr);
  };
  while (next < todo.size() || !running.empty()) {
    if (g_stop && !stopping) {
      stopping = true;
      for (const auto& [pid, r] : running) ::kill(pid, SIGTERM);
    }
    while (!stopping && next < todo.size() && running.size() < jobs) {
      const bt::Run& r = all[todo[next]];
      const fs::path dir(r.dir);
      std::error_code ec;
      fs::remove(dir / "done.json", ec);
      fs::remove(dir / "failed.json", ec);
      posix_spawn_file_actions_t fa;
      posix_spawn_file_actions_init(&fa);
      const std::string out_file = (dir / "odted.out").string();
      const std::string err_file = (dir / "odted.err").string();
      posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
      posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const std::string config = (dir / "config.toml").string();
      std::vector<char*> argv{const_cast<char*>(odted.c_str()), const_cast<char*>("--config"),
                              const_cast<char*>(config.c_str()), nullptr};
      pid_t pid = -1;
      const int rc = posix_spawnp(&pid, odted.c_str(), &fa, nullptr, argv.data(), environ);
      posix_spawn_file_actions_destroy(&fa);
      if (rc != 0) {
        clear_line();
        std::fprintf(stderr, "odte backtest: cannot start %s: %s\n", odted.c_str(), std::strerror(rc));
        for (const auto& [p, run] : running) ::kill(p, SIGTERM);
        while (!running.empty()) {
          int st = 0;
          const pid_t p = ::waitpid(-1, &st, 0);
          if (p < 0) break;
          running.erase(p);
        }
        return 1;
      }
      running[pid] = Running{todo[next], Clock::now()};
      ++next;
    }
    if (stopping && running.empty()) break;
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) {
      progress(false);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const bt::Run& r = all[it->second.run];
    const double seconds = std::chrono::duration<double>(Clock::now() - it->second.started).count();
    running.erase(it);
    const fs::path dir(r.dir);
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (code == 0) {
      std::uint64_t n = 0;
      try {
        n = nlohmann::json::parse(slurp(dir / "summary.json")).value("events", std::uint64_t{0});
      } catch (const std::exception&) {
      }
      events += n;
      ++finished;
      const ordered_json done{{"events", n}, {"seconds", std::round(seconds * 1000.0) / 1000.0}};
      if (std::string err = write_whole(dir / "done.json", done.dump(2) + "\n"); !err.empty()) {
        clear_line();
        std::fprintf(stderr, "odte backtest: %s\n", err.c_str());
        ++failed;
        --finished;
      }
      continue;
    }
    if (stopping && code == 3) continue;  // stopped by us: resumed by the next run
    ++failed;
    std::string why = last_line(slurp(dir / "odted.err"));
    if (why.empty()) {
      // odted logs to its log file (log.path): its last error line then.
      const std::string log = slurp(dir / "odted.log");
      for (std::size_t at = log.rfind(" error "); at != std::string::npos;) {
        const std::size_t eol = log.find('\n', at);
        why = log.substr(at + 7, eol == std::string::npos ? std::string::npos : eol - at - 7);
        break;
      }
    }
    if (why.empty()) why = "odted said nothing on stderr or in its log";
    const ordered_json f{{"exit", code}, {"error", why}};
    (void)write_whole(dir / "failed.json", f.dump(2) + "\n");
    clear_line();
    std::fprintf(stderr, "odte backtest: FAILED %s %s (odted exit %d): %s [%s/odted.err]\n", r.set.c_str(),
                 bt::day_text(r.day).c_str(), code, why.c_str(), r.dir.c_str());
  }
  progress(true);
  const double el = std::chrono::duration<double>(Clock::now() - t0).count();
  std::fprintf(stderr, "odte backtest: %zu run(s) finished, %zu failed, %zu skipped in %.1f s (%llu events)\n", finished,
               failed, skipped, el, static_cast<unsigned long long>(events));
  if (stopping) {
    std::fprintf(stderr, "odte backtest: stopped by signal before every run finished; run the same command again to resume\n");
    return 3;
  }
  return failed > 0 ? 1 : 0;
}

// ---- collect ----------------------------------------------------------------------------------

int collect(const std::string& out) {
  ordered_json plan_json;
  std::vector<bt::Run> runs;
  try {
    plan_json = ordered_json::parse(slurp(fs::path(out) / "plan.json"));
    runs = bt::parse_run_list(slurp(fs::path(out) / "runs.tsv"));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "odte backtest: --collect %s: no readable plan.json and runs.tsv (%s)\n", out.c_str(), e.what());
    return 2;
  }
  reports::Sweep sweep;
  sweep.name = fs::path(out).lexically_normal().filename().string();
  if (sweep.name.empty() || sweep.name == ".") sweep.name = fs::absolute(out).lexically_normal().parent_path().filename().string();
  for (const auto& d : plan_json["days"]) sweep.days.push_back(d["day"].get<std::int32_t>());
  int exit_code = 0;
  for (const auto& js : plan_json["sets"]) {
    reports::SweepSet set;
    set.name = js["name"].get<std::string>();
    for (const auto& p : js["params"]) set.params.emplace_back(p[0].get<std::string>(), p[1].get<std::string>());
    std::vector<std::string> journals;
    reports::ReportOptions options;
    options.name = set.name;
    for (const bt::Run& r : runs) {
      if (r.set != set.name) continue;
      const fs::path dir(r.dir);
      reports::SweepRun sr;
      sr.set = r.set;
      sr.day = r.day;
      std::error_code ec;
      if (options.strategy_names.empty()) {
        try {
          const odte::daemon::Config c = odte::daemon::load_config(dir / "config.toml");
          for (const auto& s : c.strategies) options.strategy_names.push_back(s.name);
          options.equity = c.account_equity.to_double();
        } catch (const std::exception&) {
        }
      }
      if (bt::run_complete(r, slurp(dir / "config.toml"))) {
        sr.status = "ok";
        journals.push_back((dir / "journal.odj").string());
        sr.link = fs::path(r.dir).lexically_relative(out).string() + "/report/report.html";
        try {
          const nlohmann::json summary = nlohmann::json::parse(slurp(dir / "summary.json"));
          for (const auto& n : summary.at("notes")) sr.notes.push_back(n.get<std::string>());
        } catch (const std::exception&) {
        }
        ++set.days_ok;
      } else if (fs::exists(dir / "failed.json", ec)) {
        sr.status = "failed";
        try {
          sr.error = nlohmann::json::parse(slurp(dir / "failed.json")).value("error", std::string{});
        } catch (const std::exception&) {
        }
        ++set.days_failed;
        exit_code = 1;
      } else {
        sr.status = "not run";
        exit_code = 1;
      }
      if (sr.status != "ok" && fs::exists(dir / "odted.err", ec)) {
        sr.link = fs::path(r.dir).lexically_relative(out).string() + "/odted.err";
      }
      sweep.runs.push_back(std::move(sr));
    }
    if (!journals.empty()) {
      std::string error;
      std::optional<reports::Run> loaded = reports::load_run(journals, options, error);
      if (!loaded) {
        std::fprintf(stderr, "odte backtest: set %s: %s\n", set.name.c_str(), error.c_str());
        return 1;
      }
      set.run = std::move(*loaded);
    } else {
      set.run.name = set.name;
      set.run.stats = reports::compute_stats(set.run, options.equity.value_or(100000.0));
    }
    sweep.sets.push_back(std::move(set));
  }
  for (const auto& [file, text] : {std::pair{"report.html", reports::sweep_html(sweep)},
                                   std::pair{"aggregate.json", reports::sweep_json(sweep)},
                                   std::pair{"sets.csv", reports::sweep_sets_csv(sweep)},
                                   std::pair{"days.csv", reports::sweep_days_csv(sweep)}}) {
    if (std::string err = write_whole(fs::path(out) / file, text); !err.empty()) {
      std::fprintf(stderr, "odte backtest: %s\n", err.c_str());
      return 1;
    }
  }
  for (const reports::SweepRun& r : sweep.runs) {
    if (r.status != "ok") {
      std::fprintf(stderr, "odte backtest: %s %s: %s%s\n", r.set.c_str(), bt::day_text(r.day).c_str(), r.status.c_str(),
                   r.error.empty() ? "" : (": " + r.error).c_str());
    }
  }
  std::fprintf(stderr, "odte backtest: report %s/report.html\n", out.c_str());
  return exit_code;
}

}  // namespace

int run_backtest(int argc, char** argv) {
  std::string config;
  std::string grid;
  std::string out;
  std::string collect_dir;
  std::string odted;
  std::vector<std::string> inputs;
  unsigned jobs = 0;
  unsigned shard_index = 1;
  unsigned shard_count = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    const bool takes_value = a == "--config" || a == "--grid" || a == "--out" || a == "--jobs" || a == "--shard" ||
                             a == "--odted" || a == "--collect";
    if (takes_value && i + 1 >= argc) {
      std::fprintf(stderr, "odte backtest: %s needs a value\n", argv[i]);
      return 2;
    }
    if (a == "--config") {
      config = argv[++i];
    } else if (a == "--grid") {
      grid = argv[++i];
    } else if (a == "--out") {
      out = argv[++i];
    } else if (a == "--odted") {
      odted = argv[++i];
    } else if (a == "--collect") {
      collect_dir = argv[++i];
    } else if (a == "--jobs") {
      char* end = nullptr;
      const unsigned long n = std::strtoul(argv[++i], &end, 10);
      if (*end != '\0' || n == 0 || n > 1024) {
        std::fprintf(stderr, "odte backtest: --jobs wants 1 to 1024, not '%s'\n", argv[i]);
        return 2;
      }
      jobs = static_cast<unsigned>(n);
    } else if (a == "--shard") {
      if (!bt::parse_shard(argv[++i], shard_index, shard_count)) {
        std::fprintf(stderr, "odte backtest: --shard wants I/N with 1 <= I <= N, not '%s'\n", argv[i]);
        return 2;
      }
    } else if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "odte backtest: unknown option '%s'\n%s", argv[i], kUsage);
      return 2;
    } else {
      inputs.emplace_back(a);
    }
  }
  if (!collect_dir.empty()) {
    if (!config.empty() || !grid.empty() || !out.empty() || !inputs.empty()) {
      std::fprintf(stderr, "odte backtest: --collect DIR takes no other option\n");
      return 2;
    }
    return collect(collect_dir);
  }
  if (out.empty()) {
    std::fprintf(stderr, "odte backtest: --out DIR is required\n%s", kUsage);
    return 2;
  }
  if (inputs.empty() != config.empty()) {
    std::fprintf(stderr, "odte backtest: recordings and --config go together (without both, the plan in --out runs)\n");
    return 2;
  }
  if (!grid.empty() && config.empty()) {
    std::fprintf(stderr, "odte backtest: --grid needs --config and recordings\n");
    return 2;
  }
  if (!inputs.empty()) {
    if (const int rc = plan(config, grid, inputs, out); rc != 0) return rc;
  }
  if (jobs == 0) {
    const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
    jobs = n > 0 ? static_cast<unsigned>(n) : 1;
  }
  const int rc = execute(out, jobs, shard_index, shard_count, find_odted(odted));
  if (rc == 2 || rc == 3) return rc;
  if (shard_count > 1) {
    std::fprintf(stderr, "odte backtest: shard %u/%u done; `odte backtest --collect %s` writes the report once every shard "
                 "has run\n", shard_index, shard_count, out.c_str());
    return rc;
  }
  const int collected = collect(out);
  return rc != 0 ? rc : collected;
}

}  // namespace odte::tool
