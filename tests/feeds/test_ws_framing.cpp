// WsClient's websocket framing against a peer written by hand on a loopback socket, so every byte
// the server sends is chosen by the test: frames arriving together or split anywhere, fragmented
// messages, large frames, pings, closes, and what RFC 6455 says must fail the connection.

#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "odte/feeds/ws_client.hpp"
#include "ws_frames.hpp"
#include "ws_test_support.hpp"

namespace odte::feeds {
namespace {

using namespace std::chrono_literals;
constexpr std::string_view kKey = "test-KEY-framing";
constexpr std::string_view kConnected = R"([{"ev":"status","status":"connected","message":"hi"}])";

// One server frame (unmasked): FIN and opcode, then the length in the shortest form.
std::string frame(unsigned op, std::string_view payload, bool fin = true) {
  return test_support::server_frame((fin ? 0x80u : 0u) | op, payload);
}

std::string text(std::string_view payload) { return frame(0x1, payload); }

// The client's frames as the peer received them, unmasked.
struct ClientFrame {
  unsigned op;
  std::string payload;
};

// Accepts connections; answers each upgrade (with a wrong Sec-WebSocket-Accept when asked), then
// sends `script` in the pieces given, a few milliseconds apart, and records what the client sends.
class ScriptedPeer {
 public:
  explicit ScriptedPeer(std::vector<std::string> pieces, bool bad_accept = false)
      : pieces_{std::move(pieces)}, bad_accept_{bad_accept} {
    fd_ = test_support::listen_loopback(port_, 4);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedPeer() {
    stop_ = true;
    thread_.join();
    for (const int c : conns_) ::close(c);
    ::close(fd_);
  }
  [[nodiscard]] std::string url() const { return "ws://127.0.0.1:" + std::to_string(port_) + "/options"; }
  [[nodiscard]] int accepted() const { return accepted_.load(); }
  std::vector<ClientFrame> received() {
    const std::lock_guard l(m_);
    return received_;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 10) > 0) {
        const int c = ::accept(fd_, nullptr, nullptr);
        if (c >= 0) upgrade(c);
      }
      for (const int c : conns_) read_client(c);
    }
  }

  void upgrade(int c) {
    conns_.push_back(c);
    const std::string reply = test_support::upgrade_reply(test_support::read_http_head(c), bad_accept_);
    if (reply.empty()) return;
    // The answer and the first piece in one write: frames right behind the upgrade answer.
    std::string first = reply + (pieces_.empty() ? std::string() : pieces_.front());
    (void)::send(c, first.data(), first.size(), MSG_NOSIGNAL);
    for (std::size_t i = 1; i < pieces_.size(); ++i) {
      std::this_thread::sleep_for(3ms);
      (void)::send(c, pieces_[i].data(), pieces_[i].size(), MSG_NOSIGNAL);
    }
    accepted_.fetch_add(1);
  }

  // Unmasks whatever complete frames the client has sent so far.
  void read_client(int c) {
    char buf[4096];
    const ssize_t n = ::recv(c, buf, sizeof buf, MSG_DONTWAIT);
    if (n <= 0) return;
    std::string& in = inbox_[c];
    in.append(buf, static_cast<std::size_t>(n));
    while (in.size() >= 6) {
      std::size_t len = static_cast<unsigned char>(in[1]) & 0x7Fu;
      std::size_t at = 2;
      if (len == 126) {
        len = (std::size_t{static_cast<unsigned char>(in[2])} << 8) | static_cast<unsigned char>(in[3]);
        at = 4;
      }
      if (in.size() < at + 4 + len) break;
      ClientFrame f{static_cast<unsigned char>(in[0]) & 0x0Fu, in.substr(at + 4, len)};
      for (std::size_t i = 0; i < len; ++i) f.payload[i] = static_cast<char>(f.payload[i] ^ in[at + (i & 3)]);
      in.erase(0, at + 4 + len);
      const std::lock_guard l(m_);
      received_.push_back(std::move(f));
    }
  }

  std::vector<std::string> pieces_;
  bool bad_accept_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
  std::vector<int> conns_;
  std::map<int, std::string> inbox_;
  std::mutex m_;
  std::vector<ClientFrame> received_;
};

// Runs a client against the peer until `done` holds (or 5 s), then stops it.
struct ClientRun : test_support::ClientSink {
  std::error_code result;            // run()'s, once `finished`
  std::atomic<bool> finished{false};

  template <typename Done>
  void against(const ScriptedPeer& peer, Done done, int max_reconnects = 0) {
    WsClientConfig cfg;
    cfg.url = peer.url();
    cfg.api_key = std::string(kKey);
    cfg.stream = StreamId::kOptions;
    cfg.backoff.initial = 10ms;
    cfg.max_reconnects = max_reconnects;
    cfg.handshake_timeout = 2s;
    cfg.max_frame_bytes = 1u << 20;
    // The padding promise: kFramePadding readable bytes after every frame (ASan checks it).
    check = [](const RawFrame& f) {
      volatile char past = f.data.data()[f.data.size() + kFramePadding - 1];
      (void)past;
    };
    WsClient client(cfg, on_frame(), {}, on_log());
    std::thread t([&] {
      result = client.run();
      finished = true;
    });
    const auto end = std::chrono::steady_clock::now() + 5s;
    while (!done(*this) && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(2ms);
    client.stop();
    t.join();
  }
};

std::string quote(int i) {
  return R"([{"ev":"Q","sym":"O:SPXW251125C0670000)" + std::to_string(i % 10) + R"(","bp":1.1,"ap":1.2,"t":1764081000000}])";
}

TEST(WsFraming, shouldHandOutEveryFrameOfOneSegmentAndFramesSplitAcrossSegments) {
  std::string all = text(kConnected);
  for (int i = 0; i < 40; ++i) all += text(quote(i));
  // The first piece ends in the middle of a frame header, the second in the middle of a payload.
  const std::size_t cut1 = text(kConnected).size() + 5 * text(quote(0)).size() + 1;
  const std::size_t cut2 = cut1 + 3 * text(quote(0)).size() + 20;
  ScriptedPeer peer({all.substr(0, cut1), all.substr(cut1, cut2 - cut1), all.substr(cut2)});
  ClientRun run;
  run.against(peer, [](ClientRun& r) { return r.frame_count() >= 40; });
  ASSERT_EQ(run.frames.size(), 40u);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(run.frames[static_cast<std::size_t>(i)], quote(i));
  EXPECT_FALSE(run.result);
}

TEST(WsFraming, shouldPutAFragmentedMessageTogetherAndAnswerAPingInBetween) {
  const std::string q = quote(7);
  const std::string parts = frame(0x1, q.substr(0, 10), false) + frame(0x9, "are-you-there") +
                            frame(0x0, q.substr(10, 30), false) + frame(0x0, q.substr(40), true);
  ScriptedPeer peer({text(kConnected), parts});
  ClientRun run;
  run.against(peer, [&](ClientRun& r) {
    if (r.frame_count() < 1) return false;
    for (const ClientFrame& f : peer.received()) {
      if (f.op == 0xA) return true;
    }
    return false;
  });
  ASSERT_EQ(run.frames.size(), 1u);
  EXPECT_EQ(run.frames[0], q);
  bool pong = false;
  bool auth = false;
  for (const ClientFrame& f : peer.received()) {
    pong |= f.op == 0xA && f.payload == "are-you-there";
    auth |= f.op == 0x1 && f.payload.find("\"auth\"") != std::string::npos;
  }
  EXPECT_TRUE(pong);
  EXPECT_TRUE(auth);  // the connected status behind the upgrade answer was acted on
}

TEST(WsFraming, shouldHandOutFramesLargerThanOneReadWhole) {
  std::string big = "[";
  for (int i = 0; i < 3000; ++i) big += (i ? "," : "") + quote(i).substr(1, quote(i).size() - 2);
  big += "]";
  ASSERT_GT(big.size(), 200'000u);  // more than one read of the client takes
  ScriptedPeer peer({text(kConnected) + text(big).substr(0, 1000), text(big).substr(1000), text(quote(1))});
  ClientRun run;
  run.against(peer, [](ClientRun& r) { return r.frame_count() >= 2; });
  ASSERT_EQ(run.frames.size(), 2u);
  EXPECT_EQ(run.frames[0], big);
  EXPECT_EQ(run.frames[1], quote(1));
}

struct Refusal {
  const char* name;
  std::string bytes;  // what follows the connected status
  const char* logged;
};

class WsFramingRefusal : public ::testing::TestWithParam<Refusal> {};

TEST_P(WsFramingRefusal, shouldDropTheConnectionAndReconnect) {
  ScriptedPeer peer({text(kConnected) + GetParam().bytes});
  ClientRun run;
  run.against(peer, [](ClientRun& r) { return r.finished.load() || r.frame_count() > 0; }, 1);
  EXPECT_EQ(run.result, make_error_code(NetErrc::kTooManyReconnects));
  EXPECT_EQ(peer.accepted(), 2);
  EXPECT_EQ(run.frames.size(), 0u);
  EXPECT_TRUE(run.logged(GetParam().logged)) << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(
    ServerFrames, WsFramingRefusal,
    ::testing::Values(
        Refusal{"masked", std::string("\x81\x82\x01\x02\x03\x04" "ab", 8), "read: "},
        Refusal{"reservedBits", std::string("\xC1\x02[]", 4), "read: "},
        Refusal{"unknownOpcode", std::string("\x83\x02[]", 4), "read: "},
        Refusal{"continuationFirst", std::string("\x80\x02[]", 4), "read: "},
        Refusal{"fragmentedPing", std::string("\x09\x02hi", 4), "read: "},
        Refusal{"badUtf8", text("[\"\xC3\x28\"]"), "read: "},
        Refusal{"close", frame(0x8, std::string("\x03\xe8", 2)), "the server closed the connection"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(WsFraming, shouldRefuseAnUpgradeWithTheWrongAcceptKey) {
  ScriptedPeer peer({text(kConnected)}, /*bad_accept=*/true);
  ClientRun run;
  run.against(peer, [](ClientRun& r) { return r.finished.load(); }, 1);
  EXPECT_EQ(run.result, make_error_code(NetErrc::kTooManyReconnects));
  EXPECT_TRUE(run.logged("websocket handshake")) << (run.logs.empty() ? "" : run.logs.back());
  EXPECT_EQ(run.frames.size(), 0u);
}

}  // namespace
}  // namespace odte::feeds
