#pragma once

// The core thread's view of a broker: one interface for the paper simulator (stepped inline on
// the core thread) and for real adapters such as FIX (running on their own broker thread behind
// a pair of SPSC rings). The run loop calls these and nothing else:
//
//   core  --submit(OrderCommand)-->  port  --> venue        (after the command is journaled)
//   core  <--poll(ReportSink)------  port  <-- venue        (reports as received, in order)
//
// Both calls are made only on the core thread, never block, never allocate and make no system
// calls on the hot path (an adapter's poll drains a ring; the paper broker steps a simulator).

#include <cstdint>

#include "odte/core/market/market_state.hpp"
#include "odte/core/engine/orders.hpp"

namespace odte {

// Where poll() delivers execution reports: the engine's on_exec_report, which journals each one.
class ReportSink {
 public:
  virtual ~ReportSink() = default;
  virtual void on_report(const ExecutionReport& report) noexcept = 0;
};

enum class BrokerLinkState : std::uint8_t {
  kDown = 0,      // no session: commands are refused (submit returns false)
  kConnecting,    // logon in progress or re-synchronising after a reconnect
  kUp,            // session established; commands flow
};

class BrokerPort {
 public:
  virtual ~BrokerPort() = default;

  // Hands over a command that is already in the journal. False when it cannot be taken now
  // (ring full, link down): the caller keeps it and retries, it is never silently dropped.
  virtual bool submit(const OrderCommand& command, TimestampNs now) noexcept = 0;

  // Delivers to `sink`, in arrival order, every report available at `now`. The paper broker
  // matches working orders against `market` here; adapters ignore it. Returns how many.
  virtual int poll(const MarketState& market, TimestampNs now, ReportSink& sink) noexcept = 0;

  // The earliest time at which poll() has something to do that no market event brings: a
  // simulated venue's command reaching it after its latency (the paper broker). The run loop
  // polls at that time, so a fill happens at order time + latency against the market as it is
  // then, not at the next event. kNoDue for a real venue (its reports come when they come).
  static constexpr TimestampNs kNoDue = INT64_MAX;
  [[nodiscard]] virtual TimestampNs next_due_ns() const noexcept { return kNoDue; }

  [[nodiscard]] virtual BrokerLinkState link() const noexcept = 0;

  // The account's equity in dollars as the broker reports it, asked once at the start of each
  // day (the 0.5% rule's base, EngineConfig::equity); Price::invalid() when the broker cannot say
  // (the run then uses [account] equity and warns).
  [[nodiscard]] virtual Price account_equity() const noexcept { return Price::invalid(); }

  // A short name for logs and status ("paper", "fix").
  [[nodiscard]] virtual const char* name() const noexcept = 0;
};

}  // namespace odte
