#pragma once

// Latest-value hand-off from one writer thread to one reader thread without locks or tearing:
// the core publishes snapshots (positions, orders, P&L, metrics) here on a timer and the admin
// thread reads the newest complete one whenever a client asks. Neither side ever waits.
//
// Three buffers: the writer owns one, the reader owns one, and the third sits in the middle. A
// publish swaps the writer's buffer with the middle one (marking it fresh); a read swaps the
// middle one with the reader's when it is fresh. Ownership moves only through one atomic
// exchange, so each buffer is touched by one thread at a time.

#include <array>
#include <atomic>
#include <cstdint>
#include <type_traits>

#include "odte/core/base/spsc_ring.hpp"

namespace odte {

template <typename T>
class TripleBuffer {
  static_assert(std::is_trivially_copyable_v<T>, "snapshots are plain data");

 public:
  TripleBuffer() noexcept = default;
  TripleBuffer(const TripleBuffer&) = delete;
  TripleBuffer& operator=(const TripleBuffer&) = delete;

  // Writer side: the buffer to fill; valid until publish().
  [[nodiscard]] T& write_buffer() noexcept { return buffers_[write_].value; }
  // Writer side: makes the written buffer the newest for the reader.
  void publish() noexcept {
    const std::uint8_t old = middle_.exchange(static_cast<std::uint8_t>(write_ | kFresh), std::memory_order_acq_rel);
    write_ = old & kIndexMask;
  }

  // Reader side: the newest published value (or the one read last time if nothing new).
  // Returns false when nothing was ever published.
  bool read(const T*& out) noexcept {
    if ((middle_.load(std::memory_order_relaxed) & kFresh) != 0) {
      const std::uint8_t old = middle_.exchange(read_, std::memory_order_acq_rel);
      read_ = old & kIndexMask;
      have_read_ = true;
    }
    out = &buffers_[read_].value;
    return have_read_;
  }

 private:
  static constexpr std::uint8_t kFresh = 0x4;
  static constexpr std::uint8_t kIndexMask = 0x3;

  struct alignas(kFalseSharingRange) Slot {
    T value{};
  };
  std::array<Slot, 3> buffers_{};
  alignas(kFalseSharingRange) std::atomic<std::uint8_t> middle_{1};
  alignas(kFalseSharingRange) std::uint8_t write_ = 0;  // writer-owned
  alignas(kFalseSharingRange) std::uint8_t read_ = 2;   // reader-owned
  bool have_read_ = false;
};

}  // namespace odte
