#pragma once

// Subscription parameters of the Massive websocket protocol ("Q.O:SPXW251125C05900000,V.I:SPX,
// AM.SPY") as a set, and the replay-server's per-event filter built on it.
//
// Matching rules (the replay-server documents the same in docs/feeds.md):
// - An entry is CHANNEL.SYMBOL. The channel (T, Q, A, AM, V, ...) must equal the event's "ev".
// - SYMBOL "*" matches every symbol of the channel (Massive's own wildcard).
// - SYMBOL ending in "*" matches by prefix ("Q.O:SPXW*": every SPXW quote). This is a replay-server
//   extension; the live Massive feed only knows the bare "*".
// - Otherwise the symbol must equal the event's "sym" (or "T" for index values, which carry the
//   ticker there).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace odte::feeds {

class SubscriptionSet {
 public:
  // Adds each comma-separated entry not already present. Returns the number of malformed entries
  // (no '.', empty channel or symbol), which are skipped.
  std::size_t add(std::string_view params);
  // Removes each comma-separated entry present verbatim; returns how many were removed.
  std::size_t remove(std::string_view params);
  void clear() noexcept { entries_.clear(); }

  [[nodiscard]] bool matches(std::string_view channel, std::string_view symbol) const noexcept;
  [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
  [[nodiscard]] const std::vector<std::string>& entries() const noexcept { return entries_; }
  // The entries joined with ',' (the params of one subscribe message), in insertion order.
  [[nodiscard]] std::string joined() const;

 private:
  std::vector<std::string> entries_;
};

// Splits "a,b,c" into trimmed non-empty pieces.
[[nodiscard]] std::vector<std::string_view> split_params(std::string_view params);

enum class FilterResult : unsigned char {
  kNone,       // no event matched: send nothing
  kWhole,      // every event matched: send the frame as it is (no copy)
  kPartial,    // some matched: `out` holds a rebuilt array of just those events
  kMalformed,  // not a JSON array of objects: dropped
};

// Filters one recorded frame for a subscriber. Status events recorded in the frame are never
// forwarded (the server speaks its own status); a frame with status events is rebuilt without them.
[[nodiscard]] FilterResult filter_frame(std::string_view frame, const SubscriptionSet& subs,
                                        std::string& out);

}  // namespace odte::feeds
