#pragma once
// The NoLegs groups of the adapter's multileg messages (35=AB, 35=AC): written when an order is
// sent, and written again when QuickFIX resends one (rebuild_legs).

#include <span>

#include "odte/brokers/fix_fields.hpp"
#include "odte/brokers/quickfix.hpp"

namespace odte::brokers {

// Appends `legs` as the NoLegs groups of a 35=AB or 35=AC `m` (by its MsgType), one group each:
// 600 root, 608 CFI, 609 OPT, 611 expiry, 612 strike, 623 ratio, 624 side, 564 open/close,
// 654 LegRefID = index + 1.
void add_legs(FIX::Message& m, std::span<const FixLeg> legs, bool opening);

// QuickFIX resends a message by reading it back from its store, and without a data dictionary (the
// adapter has none by default) that read sorts the body by tag number: the groups come out as all
// the 600s, then all the 608s, and so on, which a venue reads as other legs. This puts `legs`
// back as groups of a 35=AB or 35=AC `m` (any other type: unchanged, false) and keeps the header,
// the trailer and every other body field as they are.
bool rebuild_legs(FIX::Message& m, std::span<const FixLeg> legs, bool opening);

}  // namespace odte::brokers
