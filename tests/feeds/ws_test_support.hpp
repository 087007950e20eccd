#pragma once

// What the network tests of feeds share: a loopback listening socket, the server half of a
// websocket upgrade written by hand (for peers that must misbehave in ways a library will not),
// and a sink that collects what a WsClient hands out.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "odte/feeds/ws_client.hpp"

namespace odte::feeds::test_support {

// A TCP socket listening on 127.0.0.1 on a free port (-1 and a failed expectation on error).
inline int listen_loopback(std::uint16_t& port, int backlog = 16) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  const bool ok = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(fd, backlog) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  EXPECT_TRUE(ok) << "cannot listen on loopback";
  if (!ok) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  port = ntohs(a.sin_port);
  return fd;
}

// Reads an HTTP request head (through the blank line) from a blocking socket; what arrived
// before EOF when the peer stops early.
inline std::string read_http_head(int fd) {
  std::string head;
  char buf[2048];
  while (head.find("\r\n\r\n") == std::string::npos) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    head.append(buf, static_cast<std::size_t>(n));
  }
  return head;
}

// The 101 answer to a websocket upgrade request head: Sec-WebSocket-Accept = base64(SHA-1(key +
// the RFC 6455 GUID)), or a wrong one when asked. Empty when the head has no key.
inline std::string upgrade_reply(std::string_view head, bool wrong_accept = false) {
  constexpr std::string_view tag = "Sec-WebSocket-Key: ";
  const std::size_t k = head.find(tag);
  if (k == std::string_view::npos) return {};
  const std::size_t end = head.find("\r\n", k);
  std::string key = std::string(head.substr(k + tag.size(), end - k - tag.size())) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  if (wrong_accept) key += "x";
  unsigned char sha[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(key.data()), key.size(), sha);
  unsigned char accept[64] = {};
  EVP_EncodeBlock(accept, sha, SHA_DIGEST_LENGTH);
  return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Accept: " + std::string(reinterpret_cast<char*>(accept)) + "\r\n\r\n";
}

// Collects what a WsClient hands out, under a lock: data frames (status frames are left out),
// statuses, log lines. `check`, when set, sees every frame first (on the feed thread).
struct ClientSink {
  std::mutex m;
  std::vector<std::string> frames;
  std::vector<StatusCode> statuses;
  std::vector<std::string> status_words;
  std::vector<std::string> logs;
  std::function<void(const RawFrame&)> check;

  FrameHandler on_frame() {
    return [this](const RawFrame& f) {
      if (check) check(f);
      if (f.has_status) return;
      const std::lock_guard l(m);
      frames.emplace_back(f.data);
    };
  }
  StatusHandler on_status() {
    return [this](const StatusReport& r) {
      const std::lock_guard l(m);
      statuses.push_back(r.code);
      status_words.emplace_back(r.status);
    };
  }
  LogHandler on_log() {
    return [this](LogLevel, std::string_view text) {
      const std::lock_guard l(m);
      logs.emplace_back(text);
    };
  }
  std::size_t frame_count() {
    const std::lock_guard l(m);
    return frames.size();
  }
  std::size_t status_count(std::string_view word) {
    const std::lock_guard l(m);
    return static_cast<std::size_t>(std::count(status_words.begin(), status_words.end(), word));
  }
  std::size_t frames_containing(std::string_view text) {
    const std::lock_guard l(m);
    return static_cast<std::size_t>(std::count_if(frames.begin(), frames.end(), [&](const std::string& f) {
      return f.find(text) != std::string::npos;
    }));
  }
  bool logged(std::string_view needle) {
    const std::lock_guard l(m);
    return std::any_of(logs.begin(), logs.end(), [&](const std::string& line) { return line.find(needle) != std::string::npos; });
  }
  std::string all_frames() {
    const std::lock_guard l(m);
    std::string s;
    for (const auto& f : frames) s += f + "\n";
    return s;
  }
  std::string all_logs() {
    const std::lock_guard l(m);
    std::string s;
    for (const auto& line : logs) s += line + "\n";
    return s;
  }
};

}  // namespace odte::feeds::test_support
