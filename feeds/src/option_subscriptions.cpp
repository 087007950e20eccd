#include "odte/feeds/option_subscriptions.hpp"

#include <algorithm>
#include <utility>

namespace odte::feeds {
namespace {

using options::OccContract;

OptionSubsStatus fail(OptionSubsError e, std::string message) { return {e, std::move(message)}; }

bool valid_root(std::string_view r) noexcept {
  if (r.empty() || r.size() > 6) return false;
  return std::all_of(r.begin(), r.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

std::string entry_of(const OccContract& c) {
  char buf[options::kOccMaxText];
  const std::size_t n = options::format_occ(c, options::OccStyle::kMassive, buf, sizeof buf);
  if (n == 0) return {};
  std::string e = "Q.";
  e.append(buf, n);
  return e;
}

Price::Rep distance(Price a, Price b) noexcept {
  return a >= b ? a.ticks() - b.ticks() : b.ticks() - a.ticks();
}

// Index of the listed strike nearest `price` (ties: the lower). Precondition: strikes not empty.
std::size_t atm_index(const std::vector<OptionSubscriptionManager::Strike>& strikes, Price price) {
  const auto it = std::lower_bound(strikes.begin(), strikes.end(), price,
                                   [](const auto& s, Price p) { return s.strike < p; });
  if (it == strikes.end()) return strikes.size() - 1;
  const auto hi = static_cast<std::size_t>(it - strikes.begin());
  if (hi == 0) return 0;
  return distance(strikes[hi - 1].strike, price) <= distance(strikes[hi].strike, price) ? hi - 1 : hi;
}

using Root = OptionSubscriptionManager::Root;
constexpr std::uint8_t kCall = OptionSubscriptionManager::kCallBit;
constexpr std::uint8_t kPut = OptionSubscriptionManager::kPutBit;

// The contracts listed at strike k, as bits.
std::uint8_t listed_bits(const Root& r, std::size_t k) noexcept {
  return static_cast<std::uint8_t>((r.strikes[k].call.empty() ? 0 : kCall) | (r.strikes[k].put.empty() ? 0 : kPut));
}
std::size_t bit_count(std::uint8_t b) noexcept { return ((b & kCall) != 0 ? 1u : 0u) + ((b & kPut) != 0 ? 1u : 0u); }

// Selects strikes nearest `price` first, whole strikes only, until the next nearest does not fit.
// Pinned contracts are paid for already (they take the budget first): a strike costs only its
// contracts that are not pinned.
void select(Root& r, Price price, std::size_t per_contract) {
  r.window.clear();
  r.price = price;
  const std::size_t atm = atm_index(r.strikes, price);
  r.centre = atm;
  r.centred = true;
  const std::size_t budget = r.budget - std::min(r.budget, r.pinned_contracts * per_contract);
  const auto cost = [&](std::size_t k) {
    return bit_count(static_cast<std::uint8_t>(listed_bits(r, k) & ~r.pinned[k])) * per_contract;
  };
  std::size_t used = cost(atm);
  if (used > budget) {
    r.lo = r.hi = atm;
    return;
  }
  r.window.push_back(atm);
  std::size_t lo = atm, hi = atm + 1;
  while (lo > 0 || hi < r.strikes.size()) {
    std::size_t next = 0;
    if (lo == 0) {
      next = hi;
    } else if (hi == r.strikes.size()) {
      next = lo - 1;
    } else {
      next = distance(r.strikes[lo - 1].strike, price) <= distance(r.strikes[hi].strike, price) ? lo - 1
                                                                                                  : hi;
    }
    const std::size_t n = cost(next);
    if (used + n > budget) break;
    used += n;
    r.window.push_back(next);
    if (next < lo) {
      lo = next;
    } else {
      hi = next + 1;
    }
  }
  r.lo = lo;
  r.hi = hi;
}

// The entries of the strike's contracts in `bits`: each contract's quotes, then (with trades) its
// trades; call before put.
void append_bits(const OptionSubscriptionManager::Strike& s, std::uint8_t bits, bool trades,
                 std::vector<std::string>& out) {
  for (const auto& [e, bit] : {std::pair{&s.call, kCall}, std::pair{&s.put, kPut}}) {
    if (e->empty() || (bits & bit) == 0) continue;
    out.push_back(*e);
    if (trades) out.push_back("T." + e->substr(2));  // "Q.O:..." -> "T.O:..."
  }
}

}  // namespace

std::string_view to_string(OptionSubsError e) noexcept {
  switch (e) {
    case OptionSubsError::kOk: return "ok";
    case OptionSubsError::kCapZero: return "cap_zero";
    case OptionSubsError::kNoRoots: return "no_roots";
    case OptionSubsError::kBadRoot: return "bad_root";
    case OptionSubsError::kNoContracts: return "no_contracts";
    case OptionSubsError::kBadSymbol: return "bad_symbol";
    case OptionSubsError::kUnknownRoot: return "unknown_root";
    case OptionSubsError::kRootWithoutContracts: return "root_without_contracts";
    case OptionSubsError::kWrongExpiry: return "wrong_expiry";
    case OptionSubsError::kUnknownUnderlying: return "unknown_underlying";
    case OptionSubsError::kBadPrice: return "bad_price";
    case OptionSubsError::kNotLoaded: return "not_loaded";
  }
  return "unknown";
}

std::string join_params(std::span<const std::string> entries) {
  std::string out;
  for (const auto& e : entries) {
    if (!out.empty()) out += ',';
    out += e;
  }
  return out;
}

OptionSubsStatus OptionSubscriptionManager::load(const OptionSubscriptionConfig& config,
                                                 std::span<const std::string> tickers) {
  std::vector<OccContract> contracts;
  contracts.reserve(tickers.size());
  for (const auto& t : tickers) {
    const auto p = options::parse_occ(t);
    if (!p.ok()) {
      roots_.clear();
      return fail(OptionSubsError::kBadSymbol,
                  "option contract '" + t + "' is not an OCC symbol: " + std::string(options::describe(p.error)));
    }
    contracts.push_back(p.contract);
  }
  return load(config, contracts);
}

OptionSubsStatus OptionSubscriptionManager::load(const OptionSubscriptionConfig& config,
                                                 std::span<const OccContract> contracts) {
  roots_.clear();
  cap_ = 0;
  if (config.cap == 0) return fail(OptionSubsError::kCapZero, "option subscription cap is 0");
  if (config.roots.empty()) return fail(OptionSubsError::kNoRoots, "no option root configured");
  if (contracts.empty()) return fail(OptionSubsError::kNoContracts, "the option contract list is empty");

  std::vector<Root> roots;
  for (const auto& rc : config.roots) {
    if (!valid_root(rc.root)) {
      return fail(OptionSubsError::kBadRoot, "option root '" + rc.root + "' is not 1-6 of A-Z, 0-9");
    }
    for (const auto& r : roots) {
      if (r.root == rc.root) return fail(OptionSubsError::kBadRoot, "option root '" + rc.root + "' configured twice");
    }
    Root r;
    r.root = rc.root;
    r.underlying = rc.underlying.empty() ? std::string(options::root_info(rc.root).underlying) : rc.underlying;
    if (r.underlying.empty()) {
      return fail(OptionSubsError::kBadRoot,
                  "option root '" + rc.root + "' has no known underlying; set it in the config");
    }
    roots.push_back(std::move(r));
  }

  // Sorted by (root index, strike, right) so strikes group and duplicates sit side by side.
  struct Item {
    std::size_t root;
    OccContract c;
  };
  std::vector<Item> items;
  items.reserve(contracts.size());
  std::int32_t expiry = config.expiry_yyyymmdd;
  for (const auto& c : contracts) {
    const auto it = std::find_if(roots.begin(), roots.end(), [&](const Root& r) { return r.root == c.root_view(); });
    const std::string e = entry_of(c);
    if (e.empty()) return fail(OptionSubsError::kBadSymbol, "option contract of root '" + std::string(c.root_view()) + "' cannot be written as an OCC symbol");
    if (it == roots.end()) {
      return fail(OptionSubsError::kUnknownRoot, "option contract " + e.substr(2) + " has a root that is not configured");
    }
    if (expiry == 0) expiry = c.expiry_yyyymmdd;
    if (c.expiry_yyyymmdd != expiry) {
      return fail(OptionSubsError::kWrongExpiry, "option contract " + e.substr(2) + " does not expire on " +
                                                     std::to_string(expiry) + " like the others");
    }
    items.push_back({static_cast<std::size_t>(it - roots.begin()), c});
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    if (a.root != b.root) return a.root < b.root;
    if (a.c.strike != b.c.strike) return a.c.strike < b.c.strike;
    return a.c.right < b.c.right;  // 'C' before 'P'
  });
  for (const auto& item : items) {
    Root& r = roots[item.root];
    if (r.strikes.empty() || r.strikes.back().strike != item.c.strike) r.strikes.push_back({item.c.strike, {}, {}});
    std::string& slot = item.c.right == OptionRight::kCall ? r.strikes.back().call : r.strikes.back().put;
    if (slot.empty()) {
      slot = entry_of(item.c);
      ++r.contracts;
    }
  }
  for (const auto& r : roots) {
    if (r.contracts == 0) {
      return fail(OptionSubsError::kRootWithoutContracts, "option root '" + r.root + "' has no contract in the list");
    }
  }

  // Budgets (in slots): equal shares, a small chain gives back what it does not need, remainder
  // in order.
  const std::size_t per = config.trades ? 2 : 1;
  std::vector<bool> settled(roots.size(), false);
  std::size_t remaining = config.cap;
  std::size_t active = roots.size();
  for (bool changed = true; changed && active > 0;) {
    changed = false;
    const std::size_t share = remaining / active;
    for (std::size_t i = 0; i < roots.size(); ++i) {
      if (settled[i] || roots[i].contracts * per > share) continue;
      roots[i].budget = roots[i].contracts * per;
      remaining -= roots[i].contracts * per;
      settled[i] = true;
      --active;
      changed = true;
    }
  }
  if (active > 0) {
    const std::size_t share = remaining / active;
    std::size_t extra = remaining - share * active;
    for (std::size_t i = 0; i < roots.size(); ++i) {
      if (settled[i]) continue;
      roots[i].budget = share + (extra > 0 ? 1 : 0);
      if (extra > 0) --extra;
    }
  }

  for (Root& r : roots) {
    r.pinned.assign(r.strikes.size(), 0);
    r.on.assign(r.strikes.size(), 0);
  }
  roots_ = std::move(roots);
  expiry_ = expiry;
  cap_ = config.cap;
  per_contract_ = per;
  recentre_strikes_ = std::max<std::uint32_t>(config.recentre_strikes, 1);
  return {};
}

OptionSubsStatus OptionSubscriptionManager::update_index(std::size_t i, Price price, OptionSubscriptionDiff& out) {
  Root& r = roots_[i];
  if (r.centred) {
    const std::size_t atm = atm_index(r.strikes, price);
    const std::size_t moved = atm > r.centre ? atm - r.centre : r.centre - atm;
    if (moved < recentre_strikes_) return {};
  }
  select(r, price, per_contract_);
  ++out.recentred;
  sync(i, out);
  return {};
}

void OptionSubscriptionManager::sync(std::size_t i, OptionSubscriptionDiff& out) {
  Root& r = roots_[i];
  const bool trades = per_contract_ == 2;
  std::vector<std::uint8_t> want(r.pinned);
  for (const std::size_t k : r.window) want[k] = static_cast<std::uint8_t>(want[k] | listed_bits(r, k));
  for (std::size_t k = 0; k < r.strikes.size(); ++k) {
    append_bits(r.strikes[k], static_cast<std::uint8_t>(r.on[k] & ~want[k]), trades, out.unsubscribe);
  }
  for (std::size_t k = 0; k < r.strikes.size(); ++k) {
    append_bits(r.strikes[k], static_cast<std::uint8_t>(r.pinned[k] & ~r.on[k]), trades, out.subscribe);
  }
  for (const std::size_t k : r.window) {
    append_bits(r.strikes[k], static_cast<std::uint8_t>(listed_bits(r, k) & ~r.on[k] & ~r.pinned[k]), trades,
                out.subscribe);
  }
  r.on = std::move(want);
}

OptionPinResult OptionSubscriptionManager::set_pins(std::span<const std::string> tickers, OptionSubscriptionDiff& out) {
  OptionPinResult res;
  struct Want {
    std::size_t root;
    std::size_t strike;
    std::uint8_t bit;
  };
  std::vector<Want> wants;
  for (const std::string& t : tickers) {
    if (roots_.empty()) {
      res.refused.push_back(t + ": option subscriptions are not loaded");
      continue;
    }
    const auto p = options::parse_occ(t);
    if (!p.ok()) {
      res.refused.push_back(t + ": not an OCC symbol (" + std::string(options::describe(p.error)) + ")");
      continue;
    }
    const OccContract& c = p.contract;
    const auto it = std::find_if(roots_.begin(), roots_.end(), [&](const Root& r) { return r.root == c.root_view(); });
    if (it == roots_.end()) {
      res.refused.push_back(t + ": its root " + std::string(c.root_view()) + " is not subscribed (feed.underlyings)");
      continue;
    }
    if (c.expiry_yyyymmdd != expiry_) {
      res.refused.push_back(t + ": expires on " + std::to_string(c.expiry_yyyymmdd) + ", the subscriptions are for " +
                            std::to_string(expiry_));
      continue;
    }
    const auto k = std::lower_bound(it->strikes.begin(), it->strikes.end(), c.strike,
                                    [](const Strike& s, Price v) { return s.strike < v; });
    const std::uint8_t bit = c.right == OptionRight::kCall ? kCall : kPut;
    if (k == it->strikes.end() || k->strike != c.strike ||
        (bit == kCall ? k->call.empty() : k->put.empty())) {
      res.refused.push_back(t + ": not among today's listed contracts");
      continue;
    }
    wants.push_back({static_cast<std::size_t>(it - roots_.begin()), static_cast<std::size_t>(k - it->strikes.begin()), bit});
  }
  std::sort(wants.begin(), wants.end(), [](const Want& a, const Want& b) {
    if (a.root != b.root) return a.root < b.root;
    if (a.strike != b.strike) return a.strike < b.strike;
    return a.bit < b.bit;
  });
  std::vector<std::vector<std::uint8_t>> pins(roots_.size());
  std::vector<std::size_t> counts(roots_.size(), 0);
  for (std::size_t i = 0; i < roots_.size(); ++i) pins[i].assign(roots_[i].strikes.size(), 0);
  for (const Want& w : wants) {
    std::uint8_t& bits = pins[w.root][w.strike];
    if ((bits & w.bit) != 0) continue;  // a duplicate
    const Root& r = roots_[w.root];
    if ((counts[w.root] + 1) * per_contract_ > r.budget) {
      const Strike& s = r.strikes[w.strike];
      res.refused.push_back((w.bit == kCall ? s.call : s.put).substr(2) + ": over the " + std::to_string(r.budget) +
                            " subscription slots of " + r.root + " (feed.max_option_contracts)");
      continue;
    }
    bits = static_cast<std::uint8_t>(bits | w.bit);
    ++counts[w.root];
  }
  for (std::size_t i = 0; i < roots_.size(); ++i) {
    Root& r = roots_[i];
    for (std::size_t k = 0; k < r.strikes.size(); ++k) {
      res.added += bit_count(static_cast<std::uint8_t>(pins[i][k] & ~r.pinned[k]));
      res.removed += bit_count(static_cast<std::uint8_t>(r.pinned[k] & ~pins[i][k]));
    }
    r.pinned = std::move(pins[i]);
    r.pinned_contracts = counts[i];
    res.pinned += counts[i];
    // The window is re-fitted around the last price to what the pins leave of the budget.
    if (r.centred) select(r, r.price, per_contract_);
    sync(i, out);
  }
  return res;
}

std::size_t OptionSubscriptionManager::pinned() const noexcept {
  std::size_t n = 0;
  for (const Root& r : roots_) n += r.pinned_contracts;
  return n;
}

OptionSubsStatus OptionSubscriptionManager::update_root(std::string_view root, Price price,
                                                        OptionSubscriptionDiff& out) {
  if (roots_.empty()) return fail(OptionSubsError::kNotLoaded, "option subscriptions updated before load");
  if (!price.valid() || price <= Price::zero()) {
    return fail(OptionSubsError::kBadPrice, "option root '" + std::string(root) + "': underlying price is not positive");
  }
  for (std::size_t i = 0; i < roots_.size(); ++i) {
    if (roots_[i].root == root) return update_index(i, price, out);
  }
  return fail(OptionSubsError::kUnknownRoot, "option root '" + std::string(root) + "' is not configured");
}

OptionSubsStatus OptionSubscriptionManager::update_underlying(std::string_view underlying, Price price,
                                                              OptionSubscriptionDiff& out) {
  if (roots_.empty()) return fail(OptionSubsError::kNotLoaded, "option subscriptions updated before load");
  if (!price.valid() || price <= Price::zero()) {
    return fail(OptionSubsError::kBadPrice, "underlying '" + std::string(underlying) + "': price is not positive");
  }
  bool any = false;
  for (std::size_t i = 0; i < roots_.size(); ++i) {
    if (roots_[i].underlying != underlying) continue;
    any = true;
    auto st = update_index(i, price, out);
    if (!st.ok()) return st;
  }
  if (!any) {
    return fail(OptionSubsError::kUnknownUnderlying, "no option root follows underlying '" + std::string(underlying) + "'");
  }
  return {};
}

std::vector<std::string> OptionSubscriptionManager::entries() const {
  std::vector<std::string> out;
  out.reserve(size());
  const bool trades = per_contract_ == 2;
  for (const auto& r : roots_) {
    for (std::size_t k = 0; k < r.strikes.size(); ++k) {
      if (r.window.empty() || k < r.lo || k >= r.hi) append_bits(r.strikes[k], r.pinned[k], trades, out);
    }
    for (const std::size_t k : r.window) append_bits(r.strikes[k], listed_bits(r, k), trades, out);
  }
  return out;
}

std::size_t OptionSubscriptionManager::size() const noexcept {
  std::size_t n = 0;
  for (const auto& r : roots_) {
    for (const std::uint8_t b : r.on) n += bit_count(b) * per_contract_;
  }
  return n;
}

Price OptionSubscriptionManager::centre_strike(std::size_t i) const noexcept {
  const Root& r = roots_[i];
  return r.centred ? r.strikes[r.centre].strike : Price::invalid();
}

}  // namespace odte::feeds
