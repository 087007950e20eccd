// SpscByteRing and FrameRecorder: recording a live feed from the feed threads without ever making
// them wait on the disk.

#include "odte/feeds/frame_recorder.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace odte::feeds {
namespace {

namespace fs = std::filesystem;

std::string payload(std::uint64_t n) {
  // Lengths 0..199 in a pattern that hits every alignment and both wrap cases.
  std::string s(static_cast<std::size_t>((n * 37) % 200), '\0');
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>('a' + (n + i) % 26);
  return s;
}

TEST(SpscByteRing, shouldHandBackRecordsInOrderAcrossManyWraps) {
  SpscByteRing ring(4096);
  std::uint64_t pushed = 0, popped = 0;
  for (int round = 0; round < 2000; ++round) {
    while (ring.try_push(static_cast<TimestampNs>(pushed), static_cast<StreamId>(pushed % 3), payload(pushed))) ++pushed;
    // Drain a varying part, so the free space and the wrap point move around.
    const int take = 1 + round % 7;
    for (int k = 0; k < take; ++k) {
      bool got = ring.pop([&](TimestampNs ns, StreamId s, std::string_view p) {
        EXPECT_EQ(ns, static_cast<TimestampNs>(popped));
        EXPECT_EQ(s, static_cast<StreamId>(popped % 3));
        EXPECT_EQ(p, payload(popped));
      });
      if (!got) break;
      ++popped;
    }
  }
  while (ring.pop([&](TimestampNs ns, StreamId, std::string_view p) {
    EXPECT_EQ(ns, static_cast<TimestampNs>(popped));
    EXPECT_EQ(p, payload(popped));
  })) {
    ++popped;
  }
  EXPECT_EQ(popped, pushed);
  EXPECT_GT(pushed, 5'000u);
  EXPECT_EQ(ring.used_approx(), 0u);
}

TEST(SpscByteRing, shouldRefuseWhenFullAndRecordsLargerThanAQuarter) {
  SpscByteRing ring(4096);
  EXPECT_FALSE(ring.try_push(1, StreamId::kStocks, std::string(1025, 'x'))) << "more than a quarter of the ring";
  EXPECT_TRUE(ring.try_push(1, StreamId::kStocks, std::string(1024, 'x')));
  int n = 1;
  while (ring.try_push(2, StreamId::kStocks, std::string(100, 'y'))) ++n;
  EXPECT_GE(n, 20);
  while (ring.try_push(3, StreamId::kStocks, "")) ++n;  // 16-byte records fill what is left
  EXPECT_FALSE(ring.try_push(3, StreamId::kStocks, "")) << "full, even for an empty record";
  EXPECT_TRUE(ring.pop([](TimestampNs, StreamId, std::string_view p) { EXPECT_EQ(p.size(), 1024u); }));
  EXPECT_TRUE(ring.try_push(3, StreamId::kStocks, std::string(100, 'z')));
}

TEST(SpscByteRing, shouldPassEveryRecordBetweenTwoThreadsStress) {
  SpscByteRing ring(1u << 14);
  constexpr std::uint64_t kCount = 200'000;
  std::thread producer([&] {
    for (std::uint64_t n = 0; n < kCount;) {
      if (ring.try_push(static_cast<TimestampNs>(n), StreamId::kOptions, payload(n))) {
        ++n;
      } else {
        std::this_thread::yield();
      }
    }
  });
  std::uint64_t next = 0, bad = 0;
  while (next < kCount) {
    if (!ring.pop([&](TimestampNs ns, StreamId, std::string_view p) {
          if (ns != static_cast<TimestampNs>(next) || p != payload(next)) ++bad;
        })) {
      std::this_thread::yield();
      continue;
    }
    ++next;
  }
  producer.join();
  EXPECT_EQ(bad, 0u);
}

class FrameRecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (fs::temp_directory_path() / ("odte-framerec-" + std::to_string(::getpid()) + ".odr")).string();
    fs::remove(path_);
  }
  void TearDown() override { fs::remove(path_); }
  std::string path_;
};

TEST_F(FrameRecorderTest, shouldRecordEveryFrameOfThreeFeedThreadsInEachFeedsOrder) {
  FrameRecorder rec(3, 1u << 16);
  ASSERT_EQ(rec.open(path_), "");
  rec.start();
  constexpr std::uint64_t kPerFeed = 20'000;
  std::vector<std::thread> feeds;
  for (std::size_t f = 0; f < 3; ++f) {
    feeds.emplace_back([&rec, f] {
      for (std::uint64_t n = 0; n < kPerFeed; ++n) {
        const std::string frame = "[{\"feed\":" + std::to_string(f) + ",\"n\":" + std::to_string(n) + "}]";
        // A real feed thread never waits; this test does, to check that nothing is lost in
        // between when there is room.
        const auto before = rec.stats().dropped_frames.load();
        rec.record(f, static_cast<TimestampNs>(n + 1), static_cast<StreamId>(f), frame);
        if (rec.stats().dropped_frames.load() != before) std::this_thread::yield();
      }
    });
  }
  for (auto& t : feeds) t.join();
  ASSERT_EQ(rec.stop(), "");
  const std::uint64_t dropped = rec.stats().dropped_frames.load();
  EXPECT_EQ(rec.stats().recorded_frames.load() + dropped, 3 * kPerFeed);

  RecordingReader reader;
  ASSERT_EQ(reader.open(path_), "");
  std::map<int, std::int64_t> last;  // per stream: the last receive time seen
  std::uint64_t frames = 0;
  RecordView v;
  while (reader.next(v) == ReadStatus::kRecord) {
    const int s = static_cast<int>(v.stream);
    EXPECT_GT(v.receive_ns, last[s]) << "feed " << s << " out of order";
    last[s] = v.receive_ns;
    EXPECT_NE(v.frame.find("\"feed\":" + std::to_string(s)), std::string_view::npos);
    ++frames;
  }
  EXPECT_EQ(frames, rec.stats().recorded_frames.load());
}

TEST_F(FrameRecorderTest, shouldCountFramesThatFindTheRingFullAndKeepTheRest) {
  FrameRecorder rec(1, 4096);  // recorder thread not started: nothing drains the ring
  ASSERT_EQ(rec.open(path_), "");
  for (int n = 0; n < 100; ++n) rec.record(0, n + 1, StreamId::kStocks, std::string(200, 'q'));
  EXPECT_GT(rec.stats().dropped_frames.load(), 50u);
  ASSERT_EQ(rec.stop(), "");  // writes what the ring held
  EXPECT_EQ(rec.stats().recorded_frames.load() + rec.stats().dropped_frames.load(), 100u);
  RecordingReader reader;
  ASSERT_EQ(reader.open(path_), "");
  RecordView v;
  std::uint64_t frames = 0;
  while (reader.next(v) == ReadStatus::kRecord) ++frames;
  EXPECT_EQ(frames, rec.stats().recorded_frames.load());
  EXPECT_GT(frames, 5u);
}

TEST_F(FrameRecorderTest, shouldRefuseToOverwriteAnExistingRecording) {
  {
    FrameRecorder first(1);
    ASSERT_EQ(first.open(path_), "");
    (void)first.stop();
  }
  FrameRecorder second(1);
  EXPECT_NE(second.open(path_), "");
}

}  // namespace
}  // namespace odte::feeds
