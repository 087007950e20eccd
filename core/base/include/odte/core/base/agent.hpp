#pragma once

// One thread per role (feed, core, broker, admin, journal), each a loop over `do_work()`.
// The idle strategy is a template parameter so the loop compiles to straight-line code: no
// virtual call between polls. An agent reports how much work it did; the idle strategy decides
// what to do when that is zero (spin, yield, back off, sleep).

#include <atomic>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <string>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace odte {

// Names the calling thread (Linux keeps 15 characters) so top/perf/gdb show the role.
void set_thread_name(const std::string& name) noexcept;

template <typename A>
concept Agent = requires(A& a) {
  { a.do_work() } -> std::convertible_to<int>;
};

template <typename I>
concept IdleStrategy = requires(I& i, int work) {
  { i.idle(work) } noexcept;
  { i.reset() } noexcept;
};

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Lowest latency, burns its core: for pinned hot threads on an isolated CPU.
struct BusySpinIdle {
  void idle(int work) noexcept {
    if (work == 0) cpu_relax();
  }
  void reset() noexcept {}
};

// Gives the core away on every empty poll.
struct YieldingIdle {
  void idle(int work) noexcept {
    if (work == 0) std::this_thread::yield();
  }
  void reset() noexcept {}
};

// Sleeps a fixed period on every empty poll: for cold roles (admin, journal flusher) and tests.
template <std::int64_t PeriodUs = 1000>
struct SleepingIdle {
  void idle(int work) noexcept {
    if (work == 0) std::this_thread::sleep_for(std::chrono::microseconds(PeriodUs));
  }
  void reset() noexcept {}
};

// Spins, then yields, then sleeps with doubling periods up to MaxParkUs; any work resets it.
template <int Spins = 100, int Yields = 50, std::int64_t MinParkUs = 1, std::int64_t MaxParkUs = 1000>
class BackoffIdle {
 public:
  void idle(int work) noexcept {
    if (work > 0) {
      reset();
      return;
    }
    if (spins_ < Spins) {
      ++spins_;
      cpu_relax();
    } else if (yields_ < Yields) {
      ++yields_;
      std::this_thread::yield();
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(park_us_));
      park_us_ = park_us_ * 2 < MaxParkUs ? park_us_ * 2 : MaxParkUs;
    }
  }
  void reset() noexcept {
    spins_ = 0;
    yields_ = 0;
    park_us_ = MinParkUs;
  }
  [[nodiscard]] std::int64_t park_us() const noexcept { return park_us_; }

 private:
  int spins_ = 0;
  int yields_ = 0;
  std::int64_t park_us_ = MinParkUs;
};

// Runs `agent.do_work()` under `Idle` until stop is requested. run() executes on the calling
// thread; start() spawns a named thread. Optional agent hooks: on_start(), on_close().
template <Agent A, IdleStrategy Idle>
class AgentRunner {
 public:
  explicit AgentRunner(A& agent, Idle idle = Idle{}) noexcept : agent_{agent}, idle_{idle} {}
  AgentRunner(const AgentRunner&) = delete;
  AgentRunner& operator=(const AgentRunner&) = delete;
  ~AgentRunner() { stop_and_join(); }

  void run() {
    if constexpr (requires { agent_.on_start(); }) agent_.on_start();
    while (!stop_.load(std::memory_order_acquire)) idle_.idle(static_cast<int>(agent_.do_work()));
    if constexpr (requires { agent_.on_close(); }) agent_.on_close();
  }

  // Spawns the thread named `name` (at most 15 characters are kept by Linux).
  void start(const std::string& name) {
    thread_ = std::thread([this, name] {
      set_thread_name(name);
      run();
    });
  }

  void request_stop() noexcept { stop_.store(true, std::memory_order_release); }
  void stop_and_join() {
    request_stop();
    if (thread_.joinable()) thread_.join();
  }
  [[nodiscard]] bool stop_requested() const noexcept { return stop_.load(std::memory_order_acquire); }

 private:
  A& agent_;
  Idle idle_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace odte
