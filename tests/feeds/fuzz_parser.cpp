// libFuzzer target: any bytes as a Massive frame, on every stream, through both the copying and the
// in-place path. The parser must never crash, hang or trip a sanitizer, and its counters must add up.
// A second parser without the fast path reads the same frames: both must give the same events,
// frame results and counters (the fast path reads Massive's own form straight from the bytes and
// must agree with the generic pass on everything).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "odte/feeds/parser.hpp"

namespace {

struct RecordingSink {
  std::vector<odte::MarketEvent> events;
  std::uint64_t n = 0;
  bool operator()(const odte::MarketEvent& e) noexcept {
    // Touch the event so a bad write is seen by the sanitizers.
    n += static_cast<std::uint64_t>(e.header.kind) + 1;
    if ((n & 7) == 0) return false;  // refuse some events so the sink-full path is fuzzed too
    events.push_back(e);
    return true;
  }
};

void same_or_abort(const odte::feeds::FrameResult& a, const RecordingSink& sa, const odte::feeds::FrameResult& b,
                   const RecordingSink& sb) {
  if (a.events != b.events || a.rejected != b.rejected || a.frame_error != b.frame_error ||
      a.has_status != b.has_status || a.status != b.status || sa.events.size() != sb.events.size()) {
    std::abort();
  }
  if (!sa.events.empty() &&
      std::memcmp(sa.events.data(), sb.events.data(), sa.events.size() * sizeof(odte::MarketEvent)) != 0) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static odte::InstrumentRegistry registry{4096};
  static odte::InstrumentRegistry generic_registry{4096};
  static odte::feeds::FrameParser parser{registry, odte::feeds::ParserConfig{.max_frame_bytes = 1u << 16}};
  static odte::feeds::FrameParser generic{generic_registry,
                                          odte::feeds::ParserConfig{.max_frame_bytes = 1u << 16, .fast_path = false}};
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  const auto stream = static_cast<odte::StreamId>(size % 3);
  const auto before = parser.counters();
  RecordingSink sink, generic_sink;
  const auto r = parser.parse(frame, 1'700'000'000'000'000'000, stream, sink);
  const auto g = generic.parse(frame, 1'700'000'000'000'000'000, stream, generic_sink);
  const auto& after = parser.counters();
  if (after.events - before.events != r.events) std::abort();
  same_or_abort(r, sink, g, generic_sink);

  std::vector<char> padded(size + odte::feeds::kPadding, ' ');
  if (size != 0) std::memcpy(padded.data(), data, size);
  RecordingSink padded_sink, generic_padded_sink;
  const auto rp = parser.parse_padded(std::string_view(padded.data(), size), 1'700'000'000'000'000'001, stream, padded_sink);
  const auto gp = generic.parse_padded(std::string_view(padded.data(), size), 1'700'000'000'000'000'001, stream,
                                       generic_padded_sink);
  same_or_abort(rp, padded_sink, gp, generic_padded_sink);

  const auto& x = parser.counters();
  const auto& y = generic.counters();
  if (x.events != y.events || x.status_events != y.status_events || x.errors != y.errors ||
      registry.size() != generic_registry.size()) {
    std::abort();
  }
  parser.drain_samples([](const odte::feeds::ErrorSample& s) {
    if (s.excerpt_len > sizeof s.excerpt) std::abort();
  });
  generic.drain_samples([](const odte::feeds::ErrorSample&) {});
  return 0;
}
