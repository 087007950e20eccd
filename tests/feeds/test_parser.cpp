#include "odte/feeds/parser.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "odte/core/base/spsc_ring.hpp"

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
  EXPECT_EQ(e.trade.condition_count, 2u);
  EXPECT_EQ(e.trade.conditions[0], 12u);
  EXPECT_EQ(e.trade.conditions[1], 37u);
  EXPECT_EQ(e.trade.exchange, 4u);
  EXPECT_EQ(e.trade.sequence, 98765u);
}

// Every condition code of the list, in order, the same by the fast path and the generic pass;
// more than the event keeps are counted; codes that are not 0..65535 are not conditions.
TEST(ParserConditions, shouldKeepTheWholeConditionListInBothPasses) {
  struct Case {
    const char* list;
    std::vector<std::uint16_t> kept;
    unsigned count;
  };
  const Case cases[] = {{"[0,12]", {0, 12}, 2},
                        {"[233]", {233}, 1},
                        {"[]", {}, 0},
                        {"[1,2,3,4,5,6,7,8]", {1, 2, 3, 4, 5, 6}, 8},
                        {"[4294967296,1]", {1}, 1},
                        {"[65535,65536]", {65535}, 1}};
  for (const Case& c : cases) {
    for (const bool fast : {true, false}) {
      InstrumentRegistry registry{16};
      FrameParser parser{registry, ParserConfig{.fast_path = fast}};
      Collect sink;
      const std::string frame =
          std::string(R"([{"ev":"T","sym":"MSFT","x":4,"p":114.125,"s":100,"c":)") + c.list + R"(,"t":1536036818784,"q":3}])";
      ASSERT_EQ(parser.parse(frame, kRecv, StreamId::kStocks, sink).events, 1u) << c.list;
      const TradeBody& t = sink.events.at(0).trade;
      EXPECT_EQ(t.condition_count, c.count) << c.list << " fast=" << fast;
      for (std::size_t i = 0; i < c.kept.size(); ++i) EXPECT_EQ(t.conditions[i], c.kept[i]) << c.list << " #" << i;
    }
  }
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
  EXPECT_EQ(e.quote.bid_exchange, 302u) << "OPRA's venue ids run above 255";
  EXPECT_EQ(e.quote.ask_exchange, 302u);
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

// ---- the fast path (Massive's own form) against the generic pass ----

// One parser with the fast path and one without, each with its own registry, fed the same frames:
// everything they report must be the same.
struct Outcome {
  std::vector<MarketEvent> events;
  FrameResult result;
};

class TwoPasses {
 public:
  explicit TwoPasses(std::uint32_t registry_capacity = 1024)
      : fast_registry_{registry_capacity}, generic_registry_{registry_capacity},
        fast_{fast_registry_, ParserConfig{.max_frame_bytes = 1u << 16}},
        generic_{generic_registry_, ParserConfig{.max_frame_bytes = 1u << 16, .fast_path = false}} {}

  struct Both {
    std::uint64_t fast_objects;  // objects the fast parser read by its fast path
    std::uint32_t events;        // delivered by each
  };
  Both parse_both(const std::string& frame) {
    const std::uint64_t fast_before = fast_.counters().fast_objects;
    const Outcome a = run(fast_, frame);
    const Outcome b = run(generic_, frame);
    EXPECT_EQ(generic_.counters().fast_objects, 0u);
    EXPECT_EQ(a.events.size(), b.events.size()) << frame;
    for (std::size_t i = 0; i < a.events.size() && i < b.events.size(); ++i) {
      EXPECT_EQ(std::memcmp(&a.events[i], &b.events[i], sizeof(MarketEvent)), 0) << "event " << i << " of " << frame;
    }
    EXPECT_EQ(a.result.events, b.result.events) << frame;
    EXPECT_EQ(a.result.rejected, b.result.rejected) << frame;
    EXPECT_EQ(a.result.frame_error, b.result.frame_error) << frame;
    EXPECT_EQ(a.result.has_status, b.result.has_status) << frame;
    EXPECT_EQ(a.result.status, b.result.status) << frame;
    const ParseCounters& x = fast_.counters();
    const ParseCounters& y = generic_.counters();
    EXPECT_EQ(x.events, y.events) << frame;
    EXPECT_EQ(x.status_events, y.status_events) << frame;
    for (std::size_t k = 0; k < kErrorKindCount; ++k) {
      EXPECT_EQ(x.errors[k], y.errors[k]) << to_string(static_cast<ErrorKind>(k)) << " in " << frame;
    }
    std::vector<ErrorSample> sa, sb;
    fast_.drain_samples([&](const ErrorSample& s) { sa.push_back(s); });
    generic_.drain_samples([&](const ErrorSample& s) { sb.push_back(s); });
    EXPECT_EQ(sa.size(), sb.size()) << frame;
    for (std::size_t i = 0; i < sa.size() && i < sb.size(); ++i) {
      EXPECT_EQ(sa[i].kind, sb[i].kind) << frame;
      EXPECT_EQ(sa[i].event_index, sb[i].event_index) << frame;
      EXPECT_EQ(sa[i].count_at_sample, sb[i].count_at_sample) << frame;
    }
    EXPECT_EQ(fast_registry_.size(), generic_registry_.size()) << frame;
    return {x.fast_objects - fast_before, a.result.events};
  }

 private:
  static Outcome run(FrameParser& parser, const std::string& frame) {
    Outcome o;
    // Refuses every fifth event, so sink-full is compared too.
    auto sink = [&](const MarketEvent& e) {
      if ((o.events.size() + 1) % 5 == 0) {
        o.events.push_back(MarketEvent{});
        return false;
      }
      o.events.push_back(e);
      return true;
    };
    // Receive times a second apart keep every error sample.
    o.result = parser.parse(frame, kRecv + static_cast<TimestampNs>(parser.counters().frames) * 1'000'000'000, StreamId::kOptions, sink);
    return o;
  }

  InstrumentRegistry fast_registry_;
  InstrumentRegistry generic_registry_;
  FrameParser fast_;
  FrameParser generic_;
};

struct FormCase {
  const char* name;
  std::string frame;
  std::uint64_t fast_objects;  // objects the fast path must take
  std::uint32_t events;        // delivered (every fifth refused by the sink)
};
class FastPathFormTest : public ::testing::TestWithParam<FormCase> {};

TEST_P(FastPathFormTest, shouldGiveTheSameEventsAndErrorsAsTheGenericPass) {
  TwoPasses both;
  const auto r = both.parse_both(GetParam().frame);
  EXPECT_EQ(r.fast_objects, GetParam().fast_objects) << GetParam().frame;
  EXPECT_EQ(r.events, GetParam().events) << GetParam().frame;
}

const std::string kOptQuote =
    R"({"ev":"Q","sym":"O:SPXW260821C05600000","bx":302,"ax":303,"bp":9.2,"ap":9.35,"bs":17,"as":24,"t":1755783000123,"q":844090872})";
const std::string kStockQuote =
    R"({"ev":"Q","sym":"MSFT","bx":4,"bp":114.125,"bs":100,"ax":7,"ap":114.128,"as":160,"c":0,"i":[604],"t":1536036818784,"q":50385480,"z":3})";
const std::string kOptTrade =
    R"({"ev":"T","sym":"O:AMC210827C00037000","x":65,"p":1.54,"s":1,"c":[233],"t":1629820676333,"q":651921})";
const std::string kStockTrade =
    R"({"ev":"T","sym":"MSFT","x":4,"i":"12345","z":3,"p":114.125,"s":100,"c":[0,12],"t":1536036818784,"q":3681328})";

INSTANTIATE_TEST_SUITE_P(
    Feeds, FastPathFormTest,
    ::testing::Values(
        FormCase{"massiveOrder", "[" + kOptQuote + "," + kStockQuote + "," + kOptTrade + "," + kStockTrade + "]", 4, 4},
        FormCase{"massiveOrderWithWhitespaceAround", " \n[" + kOptQuote + "," + kOptTrade + "] \r\n\t", 2, 2},
        FormCase{"shuffled", R"([{"sym":"SPY","ev":"T","p":1.5,"s":1,"t":1755783000000},{"ev":"Q","sym":"SPY","ap":2,"bp":1,"t":1755783000000}])", 0, 2},
        FormCase{"shuffledAfterMassiveOrder", "[" + kOptQuote + R"(,{"ev":"Q","sym":"SPY","ap":2,"bp":1,"t":1755783000000},)" + kOptTrade + "]", 1, 3},
        FormCase{"extraUnknownField", R"([{"ev":"T","sym":"SPY","x":4,"p":1.5,"s":1,"trfi":1,"t":1755783000000}])", 0, 1},
        FormCase{"extraFieldAtTheEnd", R"([{"ev":"T","sym":"SPY","p":1.5,"s":1,"t":1755783000000,"q":5,"zz":[1,{"a":2}]}])", 0, 1},
        FormCase{"missingPrice", R"([{"ev":"T","sym":"SPY","s":1,"t":1755783000000}])", 1, 0},
        FormCase{"missingQuoteTime", R"([{"ev":"Q","sym":"SPY","bx":1,"bp":1,"ap":2}])", 1, 0},
        FormCase{"missingEverythingButTheSymbol", R"([{"ev":"Q","sym":"SPY"}])", 1, 0},
        FormCase{"wrongTypePrice", R"([{"ev":"T","sym":"SPY","p":"1.5","s":1,"t":1755783000000}])", 0, 0},
        FormCase{"wrongTypeSymbol", R"([{"ev":"T","sym":7,"p":1.5,"s":1,"t":1755783000000}])", 0, 0},
        FormCase{"wrongTypeSize", R"([{"ev":"Q","sym":"SPY","bx":1,"bp":1,"bs":true,"ax":1,"ap":2,"as":1,"t":1755783000000}])", 0, 0},
        FormCase{"conditionsOfWrongType", R"([{"ev":"T","sym":"SPY","p":1.5,"s":1,"c":"x","t":1755783000000}])", 0, 0},
        FormCase{"negativePrice", R"([{"ev":"T","sym":"SPY","p":-1.5,"s":1,"t":1755783000000}])", 0, 0},
        FormCase{"zeroTradePrice", R"([{"ev":"T","sym":"SPY","p":0,"s":1,"t":1755783000000}])", 1, 0},
        FormCase{"emptyQuoteSides", R"([{"ev":"Q","sym":"SPY","bx":1,"bp":0,"bs":0,"ax":1,"ap":0.0,"as":0,"t":1755783000000}])", 1, 1},
        FormCase{"hugeSizeForAQuote", R"([{"ev":"Q","sym":"SPY","bp":1,"bs":4294967296,"ap":2,"t":1755783000000}])", 1, 0},
        FormCase{"nanosecondTime", R"([{"ev":"T","sym":"SPY","p":1.5,"s":1,"t":1755783000000000000}])", 0, 0},
        FormCase{"badOcc", R"([{"ev":"Q","sym":"O:SPXW26082XC05600000","bp":1,"ap":2,"t":1755783000000}])", 1, 0},
        FormCase{"emptySymbol", R"([{"ev":"T","sym":"","p":1.5,"s":1,"t":1755783000000}])", 1, 0},
        FormCase{"escapedSymbol", R"([{"ev":"T","sym":"S\u0050Y","p":1.5,"s":1,"t":1755783000000}])", 0, 1},
        FormCase{"escapedKey", R"([{"ev":"T","sym":"SPY","\u0070":1.5,"s":1,"t":1755783000000}])", 0, 1},
        FormCase{"priceWithFiveDecimals", R"([{"ev":"T","sym":"SPY","p":1.23456,"s":1,"t":1755783000000}])", 0, 1},
        FormCase{"priceWithExponent", R"([{"ev":"T","sym":"SPY","p":1.5e0,"s":1,"t":1755783000000}])", 0, 1},
        FormCase{"sizeWrittenAsDouble", R"([{"ev":"T","sym":"SPY","p":1.5,"s":100.0,"t":1755783000000}])", 0, 1},
        FormCase{"conditionBeyond32Bits", R"([{"ev":"T","sym":"SPY","p":1.5,"s":1,"c":[4294967296,1],"t":1755783000000}])", 1, 1},
        FormCase{"emptyConditionList", R"([{"ev":"T","sym":"SPY","p":1.5,"s":1,"c":[],"t":1755783000000}])", 1, 1},
        FormCase{"quoteConditionAsNumber", R"([{"ev":"Q","sym":"SPY","bp":1,"ap":2,"c":4000000000,"t":1755783000000}])", 1, 1},
        FormCase{"spaceAfterAColon", R"([{"ev":"T","sym":"SPY","p": 1.5,"s":1,"t":1755783000000}])", 0, 1},
        FormCase{"duplicateKey", R"([{"ev":"T","sym":"SPY","p":1.5,"s":1,"t":1755783000000,"p":2.5}])", 0, 1},
        FormCase{"otherEventsThenMassiveOrder", R"([{"ev":"status","status":"connected","message":"hi"},)" + kOptQuote + "]", 0, 2},
        FormCase{"notAnObjectAfterMassiveOrder", "[" + kOptQuote + ",42," + kOptQuote + "]", 1, 2},
        FormCase{"trailingComma", "[" + kOptQuote + ",]", 1, 1},
        FormCase{"missingComma", "[" + kOptQuote + kOptQuote + "]", 1, 1},
        FormCase{"stringThenColonAfterMassiveOrder", "[" + kOptQuote + R"(,{"ev":"T":7]}])", 1, 1},
        FormCase{"contentAfterTheArray", "[" + kOptQuote + "]]", 1, 1},
        FormCase{"junkAfterTheArray", "[" + kOptQuote + "] x", 0, 0},
        FormCase{"truncated", "[" + kOptQuote + "," + kOptQuote.substr(0, 40), 0, 0},
        FormCase{"unclosedObjectAtTheEnd", "[" + kOptQuote + "," + kOptQuote.substr(0, kOptQuote.size() - 1) + "]", 1, 1},
        FormCase{"sixRefusedBySink", "[" + kOptQuote + "," + kOptQuote + "," + kOptQuote + "," + kOptQuote + "," + kOptQuote + "," + kOptQuote + "]", 6, 5}),
    [](const auto& p) { return std::string(p.param.name); });

// Frames made at random from Massive's forms and then damaged in the ways venues and networks
// damage them: fields shuffled, dropped, doubled, added; values of other types and number forms;
// escapes, whitespace, other events, broken structure. Both passes must agree on every one.
class FrameGenerator {
 public:
  explicit FrameGenerator(std::uint64_t seed) : state_{seed} {}

  std::string frame() {
    std::string out = pick(4) == 0 ? " [" : "[";
    const unsigned n = 1 + pick(6);
    for (unsigned i = 0; i < n; ++i) {
      if (i != 0) out += pick(40) == 0 ? ", " : ",";
      out += pick(30) == 0 ? element_other() : object();
    }
    out += "]";
    switch (pick(40)) {
      case 0: out += "]"; break;
      case 1: out += " x"; break;
      case 2: out += "\n"; break;
      case 3: out.resize(pick(static_cast<unsigned>(out.size()))); break;
      case 4: out.erase(pick(static_cast<unsigned>(out.size())), 1); break;
      default: break;
    }
    return out;
  }

 private:
  using Fieldset = std::vector<std::pair<std::string, std::string>>;

  unsigned pick(unsigned n) {  // splitmix64
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return n == 0 ? 0 : static_cast<unsigned>(z % n);
  }
  template <std::size_t N>
  const char* one_of(const char* const (&list)[N]) {
    return list[pick(N)];
  }

  std::string uint_value() {
    static constexpr const char* kForms[] = {"0", "7", "302", "65", "1755783000000", "9999999999999999", "99999999999999999",
                                             "-1", "1.5", "100.0", "1e2", "01", "\"5\"", "null", "true", "[1]", "{}",
                                             "4294967295", "4294967296", "18446744073709551616", "1755783000000000000"};
    return pick(15) == 0 ? kForms[pick(std::size(kForms))] : std::to_string(pick(100000));
  }
  std::string price_value() {
    static constexpr const char* kForms[] = {"0", "0.0", "1.5", "9.25", "12.3456", "12.34567", "1e2", "-1.5", "\"1.5\"",
                                             "01.5", "1.", "1000000000000.0001", "0.00001", "0.0001", "123456789012.5",
                                             "9999999999999", "99999999999999", "null", "1E-7", "5.", ".5", "-0"};
    if (pick(15) == 0) return kForms[pick(std::size(kForms))];
    return std::to_string(pick(3000)) + "." + std::to_string(pick(100));
  }
  std::string time_value() {
    return pick(15) == 0 ? uint_value() : std::to_string(1755783000000ULL + pick(1000000));
  }
  std::string symbol_value(bool option) {
    static constexpr const char* kOptions[] = {"\"O:SPXW260821C05600000\"", "\"O:SPXW260821P05605000\"",
                                               "\"O:SPY260821C00560000\"", "\"O:AMC210827C00037000\"",
                                               "\"O:SPXW26082XC05600000\"", "\"O:\""};
    static constexpr const char* kStocks[] = {"\"SPY\"", "\"MSFT\"", "\"QQQ\"", "\"S\\u0050Y\"", "\"\"", "7", "[\"SPY\"]",
                                              "\"ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ\"", "\"I:SPX\"", "\"SP\\\"Y\""};
    return option ? (pick(10) == 0 ? one_of(kOptions) : kOptions[pick(4)]) : (pick(10) == 0 ? one_of(kStocks) : kStocks[pick(3)]);
  }
  std::string conditions_value() {
    static constexpr const char* kForms[] = {"[233]", "[0,12]", "[]", "[4294967296]", "[4294967296,1]", "[-1]", "[1.5]",
                                             "[\"a\"]", "0", "12", "1.5", "\"x\"", "null", "4000000000", "[1, 2]",
                                             "[2147483648]", "[4294967295]", "3999999999", "9999999999999999",
                                             "999999999999999", "[01]", "[1,]"};
    return pick(4) == 0 ? one_of(kForms) : kForms[pick(3)];
  }

  Fieldset massive_form() {
    const bool option = pick(2) == 0;
    Fieldset f;
    switch (pick(4)) {
      case 0:  // option quote
        f = {{"ev", "\"Q\""}, {"sym", symbol_value(true)}, {"bx", uint_value()}, {"ax", uint_value()},
             {"bp", price_value()}, {"ap", price_value()}, {"bs", uint_value()}, {"as", uint_value()},
             {"t", time_value()}, {"q", uint_value()}};
        break;
      case 1:  // stock quote
        f = {{"ev", "\"Q\""}, {"sym", symbol_value(option)}, {"bx", uint_value()}, {"bp", price_value()},
             {"bs", uint_value()}, {"ax", uint_value()}, {"ap", price_value()}, {"as", uint_value()},
             {"c", conditions_value()}, {"i", "[604]"}, {"t", time_value()}, {"q", uint_value()}, {"z", "3"}};
        break;
      case 2:  // option trade
        f = {{"ev", "\"T\""}, {"sym", symbol_value(true)}, {"x", uint_value()}, {"p", price_value()},
             {"s", uint_value()}, {"c", conditions_value()}, {"t", time_value()}, {"q", uint_value()}};
        break;
      default:  // stock trade
        f = {{"ev", "\"T\""}, {"sym", symbol_value(option)}, {"x", uint_value()}, {"i", "\"12345\""}, {"z", "3"},
             {"p", price_value()}, {"s", uint_value()}, {"c", conditions_value()}, {"t", time_value()},
             {"q", uint_value()}};
        break;
    }
    return f;
  }

  void damage(Fieldset& f) {
    static constexpr const char* kKeys[] = {"ev", "sym", "bx", "ax", "bp", "ap", "bs", "as", "x", "p", "s", "c",
                                            "i", "z", "t", "q", "T", "val", "o", "h", "l", "v", "zz", "trfi"};
    static constexpr const char* kValues[] = {"1", "\"a\"", "[1,2]", "{\"k\":[]}", "null", "false", "1.5e3",
                                              "\"Q\"", "\"T\"", "\"A\"", "\"AM\"", "\"V\"", "\"status\"", "\"LULD\""};
    switch (pick(9)) {
      case 0:  // shuffle
        for (std::size_t i = f.size(); i > 1; --i) std::swap(f[i - 1], f[pick(static_cast<unsigned>(i))]);
        break;
      case 1:  // swap two neighbours
        if (f.size() > 1) {
          const unsigned i = pick(static_cast<unsigned>(f.size() - 1));
          std::swap(f[i], f[i + 1]);
        }
        break;
      case 2:  // drop one
        if (!f.empty()) f.erase(f.begin() + pick(static_cast<unsigned>(f.size())));
        break;
      case 3:  // double one
        if (!f.empty()) f.push_back(f[pick(static_cast<unsigned>(f.size()))]);
        break;
      case 4:  // add one, known or not
        f.insert(f.begin() + pick(static_cast<unsigned>(f.size() + 1)), {one_of(kKeys), one_of(kValues)});
        break;
      case 5:  // another value
        if (!f.empty()) f[pick(static_cast<unsigned>(f.size()))].second = one_of(kValues);
        break;
      case 6:  // an escaped key
        if (!f.empty()) {
          auto& key = f[pick(static_cast<unsigned>(f.size()))].first;
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(key[0])));
          key = buf + key.substr(1);
        }
        break;
      case 7:  // whitespace inside
        if (!f.empty()) f[pick(static_cast<unsigned>(f.size()))].second.insert(0, " ");
        break;
      default:  // another event name
        if (!f.empty()) f[0].second = one_of(kValues);
        break;
    }
  }

  std::string object() {
    Fieldset f = massive_form();
    if (pick(3) == 0) {
      const unsigned damages = 1 + pick(3);
      for (unsigned i = 0; i < damages; ++i) damage(f);
    }
    std::string out = "{";
    for (std::size_t i = 0; i < f.size(); ++i) {
      if (i != 0) out += ",";
      out += "\"" + f[i].first + "\":" + f[i].second;
    }
    return out + "}";
  }
  std::string element_other() {
    static constexpr const char* kOthers[] = {
        "42", "[]", "\"x\"", "{}", R"({"ev":"status","status":"auth_success","message":"authenticated"})",
        R"({"ev":"AM","sym":"SPY","o":1,"h":2,"l":1,"c":1.5,"v":10,"s":1755783000000})",
        R"({"ev":"V","T":"I:SPX","val":5600.25,"t":1755783000000})"};
    return one_of(kOthers);
  }

  std::uint64_t state_;
};

TEST(ParserFastPath, shouldAgreeWithTheGenericPassOnManyGeneratedFrames) {
  TwoPasses both{256};  // small enough to fill up, so registry-full is compared too
  FrameGenerator gen{20260821};
  std::uint64_t fast = 0;
  for (int i = 0; i < 20000; ++i) {
    fast += both.parse_both(gen.frame()).fast_objects;
    if (::testing::Test::HasFailure()) break;
  }
  // Of the ~70,000 objects the fast path took a good share (~13,700); the rest went through the
  // generic pass.
  EXPECT_GT(fast, 10000u);
}

// A frame cut after a condition list ends in a ']' that closes the root array as far as stage 1
// can tell; the bytes after the frame may complete the object. The fast path stops at the frame.
TEST(ParserFastPath, shouldNotReadAnObjectOnPastTheEndOfTheFrame) {
  const std::string whole = R"([{"ev":"T","sym":"Y","x":4,"p":1.5,"s":1,"c":[24,3,3,0],"t":1755783000000}])";
  const std::string empty_list = R"([{"ev":"T","sym":"Y","x":4,"p":1.5,"s":1,"c":[],"t":1755783000000}])";
  for (const std::string* full : {&whole, &empty_list}) {
    const std::size_t cut = full->find(",\"t\"");
    // In place: the padding holds the rest of the object.
    for (const bool fast : {true, false}) {
      InstrumentRegistry registry{16};
      FrameParser parser{registry, ParserConfig{.fast_path = fast}};
      std::string buffer = *full + std::string(kPadding, ' ');
      Collect sink;
      const auto r = parser.parse_padded(std::string_view(buffer.data(), cut), kRecv, StreamId::kStocks, sink);
      EXPECT_EQ(r.events, 0u) << fast;
      EXPECT_TRUE(r.frame_error) << fast;
      EXPECT_EQ(parser.counters().error(ErrorKind::kMalformedJson), 1u) << fast;
    }
    // Copied: the scratch buffer still holds the whole frame parsed before.
    TwoPasses both;
    EXPECT_EQ(both.parse_both(*full).events, 1u);
    EXPECT_EQ(both.parse_both(full->substr(0, cut)).events, 0u);
  }
}

TEST(ParserFastPath, shouldReadAMassiveOrderedOptionQuoteLikeTheGenericPass) {
  InstrumentRegistry registry{16};
  FrameParser parser{registry};
  Collect sink;
  ASSERT_EQ(parser.parse("[" + kOptQuote + "]", kRecv, StreamId::kOptions, sink).events, 1u);
  EXPECT_EQ(parser.counters().fast_objects, 1u);
  const MarketEvent& e = sink.events.at(0);
  EXPECT_EQ(e.kind(), EventKind::kQuote);
  EXPECT_EQ(e.header.exchange_ns, 1755783000123 * 1'000'000);
  EXPECT_EQ(e.quote.bid, Price::from_double(9.2));
  EXPECT_EQ(e.quote.ask, Price::from_double(9.35));
  EXPECT_EQ(e.quote.bid_size, 17u);
  EXPECT_EQ(e.quote.ask_size, 24u);
  EXPECT_EQ(e.quote.bid_exchange, 302u);
  EXPECT_EQ(e.quote.ask_exchange, 303u);
  EXPECT_EQ(e.quote.sequence, 844090872u);
  EXPECT_EQ(registry.get(e.header.instrument).info.asset, AssetClass::kOption);
}

}  // namespace
}  // namespace odte::feeds
