#pragma once

// One odted per journal and per run directory. Before it touches the journal, the admin socket or
// the broker's store, odted takes an exclusive flock(2) on a lock file beside the journal
// (JOURNAL.lock) and one beside the admin socket (SOCKET.lock, in the run directory), and writes
// its pid into each. A second instance on either finds the lock taken and exits with an error
// naming the holder's pid. The locks are held for the life of the process and released by the
// kernel when it ends, however it ends (kill -9 included), so a stale lock never blocks a restart.
// The lock files themselves are left in place: removing one would let a third instance lock a
// fresh file while the second still holds the old one.

#include <string>
#include <utility>
#include <vector>

#include "odte/daemon/config.hpp"

namespace odte::daemon {

class InstanceLock {
 public:
  InstanceLock() = default;
  InstanceLock(InstanceLock&& other) noexcept : fd_{other.fd_}, path_{std::move(other.path_)} { other.fd_ = -1; }
  InstanceLock& operator=(InstanceLock&&) = delete;
  InstanceLock(const InstanceLock&) = delete;
  InstanceLock& operator=(const InstanceLock&) = delete;
  ~InstanceLock();

  // Creates `path` (mode 0640) if missing, locks it without waiting and writes this process's pid
  // into it. Returns an error text, empty on success; when another process holds the lock the text
  // names its pid ("held by pid 1234"). `what` names the lock's purpose for the error text.
  [[nodiscard]] std::string acquire(const std::string& path, const std::string& what);
  [[nodiscard]] bool held() const noexcept { return fd_ >= 0; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

// The lock files of a configuration: JOURNAL.lock (JOURNAL_DIR/odted.lock with journal_dir) and
// SOCKET.lock (one when they are the same file).
[[nodiscard]] std::vector<std::pair<std::string, std::string>> instance_lock_paths(const Config& config);

// Takes every lock of `config` into `out` (creating the journal's and the socket's directories
// first). Returns an error text, empty on success; on failure the locks already taken are released.
[[nodiscard]] std::string lock_instance(const Config& config, std::vector<InstanceLock>& out);

// Removes JOURNAL.tmp.PID files, left where a journal's creation was killed on a file system
// without O_TMPFILE (create_file_whole). Only while holding the journal's lock: then no other
// process is creating that journal. Returns the paths removed.
std::vector<std::string> remove_orphan_journal_temps(const std::string& journal);

}  // namespace odte::daemon
