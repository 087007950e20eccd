#pragma once

// Normalized MarketEvent as one JSON object (no trailing newline), for `odte decode`, tests and
// diffs. Deterministic: fixed key order, exact decimal prices (null for an empty quote side),
// integers in full. Offline use only (it appends to a std::string).

#include <string>

#include "odte/core/market/events.hpp"
#include "odte/core/market/instrument_registry.hpp"

namespace odte::feeds {

void append_event_json(std::string& out, const MarketEvent& e, const InstrumentRegistry& registry);

}  // namespace odte::feeds
