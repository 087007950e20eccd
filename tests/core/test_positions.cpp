#include "odte/core/engine/positions.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <unordered_map>

namespace odte {
namespace {

using namespace price_literals;

struct FakeMarket {
  std::unordered_map<InstrumentId, Nbbo> quotes;
  const Nbbo* nbbo(InstrumentId id) const noexcept {
    const auto it = quotes.find(id);
    return it == quotes.end() ? nullptr : &it->second;
  }
};

class PositionBookTest : public ::testing::Test {
 protected:
  PositionBookTest() : registry_(32), book_(registry_, 8) {
    spy_ = registry_.intern("SPY", InstrumentInfo{AssetClass::kStock, {}});
    spy_call_ = option("O:SPY260821C00500000", "SPY", OptionRight::kCall, 500_usd, spy_);
    spy_put_ = option("O:SPY260821P00500000", "SPY", OptionRight::kPut, 500_usd, spy_);
    spxw_put_ = option("O:SPXW260821P05600000", "SPXW", OptionRight::kPut, 5600_usd, kNoInstrument);
  }
  InstrumentId option(const char* sym, const char* root, OptionRight right, Price strike, InstrumentId underlying) {
    InstrumentInfo info;
    info.asset = AssetClass::kOption;
    std::snprintf(info.option.root, sizeof info.option.root, "%s", root);
    info.option.expiry_yyyymmdd = 20260821;
    info.option.right = right;
    info.option.strike = strike;
    info.option.underlying = underlying;
    info.option.multiplier = 100;
    return registry_.intern(sym, info);
  }
  InstrumentRegistry registry_;
  PositionBook book_;
  InstrumentId spy_ = kNoInstrument, spy_call_ = kNoInstrument, spy_put_ = kNoInstrument, spxw_put_ = kNoInstrument;
};

TEST_F(PositionBookTest, shouldRealizeAverageCostPnlOnPartialAndFullClose) {
  ASSERT_EQ(book_.book_fill(0, spy_call_, Side::kBuy, 2, 1.00_usd, Price::zero()), BookStatus::kOk);
  ASSERT_EQ(book_.book_fill(0, spy_call_, Side::kSell, 1, 1.50_usd, Price::zero()), BookStatus::kOk);
  EXPECT_EQ(book_.find(0, spy_call_)->realized, 50_usd);
  EXPECT_EQ(book_.find(0, spy_call_)->quantity, 1);
  ASSERT_EQ(book_.book_fill(0, spy_call_, Side::kSell, 1, 0.80_usd, Price::zero()), BookStatus::kOk);
  EXPECT_EQ(book_.find(0, spy_call_)->realized, 30_usd);
  EXPECT_EQ(book_.find(0, spy_call_)->open_cost, Price::zero());
  EXPECT_EQ(book_.totals().open_positions, 0u);
}

TEST_F(PositionBookTest, shouldStayExactWhenCostDoesNotDivideEvenly) {
  ASSERT_EQ(book_.book_fill(0, spy_call_, Side::kBuy, 1, 1.00_usd, Price::zero()), BookStatus::kOk);
  ASSERT_EQ(book_.book_fill(0, spy_call_, Side::kBuy, 2, 1.01_usd, Price::zero()), BookStatus::kOk);
  ASSERT_EQ(book_.book_fill(0, spy_call_, Side::kSell, 1, 1.10_usd, Price::zero()), BookStatus::kOk);
  ASSERT_EQ(book_.book_fill(0, spy_call_, Side::kSell, 2, 1.10_usd, Price::zero()), BookStatus::kOk);
  // Proceeds 3.30 - cost 3.02 = 0.28 per share x 100, to the cent, whatever the split.
  EXPECT_EQ(book_.find(0, spy_call_)->realized, 28_usd);
}

TEST_F(PositionBookTest, shouldRealizeCreditKeptOnShortBuyBack) {
  ASSERT_EQ(book_.book_fill(1, spy_put_, Side::kSell, 1, 2.00_usd, Price::zero()), BookStatus::kOk);
  EXPECT_EQ(book_.find(1, spy_put_)->quantity, -1);
  ASSERT_EQ(book_.book_fill(1, spy_put_, Side::kBuy, 1, 0.50_usd, Price::zero()), BookStatus::kOk);
  EXPECT_EQ(book_.find(1, spy_put_)->realized, 150_usd);
}

TEST_F(PositionBookTest, shouldFlipThroughZeroAndOpenTheRestAtFillPrice) {
  ASSERT_EQ(book_.book_fill(0, spy_call_, Side::kBuy, 1, 1_usd, Price::zero()), BookStatus::kOk);
  ASSERT_EQ(book_.book_fill(0, spy_call_, Side::kSell, 3, 2_usd, Price::zero()), BookStatus::kOk);
  const Position* p = book_.find(0, spy_call_);
  EXPECT_EQ(p->realized, 100_usd);
  EXPECT_EQ(p->quantity, -2);
  EXPECT_EQ(p->open_cost, -(4_usd));
}

TEST_F(PositionBookTest, shouldMarkToMidAndKeepLastMarkWhenOneSided) {
  ASSERT_EQ(book_.book_fill(0, spy_call_, Side::kBuy, 2, 1.00_usd, 1.30_usd), BookStatus::kOk);
  FakeMarket m;
  m.quotes[spy_call_] = Nbbo{1.20_usd, 1.30_usd, 1, 1, 0};
  book_.mark(m);
  EXPECT_EQ(book_.find(0, spy_call_)->unrealized(), 50_usd);  // (1.25 - 1.00) x 2 x 100
  m.quotes[spy_call_] = Nbbo{Price::invalid(), 1.40_usd, 0, 1, 0};
  book_.mark(m);
  EXPECT_EQ(book_.find(0, spy_call_)->mark, 1.25_usd);
  const auto t = book_.totals();
  EXPECT_EQ(t.fees, 1.30_usd);
  EXPECT_EQ(t.net(), 48.70_usd);
  EXPECT_EQ(t.open_positions, 1u);
}

TEST_F(PositionBookTest, shouldKeepStrategiesApart) {
  ASSERT_EQ(book_.book_fill(0, spy_call_, Side::kBuy, 1, 1_usd, Price::zero()), BookStatus::kOk);
  ASSERT_EQ(book_.book_fill(1, spy_call_, Side::kSell, 1, 1.5_usd, Price::zero()), BookStatus::kOk);
  EXPECT_EQ(book_.find(0, spy_call_)->quantity, 1);
  EXPECT_EQ(book_.find(1, spy_call_)->quantity, -1);
  EXPECT_EQ(book_.strategy_totals(1).open_positions, 1u);
  EXPECT_EQ(book_.strategy_totals(1).realized, Price::zero());
}

TEST_F(PositionBookTest, shouldCashSettleSpxwAtIntrinsic) {
  ASSERT_EQ(book_.book_fill(2, spxw_put_, Side::kSell, 1, 3.00_usd, Price::zero()), BookStatus::kOk);
  ASSERT_EQ(book_.settle_expiry(spxw_put_, 5590_usd, SettlementStyle::kCash), BookStatus::kOk);
  const Position* p = book_.find(2, spxw_put_);
  EXPECT_EQ(p->quantity, 0);
  EXPECT_EQ(p->realized, -(700_usd));  // (3 - 10) x 100
}

TEST_F(PositionBookTest, shouldExpireOutOfTheMoneyAtZeroKeepingTheCredit) {
  ASSERT_EQ(book_.book_fill(2, spxw_put_, Side::kSell, 2, 3.00_usd, Price::zero()), BookStatus::kOk);
  ASSERT_EQ(book_.settle_expiry(spxw_put_, 5610_usd, SettlementStyle::kCash), BookStatus::kOk);
  EXPECT_EQ(book_.find(2, spxw_put_)->realized, 600_usd);
}

TEST_F(PositionBookTest, shouldExerciseSpyCallIntoSharesAtTheStrike) {
  ASSERT_EQ(book_.book_fill(0, spy_call_, Side::kBuy, 1, 1.00_usd, Price::zero()), BookStatus::kOk);
  ASSERT_EQ(book_.settle_expiry(spy_call_, 503.25_usd, SettlementStyle::kPhysical), BookStatus::kOk);
  EXPECT_EQ(book_.find(0, spy_call_)->realized, -(100_usd));  // premium paid
  const Position* shares = book_.find(0, spy_);
  ASSERT_NE(shares, nullptr);
  EXPECT_EQ(shares->quantity, 100);
  EXPECT_EQ(shares->open_cost, 50'000_usd);
  EXPECT_EQ(shares->unrealized(), 325_usd);
  EXPECT_EQ(book_.totals().net(), 225_usd);  // intrinsic 3.25 - premium 1.00, x 100
}

TEST_F(PositionBookTest, shouldAssignShortPutIntoLongShares) {
  ASSERT_EQ(book_.book_fill(0, spy_put_, Side::kSell, 2, 1.50_usd, Price::zero()), BookStatus::kOk);
  ASSERT_EQ(book_.settle_expiry(spy_put_, 499_usd, SettlementStyle::kPhysical), BookStatus::kOk);
  const Position* shares = book_.find(0, spy_);
  ASSERT_NE(shares, nullptr);
  EXPECT_EQ(shares->quantity, 200);
  EXPECT_EQ(book_.totals().net(), 100_usd);  // (1.50 - 1.00) x 2 x 100
}

TEST_F(PositionBookTest, shouldRefuseBadFillsAndReportFullTable) {
  EXPECT_EQ(book_.book_fill(0, spy_call_, Side::kBuy, 0, 1_usd, Price::zero()), BookStatus::kBadFill);
  EXPECT_EQ(book_.book_fill(0, spy_call_, Side::kBuy, 1, Price::invalid(), Price::zero()), BookStatus::kBadFill);
  EXPECT_EQ(book_.book_fill(0, 999, Side::kBuy, 1, 1_usd, Price::zero()), BookStatus::kBadFill);
  for (std::uint16_t s = 0; s < 8; ++s) ASSERT_EQ(book_.book_fill(s, spy_call_, Side::kBuy, 1, 1_usd, Price::zero()), BookStatus::kOk);
  EXPECT_EQ(book_.book_fill(9, spy_call_, Side::kBuy, 1, 1_usd, Price::zero()), BookStatus::kFull);
  EXPECT_EQ(book_.positions().size(), 8u);
}

TEST_F(PositionBookTest, shouldRefuseSettlingNonOptionsAndPhysicalWithoutUnderlying) {
  EXPECT_EQ(book_.settle_expiry(spy_, 500_usd, SettlementStyle::kCash), BookStatus::kNotAnOption);
  ASSERT_EQ(book_.book_fill(0, spxw_put_, Side::kBuy, 1, 1_usd, Price::zero()), BookStatus::kOk);
  EXPECT_EQ(book_.settle_expiry(spxw_put_, 5500_usd, SettlementStyle::kPhysical), BookStatus::kNoUnderlying);
  EXPECT_EQ(book_.find(0, spxw_put_)->quantity, 1);  // nothing half-done
}

}  // namespace
}  // namespace odte
