#pragma once

// The paper broker behind the BrokerPort interface: stepped inline on the core thread with the
// time the run loop passes in (the recording's clock in replay, the wall clock in paper-live).

#include "odte/brokers/paper_broker.hpp"
#include "odte/core/engine/broker_port.hpp"

namespace odte::brokers {

class PaperBrokerPort final : public BrokerPort {
 public:
  explicit PaperBrokerPort(const PaperBrokerConfig& config) : broker_(config), starting_cash_(config.starting_cash) {}

  bool submit(const OrderCommand& command, TimestampNs now) noexcept override {
    broker_.submit(command, now);  // a full queue is answered with a reject on the next poll
    return true;
  }
  int poll(const MarketState& market, TimestampNs now, ReportSink& sink) noexcept override {
    return broker_.poll(market, now, [&](const ExecutionReport& r) { sink.on_report(r); });
  }
  [[nodiscard]] TimestampNs next_due_ns() const noexcept override { return broker_.next_due_ns(); }
  [[nodiscard]] BrokerLinkState link() const noexcept override { return BrokerLinkState::kUp; }
  [[nodiscard]] const char* name() const noexcept override { return "paper"; }
  [[nodiscard]] Price account_equity() const noexcept override { return starting_cash_; }

  [[nodiscard]] const PaperBroker& broker() const noexcept { return broker_; }

 private:
  PaperBroker broker_;
  Price starting_cash_;
};

}  // namespace odte::brokers
