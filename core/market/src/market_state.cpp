#include "odte/core/market/market_state.hpp"

#include <cstring>

namespace odte {

MarketState::MarketState(std::size_t capacity)
    : capacity_{capacity}, states_{std::make_unique<InstrumentState[]>(capacity)} {
  for (std::size_t i = 0; i < capacity; ++i) {
    InstrumentState& s = states_[i];
    std::memset(static_cast<void*>(&s), 0, sizeof s);
    s.nbbo.bid = Price::invalid();
    s.nbbo.ask = Price::invalid();
    s.last = Price::invalid();
  }
}

bool MarketState::apply(const MarketEvent& e) noexcept {
  if (e.kind() == EventKind::kStatus) return true;
  const InstrumentId id = e.header.instrument;
  if (id >= capacity_) {
    ++rejected_;
    return false;
  }
  ++events_;
  if (e.header.exchange_ns > market_time_) market_time_ = e.header.exchange_ns;
  InstrumentState& s = states_[id];
  switch (e.kind()) {
    case EventKind::kQuote:
      s.nbbo = Nbbo{e.quote.bid, e.quote.ask, e.quote.bid_size, e.quote.ask_size, e.header.exchange_ns};
      s.quoted = true;
      break;
    case EventKind::kTrade:
      s.last = e.trade.price;
      s.last_ns = e.header.exchange_ns;
      s.day_volume += e.trade.size;
      break;
    case EventKind::kIndexValue:
      s.last = e.index.value;
      s.last_ns = e.header.exchange_ns;
      break;
    case EventKind::kBar:
      // An aggregate carries the close as the latest price when no finer data is seen.
      if (e.header.exchange_ns >= s.last_ns) {
        s.last = e.bar.close;
        s.last_ns = e.header.exchange_ns;
      }
      break;
    case EventKind::kStatus:
      break;
  }
  return true;
}

Price MarketState::reference_price(InstrumentId id) const noexcept {
  if (id >= capacity_) return Price::invalid();
  const InstrumentState& s = states_[id];
  if (s.quoted && s.nbbo.two_sided()) return s.nbbo.mid();
  return s.last;
}

int MinuteBars::track(InstrumentId id) noexcept {
  if (const int s = slot_of(id); s >= 0) return s;
  if (count_ == kMaxSeries) return -1;
  Series& ser = series_[count_];
  ser = Series{};
  ser.id = id;
  return static_cast<int>(count_++);
}

}  // namespace odte
