// One bad tick (issue 15, section 5): the shipped day (data/replay/spy-0dte-2026-07-20.odr,
// replayed by deploy/odted.replay.toml) rebuilt with one extra event, run by odted's replay loop
// in process. Before the market-data guard, a SPY trade stamped in 2098 froze the day (the exit
// order stayed pending_new, four legs stayed open, exit 0), and a bid of 99,999 on a $0.30 call
// filled the exit there and booked $9,999,907. Now each day must finish as the clean day does,
// with the bad event counted by kind.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "odte/daemon/daemon.hpp"
#include "odte/daemon/recording_events.hpp"
#include "odte/feeds/recording.hpp"

namespace odte::daemon {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kSource = ODTE_SOURCE_DIR;
const fs::path kShipped = kSource / "data/replay/spy-0dte-2026-07-20.odr";

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Day {
  int exit_code = -1;
  std::string final_state;
  json summary;
};

class BadTickDayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("odte-badtick-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The shipped recording with `frame` added on `stream`, received at `at` (before the first
  // recorded frame received after it).
  fs::path rebuild(const std::string& name, TimestampNs at, StreamId stream, const std::string& frame) {
    const fs::path out = dir_ / (name + ".odr");
    feeds::RecordingReader reader;
    EXPECT_EQ(reader.open(kShipped.string()), "");
    feeds::RecordingWriter writer;
    EXPECT_EQ(writer.create(out.string(), {}, 0), "");
    feeds::RecordView v;
    bool added = false;
    while (reader.next(v) == feeds::ReadStatus::kRecord) {
      if (!added && v.receive_ns > at) {
        EXPECT_EQ(writer.append(at, stream, frame), "");
        added = true;
      }
      EXPECT_EQ(writer.append(v.receive_ns, v.stream, v.frame), "");
    }
    EXPECT_TRUE(added);
    EXPECT_EQ(writer.close(), "");
    return out;
  }

  // odted's replay of `recording` with the shipped replay config, outputs under dir_/name.
  Day run(const std::string& name, const fs::path& recording, const std::string& extra_toml = "") {
    std::string toml = slurp(kSource / "deploy/odted.replay.toml");
    for (std::size_t at; (at = toml.find("out/replay")) != std::string::npos;) {
      toml.replace(at, 10, (dir_ / name).string());
    }
    const std::string shipped = "data/replay/spy-0dte-2026-07-20.odr";
    toml.replace(toml.find(shipped), shipped.size(), recording.string());
    toml += extra_toml;
    const Config config = parse_config(toml, name + ".toml");
    InstrumentRegistry registry;
    RecordingEvents events(registry);
    EXPECT_EQ(events.open(config.replay.recording), "");
    SignalWatcher signals;
    SystemdNotifier notify;
    const DaemonRun r = run_replay_daemon(config, registry, events, events.trading_day(), events.utc_offset_minutes(),
                                          signals, notify);
    Day d;
    d.exit_code = r.exit_code;
    d.final_state = slurp(dir_ / name / "final_state.txt");
    std::ifstream in(dir_ / name / "summary.json");
    d.summary = json::parse(in);
    return d;
  }

  static TimestampNs at_local(int hh, int mm) {
    // 2026-07-20 in New York is UTC-4.
    return (1'784'520'000LL + (hh * 60 + mm) * 60LL) * 1'000'000'000LL;
  }

  fs::path dir_;
};

TEST_F(BadTickDayTest, shouldFinishTheDayAsCleanWithATradeStampedIn2098) {
  const Day clean = run("clean", kShipped);
  ASSERT_EQ(clean.exit_code, 0);
  ASSERT_GT(clean.summary["fills"].get<std::uint64_t>(), 0u) << "the clean day should trade";
  ASSERT_EQ(clean.summary["open_positions"].get<std::uint32_t>(), 0u);
  EXPECT_TRUE(clean.summary["market_data_rejected"].empty()) << clean.summary.dump();

  // 2098-01-01 00:00:00 UTC in milliseconds, received at 10:20 with the day's other frames, while
  // the day's one trade (09:53 to 10:38) is open.
  const fs::path bad = rebuild("y2098", at_local(10, 20), StreamId::kStocks,
                               R"([{"ev":"T","sym":"SPY","p":747.80,"s":100,"t":4039372800000}])");
  const Day day = run("y2098", bad);
  ASSERT_EQ(day.exit_code, 0);
  EXPECT_EQ(day.summary["events"], clean.summary["events"].get<std::uint64_t>() + 1);
  EXPECT_EQ(day.summary["market_data_rejected"], (json{{"ahead_of_clock", 1}})) << day.summary.dump();
  // Nothing the rejected trade could have changed did: every exit filled, every leg closed,
  // the same P&L to the cent.
  EXPECT_EQ(day.final_state, clean.final_state);
  EXPECT_EQ(day.summary["open_positions"], 0);
  EXPECT_EQ(day.final_state.find("pending_new"), std::string::npos) << day.final_state;

  // The same day with the guard off: the clock leaves for 2098 at 10:20, running a day of timers
  // on the way (run_due_before steps through one day of a jump, then jumps) on the 10:20 quotes --
  // the exit fills there, on a market the rest of the day never updates: another P&L.
  const Day unguarded = run("y2098-unguarded", bad, "\n[feed.guard]\nenabled = false\n");
  ASSERT_EQ(unguarded.exit_code, 0);
  EXPECT_NE(unguarded.final_state, clean.final_state) << unguarded.final_state;
}

TEST_F(BadTickDayTest, shouldFinishTheDayAsCleanWithABidOf99999OnAThirtyCentCall) {
  const Day clean = run("clean", kShipped);
  ASSERT_EQ(clean.exit_code, 0);
  // The day's one trade (09:53 to 10:38) holds the 748 call -- long the 748 straddle, short the
  // 743 put and 753 call -- which it sells for 0.34 at 10:38.
  const std::string frame =
      R"([{"ev":"Q","sym":"O:SPY260720C00748000","bp":99999,"bs":10,"ap":100000,"as":10,"t":)" +
      std::to_string(at_local(10, 20) / 1'000'000) + "}]";
  const fs::path bad = rebuild("bid99999", at_local(10, 20), StreamId::kOptions, frame);
  const Day day = run("bid99999", bad);
  ASSERT_EQ(day.exit_code, 0);
  EXPECT_EQ(day.summary["market_data_rejected"], (json{{"option_bound", 1}})) << day.summary.dump();
  EXPECT_EQ(day.final_state, clean.final_state);
  EXPECT_EQ(day.summary["realized"], clean.summary["realized"]);

  // The same day with the guard off shows what it stopped: the mark jumps, the profit target
  // sends the exit, and it sells the call at 99,999.
  const Day unguarded = run("unguarded", bad, "\n[feed.guard]\nenabled = false\n");
  ASSERT_EQ(unguarded.exit_code, 0);
  EXPECT_GT(std::stod(unguarded.summary["realized"].get<std::string>()), 1e6) << unguarded.final_state;
}

}  // namespace
}  // namespace odte::daemon
