#include "odte/feeds/parser.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "odte/core/spsc_ring.hpp"

namespace odte::feeds {
namespace {

struct Collect {
  std::vector<MarketEvent> events;
  bool operator()(const MarketEvent& e) {
    events.push_back(e);
    return true;
  }
};

constexpr TimestampNs kRecv = 1'750'000'000'123'456'789;

class ParserTest : public ::testing::Test {
 protected:
  InstrumentRegistry registry_{1024};
  FrameParser parser_{registry_};
  Collect sink_;

  FrameResult parse(std::string_view frame, StreamId stream = StreamId::kStocks) {
    return parser_.parse(frame, kRecv, stream, sink_);
  }
  const MarketEvent& only() {
    EXPECT_EQ(sink_.events.size(), 1u);
    return sink_.events.at(0);
  }
};

TEST_F(ParserTest, shouldParseAStockTradeWithMillisecondsScaledToNanoseconds) {
  const auto r = parse(R"([{"ev":"T","sym":"SPY","x":4,"i":"12345","z":2,"p":561.23,"s":100,"c":[12,37],"t":1755783000123,"q":98765}])");
  EXPECT_EQ(r.events, 1u);
  const MarketEvent& e = only();
  EXPECT_EQ(e.kind(), EventKind::kTrade);
  EXPECT_EQ(e.header.stream, StreamId::kStocks);
  EXPECT_EQ(registry_.get(e.header.instrument).symbol_view(), "SPY");
  EXPECT_EQ(registry_.get(e.header.instrument).info.asset, AssetClass::kStock);
  EXPECT_EQ(e.header.exchange_ns, 1'755'783'000'123'000'000);
  EXPECT_EQ(e.header.receive_ns, kRecv);
  EXPECT_EQ(e.trade.price, Price::from_ticks(5'612'300));
  EXPECT_EQ(e.trade.size, 100u);
  EXPECT_EQ(e.trade.conditions, 12u);
  EXPECT_EQ(e.trade.exchange, 4u);
  EXPECT_EQ(e.trade.sequence, 98765u);
}

TEST_F(ParserTest, shouldParseAStockQuote) {
  parse(R"([{"ev":"Q","sym":"SPY","bx":12,"bp":561.2,"bs":3,"ax":11,"ap":561.24,"as":5,"c":1,"i":[604],"t":1755783000001,"q":7,"z":1}])");
  const MarketEvent& e = only();
  EXPECT_EQ(e.kind(), EventKind::kQuote);
  EXPECT_EQ(e.quote.bid, Price::from_ticks(5'612'000));
  EXPECT_EQ(e.quote.ask, Price::from_ticks(5'612'400));
  EXPECT_EQ(e.quote.bid_size, 3u);
  EXPECT_EQ(e.quote.ask_size, 5u);
  EXPECT_EQ(e.quote.bid_exchange, 12u);
  EXPECT_EQ(e.quote.ask_exchange, 11u);
  EXPECT_EQ(e.quote.sequence, 7u);
}

TEST_F(ParserTest, shouldReadAnEmptyQuoteSideAsInvalidPrice) {
  parse(R"([{"ev":"Q","sym":"O:SPY260821P00500000","bx":1,"bp":0,"bs":0,"ax":1,"ap":0.01,"as":10,"t":1755783000001}])");
  const MarketEvent& e = only();
  EXPECT_FALSE(e.quote.bid.valid());
  EXPECT_EQ(e.quote.ask, Price::from_cents(1));
}

TEST_F(ParserTest, shouldParseAnOptionQuoteAndInternTheContractWithItsOccFields) {
  parse(R"([{"ev":"Q","sym":"O:SPXW260821C05600000","bx":302,"ax":302,"bp":12.3,"ap":12.6,"bs":20,"as":31,"t":1755783000456,"q":1}])",
        StreamId::kOptions);
  const MarketEvent& e = only();
  const Instrument& in = registry_.get(e.header.instrument);
  EXPECT_EQ(in.symbol_view(), "O:SPXW260821C05600000");
  ASSERT_EQ(in.info.asset, AssetClass::kOption);
  EXPECT_STREQ(in.info.option.root, "SPXW");
  EXPECT_EQ(in.info.option.expiry_yyyymmdd, 20260821);
  EXPECT_EQ(in.info.option.right, OptionRight::kCall);
  EXPECT_EQ(in.info.option.strike, Price::from_dollars(5600));
  EXPECT_EQ(in.info.option.multiplier, 100u);
  ASSERT_NE(in.info.option.underlying, kNoInstrument);
  EXPECT_EQ(registry_.get(in.info.option.underlying).symbol_view(), "I:SPX");
  EXPECT_EQ(registry_.get(in.info.option.underlying).info.asset, AssetClass::kIndex);
  EXPECT_EQ(e.quote.bid_exchange, 0u) << "venue ids above 255 do not fit and read as 0";
}

TEST_F(ParserTest, shouldParseAnOptionTradeWithAFractionalStrike) {
  parse(R"([{"ev":"T","sym":"O:SPY260821P00562500","x":65,"p":1.05,"s":3,"c":[209],"t":1755783000999,"q":1}])",
        StreamId::kOptions);
  const Instrument& in = registry_.get(only().header.instrument);
  EXPECT_EQ(in.info.option.right, OptionRight::kPut);
  EXPECT_EQ(in.info.option.strike, Price::from_cents(56250));
  EXPECT_EQ(registry_.get(in.info.option.underlying).symbol_view(), "SPY");
}

TEST_F(ParserTest, shouldParseAnIndexValueKeyedByCapitalT) {
  parse(R"([{"ev":"V","val":5601.37,"T":"I:SPX","t":1755783000000}])", StreamId::kIndices);
  const MarketEvent& e = only();
  EXPECT_EQ(e.kind(), EventKind::kIndexValue);
  EXPECT_EQ(registry_.get(e.header.instrument).symbol_view(), "I:SPX");
  EXPECT_EQ(registry_.get(e.header.instrument).info.asset, AssetClass::kIndex);
  EXPECT_EQ(e.index.value, Price::from_ticks(56'013'700));
  EXPECT_EQ(e.header.exchange_ns, 1'755'783'000'000'000'000);
}

struct AggCase {
  const char* name;
  const char* frame;
  BarInterval interval;
  std::uint64_t volume;
};
class AggregateTest : public ParserTest, public ::testing::WithParamInterface<AggCase> {};

TEST_P(AggregateTest, shouldParseAggregatesIntoBarsStampedWithTheirStart) {
  const AggCase& c = GetParam();
  parse(c.frame);
  const MarketEvent& e = only();
  EXPECT_EQ(e.kind(), EventKind::kBar);
  EXPECT_EQ(e.bar_interval(), c.interval);
  EXPECT_EQ(e.header.exchange_ns, 1'755'783'000'000'000'000);
  EXPECT_EQ(e.bar.open, Price::from_cents(100));
  EXPECT_EQ(e.bar.high, Price::from_cents(200));
  EXPECT_EQ(e.bar.low, Price::from_cents(50));
  EXPECT_EQ(e.bar.close, Price::from_cents(150));
  EXPECT_EQ(e.bar.volume, c.volume);
}

INSTANTIATE_TEST_SUITE_P(
    Feeds, AggregateTest,
    ::testing::Values(
        AggCase{"stockMinute", R"([{"ev":"AM","sym":"SPY","v":4110,"av":9470157,"op":0.8,"vw":1.2,"o":1,"c":1.5,"h":2,"l":0.5,"a":1.1,"z":685,"s":1755783000000,"e":1755783060000}])", BarInterval::kMinute, 4110},
        AggCase{"stockSecond", R"([{"ev":"A","sym":"SPY","v":10,"o":1,"c":1.5,"h":2,"l":0.5,"s":1755783000000,"e":1755783001000}])", BarInterval::kSecond, 10},
        AggCase{"optionMinute", R"([{"ev":"AM","sym":"O:SPXW260821C05600000","v":7,"o":1,"c":1.5,"h":2,"l":0.5,"s":1755783000000,"e":1755783060000}])", BarInterval::kMinute, 7},
        AggCase{"indexMinuteWithoutVolume", R"([{"ev":"AM","sym":"I:SPX","op":5600,"o":1,"c":1.5,"h":2,"l":0.5,"s":1755783000000,"e":1755783060000}])", BarInterval::kMinute, 0},
        AggCase{"indexSecond", R"([{"ev":"A","sym":"I:VIX","o":1,"c":1.5,"h":2,"l":0.5,"s":1755783000000,"e":1755783001000}])", BarInterval::kSecond, 0}),
    [](const auto& p) { return std::string(p.param.name); });

struct StatusCase {
  const char* status;
  StatusCode code;
};
class StatusTest : public ParserTest, public ::testing::WithParamInterface<StatusCase> {};

TEST_P(StatusTest, shouldTurnStatusMessagesIntoStatusEventsAndReportTheLast) {
  const std::string frame = std::string(R"([{"ev":"status","status":")") + GetParam().status +
                            R"(","message":"a message from the feed that is longer than the sample"}])";
  const auto r = parse(frame, StreamId::kOptions);
  ASSERT_TRUE(r.has_status);
  EXPECT_EQ(r.status, GetParam().code);
  const MarketEvent& e = only();
  EXPECT_EQ(e.kind(), EventKind::kStatus);
  EXPECT_EQ(e.status.code, GetParam().code);
  EXPECT_EQ(e.header.instrument, kNoInstrument);
  EXPECT_EQ(std::string_view(e.status.message), "a message from the feed that is longer");
  EXPECT_EQ(parser_.counters().status_events, 1u);
}

INSTANTIATE_TEST_SUITE_P(Feeds, StatusTest,
                         ::testing::Values(StatusCase{"connected", StatusCode::kConnected},
                                           StatusCase{"auth_success", StatusCode::kAuthSuccess},
                                           StatusCase{"auth_failed", StatusCode::kAuthFailed},
                                           StatusCase{"auth_timeout", StatusCode::kAuthTimeout},
                                           StatusCase{"max_connections", StatusCode::kMaxConnections},
                                           StatusCase{"success", StatusCode::kSubscribed},
                                           StatusCase{"error", StatusCode::kError},
                                           StatusCase{"something_new", StatusCode::kUnknown}),
                         [](const auto& p) { return std::string(p.param.status); });

TEST_F(ParserTest, shouldParseAMixedFrameInOrderWhateverTheFieldOrder) {
  const auto r = parse(R"([
    {"sym":"SPY","ev":"T","t":1755783000001,"s":1,"p":1.5},
    {"ev":"Q","sym":"SPY","bp":1.4,"ap":1.6,"bs":1,"as":2,"t":1755783000002},
    {"T":"I:SPX","val":5600.5,"ev":"V","t":1755783000003},
    {"ev":"status","status":"success","message":"subscribed to: T.SPY"}
  ])");
  EXPECT_EQ(r.events, 4u);
  EXPECT_EQ(r.rejected, 0u);
  ASSERT_EQ(sink_.events.size(), 4u);
  EXPECT_EQ(sink_.events[0].kind(), EventKind::kTrade);
  EXPECT_EQ(sink_.events[1].kind(), EventKind::kQuote);
  EXPECT_EQ(sink_.events[2].kind(), EventKind::kIndexValue);
  EXPECT_EQ(sink_.events[3].kind(), EventKind::kStatus);
  EXPECT_EQ(sink_.events[0].header.instrument, sink_.events[1].header.instrument);
}

TEST_F(ParserTest, shouldNotGrowTheRegistryForKnownSymbols) {
  const std::string frame = R"([{"ev":"Q","sym":"O:SPXW260821C05600000","bp":1,"ap":2,"bs":1,"as":1,"t":1755783000000}])";
  parse(frame);
  const std::size_t size = registry_.size();
  for (int i = 0; i < 100; ++i) parse(frame);
  EXPECT_EQ(registry_.size(), size);
  EXPECT_EQ(sink_.events.size(), 101u);
}

TEST_F(ParserTest, shouldParseInPlaceWhenTheCallerProvidesPadding) {
  std::string buffer = R"([{"ev":"V","val":1.25,"T":"I:VIX","t":1755783000000}])";
  const std::size_t n = buffer.size();
  buffer.resize(n + kPadding, 'x');
  const auto r = parser_.parse_padded(std::string_view(buffer.data(), n), kRecv, StreamId::kIndices, sink_);
  EXPECT_EQ(r.events, 1u);
  EXPECT_EQ(parser_.counters().copied_frames, 0u);
  EXPECT_EQ(only().index.value, Price::from_cents(125));
}

TEST_F(ParserTest, shouldCountAFullRingAndNeverBlock) {
  auto ring = std::make_unique<SpscRing<MarketEvent, 2>>();
  RingSink<SpscRing<MarketEvent, 2>> sink{*ring};
  const auto r = parser_.parse(
      R"([{"ev":"V","val":1,"T":"I:VIX","t":1755783000000},{"ev":"V","val":2,"T":"I:VIX","t":1755783000000},{"ev":"V","val":3,"T":"I:VIX","t":1755783000000}])",
      kRecv, StreamId::kIndices, sink);
  EXPECT_EQ(r.events, 2u);
  EXPECT_EQ(r.rejected, 1u);
  EXPECT_EQ(parser_.counters().error(ErrorKind::kSinkFull), 1u);
  EXPECT_EQ(ring->size_approx(), 2u);
}

// ---- fast paths (raw keys, in-place strings and numbers) read exactly what simdjson would ----

TEST_F(ParserTest, shouldReadEscapedKeysAndSymbolsAsTheirText) {
  parse(R"([{"ev":"Q","sym":"O:SPXW260821C05600000","bp":1.05,"ap":1.15,"bs":1,"as":2,"t":1755783000000}])",
        StreamId::kOptions);
  parse(R"([{"\u0065v":"Q","sym":"O:SPXW260821\u004305600000","b\u0070":1.05,"ap":1.15,"bs":1,"as":2,"\u0074":1755783000000}])",
        StreamId::kOptions);
  ASSERT_EQ(sink_.events.size(), 2u);
  EXPECT_EQ(sink_.events[1].header.instrument, sink_.events[0].header.instrument);
  EXPECT_EQ(sink_.events[1].quote.bid, Price::from_cents(105));
  EXPECT_EQ(sink_.events[1].header.exchange_ns, sink_.events[0].header.exchange_ns);
}

TEST_F(ParserTest, shouldNotTakeAnEscapedKeyHoldingAQuoteForAShorterKey) {
  const auto r = parse(R"([{"e\"v":"Q","sym":"SPY","bp":1,"ap":2,"bs":1,"as":1,"t":1755783000000}])");
  EXPECT_EQ(r.events, 0u);
  EXPECT_EQ(parser_.counters().error(ErrorKind::kMissingField), 1u) << "\"e\\\"v\" is not \"ev\" (nor \"e\")";
}

TEST_F(ParserTest, shouldReadPricesWrittenAnyWayAsTheDoubleTheyDenote) {
  // Plain prices are converted from the text; anything else through the double. Both must agree
  // with Price::from_double of the number the text denotes.
  for (const char* text : {"561.2", "561.20", "561.2000", "5.612e2", "561.20000", "0.05", "1", "1.0", "0.0001",
                           "12.3456", "12.34565", "12.34555", "999999999.9999", "112589990684.2623",
                           "112589990684.2624", "999999999999.9999", "1000000000000", "0.5E1", "10"}) {
    sink_.events.clear();
    const std::string frame = std::string(R"([{"ev":"Q","sym":"SPY","bp":)") + text +
                              R"(,"ap":0,"bs":1,"as":1,"t":1755783000000}])";
    parse(frame);
    ASSERT_EQ(sink_.events.size(), 1u) << text;
    EXPECT_EQ(sink_.events[0].quote.bid, Price::from_double(std::strtod(text, nullptr))) << text;
  }
  EXPECT_EQ(parser_.counters().total_errors(), 0u);
}

TEST_F(ParserTest, shouldReadIntegralSizesWrittenAnyWay) {
  for (const char* text : {"100", "100.0", "1e2", "1.0E+2"}) {
    sink_.events.clear();
    parse(std::string(R"([{"ev":"T","sym":"SPY","p":1.5,"s":)") + text + R"(,"t":1755783000000}])");
    ASSERT_EQ(sink_.events.size(), 1u) << text;
    EXPECT_EQ(sink_.events[0].trade.size, 100u) << text;
  }
}

struct RejectCase {
  const char* name;
  ErrorKind kind;
  const char* frame;
};
class FastPathRejectTest : public ParserTest, public ::testing::WithParamInterface<RejectCase> {};

TEST_P(FastPathRejectTest, shouldStillRejectWhatTheFastPathsDoNotTake) {
  const auto r = parse(GetParam().frame);
  EXPECT_EQ(r.events, 0u);
  EXPECT_EQ(parser_.counters().error(GetParam().kind), 1u) << GetParam().frame;
  EXPECT_EQ(parser_.counters().total_errors(), 1u) << GetParam().frame;
}

INSTANTIATE_TEST_SUITE_P(
    Feeds, FastPathRejectTest,
    ::testing::Values(
        // A string value followed by ':' is not skipped as if it were a key.
        RejectCase{"stringThenColon", ErrorKind::kMalformedJson, R"([{"ev":"T":7],"t":1755783000000}])"},
        RejectCase{"leadingZeroSize", ErrorKind::kBadSize, R"([{"ev":"T","sym":"SPY","p":1.5,"s":01,"t":1755783000000}])"},
        RejectCase{"leadingZeroPrice", ErrorKind::kBadPrice, R"([{"ev":"T","sym":"SPY","p":01.5,"s":1,"t":1755783000000}])"},
        RejectCase{"priceWithoutDecimals", ErrorKind::kBadPrice, R"([{"ev":"T","sym":"SPY","p":1.,"s":1,"t":1755783000000}])"},
        RejectCase{"priceBeyondTheLimit", ErrorKind::kBadPrice, R"([{"ev":"T","sym":"SPY","p":1000000000000.0001,"s":1,"t":1755783000000}])"},
        // A nonzero trade price that rounds to 0 ticks is a zero price.
        RejectCase{"tradePriceRoundingToZero", ErrorKind::kBadPrice, R"([{"ev":"T","sym":"SPY","p":0.00001,"s":1,"t":1755783000000}])"},
        RejectCase{"barPriceRoundingToZero", ErrorKind::kBadPrice, R"([{"ev":"AM","sym":"SPY","o":1e-7,"h":2,"l":1,"c":1,"s":1755783000000}])"},
        RejectCase{"twentyDigitTime", ErrorKind::kBadTimestamp, R"([{"ev":"T","sym":"SPY","p":1.5,"s":1,"t":17557830000000000000}])"},
        RejectCase{"numberThenLetter", ErrorKind::kBadSize, R"([{"ev":"T","sym":"SPY","p":1.5,"s":12x,"t":1755783000000}])"},
        RejectCase{"symbolWithAnEscapedNonString", ErrorKind::kWrongType, R"([{"ev":"T","sym":["SPY"],"p":1.5,"s":1,"t":1755783000000}])"}),
    [](const auto& p) { return std::string(p.param.name); });

// ---- bad input: one case per error kind ----

struct BadCase {
  const char* name;
  ErrorKind kind;
  std::string frame;
  std::uint32_t good_events;  // events in the frame that still get through
};

class BadInputTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadInputTest, shouldCountBadInputByKindAndKeepParsing) {
  const BadCase& c = GetParam();
  InstrumentRegistry registry{c.kind == ErrorKind::kRegistryFull ? 1u : 1024u};
  FrameParser parser{registry, ParserConfig{.max_frame_bytes = 4096, .sample_interval_ns = 1'000'000'000}};
  Collect sink;
  const auto r = parser.parse(c.frame, kRecv, StreamId::kStocks, sink);
  EXPECT_EQ(parser.counters().error(c.kind), 1u) << c.frame;
  EXPECT_EQ(parser.counters().total_errors(), 1u) << c.frame;
  EXPECT_EQ(r.events, c.good_events);
  EXPECT_EQ(sink.events.size(), c.good_events);
  int samples = 0;
  parser.drain_samples([&](const ErrorSample& s) {
    ++samples;
    EXPECT_EQ(s.kind, c.kind);
    EXPECT_EQ(s.receive_ns, kRecv);
    EXPECT_EQ(s.excerpt_view(), std::string_view(c.frame).substr(0, sizeof s.excerpt));
  });
  EXPECT_EQ(samples, 1);
  // The parser is still usable afterwards.
  Collect after;
  EXPECT_EQ(parser.parse(R"([{"ev":"V","val":1,"T":"I:VIX","t":1755783000000}])", kRecv, StreamId::kIndices, after).events,
            c.kind == ErrorKind::kRegistryFull ? 0u : 1u);
}

const std::string kGood = R"({"ev":"T","sym":"SPY","p":1.5,"s":1,"t":1755783000000})";

INSTANTIATE_TEST_SUITE_P(
    Feeds, BadInputTest,
    ::testing::Values(
        BadCase{"malformedJson", ErrorKind::kMalformedJson, "[" + kGood + ",{\"ev\" \"T\"}]", 1},
        BadCase{"unbalancedBrackets", ErrorKind::kMalformedJson, "[" + kGood + "]]", 1},
        BadCase{"truncatedFrame", ErrorKind::kTruncatedFrame, "[" + kGood + ",{\"ev\":\"T\",\"sym\":\"SP", 0},
        BadCase{"truncatedArray", ErrorKind::kTruncatedFrame, "[" + kGood + "," + kGood, 0},
        BadCase{"emptyFrame", ErrorKind::kTruncatedFrame, "", 0},
        BadCase{"oversizedFrame", ErrorKind::kOversizedFrame, "[" + kGood + std::string(5000, ' ') + "]", 0},
        BadCase{"notAnArray", ErrorKind::kNotAnArray, kGood, 0},
        BadCase{"notAnObject", ErrorKind::kNotAnObject, "[" + kGood + ",42]", 1},
        BadCase{"unknownEvent", ErrorKind::kUnknownEvent, "[{\"ev\":\"LULD\",\"sym\":\"SPY\"}," + kGood + "]", 1},
        BadCase{"missingEv", ErrorKind::kMissingField, "[{\"sym\":\"SPY\",\"p\":1}," + kGood + "]", 1},
        BadCase{"missingTime", ErrorKind::kMissingField, R"([{"ev":"Q","sym":"SPY","bp":1,"ap":2}])", 0},
        BadCase{"wrongTypePrice", ErrorKind::kWrongType, R"([{"ev":"T","sym":"SPY","p":"1.5","s":1,"t":1755783000000}])", 0},
        BadCase{"wrongTypeSymbol", ErrorKind::kWrongType, R"([{"ev":"T","sym":7,"p":1.5,"s":1,"t":1755783000000}])", 0},
        BadCase{"negativePrice", ErrorKind::kBadPrice, R"([{"ev":"T","sym":"SPY","p":-1.5,"s":1,"t":1755783000000}])", 0},
        BadCase{"hugePrice", ErrorKind::kBadPrice, R"([{"ev":"V","T":"I:SPX","val":1e300,"t":1755783000000}])", 0},
        BadCase{"zeroTradePrice", ErrorKind::kBadPrice, R"([{"ev":"T","sym":"SPY","p":0,"s":1,"t":1755783000000}])", 0},
        BadCase{"negativeSize", ErrorKind::kBadSize, R"([{"ev":"T","sym":"SPY","p":1.5,"s":-1,"t":1755783000000}])", 0},
        BadCase{"fractionalSize", ErrorKind::kBadSize, R"([{"ev":"Q","sym":"SPY","bp":1,"ap":2,"bs":1.5,"as":1,"t":1755783000000}])", 0},
        BadCase{"nanosecondTime", ErrorKind::kBadTimestamp, R"([{"ev":"T","sym":"SPY","p":1.5,"s":1,"t":1755783000000000000}])", 0},
        BadCase{"negativeTime", ErrorKind::kBadTimestamp, R"([{"ev":"T","sym":"SPY","p":1.5,"s":1,"t":-5}])", 0},
        BadCase{"badOcc", ErrorKind::kBadSymbol, R"([{"ev":"Q","sym":"O:SPXW26082XC05600000","bp":1,"ap":2,"t":1755783000000}])", 0},
        BadCase{"longSymbol", ErrorKind::kBadSymbol, R"([{"ev":"T","sym":"ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ","p":1.5,"s":1,"t":1755783000000}])", 0},
        BadCase{"emptySymbol", ErrorKind::kBadSymbol, R"([{"ev":"T","sym":"","p":1.5,"s":1,"t":1755783000000}])", 0},
        BadCase{"registryFull", ErrorKind::kRegistryFull, "[" + kGood + R"(,{"ev":"T","sym":"QQQ","p":1.5,"s":1,"t":1755783000000}])", 1}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(ParserErrorKinds, shouldNameEveryErrorKind) {
  for (std::size_t k = 0; k < kErrorKindCount; ++k) {
    EXPECT_NE(to_string(static_cast<ErrorKind>(k)), "unknown") << k;
  }
}

TEST_F(ParserTest, shouldKeepAtMostOneSamplePerKindPerInterval) {
  const std::string bad = R"([{"ev":"XQ"}])";
  int samples = 0;
  for (int i = 0; i < 10; ++i) {
    parser_.parse(bad, kRecv + i * 100'000'000LL, StreamId::kStocks, sink_);  // 10 in one second
    parser_.drain_samples([&](const ErrorSample&) { ++samples; });
  }
  EXPECT_EQ(samples, 1);
  parser_.parse(bad, kRecv + 1'000'000'000LL, StreamId::kStocks, sink_);
  parser_.drain_samples([&](const ErrorSample& s) {
    ++samples;
    EXPECT_EQ(s.count_at_sample, 11u);
  });
  EXPECT_EQ(samples, 2);
  EXPECT_EQ(parser_.counters().error(ErrorKind::kUnknownEvent), 11u);
}

TEST_F(ParserTest, shouldDropAMegabytePlusFrameWithoutReadingIt) {
  std::string frame = "[";
  while (frame.size() < (1u << 20) + 10) frame += kGood + ",";
  frame.back() = ']';
  const auto r = parse(frame);
  EXPECT_TRUE(r.frame_error);
  EXPECT_EQ(parser_.counters().error(ErrorKind::kOversizedFrame), 1u);
  EXPECT_TRUE(sink_.events.empty());
}

TEST_F(ParserTest, shouldParseALargeFrameUnderTheLimit) {
  std::string frame = "[";
  int n = 0;
  while (frame.size() < 900'000) {
    frame += kGood + ",";
    ++n;
  }
  frame.back() = ']';
  const auto r = parse(frame);
  EXPECT_EQ(r.events, static_cast<std::uint32_t>(n));
  EXPECT_FALSE(r.frame_error);
}

}  // namespace
}  // namespace odte::feeds
