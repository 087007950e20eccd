// Per-event cost of the core engine with a full SPY 0DTE chain loaded (~80 strikes x 2 rights
// quoted), with the two bar strategies and with all five seed strategies: the cost of on_market_event + on_timer per event, the
// loop a replay or the live core thread runs. Peer in the same run: applying the same events to
// MarketState alone (the floor: what any engine must do to keep an NBBO table).

#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <random>
#include <vector>

#include "odte/core/engine/engine.hpp"
#include "odte/strategies/factory.hpp"

namespace {

using namespace odte;

constexpr std::int64_t kSec = 1'000'000'000;
constexpr TimestampNs kOpen = (1'787'270'400LL + (13 * 60 + 30) * 60) * kSec;  // 09:30 EDT

struct Chain {
  InstrumentRegistry registry{8192};
  std::vector<MarketEvent> events;
  Chain() {
    const InstrumentId spy = registry.intern("SPY", InstrumentInfo{AssetClass::kStock, {}});
    const InstrumentId vix = registry.intern("I:VIX", InstrumentInfo{AssetClass::kIndex, {}});
    const InstrumentId vvix = registry.intern("I:VVIX", InstrumentInfo{AssetClass::kIndex, {}});
    std::vector<InstrumentId> options;
    for (int k = 460; k <= 540; ++k) {
      for (const OptionRight r : {OptionRight::kCall, OptionRight::kPut}) {
        InstrumentInfo info;
        info.asset = AssetClass::kOption;
        std::snprintf(info.option.root, sizeof info.option.root, "SPY");
        info.option.expiry_yyyymmdd = 20260821;
        info.option.right = r;
        info.option.strike = Price::from_dollars(k);
        info.option.multiplier = 100;
        char sym[32];
        std::snprintf(sym, sizeof sym, "O:SPY260821%c%08d", static_cast<char>(r), k * 1000);
        options.push_back(registry.intern(sym, info));
      }
    }
    std::mt19937 rng(7);
    std::uniform_int_distribution<std::size_t> pick(0, options.size() - 1);
    // One trading hour at ~100 events per second: mostly option quotes, some trades and values.
    for (int i = 0; i < 360'000; ++i) {
      const TimestampNs t = kOpen + static_cast<TimestampNs>(i) * 10'000'000;
      const int kind = i % 20;
      if (kind == 0) {
        events.push_back(MarketEvent::make_trade(spy, StreamId::kStocks, t, t, Price::from_cents(50000 + i % 37), 100));
      } else if (kind == 1) {
        events.push_back(MarketEvent::make_index(vix, StreamId::kIndices, t, t, Price::from_cents(1500 + i % 11)));
      } else if (kind == 2) {
        events.push_back(MarketEvent::make_index(vvix, StreamId::kIndices, t, t, Price::from_cents(9000 + i % 13)));
      } else {
        const Price bid = Price::from_cents(100 + static_cast<Price::Rep>(i % 50));
        events.push_back(MarketEvent::make_quote(options[pick(rng)], StreamId::kOptions, t, t, bid, 10,
                                                 bid + Price::from_cents(5), 12));
      }
    }
  }
};

Chain& chain() {
  static Chain c;
  return c;
}

// Each pass over the hour of events runs on a fresh engine (built with timing paused): replaying
// the same hour into one engine would send its clock backwards, and strategies' timers would
// stop firing after the first pass.
using MakeStrategies = std::vector<std::unique_ptr<Strategy>> (*)();
void run_engine(benchmark::State& state, MakeStrategies make) {
  Chain& c = chain();
  auto ring = std::make_unique<CommandRing>();
  EngineConfig cfg;
  cfg.orders.trading_day = 20260821;
  auto fresh = [&] {
    auto e = std::make_unique<Engine>(cfg, c.registry, make(), *ring, nullptr);
    e->start(kOpen);
    return e;
  };
  std::unique_ptr<Engine> engine = fresh();
  std::size_t i = 0;
  for (auto _ : state) {
    const MarketEvent& e = c.events[i];
    engine->on_market_event(e, e.header.exchange_ns);
    engine->on_timer(e.header.exchange_ns);
    ring->drain([](const OrderCommand& cmd) { benchmark::DoNotOptimize(cmd); });  // no broker: cost of the core only
    if (++i == c.events.size()) {
      state.PauseTiming();
      i = 0;
      engine = fresh();
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

std::vector<std::unique_ptr<Strategy>> two_strategies() {
  std::vector<std::unique_ptr<Strategy>> s;
  s.push_back(strategies::make_strategy("regime", "quantity = 1\n", 0, "bench"));
  s.push_back(strategies::make_strategy("iron_condor", "short_otm = 0.006\nlong_otm = 0.012\n", 1, "bench"));
  return s;
}

// The five seed strategies together: the three chain strategies refresh their ChainAnalytics
// (spot, t, ATM IV: two implied-vol solves) once per second of market time and the chain's
// volume once a minute, so their cost per event is that work spread over ~100 events a second.
std::vector<std::unique_ptr<Strategy>> five_strategies() {
  std::vector<std::unique_ptr<Strategy>> s = two_strategies();
  s.push_back(strategies::make_strategy("iv_spike_butterfly", "entry_mode = \"iv_spike\"\n", 2, "bench"));
  s.push_back(strategies::make_strategy("vix1d_credit_spread", "vix1d_source = \"chain\"\n", 3, "bench"));
  s.push_back(strategies::make_strategy("short_strangle", "target_delta = 0.30\n", 4, "bench"));
  return s;
}

void BM_EngineEvent(benchmark::State& state) { run_engine(state, &two_strategies); }
void BM_EngineEventAllStrategies(benchmark::State& state) { run_engine(state, &five_strategies); }

void BM_MarketStateOnly(benchmark::State& state) {
  Chain& c = chain();
  MarketState market(c.registry.capacity());
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(market.apply(c.events[i]));
    if (++i == c.events.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

}  // namespace

BENCHMARK(BM_EngineEvent)->Name("engine/per_event/full_chain_two_strategies");
BENCHMARK(BM_EngineEventAllStrategies)->Name("engine/per_event/full_chain_five_strategies");
BENCHMARK(BM_MarketStateOnly)->Name("engine/per_event/market_state_only");

BENCHMARK_MAIN();
