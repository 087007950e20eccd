#pragma once

// Journal records as JSON: one object per record, fields named, prices as exact decimal
// strings, ids as their ClOrdID text. `odte journal FILE` prints them one per line. Output is
// deterministic.
//
// Journals carry numbers where the run had names: strategy ids (the strategy's index in the
// config) and instrument ids (dense, per process). JournalNames reads them back from the journal
// itself -- the account record (type 18) names the strategies, instrument records (type 13) name
// every instrument before its first use -- so a reader that feeds it every record in order prints
// names, whatever config or process wrote the journal.

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "odte/core/engine/orders.hpp"
#include "odte/core/journal/journal.hpp"
#include "odte/core/market/events.hpp"
#include "odte/core/market/instrument_registry.hpp"

namespace odte::daemon {

class JournalNames {
 public:
  JournalNames() = default;
  // Names known before the journal says them (the run's own config); the account record wins.
  explicit JournalNames(std::vector<std::string> strategies) : strategies_{std::move(strategies)} {}

  // Learns what `type`'s payload names: strategies (account), instruments (instrument), the
  // strategy and legs of every order id (order_command; a cancel or replace id maps to its order).
  void learn(JournalRecordType type, std::span<const std::byte> payload);
  void learn(const JournalRecord& r) { learn(r.type, r.payload); }
  // A running process's registry names what the journal has not (a refused intent's legs: the
  // engine journals instruments only for orders). Insert-only, so any thread may read it.
  void set_registry(const InstrumentRegistry* registry) noexcept { registry_ = registry; }

  // "iron_condor"; "strategy 3" when the journal has not named it.
  [[nodiscard]] std::string strategy(std::uint16_t id) const;
  // "O:SPY260821C00640000"; "#17" when the journal has not named it.
  [[nodiscard]] std::string symbol(InstrumentId id) const;
  // The kNew command of the order `id` belongs to (the order itself, or its cancel/replace
  // request); nullptr when unknown.
  [[nodiscard]] const OrderCommand* order(ClientOrderId id) const;

 private:
  std::vector<std::string> strategies_;
  const InstrumentRegistry* registry_ = nullptr;
  std::unordered_map<InstrumentId, std::string> symbols_;
  std::unordered_map<std::uint64_t, OrderCommand> orders_;
};

// One JSON object (no newline). Records whose payload size does not match their type are
// rendered with "error" and the size rather than guessed at. With `names` (fed every earlier
// record), strategies and instruments are named ("strategy", each leg's "symbol"); without, the
// strategy is "strategy N" and legs carry only their instrument id.
[[nodiscard]] std::string journal_record_json(const JournalRecord& record, const JournalNames* names = nullptr);

}  // namespace odte::daemon
