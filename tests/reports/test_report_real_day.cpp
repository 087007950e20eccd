// A real recorded day through the engine and the paper broker, then its report in a browser.
//
// Input: ../shared/data/spy-0dte-chains-cboe/chains/SPY_2026-07-20.csv -- real Cboe SPY 0DTE chain
// snapshots (bid/ask/sizes for every strike within +/-5% of spot, one snapshot every ~5 minutes,
// quote_ts = book time in New York), with the SPY spot of each snapshot. Read in place, not
// copied into the repository (vendor terms). Two iron condors trade it. There is no intraday VIX
// for these days, so the condors' offset trigger watches SPY's own one-minute bars instead: a
// named stand-in chosen in the test's config, not a silent substitution.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "browser.hpp"
#include "odte/daemon/replay.hpp"
#include "odte/reports/report.hpp"
#include "odte/strategies/factory.hpp"

namespace odte::reports {
namespace {

namespace fs = std::filesystem;
using namespace browser;

const fs::path kChain = fs::path(ODTE_SOURCE_DIR) / ".." / "shared" / "data" / "spy-0dte-chains-cboe" / "chains" /
                        "SPY_2026-07-20.csv";

// "2026-07-20T09:33:37" New York (EDT in July) -> Unix ns.
TimestampNs et_to_ns(const std::string& s) {
  using namespace std::chrono;
  const int y = std::stoi(s.substr(0, 4));
  const auto m = static_cast<unsigned>(std::stoi(s.substr(5, 2)));
  const auto d = static_cast<unsigned>(std::stoi(s.substr(8, 2)));
  const sys_days date{year{y} / month{m} / std::chrono::day{d}};
  const std::int64_t secs = date.time_since_epoch().count() * 86'400LL + std::stoll(s.substr(11, 2)) * 3600 +
                            std::stoll(s.substr(14, 2)) * 60 + std::stoll(s.substr(17, 2)) + 4 * 3600;
  return secs * 1'000'000'000LL;
}

// The chain file as market events: per snapshot a SPY trade at spot, then a quote per contract.
class ChainDay final : public daemon::EventSource {
 public:
  ChainDay(InstrumentRegistry& registry, const fs::path& csv) {
    spy_ = registry.intern("SPY", InstrumentInfo{AssetClass::kStock, {}});
    std::ifstream in(csv);
    std::string line;
    std::getline(in, line);  // header
    std::map<TimestampNs, std::vector<MarketEvent>> by_time;
    std::map<TimestampNs, Price> spot;
    while (std::getline(in, line)) {
      std::vector<std::string> f;
      std::stringstream ss(line);
      for (std::string cell; std::getline(ss, cell, ',');) f.push_back(cell);
      if (f.size() < 10) continue;
      const TimestampNs t = et_to_ns(f[1]);
      spot[t] = Price::from_double(std::stod(f[2])).round_to(Price::from_cents(1));
      InstrumentInfo info;
      info.asset = AssetClass::kOption;
      std::snprintf(info.option.root, sizeof info.option.root, "SPY");
      info.option.expiry_yyyymmdd = 20260720;
      info.option.right = f[4] == "C" ? OptionRight::kCall : OptionRight::kPut;
      info.option.strike = Price::from_double(std::stod(f[5]));
      info.option.multiplier = 100;
      info.option.underlying = spy_;
      char sym[32];
      std::snprintf(sym, sizeof sym, "O:SPY260720%c%08lld", f[4][0], std::llround(std::stod(f[5]) * 1000));
      const InstrumentId id = registry.intern(sym, info);
      const Price bid = Price::from_double(std::stod(f[6]));
      const Price ask = Price::from_double(std::stod(f[7]));
      if (!(bid.valid() && ask.valid()) || ask < bid || ask.ticks() <= 0) continue;  // crossed or empty: skipped
      by_time[t].push_back(MarketEvent::make_quote(id, StreamId::kOptions, t, t, bid,
                                                   static_cast<std::uint32_t>(std::stod(f[8])), ask,
                                                   static_cast<std::uint32_t>(std::stod(f[9]))));
    }
    for (auto& [t, quotes] : by_time) {
      events_.push_back(MarketEvent::make_trade(spy_, StreamId::kStocks, t, t, spot[t], 100));
      events_.insert(events_.end(), quotes.begin(), quotes.end());
    }
  }
  bool next(MarketEvent& out) override {
    if (pos_ >= events_.size()) return false;
    out = events_[pos_++];
    return true;
  }
  [[nodiscard]] std::size_t size() const { return events_.size(); }

 private:
  InstrumentId spy_;
  std::vector<MarketEvent> events_;
  std::size_t pos_ = 0;
};

TEST(ReportRealDayTest, shouldReportAReplayOfARealRecordedDayAndRenderItInChromium) {
  if (!fs::exists(kChain)) GTEST_SKIP() << "real data not present: " << kChain;
  const std::string exe = find_chromium();
  ASSERT_FALSE(exe.empty()) << "chromium is not installed (Debian package `chromium`; scripts/setup installs it)";
  const fs::path work = fs::path(ODTE_BINARY_DIR) / "reports-render" / "real-day";
  fs::remove_all(work);
  fs::create_directories(work);
  const std::string journal = (work / "spy-2026-07-20.odj").string();

  PnlTotals totals{};
  {
    InstrumentRegistry registry(8192);
    ChainDay day(registry, kChain);
    ASSERT_GT(day.size(), 5'000u);
    std::vector<std::unique_ptr<Strategy>> s;
    const std::string common = "trigger = \"SPY\"\nentry_time = \"10:00\"\nentry_deadline = \"10:30\"\nexit_time = \"15:30\"\nprice_slack = 0.10\n";
    s.push_back(strategies::make_strategy("iron_condor", "short_otm = 0.005\nlong_otm = 0.008\n" + common, 0, "test"));
    s.push_back(strategies::make_strategy("iron_condor", "short_otm = 0.010\nlong_otm = 0.013\n" + common, 1, "test"));
    daemon::ReplaySetup setup;
    setup.engine.orders.trading_day = 20260720;
    setup.engine.utc_offset_minutes = -240;
    setup.engine.stale_after_ns = 15LL * 60 * 1'000'000'000;  // snapshots come every ~5 minutes
    setup.journal_path = journal;
    setup.on_finish = [&](const Engine& engine, const daemon::ReplayOutcome&) { totals = engine.book().totals(); };
    const auto r = daemon::run_replay(setup, registry, std::move(s), day);
    ASSERT_TRUE(r.ok) << r.error;
  }

  ReportOptions o;
  o.strategy_names = {"condor_0.5pct", "condor_1pct"};
  const fs::path out = work / "report";
  ASSERT_EQ(write_report({journal}, out.string(), o), "");
  std::string error;
  const auto run = load_run({journal}, o, error);
  ASSERT_TRUE(run.has_value()) << error;
  EXPECT_GE(run->stats.trades, 1u) << slurp(out / "summary.json");
  EXPECT_NEAR(run->stats.net_pnl, totals.net().to_double(), 1e-6);
  EXPECT_NEAR(run->stats.fees, totals.fees.to_double(), 1e-6);
  EXPECT_GT(run->curve.size(), 10u);

  const BrowserRun dom = chromium(exe, work, out / "report.html", "--dump-dom");
  ASSERT_EQ(dom.status, 0) << dom.err;
  EXPECT_NE(dom.out.find("data-loaded=\"ok\""), std::string::npos) << dom.out.substr(0, 2000);
  expect_clean_console(dom.err);
  const fs::path png = work / "report.png";
  const BrowserRun shot = chromium(exe, work, out / "report.html", "--screenshot=" + png.string());
  ASSERT_EQ(shot.status, 0) << shot.err;
  EXPECT_GT(fs::file_size(png), 60'000u);
}

}  // namespace
}  // namespace odte::reports
