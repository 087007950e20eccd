#include "odte/core/journal/async_journal.hpp"

#include <cstdio>
#include <cstring>
#include <thread>

#include "odte/core/base/clock.hpp"

namespace odte {

AsyncJournal::AsyncJournal() : ring_{std::make_unique<Ring>()} {}

AsyncJournal::~AsyncJournal() { stop(); }

std::error_code AsyncJournal::open(const std::string& path, std::int32_t trading_day, std::int64_t now_ns) {
  if (auto ec = writer_.open(path, trading_day, now_ns)) return ec;
  // What the file already holds (a restart) counts as durable once synced here, so a command
  // journaled next waits only for its own record.
  if (auto ec = writer_.sync()) return ec;
  writer_.reserve(kMaxBatch * (kJournalRecordHeaderSize + kJournalSlotPayload));
  next_seq_ = writer_.next_sequence();
  shared_.written.store(next_seq_ - 1, std::memory_order_release);
  shared_.durable.store(next_seq_ - 1, std::memory_order_release);
  last_sync_ns_ = MonotonicClock{}.now_ns();
  return {};
}

void AsyncJournal::start(const std::string& thread_name) {
  if (runner_) return;
  runner_ = std::make_unique<AgentRunner<Agent, Idle>>(agent_);
  runner_->start(thread_name);
}

void AsyncJournal::stop() {
  if (runner_) {
    runner_->stop_and_join();  // the thread's on_close writes what is left and syncs
    runner_.reset();
  } else {
    agent_.on_close();  // never started: what was appended is written here
  }
  writer_.close();
}

std::uint64_t AsyncJournal::append(JournalRecordType type, std::span<const std::byte> payload, bool durable) noexcept {
  if (failed()) return 0;
  if (payload.size() > kJournalSlotPayload) {
    fail_from_core("journal record larger than a ring slot", type, payload.size());
    return 0;
  }
  const std::uint64_t seq = next_seq_;
  const auto fill = [&](JournalSlot& s) noexcept {
    s.sequence = seq;
    s.length = static_cast<std::uint32_t>(payload.size());
    s.type = type;
    s.durable = durable ? 1 : 0;
    s.reserved = 0;
    if (!payload.empty()) std::memcpy(s.payload, payload.data(), payload.size());
  };
  if (!ring_->try_emplace(fill)) {
    // The disk is thousands of records behind. Losing the record would make the journal lie, so
    // the core waits for a slot, bounded; past the bound the journal is failed and trading halts.
    stats_.full_waits.fetch_add(1, std::memory_order_relaxed);
    const MonotonicClock clock;
    const std::int64_t deadline = clock.now_ns() + kFullWaitNs;
    bool pushed = false;
    for (int spins = 0; !(pushed = ring_->try_emplace(fill)); ++spins) {
      if (clock.now_ns() >= deadline) break;
      if (spins < 1000) {
        cpu_relax();
      } else {
        std::this_thread::yield();
      }
    }
    if (!pushed) {
      fail_from_core("journal ring full for 50 ms (the disk is not keeping up)", type, payload.size());
      return 0;
    }
  }
  ++next_seq_;
  return seq;
}

int AsyncJournal::write_batch() noexcept {
  bool durable = false;
  std::uint64_t last = 0;
  std::uint64_t staged = 0;
  const std::size_t n = ring_->drain(
      [&](const JournalSlot& s) noexcept {
        if (thread_failed_) return;
        if (s.sequence != writer_.next_sequence()) {
          fail_from_thread("journal sequence out of step with the core", std::make_error_code(std::errc::invalid_argument));
          return;
        }
        if (const auto ec = writer_.stage(s.type, std::span<const std::byte>(s.payload, s.length))) {
          fail_from_thread("journal record not encoded", ec);
          return;
        }
        if (observer_ != nullptr) observer_->on_record(s.type, std::span<const std::byte>(s.payload, s.length));
        durable = durable || s.durable != 0;
        last = s.sequence;
        ++staged;
      },
      kMaxBatch);
  if (n == 0) {
    if (!thread_failed_ && shared_.written.load(std::memory_order_relaxed) >
                               shared_.durable.load(std::memory_order_relaxed)) {
      if (MonotonicClock{}.now_ns() - last_sync_ns_ >= kIdleSyncNs) sync_written();
    }
    return 0;
  }
  if (thread_failed_ && staged == 0) {
    stats_.not_written.fetch_add(n, std::memory_order_relaxed);
    return static_cast<int>(n);
  }
  if (const auto ec = writer_.write_staged(durable || thread_failed_)) {
    fail_from_thread(durable ? "journal write or fdatasync failed" : "journal write failed", ec);
    stats_.not_written.fetch_add(n, std::memory_order_relaxed);
    return static_cast<int>(n);
  }
  stats_.records.fetch_add(staged, std::memory_order_relaxed);
  stats_.writes.fetch_add(1, std::memory_order_relaxed);
  if (staged > stats_.max_batch.load(std::memory_order_relaxed)) stats_.max_batch.store(staged, std::memory_order_relaxed);
  stats_.not_written.fetch_add(n - staged, std::memory_order_relaxed);
  shared_.written.store(last, std::memory_order_release);
  if (durable) {
    stats_.syncs.fetch_add(1, std::memory_order_relaxed);
    last_sync_ns_ = MonotonicClock{}.now_ns();
    shared_.durable.store(last, std::memory_order_release);
  }
  return static_cast<int>(n);
}

void AsyncJournal::sync_written() noexcept {
  if (thread_failed_) return;
  const std::uint64_t written = shared_.written.load(std::memory_order_relaxed);
  if (written <= shared_.durable.load(std::memory_order_relaxed)) return;
  if (const auto ec = writer_.sync()) {
    fail_from_thread("journal fdatasync failed", ec);
    return;
  }
  stats_.syncs.fetch_add(1, std::memory_order_relaxed);
  last_sync_ns_ = MonotonicClock{}.now_ns();
  shared_.durable.store(written, std::memory_order_release);
}

void AsyncJournal::fail_from_thread(const char* what, std::error_code ec) noexcept {
  if (thread_failed_) return;
  thread_failed_ = true;
  std::snprintf(thread_error_, sizeof thread_error_, "%s: %s", what, ec.message().c_str());
  std::uint8_t expected = kOk;
  shared_.failed.compare_exchange_strong(expected, kWriteFailed, std::memory_order_acq_rel);
}

void AsyncJournal::fail_from_core(const char* what, JournalRecordType type, std::size_t bytes) noexcept {
  std::snprintf(core_error_, sizeof core_error_, "%s: record %llu (type %u, %zu bytes) not journaled", what,
                static_cast<unsigned long long>(next_seq_), static_cast<unsigned>(type), bytes);
  std::uint8_t expected = kOk;
  shared_.failed.compare_exchange_strong(expected, kNotTaken, std::memory_order_acq_rel);
}

std::string_view AsyncJournal::error() const noexcept {
  switch (shared_.failed.load(std::memory_order_acquire)) {
    case kWriteFailed: return thread_error_;
    case kNotTaken: return core_error_;
    default: return {};
  }
}

}  // namespace odte
