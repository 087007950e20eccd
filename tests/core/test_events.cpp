#include "odte/core/market/events.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace odte {
namespace {

TEST(MarketEventTest, shouldBuildQuoteWithAllFields) {
  const auto e = MarketEvent::make_quote(42, StreamId::kOptions, 1'700'000'000'000'000'000,
                                         1'700'000'000'000'500'000, Price::from_cents(120), 10,
                                         Price::from_cents(125), 7);
  EXPECT_EQ(e.kind(), EventKind::kQuote);
  EXPECT_EQ(e.header.stream, StreamId::kOptions);
  EXPECT_EQ(e.header.instrument, 42u);
  EXPECT_EQ(e.header.exchange_ns, 1'700'000'000'000'000'000);
  EXPECT_EQ(e.header.receive_ns, 1'700'000'000'000'500'000);
  EXPECT_EQ(e.quote.bid, Price::from_cents(120));
  EXPECT_EQ(e.quote.ask, Price::from_cents(125));
  EXPECT_EQ(e.quote.bid_size, 10u);
  EXPECT_EQ(e.quote.ask_size, 7u);
}

TEST(MarketEventTest, shouldCarryBarIntervalInFlags) {
  const auto e = MarketEvent::make_bar(3, StreamId::kStocks, BarInterval::kMinute, 60, 61,
                                       Price::from_dollars(1), Price::from_dollars(3),
                                       Price::from_dollars(0), Price::from_dollars(2), 1000);
  EXPECT_EQ(e.kind(), EventKind::kBar);
  EXPECT_EQ(e.bar_interval(), BarInterval::kMinute);
  EXPECT_EQ(e.bar.high, Price::from_dollars(3));
  EXPECT_EQ(e.bar.volume, 1000u);
}

TEST(MarketEventTest, shouldTruncateStatusMessageAndKeepItTerminated) {
  const std::string longer(200, 'x');
  const auto e = MarketEvent::make_status(StreamId::kIndices, 5, StatusCode::kAuthFailed, longer);
  EXPECT_EQ(e.status.code, StatusCode::kAuthFailed);
  EXPECT_EQ(e.header.instrument, kNoInstrument);
  EXPECT_EQ(std::strlen(e.status.message), sizeof(e.status.message) - 1);
}

TEST(MarketEventTest, shouldProduceIdenticalBytesForIdenticalInputs) {
  // Padding is zeroed, so recorded or hashed events are deterministic.
  const auto a = MarketEvent::make_trade(1, StreamId::kStocks, 10, 11, Price::from_cents(50000), 100);
  const auto b = MarketEvent::make_trade(1, StreamId::kStocks, 10, 11, Price::from_cents(50000), 100);
  EXPECT_EQ(std::memcmp(&a, &b, sizeof a), 0);
}

TEST(MarketEventTest, shouldNameKindsStreamsAndStatusCodes) {
  EXPECT_EQ(to_string(EventKind::kIndexValue), "index");
  EXPECT_EQ(to_string(StreamId::kOptions), "options");
  EXPECT_EQ(to_string(StatusCode::kMaxConnections), "max_connections");
}

}  // namespace
}  // namespace odte
