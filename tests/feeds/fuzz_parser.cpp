// libFuzzer target: any bytes as a Massive frame, on every stream, through both the copying and the
// in-place path. The parser must never crash, hang or trip a sanitizer, and its counters must add up.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "odte/feeds/parser.hpp"

namespace {

struct CountingSink {
  std::uint64_t n = 0;
  bool operator()(const odte::MarketEvent& e) noexcept {
    // Touch the event so a bad write is seen by the sanitizers.
    n += static_cast<std::uint64_t>(e.header.kind);
    return (n & 7) != 0;  // refuse some events so the sink-full path is fuzzed too
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static odte::InstrumentRegistry registry{4096};
  static odte::feeds::FrameParser parser{registry, odte::feeds::ParserConfig{.max_frame_bytes = 1u << 16}};
  CountingSink sink;
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  const auto stream = static_cast<odte::StreamId>(size % 3);
  const auto before = parser.counters();
  const auto r = parser.parse(frame, 1'700'000'000'000'000'000, stream, sink);
  const auto& after = parser.counters();
  if (after.events - before.events != r.events) std::abort();
  std::vector<char> padded(size + odte::feeds::kPadding, ' ');
  if (size != 0) std::memcpy(padded.data(), data, size);
  (void)parser.parse_padded(std::string_view(padded.data(), size), 1'700'000'000'000'000'001, stream, sink);
  parser.drain_samples([](const odte::feeds::ErrorSample& s) {
    if (s.excerpt_len > sizeof s.excerpt) std::abort();
  });
  return 0;
}
