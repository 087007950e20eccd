#include "odte/core/base/price.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace odte {
namespace {

using namespace price_literals;

TEST(PriceTest, shouldRoundTripDecimalTextExactly) {
  for (const char* text : {"0", "1", "12.34", "-0.05", "5000", "0.0001", "5732.1234", "-123456.7"}) {
    const auto p = Price::parse(text);
    ASSERT_TRUE(p.has_value()) << text;
    EXPECT_EQ(p->to_string(), text);
  }
}

TEST(PriceTest, shouldNormaliseEquivalentSpellings) {
  EXPECT_EQ(Price::parse("1.50")->to_string(), "1.5");
  EXPECT_EQ(Price::parse(".5")->to_string(), "0.5");
  EXPECT_EQ(Price::parse("+2")->to_string(), "2");
  EXPECT_EQ(Price::parse("3.140000")->to_string(), "3.14");
  EXPECT_EQ(Price::parse("-0")->to_string(), "0");
}

struct BadPriceText {
  const char* text;
};
class PriceParseRejectTest : public ::testing::TestWithParam<BadPriceText> {};

TEST_P(PriceParseRejectTest, shouldRejectMalformedText) {
  EXPECT_FALSE(Price::parse(GetParam().text).has_value()) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(Malformed, PriceParseRejectTest,
                         ::testing::Values(BadPriceText{""}, BadPriceText{"-"}, BadPriceText{"."},
                                           BadPriceText{"1.2.3"}, BadPriceText{"1e5"},
                                           BadPriceText{" 1"}, BadPriceText{"1 "},
                                           BadPriceText{"abc"}, BadPriceText{"0.00001"},
                                           BadPriceText{"nan"}, BadPriceText{"9999999999999"}));

TEST(PriceTest, shouldConvertFromDoubleRoundingToNearestTick) {
  EXPECT_EQ(Price::from_double(1.23456).ticks(), 12346);
  EXPECT_EQ(Price::from_double(-1.23455).ticks(), -12346);  // half away from zero (binary nearest)
  EXPECT_EQ(Price::from_double(0.1 + 0.2), 0.3_usd);
  EXPECT_DOUBLE_EQ((12.34_usd).to_double(), 12.34);
}

TEST(PriceTest, shouldRejectNonFiniteAndHugeDoubles) {
  EXPECT_FALSE(Price::from_double(std::numeric_limits<double>::quiet_NaN()).valid());
  EXPECT_FALSE(Price::from_double(std::numeric_limits<double>::infinity()).valid());
  EXPECT_FALSE(Price::from_double(-std::numeric_limits<double>::infinity()).valid());
  EXPECT_FALSE(Price::from_double(2e12).valid());
  EXPECT_TRUE(Price::from_double(-5.0).valid());
  EXPECT_EQ(Price::invalid().to_string(), "invalid");
}

TEST(PriceTest, shouldDoExactIntegerArithmetic) {
  EXPECT_EQ(3_usd - 2.95_usd, 0.05_usd);
  EXPECT_EQ(0.05_usd * 100, 5_usd);
  EXPECT_EQ(2 * 1.25_usd, 2.5_usd);
  EXPECT_EQ(-(1.5_usd), Price::parse("-1.5").value());
  Price p = 1_usd;
  p += 0.25_usd;
  p -= 0.5_usd;
  EXPECT_EQ(p, 0.75_usd);
  EXPECT_LT(0.05_usd, 0.1_usd);
}

TEST(PriceTest, shouldRoundToOptionTicks) {
  const Price nickel = 0.05_usd;
  EXPECT_EQ((3.12_usd).floor_to(nickel), 3.10_usd);
  EXPECT_EQ((3.12_usd).ceil_to(nickel), 3.15_usd);
  EXPECT_EQ((3.12_usd).round_to(nickel), 3.10_usd);
  EXPECT_EQ((3.125_usd).round_to(nickel), 3.15_usd);
  EXPECT_EQ((-3.12_usd).floor_to(nickel), -3.15_usd);
  EXPECT_EQ((-3.12_usd).ceil_to(nickel), -3.10_usd);
  EXPECT_EQ((-3.125_usd).round_to(nickel), -3.15_usd);
  EXPECT_EQ((3.10_usd).floor_to(nickel), 3.10_usd);
}

TEST(PriceTest, shouldFormatIntoCallerBufferWithoutAllocating) {
  char buf[24];
  const auto n = (-1234.5678_usd).format(buf, sizeof buf);
  EXPECT_EQ(std::string(buf, n), "-1234.5678");
}

}  // namespace
}  // namespace odte
