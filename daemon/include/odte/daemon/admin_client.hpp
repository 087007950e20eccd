#pragma once

// Client side of the admin socket protocol: one JSON object per line each way.
// Request: {"cmd":"<command>","args":["a","b"]}\n   Reply: one JSON line, passed through verbatim.
// Used by odtectl; the daemon's server side lives beside it (issue 7).

#include <chrono>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace odte::admin {

inline constexpr std::string_view kDefaultSocketPath = "/run/odte/admin.sock";

// JSON-escapes `text` into a quoted string literal.
[[nodiscard]] std::string json_quote(std::string_view text);

// {"cmd":"status","args":[]} with a trailing newline.
[[nodiscard]] std::string encode_request(std::string_view command, const std::vector<std::string>& args);

struct Reply {
  std::error_code error;  // set when the exchange failed; `what` says which step
  std::string what;
  std::string line;       // the reply line without its newline
};

// Connects to `socket_path`, sends `request`, reads one reply line (at most 16 MiB) within
// `timeout`. Never throws.
[[nodiscard]] Reply exchange(const std::string& socket_path, std::string_view request,
                             std::chrono::milliseconds timeout);

}  // namespace odte::admin
