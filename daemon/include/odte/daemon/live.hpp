#pragma once

// odted's run loop for the live modes (paper-live: paper broker or FIX to a test venue; live: FIX):
// the market feed from the websocket clusters, options quotes that follow the money, the broker
// behind a BrokerPort, and the same engine, admin socket and journal as replay.
//
//   start-up  REST: market status, today's 0DTE contracts of each root (feed.underlyings)
//             feeds: stocks + indices with fixed subscriptions (feed.stock_subscriptions,
//             feed.index_subscriptions), options empty until the underlying has a price
//             first event -> trading day; journal opened (restored + reconciled if it exists)
//             READY=1 once the journal is open, the broker is up and the first event has arrived
//   running   events in arrival order (latency merge); engine, broker, admin between events;
//             once a second of wall time the options subscriptions are re-centred on the
//             underlyings' prices (diffs that never exceed the 1,000-contract cap); the legs of
//             open positions and working orders are pinned in the subscriptions, so they stay
//             quoted when the window moves away from them (held_option_contracts)
//   quiet     while no event arrives the clock still runs (FeedClock), so timers, order
//             timeouts and time exits fire, and the admin socket and watchdog are served
//   stop      SIGTERM: no new orders; working orders cancelled when broker.cancel_on_shutdown,
//             and their answers awaited up to 2 s; journal flushed; outputs and report; exit 0
//
// Time: the core's clock is the feed's own (FeedClock below), so strategies see market time in
// every mode, including paper-live against `odte replay-server` of a past day.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "odte/core/engine/broker_port.hpp"
#include "odte/core/engine/engine.hpp"
#include "odte/core/market/instrument_registry.hpp"
#include "odte/daemon/config.hpp"
#include "odte/daemon/daemon.hpp"
#include "odte/daemon/runtime.hpp"

namespace odte::daemon {

// The core's clock in the live modes: the latest exchange time seen, run on by wall time while
// the feed is quiet. An event never moves it back (several clusters interleave). It is fed only
// events the market-data guard admitted (live_market_event below): the guard's ahead_of_clock
// rule (feed.guard.max_ahead_ms) is what keeps one bad timestamp from fast-forwarding the day
// into its exits, and a bad first event from anchoring it -- one rule, one counter, for every mode.
class FeedClock {
 public:
  // An admitted event with its exchange time and the wall time (CLOCK_REALTIME) its frame arrived.
  TimestampNs on_event(TimestampNs exchange_ns, TimestampNs receive_ns) noexcept {
    if (exchange_ns <= 0) return now_;
    if (now_ == 0 || exchange_ns > now_) anchor(exchange_ns, receive_ns);
    return now_;
  }
  // No event: the clock runs on with the wall clock from the last event's arrival.
  TimestampNs on_wall(TimestampNs wall_ns) noexcept {
    if (now_ == 0) return 0;
    const TimestampNs t = at_wall(wall_ns);
    if (t > now_) now_ = t;
    return now_;
  }

  [[nodiscard]] TimestampNs now() const noexcept { return now_; }

 private:
  void anchor(TimestampNs market, TimestampNs wall) noexcept {
    now_ = anchor_market_ = market;
    anchor_wall_ = wall;
  }
  [[nodiscard]] TimestampNs at_wall(TimestampNs wall) const noexcept {
    const TimestampNs run = wall > anchor_wall_ ? wall - anchor_wall_ : 0;
    return std::max(now_, anchor_market_ + run);
  }

  TimestampNs now_ = 0;
  TimestampNs anchor_market_ = 0;
  TimestampNs anchor_wall_ = 0;
};

// The option contracts the live feed keeps quoted whatever the underlying does: every leg of an
// open position and of a working order (feeds::OptionSubscriptionManager::set_pins), by the
// registry's symbol ("O:SPY260720C00630000"), sorted, without duplicates. Cold path (allocates):
// the run loop asks once a second.
[[nodiscard]] std::vector<std::string> held_option_contracts(const Engine& engine, const InstrumentRegistry& registry);

// One market event into the engine in the live modes: the market-data guard judges it first; only
// an admitted event moves `clock` and is applied at the clock's time. A rejected one moves nothing:
// the core's time is then the clock run on to `wall_ns` (or `start` before the clock's first
// event). Returns the core's time after the event.
TimestampNs live_market_event(Engine& engine, FeedClock& clock, const MarketEvent& e, TimestampNs wall_ns,
                              TimestampNs start) noexcept;

// Mode live only (config.feed.max_feed_lag_ms, 0 = off): empty when the first market event's
// exchange time is within the limit of the wall clock, else the reason odted refuses to start.
[[nodiscard]] std::string check_feed_lag(const Config& config, TimestampNs first_exchange_ns, TimestampNs wall_ns);

// Makes the broker for the run once the registry is known (paper: brokers::PaperBrokerPort).
using BrokerFactory = std::function<std::unique_ptr<BrokerPort>(const Config&, const InstrumentRegistry&)>;

struct LiveDay;

// Runs the live feed through the engine until SIGTERM (or, against `odte replay-server`, until
// every cluster said replay_complete). Start-up failures (API key, REST, feeds, journal, admin
// socket, strategies) are logged and give exit code 1 (2 for a bad strategy config).
// `day` (the daily lifecycle, lifecycle.hpp): the day also ends at day->plan.end_ns by the
// lifecycle's clock (working orders cancelled whatever broker.cancel_on_shutdown says, expired
// positions settled, session end, report); the feed must be on day->plan.day; the admin socket is
// the lifecycle's (day->services), open before the first event, and READY=1 is the lifecycle's.
[[nodiscard]] DaemonRun run_live_daemon(const Config& config, InstrumentRegistry& registry, SignalWatcher& signals,
                                        SystemdNotifier& notify, const BrokerFactory& make_broker,
                                        const LiveDay* day = nullptr);

}  // namespace odte::daemon
