#pragma once

// One real day of the S&P 500 index, 1-minute (2026-08-21, ../shared/data/spx-0dte-archive-yahoo-cboe
// spx-1m/2026-08-21.csv, imported by the project's importer into the committed recording
// tests/data/real/spx-1m-2026-08-21.odr), replayed through the recording parser and the daemon's
// run_replay, with an SPXW 0DTE option chain BUILT here and merged in.
//
// Why built: the shared data has no SPXW quotes for a day with SPX minutes (the LEAN sample's two
// SPXW strikes are from 2021/2023). What is real: the I:SPX path (every minute's close) and the list
// of strikes -- the SPXW 0DTE strikes listed that day, 7490..7840 every 5 points, the union of the
// strikes in the day's 26 open-interest profiles gex/profile/2026-08-21_*.csv (71 strikes, no gap).
// What is built and says so: the quotes (Black-Scholes, r = q = 0, sigma = kBuiltVol, a stated
// constant, not a measurement; expiring 16:00 ET, PM-settled), and the I:VIX / I:VVIX minutes
// some strategies need (no intraday VIX exists for 2026 in the shared data): straight lines from
// a stated start with a stated slope per minute.
//
// The quotes are on SPXW's single-leg grid: bid = the model value rounded down to the tick ($0.05
// under $3.00, $0.10 from $3.00), at least $0.05; ask = the next price on the grid above the bid.
//
// Timing, as in vix_minute_day.hpp: the importer stamps each SPX bar with its minute's start, and
// the chain built from that bar's close is stamped 1 ns earlier and handed to the engine first, so
// a timer firing on the bar sees the strikes priced at the same index value. The built VIX and
// VVIX bars carry the SPX bar's stamp and come just before it.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "odte/core/engine/tick_table.hpp"
#include "odte/core/options/black_scholes.hpp"
#include "odte/core/options/calendar.hpp"
#include "odte/daemon/replay.hpp"
#include "odte/feeds/recording_source.hpp"
#include "day_harness.hpp"

namespace odte::testing_spxw_day {

namespace fs = std::filesystem;

inline constexpr std::int32_t kDay = 20260821;
inline constexpr int kLowStrike = 7490;   // gex/profile/2026-08-21_*.csv: the day's listed SPXW 0DTE strikes
inline constexpr int kHighStrike = 7840;
inline constexpr int kStrikeStep = 5;
inline constexpr double kBuiltVol = 0.14;  // stated, not measured

inline fs::path recording() { return testing_day::committed("spx-1m-2026-08-21.odr"); }

// "O:SPXW260821C07665000".
inline std::string occ(char right, int strike) {
  char s[40];
  std::snprintf(s, sizeof s, "O:SPXW%06d%c%08d", kDay % 1'000'000, right, strike * 1000);
  return s;
}

struct BuiltQuote {
  Price bid, ask;
};
// The built quote of one contract, exactly as the source below makes it.
inline BuiltQuote built_quote(OptionRight right, double spot, int strike, double years) {
  const double v = options::bsm_price({right, spot, static_cast<double>(strike), years, 0.0, 0.0, kBuiltVol});
  const Price value = Price::from_double(v);
  const auto tick = [](Price p) { return p < Price::from_dollars(3) ? Price::from_cents(5) : Price::from_cents(10); };
  Price bid = Price::from_ticks(value.ticks() / tick(value).ticks() * tick(value).ticks());
  if (bid < Price::from_cents(5)) bid = Price::from_cents(5);
  return {bid, bid + tick(bid)};
}

// A built index series: start + slope x minutes since 09:30.
struct BuiltLine {
  double start = 0.0;
  double per_minute = 0.0;
};

class SpxDayWithBuiltChain final : public daemon::EventSource {
 public:
  SpxDayWithBuiltChain(InstrumentRegistry& registry, BuiltLine vix, BuiltLine vvix)
      : registry_{registry}, source_{registry}, vix_line_{vix}, vvix_line_{vvix} {
    settle_ns_ = options::local_to_utc_ns(kDay, 16 * 60);
    open_ns_ = options::local_to_utc_ns(kDay, 9 * 60 + 30);
    for (int k = kLowStrike; k <= kHighStrike; k += kStrikeStep) {
      for (const OptionRight r : {OptionRight::kCall, OptionRight::kPut}) {
        InstrumentInfo info;
        info.asset = AssetClass::kOption;
        std::snprintf(info.option.root, sizeof info.option.root, "SPXW");
        info.option.expiry_yyyymmdd = kDay;
        info.option.right = r;
        info.option.strike = Price::from_dollars(k);
        info.option.multiplier = 100;
        info.option.underlying = kNoInstrument;
        chain_.push_back({registry.intern(occ(static_cast<char>(r), k), info), r, k});
      }
    }
  }
  [[nodiscard]] std::string open(const std::string& recording) {
    if (std::string e = source_.open(recording); !e.empty()) return e;
    spx_ = registry_.intern("I:SPX", InstrumentInfo{AssetClass::kIndex, {}});
    vix_ = registry_.intern("I:VIX", InstrumentInfo{AssetClass::kIndex, {}});
    vvix_ = registry_.intern("I:VVIX", InstrumentInfo{AssetClass::kIndex, {}});
    return {};
  }
  bool next(MarketEvent& out) override {
    if (pos_ < pending_.size()) {
      out = pending_[pos_++];
      return true;
    }
    pending_.clear();
    pos_ = 0;
    MarketEvent e{};
    if (!source_.next(e)) return false;
    if (e.header.instrument == spx_ && e.kind() == EventKind::kBar) {
      const TimestampNs t = e.header.exchange_ns;
      const double years = options::year_fraction(t - 1, settle_ns_);
      if (years > 0) {
        for (const Leg& c : chain_) {
          const BuiltQuote q = built_quote(c.right, e.bar.close.to_double(), c.strike, years);
          pending_.push_back(MarketEvent::make_quote(c.id, StreamId::kOptions, t - 1, t - 1, q.bid, 100, q.ask, 100));
        }
        ++quote_rounds_;
      }
      const double minutes = static_cast<double>(t - open_ns_) / 60e9;
      for (const auto& [id, line] : {std::pair{vix_, vix_line_}, std::pair{vvix_, vvix_line_}}) {
        if (line.start <= 0.0) continue;
        const Price v = Price::from_double(line.start + line.per_minute * minutes).round_to(Price::from_cents(1));
        pending_.push_back(MarketEvent::make_bar(id, StreamId::kIndices, BarInterval::kMinute, t, t, v, v, v, v, 0));
      }
    }
    pending_.push_back(e);
    out = pending_[pos_++];
    return true;
  }
  [[nodiscard]] std::uint64_t quote_rounds() const noexcept { return quote_rounds_; }
  [[nodiscard]] std::string failure() const override { return source_.error(); }

 private:
  struct Leg {
    InstrumentId id;
    OptionRight right;
    int strike;
  };
  InstrumentRegistry& registry_;
  feeds::RecordingEventSource source_;
  BuiltLine vix_line_;
  BuiltLine vvix_line_;
  TimestampNs settle_ns_ = 0;
  TimestampNs open_ns_ = 0;
  std::vector<Leg> chain_;
  InstrumentId spx_ = kNoInstrument, vix_ = kNoInstrument, vvix_ = kNoInstrument;
  std::vector<MarketEvent> pending_;
  std::size_t pos_ = 0;
  std::uint64_t quote_rounds_ = 0;
};

struct DayRun {
  bool ok = false;
  std::string error;
  std::vector<Order> orders;
  std::vector<std::vector<std::string>> leg_symbols;
  std::vector<int> order_minutes;  // New York minute of day of each order's creation
  std::vector<bool> on_grid;       // each order's limit on the venue's grid (tick_table.hpp)
  std::vector<std::string> notes;
  std::uint32_t open_positions = 0;
  std::uint64_t quote_rounds = 0;
  [[nodiscard]] std::string all_notes() const {
    std::string s;
    for (const auto& n : notes) s += n + "\n";
    return s;
  }
};

// Replays the day with `strategies`; `vix`/`vvix` are the built minutes (start 0 = none).
inline DayRun replay(std::vector<std::unique_ptr<Strategy>> strategies, const std::string& tag, BuiltLine vix,
                     BuiltLine vvix, const std::function<void(EngineConfig&)>& configure = {}) {
  DayRun run;
  if (!fs::exists(recording())) {
    run.error = testing_day::missing(recording());
    return run;
  }
  InstrumentRegistry registry(8192);
  SpxDayWithBuiltChain events(registry, vix, vvix);
  if (std::string e = events.open(recording().string()); !e.empty()) {
    run.error = e;
    return run;
  }
  const int offset = options::session(kDay).utc_offset_minutes;
  daemon::ReplaySetup setup = testing_day::day_setup(kDay, offset, tag);
  if (configure) configure(setup.engine);
  setup.on_finish = [&](const Engine& engine, const daemon::ReplayOutcome&) {
    run.notes = engine.notes();
    run.open_positions = engine.book().totals().open_positions;
    testing_day::RunOrders o = testing_day::orders_of(engine, registry, offset);
    for (const Order& ord : o.orders) {
      run.on_grid.push_back(limit_on_grid(registry, std::span<const OrderLeg>(ord.legs, ord.leg_count), ord.limit));
    }
    run.orders = std::move(o.orders);
    run.leg_symbols = std::move(o.leg_symbols);
    for (const std::int64_t s : o.local_seconds) run.order_minutes.push_back(static_cast<int>(s / 60));
  };
  const daemon::ReplayOutcome r = daemon::run_replay(setup, registry, std::move(strategies), events);
  run.quote_rounds = events.quote_rounds();
  if (!r.ok) {
    run.error = r.error;
    return run;
  }
  run.ok = true;
  return run;
}

}  // namespace odte::testing_spxw_day
