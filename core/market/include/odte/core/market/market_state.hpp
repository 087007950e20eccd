#pragma once

// What the core knows about the market: per-instrument NBBO, last trade or index value, day
// volume; 1-minute bars of the series the strategies watch (a chain's minute volume is
// ChainAnalytics::sample_volume, chain_analytics.hpp). Single-threaded (core thread); arrays indexed by InstrumentId
// sized once at start, so updates never allocate.

#include <array>
#include <cstdint>
#include <memory>

#include "odte/core/market/events.hpp"
#include "odte/core/market/instrument_registry.hpp"
#include "odte/core/market/nbbo.hpp"

namespace odte {

inline constexpr std::int64_t kNsPerMinute = 60'000'000'000LL;
[[nodiscard]] constexpr std::int64_t minute_of(TimestampNs t) noexcept {
  return t >= 0 ? t / kNsPerMinute : (t - kNsPerMinute + 1) / kNsPerMinute;
}

struct InstrumentState {
  Nbbo nbbo;
  Price last;                 // last trade price, or index value
  TimestampNs last_ns;        // exchange time of the last trade/value
  std::uint64_t day_volume;   // from trades
  bool quoted;
};

class MarketState {
 public:
  explicit MarketState(std::size_t capacity);

  // Applies one event. Returns false (and changes nothing) for an id outside the table.
  bool apply(const MarketEvent& e) noexcept;

  // MarketView: null until the instrument has been quoted.
  [[nodiscard]] const Nbbo* nbbo(InstrumentId id) const noexcept {
    return id < capacity_ && states_[id].quoted ? &states_[id].nbbo : nullptr;
  }
  [[nodiscard]] const InstrumentState* state(InstrumentId id) const noexcept {
    return id < capacity_ ? &states_[id] : nullptr;
  }
  // Best estimate of where an instrument trades: mid when two-sided, else last.
  [[nodiscard]] Price reference_price(InstrumentId id) const noexcept;
  // Latest exchange time seen on any event (replay: the recording's clock).
  [[nodiscard]] TimestampNs market_time() const noexcept { return market_time_; }
  [[nodiscard]] std::uint64_t events() const noexcept { return events_; }
  [[nodiscard]] std::uint64_t rejected() const noexcept { return rejected_; }

 private:
  std::size_t capacity_;
  std::unique_ptr<InstrumentState[]> states_;
  TimestampNs market_time_ = 0;
  std::uint64_t events_ = 0;
  std::uint64_t rejected_ = 0;
};

struct MinuteBar {
  InstrumentId instrument;
  std::uint32_t ticks;        // events folded into the bar (1 for an aggregate)
  TimestampNs start_ns;       // minute start, Unix ns
  Price open;
  Price high;
  Price low;
  Price close;
  std::uint64_t volume;
};

// Builds 1-minute bars for up to kMaxSeries instruments from trades and index values, or takes
// them from minute aggregates (AM) when the feed sends those: the first AM seen for a series makes
// aggregates its only source, so the two are never mixed. A bar is emitted once its minute is over
// (on the first later event, or on flush()).
class MinuteBars {
 public:
  static constexpr std::size_t kMaxSeries = 16;

  // Returns the series slot, or -1 when full.
  int track(InstrumentId id) noexcept;

  template <typename Emit>
  void on_event(const MarketEvent& e, Emit&& emit) noexcept {
    const int s = slot_of(e.header.instrument);
    if (s < 0) return;
    Series& ser = series_[static_cast<std::size_t>(s)];
    if (e.kind() == EventKind::kBar) {
      if (e.bar_interval() != BarInterval::kMinute) return;
      ser.from_aggregates = true;
      ser.open = false;
      emit(MinuteBar{ser.id, 1, e.header.exchange_ns, e.bar.open, e.bar.high, e.bar.low, e.bar.close, e.bar.volume});
      return;
    }
    if (ser.from_aggregates) return;
    Price px;
    std::uint64_t volume = 0;
    if (e.kind() == EventKind::kTrade) {
      px = e.trade.price;
      volume = e.trade.size;
    } else if (e.kind() == EventKind::kIndexValue) {
      px = e.index.value;
    } else {
      return;
    }
    const std::int64_t minute = minute_of(e.header.exchange_ns);
    if (ser.open && minute != ser.minute) {
      if (minute < ser.minute) return;  // late print for a bar already closed: ignored
      emit(ser.bar);
      ser.open = false;
    }
    if (!ser.open) {
      ser.open = true;
      ser.minute = minute;
      ser.bar = MinuteBar{ser.id, 0, minute * kNsPerMinute, px, px, px, px, 0};
    }
    ser.bar.high = px > ser.bar.high ? px : ser.bar.high;
    ser.bar.low = px < ser.bar.low ? px : ser.bar.low;
    ser.bar.close = px;
    ser.bar.volume += volume;
    ++ser.bar.ticks;
  }

  // Emits every open bar whose minute ended at or before `now` (timer, end of session).
  template <typename Emit>
  void flush(TimestampNs now, Emit&& emit) noexcept {
    for (std::size_t i = 0; i < count_; ++i) {
      Series& ser = series_[i];
      if (ser.open && (ser.minute + 1) * kNsPerMinute <= now) {
        emit(ser.bar);
        ser.open = false;
      }
    }
  }

 private:
  struct Series {
    InstrumentId id;
    bool open;
    bool from_aggregates;
    std::int64_t minute;
    MinuteBar bar;
  };
  [[nodiscard]] int slot_of(InstrumentId id) const noexcept {
    for (std::size_t i = 0; i < count_; ++i) {
      if (series_[i].id == id) return static_cast<int>(i);
    }
    return -1;
  }
  std::array<Series, kMaxSeries> series_{};
  std::size_t count_ = 0;
};

}  // namespace odte
