#pragma once

// Options quote subscriptions under Massive's cap of 1,000 contracts per connection: picks the
// strikes of today's expiry nearest the money for each configured root and re-centres them as the
// underlying moves, as diffs (unsubscribe, then subscribe) that never take the connection over the
// cap.
//
// Rules (docs/feeds-network.md, "Options subscription manager"):
// - Entries are "Q.O:<OCC compact>" ("Q.O:SPXW260720C05600000").
// - Sharing the cap between roots (fixed at load(), independent of prices): each root gets an
//   equal share (cap / roots); a root whose whole chain is smaller than its share takes just its
//   chain and the slots it leaves are shared equally among the others again, until stable; the
//   remainder of the division goes one slot each to roots in configuration order.
// - Within a root's budget, strikes are taken nearest the money first (ties: the lower strike),
//   a strike's call and put together; the first strike that does not fit whole ends the window.
//   The window is always a contiguous run of the root's listed strikes.
// - Hysteresis: a root is re-centred only when its at-the-money strike (nearest listed strike to
//   the price) is at least `recentre_strikes` listed strikes away from the one it was last centred
//   on. The first price of a root always centres it.
// - Determinism: the same contracts (in any order, duplicates ignored), config and prices give the
//   same entries in the same order.
// - Trades (`trades`): each contract in the window is also subscribed to its trades, "T.O:<OCC>"
//   right after its "Q.O:<OCC>", for the option volume strategies read (chain volume, the volume
//   exit). Both count against the cap -- a contract then takes two slots -- so at the cap the
//   window covers half as many strikes: the trades never push quotes out of the cap, they narrow
//   the window around the money.
// - Pins (`set_pins`): contracts that must stay quoted whatever the price does -- every leg of an
//   open position or a working order (the daemon pins them, so marks, exits and stops never go
//   blind when the underlying moves away). Pins count against their root's budget first; the
//   window fills the rest (a pinned contract inside the window costs it nothing more). Pins beyond
//   the budget, of a root not configured, or of a contract not listed are refused, each with a
//   line saying why (ascending strike order decides which fit). Unpinned contracts outside the
//   window are unsubscribed; the window then widens again around the last price.
//
// Cold path (start-up, then at most about once a second): allocates freely. Not thread-safe; the
// owner (the core side) calls it from one thread and hands the diff to WsClient::subscribe() /
// unsubscribe(), which are thread-safe.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "odte/core/options/symbology.hpp"
#include "odte/core/base/price.hpp"

namespace odte::feeds {

inline constexpr std::size_t kMassiveOptionQuoteCap = 1000;

struct OptionRootConfig {
  std::string root;        // OCC root: "SPXW", "SPY"
  std::string underlying;  // feed symbol of its price: "I:SPX", "SPY"; empty = options::root_info
};

struct OptionSubscriptionConfig {
  std::vector<OptionRootConfig> roots;
  std::size_t cap = kMassiveOptionQuoteCap;  // contracts per connection, all roots together
  std::uint32_t recentre_strikes = 2;        // hysteresis in listed strikes; 0 behaves as 1
  std::int32_t expiry_yyyymmdd = 0;          // contracts must expire on it; 0 = all on one date
  bool trades = false;                       // also each contract's trades ("T.O:"), two slots per contract
};

enum class OptionSubsError : std::uint8_t {
  kOk = 0,
  kCapZero,             // cap is 0
  kNoRoots,             // no root configured
  kBadRoot,             // configured root empty, not 1-6 of A-Z/0-9, duplicated, or no underlying
  kNoContracts,         // empty contract list
  kBadSymbol,           // a ticker that is not an OCC symbol
  kUnknownRoot,         // a contract (or an update) for a root that is not configured
  kRootWithoutContracts,  // a configured root with no contract in the list
  kWrongExpiry,         // a contract expiring on another date than the others / the configured one
  kUnknownUnderlying,   // an update for an underlying no root follows
  kBadPrice,            // an update with an invalid or non-positive price
  kNotLoaded,           // update before a successful load()
};

[[nodiscard]] std::string_view to_string(OptionSubsError e) noexcept;

struct OptionSubsStatus {
  OptionSubsError error = OptionSubsError::kOk;
  std::string message;  // one line for the operator, naming the offending item
  [[nodiscard]] bool ok() const noexcept { return error == OptionSubsError::kOk; }
};

// What to send after an update: first unsubscribe (if not empty), then subscribe. Applying them in
// that order keeps the connection at or below the cap throughout.
struct OptionSubscriptionDiff {
  std::vector<std::string> unsubscribe;  // ascending strike, call before put, roots in config order
  std::vector<std::string> subscribe;    // nearest the new centre first, roots in config order
  std::size_t recentred = 0;             // roots re-centred by this update

  [[nodiscard]] bool empty() const noexcept { return unsubscribe.empty() && subscribe.empty(); }
  void clear() noexcept {
    unsubscribe.clear();
    subscribe.clear();
    recentred = 0;
  }
};

// What set_pins did.
struct OptionPinResult {
  std::size_t pinned = 0;             // contracts pinned now (all roots)
  std::size_t added = 0;              // newly pinned by this call
  std::size_t removed = 0;            // no longer pinned
  std::vector<std::string> refused;   // one line each: the contract and why it is not pinned
};

// The entries joined with ',' (the params of one subscribe/unsubscribe message).
[[nodiscard]] std::string join_params(std::span<const std::string> entries);

class OptionSubscriptionManager {
 public:
  OptionSubscriptionManager() = default;

  // Validates the config and the contract list and computes the per-root budgets. Nothing is
  // subscribed until a root gets its first price. On error the manager is left empty.
  OptionSubsStatus load(const OptionSubscriptionConfig& config,
                        std::span<const options::OccContract> contracts);
  // The same from tickers in any OCC spelling ("O:SPXW260720C05600000", as the REST client's
  // OptionContract::ticker).
  OptionSubsStatus load(const OptionSubscriptionConfig& config, std::span<const std::string> tickers);

  // A new price for one root. Appends to `out` (not cleared) what to unsubscribe and subscribe.
  OptionSubsStatus update_root(std::string_view root, Price price, OptionSubscriptionDiff& out);
  // A new price of an underlying ("I:SPX"): updates every root that follows it.
  OptionSubsStatus update_underlying(std::string_view underlying, Price price,
                                     OptionSubscriptionDiff& out);

  // Replaces the pinned contracts with `tickers` (any OCC spelling; duplicates ignored) and appends
  // to `out` what that changes: unsubscribe (ascending strike, call before put), then subscribe
  // (pins first, ascending, then the window's new strikes nearest the money first). A root not yet
  // centred subscribes its pins alone until its first price. An empty list unpins everything.
  OptionPinResult set_pins(std::span<const std::string> tickers, OptionSubscriptionDiff& out);
  // Contracts pinned now.
  [[nodiscard]] std::size_t pinned() const noexcept;

  // Everything subscribed now: roots in configuration order, each its pinned contracts outside
  // the window first (ascending strike, call before put), then the window nearest its centre first.
  [[nodiscard]] std::vector<std::string> entries() const;
  [[nodiscard]] std::size_t size() const noexcept;
  [[nodiscard]] std::size_t cap() const noexcept { return cap_; }
  [[nodiscard]] std::size_t root_count() const noexcept { return roots_.size(); }
  [[nodiscard]] std::string_view root(std::size_t i) const noexcept { return roots_[i].root; }
  [[nodiscard]] std::string_view underlying(std::size_t i) const noexcept { return roots_[i].underlying; }
  // Slots set aside for root i (at most the cap divided as documented above).
  [[nodiscard]] std::size_t budget(std::size_t i) const noexcept { return roots_[i].budget; }
  // Slots one contract takes: 1 (quotes), 2 with trades.
  [[nodiscard]] std::size_t slots_per_contract() const noexcept { return per_contract_; }
  // Distinct contracts listed for root i.
  [[nodiscard]] std::size_t listed(std::size_t i) const noexcept { return roots_[i].contracts; }
  // The strike root i was last centred on; Price::invalid() before its first price.
  [[nodiscard]] Price centre_strike(std::size_t i) const noexcept;

  // Internal layout (public only so the implementation's free helpers can name it).
  struct Strike {
    Price strike;
    std::string call;  // entry, empty when not listed
    std::string put;
    [[nodiscard]] std::size_t count() const noexcept {
      return (call.empty() ? 0u : 1u) + (put.empty() ? 0u : 1u);
    }
  };
  struct Root {
    std::string root;
    std::string underlying;
    std::vector<Strike> strikes;      // ascending
    std::size_t contracts = 0;
    std::size_t budget = 0;
    bool centred = false;
    std::size_t centre = 0;           // index of the ATM strike at the last centring
    std::vector<std::size_t> window;  // selected strike indices, nearest first
    std::size_t lo = 0, hi = 0;       // the window as [lo, hi)
    Price price;                      // the price of the last centring
    std::vector<std::uint8_t> pinned; // per strike: kCallBit | kPutBit of the pinned contracts
    std::vector<std::uint8_t> on;     // per strike: the contracts subscribed now
    std::size_t pinned_contracts = 0;
  };
  static constexpr std::uint8_t kCallBit = 1;
  static constexpr std::uint8_t kPutBit = 2;

 private:
  OptionSubsStatus update_index(std::size_t i, Price price, OptionSubscriptionDiff& out);
  // Brings root i's subscribed contracts to its pins plus its window, appending the difference.
  void sync(std::size_t i, OptionSubscriptionDiff& out);

  std::vector<Root> roots_;
  std::size_t cap_ = 0;
  std::int32_t expiry_ = 0;
  std::uint32_t recentre_strikes_ = 1;
  std::size_t per_contract_ = 1;
};

}  // namespace odte::feeds
