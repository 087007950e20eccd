#include "odte/core/base/triple_buffer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>

namespace odte {
namespace {

struct Snap {
  std::uint64_t seq;
  std::uint64_t payload[31];  // every word = seq: a torn read would mix two values
};

TEST(TripleBufferTest, shouldReportNothingBeforeTheFirstPublish) {
  TripleBuffer<Snap> tb;
  const Snap* s = nullptr;
  EXPECT_FALSE(tb.read(s));
}

TEST(TripleBufferTest, shouldReturnNewestPublishedValueAndKeepItUntilNext) {
  TripleBuffer<Snap> tb;
  for (std::uint64_t v : {1u, 2u, 3u}) {
    tb.write_buffer().seq = v;
    tb.publish();
  }
  const Snap* s = nullptr;
  ASSERT_TRUE(tb.read(s));
  EXPECT_EQ(s->seq, 3u);
  ASSERT_TRUE(tb.read(s));
  EXPECT_EQ(s->seq, 3u);
  tb.write_buffer().seq = 4;
  tb.publish();
  ASSERT_TRUE(tb.read(s));
  EXPECT_EQ(s->seq, 4u);
}

// Writer publishes as fast as it can; reader never sees a torn value or time going backwards.
TEST(TripleBufferStressTest, shouldNeverTearOrGoBackwardsBetweenTwoThreads) {
  auto tb = std::make_unique<TripleBuffer<Snap>>();
  constexpr std::uint64_t kPublishes = 200'000;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (std::uint64_t v = 1; v <= kPublishes; ++v) {
      Snap& s = tb->write_buffer();
      s.seq = v;
      for (auto& w : s.payload) w = v;
      tb->publish();
    }
    done.store(true, std::memory_order_release);
  });
  std::uint64_t last = 0;
  std::uint64_t torn = 0;
  std::uint64_t backwards = 0;
  std::uint64_t reads = 0;
  for (;;) {
    const bool finished = done.load(std::memory_order_acquire);
    const Snap* s = nullptr;
    if (tb->read(s)) {
      ++reads;
      for (const auto w : s->payload) torn += w != s->seq ? 1u : 0u;
      backwards += s->seq < last ? 1u : 0u;
      last = s->seq;
    }
    if (finished) break;
  }
  writer.join();
  const Snap* s = nullptr;
  ASSERT_TRUE(tb->read(s));
  EXPECT_EQ(s->seq, kPublishes);  // the final value is always delivered
  EXPECT_EQ(torn, 0u);
  EXPECT_EQ(backwards, 0u);
  EXPECT_GT(reads, 0u);
}

}  // namespace
}  // namespace odte
