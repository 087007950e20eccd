#pragma once

// Journal records as JSON: one object per record, fields named, prices as exact decimal
// strings, ids as their ClOrdID text. `odte journal FILE` prints them one per line; the run
// report reads the journal through the same decoder. Output is deterministic.

#include <string>

#include "odte/core/journal/journal.hpp"

namespace odte::daemon {

// One JSON object (no newline). Records whose payload size does not match their type are
// rendered with "error" and the size rather than guessed at.
[[nodiscard]] std::string journal_record_json(const JournalRecord& record);

}  // namespace odte::daemon
