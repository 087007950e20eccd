#include "odte/daemon/instance_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <thread>

namespace odte::daemon {

namespace {

std::string errno_text(int err) { return std::generic_category().message(err); }

// The pid the holder wrote into the lock file, or 0 when it has not written one (yet).
long read_holder_pid(int fd) {
  char buf[32] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return 0;
  char* end = nullptr;
  const long pid = std::strtol(buf, &end, 10);
  return end != buf && pid > 0 ? pid : 0;
}

}  // namespace

InstanceLock::~InstanceLock() {
  if (fd_ >= 0) {
    (void)::ftruncate(fd_, 0);  // no pid of a process that has ended; the lock goes with the close
    ::close(fd_);
  }
}

std::string InstanceLock::acquire(const std::string& path, const std::string& what) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (fd < 0) return what + " lock " + path + ": cannot open: " + errno_text(errno);
  int rc = 0;
  while ((rc = ::flock(fd, LOCK_EX | LOCK_NB)) != 0 && errno == EINTR) {
  }
  if (rc != 0) {
    const int err = errno;
    if (err != EWOULDBLOCK) {
      ::close(fd);
      return what + " lock " + path + ": " + errno_text(err);
    }
    // The holder writes its pid right after it locks; give it a moment if it has only just started.
    long pid = 0;
    for (int i = 0; i < 20 && (pid = read_holder_pid(fd)) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::close(fd);
    return what + " " + path + " is locked by another odted (" +
           (pid != 0 ? "pid " + std::to_string(pid) : std::string("pid not known")) +
           "): only one instance may run on it; stop that one first";
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    const int err = errno;
    ::close(fd);
    return what + " lock " + path + ": cannot write the pid: " + errno_text(err);
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  path_ = path;
  return {};
}

std::vector<std::pair<std::string, std::string>> instance_lock_paths(const Config& config) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto add = [&](const std::string& path, const std::string& what) {
    std::error_code ec;
    const std::filesystem::path canonical = std::filesystem::weakly_canonical(path, ec);
    for (const auto& taken : out) {
      std::error_code ec2;
      if (taken.first == path || (!ec && std::filesystem::weakly_canonical(taken.first, ec2) == canonical && !ec2)) return;
    }
    out.emplace_back(path, what);
  };
  // The daily service locks its journal directory: one daemon per directory, whatever the day.
  if (config.journal_dir.empty()) {
    add(config.journal + ".lock", "journal");
  } else {
    add((std::filesystem::path(config.journal_dir) / "odted.lock").string(), "journal directory");
  }
  add(config.admin.socket + ".lock", "run directory (admin socket)");
  return out;
}

std::string lock_instance(const Config& config, std::vector<InstanceLock>& out) {
  std::vector<InstanceLock> taken;
  for (const auto& [path, what] : instance_lock_paths(config)) {
    const std::filesystem::path dir = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!dir.empty()) std::filesystem::create_directories(dir, ec);
    if (ec) return "cannot create " + dir.string() + ": " + ec.message();
    InstanceLock lock;
    if (std::string err = lock.acquire(path, what); !err.empty()) return err;
    taken.push_back(std::move(lock));
  }
  for (InstanceLock& l : taken) out.push_back(std::move(l));
  return {};
}

std::vector<std::string> remove_orphan_journal_temps(const std::string& journal) {
  std::vector<std::string> removed;
  const std::filesystem::path j(journal);
  const std::string prefix = j.filename().string() + ".tmp.";
  const std::filesystem::path dir = j.has_parent_path() ? j.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    if (name.find_first_not_of("0123456789", prefix.size()) != std::string::npos) continue;
    std::error_code rm;
    if (it->is_regular_file(rm) && std::filesystem::remove(it->path(), rm)) removed.push_back(it->path().string());
  }
  return removed;
}

}  // namespace odte::daemon
