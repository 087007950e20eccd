#pragma once

// Massive (Polygon.io) websocket client: one connection per cluster (stocks, options, indices), run
// on that cluster's feed thread. Boost.Beast over OpenSSL for wss:// (system CA store plus ca_file,
// peer certificate chain, dates and host name or IP verified, SNI for names); plain ws:// is
// accepted for loopback hosts only.
//
// Protocol: on [{"ev":"status","status":"connected"}] send {"action":"auth","params":KEY}; on
// auth_success send {"action":"subscribe","params":"<every current subscription>"}.
// - auth_failed: fatal. run() returns NetErrc::kAuthFailed, nothing is retried.
// - auth_timeout, error: reported (status hook, counter, log); the connection carries on until the
//   server drops it, then reconnects.
// - max_connections (another connection with this key took over): disconnect and wait at least
//   60 s before the next attempt.
// - Any disconnect, read timeout or I/O error: reconnect after Backoff (exponential, seeded
//   jitter), then auth and re-subscribe to everything current. The backoff resets once
//   auth_success arrives.
// - A server certificate that fails verification: not fatal, retried like any other failed
//   connection (so it backs off up to BackoffPolicy::max and never spins), logged as an error
//   naming the reason, counted in tls_verify_failures; the key is never sent on such a connection.
//   A ca_file that cannot be loaded is fatal (kTlsSetup) before any connection.
// - Keepalive, checked every idle_timeout / 2: a websocket ping once a whole check period passed
//   without data; the connection is dropped (and reconnected) when the next one is quiet too, so
//   after idle_timeout to 1.5 x idle_timeout without anything received.
// - Framing (RFC 6455, no extensions): server frames must be unmasked with no reserved bits,
//   control frames short and whole; a ping is answered with a pong, a close with a close (then
//   the connection is over); fragmented messages are put together; a text message must be valid
//   UTF-8 and a message at most max_frame_bytes. Anything else drops the connection like an I/O
//   error. Each read takes what the socket holds, and every complete frame in it is handed out in
//   place, so a burst of frames costs one read.
//
// Every frame received (status frames included, after the client has acted on them) goes to the
// FrameHandler on the feed thread, with its CLOCK_REALTIME receive time and the stream id. The
// frame's bytes are valid for the duration of the call and are followed by at least kFramePadding
// readable bytes, so FrameParser::parse_padded can read them in place. The handler must not block.
//
// Threads: run() on the feed thread; stop(), subscribe(), unsubscribe() from any thread (they are
// posted to the connection's strand); counters() from any thread.

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "odte/core/market/events.hpp"
#include "odte/feeds/net.hpp"
#include "odte/feeds/ws_frame.hpp"  // kFramePadding

namespace odte::feeds {

inline constexpr std::chrono::milliseconds kMinMaxConnectionsBackoff{60'000};

struct RawFrame {
  std::string_view data;
  TimestampNs receive_ns;  // CLOCK_REALTIME at the end of the read
  StreamId stream;
  bool has_status;         // the frame starts with a status event (already acted on)
};
using FrameHandler = std::function<void(const RawFrame&)>;

struct StatusReport {
  StatusCode code;
  std::string_view status;   // the feed's word: "connected", "auth_success", "success", ...
  std::string_view message;  // escapes untouched
  TimestampNs receive_ns;
  StreamId stream;
};
using StatusHandler = std::function<void(const StatusReport&)>;

struct WsClientConfig {
  std::string url;                          // wss://socket.massive.com/options, ws://127.0.0.1:P/x
  std::string api_key;                      // load_api_key_file / load_api_key_credential
  StreamId stream = StreamId::kStocks;
  std::vector<std::string> subscriptions;   // entries or comma lists; re-sent after each reconnect
  // Extra CA certificates (PEM bundle) trusted beside the system store: a TLS-intercepting proxy's
  // CA, or a test CA. Empty: the system store only.
  std::string ca_file;
  std::chrono::milliseconds connect_timeout{10'000};    // resolve + TCP + TLS
  std::chrono::milliseconds handshake_timeout{10'000};  // websocket upgrade and close
  std::chrono::milliseconds auth_timeout{10'000};       // connected -> auth_success
  std::chrono::milliseconds idle_timeout{20'000};       // ping after half of it, drop after it
  BackoffPolicy backoff;
  // After max_connections. Values below 60 s are raised to 60 s: Massive lets one connection per
  // key per cluster live, and hammering it only kicks the other holder back and forth.
  std::chrono::milliseconds max_connections_backoff{kMinMaxConnectionsBackoff};
  // Tests only: replaces the max_connections wait without the 60 s floor. Never set from config.
  std::optional<std::chrono::milliseconds> test_only_max_connections_backoff;
  std::size_t max_frame_bytes = 16u << 20;  // larger messages drop the connection
  int max_reconnects = -1;                  // -1 = forever; run() returns kTooManyReconnects after
};

enum class WsState : std::uint8_t {
  kIdle, kConnecting, kAuthenticating, kStreaming, kBackoff, kStopped, kFailed
};
[[nodiscard]] std::string_view to_string(WsState s) noexcept;

// Written by the feed thread, read by anyone (relaxed; for metrics and tests).
struct WsCounters {
  static constexpr std::size_t kStatusKinds = 16;  // indexed by StatusCode
  std::atomic<std::uint64_t> frames{0};            // every frame received
  std::atomic<std::uint64_t> bytes{0};
  std::atomic<std::uint64_t> connects{0};          // websocket handshakes completed
  std::atomic<std::uint64_t> reconnects{0};        // connection attempts after the first
  std::atomic<std::uint64_t> authenticated{0};     // auth_success received
  std::atomic<std::uint64_t> subscribes_sent{0};   // subscribe messages sent
  std::atomic<std::uint64_t> tls_verify_failures{0};  // handshakes refused: server certificate not verified
  std::array<std::atomic<std::uint64_t>, kStatusKinds> status{};
  std::atomic<WsState> state{WsState::kIdle};

  [[nodiscard]] std::uint64_t status_count(StatusCode c) const noexcept {
    return status[static_cast<std::size_t>(c)].load(std::memory_order_relaxed);
  }
};

// Maps the feed's status word to a StatusCode ("success" -> kSubscribed; unknown -> kUnknown).
[[nodiscard]] StatusCode status_code_of(std::string_view status) noexcept;

class WsClient {
 public:
  WsClient(WsClientConfig config, FrameHandler on_frame, StatusHandler on_status = {},
           LogHandler log = {});
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  // Feed thread: connects and streams until stop() (returns {}) or a fatal error (kAuthFailed,
  // kTooManyReconnects, kBadUrl, kInsecureRemote, TLS set-up). Call once.
  std::error_code run();
  // Any thread. Idempotent; run() returns soon after (a graceful websocket close is attempted).
  void stop();
  // Any thread. Entries are kept for re-subscription and sent now if authenticated.
  void subscribe(std::string params);
  void unsubscribe(std::string params);

  [[nodiscard]] const WsCounters& counters() const noexcept;
  // After run() returned an error: a one-line description (key redacted).
  [[nodiscard]] std::string error_message() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace odte::feeds
