// odted's replay run loop end to end, in process: the engine on one thread, the admin socket on
// another, driven through the same client odtectl uses; stopped as SIGTERM stops it; resumed.

#include "odte/daemon/daemon.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

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

// SPY printed every 3 s of market time from 09:30:00: with replay.speed = 1 an event is due every
// 3 s of wall time.
class EveryThreeSeconds final : public EventSource {
 public:
  explicit EveryThreeSeconds(InstrumentRegistry& registry)
      : spy_{registry.intern("SPY", InstrumentInfo{AssetClass::kStock, {}})} {}
  bool next(MarketEvent& out) override {
    if (n_ == 4) return false;
    const TimestampNs t = odte::testing_day::kOpenUtc + 3 * n_++ * odte::testing_day::kSec;
    out = MarketEvent::make_trade(spy_, StreamId::kStocks, t, t, Price::from_dollars(500), 100);
    return true;
  }

 private:
  InstrumentId spy_;
  std::int64_t n_ = 0;
};

// Paced replay sleeps before a step, not after it: an event is applied when it is due, never a
// step early; and while it waits the admin socket answers (a pause within a second) and the
// systemd watchdog keeps being fed. The pause, applied between two timer ticks, is re-applied at
// the same point when the stopped run is resumed.
TEST_F(DaemonReplayTest, shouldApplyEachEventWhenDueAndServeAdminAndWatchdogWhileWaiting) {
  config_.replay.speed = 1;
  // A fake systemd listening at $NOTIFY_SOCKET, timing the watchdog pings.
  const std::string notify_path = (dir_ / "notify.sock").string();
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", notify_path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const timeval timeout{0, 100'000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setenv("NOTIFY_SOCKET", notify_path.c_str(), 1);
  ::setenv("WATCHDOG_USEC", "400000", 1);
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  using Clock = std::chrono::steady_clock;
  std::atomic<bool> listening{true};
  std::vector<Clock::time_point> pings;
  std::thread systemd([&] {
    char buf[256];
    while (listening.load()) {
      const ssize_t len = ::recv(fd, buf, sizeof buf, 0);
      if (len > 0 && std::string(buf, static_cast<std::size_t>(len)) == "WATCHDOG=1") pings.push_back(Clock::now());
    }
  });

  SignalWatcher signals;
  DaemonRun first;
  std::thread core([&] {
    InstrumentRegistry registry(64);
    EveryThreeSeconds source(registry);
    SystemdNotifier notify;
    first = run_replay_daemon(config_, registry, source, 20260821, -240, signals, notify);
  });
  json status;
  for (int i = 0; i < 300; ++i) {
    status = ask("status");
    if (status.value("ok", false)) break;
    std::this_thread::sleep_for(10ms);
  }
  const auto started = Clock::now();  // the first event was applied just before
  ASSERT_TRUE(status.value("ok", false)) << status.dump();
  std::this_thread::sleep_for(1s);
  // The second event is due 3 s after the first: one second in, it is not applied yet.
  EXPECT_EQ(ask("status")["result"]["events_processed"], 1) << "an event applied before it was due";
  const auto asked = Clock::now();
  const json paused = ask("pause");
  const auto answered = Clock::now();
  EXPECT_TRUE(paused.value("ok", false)) << paused.dump();
  EXPECT_LT(answered - asked, 1s) << "pause answered only after the wait";
  EXPECT_TRUE(ask("status")["result"]["paused"].get<bool>());
  std::this_thread::sleep_until(started + 3500ms);
  EXPECT_EQ(ask("status")["result"]["events_processed"], 2) << "the second event was not applied when due";
  signals.request_stop();
  core.join();
  listening.store(false);
  systemd.join();
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  ::unsetenv("WATCHDOG_PID");
  ::close(fd);
  ASSERT_EQ(first.exit_code, kExitReplayStopped) << first.outcome.error;
  // Pinged every half interval (200 ms) through the waits, never silent for the 3 s between events.
  ASSERT_GE(pings.size(), 10u);
  Clock::duration longest{};
  for (std::size_t i = 1; i < pings.size(); ++i) longest = std::max(longest, pings[i] - pings[i - 1]);
  EXPECT_LT(longest, 1s) << "watchdog silent for " << std::chrono::duration<double>(longest).count() << " s";

  // Resumed unpaced: the journal (the pause between two timer ticks included) is verified as
  // re-created, and the day finishes.
  config_.replay.speed = 0;
  SignalWatcher again;
  InstrumentRegistry registry(64);
  EveryThreeSeconds source(registry);
  SystemdNotifier notify;
  const DaemonRun second = run_replay_daemon(config_, registry, source, 20260821, -240, again, notify);
  ASSERT_EQ(second.exit_code, 0) << second.outcome.error;
  EXPECT_EQ(second.outcome.verified_records, first.outcome.written_records);
  EXPECT_EQ(second.outcome.events, 4u);
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
