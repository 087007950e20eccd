#pragma once

// Turns an admin reply line into what odtectl prints for a person: tables for lists, aligned
// key/value lines for objects. Scripts use --json and get the line unchanged.

#include <string>
#include <string_view>

namespace odte::admin {

// Returns the text to print and sets `ok` from the reply's "ok" field. A line that is not JSON is
// returned as is with ok = false.
[[nodiscard]] std::string render_human(std::string_view reply_line, bool& ok);

}  // namespace odte::admin
