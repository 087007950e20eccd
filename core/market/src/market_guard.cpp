#include "odte/core/market/market_guard.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace odte {

std::string_view to_string(BadTick kind) noexcept {
  switch (kind) {
    case BadTick::kAheadOfClock: return "ahead_of_clock";
    case BadTick::kOutsideDay: return "outside_day";
    case BadTick::kCrossed: return "crossed";
    case BadTick::kOptionBound: return "option_bound";
    case BadTick::kPriceBand: return "price_band";
    case BadTick::kCount: break;
  }
  return "unknown";
}

bool PriceBand::within(Price ref, Price p, bool option) const noexcept {
  const auto r = static_cast<double>(ref.ticks());
  const auto x = static_cast<double>(p.ticks());
  if (option) {
    const auto a = static_cast<double>(option_abs.ticks());
    return x <= r * option_multiple + a && x >= r / option_multiple - a;
  }
  return std::fabs(x - r) <= fraction * std::fabs(r);
}

MarketDataGuard::MarketDataGuard(const MarketGuardConfig& config, const InstrumentRegistry& registry,
                                 std::size_t capacity, TimestampNs day_start_ns, TimestampNs day_end_ns)
    : config_{config},
      band_{config.underlying_band, config.option_band_multiple, config.option_band_abs},
      registry_{registry},
      capacity_{capacity},
      slots_{std::make_unique<Slot[]>(capacity)},
      day_start_ns_{day_start_ns},
      day_end_ns_{day_end_ns} {
  for (std::size_t i = 0; i < capacity; ++i) slots_[i] = Slot{Price::invalid(), Price::invalid(), 0, 0};
  if (config_.reanchor_after == 0) config_.reanchor_after = 1;
  if (band_.option_multiple < 1.0) band_.option_multiple = 1.0;
}

std::uint64_t MarketDataGuard::rejected_total() const noexcept {
  std::uint64_t n = 0;
  for (const std::uint64_t c : counts_) n += c;
  return n;
}

bool MarketDataGuard::reject(const MarketEvent& e, BadTick kind, TimestampNs against, Price price,
                             Price reference) noexcept {
  const auto k = static_cast<std::size_t>(kind);
  ++counts_[k];
  const auto stream = static_cast<std::size_t>(e.header.stream);
  if (stream < by_stream_.size()) ++by_stream_[stream][k];
  // Sampled on the guard's own clock (accepted exchange time): deterministic, and a bad clock
  // cannot silence the log.
  if (!sampled_once_[k] || clock_ - last_sample_ns_[k] >= config_.sample_interval_ns) {
    sampled_once_[k] = true;
    last_sample_ns_[k] = clock_;
    samples_[k] = BadTickSample{kind, e.header.stream, e.header.instrument, e.header.exchange_ns,
                                against, price, reference, counts_[k]};
    fresh_[k] = true;
    fresh_any_ = true;
  }
  return false;
}

bool MarketDataGuard::judge_time(const MarketEvent& e) noexcept {
  const TimestampNs t = e.header.exchange_ns;
  if (t <= 0) return true;  // no exchange time: nothing to judge (the clock ignores it too)
  if (clock_ != 0) {
    // The feed clock runs on with the receive clock between events, so a feed that was silent
    // (a gap, a reconnect) is not mistaken for one that jumped; a fast replay, whose receive
    // clock lags, is carried by the latest accepted time.
    const TimestampNs ran = e.header.receive_ns > anchor_receive_ns_ ? e.header.receive_ns - anchor_receive_ns_ : 0;
    const TimestampNs feed_clock = std::max(clock_, anchor_exchange_ns_ + ran);
    if (t - feed_clock > config_.max_ahead_ns) {
      if (pending_clock_count_ != 0 && std::llabs(t - pending_clock_ns_) <= config_.max_ahead_ns) {
        ++pending_clock_count_;
      } else {
        pending_clock_ns_ = t;
        pending_clock_count_ = 1;
      }
      if (pending_clock_count_ < config_.reanchor_after) {
        return reject(e, BadTick::kAheadOfClock, feed_clock, Price::invalid(), Price::invalid());
      }
      ++reanchored_;  // every event for a while agrees on a later time: the feed moved on
    }
  }
  if (day_end_ns_ != 0 && (t > day_end_ns_ + config_.max_ahead_ns || t < day_start_ns_ - config_.max_ahead_ns)) {
    return reject(e, BadTick::kOutsideDay, t > day_end_ns_ ? day_end_ns_ : day_start_ns_, Price::invalid(),
                  Price::invalid());
  }
  return true;
}

BadTick MarketDataGuard::judge_price(const Instrument& inst, const Slot& s, Price p, Price& reference) const noexcept {
  const bool option = inst.info.asset == AssetClass::kOption;
  if (p < Price::zero()) {
    reference = s.ref;
    return BadTick::kPriceBand;
  }
  if (option) {
    // No-arbitrage ceilings, known even before the contract's first accepted price.
    const OptionFields& o = inst.info.option;
    if (o.right == OptionRight::kPut && o.strike.valid() && o.strike > Price::zero() &&
        p > o.strike + config_.option_band_abs) {
      reference = o.strike;
      return BadTick::kOptionBound;
    }
    if (o.right == OptionRight::kCall && o.underlying < capacity_) {
      const Price s_ref = slots_[o.underlying].ref;
      if (s_ref.valid() && p > s_ref + config_.option_band_abs) {
        reference = s_ref;
        return BadTick::kOptionBound;
      }
    }
  }
  if (s.ref.valid() && !band_.within(s.ref, p, option)) {
    reference = s.ref;
    return BadTick::kPriceBand;
  }
  return BadTick::kCount;
}

bool MarketDataGuard::completes_reanchor(Slot& s, Price level, bool option) noexcept {
  constexpr auto kBand = static_cast<std::uint8_t>(BadTick::kPriceBand);
  if (s.pending_count != 0 && s.pending_kind == kBand && s.pending.valid() && band_.within(s.pending, level, option)) {
    ++s.pending_count;
  } else {
    s.pending = level;
    s.pending_count = 1;
    s.pending_kind = kBand;
  }
  if (s.pending_count < config_.reanchor_after) return false;
  ++reanchored_;
  return true;
}

bool MarketDataGuard::admit(const MarketEvent& e) noexcept {
  if (!config_.enabled || e.kind() == EventKind::kStatus) return true;
  const InstrumentId id = e.header.instrument;
  if (id >= capacity_ || id >= registry_.size()) return true;  // MarketState refuses it
  if (!judge_time(e)) return false;

  // The prices the event carries, and the level it sets the reference to.
  Price prices[2] = {Price::invalid(), Price::invalid()};
  Price level = Price::invalid();
  switch (e.kind()) {
    case EventKind::kQuote: {
      const Price bid = e.quote.bid;
      const Price ask = e.quote.ask;
      if (bid.valid() && ask.valid() && bid - ask > config_.max_crossed) {
        return reject(e, BadTick::kCrossed, clock_, bid, ask);
      }
      // An empty side is often sent as 0: nothing to judge on it.
      if (bid.valid() && bid != Price::zero()) prices[0] = bid;
      if (ask.valid() && ask != Price::zero()) prices[1] = ask;
      if (prices[0].valid() && prices[1].valid()) {
        level = Price::from_ticks((bid.ticks() + ask.ticks()) / 2);
      } else {
        level = prices[0].valid() ? prices[0] : prices[1];
      }
      break;
    }
    case EventKind::kTrade:
      prices[0] = level = e.trade.price;
      break;
    case EventKind::kIndexValue:
      prices[0] = level = e.index.value;
      break;
    case EventKind::kBar:
      prices[0] = e.bar.high;
      prices[1] = e.bar.low;
      level = e.bar.close;
      break;
    case EventKind::kStatus:
      return true;
  }

  const Instrument& inst = registry_.get(id);
  Slot& s = slots_[id];
  for (const Price p : prices) {
    if (!p.valid()) continue;
    Price reference = Price::invalid();
    const BadTick kind = judge_price(inst, s, p, reference);
    if (kind == BadTick::kCount) continue;
    if (kind == BadTick::kPriceBand && level.valid() && p >= Price::zero() &&
        completes_reanchor(s, level, inst.info.asset == AssetClass::kOption)) {
      break;  // the market is there now: accepted, and it becomes the reference below
    }
    return reject(e, kind, clock_, p, reference);
  }

  if (level.valid() && level > Price::zero()) s.ref = level;
  s.pending_count = 0;
  pending_clock_count_ = 0;
  if (e.header.exchange_ns > clock_) {
    clock_ = anchor_exchange_ns_ = e.header.exchange_ns;
    anchor_receive_ns_ = e.header.receive_ns;
  }
  return true;
}

}  // namespace odte
