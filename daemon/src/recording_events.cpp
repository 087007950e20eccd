#include "odte/daemon/recording_events.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "odte/core/options/calendar.hpp"
#include "odte/feeds/recording.hpp"

namespace odte::daemon {

int utc_offset_minutes(std::int32_t trading_day) {
  // The offset in force at noon of that day: trading hours never straddle a DST change.
  using namespace std::chrono;
  const year_month_day ymd{year{trading_day / 10000}, month{static_cast<unsigned>(trading_day / 100 % 100)},
                           day{static_cast<unsigned>(trading_day % 100)}};
  const std::int64_t noon_as_utc_ns = duration_cast<nanoseconds>(sys_days{ymd}.time_since_epoch() + hours{12}).count();
  return static_cast<int>((noon_as_utc_ns - options::local_to_utc_ns(trading_day, 12 * 60)) / 60'000'000'000LL);
}

std::string check_single_trading_day(const std::string& path, std::int32_t trading_day,
                                     std::vector<std::int32_t>* days) {
  feeds::RecordingReader reader;
  if (!reader.open(path).empty()) return {};  // the replay's own open says why
  feeds::RecordView rec;
  std::int32_t last = 0;
  std::string first_other;
  std::vector<std::int32_t> seen;
  while (reader.next(rec) == feeds::ReadStatus::kRecord) {
    if (rec.receive_ns <= 0) continue;
    const std::int32_t d = options::new_york_date(rec.receive_ns);
    if (d == last) continue;
    last = d;
    if (std::find(seen.begin(), seen.end(), d) == seen.end()) seen.push_back(d);
    if (d != trading_day && first_other.empty()) {
      first_other = "record " + std::to_string(reader.records_read()) + " was received on " + std::to_string(d);
      if (days == nullptr) break;
    }
  }
  std::sort(seen.begin(), seen.end());
  if (days != nullptr) *days = seen;
  if (first_other.empty()) return {};
  std::string list;
  for (const std::int32_t d : seen) list += (list.empty() ? "" : ", ") + std::to_string(d);
  return path + " spans more than one trading day (" + (days != nullptr ? list : first_other) + "; it starts on " +
         std::to_string(trading_day) + "): a replay is one trading day, or every later day would run as part of the " +
         "first. Make one recording per day and give each to its own run, or a folder of them to `odte backtest`";
}

bool PeekedSource::open() {
  have_first_ = inner_.next(first_);
  if (!have_first_) return false;
  const TimestampNs t = first_.header.exchange_ns != 0 ? first_.header.exchange_ns : first_.header.receive_ns;
  first_ns_ = t;
  trading_day_ = options::new_york_date(t);
  utc_offset_minutes_ = daemon::utc_offset_minutes(trading_day_);
  return true;
}

bool PeekedSource::next(MarketEvent& out) {
  if (have_first_) {
    out = first_;
    have_first_ = false;
    return true;
  }
  return inner_.next(out);
}

RecordingEvents::RecordingEvents(InstrumentRegistry& registry) : source_(registry) {}

std::string RecordingEvents::open(const std::string& path) {
  if (std::string err = source_.open(path); !err.empty()) return err;
  if (!peeked_.open()) {
    if (!source_.error().empty()) return source_.error();
    return path + ": the recording holds no market event";
  }
  return {};
}

std::string RecordingEvents::ended_early() const {
  if (source_.torn_tail_bytes() == 0) return {};
  std::string out = "the recording ended early: a torn last block of " + std::to_string(source_.torn_tail_bytes()) +
                    " bytes at file offset " + std::to_string(source_.torn_tail_offset()) + ", after " +
                    std::to_string(source_.frames()) + " whole frames";
  if (const TimestampNs last = source_.last_receive_ns(); last > 0) {
    const std::int64_t local_s = last / 1'000'000'000 + std::int64_t{utc_offset_minutes()} * 60;
    const std::int64_t day_s = ((local_s % 86'400) + 86'400) % 86'400;
    char when[48];
    std::snprintf(when, sizeof when, ", the last received at %02d:%02d:%02d exchange time",
                  static_cast<int>(day_s / 3600), static_cast<int>(day_s / 60 % 60), static_cast<int>(day_s % 60));
    out += when;
  }
  return out;
}

}  // namespace odte::daemon
