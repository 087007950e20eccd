#include "odte/core/engine/command_gate.hpp"

#include <algorithm>

namespace odte {

const char* to_string(JournalDurability d) noexcept {
  return d == JournalDurability::kSendThenSync ? "send_then_sync" : "sync_before_send";
}

CommandGate::CommandGate(CommandRing& commands, AsyncJournal& journal, BrokerPort& broker, JournalDurability durability)
    : commands_{commands},
      journal_{journal},
      broker_{broker},
      durability_{durability},
      held_{std::make_unique<SpscRing<Held, kHeldCapacity>>()} {}

std::size_t CommandGate::pump(TimestampNs now) noexcept {
  if (!halted_ && journal_.failed()) halt();
  if (halted_) {
    const std::size_t n = commands_.drain([&](const OrderCommand&) noexcept { ++stats_.discarded; });
    return n;
  }
  const std::size_t held_room = kHeldCapacity - held_->size_approx();
  const std::size_t free = journal_.free_slots();
  const std::size_t journal_room = free > AsyncJournal::kCommandReserve ? free - AsyncJournal::kCommandReserve : 0;
  const std::size_t limit = std::min(held_room, journal_room);
  std::size_t moved = 0;
  if (limit > 0) {
    moved = commands_.drain(
        [&](const OrderCommand& c) noexcept {
          const std::uint64_t seq = journal_.append(JournalRecordType::kOrderCommand,
                                                    std::as_bytes(std::span<const OrderCommand>(&c, 1)), true);
          if (seq == 0 || !held_->try_push(Held{c, seq})) {
            ++stats_.discarded;  // the journal failed (seq 0): halted below; held has room by `limit`
            return;
          }
          ++stats_.journaled;
        },
        limit);
  }
  if (moved == limit && !commands_.empty_approx()) {
    if (held_room <= journal_room) {
      ++stats_.held_full;
    } else {
      ++stats_.journal_full;
    }
  }
  if (journal_.failed()) {
    halt();
    return moved;
  }
  return moved + send_durable(now);
}

std::size_t CommandGate::send_durable(TimestampNs now) noexcept {
  if (!halted_ && journal_.failed()) halt();
  if (halted_) return 0;
  // send_then_sync: every held command's record is in the journal ring already (it was appended
  // before it was held), so none waits for the disk.
  const std::uint64_t durable = durability_ == JournalDurability::kSendThenSync ? UINT64_MAX : journal_.durable_sequence();
  std::size_t sent = 0;
  while (const Held* h = held_->front()) {
    if (h->sequence > durable) break;  // its record is not on disk yet: the write-ahead rule
    if (!broker_.submit(h->command, now)) {
      ++stats_.broker_refused;
      break;
    }
    held_->pop();
    ++sent;
  }
  stats_.sent += sent;
  return sent;
}

void CommandGate::halt() noexcept {
  halted_ = true;
  while (held_->front() != nullptr) {
    held_->pop();
    ++stats_.discarded;
  }
}

}  // namespace odte
