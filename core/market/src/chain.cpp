#include "odte/core/market/chain.hpp"

#include <algorithm>
#include <cstring>

namespace odte {

OptionChain::OptionChain(std::string_view root, std::int32_t expiry_yyyymmdd) : expiry_{expiry_yyyymmdd} {
  std::memcpy(root_, root.data(), std::min(root.size(), sizeof root_ - 1));
}

bool OptionChain::refresh(const InstrumentRegistry& registry) {
  const std::size_t n = registry.size();
  if (n == seen_) return false;
  bool changed = false;
  for (std::size_t i = seen_; i < n; ++i) {
    const Instrument& inst = registry.get(static_cast<InstrumentId>(i));
    if (inst.duplicate_of != kNoInstrument || inst.info.asset != AssetClass::kOption) continue;
    const OptionFields& o = inst.info.option;
    if (o.expiry_yyyymmdd != expiry_ || std::strncmp(o.root, root_, sizeof root_) != 0) continue;
    auto it = std::lower_bound(strikes_.begin(), strikes_.end(), o.strike,
                               [](const Strike& s, Price k) { return s.strike < k; });
    if (it == strikes_.end() || it->strike != o.strike) it = strikes_.insert(it, Strike{o.strike});
    (o.right == OptionRight::kCall ? it->call : it->put) = inst.id;
    changed = true;
  }
  seen_ = n;
  return changed;
}

const OptionChain::Strike* OptionChain::nearest(Price price) const noexcept {
  if (strikes_.empty()) return nullptr;
  const auto it = std::lower_bound(strikes_.begin(), strikes_.end(), price,
                                   [](const Strike& s, Price k) { return s.strike < k; });
  if (it == strikes_.begin()) return &*it;
  if (it == strikes_.end()) return &strikes_.back();
  const auto below = std::prev(it);
  return (price - below->strike) <= (it->strike - price) ? &*below : &*it;
}

const OptionChain::Strike* OptionChain::at(Price strike) const noexcept {
  const auto it = std::lower_bound(strikes_.begin(), strikes_.end(), strike,
                                   [](const Strike& s, Price k) { return s.strike < k; });
  return it != strikes_.end() && it->strike == strike ? &*it : nullptr;
}

const OptionChain::Strike* OptionChain::call_at_or_above(Price price) const noexcept {
  auto it = std::lower_bound(strikes_.begin(), strikes_.end(), price,
                             [](const Strike& s, Price k) { return s.strike < k; });
  for (; it != strikes_.end(); ++it) {
    if (it->call != kNoInstrument) return &*it;
  }
  return nullptr;
}

const OptionChain::Strike* OptionChain::put_at_or_below(Price price) const noexcept {
  auto it = std::upper_bound(strikes_.begin(), strikes_.end(), price,
                             [](Price k, const Strike& s) { return k < s.strike; });
  while (it != strikes_.begin()) {
    --it;
    if (it->put != kNoInstrument) return &*it;
  }
  return nullptr;
}

}  // namespace odte
