#include "odte/core/market/instrument_registry.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace odte {
namespace {

InstrumentInfo option_info(const char* root, int expiry, OptionRight right, Price strike) {
  InstrumentInfo info;
  info.asset = AssetClass::kOption;
  std::snprintf(info.option.root, sizeof info.option.root, "%s", root);
  info.option.expiry_yyyymmdd = expiry;
  info.option.right = right;
  info.option.strike = strike;
  info.option.underlying = kNoInstrument;
  info.option.multiplier = 100;
  return info;
}

TEST(InstrumentRegistryTest, shouldHandOutDenseIdsAndFindThemAgain) {
  InstrumentRegistry reg(16);
  const auto spy = reg.intern("SPY", {AssetClass::kStock, {}});
  const auto spx = reg.intern("I:SPX", {AssetClass::kIndex, {}});
  EXPECT_EQ(spy, 0u);
  EXPECT_EQ(spx, 1u);
  EXPECT_EQ(reg.intern("SPY", {AssetClass::kStock, {}}), spy);
  EXPECT_EQ(reg.find("I:SPX"), spx);
  EXPECT_EQ(reg.find("I:VIX"), kNoInstrument);
  EXPECT_EQ(reg.size(), 2u);
  EXPECT_EQ(reg.get(spx).symbol_view(), "I:SPX");
  EXPECT_EQ(reg.get(spx).info.asset, AssetClass::kIndex);
}

TEST(InstrumentRegistryTest, shouldKeepOptionContractFields) {
  InstrumentRegistry reg(16);
  const auto id = reg.intern("O:SPXW260821C05600000",
                             option_info("SPXW", 20260821, OptionRight::kCall, Price::from_dollars(5600)));
  const Instrument& inst = reg.get(id);
  EXPECT_EQ(inst.info.asset, AssetClass::kOption);
  EXPECT_STREQ(inst.info.option.root, "SPXW");
  EXPECT_EQ(inst.info.option.expiry_yyyymmdd, 20260821);
  EXPECT_EQ(inst.info.option.right, OptionRight::kCall);
  EXPECT_EQ(inst.info.option.strike, Price::from_dollars(5600));
  EXPECT_EQ(inst.info.option.multiplier, 100u);
}

TEST(InstrumentRegistryTest, shouldRejectEmptyAndOverlongSymbols) {
  InstrumentRegistry reg(4);
  EXPECT_EQ(reg.intern("", {}), kNoInstrument);
  EXPECT_EQ(reg.intern(std::string(Instrument::kMaxSymbol + 1, 'A'), {}), kNoInstrument);
  EXPECT_NE(reg.intern(std::string(Instrument::kMaxSymbol, 'A'), {}), kNoInstrument);
}

TEST(InstrumentRegistryTest, shouldReportFullRegistryInsteadOfOverwriting) {
  InstrumentRegistry reg(3);
  EXPECT_EQ(reg.intern("A", {}), 0u);
  EXPECT_EQ(reg.intern("B", {}), 1u);
  EXPECT_EQ(reg.intern("C", {}), 2u);
  EXPECT_EQ(reg.intern("D", {}), kNoInstrument);
  EXPECT_EQ(reg.find("A"), 0u);
  EXPECT_EQ(reg.intern("C", {}), 2u);  // known symbols still resolve when full
  EXPECT_EQ(reg.size(), 3u);
}

// Several feed threads interning overlapping symbols at once must agree on one id per symbol.
TEST(InstrumentRegistryStressTest, shouldGiveOneIdPerSymbolUnderConcurrentInterning) {
  constexpr int kThreads = 4;
  constexpr int kSymbols = 2000;
  InstrumentRegistry reg(kThreads * kSymbols);
  std::vector<std::vector<InstrumentId>> ids(kThreads, std::vector<InstrumentId>(kSymbols));
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) {
      }
      for (int s = 0; s < kSymbols; ++s) {
        const int k = (s * 7 + t * 13) % kSymbols;  // different order per thread
        ids[static_cast<std::size_t>(t)][static_cast<std::size_t>(k)] =
            reg.intern("SYM" + std::to_string(k), {});
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<InstrumentId> distinct;
  for (int s = 0; s < kSymbols; ++s) {
    const auto id = ids[0][static_cast<std::size_t>(s)];
    ASSERT_NE(id, kNoInstrument);
    for (int t = 1; t < kThreads; ++t) ASSERT_EQ(ids[static_cast<std::size_t>(t)][static_cast<std::size_t>(s)], id);
    EXPECT_EQ(reg.get(id).symbol_view(), "SYM" + std::to_string(s));
    EXPECT_EQ(reg.find("SYM" + std::to_string(s)), id);
    distinct.insert(id);
  }
  EXPECT_EQ(distinct.size(), static_cast<std::size_t>(kSymbols));
}

}  // namespace
}  // namespace odte
