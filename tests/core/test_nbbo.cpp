#include "odte/core/market/nbbo.hpp"

#include <gtest/gtest.h>

namespace odte {
namespace {

using namespace price_literals;

Nbbo quote(Price bid, Price ask) { return Nbbo{bid, ask, 10, 10, 0}; }

// The one rule for a one-sided quote (engine marks and closes, risk, the paper broker use it): an
// offer with no bid is a market whose bid counts as 0; no offer, or a crossed quote, is none.
TEST(NbboTest, shouldTreatAnOfferWithNoBidAsAMarketBidAtZero) {
  const Nbbo q = quote(Price::invalid(), 0.01_usd);
  EXPECT_FALSE(q.two_sided());
  EXPECT_TRUE(q.has_market());
  EXPECT_FALSE(q.crossed());
  EXPECT_EQ(q.market_bid(), Price::zero());
  EXPECT_EQ(q.market_mid(), Price::from_ticks((0.01_usd).ticks() / 2));
  const Nbbo wide = quote(Price::invalid(), 0.35_usd);
  EXPECT_EQ(wide.market_mid(), Price::from_ticks((0.35_usd).ticks() / 2));
}

TEST(NbboTest, shouldAgreeWithTheTwoSidedMidWhenThereIsABid) {
  const Nbbo q = quote(1.20_usd, 1.25_usd);
  EXPECT_TRUE(q.has_market());
  EXPECT_EQ(q.market_bid(), 1.20_usd);
  EXPECT_EQ(q.market_mid(), q.mid());
  const Nbbo locked = quote(0.50_usd, 0.50_usd);
  EXPECT_TRUE(locked.has_market());
  EXPECT_FALSE(locked.crossed());
  EXPECT_EQ(locked.market_mid(), 0.50_usd);
}

TEST(NbboTest, shouldSeeNoMarketWithoutAnOfferOrWhenCrossed) {
  const Nbbo bid_only = quote(0.40_usd, Price::invalid());
  EXPECT_FALSE(bid_only.has_market());
  EXPECT_FALSE(bid_only.crossed());
  const Nbbo empty = quote(Price::invalid(), Price::invalid());
  EXPECT_FALSE(empty.has_market());
  EXPECT_EQ(empty.market_bid(), Price::zero());
  const Nbbo crossed = quote(1.30_usd, 1.25_usd);
  EXPECT_TRUE(crossed.crossed());
  EXPECT_FALSE(crossed.has_market());
}

}  // namespace
}  // namespace odte
