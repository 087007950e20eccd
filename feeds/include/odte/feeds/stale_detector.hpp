#pragma once

// Per-stream "last event seen" times that a feed thread writes and any other thread (the core's
// risk input, the admin/metrics thread) reads, lock-free. The risk engine's AccountState takes one
// bool, data_stale: any_stale() answers it with the same rule as EngineConfig::stale_after_ns --
// a stream that has delivered at least once and has then been silent longer than the threshold.
// Whether the session is open is the caller's knowledge (EngineConfig's session minutes), so the
// caller passes in_session; outside the session nothing is stale.
//
// Thread contract: on_event(stream) from that stream's feed thread only (one writer per stream);
// readers anywhere. Each stream's slot is on its own cache line so feed threads never share one.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "odte/core/market/events.hpp"

namespace odte::feeds {

class StaleDetector {
 public:
  explicit StaleDetector(std::int64_t stale_after_ns = 30'000'000'000) noexcept
      : stale_after_ns_{stale_after_ns} {}

  // Feed thread of `stream`: an event (or a data frame) arrived at `now_ns` (CLOCK_REALTIME).
  void on_event(StreamId stream, TimestampNs now_ns) noexcept {
    slot(stream).last_ns.store(now_ns, std::memory_order_release);
  }
  // Forgets a stream (e.g. unsubscribed cluster): it is never stale until it delivers again.
  void reset(StreamId stream) noexcept { slot(stream).last_ns.store(0, std::memory_order_release); }

  [[nodiscard]] TimestampNs last_event_ns(StreamId stream) const noexcept {
    return slot(stream).last_ns.load(std::memory_order_acquire);
  }
  [[nodiscard]] bool is_stale(StreamId stream, TimestampNs now_ns, bool in_session) const noexcept {
    if (!in_session) return false;
    const TimestampNs t = last_event_ns(stream);
    return t != 0 && now_ns - t > stale_after_ns_;
  }
  [[nodiscard]] bool any_stale(TimestampNs now_ns, bool in_session) const noexcept {
    for (int s = 0; s < kStreamCount; ++s) {
      if (is_stale(static_cast<StreamId>(s), now_ns, in_session)) return true;
    }
    return false;
  }
  [[nodiscard]] std::int64_t stale_after_ns() const noexcept { return stale_after_ns_; }

 private:
  struct alignas(64) Slot {
    std::atomic<TimestampNs> last_ns{0};
  };
  static_assert(sizeof(Slot) == 64);
  static_assert(std::atomic<TimestampNs>::is_always_lock_free);

  [[nodiscard]] Slot& slot(StreamId s) noexcept { return slots_[static_cast<std::size_t>(s)]; }
  [[nodiscard]] const Slot& slot(StreamId s) const noexcept {
    return slots_[static_cast<std::size_t>(s)];
  }

  std::array<Slot, kStreamCount> slots_{};
  std::int64_t stale_after_ns_;
};

}  // namespace odte::feeds
