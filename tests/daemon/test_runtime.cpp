#include "odte/daemon/runtime.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

namespace odte::daemon {
namespace {

using namespace std::chrono_literals;

template <typename F>
bool eventually(F&& f) {
  for (int i = 0; i < 400; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

// Signals are process-wide: each case runs in a forked child so the test binary's own mask and
// handlers stay untouched. The child's exit code carries the verdict.
TEST(SignalWatcherTest, shouldTurnTermIntoStopAndHupIntoOneReload) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    SignalWatcher w;
    w.start();
    ::kill(::getpid(), SIGHUP);
    if (!eventually([&] { return w.take_reload(); })) ::_exit(1);
    if (w.take_reload()) ::_exit(2);  // consumed once
    if (w.stop_requested()) ::_exit(3);
    ::kill(::getpid(), SIGTERM);  // must not kill the process: it is a flag now
    if (!eventually([&] { return w.stop_requested(); })) ::_exit(4);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "child killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(SystemdNotifierTest, shouldStayQuietOutsideSystemd) {
  ::unsetenv("NOTIFY_SOCKET");
  SystemdNotifier n;
  EXPECT_FALSE(n.active());
  n.ready("ready");
  n.watchdog();
  EXPECT_EQ(n.pings(), 0u);
}

// A fake systemd: a datagram socket at $NOTIFY_SOCKET receiving what sd_notify sends.
TEST(SystemdNotifierTest, shouldSendReadyStatusAndPacedWatchdogPings) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("odte-notify-" + std::to_string(::getpid()))).string();
  ::unlink(path.c_str());
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const timeval timeout{2, 0};  // a missing message fails the test instead of hanging it
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
  ::setenv("WATCHDOG_USEC", "200000", 1);
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  SystemdNotifier n;  // sd_notify reads $NOTIFY_SOCKET on every call: it stays set until the end
  ASSERT_TRUE(n.active());
  EXPECT_EQ(n.watchdog_interval_us(), 200000u);
  n.ready("replayed journal, reconciled, subscribed");
  char buf[512];
  ssize_t len = ::recv(fd, buf, sizeof buf, 0);
  ASSERT_GT(len, 0);
  EXPECT_EQ(std::string(buf, static_cast<std::size_t>(len)), "READY=1\nSTATUS=replayed journal, reconciled, subscribed");
  for (int i = 0; i < 1000; ++i) n.watchdog();  // one ping per half interval, not per call
  EXPECT_EQ(n.pings(), 1u);
  std::this_thread::sleep_for(120ms);
  n.watchdog();
  EXPECT_EQ(n.pings(), 2u);
  len = ::recv(fd, buf, sizeof buf, 0);
  ASSERT_GT(len, 0);
  EXPECT_EQ(std::string(buf, static_cast<std::size_t>(len)), "WATCHDOG=1");
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  ::unsetenv("WATCHDOG_PID");
  ::close(fd);
  ::unlink(path.c_str());
}

// A log.path that cannot be opened is an error naming it, not an uncaught spdlog_ex (abort).
TEST(LoggingTest, shouldNameALogPathThatIsADirectory) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("odte-logdir-" + std::to_string(::getpid()) + ".log");
  std::filesystem::create_directories(dir);
  LogConfig log;
  log.path = dir.string();
  const std::string err = init_logging(log);
  EXPECT_NE(err.find("log.path " + dir.string() + ": "), std::string::npos) << err;
  EXPECT_NE(err.find("Is a directory"), std::string::npos) << err;
  std::filesystem::remove(dir);
}

}  // namespace
}  // namespace odte::daemon
