#include "odte/feeds/recording_source.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "odte/feeds/event_json.hpp"

namespace odte::feeds {
namespace {

namespace fs = std::filesystem;

class RecordingSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (fs::temp_directory_path() / ("odte-src-" + std::to_string(::getpid()) + ".odr")).string();
    fs::remove(path_);
    RecordingWriter w;
    ASSERT_EQ(w.create(path_, RecordingOptions{Codec::kZstd, 3, 1024}), "");
    ASSERT_EQ(w.append(10, StreamId::kOptions, R"([{"ev":"status","status":"connected","message":"Connected Successfully"}])"), "");
    ASSERT_EQ(w.append(20, StreamId::kOptions,
                       R"([{"ev":"Q","sym":"O:SPXW260821C05600000","bp":1.1,"ap":1.2,"bs":3,"as":4,"t":1755783000001},)"
                       R"({"ev":"T","sym":"O:SPXW260821C05600000","p":1.15,"s":2,"t":1755783000002}])"), "");
    ASSERT_EQ(w.append(30, StreamId::kIndices, R"([{"ev":"V","val":5600.25,"T":"I:SPX","t":1755783000003}])"), "");
    ASSERT_EQ(w.append(40, StreamId::kStocks, R"([{"ev":"T","sym":"SPY","p":"bad"}, {"ev":)"), "");
    ASSERT_EQ(w.append(50, StreamId::kStocks, R"([{"ev":"AM","sym":"SPY","v":10,"o":1,"h":2,"l":0.5,"c":1.5,"s":1755783000000,"e":1755783060000}])"), "");
    ASSERT_EQ(w.close(), "");
  }
  void TearDown() override { fs::remove(path_); }

  std::vector<MarketEvent> read_all(InstrumentRegistry& reg, bool with_status, std::string* json = nullptr) {
    RecordingEventSource src(reg, RecordingSourceOptions{.include_status = with_status});
    EXPECT_EQ(src.open(path_), "");
    std::vector<MarketEvent> out;
    MarketEvent e;
    while (src.next(e)) {
      out.push_back(e);
      if (json != nullptr) {
        append_event_json(*json, e, reg);
        *json += '\n';
      }
    }
    EXPECT_EQ(src.error(), "");
    EXPECT_EQ(src.frames(), 5u);
    EXPECT_EQ(src.parse_counters().error(ErrorKind::kTruncatedFrame), 1u);
    return out;
  }
  std::string path_;
};

TEST_F(RecordingSourceTest, shouldYieldEventsInRecordedOrderWithTheirReceiveTimes) {
  InstrumentRegistry reg;
  const auto events = read_all(reg, false);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].kind(), EventKind::kQuote);
  EXPECT_EQ(events[0].header.receive_ns, 20);
  EXPECT_EQ(events[0].header.stream, StreamId::kOptions);
  EXPECT_EQ(events[1].kind(), EventKind::kTrade);
  EXPECT_EQ(events[2].kind(), EventKind::kIndexValue);
  EXPECT_EQ(events[2].header.receive_ns, 30);
  EXPECT_EQ(events[3].kind(), EventKind::kBar);
  EXPECT_EQ(events[3].header.receive_ns, 50);
}

TEST_F(RecordingSourceTest, shouldIncludeStatusEventsWhenAsked) {
  InstrumentRegistry reg;
  const auto events = read_all(reg, true);
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].kind(), EventKind::kStatus);
  EXPECT_EQ(events[0].status.code, StatusCode::kConnected);
}

TEST_F(RecordingSourceTest, shouldDecodeToTheSameBytesEveryRun) {
  std::string a, b;
  {
    InstrumentRegistry reg;
    read_all(reg, true, &a);
  }
  {
    InstrumentRegistry reg;
    read_all(reg, true, &b);
  }
  EXPECT_EQ(a, b);
  EXPECT_NE(a.find(R"({"kind":"quote","stream":"options","recv_ns":20,"sym":"O:SPXW260821C05600000","t_ns":1755783000001000000,"bid":1.1,"bid_size":3,"ask":1.2,"ask_size":4,"bx":0,"ax":0,"seq":0})"),
            std::string::npos)
      << a;
}

}  // namespace
}  // namespace odte::feeds
