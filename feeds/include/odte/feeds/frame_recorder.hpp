#pragma once

// Records a live feed while it is being read: every raw frame, with its receive time and stream,
// goes from the feed thread that received it into that feed's lock-free byte ring, and one
// recorder thread appends the rings' frames to a recording (recording.hpp), syncing it to disk
// once a second. The feed thread never waits on the disk: a frame that finds its ring full is not
// recorded and is counted (dropped_frames), and the feed goes on.
//
// Threads: record(i, ...) from feed thread i only (one producer per ring); start()/stop() from the
// owner; the counters from anyone. Frames of one feed are written in the order they arrived;
// frames of different feeds are interleaved by the recorder in the order it finds them (each
// frame carries its own receive time and stream, which replay and import use).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "odte/core/market/events.hpp"
#include "odte/feeds/recording.hpp"

namespace odte::feeds {

// Single-producer/single-consumer ring of variable-length byte records. Records are 8-byte aligned
// ([u32 length][u8 stream][3 pad][i64 receive ns][payload][pad]); a record that does not fit
// before the end of the buffer is preceded by a wrap marker and written at the start.
class SpscByteRing {
 public:
  // capacity: bytes, a power of two >= 4096. Allocated once here.
  explicit SpscByteRing(std::size_t capacity);
  SpscByteRing(const SpscByteRing&) = delete;
  SpscByteRing& operator=(const SpscByteRing&) = delete;

  // Producer. False (nothing written) when the record does not fit now or is larger than a
  // quarter of the ring.
  [[nodiscard]] bool try_push(TimestampNs receive_ns, StreamId stream, std::string_view payload) noexcept;

  // Consumer: hands the oldest record to fn(receive_ns, stream, payload) and releases it. False
  // when empty. The payload view is valid only inside fn.
  template <typename Fn>
  bool pop(Fn&& fn) {
    std::uint64_t head = head_.load(std::memory_order_relaxed);
    const std::uint64_t tail = tail_.load(std::memory_order_acquire);
    if (head == tail) return false;
    std::size_t at = static_cast<std::size_t>(head & mask_);
    // The length first: a wrap marker may sit in the last 8 bytes, where no whole header fits.
    std::uint32_t length = 0;
    std::memcpy(&length, buf_.get() + at, sizeof length);
    if (length == kWrap) {
      head += capacity_ - at;
      at = 0;
    }
    Header h;
    std::memcpy(&h, buf_.get() + at, sizeof h);
    fn(h.receive_ns, static_cast<StreamId>(h.stream),
       std::string_view(reinterpret_cast<const char*>(buf_.get() + at + sizeof h), h.length));
    head_.store(head + record_size(h.length), std::memory_order_release);
    return true;
  }

  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  [[nodiscard]] std::size_t used_approx() const noexcept {
    return static_cast<std::size_t>(tail_.load(std::memory_order_acquire) - head_.load(std::memory_order_acquire));
  }

 private:
  struct Header {
    std::uint32_t length;
    std::uint8_t stream;
    std::uint8_t pad[3];
    TimestampNs receive_ns;
  };
  static_assert(sizeof(Header) == 16);
  static constexpr std::uint32_t kWrap = 0xFFFF'FFFFu;
  [[nodiscard]] static constexpr std::uint64_t record_size(std::size_t length) noexcept {
    return (sizeof(Header) + length + 7) & ~std::uint64_t{7};
  }

  std::size_t capacity_;
  std::uint64_t mask_;
  std::unique_ptr<std::byte[]> buf_;
  alignas(128) std::atomic<std::uint64_t> head_{0};
  alignas(128) std::atomic<std::uint64_t> tail_{0};
  alignas(128) std::uint64_t head_cache_ = 0;  // producer's copy of head_
};

struct FrameRecorderStats {
  std::atomic<std::uint64_t> recorded_frames{0};
  std::atomic<std::uint64_t> recorded_bytes{0};
  std::atomic<std::uint64_t> dropped_frames{0};  // ring full (or the file failed): not recorded
  std::atomic<std::uint64_t> syncs{0};
};

class FrameRecorder {
 public:
  // One ring of ring_bytes per feed.
  explicit FrameRecorder(std::size_t feeds, std::size_t ring_bytes = 16u << 20);
  ~FrameRecorder();  // stop()
  FrameRecorder(const FrameRecorder&) = delete;
  FrameRecorder& operator=(const FrameRecorder&) = delete;

  // Creates the recording (refused if the file exists). Returns an error text, empty on success.
  [[nodiscard]] std::string open(const std::string& path, RecordingOptions options = {});
  // Starts the recorder thread (after open()).
  void start();
  // Writes what the rings still hold, syncs and closes. Idempotent. Returns the first write
  // error of the run, empty if none.
  std::string stop();

  // Feed thread `feed`. Never blocks.
  void record(std::size_t feed, TimestampNs receive_ns, StreamId stream, std::string_view frame) noexcept;

  [[nodiscard]] const FrameRecorderStats& stats() const noexcept { return stats_; }
  [[nodiscard]] std::string error() const;
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  void run();
  std::size_t drain_once();

  std::vector<std::unique_ptr<SpscByteRing>> rings_;
  RecordingWriter writer_;
  std::string path_;
  FrameRecorderStats stats_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};
  mutable std::mutex error_mutex_;  // cold: written once on the first failure
  std::string error_;
};

}  // namespace odte::feeds
