#include "odte/daemon/admin_server.hpp"
#include "odte/daemon/lifecycle.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "odte/daemon/config.hpp"
#include "odte/daemon/event_log.hpp"  // new_york_time
#include "odte/daemon/metrics.hpp"
#include "odte/feeds/parser.hpp"

namespace odte::daemon {

// ordered: a reply's keys (a table's columns) come in the order written here, not sorted.
using json = nlohmann::ordered_json;

namespace {

constexpr const char* kCommands =
    "status, positions, orders, pnl, risk [show | set KEY VALUE], strategies [list | enable NAME | disable NAME], "
    "pause, resume, flatten, kill [flatten], unkill, metrics, help";

std::string error_reply(std::string_view message) {
  return json{{"ok", false}, {"error", message}}.dump() + "\n";
}

std::string ok_reply(std::string_view cmd, json result) {
  return json{{"ok", true}, {"cmd", cmd}, {"result", std::move(result)}}.dump() + "\n";
}

double dollars(Price p) { return p.valid() ? p.to_double() : 0.0; }

json pnl_json(const PnlTotals& t) {
  return json{{"realized", dollars(t.realized)},
              {"unrealized", dollars(t.unrealized)},
              {"fees", dollars(t.fees)},
              {"net", dollars(t.net())},
              {"open_positions", t.open_positions}};
}

std::string minute_text(std::int16_t m) {
  if (m < 0) return "none";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", m / 60, m % 60);
  return buf;
}

json rejections_json(const CoreSnapshot& s) {
  json r = json::object();
  for (std::size_t i = 1; i < static_cast<std::size_t>(RiskReason::kCount); ++i) {
    r[std::string(to_string(static_cast<RiskReason>(i)))] = s.rejections[i];
  }
  return r;
}

json risk_json(const CoreSnapshot& s) {
  json windows = json::array();
  for (std::size_t i = 0; i < s.limits.no_trade_window_count && i < s.limits.no_trade_windows.size(); ++i) {
    windows.push_back(minute_text(s.limits.no_trade_windows[i].start_minute) + "-" +
                      minute_text(s.limits.no_trade_windows[i].end_minute));
  }
  return json{{"killed", s.killed},
              {"paused", s.paused},
              {"limits",
               {{"max_risk_fraction", s.limits.max_risk_fraction},
                {"daily_loss_limit", dollars(s.limits.daily_loss_limit)},
                {"max_open_positions", s.limits.max_open_positions},
                {"max_orders_per_second", s.limits.max_orders_per_second},
                {"price_band_abs", dollars(s.limits.price_band_abs)},
                {"price_band_fraction", s.limits.price_band_fraction},
                {"allow_undefined_risk", s.limits.allow_undefined_risk},
                {"undefined_risk_stress", s.limits.undefined_risk_stress},
                {"no_trade_windows", windows},
                {"profit_target_fraction", s.exits.profit_target_fraction},
                {"stop_credit_multiple", s.exits.stop_credit_multiple},
                {"debit_stop_fraction", s.exits.debit_stop_fraction},
                {"exit_time", minute_text(s.exits.exit_minute)}}},
              {"rejections", rejections_json(s)}};
}

}  // namespace

AdminServer::AdminServer(AdminConfig config, TripleBuffer<CoreSnapshot>& snapshots, ControlRing& to_core,
                         ControlReplyRing& from_core, std::vector<std::string> strategy_names)
    : config_{std::move(config)},
      snapshots_{snapshots},
      to_core_{to_core},
      from_core_{from_core},
      strategy_names_{std::move(strategy_names)} {}

AdminServer::~AdminServer() { close(); }

std::error_code AdminServer::open() {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (config_.socket.empty() || config_.socket.size() >= sizeof(addr.sun_path)) {
    return std::make_error_code(std::errc::filename_too_long);
  }
  std::memcpy(addr.sun_path, config_.socket.data(), config_.socket.size());
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listen_fd_ < 0) return {errno, std::generic_category()};
  // A socket file left by a previous run (crash) would make bind fail; remove only sockets.
  struct stat st{};
  if (::lstat(config_.socket.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(config_.socket.c_str());
  const mode_t old_mask = ::umask(0117);  // created as 0660 without a window where it is wider
  const int rc = ::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  ::umask(old_mask);
  if (rc != 0 || ::lstat(config_.socket.c_str(), &st) != 0 || ::chmod(config_.socket.c_str(), 0660) != 0 ||
      ::listen(listen_fd_, 16) != 0) {
    const std::error_code ec{errno, std::generic_category()};
    ::close(listen_fd_);
    listen_fd_ = -1;
    return ec;
  }
  // The socket file this instance created: close() removes that one and no other.
  socket_dev_ = st.st_dev;
  socket_ino_ = st.st_ino;
  return {};
}

std::error_code AdminServer::open_metrics(std::uint16_t port, const std::string& bind) {
  sockaddr_storage addr{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (::inet_pton(AF_INET, bind.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof *v4;
  } else if (::inet_pton(AF_INET6, bind.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof *v6;
  } else {
    return std::make_error_code(std::errc::invalid_argument);
  }
  metrics_fd_ = ::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (metrics_fd_ < 0) return {errno, std::generic_category()};
  const int one = 1;
  ::setsockopt(metrics_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(metrics_fd_, reinterpret_cast<const sockaddr*>(&addr), len) != 0 || ::listen(metrics_fd_, 16) != 0 ||
      ::getsockname(metrics_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::error_code ec{errno, std::generic_category()};
    ::close(metrics_fd_);
    metrics_fd_ = -1;
    return ec;
  }
  metrics_port_ = ntohs(addr.ss_family == AF_INET ? v4->sin_port : v6->sin6_port);
  return {};
}

void AdminServer::accept_http() {
  for (;;) {
    const int fd = ::accept4(metrics_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    if (at_capacity()) {
      static constexpr std::string_view kBusy =
          "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
      (void)!::send(fd, kBusy.data(), kBusy.size(), MSG_NOSIGNAL);
      ::close(fd);
      continue;
    }
    Client c;
    c.fd = fd;
    c.http = true;
    clients_.push_back(std::move(c));
  }
}

void AdminServer::serve_http(Client& c) {
  if (!c.out.empty() || c.fd < 0) return;  // already answered
  const auto end = c.in.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (c.in.size() > 8192) {
      c.out = "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
    }
    return;
  }
  const std::string line = c.in.substr(0, c.in.find("\r\n"));
  std::string status;
  std::string body;
  if (line.rfind("GET /metrics ", 0) == 0 || line == "GET /metrics") {
    const CoreSnapshot* snap = nullptr;
    if (snapshots_.read(snap)) {
      status = "200 OK";
      body = prometheus_text(*snap, stats_);
    } else {
      status = "503 Service Unavailable";
      body = "the core has not published its state yet\n";
    }
  } else if (line.rfind("GET ", 0) == 0) {
    status = "404 Not Found";
    body = "only /metrics is served here\n";
  } else {
    status = "405 Method Not Allowed";
    body = "only GET /metrics is served here\n";
  }
  c.out = "HTTP/1.1 " + status + "\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: " +
          std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  c.in.clear();
}

void AdminServer::close() {
  for (Client& c : clients_) ::close(c.fd);
  clients_.clear();
  if (metrics_fd_ >= 0) {
    ::close(metrics_fd_);
    metrics_fd_ = -1;
  }
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
    // Only the socket this instance created: one put in its place since (another process's) stays.
    struct stat st{};
    if (::lstat(config_.socket.c_str(), &st) == 0 && st.st_dev == socket_dev_ && st.st_ino == socket_ino_) {
      ::unlink(config_.socket.c_str());
    }
  }
}

bool AdminServer::peer_allowed(int fd) const {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return false;
  if (cred.uid == ::geteuid()) return true;
  if (std::find(config_.allowed_uids.begin(), config_.allowed_uids.end(), cred.uid) != config_.allowed_uids.end()) {
    return true;
  }
  if (std::find(config_.allowed_gids.begin(), config_.allowed_gids.end(), cred.gid) != config_.allowed_gids.end()) {
    return true;
  }
  // Supplementary groups of the peer (Linux 4.13+): an operator in the allowed group need not
  // have it as primary group.
  gid_t groups[64];
  socklen_t glen = sizeof groups;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) == 0) {
    for (std::size_t i = 0; i < glen / sizeof(gid_t); ++i) {
      if (std::find(config_.allowed_gids.begin(), config_.allowed_gids.end(), groups[i]) != config_.allowed_gids.end()) {
        return true;
      }
    }
  }
  return false;
}

void AdminServer::accept_clients() {
  for (;;) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    ++stats_.connections;
    if (!peer_allowed(fd)) {
      ++stats_.denied;
      const std::string reply = error_reply("permission denied: this uid/gid is not allowed on the admin socket");
      (void)!::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
      ::close(fd);
      continue;
    }
    if (at_capacity()) {
      const std::string reply = error_reply("too many admin connections: " + std::to_string(config_.max_connections) +
                                            " are open (admin.max_connections); try again later");
      (void)!::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
      ::close(fd);
      continue;
    }
    Client c;
    c.fd = fd;
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
      c.uid = cred.uid;
      c.pid = cred.pid;
    }
    clients_.push_back(std::move(c));
  }
}

std::size_t AdminServer::open_connections() const noexcept {
  return static_cast<std::size_t>(std::count_if(clients_.begin(), clients_.end(), [](const Client& c) { return c.fd >= 0; }));
}

// True (counted, logged at most once a second) when one more connection would pass the cap.
bool AdminServer::at_capacity() {
  if (open_connections() < config_.max_connections) return false;
  ++stats_.refused;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_refusal_log_ >= std::chrono::seconds(1)) {
    last_refusal_log_ = now;
    spdlog::warn("admin: connection refused: {} open, admin.max_connections = {} ({} refused so far)", open_connections(),
                 config_.max_connections, stats_.refused);
  }
  return true;
}

// Input is taken only while the connection has no complete request waiting and its replies are
// being read: what a client sends beyond that waits in the kernel, which stops the client.
bool AdminServer::wants_input(const Client& c) noexcept {
  if (c.fd < 0 || c.closing || c.eof) return false;
  if (c.http) return c.out.empty() && c.in.size() <= 8192 && c.in.find("\r\n\r\n") == std::string::npos;
  return c.out.size() < kMaxPendingOutput && c.in.find('\n') == std::string::npos;
}

// A request line (complete or not) longer than kMaxLine: an error, and the connection is closed.
// Nothing of it, nor anything after it, is executed.
void AdminServer::check_line_length(Client& c) {
  const auto nl = c.in.find('\n');
  if ((nl == std::string::npos ? c.in.size() : nl) <= kMaxLine) return;
  ++stats_.errors;
  ++stats_.overlong;
  spdlog::warn("admin: a request line longer than {} bytes; nothing of it executed, connection closed", kMaxLine);
  c.out += error_reply("request line longer than 64 KiB: nothing of it was executed; closing the connection");
  c.in.clear();
  c.in.shrink_to_fit();
  c.closing = true;
}

void AdminServer::read_client(Client& c) {
  char buf[4096];
  while (wants_input(c)) {
    const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n > 0) {
      c.in.append(buf, static_cast<std::size_t>(n));
      if (!c.http) check_line_length(c);
      continue;
    }
    if (n == 0) {
      c.eof = true;
      return;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      ::close(c.fd);
      c.fd = -1;
    }
    return;
  }
}

void AdminServer::process_lines(Client& c) {
  // One request at a time: the next waits for the core's answer to a state change, and for the
  // client to read what is already queued beyond kMaxPendingOutput.
  while (!c.closing && c.waiting_for == 0 && c.out.size() < kMaxPendingOutput) {
    const auto nl = c.in.find('\n');
    if (nl == std::string::npos) return;
    std::string line = c.in.substr(0, nl);
    c.in.erase(0, nl + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    ++stats_.requests;
    bool needs_core = false;
    ControlCommand cmd{};
    std::string reply = handle(line, needs_core, cmd);
    if (!needs_core) {
      c.out += reply;
      continue;
    }
    cmd.request_id = next_request_id_++;
    cmd.peer_uid = c.uid;
    cmd.peer_pid = c.pid;
    if (!to_core_.try_push(cmd)) {
      ++stats_.errors;
      c.out += error_reply("the core's command ring is full; nothing was changed, try again");
      continue;
    }
    c.waiting_for = cmd.request_id;
    c.waiting_cmd = std::string(to_string(cmd.kind));
    c.deadline = std::chrono::steady_clock::now() + core_timeout;
  }
}

void AdminServer::drain_core_replies() {
  from_core_.drain([this](const ControlReply& r) {
    for (Client& c : clients_) {
      if (c.waiting_for != r.request_id) continue;
      c.out += r.ok ? ok_reply(c.waiting_cmd, json{{"message", r.message}}) : error_reply(r.message);
      if (!r.ok) ++stats_.errors;
      c.waiting_for = 0;
    }
  });
  const auto now = std::chrono::steady_clock::now();
  for (Client& c : clients_) {
    if (c.waiting_for != 0 && now >= c.deadline) {
      ++stats_.core_timeouts;
      c.out += error_reply("the core did not answer within " + std::to_string(core_timeout.count()) +
                           " ms; the command may still take effect, check status");
      c.waiting_for = 0;
    }
  }
}

void AdminServer::flush(Client& c) {
  stats_.max_pending_output = std::max(stats_.max_pending_output, c.out.size());
  while (!c.out.empty() && c.fd >= 0) {
    const ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n > 0) {
      c.out.erase(0, static_cast<std::size_t>(n));
      c.stalled_since = {};
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      const auto now = std::chrono::steady_clock::now();
      if (c.stalled_since == std::chrono::steady_clock::time_point{}) c.stalled_since = now;
      if (now - c.stalled_since >= slow_reader_timeout) {
        ++stats_.slow_readers;
        spdlog::warn("admin: a client left {} bytes of replies unread for {} ms; connection closed", c.out.size(),
                     slow_reader_timeout.count());
        ::close(c.fd);
        c.fd = -1;
      }
      return;
    }
    ::close(c.fd);
    c.fd = -1;
  }
  if (c.out.empty()) c.stalled_since = {};
}

int AdminServer::do_work() {
  if (listen_fd_ < 0) return 0;
  std::vector<pollfd> fds;
  fds.reserve(clients_.size() + 2);
  fds.push_back(pollfd{listen_fd_, POLLIN, 0});
  fds.push_back(pollfd{metrics_fd_, POLLIN, 0});  // a negative fd is ignored by poll
  for (const Client& c : clients_) {
    const short events = static_cast<short>((wants_input(c) ? POLLIN : 0) | (c.out.empty() ? 0 : POLLOUT));
    fds.push_back(pollfd{c.fd, events, 0});
  }
  const int ready = ::poll(fds.data(), fds.size(), 10);
  const std::uint64_t before = stats_.requests;
  if (ready > 0) {
    for (std::size_t i = 2; i < fds.size() && i - 2 < clients_.size(); ++i) {
      Client& c = clients_[i - 2];
      const short rev = fds[i].revents;
      if ((rev & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      if ((fds[i].events & POLLIN) != 0) {
        read_client(c);
      } else if ((rev & (POLLHUP | POLLERR)) != 0 && c.fd >= 0) {
        ::close(c.fd);  // gone both ways: nobody reads a reply
        c.fd = -1;
      }
    }
    // Accepted after the old connections were looked at: the cap counts only open ones.
    clients_.erase(std::remove_if(clients_.begin(), clients_.end(), [](const Client& c) { return c.fd < 0; }),
                   clients_.end());
    if ((fds[0].revents & POLLIN) != 0) accept_clients();
    if ((fds[1].revents & POLLIN) != 0) accept_http();
  }
  drain_core_replies();
  for (Client& c : clients_) {
    if (c.fd >= 0 && c.http) {
      serve_http(c);
      const bool answered = !c.out.empty();
      flush(c);
      if (c.fd >= 0 && ((answered && c.out.empty()) || (c.eof && c.out.empty()))) {
        ::close(c.fd);
        c.fd = -1;
      }
      continue;
    }
    if (c.fd >= 0) process_lines(c);
    if (c.fd >= 0) flush(c);
    // Done with: an error that closes it, answered; or the peer's last request answered.
    const bool idle = c.out.empty() && c.waiting_for == 0;
    if (c.fd >= 0 && idle && (c.closing || (c.eof && c.in.find('\n') == std::string::npos))) {
      ::close(c.fd);
      c.fd = -1;
    }
  }
  clients_.erase(std::remove_if(clients_.begin(), clients_.end(), [](const Client& c) { return c.fd < 0; }),
                 clients_.end());
  return static_cast<int>(stats_.requests - before);
}

std::string AdminServer::handle(const std::string& line, bool& needs_core, ControlCommand& command) {
  needs_core = false;
  const json req = json::parse(line, nullptr, false);
  if (req.is_discarded() || !req.is_object()) {
    ++stats_.errors;
    return error_reply("malformed request: expected one JSON object per line, {\"cmd\":\"status\",\"args\":[]}");
  }
  const auto cmd_it = req.find("cmd");
  if (cmd_it == req.end() || !cmd_it->is_string()) {
    ++stats_.errors;
    return error_reply("malformed request: \"cmd\" must be a string; commands: " + std::string(kCommands));
  }
  std::vector<std::string> args;
  if (const auto a = req.find("args"); a != req.end()) {
    if (!a->is_array()) {
      ++stats_.errors;
      return error_reply("malformed request: \"args\" must be an array of strings");
    }
    for (const auto& v : *a) {
      if (!v.is_string()) {
        ++stats_.errors;
        return error_reply("malformed request: \"args\" must be an array of strings");
      }
      args.push_back(v.get<std::string>());
    }
  }
  for (const auto& [key, value] : req.items()) {
    (void)value;
    if (key != "cmd" && key != "args") {
      ++stats_.errors;
      return error_reply("malformed request: unknown field \"" + key + "\"");
    }
  }
  const std::string cmd = cmd_it->get<std::string>();
  auto refuse = [this](const std::string& why) {
    ++stats_.errors;
    return error_reply(why);
  };
  auto no_args = [&]() { return args.empty(); };

  if (cmd == "help") return ok_reply(cmd, json{{"commands", kCommands}});

  // State changes: validated here, applied by the core.
  std::memset(static_cast<void*>(&command), 0, sizeof command);
  if (cmd == "pause" || cmd == "resume" || cmd == "flatten" || cmd == "unkill") {
    if (!no_args()) return refuse(cmd + " takes no arguments");
    command.kind = cmd == "pause"     ? ControlKind::kPause
                   : cmd == "resume"  ? ControlKind::kResume
                   : cmd == "flatten" ? ControlKind::kFlatten
                                      : ControlKind::kUnkill;
    needs_core = true;
    return {};
  }
  if (cmd == "kill") {
    if (!(args.empty() || (args.size() == 1 && args[0] == "flatten"))) return refuse("usage: kill [flatten]");
    command.kind = ControlKind::kKill;
    command.flatten = !args.empty();
    needs_core = true;
    return {};
  }

  const CoreSnapshot* snap = nullptr;
  const bool have = snapshots_.read(snap);

  if (cmd == "strategies" && args.size() == 2 && (args[0] == "enable" || args[0] == "disable")) {
    const auto it = std::find(strategy_names_.begin(), strategy_names_.end(), args[1]);
    if (it == strategy_names_.end()) {
      std::string known;
      for (const auto& n : strategy_names_) known += (known.empty() ? "" : ", ") + n;
      return refuse("unknown strategy \"" + args[1] + "\"; configured: " + (known.empty() ? "(none)" : known));
    }
    command.kind = args[0] == "enable" ? ControlKind::kEnableStrategy : ControlKind::kDisableStrategy;
    command.strategy = static_cast<std::uint16_t>(it - strategy_names_.begin());
    needs_core = true;
    return {};
  }
  if (cmd == "risk" && !args.empty() && args[0] == "set") {
    if (args.size() != 3) return refuse("usage: risk set KEY VALUE");
    if (!have) return refuse("the core has not published its state yet; try again in a moment");
    const RiskSetting s = set_risk_value(snap->limits, snap->exits, args[1], args[2]);
    if (!s.ok) return refuse(s.error);
    command.kind = ControlKind::kSetRiskLimits;
    command.limits = s.limits;
    command.exits = s.exits;
    needs_core = true;
    return {};
  }

  // Read-only: answered from the newest snapshot.
  const bool known_read = cmd == "status" || cmd == "positions" || cmd == "orders" || cmd == "pnl" ||
                          cmd == "risk" || cmd == "strategies" || cmd == "metrics";
  if (!known_read) return refuse("unknown command \"" + cmd + "\"; commands: " + kCommands);
  if (cmd == "risk" && !(args.empty() || (args.size() == 1 && args[0] == "show"))) {
    return refuse("usage: risk [show | set KEY VALUE]");
  }
  if (cmd == "strategies" && !(args.empty() || (args.size() == 1 && args[0] == "list"))) {
    return refuse("usage: strategies [list | enable NAME | disable NAME]");
  }
  if (cmd != "risk" && cmd != "strategies" && !no_args()) return refuse(cmd + " takes no arguments");
  if (!have) return refuse("the core has not published its state yet; try again in a moment");
  const CoreSnapshot& s = *snap;
  auto strategy_name = [&](std::uint16_t i) {
    return i < s.strategy_count ? std::string(s.strategies[i].name) : std::to_string(i);
  };

  if (cmd == "status") {
    std::uint32_t live = 0;
    for (std::uint32_t i = 0; i < s.order_count && i < kSnapshotOrders; ++i) live += is_terminal(s.orders[i].state) ? 0u : 1u;
    const std::string_view mode = s.mode == 0 ? std::string_view("starting") : to_string(static_cast<Mode>(s.mode));
    json reply{{"state", to_string(s.state)},
                              {"mode", mode},
                              {"killed", s.killed},
                              {"paused", s.paused},
                              {"published_ns", s.published_ns},
                              {"snapshot_seq", s.seq},
                              {"equity", dollars(s.equity)},
                              {"pnl", pnl_json(s.pnl)},
                              {"live_orders", live},
                              {"events_processed", s.events_processed},
                              {"intents", s.intents},
                              {"orders_sent", s.orders_sent},
                              {"fills", s.fills}};
    // The daily lifecycle (live modes with journal_dir): the day's state and what comes next, in
    // New York time.
    if (s.lifecycle.state != LifecycleState::kNone) {
      const LifecycleSnapshot& l = s.lifecycle;
      json lc{{"state", to_string(l.state)}, {"trading_day", iso_day(l.trading_day)}};
      if (l.next_ns != 0) {
        lc["next"] = to_string(l.next_state);
        lc["next_at"] = new_york_text(l.next_ns) + " New York";
        lc["next_ns"] = l.next_ns;
      }
      reply["lifecycle"] = std::move(lc);
    }
    return ok_reply(cmd, reply);
  }
  if (cmd == "positions") {
    // Per strategy: its legs, then one line with its P&L, max loss at expiry and greeks in
    // dollars; then the total. Columns in a fixed order; times in New York time.
    auto greeks = [](json& row, const DollarGreeks& g) {
      row["delta_usd"] = std::round(g.delta);
      row["gamma_usd"] = std::round(g.gamma);
      row["theta_usd"] = std::round(g.theta);
      row["vega_usd"] = std::round(g.vega);
      if (g.partial) row["greeks"] = "partial";
    };
    json legs = json::array();
    for (std::uint32_t i = 0; i < s.position_count && i < kSnapshotPositions; ++i) {
      const PositionSnapshot& p = s.positions[i];
      json row{{"strategy", strategy_name(p.strategy)},
               {"symbol", p.symbol},
               {"quantity", p.quantity},
               {"mark", dollars(p.mark)},
               {"iv", std::round(p.iv * 10000.0) / 10000.0},
               {"unrealized", dollars(p.unrealized)},
               {"realized", dollars(p.realized)},
               {"fees", dollars(p.fees)}};
      greeks(row, p.greeks);
      legs.push_back(std::move(row));
    }
    json strategies = json::array();
    for (std::uint32_t i = 0; i < s.strategy_count && i < kSnapshotStrategies; ++i) {
      const StrategySnapshot& st = s.strategies[i];
      json row{{"strategy", st.name},
               {"open_legs", 0},
               {"unrealized", dollars(st.pnl.unrealized)},
               {"realized", dollars(st.pnl.realized)},
               {"fees", dollars(st.pnl.fees)},
               {"net", dollars(st.pnl.net())},
               {"max_loss", dollars(st.max_loss)},
               {"max_loss_bounded", st.max_loss_defined}};
      greeks(row, st.greeks);
      strategies.push_back(std::move(row));
    }
    for (std::uint32_t i = 0; i < s.position_count && i < kSnapshotPositions; ++i) {
      const PositionSnapshot& p = s.positions[i];
      if (p.quantity != 0 && p.strategy < strategies.size()) strategies[p.strategy]["open_legs"] = strategies[p.strategy]["open_legs"].get<int>() + 1;
    }
    json total{{"unrealized", dollars(s.pnl.unrealized)},
               {"realized", dollars(s.pnl.realized)},
               {"fees", dollars(s.pnl.fees)},
               {"net", dollars(s.pnl.net())},
               {"max_loss", dollars(s.max_loss)},
               {"max_loss_bounded", s.max_loss_defined}};
    greeks(total, s.greeks);
    return ok_reply(cmd, json{{"as_of_et", s.published_ns > 0 ? daemon::new_york_time(s.published_ns) : std::string("-")},
                              {"legs", std::move(legs)},
                              {"strategies", std::move(strategies)},
                              {"total", std::move(total)}});
  }
  if (cmd == "orders") {
    json rows = json::array();
    for (std::uint32_t i = 0; i < s.order_count && i < kSnapshotOrders; ++i) {
      const OrderSnapshot& o = s.orders[i];
      rows.push_back(json{{"id", o.id.to_string()},
                          {"strategy", strategy_name(o.strategy)},
                          {"state", to_string(o.state)},
                          {"legs", o.leg_count},
                          {"quantity", o.quantity},
                          {"filled", o.filled},
                          {"limit", dollars(o.limit)},
                          {"legged", o.legged},
                          {"created_ns", o.created_ns}});
    }
    return ok_reply(cmd, rows);
  }
  if (cmd == "pnl") {
    json per = json::array();
    for (std::uint32_t i = 0; i < s.strategy_count && i < kSnapshotStrategies; ++i) {
      json row = pnl_json(s.strategies[i].pnl);
      row["strategy"] = s.strategies[i].name;
      per.push_back(row);
    }
    return ok_reply(cmd, json{{"total", pnl_json(s.pnl)}, {"strategies", per}});
  }
  if (cmd == "risk") return ok_reply(cmd, risk_json(s));
  if (cmd == "strategies") {
    json rows = json::array();
    for (std::uint32_t i = 0; i < s.strategy_count && i < kSnapshotStrategies; ++i) {
      const StrategySnapshot& st = s.strategies[i];
      rows.push_back(json{{"name", st.name},
                          {"enabled", st.enabled},
                          {"state", st.state},
                          {"intents", st.intents},
                          {"rejected", st.rejected},
                          {"net", dollars(st.pnl.net())}});
    }
    return ok_reply(cmd, rows);
  }
  // metrics
  json feeds = json::array();
  for (int i = 0; i < kStreamCount; ++i) {
    const FeedSnapshot& f = s.feeds[i];
    json bad = json::object();  // the kinds seen, by name
    for (std::size_t k = 0; k < kFeedErrorKinds; ++k) {
      if (f.errors_by_kind[k] != 0) bad[std::string(feeds::to_string(static_cast<feeds::ErrorKind>(k)))] = f.errors_by_kind[k];
    }
    json rejected = json::object();  // the market-data guard's rejections, by kind
    for (std::size_t k = 0; k < kBadTickKinds; ++k) {
      if (f.rejected_by_kind[k] != 0) rejected[std::string(to_string(static_cast<BadTick>(k)))] = f.rejected_by_kind[k];
    }
    feeds.push_back(json{{"stream", to_string(static_cast<StreamId>(i))},
                         {"events", f.events},
                         {"ring_drops", f.ring_drops},
                         {"parse_errors", f.parse_errors},
                         {"bad_input", bad},
                         {"rejected", rejected},
                         {"ring_depth", f.ring_depth},
                         {"connected", f.connected},
                         {"stale", f.stale},
                         {"last_event_ns", f.last_event_ns}});
  }
  json journal = nullptr;  // replay journals on the core thread: no journal thread to show
  if (s.journal.attached) {
    const JournalSnapshot& j = s.journal;
    journal = json{{"failed", j.failed},           {"queued", j.queued},
                   {"appended", j.appended},       {"written", j.written},
                   {"durable", j.durable},         {"writes", j.writes},
                   {"syncs", j.syncs},             {"full_waits", j.full_waits},
                   {"held_commands", j.held_commands}, {"commands_sent", j.commands_sent},
                   {"back_pressure", j.back_pressure}, {"broker_refused", j.broker_refused},
                   {"discarded", j.discarded}};
  }
  return ok_reply(cmd, json{{"feeds", feeds},
                            {"journal", journal},
                            {"events_processed", s.events_processed},
                            {"intents", s.intents},
                            {"orders_sent", s.orders_sent},
                            {"fills", s.fills},
                            {"rejections", rejections_json(s)},
                            {"admin",
                             {{"connections", stats_.connections},
                              {"denied", stats_.denied},
                              {"requests", stats_.requests},
                              {"errors", stats_.errors},
                              {"core_timeouts", stats_.core_timeouts},
                              {"refused", stats_.refused},
                              {"overlong", stats_.overlong},
                              {"slow_readers", stats_.slow_readers}}}});
}

}  // namespace odte::daemon
