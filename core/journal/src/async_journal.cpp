#include "odte/core/journal/async_journal.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <new>
#include <thread>

#include "odte/core/base/clock.hpp"

namespace odte {

AsyncJournal::AsyncJournal() : heap_ring_{std::make_unique<Ring>()}, ring_{heap_ring_.get()} {}

AsyncJournal::~AsyncJournal() {
  stop();
  if (mapped_ != nullptr) {
    ring_->~Ring();
    ::munmap(mapped_, sizeof(Ring));
  }
}

namespace {

std::error_code last_error() { return {errno, std::generic_category()}; }

}  // namespace

std::string AsyncJournal::ring_path_for(const std::string& journal_path, std::int32_t trading_day) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(journal_path, ec).lexically_normal();
  if (ec) abs = journal_path;
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a: a stable name per journal, not a secret
  for (const char c : abs.string()) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  char name[64];
  std::snprintf(name, sizeof name, "odte-%016llx-%d.ring", static_cast<unsigned long long>(h), trading_day);
  if (std::filesystem::is_directory("/dev/shm", ec)) return (std::filesystem::path("/dev/shm") / name).string();
  return journal_path + ".ring";
}

std::error_code AsyncJournal::map_ring(const std::string& ring_path) {
  if (mapped_ != nullptr || runner_) return std::make_error_code(std::errc::operation_not_permitted);
  const int fd = ::open(ring_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return last_error();
  if (::ftruncate(fd, static_cast<off_t>(sizeof(Ring))) != 0) {
    const auto ec = last_error();
    ::close(fd);
    return ec;
  }
  void* p = ::mmap(nullptr, sizeof(Ring), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
  const auto ec = last_error();
  ::close(fd);
  if (p == MAP_FAILED) return ec;
  std::memset(p, 0, sizeof(Ring));  // every page writable and present before the core appends
  // Records appended before this call (none, by the contract) would stay behind in the heap ring.
  ring_ = new (p) Ring();
  heap_ring_.reset();
  mapped_ = p;
  ring_file_ = ring_path;
  return {};
}

AsyncJournal::RingRecovery AsyncJournal::recover_ring(const std::string& ring_path, const std::string& journal_path,
                                                      std::int32_t trading_day, std::int64_t now_ns) {
  RingRecovery r;
  const int fd = ::open(ring_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return r;
    r.error = last_error();
    r.what = "cannot open the journal ring " + ring_path + ": " + r.error.message();
    return r;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || static_cast<std::size_t>(st.st_size) != sizeof(Ring)) {
    ::close(fd);
    r.error = std::make_error_code(std::errc::illegal_byte_sequence);
    r.what = ring_path + " is not a journal ring (size " + std::to_string(st.st_size) + ", expected " +
             std::to_string(sizeof(Ring)) + ")";
    return r;
  }
  void* p = ::mmap(nullptr, sizeof(Ring), PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) {
    r.error = last_error();
    r.what = "cannot map the journal ring " + ring_path + ": " + r.error.message();
    return r;
  }
  struct Unmap {
    void* p;
    ~Unmap() { ::munmap(p, sizeof(Ring)); }
  } unmap{p};
  const Ring& ring = *std::launder(reinterpret_cast<const Ring*>(p));

  {
    JournalReader reader;
    const JournalScan scan = reader.read(journal_path);
    if (scan.status == JournalStatus::kOk && scan.trading_day != trading_day) {
      r.error = std::make_error_code(std::errc::invalid_argument);
      r.what = "journal " + journal_path + " is for trading day " + std::to_string(scan.trading_day) + ", its ring " +
               ring_path + " for " + std::to_string(trading_day);
      return r;
    }
  }
  JournalWriter w;
  if (const auto ec = w.open(journal_path, trading_day, now_ns)) {
    r.error = ec;
    r.what = "cannot open journal " + journal_path + " to recover its ring: " + ec.message();
    return r;
  }
  const std::uint64_t first = w.next_sequence();
  std::uint64_t expect = first;
  std::uint64_t beyond = 0;  // the first sequence past the journal's end that does not continue it
  ring.visit_published([&](const JournalSlot& s) {
    if (s.sequence < expect || beyond != 0) return;
    if (s.sequence != expect || s.length > kJournalSlotPayload ||
        w.stage(s.type, std::span<const std::byte>(s.payload, s.length))) {
      beyond = s.sequence == 0 ? 1 : s.sequence;
      return;
    }
    ++expect;
  });
  if (beyond != 0) {
    r.error = std::make_error_code(std::errc::illegal_byte_sequence);
    r.what = "journal ring " + ring_path + " holds record " + std::to_string(beyond) + " where the journal " +
             journal_path + " continues with " + std::to_string(expect) + ": records are missing between them";
    return r;  // the writer's staged records are dropped: nothing is written
  }
  if (expect > first) {
    if (const auto ec = w.write_staged(true)) {
      r.error = ec;
      r.what = "cannot append the ring's records to journal " + journal_path + ": " + ec.message();
      return r;
    }
  } else if (const auto ec = w.sync()) {
    r.error = ec;
    r.what = "cannot sync journal " + journal_path + ": " + ec.message();
    return r;
  }
  w.close();
  r.records = expect - first;
  ::unlink(ring_path.c_str());
  return r;
}

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
  // Everything the ring held is on disk: a later start has nothing to recover. A failed journal
  // keeps the file, so what it could not write is offered to the next start.
  if (!ring_file_.empty() && !failed()) {
    ::unlink(ring_file_.c_str());
    ring_file_.clear();
  }
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
