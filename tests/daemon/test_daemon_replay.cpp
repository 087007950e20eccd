// odted's replay run loop end to end, in process: the engine on one thread, the admin socket on
// another, driven through the same client odtectl uses; stopped as SIGTERM stops it; resumed.

#include "odte/daemon/daemon.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "odte/daemon/admin_client.hpp"
#include "synthetic_day.hpp"

namespace odte::daemon {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

class DaemonReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("odte-daemon-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    config_ = parse_config(
        "mode = \"replay\"\n"
        "journal = \"" + (dir_ / "journal.odj").string() + "\"\n"
        "output_dir = \"" + (dir_ / "out").string() + "\"\n"
        "[replay]\nrecording = \"synthetic\"\nspeed = 10000\n"
        "[feed]\nstale_after_ms = 600000\n"
        "[admin]\nsocket = \"" + (dir_ / "admin.sock").string() + "\"\n"
        "[[strategy]]\nname = \"regime\"\n[strategy.params]\nquantity = 1\n"
        "[[strategy]]\nname = \"iron_condor\"\n[strategy.params]\nshort_otm = 0.006\nlong_otm = 0.012\n"
        "entry_time = \"09:45\"\nprice_slack = 0.10\n",
        "test.toml");
  }
  void TearDown() override { fs::remove_all(dir_); }
  json ask(const std::string& cmd, const std::vector<std::string>& args = {}) {
    const auto r = admin::exchange(config_.admin.socket, admin::encode_request(cmd, args), 5s);
    if (r.error) return json{{"ok", false}, {"error", r.what + ": " + r.error.message()}};
    return json::parse(r.line);
  }
  DaemonRun run(SignalWatcher& signals) {
    InstrumentRegistry registry(4096);
    odte::testing_day::SyntheticDay day(registry, 20260821);
    SystemdNotifier notify;
    return run_replay_daemon(config_, registry, day, 20260821, -240, signals, notify);
  }
  // The synthetic day cut after `events`, ending as a corrupt or torn recording would.
  struct CutDay final : EventSource {
    CutDay(EventSource& day, std::uint64_t events, std::string failure, std::string early)
        : day_{day}, left_{events}, failure_{std::move(failure)}, early_{std::move(early)} {}
    bool next(MarketEvent& out) override {
      if (left_ == 0) return false;
      --left_;
      return day_.next(out);
    }
    [[nodiscard]] std::string failure() const override { return failure_; }
    [[nodiscard]] std::string ended_early() const override { return early_; }
    EventSource& day_;
    std::uint64_t left_;
    std::string failure_, early_;
  };
  DaemonRun run_cut(std::string failure, std::string early) {
    InstrumentRegistry registry(4096);
    odte::testing_day::SyntheticDay day(registry, 20260821);
    CutDay cut(day, day.size() / 2, std::move(failure), std::move(early));
    SignalWatcher signals;
    SystemdNotifier notify;
    return run_replay_daemon(config_, registry, cut, 20260821, -240, signals, notify);
  }
  bool session_ended() {
    JournalReader reader;
    const JournalScan scan = reader.read(config_.journal);
    for (const JournalRecord& r : scan.records) {
      if (r.type == JournalRecordType::kSessionEnd) return true;
    }
    return false;
  }
  json read_summary() {
    std::ifstream in(dir_ / "out" / "summary.json");
    return json::parse(in);
  }
  std::string report_html() {
    std::ifstream in(dir_ / "out" / "report" / "report.html");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  fs::path dir_;
  Config config_;
};

TEST_F(DaemonReplayTest, shouldServeTheAdminSocketStopOnRequestAndResume) {
  SignalWatcher signals;  // not started: the test requests the stop itself, as SIGTERM would
  DaemonRun first;
  std::thread core([&] { first = run(signals); });
  json status;
  for (int i = 0; i < 200; ++i) {
    status = ask("status");
    if (status.value("ok", false)) break;
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(status.value("ok", false)) << status.dump();
  EXPECT_EQ(status["result"]["state"], "running");
  EXPECT_EQ(ask("strategies")["result"].size(), 2u);
  const json paused = ask("pause");
  EXPECT_TRUE(paused.value("ok", false)) << paused.dump();
  EXPECT_TRUE(ask("status")["result"]["paused"].get<bool>());
  EXPECT_TRUE(ask("resume").value("ok", false));
  const json bad = ask("risk", {"set", "max_risk_fraction", "0.9"});
  EXPECT_FALSE(bad.value("ok", true));
  signals.request_stop();
  core.join();
  // Stopped before the end: a distinct exit status, outputs written and saying so.
  ASSERT_EQ(first.exit_code, kExitReplayStopped) << first.outcome.error;
  EXPECT_EQ(first.outcome.end, ReplayEnd::kStopped);
  EXPECT_FALSE(fs::exists(config_.admin.socket));  // removed on the way out
  ASSERT_TRUE(fs::exists(dir_ / "out" / "summary.json"));
  ASSERT_TRUE(fs::exists(dir_ / "out" / "final_state.txt"));
  // The run report, written from the journal at the end of the run (docs/reports.md).
  EXPECT_TRUE(fs::exists(dir_ / "out" / "report" / "report.html"));
  EXPECT_TRUE(fs::exists(dir_ / "out" / "report" / "trades.csv"));
  std::ifstream in(dir_ / "out" / "summary.json");
  const json summary = json::parse(in);
  EXPECT_GT(summary["events"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(summary["end"], "stopped");
  EXPECT_FALSE(session_ended());

  // Restarted, it re-runs the recording, verifies everything the first run journaled (the pause
  // and resume included) and finishes the day.
  SignalWatcher again;
  config_.replay.speed = 0;
  const DaemonRun second = run(again);
  ASSERT_EQ(second.exit_code, 0) << second.outcome.error;
  EXPECT_EQ(second.outcome.end, ReplayEnd::kFinished);
  EXPECT_TRUE(session_ended());
  EXPECT_EQ(second.outcome.verified_records, first.outcome.written_records);
  EXPECT_GT(second.outcome.events, first.outcome.events);
}

// `[[strategy]] enabled = false` keeps a strategy out of the day: it gets no bars or timers and
// sends nothing, while the same day with it enabled trades.
TEST_F(DaemonReplayTest, shouldKeepAStrategyDisabledInTheConfigFromTrading) {
  config_.replay.speed = 0;
  const auto orders_of_a_day = [&] {
    fs::remove(config_.journal);
    SignalWatcher signals;
    const DaemonRun r = run(signals);
    EXPECT_EQ(r.exit_code, 0) << r.outcome.error;
    std::ifstream in(dir_ / "out" / "summary.json");
    return json::parse(in)["orders"].get<std::uint64_t>();
  };
  ASSERT_GT(orders_of_a_day(), 0u) << "the synthetic day should make both strategies trade";
  for (StrategyConfig& sc : config_.strategies) sc.enabled = false;
  EXPECT_EQ(orders_of_a_day(), 0u);
}

TEST_F(DaemonReplayTest, shouldRefuseUnknownStrategiesWithExitCodeTwo) {
  config_.strategies.push_back(StrategyConfig{"martingale", true, ""});
  SignalWatcher signals;
  EXPECT_EQ(run(signals).exit_code, 2);
}

// A recording that stops at corruption fails the run: exit 1, no session end, no outputs.
TEST_F(DaemonReplayTest, shouldFailARunWhoseRecordingIsCorrupt) {
  config_.replay.speed = 0;
  const DaemonRun r = run_cut("day.odr: block checksum mismatch at offset 4096", "");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.outcome.end, ReplayEnd::kFailed);
  EXPECT_NE(r.outcome.error.find("block checksum mismatch at offset 4096"), std::string::npos) << r.outcome.error;
  EXPECT_FALSE(session_ended());
  EXPECT_FALSE(fs::exists(dir_ / "out" / "summary.json"));
}

// A recording that ended early (torn tail) is not a finished day unless the operator says so; both
// ways summary.json and the report say where it ended.
TEST_F(DaemonReplayTest, shouldEndTheDayAtATornTailOnlyWhenAllowed) {
  config_.replay.speed = 0;
  const std::string where = "the recording ended early: a torn last block of 77 bytes at file offset 9000";
  const DaemonRun refused = run_cut("", where);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.outcome.end, ReplayEnd::kEndedEarly);
  EXPECT_FALSE(session_ended());
  EXPECT_EQ(read_summary()["end"], "ended_early");
  EXPECT_EQ(read_summary()["ended_early"], where);
  EXPECT_NE(report_html().find(where), std::string::npos);

  config_.replay.allow_torn_tail = true;
  const DaemonRun accepted = run_cut("", where);
  EXPECT_EQ(accepted.exit_code, 0) << accepted.outcome.error;
  EXPECT_EQ(accepted.outcome.end, ReplayEnd::kFinished);
  EXPECT_TRUE(session_ended());
  EXPECT_EQ(read_summary()["end"], "finished");
  EXPECT_EQ(read_summary()["ended_early"], where);
  EXPECT_NE(report_html().find(where + " (accepted"), std::string::npos);
}

// An output that cannot be written fails the run, naming it; nothing half-written is left.
TEST_F(DaemonReplayTest, shouldFailTheRunWhenAnOutputCannotBeWritten) {
  config_.replay.speed = 0;
  fs::create_directories(dir_ / "out" / "summary.json");  // a folder where the file must go
  SignalWatcher signals;
  const DaemonRun r = run(signals);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.outcome.error.find("cannot write " + (dir_ / "out" / "summary.json").string()), std::string::npos)
      << r.outcome.error;
  for (const auto& e : fs::directory_iterator(dir_ / "out")) {
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
  }
}

}  // namespace
}  // namespace odte::daemon
