#include "odte/core/base/spsc_ring.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "odte/core/market/events.hpp"

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

TEST(SpscRingTest, shouldHideStagedMessagesUntilPublish) {
  SmallRing ring;
  ring.publish();  // nothing staged: a no-op
  EXPECT_EQ(ring.front(), nullptr);
  for (std::uint64_t i = 0; i < 3; ++i) ASSERT_TRUE(ring.try_stage(i));
  EXPECT_EQ(ring.staged(), 3u);
  EXPECT_EQ(ring.front(), nullptr);
  EXPECT_EQ(ring.size_approx(), 0u);
  EXPECT_EQ(ring.drain([](const std::uint64_t&) {}), 0u);
  ring.publish();
  EXPECT_EQ(ring.staged(), 0u);
  EXPECT_EQ(ring.size_approx(), 3u);
  std::vector<std::uint64_t> seen;
  EXPECT_EQ(ring.drain([&](const std::uint64_t& v) { seen.push_back(v); }), 3u);
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{0, 1, 2}));
}

TEST(SpscRingTest, shouldPublishStagedMessagesWithTheNextPush) {
  SmallRing ring;
  ASSERT_TRUE(ring.try_stage(0));
  ASSERT_TRUE(ring.try_stage(1));
  ASSERT_TRUE(ring.try_push(2));
  EXPECT_EQ(ring.staged(), 0u);
  std::vector<std::uint64_t> seen;
  EXPECT_EQ(ring.drain([&](const std::uint64_t& v) { seen.push_back(v); }), 3u);
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{0, 1, 2}));
}

// A batch that meets a full ring: the refused messages are reported one by one, the ones staged
// before stay staged, and after publish() the consumer gets exactly those, once each.
TEST(SpscRingTest, shouldRejectStageWhenFullMidBatchAndKeepWhatWasStaged) {
  SmallRing ring;
  for (std::uint64_t i = 0; i < 5; ++i) ASSERT_TRUE(ring.try_push(i));
  std::vector<std::uint64_t> refused;
  for (std::uint64_t i = 5; i < 12; ++i) {
    if (!ring.try_stage(i)) refused.push_back(i);
  }
  EXPECT_EQ(refused, (std::vector<std::uint64_t>{8, 9, 10, 11}));
  EXPECT_EQ(ring.staged(), 3u);
  EXPECT_FALSE(ring.try_push(99)) << "staged messages hold their slots";
  EXPECT_EQ(ring.size_approx(), 5u);
  ring.publish();
  std::vector<std::uint64_t> seen;
  const auto collect = [&](const std::uint64_t& v) { seen.push_back(v); };
  EXPECT_EQ(ring.drain(collect), 8u);
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  // The freed slots take a new batch.
  for (std::uint64_t i = 12; i < 20; ++i) ASSERT_TRUE(ring.try_stage(i));
  EXPECT_FALSE(ring.try_stage(20));
  ring.publish();
  seen.clear();
  EXPECT_EQ(ring.drain(collect), 8u);
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{12, 13, 14, 15, 16, 17, 18, 19}));
}

TEST(SpscRingTest, shouldStageAndPublishBatchesInFifoOrderAcrossWrapAround) {
  SmallRing ring;
  std::uint64_t next_in = 0;
  std::uint64_t next_out = 0;
  // Batch sizes 1..8 against 8 slots: every start offset and every wrap point comes round.
  for (int round = 0; round < 64; ++round) {
    const int batch = 1 + round % 8;
    for (int k = 0; k < batch; ++k) ASSERT_TRUE(ring.try_stage(next_in++));
    EXPECT_EQ(ring.front(), nullptr);
    ring.publish();
    EXPECT_EQ(ring.drain([&](const std::uint64_t& v) { EXPECT_EQ(v, next_out++); }),
              static_cast<std::size_t>(batch));
  }
  EXPECT_EQ(next_out, next_in);
  EXPECT_EQ(ring.front(), nullptr);
}

// What a killed producer left behind: the last Capacity - 1 published messages, consumed or not,
// oldest first; nothing staged and unpublished; the slot a next message may have been half written
// into is left out.
TEST(SpscRingTest, shouldVisitTheLastPublishedMessagesForRecovery) {
  SmallRing ring;
  const auto visited = [&] {
    std::vector<std::uint64_t> seen;
    ring.visit_published([&](const std::uint64_t& v) { seen.push_back(v); });
    return seen;
  };
  EXPECT_TRUE(visited().empty());
  for (std::uint64_t i = 0; i < 3; ++i) ASSERT_TRUE(ring.try_push(i));
  ASSERT_NE(ring.front(), nullptr);
  ring.pop();
  EXPECT_EQ(visited(), (std::vector<std::uint64_t>{0, 1, 2})) << "consumed ones too";
  ASSERT_TRUE(ring.try_stage(3));
  EXPECT_EQ(visited(), (std::vector<std::uint64_t>{0, 1, 2})) << "nothing staged";
  ring.publish();
  std::size_t drained = 0;
  while (const std::size_t n = ring.drain([](const std::uint64_t&) {})) drained += n;
  EXPECT_EQ(drained, 3u);
  for (std::uint64_t i = 4; i < 20; ++i) {
    ASSERT_TRUE(ring.try_push(i));
    ASSERT_NE(ring.front(), nullptr);
    ring.pop();
  }
  EXPECT_EQ(visited(), (std::vector<std::uint64_t>{13, 14, 15, 16, 17, 18, 19})) << "the last capacity - 1, wrapped";
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

// The batched producer against a concurrent consumer, dropping what a full ring refuses as the
// feed threads do: the consumer gets exactly the accepted messages, in order, each once, and sees
// none before its batch is published. Run under ASan and TSan in CI.
TEST(SpscRingStressTest, shouldDeliverEveryAcceptedStagedMessageInOrderBetweenTwoThreads) {
  constexpr std::uint64_t kMessages = 1'000'000;
  struct Msg {
    std::uint64_t seq;
    std::uint64_t check;
  };
  auto ring = std::make_unique<SpscRing<Msg, 256>>();
  std::vector<std::uint64_t> accepted;
  accepted.reserve(kMessages);
  std::atomic<std::uint64_t> published_upto{0};  // one past the last seq published
  std::atomic<bool> done{false};

  std::thread producer([&] {
    std::uint64_t i = 0;
    for (std::uint64_t batch = 0; i < kMessages; ++batch) {
      const std::uint64_t end = std::min(kMessages, i + 1 + batch % 97);  // 1..97 messages
      for (; i < end; ++i) {
        if (ring->try_stage(Msg{i, ~i * 0x9E3779B97F4A7C15ULL})) accepted.push_back(i);
      }
      published_upto.store(i, std::memory_order_relaxed);
      ring->publish();
      if (batch % 16 == 0) std::this_thread::yield();
    }
    done.store(true, std::memory_order_release);
  });

  std::vector<std::uint64_t> received;
  received.reserve(kMessages);
  std::uint64_t bad = 0;
  std::uint64_t early = 0;
  const auto take = [&](const Msg& m) {
    if (m.check != ~m.seq * 0x9E3779B97F4A7C15ULL) ++bad;
    received.push_back(m.seq);
  };
  for (;;) {
    const bool finished = done.load(std::memory_order_acquire);
    const std::size_t before = received.size();
    ring->drain(take, 64);
    // Seeing a message synchronises with the publish() that showed it, which came after its
    // batch's published_upto store: a message shown before its publish() would outrun it.
    const std::uint64_t bound = published_upto.load(std::memory_order_relaxed);
    for (std::size_t k = before; k < received.size(); ++k) {
      if (received[k] >= bound) ++early;
    }
    if (finished && ring->front() == nullptr) break;
  }
  producer.join();
  EXPECT_EQ(bad, 0u);
  EXPECT_EQ(early, 0u);
  EXPECT_EQ(received, accepted);
  EXPECT_EQ(ring->front(), nullptr);
  RecordProperty("producer_saw_full", static_cast<int>(accepted.size() < kMessages));
}

}  // namespace
}  // namespace odte
