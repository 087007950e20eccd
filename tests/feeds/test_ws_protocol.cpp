// WsClient against the real ReplayServer on 127.0.0.1: handshake, every status path, subscription
// filtering, pacing, reconnect after a connection cut mid-frame, and the API key never logged.
// Every wait is bounded (kWait); every socket is loopback.

#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "odte/feeds/history_source.hpp"
#include "odte/feeds/replay_rest.hpp"
#include "odte/feeds/replay_server.hpp"
#include "odte/feeds/rest_client.hpp"
#include "odte/feeds/ws_client.hpp"
#include "ws_test_support.hpp"

namespace odte::feeds {
namespace {

using namespace std::chrono_literals;
constexpr auto kWait = 10s;
constexpr std::string_view kKey = "test-KEY-6f1c2e";

template <typename Pred>
bool wait_for(Pred pred, std::chrono::milliseconds limit = kWait) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

constexpr TimestampNs kT0 = 1'764'081'000'000'000'000;  // 2025-11-25 14:30 UTC

std::vector<ReplayFrame> sample_recording(TimestampNs gap_ns = 1'000'000) {
  std::vector<ReplayFrame> f;
  auto add = [&](StreamId s, std::string d) {
    f.push_back(ReplayFrame{kT0 + static_cast<TimestampNs>(f.size()) * gap_ns, s, std::move(d)});
  };
  add(StreamId::kOptions, R"([{"ev":"status","status":"connected","message":"recorded"}])");
  add(StreamId::kOptions, R"([{"ev":"Q","sym":"O:SPXW251125C06700000","bp":1.1,"ap":1.2,"t":1764081000000}])");
  add(StreamId::kIndices, R"([{"ev":"V","val":6712.5,"T":"I:SPX","t":1764081000001}])");
  add(StreamId::kOptions, R"([{"ev":"Q","sym":"O:SPY251125C00670000","bp":0.5,"ap":0.6,"t":1764081000002},{"ev":"Q","sym":"O:SPXW251125P06700000","bp":2.1,"ap":2.3,"t":1764081000002}])");
  add(StreamId::kStocks, R"([{"ev":"AM","sym":"SPY","o":670,"h":671,"l":669,"c":670.5,"v":1000,"s":1764081000000,"e":1764081060000}])");
  add(StreamId::kOptions, R"([{"ev":"T","sym":"O:SPXW251125C06700000","p":1.15,"s":3,"t":1764081000003}])");
  return f;
}

// Collects what a client hands out (ws_test_support.hpp); every frame carries a receive time.
struct Sink : test_support::ClientSink {
  Sink() {
    check = [](const RawFrame& f) { EXPECT_GT(f.receive_ns, kT0); };
  }
  bool logged_key() { return logged(kKey); }
};

class WsProtocol : public ::testing::Test {
 protected:
  void start_server(ReplayServerConfig cfg = {}) {
    cfg.api_key = std::string(kKey);
    if (!cfg.source) cfg.source = memory_source(sample_recording());
    cfg.log = [](LogLevel, std::string_view) {};
    server_ = std::make_unique<ReplayServer>(std::move(cfg));
    ASSERT_FALSE(server_->listen());
    ASSERT_NE(server_->port(), 0);
    server_->start();
  }

  WsClientConfig client_config(std::string key = std::string(kKey)) {
    WsClientConfig c;
    // "/" rather than "/options": a cluster path would limit the replay to that cluster's frames.
    c.url = "ws://127.0.0.1:" + std::to_string(server_->port()) + "/";
    c.api_key = std::move(key);
    c.stream = StreamId::kOptions;
    c.subscriptions = {"Q.O:SPXW*", "V.I:SPX"};
    c.backoff.initial = 20ms;
    c.backoff.max = 200ms;
    c.connect_timeout = 2s;
    c.handshake_timeout = 2s;
    c.auth_timeout = 2s;
    return c;
  }

  // Runs a client on its own thread (its feed thread).
  struct Running {
    std::unique_ptr<WsClient> client;
    std::thread thread;
    std::atomic<bool> done{false};
    std::error_code result;
    ~Running() {
      if (client) client->stop();
      if (thread.joinable()) thread.join();
    }
    const WsCounters& counters() const { return client->counters(); }
  };
  std::unique_ptr<Running> run_client(WsClientConfig cfg, Sink& sink) {
    auto r = std::make_unique<Running>();
    r->client = std::make_unique<WsClient>(std::move(cfg), sink.on_frame(), sink.on_status(), sink.on_log());
    Running* raw = r.get();
    r->thread = std::thread([raw] {
      raw->result = raw->client->run();
      raw->done = true;
    });
    return r;
  }

  std::unique_ptr<ReplayServer> server_;
};

TEST_F(WsProtocol, shouldAuthenticateSubscribeAndReceiveOnlySubscribedEvents) {
  ReplayServerConfig cfg;
  cfg.speed = 0;
  start_server(std::move(cfg));
  Sink sink;
  auto c = run_client(client_config(), sink);
  // Matching frames: SPXW call quote, SPX value, the mixed quote frame (rebuilt), SPXW trade? no:
  // T is not subscribed. So three data frames.
  ASSERT_TRUE(wait_for([&] { return sink.frame_count() >= 3; })) << sink.all_frames();
  ASSERT_TRUE(wait_for([&] { return server_->counters().playbacks_finished.load() == 1; }));
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(sink.frame_count(), 3u) << sink.all_frames();
  const std::string all = sink.all_frames();
  EXPECT_NE(all.find("O:SPXW251125C06700000"), std::string::npos);
  EXPECT_NE(all.find("O:SPXW251125P06700000"), std::string::npos);
  EXPECT_NE(all.find("I:SPX"), std::string::npos);
  EXPECT_EQ(all.find("O:SPY"), std::string::npos);
  EXPECT_EQ(all.find("\"AM\""), std::string::npos);
  EXPECT_EQ(all.find("\"T\",\"sym\""), std::string::npos);
  EXPECT_EQ(all.find("recorded"), std::string::npos);
  EXPECT_EQ(server_->counters().frames_rebuilt.load(), 1u);
  const WsCounters& k = c->counters();
  EXPECT_EQ(k.status_count(StatusCode::kConnected), 1u);
  EXPECT_EQ(k.status_count(StatusCode::kAuthSuccess), 1u);
  EXPECT_EQ(k.status_count(StatusCode::kSubscribed), 2u);  // one "success" per entry
  EXPECT_EQ(k.subscribes_sent.load(), 1u);
  EXPECT_EQ(k.state.load(), WsState::kStreaming);
  EXPECT_GE(k.frames.load(), 5u);
  EXPECT_GT(k.bytes.load(), 100u);
  c->client->stop();
  ASSERT_TRUE(wait_for([&] { return c->done.load(); }));
  EXPECT_FALSE(c->result);
  EXPECT_EQ(c->counters().state.load(), WsState::kStopped);
  EXPECT_FALSE(sink.logged_key());
}

TEST_F(WsProtocol, shouldStopWithAClearErrorWhenAuthFails) {
  start_server();
  Sink sink;
  const std::string wrong = "wrong-" + std::string(kKey);
  auto cfg = client_config(wrong);
  auto c = run_client(cfg, sink);
  ASSERT_TRUE(wait_for([&] { return c->done.load(); }));
  EXPECT_EQ(c->result, make_error_code(NetErrc::kAuthFailed));
  EXPECT_NE(c->client->error_message().find("authentication failed"), std::string::npos);
  EXPECT_EQ(c->counters().state.load(), WsState::kFailed);
  EXPECT_EQ(c->counters().reconnects.load(), 0u);  // fatal: never retried
  EXPECT_EQ(c->counters().status_count(StatusCode::kAuthFailed), 1u);
  EXPECT_EQ(server_->counters().auth_failed.load(), 1u);
  const std::lock_guard l(sink.m);
  bool said = false;
  for (const auto& line : sink.logs) {
    EXPECT_EQ(line.find(wrong), std::string::npos) << line;
    said |= line.find("authentication failed") != std::string::npos;
  }
  EXPECT_TRUE(said);
}

TEST_F(WsProtocol, shouldNeverLogTheApiKeyEvenWhenTheServerEchoesIt) {
  start_server();
  Sink sink;
  auto c = run_client(client_config(), sink);
  ASSERT_TRUE(wait_for([&] { return c->counters().status_count(StatusCode::kSubscribed) >= 2; }));
  server_->broadcast_status("error", "key " + std::string(kKey) + " is rate limited");
  ASSERT_TRUE(wait_for([&] { return c->counters().status_count(StatusCode::kError) == 1; }));
  c->client->stop();
  ASSERT_TRUE(wait_for([&] { return c->done.load(); }));
  EXPECT_FALSE(sink.logged_key());
  const std::lock_guard l(sink.m);
  bool redacted = false;
  for (const auto& line : sink.logs) redacted |= line.find("key *** is rate limited") != std::string::npos;
  EXPECT_TRUE(redacted);
}

TEST_F(WsProtocol, shouldReportAuthTimeoutAndErrorStatusesAndKeepStreaming) {
  start_server();
  Sink sink;
  auto c = run_client(client_config(), sink);
  ASSERT_TRUE(wait_for([&] { return c->counters().status_count(StatusCode::kSubscribed) >= 2; }));
  server_->broadcast_status("auth_timeout", "no authentication received in time");
  server_->broadcast_status("error", "something odd");
  ASSERT_TRUE(wait_for([&] { return c->counters().status_count(StatusCode::kError) == 1; }));
  EXPECT_EQ(c->counters().status_count(StatusCode::kAuthTimeout), 1u);
  EXPECT_EQ(c->counters().reconnects.load(), 0u);
  EXPECT_EQ(c->counters().state.load(), WsState::kStreaming);
  const std::lock_guard l(sink.m);
  EXPECT_NE(std::find(sink.statuses.begin(), sink.statuses.end(), StatusCode::kAuthTimeout), sink.statuses.end());
}

TEST_F(WsProtocol, shouldReceiveAuthTimeoutFromTheServerWhenAuthIsLate) {
  ReplayServerConfig cfg;
  cfg.auth_timeout = 0ms;  // the server times the client out right after "connected"
  start_server(std::move(cfg));
  Sink sink;
  auto client_cfg = client_config();
  client_cfg.max_reconnects = 0;
  auto c = run_client(client_cfg, sink);
  ASSERT_TRUE(wait_for([&] { return c->done.load(); }));
  EXPECT_EQ(c->counters().status_count(StatusCode::kAuthTimeout), 1u);
  EXPECT_EQ(c->result, make_error_code(NetErrc::kTooManyReconnects));
}

TEST_F(WsProtocol, shouldBackOffAfterMaxConnectionsThenRetry) {
  ReplayServerConfig cfg;
  cfg.max_connections = 1;
  start_server(std::move(cfg));
  Sink first_sink;
  auto first = run_client(client_config(), first_sink);
  ASSERT_TRUE(wait_for([&] { return first->counters().authenticated.load() == 1; }));
  Sink second_sink;
  auto second_cfg = client_config();
  second_cfg.test_only_max_connections_backoff = 300ms;
  const auto t0 = std::chrono::steady_clock::now();
  auto second = run_client(second_cfg, second_sink);
  ASSERT_TRUE(wait_for([&] { return second->counters().status_count(StatusCode::kMaxConnections) >= 2; }));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 300ms);
  EXPECT_GE(second->counters().reconnects.load(), 1u);
  EXPECT_EQ(second->counters().authenticated.load(), 0u);
  // The first holder is not disturbed.
  EXPECT_EQ(first->counters().reconnects.load(), 0u);
  // Once the holder leaves, the waiting client gets in.
  first->client->stop();
  ASSERT_TRUE(wait_for([&] { return second->counters().authenticated.load() == 1; }));
}

TEST_F(WsProtocol, shouldWaitAtLeastSixtySecondsAfterMaxConnectionsWithoutTheTestOverride) {
  ReplayServerConfig cfg;
  cfg.max_connections = 1;
  start_server(std::move(cfg));
  Sink a_sink;
  auto a = run_client(client_config(), a_sink);
  ASSERT_TRUE(wait_for([&] { return a->counters().authenticated.load() == 1; }));
  Sink b_sink;
  auto b_cfg = client_config();
  b_cfg.max_connections_backoff = 10ms;  // below the floor: raised to 60 s
  auto b = run_client(b_cfg, b_sink);
  ASSERT_TRUE(wait_for([&] { return b->counters().status_count(StatusCode::kMaxConnections) == 1; }));
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(b->counters().reconnects.load(), 0u);
  EXPECT_EQ(b->counters().state.load(), WsState::kBackoff);
  b->client->stop();
  ASSERT_TRUE(wait_for([&] { return b->done.load(); }, 2s));
}

TEST_F(WsProtocol, shouldReconnectReauthenticateAndResubscribeAfterACutMidFrame) {
  ReplayServerConfig cfg;
  // 100 ms apart, real time: the cut comes long before the first playback reaches the AM frame
  // (the 5th), so the AM frame and a finished playback can only come from the second connection.
  cfg.source = memory_source(sample_recording(100'000'000));
  start_server(std::move(cfg));
  Sink sink;
  auto c = run_client(client_config(), sink);
  ASSERT_TRUE(wait_for([&] { return c->counters().authenticated.load() == 1 && sink.frame_count() >= 1; }));
  c->client->subscribe("AM.SPY");  // added live: must survive the reconnect
  ASSERT_TRUE(wait_for([&] { return c->counters().status_count(StatusCode::kSubscribed) >= 3; }));
  ASSERT_EQ(server_->counters().playbacks_finished.load(), 0u);
  EXPECT_EQ(sink.all_frames().find("\"AM\""), std::string::npos);
  server_->drop_connections(true);
  ASSERT_TRUE(wait_for([&] { return c->counters().authenticated.load() == 2; }));
  EXPECT_EQ(c->counters().reconnects.load(), 1u);
  EXPECT_EQ(c->counters().connects.load(), 2u);
  // Re-subscribed in one message to all three entries; the replay restarts for the new connection.
  ASSERT_TRUE(wait_for([&] { return c->counters().status_count(StatusCode::kSubscribed) >= 6; }));
  // The server counts a playback finished once its last write completes, which can be before the
  // client has read that frame: wait for the frame itself.
  ASSERT_TRUE(wait_for([&] { return server_->counters().playbacks_finished.load() >= 1; }));
  EXPECT_TRUE(wait_for([&] { return sink.all_frames().find("\"AM\"") != std::string::npos; }));
  EXPECT_EQ(c->counters().status_count(StatusCode::kConnected), 2u);
}

TEST_F(WsProtocol, shouldUnsubscribeAndStopReceivingThatChannel) {
  ReplayServerConfig cfg;
  cfg.speed = 0;
  start_server(std::move(cfg));
  Sink sink;
  auto cfg_c = client_config();
  cfg_c.subscriptions = {"AM.SPY"};
  auto c = run_client(cfg_c, sink);
  ASSERT_TRUE(wait_for([&] { return sink.frame_count() == 1; }));
  c->client->unsubscribe("AM.SPY");
  ASSERT_TRUE(wait_for([&] { return c->counters().status_count(StatusCode::kSubscribed) == 2; }));
}

TEST_F(WsProtocol, shouldPaceFramesAtTheRecordedGapsDividedBySpeed) {
  ReplayServerConfig cfg;
  cfg.speed = 2.0;
  cfg.source = memory_source(sample_recording(100'000'000));  // 100 ms apart: 500 ms recorded
  start_server(std::move(cfg));
  Sink sink;
  auto client_cfg = client_config();
  client_cfg.subscriptions = {"Q.*", "V.*", "AM.*", "T.*"};
  const auto t0 = std::chrono::steady_clock::now();
  auto c = run_client(client_cfg, sink);
  ASSERT_TRUE(wait_for([&] { return sink.frame_count() == 5; }));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 240ms);  // (500 - 20 slack) / 2
}

TEST_F(WsProtocol, shouldServeOnlyTheConfiguredCluster) {
  ReplayServerConfig cfg;
  cfg.speed = 0;
  cfg.cluster = StreamId::kStocks;
  start_server(std::move(cfg));
  Sink sink;
  auto client_cfg = client_config();
  client_cfg.subscriptions = {"Q.*", "V.*", "AM.*"};
  auto c = run_client(client_cfg, sink);
  ASSERT_TRUE(wait_for([&] { return server_->counters().playbacks_finished.load() == 1; }));
  ASSERT_TRUE(wait_for([&] { return sink.frame_count() == 1; }));
  EXPECT_NE(sink.all_frames().find("\"AM\""), std::string::npos);
}

TEST(WsClientConfigCheck, shouldRefusePlainWebsocketToRemoteHostsAndBadUrls) {
  WsClientConfig cfg;
  cfg.url = "ws://example.com/stocks";
  WsClient remote(cfg, {});
  EXPECT_EQ(remote.run(), make_error_code(NetErrc::kInsecureRemote));
  cfg.url = "ws://127.example.invalid/stocks";  // a name, resolved by DNS: not loopback
  WsClient lookalike(cfg, {});
  EXPECT_EQ(lookalike.run(), make_error_code(NetErrc::kInsecureRemote));
  cfg.url = "socket.massive.com";
  WsClient bad(cfg, {});
  EXPECT_EQ(bad.run(), make_error_code(NetErrc::kBadUrl));
}

TEST_F(WsProtocol, shouldFailTheTlsHandshakeAgainstAPlainServer) {
  start_server();
  Sink sink;
  auto cfg = client_config();
  cfg.url = "wss://127.0.0.1:" + std::to_string(server_->port()) + "/options";
  cfg.max_reconnects = 1;
  auto c = run_client(cfg, sink);
  ASSERT_TRUE(wait_for([&] { return c->done.load(); }));
  EXPECT_EQ(c->result, make_error_code(NetErrc::kTooManyReconnects));
  EXPECT_EQ(c->counters().connects.load(), 0u);
  const std::lock_guard l(sink.m);
  bool tls = false;
  for (const auto& line : sink.logs) tls |= line.find("TLS handshake") != std::string::npos;
  EXPECT_TRUE(tls);
}

TEST(WsClientTimeouts, shouldGiveUpOnAServerThatNeverAnswersTheUpgrade) {
  // A listening socket nobody reads: TCP connects (the kernel accepts), the upgrade never comes.
  std::uint16_t port = 0;
  const int fd = test_support::listen_loopback(port, 4);
  ASSERT_GE(fd, 0);
  WsClientConfig cfg;
  cfg.url = "ws://127.0.0.1:" + std::to_string(port) + "/stocks";
  cfg.api_key = std::string(kKey);
  cfg.handshake_timeout = 150ms;
  cfg.backoff.initial = 10ms;
  cfg.max_reconnects = 1;
  Sink sink;
  WsClient client(cfg, sink.on_frame(), sink.on_status(), sink.on_log());
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(client.run(), make_error_code(NetErrc::kTooManyReconnects));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 300ms);  // two attempts, each timed out
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  EXPECT_EQ(client.counters().reconnects.load(), 1u);
  EXPECT_NE(client.error_message().find("websocket handshake"), std::string::npos) << client.error_message();
  ::close(fd);
}

// A websocket server by hand that upgrades, says "connected" and then goes silent: it reads
// nothing, so the client's pings go unanswered.
class SilentPeer {
 public:
  SilentPeer() {
    fd_ = test_support::listen_loopback(port_, 4);
    thread_ = std::thread([this] { serve(); });
  }
  ~SilentPeer() {
    stop_ = true;
    thread_.join();
    for (const int c : conns_) ::close(c);
    ::close(fd_);
  }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] int accepted() const { return accepted_.load(); }
  // After the client is done: whether any connection received a ping frame (opcode 9). Client
  // frames are masked; only short ones (< 126 bytes) are expected here.
  bool got_ping() {
    for (const int c : conns_) {
      unsigned char buf[4096];
      const ssize_t n = ::recv(c, buf, sizeof buf, MSG_DONTWAIT);
      for (ssize_t i = 0; i + 1 < n;) {
        if ((buf[i] & 0x0F) == 0x9) return true;
        const int len = buf[i + 1] & 0x7F;
        if (len >= 126) break;
        i += 2 + 4 + len;
      }
    }
    return false;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      conns_.push_back(c);
      std::string reply = test_support::upgrade_reply(test_support::read_http_head(c));
      if (reply.empty()) continue;
      const std::string status = R"([{"ev":"status","status":"connected","message":"hi"}])";
      reply += static_cast<char>(0x81);
      reply += static_cast<char>(status.size());
      reply += status;
      (void)::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
      accepted_.fetch_add(1);
    }
  }
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
  std::vector<int> conns_;
};

TEST(WsClientTimeouts, shouldPingThenDropAndReconnectWhenThePeerGoesSilent) {
  SilentPeer peer;
  WsClientConfig cfg;
  cfg.url = "ws://127.0.0.1:" + std::to_string(peer.port()) + "/indices";
  cfg.api_key = std::string(kKey);
  cfg.idle_timeout = 300ms;
  cfg.auth_timeout = 10s;  // not the one that fires
  cfg.backoff.initial = 10ms;
  cfg.max_reconnects = 1;
  Sink sink;
  WsClient client(cfg, sink.on_frame(), sink.on_status(), sink.on_log());
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(client.run(), make_error_code(NetErrc::kTooManyReconnects));
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, 550ms);  // two connections, each dropped after 300 ms of silence
  EXPECT_LT(took, 5s);
  EXPECT_EQ(peer.accepted(), 2);
  EXPECT_EQ(client.counters().connects.load(), 2u);
  EXPECT_EQ(client.counters().status_count(StatusCode::kConnected), 2u);
  EXPECT_NE(client.error_message().find("read: "), std::string::npos) << client.error_message();
  EXPECT_TRUE(peer.got_ping());
  EXPECT_FALSE(sink.logged_key());
}

}  // namespace
}  // namespace odte::feeds

// ---- shared clock and REST answers (paper-live against a replay) ---------------------------------

namespace odte::feeds {
namespace {

TEST_F(WsProtocol, shouldStartALateSubscriberOnTheSharedClockWithoutThePast) {
  ReplayServerConfig cfg;
  cfg.speed = 1;
  cfg.shared_clock = true;
  cfg.source = memory_source(sample_recording(300'000'000));  // a frame every 300 ms
  start_server(std::move(cfg));
  Sink first;
  auto a = run_client(client_config(), first);
  // The first subscriber set the clock; once it has the SPX value (frame 2, due at 600 ms) the
  // SPXW quote of frame 1 is the past for anyone joining now.
  ASSERT_TRUE(wait_for([&] { return first.frame_count() >= 2; })) << first.all_frames();
  Sink late;
  auto b = run_client(client_config(), late);
  ASSERT_TRUE(wait_for([&] { return server_->counters().playbacks_finished.load() == 2; }));
  EXPECT_GE(server_->counters().frames_skipped_late.load(), 2u);
  EXPECT_EQ(late.all_frames().find("\"bp\":1.1"), std::string::npos) << late.all_frames();
  EXPECT_NE(first.all_frames().find("\"bp\":1.1"), std::string::npos) << first.all_frames();
}

std::shared_ptr<ReplayRestData> rest_data() {
  auto d = std::make_shared<ReplayRestData>();
  d->first_event_time = "2026-07-20T13:33:37Z";
  char t[32];
  for (int k = 0; k < 300; ++k) {
    for (const char cp : {'C', 'P'}) {
      std::snprintf(t, sizeof t, "O:SPY260720%c%08d", cp, (600 + k) * 1000);
      d->contracts.push_back({t, "SPY", "2026-07-20", cp == 'C', 600.0 + k, false});
    }
  }
  for (int k = 0; k < 5; ++k) {
    std::snprintf(t, sizeof t, "O:SPXW260720C%08d", (7000 + 5 * k) * 1000);
    d->contracts.push_back({t, "SPX", "2026-07-20", true, 7000.0 + 5 * k, true});
    std::snprintf(t, sizeof t, "O:SPY260721C%08d", (700 + k) * 1000);
    d->contracts.push_back({t, "SPY", "2026-07-21", true, 700.0 + k, false});
  }
  std::sort(d->contracts.begin(), d->contracts.end(), [](const auto& x, const auto& y) { return x.ticker < y.ticker; });
  return d;
}

RestConfig rest_config(std::uint16_t port, std::string key) {
  RestConfig rc;
  rc.base_url = "http://127.0.0.1:" + std::to_string(port);
  rc.api_key = std::move(key);
  rc.timeout = 5s;
  return rc;
}

TEST_F(WsProtocol, shouldAnswerTodaysContractsOverRestInPagesWithNextUrl) {
  ReplayServerConfig cfg;
  cfg.rest = replay_rest_handler(rest_data());
  start_server(std::move(cfg));
  RestClient rest(rest_config(server_->port(), std::string(kKey)));
  const auto spy = rest.option_contracts("SPY", "2026-07-20");
  ASSERT_TRUE(spy.ok()) << spy.error;
  ASSERT_EQ(spy.value.size(), 600u);  // three pages of at most 250
  EXPECT_EQ(server_->counters().rest_requests.load(), 3u);
  EXPECT_EQ(spy.value.front().ticker, "O:SPY260720C00600000");
  EXPECT_EQ(spy.value.front().strike, 600.0);
  EXPECT_TRUE(spy.value.front().call);
  EXPECT_EQ(spy.value.back().ticker, "O:SPY260720P00899000");
  const auto spxw = rest.option_contracts("SPX", "2026-07-20", "SPXW");
  ASSERT_TRUE(spxw.ok()) << spxw.error;
  ASSERT_EQ(spxw.value.size(), 5u);
  EXPECT_EQ(spxw.value[0].exercise_style, "european");
  const auto status = rest.market_status();
  ASSERT_TRUE(status.ok()) << status.error;
  EXPECT_EQ(status.value.market, "open");
  EXPECT_EQ(status.value.server_time, "2026-07-20T13:33:37Z");
}

TEST_F(WsProtocol, shouldRefuseRestWithAWrongKeyAndAnswerUnknownPathsWith404) {
  ReplayServerConfig cfg;
  cfg.rest = replay_rest_handler(rest_data());
  start_server(std::move(cfg));
  RestClient wrong(rest_config(server_->port(), "not-the-key"));
  const auto r = wrong.option_contracts("SPY", "2026-07-20");
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("401"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("not-the-key"), std::string::npos) << "the key leaked into " << r.error;
  RestClient right(rest_config(server_->port(), std::string(kKey)));
  const auto nope = right.get("/v9/nothing/here");
  EXPECT_FALSE(nope.ok());
  EXPECT_NE(nope.error.find("404"), std::string::npos) << nope.error;
  const auto prev = right.previous_close("SPY");
  EXPECT_FALSE(prev.ok()) << "a replay has no previous day to report";
  const auto bad_limit = right.get("/v3/reference/options/contracts?underlying_ticker=SPY&limit=x");
  EXPECT_FALSE(bad_limit.ok());
  EXPECT_NE(bad_limit.error.find("400"), std::string::npos) << bad_limit.error;
}

// The official Massive JavaScript REST client sends the key as `?apiKey=`, not as a bearer header:
// the server takes either, as the real service does, and still refuses a wrong key either way.
TEST_F(WsProtocol, shouldAcceptTheApiKeyAsAQueryParameterAsWellAsTheBearerHeader) {
  ReplayServerConfig cfg;
  cfg.rest = replay_rest_handler(rest_data());
  start_server(std::move(cfg));
  RestClient no_header(rest_config(server_->port(), "not-the-key"));  // its bearer header is wrong
  const std::string path = "/v3/reference/options/contracts?underlying_ticker=SPY&expiration_date=2026-07-20&limit=5";
  const auto in_query = no_header.get(path + "&apiKey=" + std::string(kKey));
  ASSERT_TRUE(in_query.ok()) << in_query.error;
  EXPECT_NE(in_query.value.body.find("O:SPY260720C00600000"), std::string::npos) << in_query.value.body;
  const auto first = no_header.get("/v1/marketstatus/now?apiKey=" + std::string(kKey));
  EXPECT_TRUE(first.ok()) << first.error;
  const auto wrong = no_header.get(path + "&apiKey=also-not-the-key");
  EXPECT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error.find("401"), std::string::npos) << wrong.error;
  const auto none = no_header.get(path);
  EXPECT_FALSE(none.ok());
  EXPECT_NE(none.error.find("401"), std::string::npos) << none.error;
}

// Paper-live against the replay-server gets the session history replay mode loads from the same
// recordings: the server answers the aggregates endpoints from its history, odted's fetch_history
// reads them through RestClient, and the two histories print the same text. Real data: Cboe's
// daily VIX and eqker's 1-minute SPY/VIX (tests/data/real/SOURCES.txt), for 2019-02-13.
TEST_F(WsProtocol, shouldServeTheSessionHistoryReplayModeLoadsFromTheSameRecordings) {
  const std::vector<std::string> paths = {ODTE_REPO_DIR "/tests/data/real/cboe-vix-daily.odr",
                                          ODTE_REPO_DIR "/tests/data/real/eqker-spy-vix-1min-2019.odr"};
  auto data = std::make_shared<ReplayRestData>();
  HistoryRequest all;
  all.all = true;
  ASSERT_EQ(load_history(paths, all, 20190213, data->history), "");
  ReplayServerConfig cfg;
  cfg.rest = replay_rest_handler(data);
  start_server(std::move(cfg));
  RestClient rest(rest_config(server_->port(), std::string(kKey)));

  HistoryRequest need;
  need.add_daily("I:VIX");
  need.add_minutes("SPY");
  need.add_minutes("I:VIX");
  need.add_prior("I:VIX1D");
  std::vector<std::string> problems;
  const SessionHistory fetched = fetch_history(rest, need, 20190213, problems);
  SessionHistory loaded;
  ASSERT_EQ(load_history(paths, need, 20190213, loaded), "");
  // The same values; only each series' source tag differs.
  std::string want = loaded.to_text();
  for (std::size_t at = 0; (at = want.find(" recording\n", at)) != std::string::npos;) want.replace(at, 11, " rest\n");
  EXPECT_EQ(fetched.to_text(), want);
  ASSERT_NE(fetched.find("SPY"), nullptr);
  EXPECT_EQ(fetched.find("SPY")->minutes.size(), 390u);  // 2019-02-12, 09:30 .. 15:59
  EXPECT_EQ(fetched.find("I:VIX")->daily.back().day, 20190212);
  // No VIX1D anywhere: the prior close is a problem line, not a value.
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems[0].find("prior close of I:VIX1D"), std::string::npos) << problems[0];
  EXPECT_EQ(fetched.prior_close("I:VIX1D"), nullptr);

  const auto prev = rest.previous_close("I:VIX");
  ASSERT_TRUE(prev.ok()) << prev.error;
  EXPECT_DOUBLE_EQ(prev.value.close, fetched.find("I:VIX")->daily.back().close.to_double());
  const auto bad = rest.get("/v2/aggs/ticker/SPY/range/5/minute/2019-02-12/2019-02-12");
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.error.find("400"), std::string::npos) << bad.error;
  const auto none = rest.aggregates("QQQ", "day", "2019-01-01", "2019-02-12");
  ASSERT_TRUE(none.ok()) << none.error;
  EXPECT_TRUE(none.value.empty());
}

TEST(ReplayRest, shouldListTheContractsOfTheShippedRecordedDay) {
  ReplayRestData d;
  ASSERT_EQ(scan_replay_rest(ODTE_REPO_DIR "/data/replay/spy-0dte-2026-07-20.odr", d), "");
  EXPECT_EQ(d.first_event_time, "2026-07-20T13:33:37Z");
  ASSERT_EQ(d.contracts.size(), 164u);
  for (const auto& c : d.contracts) {
    EXPECT_EQ(c.underlying, "SPY");
    EXPECT_EQ(c.expiration, "2026-07-20");
    EXPECT_TRUE(c.ticker.starts_with("O:SPY260720")) << c.ticker;
  }
  EXPECT_TRUE(std::is_sorted(d.contracts.begin(), d.contracts.end(),
                             [](const auto& x, const auto& y) { return x.ticker < y.ticker; }));
  EXPECT_NE(scan_replay_rest("/nonexistent/recording.odr", d), "");
}

}  // namespace
}  // namespace odte::feeds

namespace odte::feeds {
namespace {

TEST_F(WsProtocol, shouldKeepPlayingWhileSubscribeAnswersInterleaveWithFrames) {
  // Subscribe answers written while frames stream must not stop the playback (a reply queued
  // behind a frame once ended it for good).
  std::vector<ReplayFrame> frames;
  for (int i = 0; i < 400; ++i) {
    frames.push_back(ReplayFrame{kT0 + i * 2'000'000LL, StreamId::kOptions,
                                 R"([{"ev":"Q","sym":"O:SPXW251125C06700000","bp":1.1,"ap":1.2,"t":1764081000000}])"});
  }
  ReplayServerConfig cfg;
  cfg.speed = 1;  // a frame every 2 ms for 0.8 s
  cfg.source = memory_source(std::move(frames));
  start_server(std::move(cfg));
  Sink sink;
  auto c = run_client(client_config(), sink);
  ASSERT_TRUE(wait_for([&] { return sink.frame_count() >= 1; }));
  for (int i = 0; i < 300 && server_->counters().playbacks_finished.load() == 0; ++i) {
    c->client->subscribe("Q.O:SPY" + std::to_string(i));
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_TRUE(wait_for([&] { return server_->counters().playbacks_finished.load() == 1; }, 5s))
      << "playback stalled after " << sink.frame_count() << " frames";
  EXPECT_EQ(server_->counters().frames_sent.load(), 400u);
}

}  // namespace
}  // namespace odte::feeds

namespace odte::feeds {
namespace {

TEST_F(WsProtocol, shouldRepeatThePlaybackAsOneStreamAndSayReplayCompleteOnceAtTheEnd) {
  ReplayServerConfig cfg;
  cfg.speed = 0;
  cfg.repeat = 3;
  start_server(std::move(cfg));
  Sink sink;
  auto c = run_client(client_config(), sink);
  ASSERT_TRUE(wait_for([&] { return sink.status_count("replay_complete") == 1; })) << sink.all_frames();
  std::this_thread::sleep_for(20ms);
  // Three matching frames per play (the mixed quote frame rebuilt), three plays, in order.
  ASSERT_EQ(sink.frame_count(), 9u) << sink.all_frames();
  EXPECT_EQ(sink.status_count("replay_complete"), 1u);
  const std::string all = sink.all_frames();
  const std::size_t play = all.size() / 3;
  EXPECT_EQ(all.substr(0, play), all.substr(play, play));
  EXPECT_EQ(all.substr(0, play), all.substr(2 * play));
  EXPECT_EQ(all.find("O:SPY"), std::string::npos);
  const ReplayServerCounters& k = server_->counters();
  EXPECT_EQ(k.frames_sent.load(), 9u);
  EXPECT_EQ(k.playbacks_finished.load(), 1u);
  EXPECT_EQ(k.repeats_from_memory.load(), 2u);  // filtered once, sent three times
  EXPECT_EQ(k.frames_rebuilt.load(), 1u);
}

TEST_F(WsProtocol, shouldFilterTheNextRepetitionAfreshAfterASubscriptionChange) {
  ReplayServerConfig cfg;
  cfg.speed = 1;
  cfg.repeat = 2;
  cfg.source = memory_source(sample_recording(100'000'000));  // a play lasts 500 ms
  start_server(std::move(cfg));
  Sink sink;
  auto client_cfg = client_config();
  client_cfg.subscriptions = {"Q.O:SPXW*"};
  auto c = run_client(client_cfg, sink);
  ASSERT_TRUE(wait_for([&] { return sink.frame_count() >= 1; }));
  c->client->subscribe("AM.SPY");  // well before the first play ends
  ASSERT_TRUE(wait_for([&] { return sink.status_count("replay_complete") == 1; })) << sink.all_frames();
  std::this_thread::sleep_for(20ms);
  // The second play is read and filtered again, so it carries the AM bar the first play's frames
  // lacked (or also carried, when the subscribe beat the bar).
  EXPECT_GE(sink.frames_containing("\"AM\""), 1u) << sink.all_frames();
  EXPECT_EQ(sink.frames_containing("O:SPXW251125C06700000\",\"bp\""), 2u) << sink.all_frames();
  EXPECT_EQ(server_->counters().repeats_from_memory.load(), 0u);
  EXPECT_EQ(server_->counters().playbacks_finished.load(), 1u);
}

TEST_F(WsProtocol, shouldPlayOnceWhenRepeatIsBelowOne) {
  ReplayServerConfig cfg;
  cfg.speed = 0;
  cfg.repeat = 0;
  start_server(std::move(cfg));
  Sink sink;
  auto c = run_client(client_config(), sink);
  ASSERT_TRUE(wait_for([&] { return sink.status_count("replay_complete") == 1; }));
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(sink.frame_count(), 3u) << sink.all_frames();
  EXPECT_EQ(server_->counters().repeats_from_memory.load(), 0u);
}

}  // namespace
}  // namespace odte::feeds

namespace odte::feeds {
namespace {

// A recording that stops short of its end, as RecordingFrames reports it: corruption (failure)
// or a torn tail (ended_early) once its frames run out.
class ShortRecording final : public ReplayFrameSource {
 public:
  ShortRecording(std::vector<ReplayFrame> frames, std::string failure, std::string ended_early)
      : frames_{std::move(frames)}, failure_{std::move(failure)}, ended_early_{std::move(ended_early)} {}
  bool next(ReplayFrame& out) override {
    if (i_ >= frames_.size()) return false;
    out = frames_[i_++];
    return true;
  }
  [[nodiscard]] std::string failure() const override { return i_ >= frames_.size() ? failure_ : std::string(); }
  [[nodiscard]] std::string ended_early() const override { return i_ >= frames_.size() ? ended_early_ : std::string(); }

 private:
  std::vector<ReplayFrame> frames_;
  std::string failure_;
  std::string ended_early_;
  std::size_t i_ = 0;
};

ReplayFrameSourceFactory short_recording(std::string failure, std::string ended_early) {
  return [failure, ended_early]() -> std::unique_ptr<ReplayFrameSource> {
    return std::make_unique<ShortRecording>(sample_recording(), failure, ended_early);
  };
}

TEST_F(WsProtocol, shouldSayReplayFailedWithTheReasonWhenTheRecordingStopsAtCorruption) {
  ReplayServerConfig cfg;
  cfg.speed = 0;
  cfg.repeat = 3;  // a corrupt recording is not played again
  cfg.source = short_recording("day.odr: block checksum mismatch at offset 4096", "");
  start_server(std::move(cfg));
  Sink sink;
  auto c = run_client(client_config(), sink);
  ASSERT_TRUE(wait_for([&] { return sink.status_count("replay_failed") == 1; })) << sink.all_logs();
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(sink.status_count("replay_complete"), 0u) << "a corrupt recording is not a complete one";
  EXPECT_TRUE(sink.logged("replay_failed: day.odr: block checksum mismatch at offset 4096")) << sink.all_logs();
  EXPECT_EQ(sink.frame_count(), 3u) << "what was read before the damage, once: " << sink.all_frames();
}

TEST_F(WsProtocol, shouldSayReplayEndedEarlyWhenTheRecordingEndsInATornTail) {
  ReplayServerConfig cfg;
  cfg.speed = 0;
  cfg.source = short_recording("", "day.odr: the recording ended early: a torn last block of 77 bytes");
  start_server(std::move(cfg));
  Sink sink;
  auto c = run_client(client_config(), sink);
  ASSERT_TRUE(wait_for([&] { return sink.status_count("replay_ended_early") == 1; })) << sink.all_logs();
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(sink.status_count("replay_complete"), 0u);
  EXPECT_EQ(sink.status_count("replay_failed"), 0u);
  EXPECT_TRUE(sink.logged("replay_ended_early: day.odr: the recording ended early: a torn last block of 77 bytes"))
      << sink.all_logs();
  EXPECT_EQ(sink.frame_count(), 3u);
}

TEST_F(WsProtocol, shouldSayReplayFailedWhenTheRecordingCannotBeOpenedAtSubscribe) {
  ReplayServerConfig cfg;
  cfg.speed = 0;
  cfg.source = []() -> std::unique_ptr<ReplayFrameSource> { return nullptr; };  // the file went away
  start_server(std::move(cfg));
  Sink sink;
  auto c = run_client(client_config(), sink);
  ASSERT_TRUE(wait_for([&] { return sink.status_count("replay_failed") == 1; })) << sink.all_logs();
  EXPECT_EQ(sink.status_count("replay_complete"), 0u);
  EXPECT_EQ(sink.frame_count(), 0u);
}

}  // namespace
}  // namespace odte::feeds
