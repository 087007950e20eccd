#pragma once

// Process-level plumbing for odted: systemd notification, signals and logging.

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>

#include "odte/daemon/config.hpp"

namespace odte::daemon {

// sd_notify(3) wrapper. Every call is a no-op when the daemon was not started by systemd
// ($NOTIFY_SOCKET unset), so the same binary runs by hand, in tests and under systemd.
class SystemdNotifier {
 public:
  SystemdNotifier();
  void ready(std::string_view status);
  void status(std::string_view status);
  void stopping(std::string_view status);
  // Called from the core loop (not a side thread, so a stuck core stops the pings). Sends
  // WATCHDOG=1 at most every half interval; in between it only reads the monotonic clock.
  void watchdog() noexcept;
  [[nodiscard]] bool active() const noexcept { return active_; }
  [[nodiscard]] std::uint64_t watchdog_interval_us() const noexcept { return watchdog_us_; }
  [[nodiscard]] std::uint64_t pings() const noexcept { return pings_; }

 private:
  bool active_ = false;
  std::uint64_t watchdog_us_ = 0;
  std::int64_t next_ping_ns_ = 0;
  std::uint64_t pings_ = 0;
};

// Turns SIGTERM/SIGINT (stop) and SIGHUP (reload) into flags the loops poll. start() blocks
// those signals in the calling thread -- call it before starting any other thread so they all
// inherit the mask -- and waits for them on a dedicated thread with sigwait.
class SignalWatcher {
 public:
  SignalWatcher() = default;
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;
  ~SignalWatcher();
  void start();
  [[nodiscard]] bool stop_requested() const noexcept { return stop_.load(std::memory_order_acquire); }
  // True once per SIGHUP.
  [[nodiscard]] bool take_reload() noexcept { return reload_.exchange(false, std::memory_order_acq_rel); }
  void request_stop() noexcept { stop_.store(true, std::memory_order_release); }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<bool> reload_{false};
  std::atomic<bool> quit_{false};
  std::thread thread_;
};

// Where odted logs: `[log] path` when set (a rotating file); otherwise the systemd journal when
// systemd started odted ($JOURNAL_STREAM or $INVOCATION_ID set: native journal entries with their
// priority, spdlog's systemd sink), else stderr.
enum class LogTarget : std::uint8_t { kStderr, kJournal, kFile };
[[nodiscard]] bool started_by_systemd() noexcept;
[[nodiscard]] LogTarget log_target(const LogConfig& config, bool under_systemd) noexcept;
[[nodiscard]] std::string_view to_string(LogTarget) noexcept;

// spdlog's asynchronous logger as the default logger: a rotating file (log.path) or stderr, fed
// through a bounded queue drained by one background thread, so logging never does I/O on the
// caller's thread. When the queue is full the oldest message is dropped rather than blocking the
// core. Returns an error text, empty on success: a log.path that cannot be opened (a directory, no
// permission) is named, and nothing is logged anywhere but stderr.
[[nodiscard]] std::string init_logging(const LogConfig& config);
void shutdown_logging();

}  // namespace odte::daemon
