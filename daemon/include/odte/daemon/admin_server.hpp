#pragma once

// The admin socket: a Unix stream socket (mode 0660) that odtectl talks to, one JSON object per
// line each way. Runs on the admin thread (a cold role, driven by AgentRunner); it never touches
// core state. Read-only commands are answered from the newest CoreSnapshot; commands that change
// state are validated here, sent to the core as ControlCommands, and answered when the core
// replies. Peers are checked with SO_PEERCRED (and SO_PEERGROUPS): the daemon's own uid, or a uid
// or group in the allowed lists. A malformed or unknown request gets {"ok":false,"error":...} and
// changes nothing.
//
// Bounded per connection: a request line longer than kMaxLine gets an error and the connection is
// closed (nothing of the line, nor anything sent after it, is executed). A connection is read only
// while it has no complete request waiting and less than kMaxPendingOutput of replies unsent, so a
// client that pipelines requests and never reads stalls itself (the kernel buffers fill) instead of
// growing the daemon; one whose replies make no progress for slow_reader_timeout is disconnected.
// At most config.max_connections are open at once (admin socket and metrics scrapes together);
// one more gets an error line (or HTTP 503) and is closed.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "odte/core/engine/control.hpp"
#include "odte/core/market/instrument_registry.hpp"
#include "odte/core/base/spsc_ring.hpp"
#include "odte/core/base/triple_buffer.hpp"
#include "odte/daemon/config.hpp"

namespace odte::daemon {

using ControlRing = SpscRing<ControlCommand, 64>;
using ControlReplyRing = SpscRing<ControlReply, 64>;

struct AdminStats {
  std::uint64_t connections = 0;
  std::uint64_t denied = 0;
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;         // malformed, unknown or refused requests
  std::uint64_t core_timeouts = 0;
  std::uint64_t refused = 0;        // connections over config.max_connections
  std::uint64_t overlong = 0;       // connections closed after a request line over kMaxLine
  std::uint64_t slow_readers = 0;   // connections closed because their replies were not read
  std::size_t max_pending_output = 0;  // the most reply bytes one connection had waiting
};

class AdminServer {
 public:
  static constexpr std::size_t kMaxLine = 64 * 1024;
  static constexpr std::size_t kMaxPendingOutput = 64 * 1024;

  AdminServer(AdminConfig config, TripleBuffer<CoreSnapshot>& snapshots, ControlRing& to_core,
              ControlReplyRing& from_core, std::vector<std::string> strategy_names);
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;
  ~AdminServer();

  // Creates the socket (replacing a stale one), mode 0660, and listens. The metrics endpoint is
  // opened apart (open_metrics), so a failure names the part that failed.
  [[nodiscard]] std::error_code open();
  // Prometheus text at GET /metrics on bind:port (0 = any free port; see metrics_port()); `bind` an
  // IPv4 or IPv6 address literal (config.cpp checked it).
  [[nodiscard]] std::error_code open_metrics(std::uint16_t port, const std::string& bind = "127.0.0.1");
  [[nodiscard]] std::uint16_t metrics_port() const noexcept { return metrics_port_; }
  // One poll round (waits at most 10 ms); returns the number of requests and replies handled.
  int do_work();
  void close();

  // The reply to one request line for read-only and malformed requests; for state changes, the
  // validated ControlCommand is returned through `command` and the reply comes from the core.
  // Public for tests.
  [[nodiscard]] std::string handle(const std::string& line, bool& needs_core, ControlCommand& command);

  [[nodiscard]] const AdminStats& stats() const noexcept { return stats_; }
  [[nodiscard]] const std::string& path() const noexcept { return config_.socket; }

  std::chrono::milliseconds core_timeout{2000};
  // A connection whose unsent replies make no progress for this long is closed.
  std::chrono::milliseconds slow_reader_timeout{5000};

 private:
  struct Client {
    int fd = -1;
    std::uint32_t uid = 0;  // the peer (SO_PEERCRED), carried with its commands into the journal
    std::int32_t pid = 0;
    std::string in;
    std::string out;
    std::uint64_t waiting_for = 0;  // request id sent to the core, 0 when none
    std::chrono::steady_clock::time_point deadline{};
    std::string waiting_cmd;
    bool http = false;     // a metrics scrape: one request, one response, close
    bool closing = false;  // answered with an error: send what is queued, read nothing more, close
    bool eof = false;      // the peer sent all it will: answer what is complete, then close
    std::chrono::steady_clock::time_point stalled_since{};  // first send that made no progress; {} = none
  };

  bool peer_allowed(int fd) const;
  [[nodiscard]] std::size_t open_connections() const noexcept;
  [[nodiscard]] bool at_capacity();
  [[nodiscard]] static bool wants_input(const Client& c) noexcept;
  void check_line_length(Client& c);
  void accept_clients();
  void read_client(Client& c);
  void process_lines(Client& c);
  void drain_core_replies();
  void flush(Client& c);
  void accept_http();
  void serve_http(Client& c);

  AdminConfig config_;
  TripleBuffer<CoreSnapshot>& snapshots_;
  ControlRing& to_core_;
  ControlReplyRing& from_core_;
  std::vector<std::string> strategy_names_;
  int listen_fd_ = -1;
  dev_t socket_dev_ = 0;  // the socket file open() created, which close() removes
  ino_t socket_ino_ = 0;
  int metrics_fd_ = -1;
  std::uint16_t metrics_port_ = 0;
  std::vector<Client> clients_;
  std::uint64_t next_request_id_ = 1;
  AdminStats stats_;
  std::chrono::steady_clock::time_point last_refusal_log_{};
};

}  // namespace odte::daemon
