#pragma once

// Massive (Polygon.io) websocket frame parser: one JSON array of events per frame, parsed in place
// into fixed-size MarketEvents that are handed to a sink (usually an SpscRing producer). simdjson's
// stage 1 checks the whole frame first; trades and quotes written in Massive's own form are then
// read straight from the bytes (the fast path), anything else by a generic per-field pass over
// simdjson On-Demand, with the same events and errors either way (docs/feeds.md).
//
// Contract:
// - One FrameParser per feed thread; it is not thread-safe. The InstrumentRegistry it interns into
//   may be shared with other threads (intern/find are lock-free).
// - parse() never throws, never blocks and does not allocate once the parser is constructed (the
//   simdjson buffers and the copy-in scratch buffer are sized for max_frame_bytes up front).
//   Interning a symbol already in the registry does not allocate; a new symbol writes one registry
//   record (no allocation either; the registry is fixed-capacity).
// - Frames are parsed in place when the caller promises kPadding readable bytes after the frame
//   (parse_padded); otherwise (parse) the frame is first copied into the parser's padded scratch
//   buffer. The padding bytes' contents do not matter.
// - Bad venue data never stops the parser: each problem is counted by ErrorKind, and at most one
//   sample per kind per sample_interval_ns of receive time is kept for the caller to log. An
//   event with a bad field is skipped and the rest of the frame is still parsed; a frame that is
//   not valid JSON stops at the point of the damage (events before it were already delivered).
// - Status messages ({"ev":"status",...}) become EventKind::kStatus events (they also go to the
//   sink) and are summarised in the FrameResult so a socket reader can act on auth results.

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "odte/core/market/events.hpp"
#include "odte/core/market/instrument_registry.hpp"

namespace odte::feeds {

// Readable bytes the in-place path needs after the end of a frame (simdjson's SIMDJSON_PADDING).
inline constexpr std::size_t kPadding = 64;

enum class ErrorKind : std::uint8_t {
  kMalformedJson = 0,  // not JSON (bad token, bad literal, bad number, bad escape)
  kTruncatedFrame,     // JSON cut short: unclosed string, array or object
  kOversizedFrame,     // longer than ParserConfig::max_frame_bytes; dropped unread
  kNotAnArray,         // the frame's root is not an array
  kNotAnObject,        // an array element is not an object
  kUnknownEvent,       // "ev" missing from the dispatch table (e.g. "LULD", "XQ")
  kMissingField,       // a required field is absent (e.g. a quote without "t")
  kWrongType,          // a field has the wrong JSON type (e.g. "p":"12.5")
  kBadPrice,           // negative, zero where a price is required, or out of range
  kBadSize,            // negative, fractional or larger than the event's field
  kBadTimestamp,       // outside 1970..2100 in milliseconds
  kBadSymbol,          // empty, too long, or an "O:" symbol that is not a valid OCC contract
  kRegistryFull,       // the InstrumentRegistry is at capacity
  kSinkFull,           // the sink (ring) refused the event
};
inline constexpr std::size_t kErrorKindCount = 14;
[[nodiscard]] std::string_view to_string(ErrorKind kind) noexcept;

struct ParseCounters {
  std::uint64_t frames = 0;
  std::uint64_t bytes = 0;
  std::uint64_t events = 0;          // delivered to the sink (accepted)
  std::uint64_t status_events = 0;   // of which status messages
  std::uint64_t copied_frames = 0;   // frames that needed the copy into the padded scratch buffer
  std::uint64_t fast_objects = 0;    // objects read by the fast path (delivered or rejected)
  std::array<std::uint64_t, kErrorKindCount> errors{};

  [[nodiscard]] std::uint64_t error(ErrorKind k) const noexcept {
    return errors[static_cast<std::size_t>(k)];
  }
  [[nodiscard]] std::uint64_t total_errors() const noexcept {
    std::uint64_t n = 0;
    for (const auto e : errors) n += e;
    return n;
  }
};

// A rate-limited sample of one error, for the feed thread to log between frames.
struct ErrorSample {
  ErrorKind kind = ErrorKind::kMalformedJson;
  StreamId stream = StreamId::kStocks;
  TimestampNs receive_ns = 0;
  std::uint64_t count_at_sample = 0;  // counters.errors[kind] when the sample was taken
  std::uint32_t frame_bytes = 0;
  std::uint32_t event_index = 0;      // position of the bad event in the frame's array
  std::uint32_t excerpt_len = 0;
  char excerpt[96] = {};             // start of the frame, not NUL-terminated
  [[nodiscard]] std::string_view excerpt_view() const noexcept { return {excerpt, excerpt_len}; }
};

struct ParserConfig {
  std::size_t max_frame_bytes = 1u << 20;           // larger frames are kOversizedFrame
  TimestampNs sample_interval_ns = 1'000'000'000;   // per error kind, in receive time
  // Read objects in Massive's own form straight from the frame before the generic per-field pass.
  // Same events and errors either way; false is for tests and fuzzing that compare the two.
  bool fast_path = true;
};

// What one frame produced. `status` is the last status message in the frame, if any.
struct FrameResult {
  std::uint32_t events = 0;     // accepted and delivered
  std::uint32_t rejected = 0;   // events or frames counted as errors (sink-full included)
  bool frame_error = false;     // the frame as a whole was unusable past some point
  bool has_status = false;
  StatusCode status = StatusCode::kUnknown;
};

// A sink takes one event and says whether it kept it (false = full; counted, never retried).
template <typename S>
concept EventSink = requires(S& s, const MarketEvent& e) {
  { s(e) } -> std::convertible_to<bool>;
};

// Pushes into an SpscRing-like producer (try_push). A full ring is counted by the parser. (The
// feed threads stage a frame's events instead and publish them once: daemon/src/feed_threads.cpp.)
template <typename Ring>
struct RingSink {
  Ring& ring;
  bool operator()(const MarketEvent& e) noexcept { return ring.try_push(e); }
};

class FrameParser {
 public:
  explicit FrameParser(InstrumentRegistry& registry, ParserConfig config = {});
  ~FrameParser();
  FrameParser(const FrameParser&) = delete;
  FrameParser& operator=(const FrameParser&) = delete;

  // In place: `frame` must be followed by kPadding readable bytes (e.g. a receive buffer sized
  // with slack). The bytes are not modified.
  template <EventSink Sink>
  FrameResult parse_padded(std::string_view frame, TimestampNs receive_ns, StreamId stream,
                           Sink& sink) noexcept {
    return parse_impl(frame, true, receive_ns, stream, Emit{&sink, &emit_thunk<Sink>});
  }
  // Any buffer: copied into the padded scratch buffer first (one memcpy, no allocation).
  template <EventSink Sink>
  FrameResult parse(std::string_view frame, TimestampNs receive_ns, StreamId stream,
                    Sink& sink) noexcept {
    return parse_impl(frame, false, receive_ns, stream, Emit{&sink, &emit_thunk<Sink>});
  }

  [[nodiscard]] const ParseCounters& counters() const noexcept { return counters_; }
  // Hands each sample taken since the last call to `fn(const ErrorSample&)`, kind order.
  template <typename Fn>
  void drain_samples(Fn&& fn) {
    for (std::size_t k = 0; k < kErrorKindCount; ++k) {
      if (fresh_[k]) {
        fresh_[k] = false;
        fn(samples_[k]);
      }
    }
  }
  [[nodiscard]] InstrumentRegistry& registry() noexcept { return registry_; }

  struct Emit {
    void* sink;
    bool (*fn)(void*, const MarketEvent&) noexcept;
  };

 private:
  template <typename Sink>
  static bool emit_thunk(void* sink, const MarketEvent& e) noexcept {
    return static_cast<bool>((*static_cast<Sink*>(sink))(e));
  }
  FrameResult parse_impl(std::string_view frame, bool padded, TimestampNs receive_ns,
                         StreamId stream, Emit emit) noexcept;
  void note_error(ErrorKind kind, std::string_view frame, TimestampNs receive_ns, StreamId stream,
                  std::uint32_t event_index) noexcept;

  struct Impl;
  InstrumentRegistry& registry_;
  ParserConfig config_;
  std::unique_ptr<Impl> impl_;
  ParseCounters counters_;
  std::array<ErrorSample, kErrorKindCount> samples_{};
  std::array<TimestampNs, kErrorKindCount> last_sample_ns_{};
  std::array<bool, kErrorKindCount> fresh_{};
  std::array<bool, kErrorKindCount> sampled_once_{};
};

}  // namespace odte::feeds
