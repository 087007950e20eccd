#include "odte/daemon/admin_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "odte/feeds/json_scan.hpp"

namespace odte::admin {

std::string json_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  feeds::json::append_escaped(out, text);
  out += '"';
  return out;
}

std::string encode_request(std::string_view command, const std::vector<std::string>& args) {
  std::string out = "{\"cmd\":";
  out += json_quote(command);
  out += ",\"args\":[";
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i != 0) out += ',';
    out += json_quote(args[i]);
  }
  out += "]}\n";
  return out;
}

namespace {

class Fd {
 public:
  explicit Fd(int fd) noexcept : fd_{fd} {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const noexcept { return fd_; }

 private:
  int fd_;
};

Reply fail(std::string what, int err) {
  Reply r;
  r.error = std::error_code(err, std::generic_category());
  r.what = std::move(what);
  return r;
}

// Waits until `fd` is ready for `events` or the deadline passes.
int wait_ready(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return ETIMEDOUT;
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0) return 0;
    if (n == 0) return ETIMEDOUT;
    if (errno != EINTR) return errno;
  }
}

}  // namespace

Reply exchange(const std::string& socket_path, std::string_view request,
               std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof(addr.sun_path)) {
    return fail("socket path longer than " + std::to_string(sizeof(addr.sun_path) - 1) + " bytes",
                ENAMETOOLONG);
  }
  std::memcpy(addr.sun_path, socket_path.data(), socket_path.size());

  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return fail("socket", errno);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    return fail("connect to " + socket_path, errno);
  }

  std::size_t sent = 0;
  int send_error = 0;
  while (sent < request.size()) {
    if (const int err = wait_ready(fd.get(), POLLOUT, deadline); err != 0) return fail("send", err);
    const ssize_t n = ::send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      // The daemon may have answered and closed before reading (e.g. a refused peer): its
      // reply is still waiting in the socket, and it says more than "broken pipe".
      send_error = errno;
      break;
    }
    sent += static_cast<std::size_t>(n);
  }
  constexpr std::size_t kMaxReply = 16u << 20;
  Reply reply;
  char buf[4096];
  for (;;) {
    if (const int err = wait_ready(fd.get(), POLLIN, deadline); err != 0) {
      return fail("waiting for the reply", err);
    }
    const ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return fail(send_error != 0 ? "send" : "recv", send_error != 0 ? send_error : errno);
    }
    if (n == 0) {
      if (send_error != 0) return fail("send", send_error);
      return fail("the daemon closed the connection before a full reply line", ECONNRESET);
    }
    const std::string_view chunk(buf, static_cast<std::size_t>(n));
    if (const auto nl = chunk.find('\n'); nl != std::string_view::npos) {
      reply.line.append(chunk.substr(0, nl));
      return reply;
    }
    reply.line.append(chunk);
    if (reply.line.size() > kMaxReply) return fail("reply longer than 16 MiB", EMSGSIZE);
  }
}

}  // namespace odte::admin
