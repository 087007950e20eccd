#include "odte/daemon/runtime.hpp"

#include <pthread.h>
#include <signal.h>
#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <ctime>
#include <spdlog/async.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>
#include <string>

namespace odte::daemon {

namespace {
std::int64_t monotonic_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000LL + ts.tv_nsec;
}
}  // namespace

SystemdNotifier::SystemdNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  active_ = socket != nullptr && *socket != '\0';
  std::uint64_t usec = 0;
  if (active_ && sd_watchdog_enabled(0, &usec) > 0) watchdog_us_ = usec;
}

void SystemdNotifier::ready(std::string_view status) {
  if (!active_) return;
  const std::string msg = "READY=1\nSTATUS=" + std::string(status);
  sd_notify(0, msg.c_str());
}

void SystemdNotifier::status(std::string_view status) {
  if (!active_) return;
  const std::string msg = "STATUS=" + std::string(status);
  sd_notify(0, msg.c_str());
}

void SystemdNotifier::stopping(std::string_view status) {
  if (!active_) return;
  const std::string msg = "STOPPING=1\nSTATUS=" + std::string(status);
  sd_notify(0, msg.c_str());
}

void SystemdNotifier::watchdog() noexcept {
  if (watchdog_us_ == 0) return;
  const std::int64_t now = monotonic_ns();
  if (now < next_ping_ns_) return;
  next_ping_ns_ = now + static_cast<std::int64_t>(watchdog_us_) * 500;  // half the interval, in ns
  sd_notify(0, "WATCHDOG=1");
  ++pings_;
}

SignalWatcher::~SignalWatcher() {
  if (thread_.joinable()) {
    quit_.store(true);
    pthread_kill(thread_.native_handle(), SIGUSR2);  // wakes sigwait; SIGUSR2 is in the set
    thread_.join();
  }
}

void SignalWatcher::start() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = std::thread([this, set] {
    for (;;) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0) continue;
      if (quit_.load()) return;
      if (sig == SIGHUP) {
        reload_.store(true, std::memory_order_release);
      } else if (sig == SIGTERM || sig == SIGINT) {
        stop_.store(true, std::memory_order_release);
      }
    }
  });
}

bool started_by_systemd() noexcept {
  for (const char* name : {"JOURNAL_STREAM", "INVOCATION_ID"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') return true;
  }
  return false;
}

LogTarget log_target(const LogConfig& config, bool under_systemd) noexcept {
  if (!config.path.empty()) return LogTarget::kFile;
  return under_systemd ? LogTarget::kJournal : LogTarget::kStderr;
}

std::string_view to_string(LogTarget t) noexcept {
  switch (t) {
    case LogTarget::kStderr: return "stderr";
    case LogTarget::kJournal: return "the systemd journal";
    case LogTarget::kFile: return "a file";
  }
  return "stderr";
}

std::string init_logging(const LogConfig& config) {
  spdlog::sink_ptr sink;
  const LogTarget target = log_target(config, started_by_systemd());
  if (target == LogTarget::kStderr) {
    sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  } else if (target == LogTarget::kJournal) {
    // Each line is a journal entry with its priority (info, warning...) and SYSLOG_IDENTIFIER odted;
    // the journal stamps the time itself.
    sink = std::make_shared<spdlog::sinks::systemd_sink_mt>("odted");
  } else {
    try {
      sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
          config.path, static_cast<std::size_t>(config.max_size_mb) * 1024 * 1024, config.max_files);
    } catch (const spdlog::spdlog_ex& e) {
      return "log.path " + config.path + ": " + e.what();
    }
  }
  spdlog::init_thread_pool(8192, 1);
  auto logger = std::make_shared<spdlog::async_logger>("odted", sink, spdlog::thread_pool(),
                                                       spdlog::async_overflow_policy::overrun_oldest);
  logger->set_level(spdlog::level::from_str(config.level));
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%f%z %l %v");
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  return {};
}

void shutdown_logging() {
  if (auto logger = spdlog::default_logger()) logger->flush();
  spdlog::shutdown();
}

}  // namespace odte::daemon
