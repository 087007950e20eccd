#pragma once

// A deterministic synthetic trading day for replay tests: SPY, VIX and VVIX printed every minute
// from 09:30 to 16:00 EDT on 2026-08-21 as a seeded random walk, and the SPY 0DTE chain (strikes
// 480-520) quoted every minute with time value decaying away from the money and into the close.
// The same seed gives the same events; ids are interned in a fixed order at construction.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "odte/daemon/replay.hpp"
#include "odte/strategies/factory.hpp"

namespace odte::testing_day {

inline constexpr std::int64_t kSec = 1'000'000'000;
inline constexpr TimestampNs kOpenUtc = (1'787'270'400LL + (9 * 60 + 30 + 4 * 60) * 60) * kSec;  // 09:30 EDT

class SyntheticDay final : public daemon::EventSource {
 public:
  SyntheticDay(InstrumentRegistry& registry, std::uint32_t seed) {
    spy_ = registry.intern("SPY", InstrumentInfo{AssetClass::kStock, {}});
    vix_ = registry.intern("I:VIX", InstrumentInfo{AssetClass::kIndex, {}});
    vvix_ = registry.intern("I:VVIX", InstrumentInfo{AssetClass::kIndex, {}});
    for (int k = 480; k <= 520; ++k) {
      for (const OptionRight r : {OptionRight::kCall, OptionRight::kPut}) {
        InstrumentInfo info;
        info.asset = AssetClass::kOption;
        std::snprintf(info.option.root, sizeof info.option.root, "SPY");
        info.option.expiry_yyyymmdd = 20260821;
        info.option.right = r;
        info.option.strike = Price::from_dollars(k);
        info.option.multiplier = 100;
        info.option.underlying = spy_;
        char sym[32];
        std::snprintf(sym, sizeof sym, "O:SPY260821%c%08d", static_cast<char>(r), k * 1000);
        (r == OptionRight::kCall ? calls_ : puts_).push_back(registry.intern(sym, info));
      }
    }
    std::mt19937 rng(seed);
    std::normal_distribution<double> step(0.0, 1.0);
    double spy = 500.0, vix = 15.0, vvix = 90.0;
    for (int m = 0; m < 390; ++m) {
      const TimestampNs t = kOpenUtc + m * 60 * kSec;
      spy += 0.12 * step(rng);
      vix = std::max(9.0, vix + 0.08 * step(rng) + (m == 200 ? 2.5 : 0.0));  // one volatility shock
      vvix = std::max(60.0, vvix + 0.4 * step(rng));
      events_.push_back(MarketEvent::make_trade(spy_, StreamId::kStocks, t + 30 * kSec, t + 30 * kSec, Price::from_double(spy).round_to(Price::from_cents(1)), 100));
      events_.push_back(MarketEvent::make_index(vix_, StreamId::kIndices, t + 30 * kSec, t + 30 * kSec, Price::from_double(vix).round_to(Price::from_cents(1))));
      events_.push_back(MarketEvent::make_index(vvix_, StreamId::kIndices, t + 30 * kSec, t + 30 * kSec, Price::from_double(vvix).round_to(Price::from_cents(1))));
      const double left = std::sqrt((390.0 - m) / 390.0);
      for (int i = 0; i <= 40; ++i) {
        const double k = 480.0 + i;
        if (std::abs(k - spy) > 12.0) continue;
        const double tv = 2.0 * std::exp(-std::abs(k - spy) / 3.0) * left + 0.01;
        const double call = std::max(spy - k, 0.0) + tv;
        const double put = std::max(k - spy, 0.0) + tv;
        const TimestampNs q = t + 45 * kSec;
        events_.push_back(MarketEvent::make_quote(calls_[static_cast<std::size_t>(i)], StreamId::kOptions, q, q,
                                                  Price::from_double(call).round_to(Price::from_cents(1)), 50,
                                                  Price::from_double(call + 0.05).round_to(Price::from_cents(1)), 50));
        events_.push_back(MarketEvent::make_quote(puts_[static_cast<std::size_t>(i)], StreamId::kOptions, q, q,
                                                  Price::from_double(put).round_to(Price::from_cents(1)), 50,
                                                  Price::from_double(put + 0.05).round_to(Price::from_cents(1)), 50));
      }
    }
  }
  bool next(MarketEvent& out) override {
    if (pos_ >= events_.size()) return false;
    out = events_[pos_++];
    return true;
  }
  [[nodiscard]] std::size_t size() const { return events_.size(); }

 private:
  InstrumentId spy_, vix_, vvix_;
  std::vector<InstrumentId> calls_, puts_;
  std::vector<MarketEvent> events_;
  std::size_t pos_ = 0;
};

// The regime strategy (quantity 1) replayed through the synthetic day into a journal at `journal`,
// each record shown to `observer` when one is given (the event log).
inline daemon::ReplayOutcome replay_regime_day(const std::string& journal, JournalObserver* observer = nullptr) {
  InstrumentRegistry registry(4096);
  SyntheticDay day(registry, 20260821);
  std::vector<std::unique_ptr<Strategy>> s;
  s.push_back(strategies::make_strategy("regime", "quantity = 1\n", 0, "test"));
  daemon::ReplaySetup setup;
  setup.engine.orders.trading_day = 20260821;
  setup.engine.stale_after_ns = 600LL * 1'000'000'000;
  setup.journal_path = journal;
  setup.journal_observer = observer;
  return daemon::run_replay(setup, registry, std::move(s), day);
}

}  // namespace odte::testing_day
