#include "odte/core/spsc_ring.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "odte/core/events.hpp"

namespace odte {
namespace {

using SmallRing = SpscRing<std::uint64_t, 8>;

TEST(SpscRingTest, shouldStartEmpty) {
  SmallRing ring;
  EXPECT_EQ(ring.front(), nullptr);
  EXPECT_EQ(ring.size_approx(), 0u);
  EXPECT_EQ(SmallRing::capacity(), 8u);
}

TEST(SpscRingTest, shouldUseEveryCapacitySlotThenRejectWriteWhenFull) {
  SmallRing ring;
  for (std::uint64_t i = 0; i < 8; ++i) ASSERT_TRUE(ring.try_push(i)) << i;
  EXPECT_FALSE(ring.try_push(99));
  EXPECT_EQ(ring.size_approx(), 8u);
  ASSERT_NE(ring.front(), nullptr);
  EXPECT_EQ(*ring.front(), 0u);
  ring.pop();
  EXPECT_TRUE(ring.try_push(8));
  EXPECT_FALSE(ring.try_push(9));
}

TEST(SpscRingTest, shouldReturnMessagesInFifoOrderAcrossWrapAround) {
  SmallRing ring;
  std::uint64_t next_in = 0;
  std::uint64_t next_out = 0;
  for (int round = 0; round < 50; ++round) {
    for (int k = 0; k < 5; ++k) ASSERT_TRUE(ring.try_push(next_in++));
    for (int k = 0; k < 5; ++k) {
      const auto* v = ring.front();
      ASSERT_NE(v, nullptr);
      EXPECT_EQ(*v, next_out++);
      ring.pop();
    }
  }
  EXPECT_EQ(ring.front(), nullptr);
}

TEST(SpscRingTest, shouldDrainAtMostLimitInOrder) {
  SmallRing ring;
  for (std::uint64_t i = 0; i < 6; ++i) ASSERT_TRUE(ring.try_push(i));
  std::vector<std::uint64_t> seen;
  const auto handler = [&](const std::uint64_t& v) { seen.push_back(v); };
  EXPECT_EQ(ring.drain(handler, 4), 4u);
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{0, 1, 2, 3}));
  EXPECT_EQ(ring.drain(handler), 2u);
  EXPECT_EQ(ring.drain(handler), 0u);
  EXPECT_EQ(seen.size(), 6u);
  // Drained slots are free again.
  for (std::uint64_t i = 0; i < 8; ++i) EXPECT_TRUE(ring.try_push(i));
}

TEST(SpscRingTest, shouldFillSlotInPlaceWithTryEmplace) {
  SpscRing<MarketEvent, 4> ring;
  ASSERT_TRUE(ring.try_emplace([](MarketEvent& e) {
    e = MarketEvent::make_index(7, StreamId::kIndices, 1, 2, Price::from_cents(550012));
  }));
  const MarketEvent* e = ring.front();
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind(), EventKind::kIndexValue);
  EXPECT_EQ(e->header.instrument, 7u);
  EXPECT_EQ(e->index.value, Price::from_cents(550012));
}

TEST(SpscRingTest, shouldKeepCrossThreadIndicesOnSeparateCacheLines) {
  using Ring = SpscRing<MarketEvent, 1024>;
  EXPECT_EQ(alignof(Ring), kFalseSharingRange);
  EXPECT_EQ(sizeof(Ring), 4 * kFalseSharingRange + 1024 * sizeof(MarketEvent));
}

// Two threads, a ring far smaller than the message count: every message arrives exactly once,
// in order, with its payload intact. Run under ASan and TSan in CI.
TEST(SpscRingStressTest, shouldDeliverEveryMessageInOrderBetweenTwoThreads) {
  constexpr std::uint64_t kMessages = 2'000'000;
  struct Msg {
    std::uint64_t seq;
    std::uint64_t check;
  };
  auto ring = std::make_unique<SpscRing<Msg, 1024>>();
  std::uint64_t full_count = 0;

  std::thread producer([&] {
    for (std::uint64_t i = 0; i < kMessages;) {
      if (ring->try_push(Msg{i, ~i * 0x9E3779B97F4A7C15ULL})) {
        ++i;
      } else {
        ++full_count;
        std::this_thread::yield();
      }
    }
  });

  std::uint64_t expected = 0;
  std::uint64_t bad = 0;
  bool batch_mode = false;
  while (expected < kMessages) {
    // Alternate between the batch path and the front/pop path so both are exercised.
    batch_mode = !batch_mode;
    if (batch_mode) {
      ring->drain(
          [&](const Msg& m) {
            if (m.seq != expected || m.check != ~m.seq * 0x9E3779B97F4A7C15ULL) ++bad;
            ++expected;
          },
          64);
    } else if (const Msg* m = ring->front()) {
      if (m->seq != expected || m->check != ~m->seq * 0x9E3779B97F4A7C15ULL) ++bad;
      ++expected;
      ring->pop();
    }
  }
  producer.join();
  EXPECT_EQ(bad, 0u);
  EXPECT_EQ(expected, kMessages);
  EXPECT_EQ(ring->front(), nullptr);
  RecordProperty("producer_saw_full", static_cast<int>(full_count > 0));
}

}  // namespace
}  // namespace odte
