#pragma once

// Market events from a recording: each recorded frame is parsed by the live FrameParser (in place
// over the reader's padded buffer) and its events are handed out one at a time, in recorded order
// (file order, then array order within a frame). The daemon's in-process replay wraps this as a
// daemon::EventSource.
//
// Contract:
// - open() once, then next() until it returns false; then error() says whether the recording
//   ended cleanly (empty) or stopped at corruption (the reader's message). A torn tail ends the
//   events without an error: torn_tail_bytes() reports it, and whether that is acceptable (a
//   recording that ended early) is the caller's decision.
// - Events are parsed exactly as live: bad frames in a recording are counted in parse_counters()
//   and skipped, never fatal. Status events are skipped unless include_status is set.
// - Symbols are interned into the registry given at construction (it must outlive the source).
// - Deterministic: the same file gives the same events, byte for byte.
// - One thread. next() does not allocate once the per-frame event buffer has grown to the
//   largest frame's event count.

#include <cstddef>
#include <string>
#include <vector>

#include "odte/feeds/parser.hpp"
#include "odte/feeds/recording.hpp"

namespace odte::feeds {

struct RecordingSourceOptions {
  ParserConfig parser{};
  bool include_status = false;
};

class RecordingEventSource {
 public:
  explicit RecordingEventSource(InstrumentRegistry& registry, RecordingSourceOptions options = {});

  // Returns an error text, empty on success.
  [[nodiscard]] std::string open(const std::string& path);
  // The next event; false at the end of the recording or at corruption (see error()).
  [[nodiscard]] bool next(MarketEvent& out);

  [[nodiscard]] const std::string& error() const noexcept { return error_; }
  [[nodiscard]] std::uint64_t frames() const noexcept { return reader_.records_read(); }
  [[nodiscard]] std::uint64_t torn_tail_bytes() const noexcept { return reader_.torn_tail_bytes(); }
  [[nodiscard]] std::uint64_t torn_tail_offset() const noexcept { return reader_.torn_tail_offset(); }
  // Receive time of the last frame read, 0 before the first.
  [[nodiscard]] TimestampNs last_receive_ns() const noexcept { return last_receive_ns_; }
  [[nodiscard]] const ParseCounters& parse_counters() const noexcept { return parser_.counters(); }
  [[nodiscard]] FrameParser& parser() noexcept { return parser_; }

 private:
  RecordingReader reader_;
  FrameParser parser_;
  RecordingSourceOptions options_;
  std::vector<MarketEvent> batch_;
  std::size_t pos_ = 0;
  std::string error_;
  TimestampNs last_receive_ns_ = 0;
  bool done_ = false;
};

}  // namespace odte::feeds
