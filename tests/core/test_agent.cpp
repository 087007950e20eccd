#include "odte/core/base/agent.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>

#include "odte/core/base/spsc_ring.hpp"

namespace odte {
namespace {

struct CountingAgent {
  int budget;
  std::atomic<int> calls{0};  // polled by the test thread while the runner thread works
  bool started = false;
  bool closed = false;
  int do_work() {
    calls.fetch_add(1, std::memory_order_release);
    return budget-- > 0 ? 1 : 0;
  }
  void on_start() { started = true; }
  void on_close() { closed = true; }
};

struct CountingIdle {
  int* idle_calls;
  int* zero_work;
  void idle(int work) noexcept {
    ++*idle_calls;
    if (work == 0) ++*zero_work;
  }
  void reset() noexcept {}
};

TEST(AgentRunnerTest, shouldCallHooksAndPassWorkCountToIdleStrategy) {
  CountingAgent agent{.budget = 3};
  int idle_calls = 0;
  int zero_work = 0;
  AgentRunner<CountingAgent, CountingIdle> runner(agent, CountingIdle{&idle_calls, &zero_work});
  runner.start("test-agent");
  while (agent.calls.load(std::memory_order_acquire) < 10) std::this_thread::yield();
  runner.stop_and_join();
  EXPECT_TRUE(agent.started);
  EXPECT_TRUE(agent.closed);
  EXPECT_EQ(idle_calls, agent.calls);
  EXPECT_EQ(zero_work, agent.calls - 3);
}

TEST(BackoffIdleTest, shouldEscalateToParkingAndResetOnWork) {
  BackoffIdle<2, 2, 1, 8> idle;
  for (int i = 0; i < 4; ++i) idle.idle(0);  // 2 spins + 2 yields
  EXPECT_EQ(idle.park_us(), 1);
  idle.idle(0);
  EXPECT_EQ(idle.park_us(), 2);
  for (int i = 0; i < 5; ++i) idle.idle(0);
  EXPECT_EQ(idle.park_us(), 8);  // capped
  idle.idle(1);
  EXPECT_EQ(idle.park_us(), 1);
}

// A producer agent and a consumer agent on two runner threads move every message through a ring.
TEST(AgentRunnerTest, shouldMoveMessagesBetweenTwoAgentsOverARing) {
  using Ring = SpscRing<std::uint64_t, 256>;
  auto ring = std::make_unique<Ring>();
  constexpr std::uint64_t kCount = 100'000;
  struct Producer {
    Ring* ring;
    std::uint64_t next = 0;
    int do_work() noexcept {
      int n = 0;
      while (next < kCount && ring->try_push(next)) {
        ++next;
        ++n;
      }
      return n;
    }
  } producer{ring.get()};
  struct Consumer {
    Ring* ring;
    std::atomic<std::uint64_t> received{0};
    std::uint64_t out_of_order = 0;
    int do_work() noexcept {
      return static_cast<int>(ring->drain([this](const std::uint64_t& v) {
        const auto r = received.load(std::memory_order_relaxed);
        if (v != r) ++out_of_order;
        received.store(r + 1, std::memory_order_release);
      }));
    }
  } consumer{ring.get()};
  AgentRunner<Producer, BackoffIdle<>> p(producer);
  AgentRunner<Consumer, BackoffIdle<>> c(consumer);
  c.start("consumer");
  p.start("producer");
  while (consumer.received.load(std::memory_order_acquire) < kCount) std::this_thread::yield();
  p.stop_and_join();
  c.stop_and_join();
  EXPECT_EQ(consumer.received.load(), kCount);
  EXPECT_EQ(consumer.out_of_order, 0u);
}

}  // namespace
}  // namespace odte
