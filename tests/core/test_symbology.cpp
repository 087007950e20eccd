#include "odte/core/options/symbology.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace odte::options {
namespace {

std::string format(const OccContract& c, OccStyle style) {
  std::array<char, kOccMaxText> buf{};
  const std::size_t n = format_occ(c, style, buf.data(), buf.size());
  return std::string(buf.data(), n);
}

OccContract contract(const char* root, std::int32_t expiry, OptionRight right, Price::Rep ticks) {
  OccContract c;
  for (std::size_t i = 0; root[i] != '\0' && i < 7; ++i) c.root[i] = root[i];
  c.expiry_yyyymmdd = expiry;
  c.right = right;
  c.strike = Price::from_ticks(ticks);
  return c;
}

TEST(SymbologyTest, shouldParseMassiveSymbolWithPrefix) {
  const OccParse p = parse_occ("O:SPXW260821C05600000");
  ASSERT_TRUE(p.ok()) << to_string(p.error);
  EXPECT_EQ(p.contract.root_view(), "SPXW");
  EXPECT_EQ(p.contract.expiry_yyyymmdd, 20260821);
  EXPECT_EQ(p.contract.right, OptionRight::kCall);
  EXPECT_EQ(p.contract.strike.to_string(), "5600");
}

TEST(SymbologyTest, shouldParsePaddedOsiAndCompactAlike) {
  const OccParse osi = parse_occ("SPY   241220P00450500");
  const OccParse compact = parse_occ("SPY241220P00450500");
  ASSERT_TRUE(osi.ok());
  ASSERT_TRUE(compact.ok());
  EXPECT_EQ(osi.contract, compact.contract);
  EXPECT_EQ(osi.contract.strike.to_string(), "450.5");
  EXPECT_EQ(osi.contract.right, OptionRight::kPut);
}

TEST(SymbologyTest, shouldTellSpxFromSpxwRoots) {
  EXPECT_EQ(root_info("SPX").settlement, Settlement::kAmOpen);
  EXPECT_EQ(root_info("SPXW").settlement, Settlement::kPmClose);
  EXPECT_EQ(root_info("SPXW").underlying, "I:SPX");
  EXPECT_EQ(root_info("SPY").exercise, ExerciseStyle::kAmerican);
  EXPECT_FALSE(root_info("SPY").cash_settled);
  EXPECT_EQ(root_info("QQQ").settlement, Settlement::kUnknown);
  EXPECT_NE(parse_occ("O:SPX260821C05600000").contract, parse_occ("O:SPXW260821C05600000").contract);
}

struct StrikeCase {
  Price::Rep ticks;
  const char* digits;
};
class SymbologyStrikeTest : public ::testing::TestWithParam<StrikeCase> {};

TEST_P(SymbologyStrikeTest, shouldRoundTripEveryStrikeFormatInEveryStyle) {
  const StrikeCase& sc = GetParam();
  for (const char* root : {"A", "SPY", "SPXW", "BRKB1", "ABCDEF"}) {
    for (OptionRight right : {OptionRight::kCall, OptionRight::kPut}) {
      const OccContract c = contract(root, 20291231, right, sc.ticks);
      for (OccStyle style : {OccStyle::kCompact, OccStyle::kOsi, OccStyle::kMassive}) {
        const std::string text = format(c, style);
        ASSERT_FALSE(text.empty()) << root << ' ' << sc.digits;
        EXPECT_EQ(text.substr(text.size() - 8), sc.digits);
        const OccParse back = parse_occ(text);
        ASSERT_TRUE(back.ok()) << text << ": " << describe(back.error);
        EXPECT_EQ(back.contract, c) << text;
      }
      EXPECT_EQ(format(c, OccStyle::kOsi).size(), 21u);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Strikes, SymbologyStrikeTest,
    ::testing::Values(StrikeCase{10, "00000001"},            // $0.001, the smallest
                      StrikeCase{5'000, "00000500"},         // $0.50
                      StrikeCase{10'000, "00001000"},        // $1
                      StrikeCase{1'250, "00000125"},         // $0.125
                      StrikeCase{4'505'000, "00450500"},     // $450.50
                      StrikeCase{4'501'250, "00450125"},     // $450.125
                      StrikeCase{56'000'000, "05600000"},    // $5600
                      StrikeCase{56'025'000, "05602500"},    // $5602.50
                      StrikeCase{999'999'990, "99999999"})); // $99999.999, the largest

struct BadSymbol {
  const char* text;
  OccError error;
};
class SymbologyRejectTest : public ::testing::TestWithParam<BadSymbol> {};

TEST_P(SymbologyRejectTest, shouldNameWhatIsWrongWithMalformedText) {
  const OccParse p = parse_occ(GetParam().text);
  EXPECT_EQ(p.error, GetParam().error) << GetParam().text << " -> " << to_string(p.error);
  EXPECT_FALSE(p.ok());
  EXPECT_FALSE(describe(p.error).empty());
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, SymbologyRejectTest,
    ::testing::Values(BadSymbol{"", OccError::kEmpty}, BadSymbol{"O:", OccError::kEmpty},
                      BadSymbol{"X:SPY241220P00450000", OccError::kBadPrefix},
                      BadSymbol{"o:SPY241220P00450000", OccError::kBadPrefix},
                      BadSymbol{"241220P00450000", OccError::kTooShort},
                      BadSymbol{"SPY", OccError::kTooShort},
                      BadSymbol{"ABCDEFG241220P00450000", OccError::kTooLong},
                      BadSymbol{"spy241220P00450000", OccError::kBadRoot},
                      BadSymbol{"SP Y  241220P00450000", OccError::kBadRoot},
                      BadSymbol{"      241220P00450000", OccError::kBadRoot},
                      BadSymbol{"SPY-241220P00450000", OccError::kBadRoot},
                      BadSymbol{"SPY2412X0P00450000", OccError::kBadDate},
                      BadSymbol{"SPY241320P00450000", OccError::kBadDate},
                      BadSymbol{"SPY241200P00450000", OccError::kBadDate},
                      BadSymbol{"SPY230229P00450000", OccError::kBadDate},  // not a leap year
                      BadSymbol{"SPY241220X00450000", OccError::kBadRight},
                      BadSymbol{"SPY241220c00450000", OccError::kBadRight},
                      BadSymbol{"SPY241220P0045000A", OccError::kBadStrike},
                      BadSymbol{"SPY241220P-0450000", OccError::kBadStrike},
                      BadSymbol{"SPY241220P00000000", OccError::kBadStrike}));

TEST(SymbologyTest, shouldAcceptLeapDay) {
  EXPECT_TRUE(parse_occ("SPY240229C00500000").ok());
}

TEST(SymbologyTest, shouldRefuseToFormatUnrepresentableContracts) {
  std::array<char, kOccMaxText> buf{};
  const auto fmt = [&](const OccContract& c) { return format_occ(c, OccStyle::kCompact, buf.data(), buf.size()); };
  EXPECT_EQ(fmt(contract("SPY", 20241220, OptionRight::kCall, 4'500'001)), 0u);  // sub-$0.001
  EXPECT_EQ(fmt(contract("SPY", 20241220, OptionRight::kCall, 0)), 0u);
  EXPECT_EQ(fmt(contract("SPY", 20241220, OptionRight::kCall, 1'000'000'000)), 0u);  // $100,000
  EXPECT_EQ(fmt(contract("", 20241220, OptionRight::kCall, 10'000)), 0u);
  EXPECT_EQ(fmt(contract("ABCDEFG", 20241220, OptionRight::kCall, 10'000)), 0u);
  EXPECT_EQ(fmt(contract("spy", 20241220, OptionRight::kCall, 10'000)), 0u);
  EXPECT_EQ(fmt(contract("SPY", 20241231 + 1, OptionRight::kCall, 10'000)), 0u);
  EXPECT_EQ(fmt(contract("SPY", 19991231, OptionRight::kCall, 10'000)), 0u);
  EXPECT_EQ(format_occ(contract("SPY", 20241220, OptionRight::kCall, 10'000), OccStyle::kCompact, buf.data(), 10), 0u);
  EXPECT_EQ(fmt(contract("SPY", 20241220, OptionRight::kCall, 10'000)), 18u);
}

}  // namespace
}  // namespace odte::options
