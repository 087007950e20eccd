#pragma once

// A synthetic 0DTE SPY chain for the strategies' edge-case tests: strikes 480..520 priced by
// Black-Scholes at one volatility, quoted a cent either side, on the Sim's day (2026-08-21).

#include <map>
#include <string>

#include "odte/core/options/black_scholes.hpp"
#include "odte/core/options/calendar.hpp"
#include "odte/core/engine/tick_table.hpp"
#include "sim.hpp"

namespace odte::testing_sim {

struct SyntheticChain {
  std::map<int, InstrumentId> calls, puts;
  std::string root = "SPY";
  // true: quote one increment of the root's single-leg grid wide (SPXW: 0.05 under $3, 0.10 from
  // $3), bid on the grid at or under the model price, so mids fall between grid prices.
  bool venue_grid = false;
  void list(Sim& sim, int lo = 480, int hi = 520) {
    for (int k = lo; k <= hi; ++k) {
      calls[k] = sim.option(root.c_str(), OptionRight::kCall, Price::from_dollars(k));
      puts[k] = sim.option(root.c_str(), OptionRight::kPut, Price::from_dollars(k));
    }
  }
  // Quotes every listed contract at `t` for spot `s` and volatility `sigma` (settlement 16:00).
  void quote(Sim& sim, TimestampNs t, double s, double sigma) {
    const double years = options::year_fraction(t, at(16, 0));
    for (const auto& side : {std::pair{OptionRight::kCall, &calls}, std::pair{OptionRight::kPut, &puts}}) {
      for (const auto& [k, id] : *side.second) {
        const double v = options::bsm_price({side.first, s, static_cast<double>(k), years, 0.0, 0.0, sigma});
        if (venue_grid) {
          const Price bid = round_passive(root, TickKind::kSingle, Price::from_double(v));
          sim.quote(id, t, bid, bid + tick_for(root, TickKind::kSingle, bid));
          continue;
        }
        const Price mid = Price::from_double(v).round_to(Price::from_cents(1));
        const Price bid = mid > Price::from_cents(1) ? mid - Price::from_cents(1) : Price::zero();
        sim.quote(id, t, bid, mid + Price::from_cents(1));
      }
    }
  }
};

}  // namespace odte::testing_sim
