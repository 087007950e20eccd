// kill -9 of either side at random points: the scripted core (with FixBroker) and the acceptor
// run as separate processes (fix_test_peer); after restarts and reconciliation the positions must
// equal an uninterrupted run, every scripted order must be filled exactly once at the venue, and no
// ClOrdID may arrive twice as a new order.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include "fix_harness.hpp"
#include "fix_test_acceptor.hpp"

namespace odte::testing {
namespace {

constexpr int kOrders = 12;

pid_t spawn(const std::vector<std::string>& args, const std::string& out) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

// Exit status of `pid`, or -1 if it is still running after `limit` (then it is killed).
int wait_exit(pid_t pid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

void kill9(pid_t pid) {
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string positions_line(const std::string& out) {
  const auto at = out.rfind("POS");
  return at == std::string::npos ? std::string() : out.substr(at, out.find('\n', at) - at);
}

bool wait_ready(const std::string& out) {
  return wait_for([&] { return read_text(out).find("READY") != std::string::npos; }, [] {},
                  std::chrono::milliseconds(10000));
}

struct VenueBook {
  int orders = 0;
  int filled = 0;
};

// Reads the acceptor's book file (last record per order wins).
VenueBook read_book(const std::string& dir) {
  struct Rec {
    std::uint32_t magic;
    std::uint32_t pad_;
    AcceptorOrder order;
  };
  std::map<std::string, AcceptorOrder> last;
  std::ifstream in(dir + "/book.bin", std::ios::binary);
  Rec r{};
  while (in.read(reinterpret_cast<char*>(&r), sizeof r)) last[r.order.first_id] = r.order;
  VenueBook b;
  for (const auto& [id, o] : last) {
    ++b.orders;
    b.filled += o.status == '2' ? 1 : 0;
  }
  return b;
}

class FixCrashTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = scratch_dir(::testing::UnitTest::GetInstance()->current_test_info()->name()); }
  void TearDown() override {
    if (acceptor_ > 0) {
      ::kill(acceptor_, SIGTERM);
      wait_exit(acceptor_, std::chrono::milliseconds(5000));
    }
    if (std::getenv("ODTE_KEEP_TEST_DIRS") == nullptr) std::filesystem::remove_all(dir_);
  }

  void start_acceptor(const std::string& name) {
    const std::string out = (dir_ / (name + ".out")).string();
    std::filesystem::remove(out);
    acceptor_ = spawn({ODTE_FIX_TEST_PEER, "acceptor", std::to_string(port_), (dir_ / name).string()}, out);
    ASSERT_TRUE(wait_ready(out)) << read_text(out);
  }

  pid_t start_initiator(const std::string& name) {
    return spawn({ODTE_FIX_TEST_PEER, "initiator", std::to_string(port_), (dir_ / name).string(),
                  std::to_string(kOrders)},
                 (dir_ / (name + ".out")).string());
  }

  std::string run_uninterrupted() {
    start_acceptor("venue-clean");
    const pid_t p = start_initiator("core-clean");
    EXPECT_EQ(wait_exit(p, std::chrono::milliseconds(40000)), 0) << read_text((dir_ / "core-clean.out").string());
    ::kill(acceptor_, SIGTERM);
    wait_exit(acceptor_, std::chrono::milliseconds(5000));
    acceptor_ = -1;
    port_ = pick_free_port();
    return positions_line(read_text((dir_ / "core-clean.out").string()));
  }

  void expect_venue_clean(const std::string& venue) {
    const VenueBook b = read_book((dir_ / venue).string());
    EXPECT_EQ(b.filled, kOrders) << "every scripted order filled exactly once at the venue";
    EXPECT_GE(b.orders, kOrders);
    EXPECT_EQ(read_text((dir_ / venue / "dups.log").string()), "") << "a ClOrdID arrived twice as a new order";
  }

  std::filesystem::path dir_;
  std::uint16_t port_ = pick_free_port();
  pid_t acceptor_ = -1;
  std::mt19937 rng_{std::random_device{}()};
};

TEST_F(FixCrashTest, shouldReconcileToTheSamePositionsAfterTheCoreIsKilledAtRandomPoints) {
  const std::string expected = run_uninterrupted();
  ASSERT_FALSE(expected.empty());

  start_acceptor("venue");
  std::uniform_int_distribution<int> delay_ms(50, 600);
  for (int round = 0; round < 3; ++round) {
    const pid_t p = start_initiator("core");
    const int d = delay_ms(rng_);
    std::this_thread::sleep_for(std::chrono::milliseconds(d));
    kill9(p);
    RecordProperty("kill_after_ms_" + std::to_string(round), d);
  }
  const pid_t last = start_initiator("core");
  ASSERT_EQ(wait_exit(last, std::chrono::milliseconds(40000)), 0) << read_text((dir_ / "core.out").string());
  EXPECT_EQ(positions_line(read_text((dir_ / "core.out").string())), expected);
  expect_venue_clean("venue");
}

TEST_F(FixCrashTest, shouldReconcileToTheSamePositionsAfterTheAcceptorIsKilledAtRandomPoints) {
  const std::string expected = run_uninterrupted();
  ASSERT_FALSE(expected.empty());

  start_acceptor("venue");
  const pid_t core = start_initiator("core");
  std::uniform_int_distribution<int> delay_ms(50, 400);
  for (int round = 0; round < 2; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng_)));
    kill9(acceptor_);
    acceptor_ = -1;
    start_acceptor("venue");  // same store, same book, same port
  }
  ASSERT_EQ(wait_exit(core, std::chrono::milliseconds(45000)), 0) << read_text((dir_ / "core.out").string());
  EXPECT_EQ(positions_line(read_text((dir_ / "core.out").string())), expected);
  expect_venue_clean("venue");
}

}  // namespace
}  // namespace odte::testing
