#pragma once

// Pieces shared by the websocket client, the REST client and the replay-server that carry no
// Boost: URLs, error codes, log hook, reconnect backoff. Boost.Beast stays inside feeds/src.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>

namespace odte::feeds {

enum class NetErrc {
  kBadUrl = 1,         // not ws://, wss://, http:// or https://HOST[:PORT][/PATH]
  kInsecureRemote,     // plain ws:// or http:// to a host that is not loopback
  kAuthFailed,         // the server said auth_failed: fatal, the key is wrong
  kAuthTimeout,        // no auth_success within the client's auth timeout
  kProtocol,           // a message the protocol does not allow here
  kTooManyReconnects,  // WsClientConfig::max_reconnects exhausted
  kHttpStatus,         // REST: a non-2xx status
  kBadBody,            // REST: a body that is not the JSON expected
  kForeignNextUrl,     // REST: next_url points at another host (the key is not sent there)
  kTlsVerify,          // the server's certificate failed verification (chain, dates, host name)
  kTlsSetup,           // the CA store or ca_file could not be loaded
};
[[nodiscard]] const std::error_category& net_category() noexcept;
[[nodiscard]] inline std::error_code make_error_code(NetErrc e) noexcept {
  return {static_cast<int>(e), net_category()};
}

struct Url {
  bool tls = false;        // wss:// or https://
  std::string host;
  std::string port;        // defaulted from the scheme
  std::string target;      // path and query, "/" at least
};
// Parses ws, wss, http, https URLs. IPv6 literals are not supported.
[[nodiscard]] bool parse_url(std::string_view text, Url& out) noexcept;
// True only for an IPv4 address in 127.0.0.0/8 written as four decimal octets: plain ws:// and
// http:// are allowed to such hosts only. No name is (not even "localhost"): it would be resolved.
[[nodiscard]] bool is_loopback_host(std::string_view host) noexcept;

enum class LogLevel : std::uint8_t { kInfo, kWarn, kError };
// Cold-path log hook (connects, statuses, errors; never per frame). Messages never contain the API
// key: the clients redact it before calling the hook.
using LogHandler = std::function<void(LogLevel, std::string_view)>;

// Exponential backoff with jitter for reconnects: attempt n waits
// min(max, initial * multiplier^n) scaled by a uniform factor in [1 - jitter, 1 + jitter], capped at
// max. The jitter comes from a seeded splitmix64, so a given seed gives the same delays every run.
struct BackoffPolicy {
  std::chrono::milliseconds initial{500};
  std::chrono::milliseconds max{30'000};
  double multiplier = 2.0;
  double jitter = 0.25;  // fraction, 0..1
  std::uint64_t seed = 0x0D7E'F33D'5EEDULL;
};

class Backoff {
 public:
  explicit Backoff(const BackoffPolicy& policy) noexcept : policy_{policy}, rng_{policy.seed} {}
  [[nodiscard]] std::chrono::milliseconds next() noexcept;
  void reset() noexcept { attempt_ = 0; }
  [[nodiscard]] std::uint32_t attempt() const noexcept { return attempt_; }

 private:
  [[nodiscard]] double uniform() noexcept;  // [0, 1)
  BackoffPolicy policy_;
  std::uint64_t rng_;
  std::uint32_t attempt_ = 0;
};

}  // namespace odte::feeds

template <>
struct std::is_error_code_enum<odte::feeds::NetErrc> : std::true_type {};
