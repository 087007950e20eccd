#include "odte/core/engine/tick_table.hpp"

#include <gtest/gtest.h>

#include <cstdio>

namespace odte {
namespace {

using namespace price_literals;

// The table is constexpr: the rules hold at compile time too.
static_assert(tick_for("SPXW", TickKind::kSingle, 2.95_usd) == 0.05_usd);
static_assert(tick_for("SPXW", TickKind::kSingle, 3_usd) == 0.10_usd);
static_assert(round_passive("SPX", TickKind::kSingle, 3.07_usd) == 3_usd);
static_assert(!tick_for("QQQ", TickKind::kSingle, 1_usd).valid());

TEST(TickTableTest, shouldGiveSpxSingleLegsFiveCentsUnderThreeDollarsAndTenCentsFromThree) {
  for (const char* root : {"SPX", "SPXW"}) {
    SCOPED_TRACE(root);
    EXPECT_EQ(tick_for(root, TickKind::kSingle, 0.05_usd), 0.05_usd);
    EXPECT_EQ(tick_for(root, TickKind::kSingle, 2.9999_usd), 0.05_usd);
    EXPECT_EQ(tick_for(root, TickKind::kSingle, 3_usd), 0.10_usd);
    EXPECT_EQ(tick_for(root, TickKind::kSingle, 45.30_usd), 0.10_usd);
    // A sale is a negative (credit) price: its magnitude decides.
    EXPECT_EQ(tick_for(root, TickKind::kSingle, -(2.95_usd)), 0.05_usd);
    EXPECT_EQ(tick_for(root, TickKind::kSingle, -(3.10_usd)), 0.10_usd);
    // Complex orders: five cents at any net price, debit or credit.
    EXPECT_EQ(tick_for(root, TickKind::kComplex, 0.40_usd), 0.05_usd);
    EXPECT_EQ(tick_for(root, TickKind::kComplex, 12.30_usd), 0.05_usd);
    EXPECT_EQ(tick_for(root, TickKind::kComplex, -(7.45_usd)), 0.05_usd);
  }
}

TEST(TickTableTest, shouldGiveSpyOptionsAndSharesAPenny) {
  for (TickKind kind : {TickKind::kSingle, TickKind::kComplex, TickKind::kStock}) {
    SCOPED_TRACE(to_string(kind));
    EXPECT_EQ(tick_for("SPY", kind, 0.37_usd), 0.01_usd);
    EXPECT_EQ(tick_for("SPY", kind, 503.21_usd), 0.01_usd);
  }
}

TEST(TickTableTest, shouldHaveNoTickForUnknownRootsOrKinds) {
  EXPECT_FALSE(tick_for("XSP", TickKind::kSingle, 1_usd).valid());
  EXPECT_FALSE(tick_for("SPX", TickKind::kStock, 1_usd).valid());  // SPX is an index, not shares
  EXPECT_FALSE(tick_for("", TickKind::kComplex, 1_usd).valid());
  EXPECT_FALSE(on_grid("XSP", TickKind::kSingle, 1_usd));
  EXPECT_FALSE(round_passive("XSP", TickKind::kSingle, 1_usd).valid());
  EXPECT_FALSE(tick_for("SPY", TickKind::kSingle, Price::invalid()).valid());
}

TEST(TickTableTest, shouldSayWhetherAPriceIsOnTheGridAcrossTheThreeDollarBoundary) {
  EXPECT_TRUE(on_grid("SPXW", TickKind::kSingle, 2.95_usd));
  EXPECT_FALSE(on_grid("SPXW", TickKind::kSingle, 2.97_usd));
  EXPECT_TRUE(on_grid("SPXW", TickKind::kSingle, 3_usd));
  EXPECT_FALSE(on_grid("SPXW", TickKind::kSingle, 3.05_usd));  // a nickel is off grid from $3
  EXPECT_TRUE(on_grid("SPXW", TickKind::kSingle, 3.10_usd));
  EXPECT_FALSE(on_grid("SPXW", TickKind::kSingle, -(3.05_usd)));
  EXPECT_TRUE(on_grid("SPXW", TickKind::kComplex, 3.05_usd));  // complex: a nickel everywhere
  EXPECT_TRUE(on_grid("SPXW", TickKind::kComplex, Price::zero()));
  EXPECT_FALSE(on_grid("SPXW", TickKind::kComplex, -(1.23_usd)));
  EXPECT_TRUE(on_grid("SPY", TickKind::kComplex, -(1.23_usd)));
  EXPECT_FALSE(on_grid("SPY", TickKind::kComplex, 1.015_usd));  // a half-penny mid
}

TEST(TickTableTest, shouldRoundADebitDownAndACreditUp) {
  // Debit (we pay): bid less.
  EXPECT_EQ(round_passive("SPXW", TickKind::kComplex, 1.23_usd), 1.20_usd);
  EXPECT_EQ(round_passive("SPXW", TickKind::kComplex, 1.25_usd), 1.25_usd);
  EXPECT_EQ(round_passive("SPXW", TickKind::kComplex, 0.01_usd), Price::zero());
  // Credit (we receive): ask more, i.e. a more negative net price.
  EXPECT_EQ(round_passive("SPXW", TickKind::kComplex, -(1.23_usd)), -(1.25_usd));
  EXPECT_EQ(round_passive("SPXW", TickKind::kComplex, -(1.25_usd)), -(1.25_usd));
  EXPECT_EQ(round_passive("SPXW", TickKind::kComplex, -(0.01_usd)), -(0.05_usd));
  EXPECT_EQ(round_passive("SPY", TickKind::kComplex, 1.0155_usd), 1.01_usd);
  EXPECT_EQ(round_passive("SPY", TickKind::kComplex, -(1.0155_usd)), -(1.02_usd));
  EXPECT_EQ(round_passive("SPY", TickKind::kStock, 500.0649_usd), 500.06_usd);
  EXPECT_EQ(round_passive("SPY", TickKind::kStock, -(499.8901_usd)), -(499.90_usd));
}

TEST(TickTableTest, shouldRoundSpxSingleLegsAcrossTheThreeDollarBoundaryOnBothSides) {
  // Buying: 3.07 is on the dime grid, so down to 3.00; 2.98 is on the nickel grid, so 2.95.
  EXPECT_EQ(round_passive("SPXW", TickKind::kSingle, 3.07_usd), 3_usd);
  EXPECT_EQ(round_passive("SPXW", TickKind::kSingle, 3.10_usd), 3.10_usd);
  EXPECT_EQ(round_passive("SPXW", TickKind::kSingle, 2.98_usd), 2.95_usd);
  EXPECT_EQ(round_passive("SPXW", TickKind::kSingle, 3_usd), 3_usd);
  // Selling (credit): 2.98 up to 3.00, which is on both grids; 3.01 up to 3.10, not 3.05.
  EXPECT_EQ(round_passive("SPXW", TickKind::kSingle, -(2.98_usd)), -(3_usd));
  EXPECT_EQ(round_passive("SPXW", TickKind::kSingle, -(3.01_usd)), -(3.10_usd));
  EXPECT_EQ(round_passive("SPXW", TickKind::kSingle, -(2.91_usd)), -(2.95_usd));
}

// Against a brute-force search: the rounded price is on the grid, at or below the input, and no
// grid price lies between them (the nearest passive price, never two ticks away).
TEST(TickTableTest, shouldRoundToTheNearestGridPriceOnThePassiveSideEverywhere) {
  // Every increment in the table is whole cents: search down from the cent at or below p.
  const auto grid_floor = [](std::string_view root, TickKind kind, Price p) {
    for (Price t = p.floor_to(Price::from_cents(1));; t -= Price::from_cents(1)) {
      if (on_grid(root, kind, t)) return t;
    }
  };
  for (const TickRow& row : kTickTable) {
    SCOPED_TRACE(std::string(row.root) + " " + std::string(to_string(row.kind)));
    for (Price::Rep t = -60'000; t <= 60'000; t += 7) {  // -6.00 .. 6.00 in 0.0007 steps
      const Price p = Price::from_ticks(t);
      const Price r = round_passive(row.root, row.kind, p);
      ASSERT_TRUE(on_grid(row.root, row.kind, r)) << p.to_string() << " -> " << r.to_string();
      ASSERT_EQ(r, grid_floor(row.root, row.kind, p)) << p.to_string();
    }
  }
}

// ---- orders: root and kind from the legs ----

class OrderGridTest : public ::testing::Test {
 protected:
  OrderGridTest() : registry_(64) {}
  InstrumentId option(const char* root, OptionRight right, int strike) {
    InstrumentInfo info;
    info.asset = AssetClass::kOption;
    std::snprintf(info.option.root, sizeof info.option.root, "%s", root);
    info.option.expiry_yyyymmdd = 20260821;
    info.option.right = right;
    info.option.strike = Price::from_dollars(strike);
    info.option.multiplier = 100;
    char sym[40];
    std::snprintf(sym, sizeof sym, "O:%s260821%c%08d", root, static_cast<char>(right), strike * 1000);
    return registry_.intern(sym, info);
  }
  OrderGrid grid(std::initializer_list<OrderLeg> legs) {
    return order_grid(registry_, std::span<const OrderLeg>(legs.begin(), legs.size()));
  }
  InstrumentRegistry registry_;
};

TEST_F(OrderGridTest, shouldTellSingleComplexAndStockOrdersApart) {
  const InstrumentId c = option("SPXW", OptionRight::kCall, 5600);
  const InstrumentId p = option("SPXW", OptionRight::kPut, 5600);
  const InstrumentId spy = registry_.intern("SPY", InstrumentInfo{AssetClass::kStock, {}});
  const OrderGrid single = grid({OrderLeg{c, Side::kBuy, 0, 1}});
  ASSERT_TRUE(single.known);
  EXPECT_EQ(single.kind, TickKind::kSingle);
  EXPECT_EQ(single.root_view(), "SPXW");
  EXPECT_TRUE(on_grid(single, 3.10_usd));
  EXPECT_FALSE(on_grid(single, 3.05_usd));
  const OrderGrid straddle = grid({OrderLeg{c, Side::kBuy, 0, 1}, OrderLeg{p, Side::kBuy, 0, 1}});
  ASSERT_TRUE(straddle.known);
  EXPECT_EQ(straddle.kind, TickKind::kComplex);
  EXPECT_TRUE(on_grid(straddle, 30.05_usd));
  const OrderGrid stock = grid({OrderLeg{spy, Side::kSell, kLegShares, 1}});
  ASSERT_TRUE(stock.known);
  EXPECT_EQ(stock.kind, TickKind::kStock);
  EXPECT_TRUE(on_grid(stock, -(499.99_usd)));
  EXPECT_FALSE(on_grid(stock, -(499.995_usd)));
}

TEST_F(OrderGridTest, shouldHaveNoGridForUnknownRootsMixedRootsIndexesOrStockWithOptions) {
  const InstrumentId xsp = option("XSP", OptionRight::kCall, 560);
  const InstrumentId spxw = option("SPXW", OptionRight::kCall, 5600);
  const InstrumentId spx = option("SPX", OptionRight::kCall, 5600);
  const InstrumentId spy_call = option("SPY", OptionRight::kCall, 560);
  const InstrumentId spy = registry_.intern("SPY", InstrumentInfo{AssetClass::kStock, {}});
  const InstrumentId index = registry_.intern("I:SPX", InstrumentInfo{AssetClass::kIndex, {}});
  EXPECT_FALSE(grid({OrderLeg{xsp, Side::kBuy, 0, 1}}).known);
  EXPECT_FALSE(grid({OrderLeg{spxw, Side::kBuy, 0, 1}, OrderLeg{spx, Side::kSell, 0, 1}}).known);
  EXPECT_FALSE(grid({OrderLeg{index, Side::kBuy, 0, 1}}).known);
  EXPECT_FALSE(grid({OrderLeg{spy_call, Side::kBuy, 0, 1}, OrderLeg{spy, Side::kSell, kLegShares, 1}}).known);
  EXPECT_FALSE(grid({OrderLeg{kNoInstrument, Side::kBuy, 0, 1}}).known);
  EXPECT_FALSE(grid({}).known);
  // No grid: never on it, and rounding leaves the limit to be refused rather than guessed.
  EXPECT_FALSE(limit_on_grid(registry_, std::span<const OrderLeg>(), 1_usd));
  const OrderLeg leg{xsp, Side::kBuy, 0, 1};
  EXPECT_EQ(round_limit_passive(registry_, std::span<const OrderLeg>(&leg, 1), 1.234_usd), 1.234_usd);
}

TEST_F(OrderGridTest, shouldPriceASingleLegOfSeveralContractsPerContract) {
  // Two contracts per unit: the venue sees limit / 2 per contract.
  const InstrumentId c = option("SPXW", OptionRight::kCall, 5600);
  const OrderGrid two = grid({OrderLeg{c, Side::kBuy, 0, 2}});
  ASSERT_TRUE(two.known);
  EXPECT_TRUE(on_grid(two, 6.20_usd));   // 3.10 each
  EXPECT_FALSE(on_grid(two, 6.10_usd));  // 3.05 each
  EXPECT_EQ(round_passive(two, 6.15_usd), 6_usd);            // 3.075 -> 3.00 each
  EXPECT_EQ(round_passive(two, -(5.99_usd)), -(6_usd));      // -2.995 -> -3.00 each
  EXPECT_EQ(round_passive(two, -(6.01_usd)), -(6.20_usd));   // -3.005 -> -3.10 each
}

}  // namespace
}  // namespace odte
