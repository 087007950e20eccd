// odte backtest's plan (daemon/backtest.hpp): the parameter grid, each run's config, the days of
// the recordings (one trading day each), the run list, shards and what counts as a finished run.
// The runs themselves are tested end to end (tests/e2e/backtest.sh).

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "odte/daemon/backtest.hpp"
#include "odte/daemon/config.hpp"
#include "odte/daemon/recording_events.hpp"

namespace odte::daemon::backtest {
namespace {

namespace fs = std::filesystem;

const std::string kRepo = ODTE_SOURCE_DIR;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The error text a grid is refused with ("" when it is accepted).
std::string refusal(const std::string& grid) {
  try {
    (void)parse_grid(grid, "grid.toml");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return {};
}

TEST(BacktestGrid, shouldExpandEveryCombinationWithTheLastKeyFastest) {
  const auto sets = parse_grid(
      "[grid]\n"
      "\"strategy.iv_spike_butterfly.params.wing_fraction\" = [0.03, 0.05, 0.07]\n"
      "risk.max_risk_fraction = [0.005, 0.01]\n",
      "grid.toml");
  ASSERT_EQ(sets.size(), 6u);
  // Keys in sorted order (risk < strategy); the last varies fastest.
  const std::vector<std::vector<std::string>> want{{"0.005", "0.03"}, {"0.005", "0.05"}, {"0.005", "0.07"},
                                                   {"0.01", "0.03"},  {"0.01", "0.05"},  {"0.01", "0.07"}};
  for (std::size_t i = 0; i < sets.size(); ++i) {
    EXPECT_EQ(sets[i].name, "set0" + std::to_string(i + 1));
    ASSERT_EQ(sets[i].values.size(), 2u);
    EXPECT_EQ(sets[i].values[0].first, "risk.max_risk_fraction");
    EXPECT_EQ(sets[i].values[1].first, "strategy.iv_spike_butterfly.params.wing_fraction");
    EXPECT_EQ(sets[i].values[0].second, want[i][0]) << i;
    EXPECT_EQ(sets[i].values[1].second, want[i][1]) << i;
  }
  const auto strings = parse_grid("[grid]\nstrategy.regime.params.exit_time = [\"15:00\", \"close-30m\"]\n", "g");
  ASSERT_EQ(strings.size(), 2u);
  EXPECT_EQ(strings[1].values[0].second, "\"close-30m\"");
}

TEST(BacktestGrid, shouldTakeAnExplicitListOfNamedSets) {
  const auto sets = parse_grid(
      "[[set]]\nname = \"narrow\"\nstrategy.iv_spike_butterfly.params.wing_fraction = 0.03\n"
      "[[set]]\nrisk.no_trade_windows = [\"09:30-09:40\"]\n",
      "grid.toml");
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0].name, "narrow");
  ASSERT_EQ(sets[0].values.size(), 1u);
  EXPECT_EQ(sets[0].values[0].second, "0.03");
  EXPECT_EQ(sets[1].name, "set02");
  ASSERT_EQ(sets[1].values.size(), 1u);
  EXPECT_EQ(sets[1].values[0].first, "risk.no_trade_windows");
  EXPECT_EQ(sets[1].values[0].second, "[ \"09:30-09:40\" ]");
}

TEST(BacktestGrid, shouldRefuseABadGridNamingTheKey) {
  EXPECT_NE(refusal("[grid]\njournal = [\"a\", \"b\"]\n").find("journal: set by odte backtest"), std::string::npos);
  EXPECT_NE(refusal("[grid]\nreplay.recording = [\"a\"]\n").find("replay.recording"), std::string::npos);
  EXPECT_NE(refusal("[grid]\nrisk.daily_loss_limit = 1000\n").find("grid.risk.daily_loss_limit: must be a non-empty array"),
            std::string::npos);
  EXPECT_NE(refusal("[grid]\nrisk.daily_loss_limit = []\n").find("non-empty array"), std::string::npos);
  EXPECT_NE(refusal("[grid]\nrisk.daily_loss_limit = [1, 1]\n").find("listed twice"), std::string::npos);
  EXPECT_NE(refusal("[grid]\na = [1]\n[[set]]\nb = 1\n").find("not both"), std::string::npos);
  EXPECT_NE(refusal("[grids]\na = [1]\n").find("grids: unknown"), std::string::npos);
  EXPECT_NE(refusal("").find("no [grid] table and no [[set]]"), std::string::npos);
  EXPECT_NE(refusal("[[set]]\nname = \"../x\"\n").find("name: must be"), std::string::npos);
  EXPECT_NE(refusal("[[set]]\nname = \"a\"\n[[set]]\nname = \"a\"\n").find("names two sets"), std::string::npos);
  EXPECT_NE(refusal("[grid]\nstrategy.regime = [1]\n").find("strategy.NAME.KEY"), std::string::npos);
  EXPECT_NE(refusal("[grid\n").find("TOML syntax"), std::string::npos);
}

class BacktestPlan : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("odte-backtest-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  fs::path dir_;
};

TEST_F(BacktestPlan, shouldWriteEachRunsConfigWithTheSetsValuesAndItsOwnPaths) {
  const std::string base = slurp(kRepo + "/deploy/odted.replay.toml");
  ParamSet set{"s1",
               {{"strategy.iv_spike_butterfly.params.wing_fraction", "0.07"},
                {"strategy.4.enabled", "true"},
                {"strategy.0.params.exit_time", "\"14:30\""},
                {"risk.max_risk_fraction", "0.01"},
                {"broker.slippage_per_contract", "0.02"}}};
  const backtest::Run run{"s1", 20260722, "tests/data/real/spy-0dte-2026-07-22.odr", (dir_ / "runs/s1/2026-07-22").string()};
  const std::string text = run_config(base, "deploy/odted.replay.toml", set, run, "/tmp/odte-backtest-test.sock");
  const Config c = parse_config(text, "config.toml");  // odted's own reader accepts it
  EXPECT_EQ(c.mode, Mode::kReplay);
  EXPECT_EQ(c.journal, run.dir + "/journal.odj");
  EXPECT_EQ(c.output_dir, run.dir);
  EXPECT_EQ(c.admin.socket, "/tmp/odte-backtest-test.sock");
  EXPECT_EQ(c.admin.metrics_port, decltype(c.admin.metrics_port){0});
  EXPECT_EQ(c.log.path, run.dir + "/odted.log");
  EXPECT_EQ(c.replay.recording, run.recording);
  EXPECT_EQ(c.replay.speed, 0.0);
  EXPECT_EQ(c.replay.transport, ReplayTransport::kInProcess);
  EXPECT_DOUBLE_EQ(c.risk.max_risk_fraction, 0.01);
  EXPECT_EQ(c.broker.paper.slippage_per_contract.to_string(), "0.02");
  ASSERT_EQ(c.strategies.size(), 5u);
  EXPECT_NE(c.strategies[0].params_toml.find("exit_time = '14:30'"), std::string::npos) << c.strategies[0].params_toml;
  EXPECT_NE(c.strategies[2].params_toml.find("wing_fraction = 0.07"), std::string::npos) << c.strategies[2].params_toml;
  EXPECT_NE(c.strategies[2].params_toml.find("entry_time = '09:45'"), std::string::npos) << "the rest kept";
  EXPECT_EQ(c.strategies[4].name, "short_strangle");
  EXPECT_TRUE(c.strategies[4].enabled) << "disabled in the base, enabled by position";
  EXPECT_TRUE(c.strategies[1].enabled);
  // The same plan gives the same text (a rerun recognises its finished runs by it).
  EXPECT_EQ(run_config(base, "deploy/odted.replay.toml", set, run, "/tmp/odte-backtest-test.sock"), text);
  EXPECT_NE(text.find("commission_per_contract = 0.65\n"), std::string::npos) << "floats short: " << text;

  ParamSet missing{"s2", {{"strategy.no_such.params.x", "1"}}};
  try {
    (void)run_config(base, "b", missing, run, "a.sock");
    ADD_FAILURE() << "a strategy the config lacks was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("strategy.no_such.params.x: the config has no [[strategy]] no_such"),
              std::string::npos)
        << e.what();
  }
  ParamSet not_table{"s3", {{"risk.max_risk_fraction.x", "1"}}};
  EXPECT_THROW((void)run_config(base, "b", not_table, run, "a.sock"), std::runtime_error);
}

TEST_F(BacktestPlan, shouldFindOneDayPerRecordingAndRefuseRecordingsSpanningSeveralDays) {
  const std::string day20 = kRepo + "/data/replay/spy-0dte-2026-07-20.odr";
  const std::string day22 = kRepo + "/tests/data/real/spy-0dte-2026-07-22.odr";
  const std::string day24 = kRepo + "/tests/data/real/spy-0dte-2026-07-24.odr";
  const std::string multi = kRepo + "/tests/data/real/eqker-spy-vix-1min-2019.odr";
  fs::create_directories(dir_ / "days");
  fs::copy_file(day24, dir_ / "days/b.odr");
  fs::copy_file(day22, dir_ / "days/a.odr");
  const auto days = find_days({(dir_ / "days").string(), day20});
  ASSERT_EQ(days.size(), 3u);
  EXPECT_EQ(days[0].day, 20260720);
  EXPECT_EQ(days[0].recording, day20);
  EXPECT_EQ(days[1].day, 20260722);
  EXPECT_EQ(days[2].day, 20260724);
  EXPECT_EQ(find_days({(dir_ / "days/*.odr").string()}).size(), 2u);

  EXPECT_EQ(check_single_trading_day(day22, 20260722), "");
  std::vector<std::int32_t> seen;
  const std::string err = check_single_trading_day(multi, 20190211, &seen);
  EXPECT_NE(err.find("spans more than one trading day (20190211, 20190212, 20190213, 20190214, 20190215"),
            std::string::npos)
      << err;
  EXPECT_EQ(seen, (std::vector<std::int32_t>{20190211, 20190212, 20190213, 20190214, 20190215}));
  try {
    (void)find_days({multi});
    ADD_FAILURE() << "a multi-day recording was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("spans more than one trading day"), std::string::npos) << e.what();
  }
  try {
    (void)find_days({day22, (dir_ / "days/a.odr").string()});
    ADD_FAILURE() << "two recordings of one day were accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("are both 2026-07-22"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)find_days({(dir_ / "nothing-*.odr").string()}), std::runtime_error);
  EXPECT_THROW((void)find_days({(dir_ / "none.odr").string()}), std::runtime_error);
}

TEST_F(BacktestPlan, shouldRoundTripTheRunListAndSplitItIntoShards) {
  const std::vector<backtest::Run> runs{{"a", 20260720, "x.odr", "out/runs/a/2026-07-20"}, {"b", 20260722, "y z.odr", "o/b"}};
  EXPECT_EQ(run_list_text(runs), "a\t20260720\tx.odr\tout/runs/a/2026-07-20\nb\t20260722\ty z.odr\to/b\n");
  const auto back = parse_run_list(run_list_text(runs));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].recording, "y z.odr");
  EXPECT_EQ(back[1].day, 20260722);
  EXPECT_THROW((void)parse_run_list("a\tb\n"), std::runtime_error);
  unsigned i = 0;
  unsigned n = 0;
  EXPECT_TRUE(parse_shard("2/3", i, n));
  EXPECT_EQ(i, 2u);
  EXPECT_EQ(n, 3u);
  for (const char* bad : {"0/3", "4/3", "1/0", "1", "a/b", "1/2x", "/2"}) EXPECT_FALSE(parse_shard(bad, i, n)) << bad;
}

TEST_F(BacktestPlan, shouldCallARunCompleteOnlyWithEveryOutputAndTheSameConfig) {
  const backtest::Run run{"s", 20260720, "x.odr", (dir_ / "run").string()};
  fs::create_directories(dir_ / "run/report");
  auto put = [&](const char* f, const std::string& text) { std::ofstream(dir_ / "run" / f) << text; };
  put("config.toml", "cfg");
  EXPECT_FALSE(run_complete(run, "cfg"));
  for (const char* f : {"journal.odj", "summary.json", "report/report.html", "report/summary.json"}) put(f, "x");
  EXPECT_FALSE(run_complete(run, "cfg")) << "no done.json: odted did not finish it";
  put("done.json", "{}");
  EXPECT_TRUE(run_complete(run, "cfg"));
  EXPECT_FALSE(run_complete(run, "another cfg"));
  fs::remove(dir_ / "run/report/report.html");
  EXPECT_FALSE(run_complete(run, "cfg"));
}

}  // namespace
}  // namespace odte::daemon::backtest
