#pragma once

// MarketDataGuard: the sanity filter every market event passes before it reaches MarketState,
// the bars, the strategies or (through MarketState) a paper fill. It sits at the core's entry
// (Engine::on_market_event) because that is the one stage the live feed rings, the websocket
// replay and the in-process replay of a recording all pass, in the same order, on one thread; and
// because its rules need all streams at once (the feed clock runs across stocks, options and
// indices; an option is bounded by its underlying, which arrives on another stream).
//
// An event is rejected, counted by kind and sampled for the log when:
// - ahead_of_clock: its exchange time is more than max_ahead_ns past the feed clock (the latest
//   accepted exchange time, or the last accepted event's exchange time run on by how much its
//   receive time has advanced since, whichever is later);
// - outside_day: its exchange time is more than max_ahead_ns outside the trading day (local
//   midnight to midnight), which also judges the first event, before there is a clock;
// - crossed: a quote whose bid is above its ask by more than max_crossed;
// - option_bound: an option price above what the contract can be worth: a put above its strike, a
//   call above its underlying's last accepted price, each plus option_band_abs;
// - price_band: a price far from the instrument's last accepted price (a trade, a quote's mid, an
//   index value, a bar's close): stocks and indices beyond +-underlying_band of it; options beyond
//   [ref / option_band_multiple - option_band_abs, ref * option_band_multiple + option_band_abs]
//   (0DTE options legitimately move several-fold in a day, so the band is wide and has a dollar
//   floor for cheap contracts).
// A level the market really moved to is adopted after `reanchor_after` consecutive rejections of
// the same kind that agree with each other (a feed gap seen only in exchange time, a gap in an
// index): no single bad tick can move a reference, and a real move is not refused forever.
//
// Contract: one thread (the core). admit() neither allocates, locks nor makes a system call: the
// per-instrument state is an array sized once at construction. Deterministic: the same events in
// the same order give the same decisions. Samples (at most one per kind per sample_interval_ns of
// exchange time) wait in fixed slots until the run loop drains them into the log.

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "odte/core/market/events.hpp"
#include "odte/core/market/instrument_registry.hpp"

namespace odte {

enum class BadTick : std::uint8_t { kAheadOfClock = 0, kOutsideDay, kCrossed, kOptionBound, kPriceBand, kCount };
inline constexpr std::size_t kBadTickKinds = static_cast<std::size_t>(BadTick::kCount);
[[nodiscard]] std::string_view to_string(BadTick kind) noexcept;

struct MarketGuardConfig {
  bool enabled = true;
  std::int64_t max_ahead_ns = 900'000'000'000;   // 15 minutes
  // Stocks and indices: +-25% of the last accepted price. Wide enough for VIX jumping 20% in a
  // minute; a decimal slip (10x) or garbage is far outside.
  double underlying_band = 0.25;
  double option_band_multiple = 5.0;             // options: up to 5x (or down to 1/5) of the last accepted price...
  Price option_band_abs = Price::from_dollars(1);  // ...plus or minus $1
  Price max_crossed = Price::from_cents(5);      // a quote may be crossed by this much (venues' NBBO races)
  std::uint32_t reanchor_after = 8;
  std::int64_t sample_interval_ns = 1'000'000'000;
};

// A price band as the guard and the paper broker apply it: `p` is plausible next to `ref`.
// Options: ref / multiple - abs <= p <= ref * multiple + abs. Others: |p - ref| <= fraction * ref.
struct PriceBand {
  double fraction = 0.10;
  double option_multiple = 5.0;
  Price option_abs = Price::from_dollars(1);
  [[nodiscard]] bool within(Price ref, Price p, bool option) const noexcept;
};

struct BadTickSample {
  BadTick kind = BadTick::kAheadOfClock;
  StreamId stream = StreamId::kStocks;
  InstrumentId instrument = kNoInstrument;
  TimestampNs exchange_ns = 0;
  TimestampNs clock_ns = 0;       // the feed clock (or day bound) it was judged against
  Price price = Price::invalid(); // the offending price (bid for a crossed quote)
  Price reference = Price::invalid();  // what it was judged against (ask for a crossed quote)
  std::uint64_t count_at_sample = 0;
};

class MarketDataGuard {
 public:
  // `capacity`: instrument ids the guard tracks (the registry's capacity); events for ids beyond it
  // pass untouched (MarketState refuses them). The registry gives an option's strike, right and
  // underlying. `day_start_ns`/`day_end_ns`: the trading day in Unix ns (0, 0 = unknown: no day check).
  MarketDataGuard(const MarketGuardConfig& config, const InstrumentRegistry& registry, std::size_t capacity,
                  TimestampNs day_start_ns, TimestampNs day_end_ns);

  // True when the event may be applied; false when it is rejected (counted, maybe sampled).
  [[nodiscard]] bool admit(const MarketEvent& e) noexcept;

  [[nodiscard]] std::uint64_t rejected(BadTick kind) const noexcept { return counts_[static_cast<std::size_t>(kind)]; }
  [[nodiscard]] std::uint64_t rejected(StreamId stream, BadTick kind) const noexcept {
    const auto s = static_cast<std::size_t>(stream);
    return s < by_stream_.size() ? by_stream_[s][static_cast<std::size_t>(kind)] : 0;
  }
  [[nodiscard]] std::uint64_t rejected_total() const noexcept;
  [[nodiscard]] std::uint64_t reanchored() const noexcept { return reanchored_; }
  // The feed clock: the latest accepted exchange time (0 before the first accepted event).
  [[nodiscard]] TimestampNs clock() const noexcept { return clock_; }
  [[nodiscard]] const MarketGuardConfig& config() const noexcept { return config_; }

  // Hands each sample taken since the last drain to fn(const BadTickSample&). Cheap when none.
  template <typename Fn>
  void drain_samples(Fn&& fn) {
    if (!fresh_any_) return;
    fresh_any_ = false;
    for (std::size_t k = 0; k < kBadTickKinds; ++k) {
      if (fresh_[k]) {
        fresh_[k] = false;
        fn(samples_[k]);
      }
    }
  }

 private:
  struct Slot {
    Price ref;            // last accepted price; invalid until the first
    Price pending;        // level of the run of rejections that may re-anchor `ref`
    std::uint32_t pending_count;
    std::uint8_t pending_kind;
  };
  // Counts and samples a rejection; returns false.
  bool reject(const MarketEvent& e, BadTick kind, TimestampNs against, Price price, Price reference) noexcept;
  // The time rules; false when the event is rejected.
  bool judge_time(const MarketEvent& e) noexcept;
  // The price rules for one price of an event: BadTick::kCount when it passes, else the kind, with
  // the price it was judged against in `reference`.
  [[nodiscard]] BadTick judge_price(const Instrument& inst, const Slot& s, Price p, Price& reference) const noexcept;
  // Whether a price_band rejection at `level` completes a run that re-anchors the reference.
  bool completes_reanchor(Slot& s, Price level, bool option) noexcept;

  MarketGuardConfig config_;
  PriceBand band_;
  const InstrumentRegistry& registry_;
  std::size_t capacity_;
  std::unique_ptr<Slot[]> slots_;
  TimestampNs day_start_ns_;
  TimestampNs day_end_ns_;
  TimestampNs clock_ = 0;
  TimestampNs anchor_exchange_ns_ = 0;   // the event that last advanced the clock...
  TimestampNs anchor_receive_ns_ = 0;    // ...and when it arrived
  TimestampNs pending_clock_ns_ = 0;     // a run of ahead_of_clock rejections that may re-anchor it
  std::uint32_t pending_clock_count_ = 0;
  std::array<std::uint64_t, kBadTickKinds> counts_{};
  std::array<std::array<std::uint64_t, kBadTickKinds>, kStreamCount> by_stream_{};
  std::uint64_t reanchored_ = 0;
  std::array<BadTickSample, kBadTickKinds> samples_{};
  std::array<bool, kBadTickKinds> fresh_{};
  std::array<bool, kBadTickKinds> sampled_once_{};
  std::array<TimestampNs, kBadTickKinds> last_sample_ns_{};
  bool fresh_any_ = false;
};

}  // namespace odte
