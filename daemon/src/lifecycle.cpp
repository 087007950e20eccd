#include "odte/daemon/lifecycle.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <spdlog/spdlog.h>

#include "odte/core/journal/journal.hpp"
#include "odte/core/options/calendar.hpp"
#include "odte/daemon/core_services.hpp"

namespace odte::daemon {

DayPlan plan_day(std::int32_t day, const SessionConfig& session) {
  const options::SessionDay s = options::session(day);
  DayPlan p;
  p.day = day;
  p.open_ns = s.open_ns;
  p.close_ns = s.close_ns;
  p.connect_ns = s.open_ns - session.connect_before_open_ns;
  p.end_ns = s.close_ns + session.close_after_ns;
  p.early_close = s.rule.status == options::DayStatus::kEarlyClose;
  return p;
}

DayPlan next_day_plan(TimestampNs now_ns, const SessionConfig& session, std::int32_t done) {
  // Starts the day before today: a connect_before_open of hours may begin the day's connection
  // the evening before.
  std::int32_t d = options::add_days(options::new_york_date(now_ns), -1);
  for (int i = 0; i < 40; ++i, d = options::add_days(d, 1)) {
    const options::DayRule rule = options::classify(d);
    if (rule.status == options::DayStatus::kOutOfRange) break;
    if (!rule.open() || d <= done) continue;
    const DayPlan p = plan_day(d, session);
    if (now_ns < p.end_ns) return p;
  }
  return {};
}

std::string new_york_text(TimestampNs ns) {
  if (ns == 0) return "-";
  const std::int32_t date = options::new_york_date(ns);
  const std::int64_t minutes = (ns - options::local_to_utc_ns(date, 0)) / 60'000'000'000LL;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d", date / 10000, date / 100 % 100, date % 100,
                static_cast<int>(minutes / 60), static_cast<int>(minutes % 60));
  return buf;
}

std::string iso_day(std::int32_t d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d / 10000, d / 100 % 100, d % 100);
  return buf;
}

bool parse_new_york_time(std::string_view text, TimestampNs& ns) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char sep = 0;
  int used = 0;
  const std::string t(text);
  const int n = std::sscanf(t.c_str(), "%4d-%2d-%2d%c%2d:%2d%n:%2d%n", &y, &mo, &d, &sep, &h, &mi, &used, &s, &used);
  if (n < 6 || (sep != ' ' && sep != 'T') || static_cast<std::size_t>(used) != t.size()) return false;
  const std::int32_t date = y * 10000 + mo * 100 + d;
  if (!options::is_valid_date(date) || h > 23 || mi > 59 || s > 59 || y < options::kFirstYear || y > options::kLastYear) {
    return false;
  }
  ns = options::local_to_utc_ns(date, h * 60 + mi) + static_cast<TimestampNs>(s) * 1'000'000'000;
  return true;
}

LifecycleClock::LifecycleClock(const SessionConfig& session) : session_{session} {}

std::string LifecycleClock::check() {
  if (session_.clock != SessionClock::kFile) return {};
  next_read_mono_ = 0;
  (void)now();
  if (file_ns_ == 0) return "session.clock_file " + session_.clock_file + ": " + error_;
  return {};
}

TimestampNs LifecycleClock::now() {
  if (session_.clock == SessionClock::kSystem) {
    last_ = std::max(last_, WallClock().now_ns());
    return last_;
  }
  const std::int64_t mono = MonotonicClock().now_ns();
  if (mono >= next_read_mono_) {
    next_read_mono_ = mono + 50'000'000;
    std::ifstream in(session_.clock_file);
    std::ostringstream text;
    text << in.rdbuf();
    TimestampNs t = 0;
    if (!in) {
      error_ = "cannot be read";
    } else if (!parse_new_york_time(text.str(), t)) {
      error_ = "holds \"" + text.str().substr(0, 40) + "\", not New York time \"YYYY-MM-DD HH:MM[:SS]\"";
    } else {
      error_.clear();
      file_ns_ = t;
    }
  }
  last_ = std::max({last_, file_ns_, feed_ns_});
  return last_;
}

void LiveDay::set_state(LifecycleState state) const {
  if (services == nullptr) return;
  const bool before_end = state != LifecycleState::kClosing && state != LifecycleState::kReporting;
  services->set_lifecycle(LifecycleSnapshot{state, plan.day, before_end ? LifecycleState::kClosing : LifecycleState::kIdle,
                                            before_end ? plan.end_ns : 0});
  spdlog::info("lifecycle: trading day {}: {}", iso_day(plan.day), to_string(state));
}

std::string day_journal_path(const Config& config, std::int32_t day) {
  return (std::filesystem::path(config.journal_dir) / (iso_day(day) + ".odj")).string();
}

std::string day_output_dir(const Config& config, std::int32_t day) {
  const std::string& base = config.output_dir.empty() ? config.journal_dir : config.output_dir;
  return (std::filesystem::path(base) / iso_day(day)).string();
}

bool day_finished(const std::string& journal_path) {
  JournalReader reader;
  const JournalScan scan = reader.read(journal_path);
  return scan.status == JournalStatus::kOk && !scan.records.empty() &&
         scan.records.back().type == JournalRecordType::kSessionEnd;
}

int run_lifecycle(const Config& config, SignalWatcher& signals, SystemdNotifier& notify, const DayRunner& run_day) {
  std::vector<std::string> names;
  for (const StrategyConfig& s : config.strategies) names.push_back(s.name);
  LifecycleClock clock(config.session);
  if (std::string err = clock.check(); !err.empty()) {
    spdlog::error("{}", err);
    std::fprintf(stderr, "odted: %s\n", err.c_str());
    return 1;
  }
  if (clock.is_test_clock()) {
    spdlog::warn("session.clock = \"file\": the lifecycle follows the TEST clock in {}, not the system's", config.session.clock_file);
  }
  std::error_code ec;
  std::filesystem::create_directories(config.journal_dir, ec);
  if (ec) {
    const std::string err = "journal_dir: cannot create " + config.journal_dir + ": " + ec.message();
    spdlog::error("{}", err);
    std::fprintf(stderr, "odted: %s\n", err.c_str());
    return 1;
  }
  CoreServices services(config, names, signals, notify);
  if (std::string err = services.open(); !err.empty()) {
    spdlog::error("{}", err);
    std::fprintf(stderr, "odted: %s\n", err.c_str());
    return 1;
  }
  bool ready = false;
  auto say_ready = [&](const std::string& status) {
    if (ready) {
      notify.status(status);
      return;
    }
    notify.ready(status);
    ready = true;
  };
  std::int32_t done = 0;
  int exit_code = 0;
  while (!signals.stop_requested()) {
    TimestampNs now = clock.now();
    const DayPlan p = next_day_plan(now, config.session, done);
    if (p.day == 0) {
      spdlog::error("lifecycle: no trading day after {} in the exchange calendar (it covers {}-{}); stopping",
                    new_york_text(now), options::kFirstYear, options::kLastYear);
      exit_code = 1;
      break;
    }
    if (now < p.connect_ns) {
      services.set_lifecycle(LifecycleSnapshot{LifecycleState::kIdle, p.day, LifecycleState::kConnecting, p.connect_ns});
      services.publish_idle(now);
      const std::string text = "idle: next trading day " + iso_day(p.day) + (p.early_close ? " (closes 13:00)" : "") +
                               ", connecting at " + new_york_text(p.connect_ns) + " New York";
      spdlog::info("lifecycle: {} (now {} New York)", text, new_york_text(now));
      say_ready(text);
      while (!signals.stop_requested() && (now = clock.now()) < p.connect_ns) {
        services.service_idle(now);
        services.tick_idle(now);
        notify.watchdog();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      continue;  // planned again: the clock may have moved past that day
    }
    const std::string journal = day_journal_path(config, p.day);
    if (day_finished(journal)) {
      spdlog::info("lifecycle: trading day {} is already closed ({} holds its session end)", iso_day(p.day), journal);
      done = p.day;
      continue;
    }
    Config day_config = config;
    day_config.journal = journal;
    day_config.output_dir = day_output_dir(config, p.day);
    LiveDay day{&services, &clock, p};
    day.set_state(LifecycleState::kConnecting);
    services.publish_idle(now);
    spdlog::info("lifecycle: trading day {}: open {}, close {}{}, closed by {} New York; journal {}", iso_day(p.day),
                 new_york_text(p.open_ns), new_york_text(p.close_ns), p.early_close ? " (early close)" : "",
                 new_york_text(p.end_ns), journal);
    say_ready("trading day " + iso_day(p.day) + ": connecting");
    const DaemonRun r = run_day(day_config, day);
    if (r.exit_code != 0) {
      exit_code = r.exit_code;
      break;
    }
    if (signals.stop_requested()) break;  // stopped mid-day: a restart resumes the day's journal
    done = p.day;
    spdlog::info("lifecycle: trading day {} closed and reported: {}/report/report.html", iso_day(p.day),
                 day_config.output_dir);
  }
  notify.stopping(exit_code == 0 ? "stopping: signal" : "stopping: a trading day failed");
  services.set_lifecycle(LifecycleSnapshot{});
  services.close();
  return exit_code;
}

}  // namespace odte::daemon
