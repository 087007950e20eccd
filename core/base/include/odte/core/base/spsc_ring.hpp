#pragma once

// Bounded lock-free single-producer/single-consumer ring of trivially copyable messages.
//
// Contract: exactly one producer thread calls try_push/try_emplace/try_stage/publish and exactly
// one consumer thread calls front/pop/drain. Capacity is a compile-time power of two; all Capacity
// slots are usable because indices run free (monotonic 64-bit counters) and are masked on access.
// Storage is inline, so large rings must be allocated once at start-up (std::make_unique), never
// on the hot path. A full ring is reported to the producer (try_push/try_stage return false); the
// producer counts it and moves on, it never waits.
//
// Batches: try_stage writes a message without showing it to the consumer and publish() shows
// everything staged with one release store, so a producer handing over a burst (a websocket
// frame's events) pays for the write index's cache line crossing to the consumer once per burst,
// not once per message. Staged messages hold their slots (they count towards a full ring) and
// stay invisible until publish(); try_push/try_emplace publish whatever was staged before them.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

namespace odte {

// 64-byte lines, but the adjacent-line prefetcher on x86 pulls pairs, so cross-thread fields are
// kept 128 bytes apart.
inline constexpr std::size_t kCacheLine = 64;
inline constexpr std::size_t kFalseSharingRange = 128;

template <typename T, std::size_t Capacity>
class SpscRing {
  static_assert(std::is_trivially_copyable_v<T>, "ring messages are plain data");
  static_assert(Capacity >= 2 && (Capacity & (Capacity - 1)) == 0, "capacity is a power of two");

 public:
  using value_type = T;
  static constexpr std::size_t kCapacity = Capacity;

  SpscRing() noexcept {
    // Each cross-thread field opens its own false-sharing range; the slots share none of them.
    static_assert(std::is_standard_layout_v<SpscRing>);
    static_assert(offsetof(SpscRing, tail_cache_) - offsetof(SpscRing, head_) >= kFalseSharingRange);
    static_assert(offsetof(SpscRing, tail_) - offsetof(SpscRing, tail_cache_) >= kFalseSharingRange);
    static_assert(offsetof(SpscRing, head_cache_) - offsetof(SpscRing, tail_) >= kFalseSharingRange);
    static_assert(offsetof(SpscRing, slots_) - offsetof(SpscRing, head_cache_) >= kFalseSharingRange);
    static_assert(offsetof(SpscRing, write_) - offsetof(SpscRing, head_cache_) < kCacheLine);
    static_assert(sizeof(SpscRing) % kFalseSharingRange == 0);
  }
  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  // Producer side: writes and publishes one message.
  [[nodiscard]] bool try_push(const T& value) noexcept {
    return try_emplace([&value](T& slot) noexcept { slot = value; });
  }

  // Producer side: fills the slot in place and publishes it; `fill(T&)` must fully initialise
  // the message.
  template <typename Fill>
  [[nodiscard]] bool try_emplace(Fill&& fill) noexcept(noexcept(fill(std::declval<T&>()))) {
    if (!stage(std::forward<Fill>(fill))) return false;
    tail_.store(write_, std::memory_order_release);
    return true;
  }

  // Producer side: writes one message that the consumer will not see until publish(). False when
  // the ring (published and staged messages together) is full; what was staged before stays
  // staged, so the caller still publishes it.
  [[nodiscard]] bool try_stage(const T& value) noexcept {
    return stage([&value](T& slot) noexcept { slot = value; });
  }

  // Producer side: shows the consumer every message staged so far, with one release store; none
  // when nothing is staged, so the consumer's cache keeps the write index.
  void publish() noexcept {
    if (write_ != tail_.load(std::memory_order_relaxed)) tail_.store(write_, std::memory_order_release);
  }

  // Producer side: messages staged and not yet published.
  [[nodiscard]] std::size_t staged() const noexcept {
    return static_cast<std::size_t>(write_ - tail_.load(std::memory_order_relaxed));
  }

  // Consumer side: the oldest message, or nullptr when empty. Valid until pop().
  [[nodiscard]] const T* front() noexcept {
    const std::uint64_t head = head_.load(std::memory_order_relaxed);
    if (head == tail_cache_) {
      tail_cache_ = tail_.load(std::memory_order_acquire);
      if (head == tail_cache_) return nullptr;
    }
    return &slots_[head & kMask];
  }

  // Consumer side. Precondition: front() returned non-null since the last pop().
  void pop() noexcept {
    const std::uint64_t head = head_.load(std::memory_order_relaxed);
    head_.store(head + 1, std::memory_order_release);
  }

  // Consumer side: hands up to `limit` messages to `handler(const T&)` in order and releases
  // their slots with one store. Returns how many were handled.
  template <typename Handler>
  std::size_t drain(Handler&& handler, std::size_t limit = Capacity) noexcept(
      noexcept(handler(std::declval<const T&>()))) {
    const std::uint64_t head = head_.load(std::memory_order_relaxed);
    std::uint64_t available = tail_cache_ - head;
    if (available == 0) {
      tail_cache_ = tail_.load(std::memory_order_acquire);
      available = tail_cache_ - head;
      if (available == 0) return 0;
    }
    const std::uint64_t n = available < limit ? available : static_cast<std::uint64_t>(limit);
    for (std::uint64_t i = 0; i < n; ++i) handler(slots_[(head + i) & kMask]);
    head_.store(head + n, std::memory_order_release);
    return static_cast<std::size_t>(n);
  }

  // Recovery only, with neither side running (a ring in a shared memory file whose process was
  // killed): hands `visit(const T&)` the published messages still in their slots, oldest first --
  // the last Capacity - 1 published, consumed or not. The slot of the one before them is left out:
  // a producer stopped while filling its next slot was overwriting it.
  template <typename Visit>
  void visit_published(Visit&& visit) const {
    const std::uint64_t tail = tail_.load(std::memory_order_acquire);
    const std::uint64_t from = tail > Capacity - 1 ? tail - (Capacity - 1) : 0;
    for (std::uint64_t i = from; i < tail; ++i) visit(slots_[i & kMask]);
  }

  // Either side; a snapshot that may be stale by the time it is read (for metrics only).
  [[nodiscard]] std::size_t size_approx() const noexcept {
    const std::uint64_t tail = tail_.load(std::memory_order_acquire);
    const std::uint64_t head = head_.load(std::memory_order_acquire);
    return static_cast<std::size_t>(tail - head);
  }
  [[nodiscard]] bool empty_approx() const noexcept { return size_approx() == 0; }
  [[nodiscard]] static constexpr std::size_t capacity() noexcept { return Capacity; }

 private:
  static constexpr std::uint64_t kMask = Capacity - 1;

  // Producer side: fills the next slot unpublished, when it is free (the consumer's index is read
  // only when the cached one says full).
  template <typename Fill>
  [[nodiscard]] bool stage(Fill&& fill) noexcept(noexcept(fill(std::declval<T&>()))) {
    const std::uint64_t write = write_;
    if (write - head_cache_ == Capacity) {
      head_cache_ = head_.load(std::memory_order_acquire);
      if (write - head_cache_ == Capacity) return false;
    }
    std::forward<Fill>(fill)(slots_[write & kMask]);
    write_ = write + 1;
    return true;
  }

  // Consumer-owned line: the read index the producer polls, then the consumer's private cache of
  // the write index on its own line so the producer's polls never hit it.
  alignas(kFalseSharingRange) std::atomic<std::uint64_t> head_{0};
  alignas(kFalseSharingRange) std::uint64_t tail_cache_{0};
  // Producer-owned lines, mirrored: the published write index the consumer polls, then the
  // producer's private cache of the read index and its next slot (ahead of tail_ by what is staged).
  alignas(kFalseSharingRange) std::atomic<std::uint64_t> tail_{0};
  alignas(kFalseSharingRange) std::uint64_t head_cache_{0};
  std::uint64_t write_{0};
  alignas(kFalseSharingRange) T slots_[Capacity];

  static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
};

}  // namespace odte
