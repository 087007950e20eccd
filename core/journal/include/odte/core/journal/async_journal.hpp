#pragma once

// The write-ahead journal off the core thread (live modes). The core copies each record into a
// preallocated SPSC ring and goes on; the journal thread ("odte-journal") writes what the ring
// holds in order with JournalWriter, one write(2) per batch, fdatasync when the batch holds a
// durable record (order command, kill switch), and publishes the highest sequence that is on disk.
// Whoever must not act before a record is durable (the run loop, before handing a command to the
// broker: CommandGate) compares that sequence with the one append() returned.
//
// Threads: open(), start(), stop() on the owner (the core thread, at start-up and shutdown);
// append(), free_slots(), next_sequence() on the core thread only (the ring's one producer);
// durable_sequence(), written_sequence(), failed() and stats() from any thread. The bytes on disk
// are those a synchronous JournalWriter::append of the same records writes (tested).
//
// Ring full: every record the engine makes has to reach the journal (restore rebuilds the day from
// it), so a record is never dropped to keep the core going. The run loop keeps kCommandReserve
// slots free for the engine's own records by taking no new command from the CommandRing while
// fewer are free (CommandGate). If the ring is full all the same -- the disk has stalled behind
// thousands of records -- append() waits for a slot, spinning then yielding, at most kFullWaitNs,
// counted in full_waits. A record still without a slot then is not journaled: the journal fails
// like on a write error (failed(), error()), and the run loop halts trading.
//
// Write error: the journal thread stops writing (later records are counted as not written), the
// journal is failed() with the error, and the run loop sends no command from then on. What was
// written before stays a valid journal (a torn last record is cut off at the next open).
//
// kill -9: records not yet written are lost, as a crash just before a synchronous write loses
// them; none of them is a command the broker got (a command is sent only once durable). Restart
// reconciliation with the broker applies fills the journal missed. With the ring in a shared
// memory file (map_ring, used by `[journal] durability = "send_then_sync"`, where a command leaves
// before its record is written) they are not lost to a kill -9: recover_ring() at the next start
// appends them to the journal before it is read. A power loss still loses them (tmpfs dies with
// the machine): docs/architecture.md says what reconciliation does then.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "odte/core/base/agent.hpp"
#include "odte/core/journal/journal.hpp"
#include "odte/core/base/spsc_ring.hpp"

namespace odte {

// The largest payload a ring slot carries; every record the engine and the run loops write is
// smaller (static_asserts in async_journal.cpp, the largest is 104 bytes).
inline constexpr std::size_t kJournalSlotPayload = 240;

struct JournalSlot {
  std::uint64_t sequence;  // the sequence the record gets in the file (checked by the writer)
  std::uint32_t length;
  JournalRecordType type;
  std::uint8_t durable;
  std::uint8_t reserved;
  std::byte payload[kJournalSlotPayload];
};
static_assert(sizeof(JournalSlot) == 256 && std::is_trivially_copyable_v<JournalSlot>);

struct AsyncJournalStats {
  // Journal thread.
  std::atomic<std::uint64_t> records{0};      // records written
  std::atomic<std::uint64_t> writes{0};       // write(2) batches
  std::atomic<std::uint64_t> syncs{0};        // fdatasync calls
  std::atomic<std::uint64_t> not_written{0};  // records taken from the ring after a write error
  std::atomic<std::uint64_t> max_batch{0};
  // Core thread.
  std::atomic<std::uint64_t> full_waits{0};   // appends that found the ring full and waited
};

class AsyncJournal {
 public:
  static constexpr std::size_t kRingSlots = 8192;            // 2 MiB, allocated once
  static constexpr std::size_t kCommandReserve = 1024;       // slots kept for the engine's own records
  static constexpr std::size_t kMaxBatch = 256;              // records per write(2)
  static constexpr std::int64_t kFullWaitNs = 50'000'000;    // longest append() waits on a full ring
  static constexpr std::int64_t kIdleSyncNs = 200'000'000;   // unsynced records synced when idle this long

  AsyncJournal();
  ~AsyncJournal();  // stop()
  AsyncJournal(const AsyncJournal&) = delete;
  AsyncJournal& operator=(const AsyncJournal&) = delete;

  // Owner, before start(): JournalWriter::open (creates, or continues after the last whole record).
  [[nodiscard]] std::error_code open(const std::string& path, std::int32_t trading_day, std::int64_t now_ns);
  // Owner, before open() and any append(): moves the ring into a shared memory file at `ring_path`
  // (on tmpfs: no disk write-back, so no write-protect faults on the core; every page touched
  // here), so what the core appended survives a kill -9 of the process. A clean stop() removes the
  // file once everything is on disk; a killed or failed run leaves it for recover_ring().
  [[nodiscard]] std::error_code map_ring(const std::string& ring_path);
  // Start-up, before the journal is read (and before map_ring on the same path): appends to the
  // journal the records a killed process left in its ring file beyond the journal's end, syncs,
  // and removes the file. records = how many (0, no error: no file). On error -- the file is not a
  // ring, the journal is of another day, or the ring's records do not continue the journal's
  // sequence -- both files are left as they are and `what` says why.
  struct RingRecovery {
    std::error_code error;
    std::string what;
    std::uint64_t records = 0;
  };
  [[nodiscard]] static RingRecovery recover_ring(const std::string& ring_path, const std::string& journal_path,
                                                 std::int32_t trading_day, std::int64_t now_ns);
  // Where a journal's ring file lives: /dev/shm/odte-<hash of the journal's absolute path>-<day>.ring
  // (beside the journal, `<journal>.ring`, on a system without /dev/shm).
  [[nodiscard]] static std::string ring_path_for(const std::string& journal_path, std::int32_t trading_day);
  [[nodiscard]] bool ring_mapped() const noexcept { return mapped_ != nullptr; }

  // Owner, before start(): `observer` sees every record on the journal thread as it is staged
  // for its write, in order (nullptr: none). It must not block for long: the journal waits.
  void set_observer(JournalObserver* observer) noexcept { observer_ = observer; }
  // Owner: starts the journal thread. Records appended before it wait in the ring.
  void start(const std::string& thread_name = "odte-journal");
  // Owner: writes everything the ring holds, syncs, joins the thread and closes the file.
  // Idempotent. The core must not append() concurrently. After it, failed() is final.
  void stop();

  // Core thread: copies the record into the ring. Returns its journal sequence, or 0 when it was
  // not taken (the journal had failed, the payload is larger than a slot, or the ring stayed full
  // for kFullWaitNs): then failed() is true.
  std::uint64_t append(JournalRecordType type, std::span<const std::byte> payload, bool durable) noexcept;
  // Core thread: ring slots free now (at least; the journal thread only frees more).
  [[nodiscard]] std::size_t free_slots() const noexcept { return kRingSlots - ring_->size_approx(); }
  // Core thread: the sequence the next append() gets.
  [[nodiscard]] std::uint64_t next_sequence() const noexcept { return next_seq_; }

  // Any thread: every record up to this sequence is on disk (fdatasync returned); 0 = none yet.
  [[nodiscard]] std::uint64_t durable_sequence() const noexcept {
    return shared_.durable.load(std::memory_order_acquire);
  }
  // Any thread: every record up to this sequence has been handed to the kernel.
  [[nodiscard]] std::uint64_t written_sequence() const noexcept {
    return shared_.written.load(std::memory_order_acquire);
  }
  [[nodiscard]] bool failed() const noexcept { return shared_.failed.load(std::memory_order_acquire) != kOk; }
  // Why it failed; empty while it has not. Read on the owner thread after failed() said true.
  [[nodiscard]] std::string_view error() const noexcept;
  [[nodiscard]] const AsyncJournalStats& stats() const noexcept { return stats_; }
  // Records in the ring, not yet taken by the journal thread (metrics).
  [[nodiscard]] std::size_t queued_approx() const noexcept { return ring_->size_approx(); }

 private:
  using Ring = SpscRing<JournalSlot, kRingSlots>;
  enum : std::uint8_t { kOk = 0, kWriteFailed = 1, kNotTaken = 2 };

  // The journal thread's loop (AgentRunner): do_work() writes one batch.
  struct Agent {
    AsyncJournal& j;
    int do_work() noexcept { return j.write_batch(); }
    void on_close() noexcept {
      while (j.write_batch() > 0) {
      }
      j.sync_written();
    }
  };
  // A command waits for this thread to wake: parks are kept short (100 us at most) so that wait is
  // small beside the fdatasync itself, without spinning a core while the market is quiet.
  using Idle = BackoffIdle<200, 100, 1, 100>;

  int write_batch() noexcept;
  void sync_written() noexcept;
  void fail_from_thread(const char* what, std::error_code ec) noexcept;
  void fail_from_core(const char* what, JournalRecordType type, std::size_t bytes) noexcept;

  std::unique_ptr<Ring> heap_ring_;  // the ring, unless map_ring moved it into a file
  Ring* ring_;
  void* mapped_ = nullptr;
  std::string ring_file_;
  JournalWriter writer_;  // the journal thread's once started
  Agent agent_{*this};
  std::unique_ptr<AgentRunner<Agent, Idle>> runner_;

  // Core thread.
  std::uint64_t next_seq_ = 1;
  char core_error_[192] = {};
  // Journal thread.
  JournalObserver* observer_ = nullptr;
  std::int64_t last_sync_ns_ = 0;
  bool thread_failed_ = false;
  char thread_error_[192] = {};

  // Published by the journal thread; each on its own line so the core's polls do not share one
  // with the core's own writes.
  struct Shared {
    alignas(kFalseSharingRange) std::atomic<std::uint64_t> durable{0};
    alignas(kFalseSharingRange) std::atomic<std::uint64_t> written{0};
    alignas(kFalseSharingRange) std::atomic<std::uint8_t> failed{kOk};
  } shared_;
  AsyncJournalStats stats_;
};

}  // namespace odte
