// The legs of a resent multileg message: QuickFIX reads a resend back from its store without a
// dictionary, which scrambles the NoLegs groups; rebuild_legs puts them back (fix_legs.hpp).

#include "odte/brokers/fix_legs.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace odte::brokers {
namespace {

FixLeg option_leg(const char* root, char right, std::int64_t strike_dollars, Side side, std::uint16_t ratio) {
  FixLeg l{};
  std::strncpy(l.root, root, sizeof l.root - 1);
  l.expiry_yyyymmdd = 20260821;
  l.right = right;
  l.side = side;
  l.ratio = ratio;
  l.strike = Price::from_dollars(strike_dollars);
  l.security = kFixLegOption;
  return l;
}

const std::vector<FixLeg> kCondor = {option_leg("SPXW", 'P', 5400, Side::kSell, 1), option_leg("SPXW", 'P', 5390, Side::kBuy, 1),
                                     option_leg("SPXW", 'C', 5600, Side::kSell, 1), option_leg("SPXW", 'C', 5610, Side::kBuy, 2)};

// A message as the adapter sends it and as its resend leaves the store: the header of a resend.
template <typename Message, typename Group>
std::string sent(bool opening) {
  Message m;
  m.getHeader().setField(FIX::FIELD::SenderCompID, "ODTE");
  m.getHeader().setField(FIX::FIELD::TargetCompID, "BROKER");
  m.getHeader().setField(FIX::FIELD::MsgSeqNum, "42");
  m.getHeader().setField(FIX::FIELD::PossDupFlag, "Y");
  m.setField(FIX::FIELD::ClOrdID, "OD20260821-000011");
  m.setField(FIX::FIELD::Side, "1");
  m.setField(FIX::FIELD::Symbol, "SPXW");
  m.setField(FIX::FIELD::Price, "-0.80");
  m.setField(FIX::FIELD::OrderQty, "3");
  for (std::size_t i = 0; i < kCondor.size(); ++i) {
    Group g;
    g.setField(FIX::FIELD::LegSymbol, kCondor[i].root);
    g.setField(FIX::FIELD::LegCFICode, kCondor[i].right == 'P' ? "OPXXXX" : "OCXXXX");
    g.setField(FIX::FIELD::LegSecurityType, "OPT");
    g.setField(FIX::FIELD::LegMaturityDate, "20260821");
    g.setField(FIX::FIELD::LegStrikePrice, fix_price(kCondor[i].strike));
    g.setField(FIX::FIELD::LegRatioQty, std::to_string(kCondor[i].ratio));
    g.setField(FIX::FIELD::LegSide, kCondor[i].side == Side::kBuy ? "1" : "2");
    g.setField(FIX::FIELD::LegPositionEffect, opening ? "O" : "C");
    g.setField(FIX::FIELD::LegRefID, std::to_string(i + 1));
    m.addGroup(g);
  }
  return m.toString();
}

TEST(FixLegsTest, shouldPutBackTheLegsOfANewOrderMultilegThatTheStoreReadScrambled) {
  const std::string original = sent<FIX44::NewOrderMultileg, FIX44::NewOrderMultileg::NoLegs>(true);
  FIX::Message resent(original, false);  // what QuickFIX resends: read back with no dictionary
  ASSERT_NE(resent.toString(), original) << "the read-back keeps the groups; the repair would be moot";
  ASSERT_TRUE(rebuild_legs(resent, kCondor, true));
  EXPECT_EQ(resent.toString(), original);
}

TEST(FixLegsTest, shouldPutBackTheLegsOfAMultilegCancelReplace) {
  const std::string original = sent<FIX44::MultilegOrderCancelReplace, FIX44::MultilegOrderCancelReplace::NoLegs>(false);
  FIX::Message resent(original, false);
  ASSERT_NE(resent.toString(), original);
  ASSERT_TRUE(rebuild_legs(resent, kCondor, false));
  EXPECT_EQ(resent.toString(), original);
}

TEST(FixLegsTest, shouldLeaveOtherMessagesAlone) {
  FIX44::NewOrderSingle m;
  m.getHeader().setField(FIX::FIELD::MsgSeqNum, "7");
  m.setField(FIX::FIELD::ClOrdID, "OD20260821-000012");
  m.setField(FIX::FIELD::Symbol, "SPY");
  const std::string before = m.toString();
  EXPECT_FALSE(rebuild_legs(m, kCondor, true));
  EXPECT_EQ(m.toString(), before);
}

}  // namespace
}  // namespace odte::brokers
