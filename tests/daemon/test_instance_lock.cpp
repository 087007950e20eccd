#include "odte/daemon/instance_lock.hpp"

#include <arpa/inet.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "odte/daemon/admin_server.hpp"
#include "odte/daemon/core_services.hpp"

namespace odte::daemon {
namespace {

namespace fs = std::filesystem;

class InstanceLockTest : public ::testing::Test {
 protected:
  InstanceLockTest()
      : dir_{fs::temp_directory_path() /
             ("odte-lock-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
              std::to_string(::getpid()))} {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~InstanceLockTest() override { fs::remove_all(dir_); }
  Config config(const std::string& journal, const std::string& socket) const {
    Config c;
    c.journal = (dir_ / journal).string();
    c.admin.socket = (dir_ / socket).string();
    return c;
  }
  fs::path dir_;
};

std::string contents(const fs::path& p) {
  std::string bytes(static_cast<std::size_t>(fs::file_size(p)), '\0');
  std::ifstream(p, std::ios::binary).read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return bytes;
}

TEST_F(InstanceLockTest, shouldRefuseASecondHolderNamingTheFirstOnesPid) {
  const std::string path = (dir_ / "journal.odj.lock").string();
  InstanceLock first;
  ASSERT_EQ(first.acquire(path, "journal"), "");
  EXPECT_TRUE(first.held());
  EXPECT_EQ(contents(path), std::to_string(::getpid()) + "\n");
  // flock conflicts between two opens of the file even in one process: the second open is refused.
  InstanceLock second;
  const std::string err = second.acquire(path, "journal");
  EXPECT_NE(err.find("journal " + path + " is locked by another odted (pid " + std::to_string(::getpid()) + ")"),
            std::string::npos)
      << err;
  EXPECT_FALSE(second.held());
}

TEST_F(InstanceLockTest, shouldBeFreeAgainOnceTheHolderIsGone) {
  const std::string path = (dir_ / "x.lock").string();
  {
    InstanceLock first;
    ASSERT_EQ(first.acquire(path, "journal"), "");
  }
  InstanceLock again;
  EXPECT_EQ(again.acquire(path, "journal"), "");
}

// The holder is another process, killed with SIGKILL: its pid is named while it lives, and the
// kernel drops the lock when it dies, so a restart after a crash is never blocked.
TEST_F(InstanceLockTest, shouldNameAnotherProcessAndBeReleasedWhenItIsKilled) {
  const std::string path = (dir_ / "journal.odj.lock").string();
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    InstanceLock lock;
    const char ok = lock.acquire(path, "journal").empty() ? '1' : '0';
    (void)::write(ready[1], &ok, 1);
    for (;;) ::pause();
  }
  char ok = 0;
  ASSERT_EQ(::read(ready[0], &ok, 1), 1);
  ASSERT_EQ(ok, '1');
  InstanceLock mine;
  const std::string err = mine.acquire(path, "journal");
  EXPECT_NE(err.find("(pid " + std::to_string(child) + ")"), std::string::npos) << err;
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  EXPECT_EQ(mine.acquire(path, "journal"), "");
}

TEST_F(InstanceLockTest, shouldLockTheJournalAndTheRunDirectorySeparately) {
  std::vector<InstanceLock> a;
  ASSERT_EQ(lock_instance(config("j/journal.odj", "run/admin.sock"), a), "");
  EXPECT_EQ(a.size(), 2u);
  EXPECT_TRUE(fs::exists(dir_ / "j/journal.odj.lock"));
  EXPECT_TRUE(fs::exists(dir_ / "run/admin.sock.lock"));
  // Another journal, the same admin socket: refused for the run directory, and the journal lock
  // it took first is released again.
  std::vector<InstanceLock> b;
  std::string err = lock_instance(config("k/journal.odj", "run/admin.sock"), b);
  EXPECT_NE(err.find("run directory (admin socket) " + (dir_ / "run/admin.sock.lock").string()), std::string::npos) << err;
  EXPECT_TRUE(b.empty());
  InstanceLock probe;
  EXPECT_EQ(probe.acquire((dir_ / "k/journal.odj.lock").string(), "journal"), "");
  // The same journal, another socket: refused for the journal.
  err = lock_instance(config("j/journal.odj", "run2/admin.sock"), b);
  EXPECT_NE(err.find("journal " + (dir_ / "j/journal.odj.lock").string()), std::string::npos) << err;
  EXPECT_TRUE(b.empty());
}

TEST_F(InstanceLockTest, shouldNameALockPathThatCannotBeOpened) {
  fs::create_directories(dir_ / "journal.odj.lock");  // a directory where the lock file goes
  InstanceLock lock;
  const std::string err = lock.acquire((dir_ / "journal.odj.lock").string(), "journal");
  EXPECT_NE(err.find("cannot open: Is a directory"), std::string::npos) << err;
}

TEST_F(InstanceLockTest, shouldRemoveOnlyOrphanTemporariesOfTheJournal) {
  for (const char* name : {"journal.odj.tmp.123", "journal.odj.tmp.9", "journal.odj.tmp.", "journal.odj.tmp.12x",
                           "other.odj.tmp.5", "journal.odj"}) {
    std::ofstream(dir_ / name) << "x";
  }
  const auto removed = remove_orphan_journal_temps((dir_ / "journal.odj").string());
  EXPECT_EQ(removed.size(), 2u);
  EXPECT_FALSE(fs::exists(dir_ / "journal.odj.tmp.123"));
  EXPECT_FALSE(fs::exists(dir_ / "journal.odj.tmp.9"));
  for (const char* kept : {"journal.odj.tmp.", "journal.odj.tmp.12x", "other.odj.tmp.5", "journal.odj"}) {
    EXPECT_TRUE(fs::exists(dir_ / kept)) << kept;
  }
}

// An admin server removes the socket file it created and no other: one that replaced it (another
// instance's, started over it) stays, so that instance's kill switch stays reachable.
TEST_F(InstanceLockTest, shouldRemoveOnlyTheAdminSocketItCreated) {
  auto snapshots = std::make_unique<TripleBuffer<CoreSnapshot>>();
  auto to_core = std::make_unique<ControlRing>();
  auto from_core = std::make_unique<ControlReplyRing>();
  AdminConfig cfg;
  cfg.socket = (dir_ / "admin.sock").string();
  AdminServer first(cfg, *snapshots, *to_core, *from_core, {});
  ASSERT_FALSE(first.open());
  AdminServer second(cfg, *snapshots, *to_core, *from_core, {});
  ASSERT_FALSE(second.open());  // replaces the file it takes for stale
  struct stat theirs{};
  ASSERT_EQ(::lstat(cfg.socket.c_str(), &theirs), 0);
  first.close();
  struct stat after{};
  ASSERT_EQ(::lstat(cfg.socket.c_str(), &after), 0) << "the first server removed the second one's socket";
  EXPECT_EQ(after.st_ino, theirs.st_ino);
  second.close();
  EXPECT_FALSE(fs::exists(cfg.socket));
}

// A metrics port another process listens on is reported as the metrics endpoint's problem, with
// its address, not as the admin socket's; the admin socket created first is removed again.
TEST_F(InstanceLockTest, shouldNameABusyMetricsPortAsSuch) {
  const int busy = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(busy, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(busy, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(busy, 1), 0);
  ASSERT_EQ(::getsockname(busy, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::uint16_t port = ntohs(addr.sin_port);

  Config c = config("journal.odj", "admin.sock");
  c.admin.metrics_port = port;
  SignalWatcher signals;
  SystemdNotifier notify;
  {
    CoreServices services(c, {}, signals, notify);
    const std::string err = services.open();
    EXPECT_NE(err.find("admin.metrics_port: cannot listen on 127.0.0.1:" + std::to_string(port) +
                       ": Address already in use"),
              std::string::npos)
        << err;
    EXPECT_EQ(err.find("admin socket"), std::string::npos) << err;
  }
  EXPECT_FALSE(fs::exists(c.admin.socket));
  ::close(busy);
}

// admin.socket_group: the socket is given to the operators' group (connecting needs write access
// to it) -- a group the process may give files to: any as root, a supplementary one otherwise.
TEST_F(InstanceLockTest, shouldGiveTheAdminSocketToSocketGroup) {
  std::string name;
  gid_t gid = 0;
  if (::geteuid() == 0) {
    const group* g = ::getgrnam("nogroup");
    ASSERT_NE(g, nullptr) << "Debian has a group nogroup";
    name = g->gr_name;
    gid = g->gr_gid;
  } else {
    std::vector<gid_t> groups(static_cast<std::size_t>(std::max(::getgroups(0, nullptr), 0)));
    const int n = ::getgroups(static_cast<int>(groups.size()), groups.data());
    for (int i = 0; i < n; ++i) {
      const group* g = ::getgrgid(groups[static_cast<std::size_t>(i)]);
      if (g != nullptr && g->gr_gid != ::getegid()) {
        name = g->gr_name;
        gid = g->gr_gid;
        break;
      }
    }
    if (name.empty()) GTEST_SKIP() << "not root and no supplementary group to give the socket to";
  }
  Config c = config("journal.odj", "admin.sock");
  c.admin.socket_group = name;
  SignalWatcher signals;
  SystemdNotifier notify;
  CoreServices services(c, {}, signals, notify);
  ASSERT_EQ(services.open(), "");
  struct stat st{};
  ASSERT_EQ(::stat(c.admin.socket.c_str(), &st), 0);
  EXPECT_EQ(st.st_gid, gid);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
}

// A group that does not exist is named with its key, and no admin socket is left.
TEST_F(InstanceLockTest, shouldNameAnUnknownSocketGroup) {
  Config c = config("journal.odj", "admin.sock");
  c.admin.socket_group = "odte-no-such-group";
  SignalWatcher signals;
  SystemdNotifier notify;
  {
    CoreServices services(c, {}, signals, notify);
    const std::string err = services.open();
    EXPECT_NE(err.find("admin.socket_group: no group named \"odte-no-such-group\""), std::string::npos) << err;
  }
  EXPECT_FALSE(fs::exists(c.admin.socket));
}

}  // namespace
}  // namespace odte::daemon
