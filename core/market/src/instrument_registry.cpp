#include "odte/core/market/instrument_registry.hpp"

#include <cassert>
#include <cstring>

namespace odte {

namespace {
std::size_t next_pow2(std::size_t n) {
  std::size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}
}  // namespace

InstrumentRegistry::InstrumentRegistry(std::size_t max_instruments)
    : max_{max_instruments},
      // Load factor at most 1/2 keeps linear probes short.
      slot_mask_{next_pow2(2 * max_instruments) - 1},
      records_{std::make_unique<Instrument[]>(max_instruments)},
      slots_{std::make_unique<std::atomic<std::uint32_t>[]>(slot_mask_ + 1)} {
  assert(max_instruments > 0 && max_instruments < kNoInstrument);
  for (std::size_t i = 0; i <= slot_mask_; ++i) slots_[i].store(0, std::memory_order_relaxed);
}

InstrumentRegistry::~InstrumentRegistry() = default;

namespace {
std::uint64_t load64(const char* p) noexcept {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}
std::uint64_t load32(const char* p) noexcept {
  std::uint32_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}
// Multiply, then fold the high half down: a multiply alone only carries differences upward, and the
// slot index is taken from the low bits.
std::uint64_t mix(std::uint64_t h) noexcept {
  h *= 0x9FB21C651E98DF25ULL;
  return h ^ (h >> 32);
}
}  // namespace

std::uint64_t InstrumentRegistry::hash(std::string_view symbol) noexcept {
  // Eight bytes per step (the feed looks up an OCC symbol per option event; a byte-at-a-time hash
  // was a dependent multiply per character). Reads stay inside the symbol: the last word overlaps
  // the one before it, and short symbols are read as two overlapping 4-byte words or three bytes.
  const char* p = symbol.data();
  const std::size_t n = symbol.size();
  std::uint64_t h = 0x2545F4914F6CDD1DULL ^ n;
  if (n >= 8) {
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) h = mix(h ^ load64(p + i));
    if (i < n) h = mix(h ^ load64(p + n - 8));
  } else if (n >= 4) {
    h = mix(h ^ (load32(p) | (load32(p + n - 4) << 32)));
  } else if (n > 0) {
    const auto byte = [p](std::size_t i) { return static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])); };
    h = mix(h ^ (byte(0) | (byte(n / 2) << 8) | (byte(n - 1) << 16)));
  }
  h *= 0xD6E8FEB86659FD93ULL;
  return h ^ (h >> 29);
}

InstrumentId InstrumentRegistry::find(std::string_view symbol) const noexcept {
  if (symbol.empty() || symbol.size() > Instrument::kMaxSymbol) return kNoInstrument;
  for (std::size_t i = hash(symbol) & slot_mask_;; i = (i + 1) & slot_mask_) {
    const std::uint32_t slot = slots_[i].load(std::memory_order_acquire);
    if (slot == 0) return kNoInstrument;
    const Instrument& rec = records_[slot - 1];
    if (rec.symbol_view() == symbol) return rec.id;
  }
}

InstrumentId InstrumentRegistry::intern(std::string_view symbol, const InstrumentInfo& info) noexcept {
  if (symbol.empty() || symbol.size() > Instrument::kMaxSymbol) return kNoInstrument;
  const InstrumentId existing = find(symbol);
  if (existing != kNoInstrument) return existing;

  const std::size_t id = next_id_.fetch_add(1, std::memory_order_relaxed);
  if (id >= max_) return kNoInstrument;
  Instrument& rec = records_[id];
  std::memset(static_cast<void*>(&rec), 0, sizeof rec);
  std::memcpy(rec.symbol, symbol.data(), symbol.size());
  rec.info = info;
  rec.id = static_cast<InstrumentId>(id);
  rec.duplicate_of = kNoInstrument;

  const auto mine = static_cast<std::uint32_t>(id + 1);
  for (std::size_t i = hash(symbol) & slot_mask_;; i = (i + 1) & slot_mask_) {
    std::uint32_t slot = slots_[i].load(std::memory_order_acquire);
    if (slot == 0) {
      if (slots_[i].compare_exchange_strong(slot, mine, std::memory_order_acq_rel,
                                            std::memory_order_acquire)) {
        return rec.id;
      }
      // Lost the slot to another writer; `slot` now holds the winner. Fall through to compare.
    }
    const Instrument& other = records_[slot - 1];
    if (other.symbol_view() == symbol) {
      rec.duplicate_of = other.id;  // our record is never published under this symbol
      return other.id;
    }
  }
}

const Instrument& InstrumentRegistry::get(InstrumentId id) const noexcept {
  assert(id < size());
  return records_[id];
}

}  // namespace odte
