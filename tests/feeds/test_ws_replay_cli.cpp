// `odte replay-server` as a child process: a real recording file served over loopback, the server
// killed with SIGKILL mid-stream and started again on the same port, the client reconnecting,
// re-authenticating and re-subscribing on its own. Bounded waits; 127.0.0.1 only.

#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "odte/feeds/recording.hpp"
#include "odte/feeds/ws_client.hpp"

#ifndef ODTE_TOOL
#error "ODTE_TOOL (path of the odte executable) must be defined by the build"
#endif

namespace odte::feeds {
namespace {

using namespace std::chrono_literals;
constexpr const char* kKey = "cli-KEY-93ad";

template <typename Pred>
bool wait_for(Pred pred, std::chrono::milliseconds limit = 10s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

struct Child {
  pid_t pid = -1;
  int out = -1;
  ~Child() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    if (out >= 0) ::close(out);
  }
  // The first stdout line (the port), or 0 after 10 s.
  int read_port() {
    std::string line;
    const auto end = std::chrono::steady_clock::now() + 10s;
    while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < end) {
      pollfd p{out, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char buf[64];
      const ssize_t n = ::read(out, buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<std::size_t>(n));
    }
    return line.find('\n') == std::string::npos ? 0 : std::stoi(line);
  }
};

void spawn(Child& c, const std::string& recording, int port) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const std::string listen = "127.0.0.1:" + std::to_string(port);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::close(fds[0]);
    ::close(fds[1]);
    ::execl(ODTE_TOOL, "odte", "replay-server", "--recording", recording.c_str(), "--key", kKey,
            "--listen", listen.c_str(), "--speed", "1", "--cluster", "options", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[1]);
  c.pid = pid;
  c.out = fds[0];
}

TEST(ReplayServerCli, shouldServeARecordingAndSurviveTheServerBeingKilled) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("odte-cli-" + std::to_string(::getpid()) + ".odr");
  std::filesystem::remove(path);
  {
    RecordingWriter w;
    ASSERT_EQ(w.create(path.string()), "");
    const TimestampNs t0 = 1'764'081'000'000'000'000;
    for (int i = 0; i < 600; ++i) {  // one frame per 10 ms: 6 s of real time
      const std::string f = R"([{"ev":"Q","sym":"O:SPXW251125C06700000","bx":1,"ax":1,"bp":1.1,"ap":1.2,"bs":1,"as":1,"t":)" +
                            std::to_string(1'764'081'000'000 + i * 10) + "}]";
      ASSERT_EQ(w.append(t0 + i * 10'000'000LL, StreamId::kOptions, f), "");
      ASSERT_EQ(w.append(t0 + i * 10'000'000LL, StreamId::kStocks, R"([{"ev":"AM","sym":"SPY"}])"), "");
    }
    ASSERT_EQ(w.close(), "");
  }

  auto first = std::make_unique<Child>();
  spawn(*first, path.string(), 0);
  const int port = first->read_port();
  ASSERT_GT(port, 0);

  std::atomic<std::uint64_t> quotes{0};
  std::atomic<std::uint64_t> others{0};
  WsClientConfig cfg;
  cfg.url = "ws://127.0.0.1:" + std::to_string(port) + "/options";
  cfg.api_key = kKey;
  cfg.stream = StreamId::kOptions;
  cfg.subscriptions = {"Q.O:SPXW*", "AM.SPY"};
  cfg.backoff.initial = 20ms;
  cfg.backoff.max = 200ms;
  std::vector<std::string> logs;
  WsClient client(
      cfg,
      [&](const RawFrame& f) {
        if (f.has_status) return;
        (f.data.find("\"Q\"") != std::string_view::npos ? quotes : others).fetch_add(1);
      },
      {}, [&](LogLevel, std::string_view t) { logs.emplace_back(t); });
  std::error_code result;
  std::thread feed([&] { result = client.run(); });

  ASSERT_TRUE(wait_for([&] { return quotes.load() >= 20; }));
  ::kill(first->pid, SIGKILL);
  ::waitpid(first->pid, nullptr, 0);
  first->pid = -1;
  const std::uint64_t before = quotes.load();

  Child second;
  spawn(second, path.string(), port);
  EXPECT_EQ(second.read_port(), port);
  ASSERT_TRUE(wait_for([&] { return client.counters().authenticated.load() == 2; }));
  ASSERT_TRUE(wait_for([&] { return quotes.load() >= before + 20; }));
  EXPECT_GE(client.counters().reconnects.load(), 1u);
  EXPECT_EQ(client.counters().subscribes_sent.load(), 2u);
  EXPECT_EQ(others.load(), 0u);  // --cluster options: the stocks frames are never served

  client.stop();
  feed.join();
  EXPECT_FALSE(result);
  ::kill(second.pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(::waitpid(second.pid, &status, 0), second.pid);
  second.pid = -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  for (const auto& l : logs) EXPECT_EQ(l.find(kKey), std::string::npos) << l;
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace odte::feeds
