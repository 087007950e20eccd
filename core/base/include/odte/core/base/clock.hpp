#pragma once

// Clocks are passed in, never read from a global: the same core code runs against the wall clock
// live and against the recording's own timestamps in replay, which is what makes replays
// byte-identical. Both satisfy the Clock concept; the core is templated on it.

#include <concepts>
#include <cstdint>
#include <ctime>

namespace odte {

// Unix time in nanoseconds (UTC). Websocket feeds send milliseconds; they are scaled at parse.
// Defined with the clocks, the primitive that produces it, so the clocks need no market header.
using TimestampNs = std::int64_t;

template <typename C>
concept Clock = requires(const C& c) {
  { c.now_ns() } noexcept -> std::same_as<TimestampNs>;
};

// Unix time from CLOCK_REALTIME (served by the vDSO on Linux x86-64: no system call).
class WallClock {
 public:
  [[nodiscard]] TimestampNs now_ns() const noexcept {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<TimestampNs>(ts.tv_sec) * 1'000'000'000LL + ts.tv_nsec;
  }
};

// Monotonic nanoseconds for measuring intervals (latency histograms, timeouts); not a date.
class MonotonicClock {
 public:
  [[nodiscard]] TimestampNs now_ns() const noexcept {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<TimestampNs>(ts.tv_sec) * 1'000'000'000LL + ts.tv_nsec;
  }
};

// Time as the replay says it is: advanced by the replay driver to each event's recorded time.
// Never goes backwards; an attempt to do so is ignored and reported by advance_to's result.
class ReplayClock {
 public:
  explicit ReplayClock(TimestampNs start_ns = 0) noexcept : now_{start_ns} {}
  [[nodiscard]] TimestampNs now_ns() const noexcept { return now_; }
  // Returns false (and keeps the current time) if `t` is earlier than now.
  bool advance_to(TimestampNs t) noexcept {
    if (t < now_) return false;
    now_ = t;
    return true;
  }

 private:
  TimestampNs now_;
};

static_assert(Clock<WallClock>);
static_assert(Clock<MonotonicClock>);
static_assert(Clock<ReplayClock>);

}  // namespace odte
