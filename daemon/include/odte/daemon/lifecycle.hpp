#pragma once

// odted's trading day, every day: the live modes run with a journal directory (journal_dir) are a
// daily service. Per the exchange calendar (core/options/calendar.hpp) odted is
//
//   idle         weekends, holidays, overnight: the admin socket answers, the watchdog is fed,
//                nothing is connected
//   connecting   from [session] connect_before_open before the open: feeds, start-up REST (today's
//                contracts, session history), the day's journal (resumed after a restart)
//   reconciling  the broker is asked for its view (trading held until it answers)
//   trading      the session
//   closing      at the feed's end or [session] close_after past the close (16:00, 13:00 on a
//                half day): working orders cancelled, expired positions settled, session end
//   reporting    the day's outputs and report in OUTPUT/YYYY-MM-DD/
//
// and then idle until the next trading day. One journal per trading day: journal_dir/YYYY-MM-DD.odj.
// docs/operations.md has what the operator sees.

#include <cstdint>
#include <functional>
#include <string>

#include "odte/core/base/clock.hpp"
#include "odte/core/engine/control.hpp"
#include "odte/daemon/config.hpp"
#include "odte/daemon/daemon.hpp"
#include "odte/daemon/runtime.hpp"

namespace odte::daemon {

class CoreServices;

// One trading day's times (Unix ns).
struct DayPlan {
  std::int32_t day = 0;          // yyyymmdd
  TimestampNs connect_ns = 0;    // open - connect_before_open
  TimestampNs open_ns = 0;       // 09:30 New York
  TimestampNs close_ns = 0;      // 16:00, or 13:00 on an early-close day
  TimestampNs end_ns = 0;        // close + close_after: the day is closed and reported by then
  bool early_close = false;
};

// The plan of trading day `day` (precondition: a trading day in the calendar's range).
[[nodiscard]] DayPlan plan_day(std::int32_t day, const SessionConfig& session);
// The first trading day whose end is after `now_ns` and after trading day `done` (0: none done):
// today while its session is on, else the next. day = 0 when the calendar's range is left.
[[nodiscard]] DayPlan next_day_plan(TimestampNs now_ns, const SessionConfig& session, std::int32_t done = 0);

// "YYYY-MM-DD HH:MM" in New York time; "-" for 0.
[[nodiscard]] std::string new_york_text(TimestampNs ns);
// "YYYY-MM-DD" of a yyyymmdd date.
[[nodiscard]] std::string iso_day(std::int32_t yyyymmdd);
// Parses "YYYY-MM-DD HH:MM" or "YYYY-MM-DD HH:MM:SS" (or with 'T') as New York time; false if not that.
[[nodiscard]] bool parse_new_york_time(std::string_view text, TimestampNs& ns);

// The wall clock the lifecycle follows ([session] clock). "system": CLOCK_REALTIME. "file": the test
// clock -- New York time read from session.clock_file (re-read at most every 50 ms), never behind
// the latest feed time observed (so against odte replay-server the day moves with the feed), and
// never going back.
class LifecycleClock {
 public:
  explicit LifecycleClock(const SessionConfig& session);
  // Reads the file clock once; an error text naming session.clock_file when it cannot be read.
  [[nodiscard]] std::string check();
  [[nodiscard]] TimestampNs now();
  void observe_feed(TimestampNs exchange_ns) noexcept {
    if (exchange_ns > feed_ns_) feed_ns_ = exchange_ns;
  }
  [[nodiscard]] bool is_test_clock() const noexcept { return session_.clock == SessionClock::kFile; }

 private:
  const SessionConfig& session_;
  TimestampNs file_ns_ = 0;
  TimestampNs feed_ns_ = 0;
  TimestampNs last_ = 0;
  std::int64_t next_read_mono_ = 0;
  std::string error_;
};

// Handed to run_live_daemon for one day of the lifecycle.
struct LiveDay {
  CoreServices* services = nullptr;  // open for the daemon's whole life; the day attaches to it
  LifecycleClock* clock = nullptr;
  DayPlan plan;
  // Shows the day's state in status (trading_day = plan.day, next = the day's end).
  void set_state(LifecycleState state) const;
};

// The journal and the output folder of a day under the configuration's journal_dir.
[[nodiscard]] std::string day_journal_path(const Config& config, std::int32_t day);
[[nodiscard]] std::string day_output_dir(const Config& config, std::int32_t day);
// Whether the day's journal holds its session end (the day was finished before a restart).
[[nodiscard]] bool day_finished(const std::string& journal_path);

// Runs one trading day: `day_config` is the configuration with journal and output_dir set to the
// day's. Returns the run's result (exit_code 0: the day was closed and reported, or stopped by signal).
using DayRunner = std::function<DaemonRun(const Config& day_config, LiveDay& day)>;

// The daily service: idle / day / idle ... until SIGTERM. READY=1 once the admin socket answers.
// Returns the process exit code: 0 stopped by signal, 1 a day that failed (its error logged), 2 a
// strategy configuration refused.
[[nodiscard]] int run_lifecycle(const Config& config, SignalWatcher& signals, SystemdNotifier& notify,
                                const DayRunner& run_day);

}  // namespace odte::daemon
