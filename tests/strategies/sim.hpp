#pragma once

// A replay-shaped harness for strategy tests: registry, engine and paper broker stepped on one
// clock, exactly as the replay driver steps them. Times are exchange-local (EDT) on 2026-08-21.

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "odte/brokers/paper_broker.hpp"
#include "odte/core/engine/engine.hpp"
#include "odte/core/engine/tick_table.hpp"

namespace odte::testing_sim {

inline constexpr std::int64_t kSec = 1'000'000'000;
inline constexpr std::int64_t kMin = 60 * kSec;
inline constexpr TimestampNs kDayUtc = 1'787'270'400LL * kSec;  // 2026-08-21 00:00 UTC
inline constexpr TimestampNs at(int hh, int mm, int ss = 0) {
  return kDayUtc + (hh + 4) * 60 * kMin + mm * kMin + ss * kSec;
}

class Sim {
 public:
  explicit Sim(std::vector<std::unique_ptr<Strategy>> strategies, EngineConfig cfg = default_config())
      : registry_(4096), ring_(std::make_unique<CommandRing>()), broker_(brokers::PaperBrokerConfig{}) {
    strategies_ = std::move(strategies);
    cfg_ = cfg;
  }
  static EngineConfig default_config() {
    EngineConfig c;
    c.orders.trading_day = 20260821;
    c.utc_offset_minutes = -240;
    // No engine-wide safety exit: the default, as shipped. Each strategy's own exits apply.
    c.stale_after_ns = 30 * kMin;  // the synthetic days print once a minute
    return c;
  }
  // The session history the engine gets before start (StrategyContext::history).
  void set_history(SessionHistory h) { history_ = std::move(h); }
  void start(TimestampNs t) {
    engine_ = std::make_unique<Engine>(cfg_, registry_, std::move(strategies_), *ring_, nullptr);
    if (history_) engine_->set_history(*history_);
    engine_->start(t);
  }
  InstrumentId option(const char* root, OptionRight right, Price strike) {
    char sym[40];
    std::snprintf(sym, sizeof sym, "O:%s260821%c%08lld", root, static_cast<char>(right),
                  static_cast<long long>(strike.ticks() / 10));
    InstrumentInfo info;
    info.asset = AssetClass::kOption;
    std::snprintf(info.option.root, sizeof info.option.root, "%s", root);
    info.option.expiry_yyyymmdd = 20260821;
    info.option.right = right;
    info.option.strike = strike;
    info.option.multiplier = 100;
    info.option.underlying = kNoInstrument;
    return registry_.intern(sym, info);
  }
  InstrumentId symbol(const char* s) {
    const bool index = s[0] == 'I' && s[1] == ':';
    return registry_.intern(s, InstrumentInfo{index ? AssetClass::kIndex : AssetClass::kStock, {}});
  }
  void event(const MarketEvent& e) {
    const TimestampNs t = e.header.exchange_ns;
    engine_->on_market_event(e, t);
    pump(t);
  }
  void trade(InstrumentId id, TimestampNs t, Price px, std::uint64_t size = 100) {
    event(MarketEvent::make_trade(id, StreamId::kStocks, t, t, px, size));
  }
  void index(InstrumentId id, TimestampNs t, Price v) { event(MarketEvent::make_index(id, StreamId::kIndices, t, t, v)); }
  void quote(InstrumentId id, TimestampNs t, Price bid, Price ask, std::uint32_t size = 100) {
    event(MarketEvent::make_quote(id, StreamId::kOptions, t, t, bid, size, ask, size));
  }
  void pump(TimestampNs t) {
    for (int round = 0; round < 4; ++round) {
      ring_->drain([&](const OrderCommand& c) {
        // Every price that leaves is one the venue accepts (tick_table.hpp), whatever the test.
        if (c.kind == CommandKind::kNew || c.kind == CommandKind::kReplace) {
          EXPECT_TRUE(limit_on_grid(registry_, std::span<const OrderLeg>(c.legs, c.leg_count), c.limit))
              << "off-grid limit " << c.limit.to_string() << " on " << registry_.get(c.legs[0].instrument).symbol_view();
        }
        commands_.push_back(c);
        broker_.submit(c, t);
      });
      broker_.poll(engine_->market_state(), t, [&](const ExecutionReport& r) { engine_->on_exec_report(r, t); });
      engine_->on_timer(t);
    }
  }
  Engine& engine() { return *engine_; }
  InstrumentRegistry& registry() { return registry_; }
  const std::vector<OrderCommand>& commands() const { return commands_; }
  bool noted(const std::string& fragment) const {
    for (const auto& n : engine_->notes()) {
      if (n.find(fragment) != std::string::npos) return true;
    }
    return false;
  }

 private:
  InstrumentRegistry registry_;
  std::unique_ptr<CommandRing> ring_;
  brokers::PaperBroker broker_;
  EngineConfig cfg_;
  std::vector<std::unique_ptr<Strategy>> strategies_;
  std::optional<SessionHistory> history_;
  std::unique_ptr<Engine> engine_;
  std::vector<OrderCommand> commands_;
};

}  // namespace odte::testing_sim
