#pragma once

// Journal payloads written for the record of a run rather than for recovery: the legs the
// position book booked (with what the report needs to know about each instrument) and a
// once-a-minute account mark. Both are produced by the engine from its own state on the core
// thread, so a re-run re-creates them byte for byte (docs/journal-format.md).

#include <cstdint>
#include <type_traits>

#include "odte/core/orders.hpp"

namespace odte {

// Session markers (session_start, session_end), written by the run loop.
struct JournalSessionMarker {
  std::int32_t trading_day;
  std::uint32_t version;
  TimestampNs at_ns;            // first event (start) or market time at the end
};
static_assert(sizeof(JournalSessionMarker) == 16);
static_assert(std::has_unique_object_representations_v<JournalSessionMarker>);

// One leg booked into the position book (type book_fill). A combo fill is booked leg by leg at
// the prices the engine split it at, so these records add up to the journal's position P&L.
struct JournalFill {
  ClientOrderId order;          // the order the fill belongs to
  TimestampNs at_ns;            // market time it was booked
  Price price;                  // per share/contract unit, as booked
  Price fee;                    // dollars charged with this leg
  Price strike;                 // options; zero otherwise
  InstrumentId instrument;
  std::uint32_t quantity;       // contracts (options) or shares
  std::uint32_t multiplier;     // 100 for SPX/SPY options, 1 for stock
  std::int32_t expiry_yyyymmdd; // options; zero otherwise
  std::uint16_t strategy;
  std::uint8_t leg;             // leg index in the order
  Side side;
  std::uint8_t asset;           // AssetClass
  std::uint8_t right;           // 'C', 'P', or 0 for non-options
  std::uint8_t opening;         // 1 when the order opened risk
  std::uint8_t pad;
  char symbol[32];              // NUL-terminated, as interned
};
static_assert(sizeof(JournalFill) == 96);
static_assert(std::has_unique_object_representations_v<JournalFill>);

// The account once a minute of market time after the first fill (type mark), after the book was
// marked to mids.
struct JournalMark {
  TimestampNs at_ns;
  Price equity;                 // account equity from the config (the returns' denominator)
  Price realized;               // dollars, since the session started
  Price unrealized;             // dollars, open positions at mid
  Price fees;                   // dollars
  std::uint32_t open_spreads;   // spreads with open units
  std::uint32_t open_positions; // (strategy, instrument) positions not flat
};
static_assert(sizeof(JournalMark) == 48);
static_assert(std::has_unique_object_representations_v<JournalMark>);

}  // namespace odte
