#pragma once

// Paper broker: fills multi-leg orders against the quotes the core sees, only when the order's
// net limit is marketable against the combo's natural price, after a configured latency, with
// configured slippage and fees, and partially when the displayed size is short.
//
// Fill price, as a venue's book gives it: an order (or a replace) that is marketable when it
// arrives takes the touch -- the natural price, which may be better than its limit. An order that
// rests (not marketable on arrival, or the rest of a partial fill) fills at its limit when the
// market comes through it: the natural price it then meets is what the other side paid to reach
// it, not an improvement for the resting order. The net is booked at the limit with the legs at
// the touch except the first leg that can carry the difference (a bought leg pays it, a sold leg
// receives less; the ratio must divide it), so the legs add up to the limit exactly (when no leg
// can, the legs fill at the touch).
//
// It is a deterministic simulator, not a thread: the caller feeds it commands and steps it with
// its own clock and market view (replay: the core thread after every event; paper-live: the
// broker agent). The same inputs always give the same reports in the same order.
//
// Mass cancel (kCancelAll) cancels every working order, one kCancelled report each. Mass status
// (kStatusRequest) is answered per the contract in core/engine/orders.hpp: one kStatus report per leg of
// every order it knows -- working, or among the last `max_done` finished -- then one kStatusEnd
// carrying the count.
//
// Crash policy: the simulated venue lives in the process, so it dies with it. It behaves as a
// venue with cancel-on-disconnect: after a restart the new paper broker knows no orders, its
// status answer is empty, and reconciliation closes every order the journal left working as
// cancelled ("unknown to the broker"). Fills it made that never reached the journal died with it
// (in the simulation they never happened); positions and P&L persist from the journal.

#include <cstdint>
#include <cstring>
#include <memory>

#include "odte/core/engine/intent.hpp"
#include "odte/core/market/market_guard.hpp"
#include "odte/core/market/nbbo.hpp"
#include "odte/core/engine/orders.hpp"

namespace odte::brokers {

struct PaperBrokerConfig {
  // The simulated account's cash when the broker starts ([account] equity): what it answers for
  // the day's equity (PaperBrokerPort::account_equity). A paper broker starts fresh every run.
  Price starting_cash = Price::from_dollars(100'000);
  std::int64_t latency_ns = 50'000'000;        // order entry and cancel reach the "venue" after this
  Price slippage_per_contract = Price::zero(); // worse than the touch on every leg, per contract
  Price commission_per_contract = Price::from_cents(65);
  Price fee_per_contract = Price::from_ticks(250);  // exchange + regulatory, $0.025
  Price commission_per_share = Price::zero();       // stock legs (delta hedges), per share
  Price fee_per_share = Price::zero();
  bool use_displayed_size = true;              // partial fills limited by the quoted size
  std::uint32_t max_working = 1024;
  std::uint32_t max_pending = 1024;
  std::uint32_t max_done = 4096;               // finished orders remembered for status answers
  // Fill band: a leg fills only at a price within this band of the prevailing market, the mid it
  // has slid along with the quotes the order met since it reached the venue (the first quote sets
  // it). A quote outside it (a bad tick) neither fills nor moves it, until `band_reanchor_after`
  // successive quote updates agree on the new level. Options: PriceBand's multiple and dollar
  // floor; stock legs: its fraction.
  bool fill_band = true;
  PriceBand band{};
  std::uint32_t band_reanchor_after = 8;
};

struct PaperBrokerStats {
  std::uint64_t commands = 0;
  std::uint64_t rejects = 0;
  std::uint64_t fills = 0;            // fill events (one per order per matching step)
  std::uint64_t contracts = 0;
  std::uint64_t dropped_commands = 0; // pending queue full: answered with a reject on next poll
  std::uint64_t band_refusals = 0;    // marketable matching steps refused: a leg outside the fill band
};

class PaperBroker {
 public:
  enum Reject : std::uint16_t {
    kRejectNone = 0,
    kRejectQueueFull = 1,
    kRejectUnknownOrder = 2,
    kRejectBadOrder = 3,
    kRejectTooLateToCancel = 4,
    kRejectBelowFilled = 5,
    kRejectBookFull = 6,
  };

  explicit PaperBroker(const PaperBrokerConfig& config);

  // Queues a command; it takes effect at now + latency.
  void submit(const OrderCommand& command, TimestampNs now) noexcept;

  // Processes commands due by `now`, then matches working orders against `market`. Each report
  // goes to emit(const ExecutionReport&). Returns the number of reports emitted.
  template <MarketView M, typename Emit>
  int poll(const M& market, TimestampNs now, Emit&& emit) noexcept {
    int n = 0;
    auto out = [&](const ExecutionReport& r) {
      emit(r);
      ++n;
    };
    while (refused_head_ < refused_tail_) {
      const OrderCommand& c = refused_[refused_head_ % config_.max_pending].command;
      ExecutionReport r = blank(c.kind == CommandKind::kNew ? ExecKind::kRejected : ExecKind::kCancelRejected,
                                nullptr, c.id, now);
      r.orig_id = c.orig_id;
      r.reason = kRejectQueueFull;
      ++stats_.rejects;
      ++refused_head_;
      out(r);
    }
    while (pending_head_ < pending_tail_ && pending_[pending_head_ % config_.max_pending].due_ns <= now) {
      const Pending p = pending_[pending_head_ % config_.max_pending];
      ++pending_head_;
      process(p.command, now, out);
    }
    for (std::uint32_t i = 0; i < working_count_; ++i) {
      Working& w = working_[i];
      if (w.live) match(w, market, now, out);
    }
    compact();
    return n;
  }

  [[nodiscard]] const PaperBrokerStats& stats() const noexcept { return stats_; }
  [[nodiscard]] std::uint32_t working() const noexcept;
  // When the next queued command takes effect (its submit time + latency), INT64_MAX when none is
  // queued (a command refused for a full queue is answered by the next poll, whenever it is). A run loop that
  // polls at this time gives every report its true time: an order submitted at t is accepted --
  // and, if marketable, filled against the market of that moment -- at exactly t + latency.
  [[nodiscard]] TimestampNs next_due_ns() const noexcept;

 private:
  struct Pending {
    OrderCommand command;
    TimestampNs due_ns;
  };
  struct Working {
    OrderCommand order;        // as accepted (limit and quantity updated by replaces)
    ClientOrderId current_id;  // id of the latest new/replace request
    std::uint64_t broker_id;
    std::uint32_t filled;      // units
    std::uint32_t leg_cum[kMaxLegs];
    Price leg_notional[kMaxLegs];  // sum of price x contracts per leg, for status averages
    Price band_ref[kMaxLegs];      // the leg's prevailing market (fill band); invalid until quoted
    Price band_pending[kMaxLegs];  // a level outside the band that successive quotes agree on...
    TimestampNs band_seen_ns[kMaxLegs];     // ...counted once per quote update
    std::uint32_t band_pending_count[kMaxLegs];
    bool live;
    bool arriving;             // the next match is its arrival (new or replace): it may take the touch
  };
  // Whether leg `i`'s quote gives a fill price within the band; slides the reference.
  template <typename Q>
  bool in_band(Working& w, int i, const Q& q, Price px) noexcept;

  template <typename Out>
  void process(const OrderCommand& c, TimestampNs now, Out& out) noexcept;
  template <MarketView M, typename Out>
  void match(Working& w, const M& market, TimestampNs now, Out& out) noexcept;
  template <typename Out>
  std::uint32_t status_of(const Working& w, ClientOrderId request, TimestampNs now, Out& out) const noexcept;
  Working* find(ClientOrderId id) noexcept;
  [[nodiscard]] bool finished(ClientOrderId id) const noexcept;
  void compact() noexcept;
  [[nodiscard]] ExecutionReport blank(ExecKind kind, const Working* w, ClientOrderId id, TimestampNs now) const noexcept;

  PaperBrokerConfig config_;
  std::unique_ptr<Pending[]> pending_;
  std::uint64_t pending_head_ = 0;
  std::uint64_t pending_tail_ = 0;
  std::unique_ptr<Pending[]> refused_;  // commands that found the queue full, answered next poll
  std::uint64_t refused_head_ = 0;
  std::uint64_t refused_tail_ = 0;
  std::unique_ptr<Working[]> working_;
  std::uint32_t working_count_ = 0;
  // Ids of the most recent finished orders, to answer a late cancel with "too late" rather than
  // "unknown order".
  std::unique_ptr<ClientOrderId[]> finished_;
  std::uint64_t finished_count_ = 0;
  std::unique_ptr<Working[]> done_;     // the last max_done finished orders, oldest overwritten
  std::uint64_t done_count_ = 0;
  std::uint64_t next_broker_id_ = 1;
  PaperBrokerStats stats_;
};

template <typename Out>
void PaperBroker::process(const OrderCommand& c, TimestampNs now, Out& out) noexcept {
  switch (c.kind) {
    case CommandKind::kNew: {
      bool ok = c.leg_count >= 1 && c.leg_count <= kMaxLegs && c.quantity > 0 && c.limit.valid();
      for (int i = 0; ok && i < c.leg_count; ++i) ok = c.legs[i].ratio > 0;
      if (!ok || working_count_ >= config_.max_working) {
        ExecutionReport r = blank(ExecKind::kRejected, nullptr, c.id, now);
        r.reason = ok ? kRejectBookFull : kRejectBadOrder;
        ++stats_.rejects;
        out(r);
        return;
      }
      Working& w = working_[working_count_++];
      std::memset(static_cast<void*>(&w), 0, sizeof w);
      w.order = c;
      w.current_id = c.id;
      w.broker_id = next_broker_id_++;
      for (Price& p : w.band_ref) p = Price::invalid();
      w.live = true;
      w.arriving = true;
      ExecutionReport r = blank(ExecKind::kAccepted, &w, c.id, now);
      out(r);
      return;
    }
    case CommandKind::kCancel: {
      Working* w = find(c.orig_id);
      if (w == nullptr || !w->live) {
        ExecutionReport r = blank(ExecKind::kCancelRejected, w, c.id, now);
        r.orig_id = c.orig_id;
        r.reason = w != nullptr || finished(c.orig_id) ? kRejectTooLateToCancel : kRejectUnknownOrder;
        ++stats_.rejects;
        out(r);
        return;
      }
      w->live = false;
      ExecutionReport r = blank(ExecKind::kCancelled, w, c.id, now);
      r.orig_id = c.orig_id;
      out(r);
      return;
    }
    case CommandKind::kReplace: {
      Working* w = find(c.orig_id);
      if (w == nullptr || !w->live || c.quantity < w->filled || c.quantity == 0 || !c.limit.valid()) {
        ExecutionReport r = blank(ExecKind::kCancelRejected, w, c.id, now);
        r.orig_id = c.orig_id;
        r.reason = w == nullptr ? (finished(c.orig_id) ? kRejectTooLateToCancel : kRejectUnknownOrder)
                   : !w->live ? kRejectTooLateToCancel
                              : kRejectBelowFilled;
        ++stats_.rejects;
        out(r);
        return;
      }
      w->order.limit = c.limit;
      w->order.quantity = c.quantity;
      w->current_id = c.id;
      w->arriving = true;  // a replace arrives as a new order would: marketable now, it takes the touch
      ExecutionReport r = blank(ExecKind::kReplaced, w, c.id, now);
      r.orig_id = c.orig_id;
      out(r);
      if (w->filled >= w->order.quantity) w->live = false;
      return;
    }
    case CommandKind::kCancelAll:
      for (std::uint32_t i = 0; i < working_count_; ++i) {
        Working& w = working_[i];
        if (!w.live) continue;
        w.live = false;
        ExecutionReport r = blank(ExecKind::kCancelled, &w, w.current_id, now);
        out(r);
      }
      return;
    case CommandKind::kStatusRequest: {
      // Finished orders first (oldest first), then working ones; then the count.
      std::uint32_t count = 0;
      const std::uint64_t cap = config_.max_done;
      for (std::uint64_t k = done_count_ > cap ? done_count_ - cap : 0; k < done_count_; ++k) {
        count += status_of(done_[k % cap], c.id, now, out);
      }
      for (std::uint32_t i = 0; i < working_count_; ++i) count += status_of(working_[i], c.id, now, out);
      ExecutionReport end = blank(ExecKind::kStatusEnd, nullptr, ClientOrderId{}, now);
      end.orig_id = c.id;
      end.last_qty = count;
      out(end);
      return;
    }
  }
}

template <typename Out>
std::uint32_t PaperBroker::status_of(const Working& w, ClientOrderId request, TimestampNs now, Out& out) const noexcept {
  for (int i = 0; i < w.order.leg_count; ++i) {
    ExecutionReport r = blank(ExecKind::kStatus, &w, w.current_id, now);
    r.orig_id = request;
    r.leg = static_cast<std::uint8_t>(i);
    r.cum_qty = w.leg_cum[i];
    r.last_price = w.leg_cum[i] == 0 ? Price::zero()
                                     : Price::from_ticks(w.leg_notional[i].ticks() / static_cast<Price::Rep>(w.leg_cum[i]));
    const Price per_unit = w.order.legs[i].unit == kLegShares ? config_.commission_per_share + config_.fee_per_share
                                                              : config_.commission_per_contract + config_.fee_per_contract;
    r.commission = per_unit * static_cast<std::int64_t>(w.leg_cum[i]);
    out(r);
  }
  return w.order.leg_count;
}

template <MarketView M, typename Out>
void PaperBroker::match(Working& w, const M& market, TimestampNs now, Out& out) noexcept {
  const OrderCommand& o = w.order;
  // Only the first look at the market after arrival may take the touch; after it the order rests.
  const bool arriving = w.arriving;
  w.arriving = false;
  // The combo's natural price for buying one unit: pay offers on bought legs, hit bids on sold
  // legs; slippage makes every leg worse. Fill only when the net limit reaches it.
  Price::Rep natural = 0;
  Price leg_price[kMaxLegs];
  std::uint32_t available = o.quantity - w.filled;
  bool banded = true;
  for (int i = 0; i < o.leg_count; ++i) {
    const Nbbo* q = market.nbbo(o.legs[i].instrument);
    if (q == nullptr) return;
    const bool buy = o.legs[i].side == Side::kBuy;
    // A leg needs the side it trades against: an offer to buy (a wing offered with no bid is a
    // market, Nbbo::has_market: it can be bought back at its offer), a bid to sell. A crossed quote
    // is no market.
    const Price touch = buy ? q->ask : q->bid;
    if (!touch.valid() || q->crossed()) return;
    const Price px = buy ? touch + config_.slippage_per_contract : touch - config_.slippage_per_contract;
    if (px <= Price::zero() && !buy) return;  // nothing to sell into
    // Every leg is judged (each slides its own reference) before the order may fill.
    if (config_.fill_band && !in_band(w, i, *q, px)) banded = false;
    leg_price[i] = px;
    const auto r = static_cast<Price::Rep>(o.legs[i].ratio);
    natural += buy ? r * px.ticks() : -r * px.ticks();
    if (config_.use_displayed_size) {
      const std::uint32_t size = buy ? q->ask_size : q->bid_size;
      const std::uint32_t units = size / o.legs[i].ratio;
      if (units < available) available = units;
    }
  }
  if (o.limit.ticks() < natural || available == 0) return;
  if (!banded) {
    ++stats_.band_refusals;
    return;
  }
  // A resting order fills at its limit: one leg carries the difference to the touch.
  if (const Price::Rep better = o.limit.ticks() - natural; !arriving && better > 0) {
    for (int i = 0; i < o.leg_count; ++i) {
      const auto r = static_cast<Price::Rep>(o.legs[i].ratio);
      if (better % r != 0) continue;
      const bool buy = o.legs[i].side == Side::kBuy;
      const Price px = Price::from_ticks(leg_price[i].ticks() + (buy ? better / r : -(better / r)));
      if (px <= Price::zero()) continue;
      leg_price[i] = px;
      break;
    }
  }

  w.filled += available;
  ++stats_.fills;
  // Leg-level reports, as a multileg venue sends them (FIX 442=2).
  for (int i = 0; i < o.leg_count; ++i) {
    const std::uint32_t contracts = available * o.legs[i].ratio;
    w.leg_cum[i] += contracts;
    w.leg_notional[i] += leg_price[i] * static_cast<std::int64_t>(contracts);
    stats_.contracts += contracts;
    ExecutionReport r = blank(w.filled >= o.quantity ? ExecKind::kFill : ExecKind::kPartialFill, &w, w.current_id, now);
    r.leg = static_cast<std::uint8_t>(i);
    r.last_qty = contracts;
    r.cum_qty = w.leg_cum[i];
    r.last_price = leg_price[i];
    const Price per_unit = o.legs[i].unit == kLegShares ? config_.commission_per_share + config_.fee_per_share
                                                        : config_.commission_per_contract + config_.fee_per_contract;
    r.commission = per_unit * static_cast<std::int64_t>(contracts);
    out(r);
  }
  if (w.filled >= o.quantity) w.live = false;
}

template <typename Q>
bool PaperBroker::in_band(Working& w, int i, const Q& q, Price px) noexcept {
  const bool option = w.order.legs[i].unit != kLegShares;
  // One-sided (an offer, no bid): the middle of 0 and the offer (Nbbo::market_mid). A bid with no
  // offer (a leg sold into it): the bid.
  const Price mid = q.has_market() ? q.market_mid() : q.bid;
  Price& ref = w.band_ref[i];
  if (!ref.valid() || (config_.band.within(ref, mid, option) && config_.band.within(ref, px, option))) {
    ref = mid;
    w.band_pending_count[i] = 0;
    return true;
  }
  // Outside: a new level is adopted only when quote updates keep agreeing on it.
  if (q.updated_ns != w.band_seen_ns[i]) {
    w.band_seen_ns[i] = q.updated_ns;
    if (w.band_pending_count[i] != 0 && config_.band.within(w.band_pending[i], mid, option)) {
      ++w.band_pending_count[i];
    } else {
      w.band_pending[i] = mid;
      w.band_pending_count[i] = 1;
    }
    if (w.band_pending_count[i] >= config_.band_reanchor_after) {
      ref = mid;
      w.band_pending_count[i] = 0;
      return config_.band.within(ref, px, option);
    }
  }
  return false;
}

}  // namespace odte::brokers
