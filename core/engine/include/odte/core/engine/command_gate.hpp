#pragma once

// Write-ahead between the engine and the broker in the live modes. Each command the engine pushed
// into its CommandRing is journaled (appended to the AsyncJournal as a durable record) and held;
// it is handed to the broker only once the journal's durable sequence covers its record, in the
// order the engine made them. The core thread makes no system call for it: the journal thread
// writes and syncs, the core compares two integers.
//
// Back-pressure, never a drop: `held` has a fixed capacity (kHeldCapacity). A command is taken
// from the CommandRing only while `held` has room and the journal ring has more than
// AsyncJournal::kCommandReserve slots free (those are kept for the records the engine writes
// unasked: reports, fills, marks). Otherwise it stays in the CommandRing (counted in held_full or
// journal_full); once that is full the engine refuses new orders itself (EngineStats::ring_full).
// A command the broker does not take now (link down, its ring full) stays at the head and is
// offered again on the next pump, ahead of everything behind it.
//
// Journal failure (a write error, a record it could not take): the gate halts. Nothing is sent
// from then on; held commands are discarded and later ones taken and discarded (counted), so the
// engine is never blocked on a dead journal. The run loop reports the halt and ends non-zero.
//
// Durability (JournalDurability, config `[journal] durability`; crash guarantees in
// docs/architecture.md): kSyncBeforeSend holds each command until its record is durable (the
// write-ahead rule above); kSendThenSync hands it to the broker as soon as its record is in the
// journal ring, and the journal thread writes and syncs it behind the send.
//
// Threads: the core thread only. Storage is allocated once in the constructor.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "odte/core/journal/async_journal.hpp"
#include "odte/core/engine/broker_port.hpp"
#include "odte/core/engine/engine.hpp"
#include "odte/core/base/spsc_ring.hpp"

namespace odte {

enum class JournalDurability : std::uint8_t {
  kSyncBeforeSend = 0,  // a command leaves once its record is on disk (fdatasync returned)
  kSendThenSync = 1,    // a command leaves once its record is in the journal ring; synced after
};
[[nodiscard]] const char* to_string(JournalDurability d) noexcept;

struct CommandGateStats {
  std::uint64_t journaled = 0;       // commands taken from the CommandRing and journaled
  std::uint64_t sent = 0;            // handed to the broker
  std::uint64_t held_full = 0;       // pumps that left commands in the CommandRing: `held` full
  std::uint64_t journal_full = 0;    // pumps that left commands in the CommandRing: journal ring low
  std::uint64_t broker_refused = 0;  // submit() said not now (the command was kept)
  std::uint64_t discarded = 0;       // commands never sent because the journal failed
};

class CommandGate {
 public:
  static constexpr std::size_t kHeldCapacity = CommandRing::capacity();

  CommandGate(CommandRing& commands, AsyncJournal& journal, BrokerPort& broker,
              JournalDurability durability = JournalDurability::kSyncBeforeSend);
  CommandGate(const CommandGate&) = delete;
  CommandGate& operator=(const CommandGate&) = delete;

  // Takes the commands there is room for, journals and holds them, then sends every held command
  // whose record is durable and the broker takes. Returns commands taken plus commands sent.
  std::size_t pump(TimestampNs now) noexcept;
  // Only the sending half of pump(): for the run loop while it waits for market data.
  std::size_t send_durable(TimestampNs now) noexcept;

  // Held commands (journaled, not yet sent).
  [[nodiscard]] std::size_t held() const noexcept { return held_->size_approx(); }
  [[nodiscard]] bool halted() const noexcept { return halted_; }
  [[nodiscard]] JournalDurability durability() const noexcept { return durability_; }
  [[nodiscard]] const CommandGateStats& stats() const noexcept { return stats_; }

 private:
  struct Held {
    OrderCommand command;
    std::uint64_t sequence;  // its journal record
  };
  void halt() noexcept;

  CommandRing& commands_;
  AsyncJournal& journal_;
  BrokerPort& broker_;
  JournalDurability durability_;
  std::unique_ptr<SpscRing<Held, kHeldCapacity>> held_;  // a fixed FIFO; one thread uses both ends
  bool halted_ = false;
  CommandGateStats stats_;
};

}  // namespace odte
