#include "odte/daemon/admin_server.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "odte/core/base/agent.hpp"
#include "odte/daemon/admin_client.hpp"

namespace odte::daemon {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::string socket_path(const char* tag) {
  return (std::filesystem::temp_directory_path() /
          ("odte-admin-" + std::string(tag) + "-" + std::to_string(::getpid()) + ".sock"))
      .string();
}

// A raw connection to the admin socket, for what odtectl never does (no newline for 64 KiB,
// requests whose replies it does not read). Closed on destruction.
class RawClient {
 public:
  explicit RawClient(const std::string& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.data(), std::min(path.size(), sizeof addr.sun_path - 1));
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] bool connected() const { return connected_; }
  [[nodiscard]] int fd() const { return fd_; }
  // Sends what the socket takes within `timeout`; returns the bytes sent.
  std::size_t send_all(const std::string& data, std::chrono::milliseconds timeout = 5000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t sent = 0;
    while (sent < data.size() && std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, 20) <= 0 || (p.revents & POLLOUT) == 0) {
        if ((p.revents & (POLLHUP | POLLERR)) != 0) break;
        continue;
      }
      const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        sent += static_cast<std::size_t>(n);
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        break;  // the server closed its end
      }
    }
    return sent;
  }
  // Everything the server sends until it closes the connection (or `timeout` passes: then
  // timed_out() is true).
  std::string read_to_end(std::chrono::milliseconds timeout = 5000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string out;
    char buf[4096];
    timed_out_ = false;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n > 0) {
        out.append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        return out;
      }
    }
    timed_out_ = true;
    return out;
  }
  [[nodiscard]] bool timed_out() const { return timed_out_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool timed_out_ = false;
};

// Rings, snapshots and a server, plus a stand-in for the core that applies control commands to
// the snapshot it publishes (what the real core loop does with them).
class AdminServerTest : public ::testing::Test {
 protected:
  AdminServerTest()
      : snapshots_{std::make_unique<TripleBuffer<CoreSnapshot>>()},
        to_core_{std::make_unique<ControlRing>()},
        from_core_{std::make_unique<ControlReplyRing>()} {
    make_server(AdminConfig{});
    std::memset(static_cast<void*>(&state_), 0, sizeof state_);
    state_.state = CoreState::kRunning;
    state_.equity = Price::from_dollars(100'000);
    state_.limits = RiskLimits{};
    state_.exits = ExitRules{};
    state_.strategy_count = 2;
    std::snprintf(state_.strategies[0].name, sizeof state_.strategies[0].name, "regime");
    std::snprintf(state_.strategies[1].name, sizeof state_.strategies[1].name, "iron_condor");
    state_.position_count = 1;
    std::snprintf(state_.positions[0].symbol, sizeof state_.positions[0].symbol, "O:SPY260821C00500000");
    state_.positions[0].quantity = -2;
    state_.positions[0].mark = Price::from_cents(125);
    state_.positions[0].unrealized = Price::from_dollars(-50);
    state_.positions[0].realized = Price::zero();
    state_.positions[0].fees = Price::from_cents(270);
    state_.pnl = PnlTotals{Price::zero(), Price::from_dollars(-50), Price::from_cents(270), 1};
    publish();
  }
  ~AdminServerTest() override { stop(); }

  // Replaces the server (before start()) with one on `cfg` and this test's socket path.
  void make_server(AdminConfig cfg) {
    cfg.socket = socket_path(::testing::UnitTest::GetInstance()->current_test_info()->name());
    server_ = std::make_unique<AdminServer>(cfg, *snapshots_, *to_core_, *from_core_,
                                            std::vector<std::string>{"regime", "iron_condor"});
  }

  void publish() {
    state_.seq++;
    snapshots_->write_buffer() = state_;
    snapshots_->publish();
  }

  // Starts the server thread and, if `with_core`, a fake core thread.
  void start(bool with_core) {
    ASSERT_FALSE(server_->open()) << "open " << server_->path();
    server_thread_ = std::thread([this] {
      while (!stop_.load()) server_->do_work();
    });
    if (!with_core) return;
    core_thread_ = std::thread([this] {
      while (!stop_.load()) {
        to_core_->drain([this](const ControlCommand& c) {
          applied_.push_back(c);
          ControlReply r{};
          r.request_id = c.request_id;
          r.ok = true;
          switch (c.kind) {
            case ControlKind::kPause: state_.paused = true; break;
            case ControlKind::kResume: state_.paused = false; break;
            case ControlKind::kKill: state_.killed = true; break;
            case ControlKind::kUnkill: state_.killed = false; break;
            case ControlKind::kSetRiskLimits: state_.limits = c.limits; state_.exits = c.exits; break;
            case ControlKind::kDisableStrategy: state_.strategies[c.strategy].enabled = false; break;
            case ControlKind::kEnableStrategy: state_.strategies[c.strategy].enabled = true; break;
            case ControlKind::kFlatten:
              r.ok = false;
              r.set_message("flatten refused: reconciliation pending");
              break;
          }
          if (r.ok) r.set_message("done");
          publish();
          while (!from_core_->try_push(r)) std::this_thread::yield();
        });
        std::this_thread::sleep_for(1ms);
      }
    });
  }
  void stop() {
    stop_.store(true);
    if (server_thread_.joinable()) server_thread_.join();
    if (core_thread_.joinable()) core_thread_.join();
    server_->close();
  }
  json ask(const std::string& cmd, const std::vector<std::string>& args = {}) {
    const auto reply = admin::exchange(server_->path(), admin::encode_request(cmd, args), 5s);
    EXPECT_FALSE(reply.error) << reply.what << ": " << reply.error.message();
    return json::parse(reply.line);
  }
  json handle(const std::string& line, bool& needs_core, ControlCommand& cmd) {
    return json::parse(server_->handle(line, needs_core, cmd));
  }

  std::unique_ptr<TripleBuffer<CoreSnapshot>> snapshots_;
  std::unique_ptr<ControlRing> to_core_;
  std::unique_ptr<ControlReplyRing> from_core_;
  std::unique_ptr<AdminServer> server_;
  CoreSnapshot state_;
  std::vector<ControlCommand> applied_;
  std::atomic<bool> stop_{false};
  std::thread server_thread_;
  std::thread core_thread_;
};

struct BadRequest {
  const char* name;
  const char* line;
  const char* expect;
};
class AdminRequestRejectTest : public AdminServerTest, public ::testing::WithParamInterface<BadRequest> {};

TEST_P(AdminRequestRejectTest, shouldAnswerWithAClearErrorAndChangeNothing) {
  bool needs_core = true;
  ControlCommand cmd{};
  const json r = handle(GetParam().line, needs_core, cmd);
  EXPECT_FALSE(r["ok"].get<bool>());
  EXPECT_NE(r["error"].get<std::string>().find(GetParam().expect), std::string::npos) << r.dump();
  EXPECT_FALSE(needs_core);
  EXPECT_EQ(to_core_->size_approx(), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, AdminRequestRejectTest,
    ::testing::Values(
        BadRequest{"not_json", "status please", "malformed request: expected one JSON object"},
        BadRequest{"truncated", "{\"cmd\":\"status\"", "malformed request"},
        BadRequest{"array", "[\"status\"]", "malformed request"},
        BadRequest{"cmd_not_string", "{\"cmd\":5}", "\"cmd\" must be a string"},
        BadRequest{"args_not_array", "{\"cmd\":\"risk\",\"args\":\"show\"}", "\"args\" must be an array of strings"},
        BadRequest{"args_not_strings", "{\"cmd\":\"kill\",\"args\":[1]}", "\"args\" must be an array of strings"},
        BadRequest{"unknown_field", "{\"cmd\":\"status\",\"force\":true}", "unknown field \"force\""},
        BadRequest{"unknown_command", "{\"cmd\":\"sell_everything\"}", "unknown command \"sell_everything\"; commands: status"},
        BadRequest{"extra_args", "{\"cmd\":\"pause\",\"args\":[\"now\"]}", "pause takes no arguments"},
        BadRequest{"kill_bad_arg", "{\"cmd\":\"kill\",\"args\":[\"-9\"]}", "usage: kill [flatten]"},
        BadRequest{"risk_set_short", "{\"cmd\":\"risk\",\"args\":[\"set\",\"max_open_positions\"]}", "usage: risk set KEY VALUE"},
        BadRequest{"risk_set_range", "{\"cmd\":\"risk\",\"args\":[\"set\",\"max_risk_fraction\",\"0.5\"]}",
                   "risk.max_risk_fraction: 0.5 is out of range; allowed 0 < x <= 0.05"},
        BadRequest{"risk_set_unknown", "{\"cmd\":\"risk\",\"args\":[\"set\",\"max_leverage\",\"3\"]}", "risk.max_leverage: unknown key"},
        BadRequest{"risk_set_type", "{\"cmd\":\"risk\",\"args\":[\"set\",\"max_open_positions\",\"lots\"]}",
                   "risk.max_open_positions: must be an integer"},
        BadRequest{"risk_bad_sub", "{\"cmd\":\"risk\",\"args\":[\"reset\"]}", "usage: risk [show | set KEY VALUE]"},
        BadRequest{"strategy_unknown", "{\"cmd\":\"strategies\",\"args\":[\"enable\",\"martingale\"]}",
                   "unknown strategy \"martingale\"; configured: regime, iron_condor"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(AdminServerTest, shouldValidateStateChangesBeforeSendingThemToTheCore) {
  bool needs_core = false;
  ControlCommand cmd{};
  EXPECT_EQ(server_->handle("{\"cmd\":\"kill\",\"args\":[\"flatten\"]}", needs_core, cmd), "");
  EXPECT_TRUE(needs_core);
  EXPECT_EQ(cmd.kind, ControlKind::kKill);
  EXPECT_TRUE(cmd.flatten);
  EXPECT_EQ(server_->handle("{\"cmd\":\"risk\",\"args\":[\"set\",\"exit_time\",\"14:30\"]}", needs_core, cmd), "");
  EXPECT_EQ(cmd.kind, ControlKind::kSetRiskLimits);
  EXPECT_EQ(cmd.exits.exit_minute, 14 * 60 + 30);
  EXPECT_EQ(cmd.limits.max_open_positions, RiskLimits{}.max_open_positions);  // others untouched
  EXPECT_EQ(server_->handle("{\"cmd\":\"strategies\",\"args\":[\"disable\",\"iron_condor\"]}", needs_core, cmd), "");
  EXPECT_EQ(cmd.kind, ControlKind::kDisableStrategy);
  EXPECT_EQ(cmd.strategy, 1);
}

TEST_F(AdminServerTest, shouldCreateSocketWithMode0660AndReplaceAStaleOne) {
  {
    AdminConfig cfg;
    cfg.socket = server_->path();
    TripleBuffer<CoreSnapshot> tb;
    auto a = std::make_unique<ControlRing>();
    auto b = std::make_unique<ControlReplyRing>();
    AdminServer first(cfg, tb, *a, *b, {});
    ASSERT_FALSE(first.open());
    // Simulate a crash: the socket file stays behind.
  }
  start(false);
  struct stat st{};
  ASSERT_EQ(::stat(server_->path().c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0660u);
}

TEST_F(AdminServerTest, shouldAnswerReadOnlyCommandsFromTheSnapshot) {
  start(false);
  const json status = ask("status");
  ASSERT_TRUE(status["ok"].get<bool>()) << status.dump();
  EXPECT_EQ(status["result"]["state"], "running");
  EXPECT_DOUBLE_EQ(status["result"]["pnl"]["net"].get<double>(), -52.70);
  const json positions = ask("positions");
  ASSERT_EQ(positions["result"]["legs"].size(), 1u);
  EXPECT_EQ(positions["result"]["legs"][0]["symbol"], "O:SPY260821C00500000");
  EXPECT_EQ(positions["result"]["legs"][0]["quantity"], -2);
  EXPECT_TRUE(positions["result"]["total"].contains("delta_usd"));
  EXPECT_EQ(positions["result"]["strategies"].size(), 2u);
  EXPECT_EQ(ask("risk")["result"]["limits"]["max_risk_fraction"], 0.005);
  EXPECT_EQ(ask("strategies")["result"][1]["name"], "iron_condor");
  EXPECT_EQ(ask("metrics")["result"]["feeds"].size(), static_cast<std::size_t>(kStreamCount));
  EXPECT_EQ(ask("pnl")["result"]["strategies"].size(), 2u);
  EXPECT_TRUE(ask("orders")["result"].is_array());
}

TEST_F(AdminServerTest, shouldApplyStateChangesThroughTheCoreAndReportItsAnswer) {
  start(true);
  const json paused = ask("pause");
  ASSERT_TRUE(paused["ok"].get<bool>()) << paused.dump();
  EXPECT_EQ(paused["result"]["message"], "done");
  EXPECT_TRUE(ask("status")["result"]["paused"].get<bool>());
  EXPECT_TRUE(ask("kill")["ok"].get<bool>());
  EXPECT_TRUE(ask("risk")["result"]["killed"].get<bool>());
  EXPECT_TRUE(ask("risk", {"set", "max_open_positions", "2"})["ok"].get<bool>());
  EXPECT_EQ(ask("risk")["result"]["limits"]["max_open_positions"], 2);
  const json refused = ask("flatten");
  EXPECT_FALSE(refused["ok"].get<bool>());
  EXPECT_EQ(refused["error"], "flatten refused: reconciliation pending");
  const json bad = ask("risk", {"set", "max_open_positions", "-3"});
  EXPECT_FALSE(bad["ok"].get<bool>());
  stop();
  EXPECT_EQ(applied_.size(), 4u);  // pause, kill, risk set, flatten: the bad one never reached the core
}

TEST_F(AdminServerTest, shouldTimeOutWhenTheCoreDoesNotAnswer) {
  server_->core_timeout = 100ms;
  start(false);
  const json r = ask("pause");
  EXPECT_FALSE(r["ok"].get<bool>());
  EXPECT_NE(r["error"].get<std::string>().find("did not answer within 100 ms"), std::string::npos);
  stop();  // stats belong to the server thread
  EXPECT_EQ(server_->stats().core_timeouts, 1u);
}

TEST_F(AdminServerTest, shouldServeSeveralRequestsOnOneConnectionInOrder) {
  start(true);
  const std::string two = admin::encode_request("pause", {}) + admin::encode_request("status", {});
  // exchange() returns the first line; the second request is answered after the core's reply.
  const auto reply = admin::exchange(server_->path(), two, 5s);
  ASSERT_FALSE(reply.error);
  EXPECT_EQ(json::parse(reply.line)["cmd"], "pause");
}

TEST_F(AdminServerTest, shouldCloseAConnectionAfterALineOver64KiBAndExecuteNothingOfIt) {
  start(true);
  RawClient raw(server_->path());
  ASSERT_TRUE(raw.connected());
  // The line's tail, and a request after it, are well-formed: neither may run.
  const std::string line =
      std::string(AdminServer::kMaxLine + 100, ' ') + "{\"cmd\":\"pause\"}\n" + admin::encode_request("kill", {});
  (void)raw.send_all(line);
  const std::string got = raw.read_to_end();
  EXPECT_FALSE(raw.timed_out()) << "the connection was left open";
  ASSERT_EQ(std::count(got.begin(), got.end(), '\n'), 1) << got;
  const json r = json::parse(got);
  EXPECT_FALSE(r["ok"].get<bool>());
  EXPECT_NE(r["error"].get<std::string>().find("longer than 64 KiB"), std::string::npos) << got;
  const json status = ask("status");
  EXPECT_FALSE(status["result"]["paused"].get<bool>());
  EXPECT_FALSE(status["result"]["killed"].get<bool>());
  stop();
  EXPECT_TRUE(applied_.empty());
  EXPECT_EQ(server_->stats().overlong, 1u);
}

TEST_F(AdminServerTest, shouldAnswerTheLastRequestOfAClientThatStoppedSending) {
  start(false);
  RawClient raw(server_->path());
  ASSERT_TRUE(raw.connected());
  const std::string two = admin::encode_request("status", {}) + admin::encode_request("pnl", {});
  ASSERT_EQ(raw.send_all(two), two.size());
  ASSERT_EQ(::shutdown(raw.fd(), SHUT_WR), 0);  // half-close: still reading
  const std::string got = raw.read_to_end();
  EXPECT_FALSE(raw.timed_out());
  ASSERT_EQ(std::count(got.begin(), got.end(), '\n'), 2) << got;
  EXPECT_EQ(json::parse(got.substr(0, got.find('\n')))["cmd"], "status");
  EXPECT_EQ(json::parse(got.substr(got.find('\n') + 1))["cmd"], "pnl");
}

TEST_F(AdminServerTest, shouldAnswerManyPipelinedRequestsInOrderWhenTheClientReads) {
  start(false);
  RawClient raw(server_->path());
  ASSERT_TRUE(raw.connected());
  std::string many;
  constexpr int kRequests = 400;  // about 600 KiB of metrics replies: several times the output bound
  for (int i = 0; i < kRequests; ++i) many += admin::encode_request(i % 2 == 0 ? "metrics" : "status", {});
  std::thread writer([&] {
    (void)raw.send_all(many);
    ::shutdown(raw.fd(), SHUT_WR);
  });
  const std::string got = raw.read_to_end(10000ms);
  writer.join();
  EXPECT_FALSE(raw.timed_out());
  ASSERT_EQ(std::count(got.begin(), got.end(), '\n'), kRequests);
  std::size_t at = 0;
  for (int i = 0; i < kRequests; ++i) {
    const std::size_t nl = got.find('\n', at);
    const json r = json::parse(got.substr(at, nl - at));
    ASSERT_EQ(r["cmd"], i % 2 == 0 ? "metrics" : "status") << "reply " << i;
    at = nl + 1;
  }
  stop();
  EXPECT_EQ(server_->stats().slow_readers, 0u);
}

TEST_F(AdminServerTest, shouldBoundTheOutputOfAClientThatNeverReadsAndDisconnectIt) {
  server_->slow_reader_timeout = 300ms;
  start(false);
  RawClient raw(server_->path());
  ASSERT_TRUE(raw.connected());
  std::string flood;
  while (flood.size() < (8u << 20)) flood += admin::encode_request("metrics", {});
  // The server stops taking requests once its replies are not read: the writes stall well short
  // of 8 MiB, and the connection is closed once nothing moves for slow_reader_timeout.
  const std::size_t sent = raw.send_all(flood, 3000ms);
  EXPECT_LT(sent, flood.size());
  pollfd p{raw.fd(), 0, 0};
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while ((p.revents & POLLHUP) == 0 && std::chrono::steady_clock::now() < deadline) (void)::poll(&p, 1, 20);
  EXPECT_NE(p.revents & POLLHUP, 0) << "a client that never reads was not disconnected";
  EXPECT_EQ(ask("help")["ok"], true);  // the server still serves others
  stop();
  EXPECT_EQ(server_->stats().slow_readers, 1u);
  // At most the bound plus one reply (a metrics reply is a few KiB).
  EXPECT_LE(server_->stats().max_pending_output, AdminServer::kMaxPendingOutput + 16u * 1024);
  EXPECT_GT(server_->stats().max_pending_output, 0u);
}

TEST_F(AdminServerTest, shouldRefuseConnectionsOverMaxConnections) {
  AdminConfig cfg;
  cfg.max_connections = 2;
  make_server(cfg);
  start(false);
  RawClient a(server_->path());
  RawClient b(server_->path());
  for (RawClient* c : {&a, &b}) {  // answered: accepted and counted
    ASSERT_TRUE(c->connected());
    ASSERT_GT(c->send_all(admin::encode_request("help", {})), 0u);
    char buf[4096];
    pollfd p{c->fd(), POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 5000), 1);
    ASSERT_GT(::recv(c->fd(), buf, sizeof buf, 0), 0);
  }
  RawClient third(server_->path());
  ASSERT_TRUE(third.connected());
  const std::string refused = third.read_to_end();
  EXPECT_FALSE(third.timed_out()) << "the connection over the cap was left open";
  const json r = json::parse(refused);
  EXPECT_FALSE(r["ok"].get<bool>());
  EXPECT_NE(r["error"].get<std::string>().find("too many admin connections: 2 are open (admin.max_connections)"),
            std::string::npos)
      << refused;
  // Once one closes, a new connection is served again.
  ::shutdown(a.fd(), SHUT_RDWR);
  json ok;
  for (int i = 0; i < 100; ++i) {
    const auto reply = admin::exchange(server_->path(), admin::encode_request("help", {}), 2s);
    if (!reply.error && (ok = json::parse(reply.line))["ok"] == true) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(ok["ok"], true);
  stop();
  EXPECT_GE(server_->stats().refused, 1u);
}

TEST_F(AdminServerTest, shouldDenyPeersWhoseUidIsNotAllowed) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to connect as another uid";
  start(false);
  ASSERT_EQ(::chmod(server_->path().c_str(), 0666), 0);  // let the file mode pass: the peer check must deny
  const pid_t child = ::fork();
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
    const auto reply = admin::exchange(server_->path(), admin::encode_request("status", {}), 2s);
    const bool denied = !reply.error && reply.line.find("permission denied") != std::string::npos;
    ::_exit(denied ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  stop();
  EXPECT_EQ(server_->stats().denied, 1u);
}

}  // namespace
}  // namespace odte::daemon
