#pragma once

// Shared pieces of the FIX adapter tests: a scratch directory, a registry of SPXW options, an
// OrderManager fed by the adapter's reports, and waiting on conditions with deadlines.

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "odte/core/engine/broker_port.hpp"
#include "odte/core/market/instrument_registry.hpp"
#include "odte/core/market/market_state.hpp"
#include "odte/core/engine/order_manager.hpp"

namespace odte::testing {

inline constexpr std::int32_t kFixTestDay = 20260821;

inline std::filesystem::path scratch_dir(const std::string& name) {
  static std::atomic<int> counter{0};
  const auto dir = std::filesystem::temp_directory_path() /
                   ("odte-fix-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// SPXW 0DTE contracts on kFixTestDay: ids 0..3 = 5600C, 5610C, 5590P, 5580P.
inline void intern_options(InstrumentRegistry& registry, std::vector<InstrumentId>& ids) {
  struct C {
    const char* symbol;
    OptionRight right;
    std::int64_t strike;
  };
  const C contracts[] = {{"O:SPXW260821C05600000", OptionRight::kCall, 5600},
                         {"O:SPXW260821C05610000", OptionRight::kCall, 5610},
                         {"O:SPXW260821P05590000", OptionRight::kPut, 5590},
                         {"O:SPXW260821P05580000", OptionRight::kPut, 5580}};
  for (const C& c : contracts) {
    InstrumentInfo info{};
    info.asset = AssetClass::kOption;
    std::snprintf(info.option.root, sizeof info.option.root, "%s", "SPXW");
    info.option.expiry_yyyymmdd = kFixTestDay;
    info.option.right = c.right;
    info.option.strike = Price::from_dollars(c.strike);
    info.option.underlying = kNoInstrument;
    info.option.multiplier = 100;
    ids.push_back(registry.intern(c.symbol, info));
  }
}

// A stock (or ETF) as the engine interns a feed symbol: no option fields. For single-leg stock
// orders (the short strangle's delta hedge), sent as 35=D.
inline InstrumentId intern_stock(InstrumentRegistry& registry, const char* symbol) {
  return registry.intern(symbol, InstrumentInfo{AssetClass::kStock, {}});
}

// Applies every report to an OrderManager, as the engine would, and keeps them for assertions.
class OmSink final : public ReportSink {
 public:
  explicit OmSink(OrderManager& om) : om_{om} {}
  void on_report(const ExecutionReport& r) noexcept override {
    reports.push_back(r);
    statuses.push_back(om_.apply(r, 0).status);
  }
  std::vector<ExecutionReport> reports;
  std::vector<ApplyStatus> statuses;

 private:
  OrderManager& om_;
};

// Polls `step` until `done` holds or the deadline passes; returns done().
inline bool wait_for(const std::function<bool()>& done, const std::function<void()>& step,
                     std::chrono::milliseconds limit = std::chrono::milliseconds(15000)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    step();
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  step();
  return done();
}

// Net contracts per instrument from the order manager's leg fills (buy +, sell -).
inline std::vector<std::int64_t> positions(const OrderManager& om, std::size_t instruments) {
  std::vector<std::int64_t> pos(instruments, 0);
  for (const Order& o : om.orders()) {
    for (int i = 0; i < o.leg_count; ++i) {
      const auto n = static_cast<std::int64_t>(o.leg_filled[i]);
      pos[o.legs[i].instrument] += o.legs[i].side == Side::kBuy ? n : -n;
    }
  }
  return pos;
}

}  // namespace odte::testing
