#pragma once

// Fixed-size plain-data market events: what feed threads push into their SPSC rings and the core
// drains. Every event is exactly one 64-byte cache line: a common header (kind, stream, instrument
// id, exchange and receive timestamps in Unix nanoseconds) and a kind-specific body. Symbols are
// never carried; the instrument id is interned in the InstrumentRegistry.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

#include "odte/core/base/clock.hpp"  // TimestampNs
#include "odte/core/base/price.hpp"

namespace odte {

using InstrumentId = std::uint32_t;
inline constexpr InstrumentId kNoInstrument = 0xFFFF'FFFFu;

enum class EventKind : std::uint8_t { kTrade = 1, kQuote = 2, kBar = 3, kIndexValue = 4, kStatus = 5 };

// Which connection/cluster an event came from; one producer ring per stream.
enum class StreamId : std::uint8_t { kStocks = 0, kOptions = 1, kIndices = 2, kReplay = 3 };
inline constexpr int kStreamCount = 4;

enum class BarInterval : std::uint8_t { kSecond = 1, kMinute = 2 };

// Condition codes a trade event keeps, in the feed's order: Massive's lists hold one to four.
inline constexpr std::size_t kTradeConditions = 6;

struct TradeBody {
  Price price;
  std::uint64_t size;         // shares or contracts
  std::uint64_t sequence;     // feed sequence number, 0 when absent
  std::uint16_t exchange;     // venue id as the feed numbers it (OPRA's run above 255)
  std::uint8_t condition_count;  // codes in the feed's list, up to 255; the first kTradeConditions are kept
  std::uint8_t pad_;
  std::uint16_t conditions[kTradeConditions];  // condition codes, in list order
};

struct QuoteBody {
  Price bid;                  // Price::invalid() when that side is empty
  Price ask;
  std::uint32_t bid_size;
  std::uint32_t ask_size;
  std::uint16_t bid_exchange; // venue ids as the feed numbers them (OPRA's run above 255)
  std::uint16_t ask_exchange;
  std::uint8_t pad_[4];
  std::uint64_t sequence;
};

struct BarBody {              // header.exchange_ns is the bar start; end = start + interval
  Price open;
  Price high;
  Price low;
  Price close;
  std::uint64_t volume;
};

struct IndexValueBody {
  Price value;
};

enum class StatusCode : std::uint8_t {
  kConnected = 1,
  kAuthSuccess,
  kAuthFailed,
  kAuthTimeout,
  kMaxConnections,
  kSubscribed,
  kError,
  kDisconnected,
  kStale,
  kUnknown,
};

struct StatusBody {
  StatusCode code;
  char message[39];           // NUL-terminated, truncated sample of the feed's text
};

struct EventHeader {
  EventKind kind;
  StreamId stream;
  std::uint8_t flags;         // kind-specific, e.g. BarInterval for bars
  std::uint8_t pad_;
  InstrumentId instrument;
  TimestampNs exchange_ns;    // market time stamped by the venue/feed
  TimestampNs receive_ns;     // local receive time of the frame carrying this event
};

struct MarketEvent {
  EventHeader header;
  union {
    TradeBody trade;
    QuoteBody quote;
    BarBody bar;
    IndexValueBody index;
    StatusBody status;
  };

  [[nodiscard]] EventKind kind() const noexcept { return header.kind; }

  [[nodiscard]] static MarketEvent make_trade(InstrumentId id, StreamId stream, TimestampNs exch,
                                              TimestampNs recv, Price price,
                                              std::uint64_t size) noexcept {
    MarketEvent e = blank(EventKind::kTrade, id, stream, exch, recv);
    e.trade.price = price;
    e.trade.size = size;
    return e;
  }
  [[nodiscard]] static MarketEvent make_quote(InstrumentId id, StreamId stream, TimestampNs exch,
                                              TimestampNs recv, Price bid, std::uint32_t bid_size,
                                              Price ask, std::uint32_t ask_size) noexcept {
    MarketEvent e = blank(EventKind::kQuote, id, stream, exch, recv);
    e.quote.bid = bid;
    e.quote.ask = ask;
    e.quote.bid_size = bid_size;
    e.quote.ask_size = ask_size;
    return e;
  }
  [[nodiscard]] static MarketEvent make_bar(InstrumentId id, StreamId stream, BarInterval interval,
                                            TimestampNs start, TimestampNs recv, Price open,
                                            Price high, Price low, Price close,
                                            std::uint64_t volume) noexcept {
    MarketEvent e = blank(EventKind::kBar, id, stream, start, recv);
    e.header.flags = static_cast<std::uint8_t>(interval);
    e.bar = BarBody{open, high, low, close, volume};
    return e;
  }
  [[nodiscard]] static MarketEvent make_index(InstrumentId id, StreamId stream, TimestampNs exch,
                                              TimestampNs recv, Price value) noexcept {
    MarketEvent e = blank(EventKind::kIndexValue, id, stream, exch, recv);
    e.index.value = value;
    return e;
  }
  [[nodiscard]] static MarketEvent make_status(StreamId stream, TimestampNs recv, StatusCode code,
                                               std::string_view message) noexcept {
    MarketEvent e = blank(EventKind::kStatus, kNoInstrument, stream, recv, recv);
    e.status.code = code;
    const std::size_t n =
        message.size() < sizeof(e.status.message) - 1 ? message.size() : sizeof(e.status.message) - 1;
    std::memcpy(e.status.message, message.data(), n);
    return e;
  }

  [[nodiscard]] BarInterval bar_interval() const noexcept {
    return static_cast<BarInterval>(header.flags);
  }

 private:
  [[nodiscard]] static MarketEvent blank(EventKind kind, InstrumentId id, StreamId stream,
                                         TimestampNs exch, TimestampNs recv) noexcept {
    MarketEvent e;
    std::memset(static_cast<void*>(&e), 0, sizeof e);  // deterministic bytes, padding included
    e.header.kind = kind;
    e.header.stream = stream;
    e.header.instrument = id;
    e.header.exchange_ns = exch;
    e.header.receive_ns = recv;
    return e;
  }
};

static_assert(sizeof(EventHeader) == 24);
static_assert(sizeof(TradeBody) == 40 && sizeof(QuoteBody) == 40, "bodies fill the line after the header");
static_assert(sizeof(MarketEvent) == 64, "one event per cache line");
static_assert(alignof(MarketEvent) == 8);
static_assert(std::is_trivially_copyable_v<MarketEvent>);
static_assert(std::is_standard_layout_v<MarketEvent>);

[[nodiscard]] std::string_view to_string(EventKind kind) noexcept;
[[nodiscard]] std::string_view to_string(StreamId stream) noexcept;
[[nodiscard]] std::string_view to_string(StatusCode code) noexcept;

}  // namespace odte
