// SPSC ring: throughput (messages/s, one producer and one consumer thread on different cores) and
// round-trip latency (ping-pong over two rings), for odte::SpscRing beside
// boost::lockfree::spsc_queue and moodycamel::ReaderWriterQueue, plus the machine's floor: a
// cache line bounced between the same two cores.

#include <benchmark/benchmark.h>
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <boost/lockfree/spsc_queue.hpp>
#include <cstdint>
#include <memory>
#include <readerwriterqueue.h>
#include <thread>

#include "odte/core/events.hpp"
#include "odte/core/spsc_ring.hpp"

namespace {

constexpr std::size_t kCapacity = 4096;
constexpr std::int64_t kBatch = 1 << 20;     // messages per throughput iteration
constexpr std::int64_t kRoundTrips = 1 << 16;  // ping-pongs per latency iteration

void pin_to_cpu(int cpu) {
  const unsigned n = std::thread::hardware_concurrency();
  if (n < 2) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(static_cast<unsigned>(cpu) % n, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

// Uniform push/pop over the three queues so one benchmark body serves all of them.
template <typename T>
struct OdteQueue {
  odte::SpscRing<T, kCapacity> ring;
  bool push(const T& v) noexcept { return ring.try_push(v); }
  bool pop(T& out) noexcept {
    const T* f = ring.front();
    if (f == nullptr) return false;
    out = *f;
    ring.pop();
    return true;
  }
};

template <typename T>
struct BoostQueue {
  boost::lockfree::spsc_queue<T, boost::lockfree::capacity<kCapacity>> q;
  bool push(const T& v) noexcept { return q.push(v); }
  bool pop(T& out) noexcept { return q.pop(out); }
};

template <typename T>
struct MoodycamelQueue {
  moodycamel::ReaderWriterQueue<T> q{kCapacity};
  bool push(const T& v) noexcept { return q.try_enqueue(v); }  // never allocates
  bool pop(T& out) noexcept { return q.try_dequeue(out); }
};

template <template <typename> class Q, typename T>
void BM_Throughput(benchmark::State& state) {
  pin_to_cpu(0);
  for (auto _ : state) {
    state.PauseTiming();
    auto q = std::make_unique<Q<T>>();
    std::atomic<bool> go{false};
    std::thread consumer([&] {
      pin_to_cpu(1);
      while (!go.load(std::memory_order_acquire)) {
      }
      T v{};
      std::uint64_t sum = 0;
      for (std::int64_t i = 0; i < kBatch;) {
        if (q->pop(v)) {
          sum += reinterpret_cast<const unsigned char&>(v);
          ++i;
        }
      }
      benchmark::DoNotOptimize(sum);
    });
    state.ResumeTiming();
    go.store(true, std::memory_order_release);
    T v{};
    for (std::int64_t i = 0; i < kBatch;) {
      reinterpret_cast<unsigned char&>(v) = static_cast<unsigned char>(i);
      if (q->push(v)) ++i;
    }
    consumer.join();
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.SetBytesProcessed(state.iterations() * kBatch * static_cast<std::int64_t>(sizeof(T)));
}

template <template <typename> class Q>
void BM_RoundTrip(benchmark::State& state) {
  pin_to_cpu(0);
  auto ping = std::make_unique<Q<std::uint64_t>>();
  auto pong = std::make_unique<Q<std::uint64_t>>();
  std::atomic<bool> done{false};
  std::thread echo([&] {
    pin_to_cpu(1);
    std::uint64_t v = 0;
    while (!done.load(std::memory_order_relaxed)) {
      if (ping->pop(v)) {
        while (!pong->push(v)) {
        }
      }
    }
  });
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    std::uint64_t v = 0;
    for (std::int64_t i = 0; i < kRoundTrips; ++i) {
      while (!ping->push(static_cast<std::uint64_t>(i))) {
      }
      while (!pong->pop(v)) {
      }
    }
    const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
    state.SetIterationTime(elapsed.count() / static_cast<double>(kRoundTrips));
  }
  done.store(true);
  echo.join();
}

// The floor: one cache line bounced between two cores (write on one, observe and answer on the other).
void BM_CacheLineRoundTrip(benchmark::State& state) {
  pin_to_cpu(0);
  alignas(odte::kFalseSharingRange) std::atomic<std::uint64_t> ball{0};
  std::atomic<bool> done{false};
  std::thread echo([&] {
    pin_to_cpu(1);
    std::uint64_t expect = 1;
    while (!done.load(std::memory_order_relaxed)) {
      if (ball.load(std::memory_order_acquire) == expect) {
        ball.store(expect + 1, std::memory_order_release);
        expect += 2;
      }
    }
  });
  std::uint64_t next = 1;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    for (std::int64_t i = 0; i < kRoundTrips; ++i) {
      ball.store(next, std::memory_order_release);
      while (ball.load(std::memory_order_acquire) != next + 1) {
      }
      next += 2;
    }
    const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
    state.SetIterationTime(elapsed.count() / static_cast<double>(kRoundTrips));
  }
  done.store(true);
  echo.join();
}

}  // namespace

BENCHMARK_TEMPLATE(BM_Throughput, OdteQueue, std::uint64_t)->Name("ring/throughput/u64/odte")->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_Throughput, BoostQueue, std::uint64_t)->Name("ring/throughput/u64/boost_lockfree")->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_Throughput, MoodycamelQueue, std::uint64_t)->Name("ring/throughput/u64/moodycamel")->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_Throughput, OdteQueue, odte::MarketEvent)->Name("ring/throughput/event64/odte")->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_Throughput, BoostQueue, odte::MarketEvent)->Name("ring/throughput/event64/boost_lockfree")->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_Throughput, MoodycamelQueue, odte::MarketEvent)->Name("ring/throughput/event64/moodycamel")->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_RoundTrip, OdteQueue)->Name("ring/roundtrip/odte")->UseManualTime()->Unit(benchmark::kNanosecond);
BENCHMARK_TEMPLATE(BM_RoundTrip, BoostQueue)->Name("ring/roundtrip/boost_lockfree")->UseManualTime()->Unit(benchmark::kNanosecond);
BENCHMARK_TEMPLATE(BM_RoundTrip, MoodycamelQueue)->Name("ring/roundtrip/moodycamel")->UseManualTime()->Unit(benchmark::kNanosecond);
BENCHMARK(BM_CacheLineRoundTrip)->Name("ring/roundtrip/cacheline_floor")->UseManualTime()->Unit(benchmark::kNanosecond);

BENCHMARK_MAIN();
