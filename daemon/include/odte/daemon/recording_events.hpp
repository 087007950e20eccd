#pragma once

// Event sources that know their trading day before the engine is built.
//
// PeekedSource wraps any EventSource (a recording, the live feed rings) and reads ahead to its
// first market event: the New York date of that event is the trading day, and the UTC offset of
// that day follows from the calendar. The event is then handed out first, so nothing is skipped.
//
// RecordingEvents is feeds::RecordingEventSource (the live parser over recorded frames) as such a
// source. A corrupt block is its failure(); a torn tail (a recorder killed mid-block, or a file
// cut short) is ended_early(): the recording ended before its end.

#include <cstdint>
#include <string>
#include <vector>

#include "odte/daemon/replay.hpp"
#include "odte/feeds/recording_source.hpp"

namespace odte::daemon {

// Exchange time minus UTC, in minutes, on `trading_day` (yyyymmdd) in America/New_York.
[[nodiscard]] int utc_offset_minutes(std::int32_t trading_day);

// A replay is one trading day. Reads every record's receive time (no parsing: the blocks are only
// decompressed) and returns an error text naming the first record on another New York date than
// `trading_day`, with the fix (one recording per day: `odte import` writes one per day); empty
// when the whole recording is that day. Corruption and torn tails are not judged here (the replay
// reports them where it meets them). `days`, when given, receives every date seen, ascending.
[[nodiscard]] std::string check_single_trading_day(const std::string& path, std::int32_t trading_day,
                                                   std::vector<std::int32_t>* days = nullptr);

class PeekedSource final : public EventSource {
 public:
  explicit PeekedSource(EventSource& inner) noexcept : inner_{inner} {}

  // Reads the first event of the inner source; false when it had none.
  [[nodiscard]] bool open();
  bool next(MarketEvent& out) override;
  [[nodiscard]] bool interrupted() const noexcept override { return inner_.interrupted(); }
  [[nodiscard]] std::string failure() const override { return inner_.failure(); }
  [[nodiscard]] std::string ended_early() const override { return inner_.ended_early(); }

  // yyyymmdd in America/New_York of the first event's exchange time (receive time if it has none).
  [[nodiscard]] std::int32_t trading_day() const noexcept { return trading_day_; }
  // Exchange time = UTC + this, on the trading day (-240 in EDT, -300 in EST).
  [[nodiscard]] int utc_offset_minutes() const noexcept { return utc_offset_minutes_; }
  // The first event's exchange time (its receive time if it has none).
  [[nodiscard]] TimestampNs first_exchange_ns() const noexcept { return first_ns_; }

 private:
  EventSource& inner_;
  MarketEvent first_{};
  bool have_first_ = false;
  std::int32_t trading_day_ = 0;
  int utc_offset_minutes_ = 0;
  TimestampNs first_ns_ = 0;
};

class RecordingEvents final : public EventSource {
 public:
  explicit RecordingEvents(InstrumentRegistry& registry);

  // Returns an error text, empty on success. An empty recording (no market event) is an error:
  // there is no day to replay.
  [[nodiscard]] std::string open(const std::string& path);
  bool next(MarketEvent& out) override { return peeked_.next(out); }
  // The reader's error when the recording stopped at corruption.
  [[nodiscard]] std::string failure() const override { return source_.error(); }
  // A torn tail: where the last whole block ends, how many bytes were cut off, the last frame's
  // receive time (exchange time of the trading day).
  [[nodiscard]] std::string ended_early() const override;

  [[nodiscard]] std::int32_t trading_day() const noexcept { return peeked_.trading_day(); }
  [[nodiscard]] int utc_offset_minutes() const noexcept { return peeked_.utc_offset_minutes(); }
  [[nodiscard]] const feeds::RecordingEventSource& source() const noexcept { return source_; }

 private:
  struct Parsed final : EventSource {
    explicit Parsed(feeds::RecordingEventSource& s) noexcept : source{s} {}
    bool next(MarketEvent& out) override { return source.next(out); }
    feeds::RecordingEventSource& source;
  };
  feeds::RecordingEventSource source_;
  Parsed parsed_{source_};
  PeekedSource peeked_{parsed_};
};

}  // namespace odte::daemon
