#include "odte/feeds/frame_recorder.hpp"

#include <chrono>
#include <cstring>

#include "odte/core/base/agent.hpp"

namespace odte::feeds {

SpscByteRing::SpscByteRing(std::size_t capacity)
    : capacity_{capacity}, mask_{capacity - 1}, buf_{std::make_unique<std::byte[]>(capacity)} {
  // A power of two keeps every record 8-aligned at any offset; tiny rings are refused outright.
  if (capacity < 4096 || (capacity & (capacity - 1)) != 0) {
    capacity_ = 4096;
    mask_ = 4095;
    buf_ = std::make_unique<std::byte[]>(capacity_);
  }
}

bool SpscByteRing::try_push(TimestampNs receive_ns, StreamId stream, std::string_view payload) noexcept {
  if (payload.size() > capacity_ / 4) return false;
  const std::uint64_t size = record_size(payload.size());
  std::uint64_t tail = tail_.load(std::memory_order_relaxed);
  std::size_t at = static_cast<std::size_t>(tail & mask_);
  const std::size_t to_end = capacity_ - at;
  const std::uint64_t need = size <= to_end ? size : to_end + size;  // wrap: skip the tail end
  if (tail + need - head_cache_ > capacity_) {
    head_cache_ = head_.load(std::memory_order_acquire);
    if (tail + need - head_cache_ > capacity_) return false;
  }
  if (size > to_end) {
    // to_end is a non-zero multiple of 8, so the marker's length field always fits.
    const std::uint32_t wrap = kWrap;
    std::memcpy(buf_.get() + at, &wrap, sizeof wrap);
    tail += to_end;
    at = 0;
  }
  Header h{};
  h.length = static_cast<std::uint32_t>(payload.size());
  h.stream = static_cast<std::uint8_t>(stream);
  h.receive_ns = receive_ns;
  std::memcpy(buf_.get() + at, &h, sizeof h);
  if (!payload.empty()) std::memcpy(buf_.get() + at + sizeof h, payload.data(), payload.size());
  tail_.store(tail + size, std::memory_order_release);
  return true;
}

FrameRecorder::FrameRecorder(std::size_t feeds, std::size_t ring_bytes) {
  for (std::size_t i = 0; i < feeds; ++i) rings_.push_back(std::make_unique<SpscByteRing>(ring_bytes));
}

FrameRecorder::~FrameRecorder() { (void)stop(); }

std::string FrameRecorder::open(const std::string& path, RecordingOptions options) {
  path_ = path;
  return writer_.create(path, options);
}

void FrameRecorder::start() {
  thread_ = std::thread([this] {
    set_thread_name("odte-recorder");
    run();
  });
}

void FrameRecorder::record(std::size_t feed, TimestampNs receive_ns, StreamId stream, std::string_view frame) noexcept {
  if (failed_.load(std::memory_order_relaxed) || !rings_[feed]->try_push(receive_ns, stream, frame)) {
    stats_.dropped_frames.fetch_add(1, std::memory_order_relaxed);
  }
}

std::size_t FrameRecorder::drain_once() {
  std::size_t n = 0;
  for (auto& ring : rings_) {
    while (ring->pop([&](TimestampNs ns, StreamId stream, std::string_view frame) {
      if (failed_.load(std::memory_order_relaxed)) return;
      if (std::string err = writer_.append(ns, stream, frame); !err.empty()) {
        {
          const std::lock_guard lock(error_mutex_);
          if (error_.empty()) error_ = err;
        }
        failed_.store(true, std::memory_order_relaxed);
        return;
      }
      stats_.recorded_frames.fetch_add(1, std::memory_order_relaxed);
      stats_.recorded_bytes.fetch_add(frame.size(), std::memory_order_relaxed);
    })) {
      ++n;
    }
  }
  return n;
}

void FrameRecorder::run() {
  using Clock = std::chrono::steady_clock;
  auto next_sync = Clock::now() + std::chrono::seconds(1);
  bool dirty = false;
  while (!stop_.load(std::memory_order_acquire)) {
    const std::size_t n = drain_once();
    dirty = dirty || n != 0;
    if (dirty && Clock::now() >= next_sync) {
      if (std::string err = writer_.sync(); !err.empty() && !failed_.exchange(true)) {
        const std::lock_guard lock(error_mutex_);
        if (error_.empty()) error_ = err;
      }
      stats_.syncs.fetch_add(1, std::memory_order_relaxed);
      dirty = false;
      next_sync = Clock::now() + std::chrono::seconds(1);
    }
    if (n == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

std::string FrameRecorder::stop() {
  stop_.store(true, std::memory_order_release);
  if (thread_.joinable()) thread_.join();
  if (writer_.is_open()) {
    (void)drain_once();
    if (std::string err = writer_.sync(); !err.empty() && error().empty()) {
      const std::lock_guard lock(error_mutex_);
      error_ = err;
    }
    (void)writer_.close();
  }
  return error();
}

std::string FrameRecorder::error() const {
  const std::lock_guard lock(error_mutex_);
  return error_;
}

}  // namespace odte::feeds
