#pragma once

// Interns instrument symbols ("SPY", "I:SPX", "O:SPXW260821C05600000") to dense integer ids.
//
// Thread contract: intern() and find() may be called from any thread at any time without locks
// (feed threads intern contracts as they first appear); get(id) may be called for any id that the
// caller learned from intern()/find() or from an event that crossed a ring, which orders the read
// after the record was written. Capacity is fixed at construction, so no call allocates after it.
// Ids are never reused or removed during a process lifetime.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "odte/core/market/events.hpp"
#include "odte/core/options/option_right.hpp"
#include "odte/core/base/price.hpp"

namespace odte {

enum class AssetClass : std::uint8_t { kStock = 1, kIndex = 2, kOption = 3 };

struct OptionFields {
  char root[8];                   // OCC root, 1-6 chars, NUL-terminated ("SPXW", "SPY")
  std::int32_t expiry_yyyymmdd;   // e.g. 20260821
  OptionRight right;
  std::uint8_t pad_[3];
  Price strike;
  InstrumentId underlying;        // kNoInstrument when not (yet) known
  std::uint32_t multiplier;       // shares (or index dollars) per contract, 100 for SPX/SPY
};

struct InstrumentInfo {
  AssetClass asset = AssetClass::kStock;
  OptionFields option{};          // meaningful only when asset == kOption
};

struct Instrument {
  static constexpr std::size_t kMaxSymbol = 31;
  char symbol[kMaxSymbol + 1];    // NUL-terminated
  InstrumentInfo info;
  InstrumentId id;
  InstrumentId duplicate_of;      // kNoInstrument, or the winner when two threads raced on a symbol

  [[nodiscard]] std::string_view symbol_view() const noexcept { return symbol; }
};

class InstrumentRegistry {
 public:
  explicit InstrumentRegistry(std::size_t max_instruments = 1u << 16);
  InstrumentRegistry(const InstrumentRegistry&) = delete;
  InstrumentRegistry& operator=(const InstrumentRegistry&) = delete;
  ~InstrumentRegistry();

  // The id of `symbol`, recording `info` if the symbol is new. Returns kNoInstrument when the
  // symbol is empty or longer than Instrument::kMaxSymbol, or the registry is full.
  [[nodiscard]] InstrumentId intern(std::string_view symbol, const InstrumentInfo& info) noexcept;
  [[nodiscard]] InstrumentId find(std::string_view symbol) const noexcept;
  [[nodiscard]] const Instrument& get(InstrumentId id) const noexcept;

  // Ids handed out so far (including rare duplicate_of records lost in a race).
  [[nodiscard]] std::size_t size() const noexcept {
    const auto n = next_id_.load(std::memory_order_acquire);
    return n < max_ ? n : max_;
  }
  [[nodiscard]] std::size_t capacity() const noexcept { return max_; }

 private:
  [[nodiscard]] static std::uint64_t hash(std::string_view symbol) noexcept;

  std::size_t max_;
  std::size_t slot_mask_;
  std::unique_ptr<Instrument[]> records_;
  // 0 = empty, otherwise id + 1; published with release after the record is fully written.
  std::unique_ptr<std::atomic<std::uint32_t>[]> slots_;
  std::atomic<std::size_t> next_id_{0};
};

}  // namespace odte
