#pragma once
// A test strategy that sends, at its next timer tick, the stock orders a test queued, each the way
// a delta hedge goes (one stock leg): the short-sale tests with the paper broker and over FIX.

#include <cstdint>
#include <string_view>
#include <vector>

#include "odte/core/engine/strategy.hpp"

namespace odte::test_support {

class StockOrders final : public Strategy {
 public:
  explicit StockOrders(InstrumentId stock, std::uint16_t index = 0) : stock_{stock}, index_{index} {}
  std::string_view name() const noexcept override { return "stock_orders"; }
  void queue(Side side, std::uint32_t shares, Price per_share) {
    Intent in{};
    in.strategy = index_;
    in.action = IntentAction::kHedge;
    in.quantity = shares;
    in.leg_count = 1;
    in.legs[0] = OrderLeg{stock_, side, kLegShares, 1};
    in.limit = side == Side::kBuy ? per_share : -per_share;
    in.set_reason("test:stock");
    queued_.push_back(in);
  }
  void on_timer(StrategyContext& ctx) override {
    for (Intent& in : queued_) sent.push_back(ctx.submit(in));
    queued_.clear();
  }
  std::vector<ClientOrderId> sent;

 private:
  InstrumentId stock_;
  std::uint16_t index_;
  std::vector<Intent> queued_;
};

}  // namespace odte::test_support
