#pragma once

// The daemon's view of a recording: feeds::RecordingEventSource (the live parser over recorded
// frames) as a daemon::EventSource. open() reads ahead to the first market event, so the daemon
// knows the recorded trading day (New York date of that event) before the engine is built; the
// event is then handed out first, so nothing is skipped.

#include <cstdint>
#include <string>

#include "odte/daemon/replay.hpp"
#include "odte/feeds/recording_source.hpp"

namespace odte::daemon {

// Exchange time minus UTC, in minutes, on `trading_day` (yyyymmdd) in America/New_York.
[[nodiscard]] int utc_offset_minutes(std::int32_t trading_day);

class RecordingEvents final : public EventSource {
 public:
  explicit RecordingEvents(InstrumentRegistry& registry);

  // Returns an error text, empty on success. An empty recording (no market event) is an error:
  // there is no day to replay.
  [[nodiscard]] std::string open(const std::string& path);
  bool next(MarketEvent& out) override;

  // yyyymmdd in America/New_York of the first event's exchange time.
  [[nodiscard]] std::int32_t trading_day() const noexcept { return trading_day_; }
  // Exchange time = UTC + this, on the trading day (-240 in EDT, -300 in EST).
  [[nodiscard]] int utc_offset_minutes() const noexcept { return utc_offset_minutes_; }
  [[nodiscard]] const feeds::RecordingEventSource& source() const noexcept { return source_; }

 private:
  feeds::RecordingEventSource source_;
  MarketEvent first_{};
  bool have_first_ = false;
  std::int32_t trading_day_ = 0;
  int utc_offset_minutes_ = 0;
};

}  // namespace odte::daemon
