#pragma once

// The frames bench_parse and bench_parse_icount parse: Massive option-quote frames of 1 or 10
// events, as a live options feed sends them (quotes on ~200 SPXW contracts around the money).

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "odte/feeds/parser.hpp"

namespace odte::bench {

inline constexpr std::size_t kFrames = 512;

struct Corpus {
  std::vector<std::string> frames;  // each with kPadding spare bytes after size()
  std::vector<std::size_t> sizes;
  std::size_t events = 0;
  std::size_t bytes = 0;
};

inline Corpus make_corpus(int per_frame) {
  Corpus c;
  unsigned n = 0;
  for (std::size_t f = 0; f < kFrames; ++f) {
    std::string frame = "[";
    for (int e = 0; e < per_frame; ++e, ++n) {
      const unsigned strike = 5500 + 5 * (n * 37 % 100);
      const char right = (n & 1) != 0 ? 'P' : 'C';
      const double bid = 1.0 + static_cast<double>(n % 400) * 0.05;
      char buf[256];
      std::snprintf(buf, sizeof buf,
                    R"(%s{"ev":"Q","sym":"O:SPXW260821%c%08u","bx":302,"ax":302,"bp":%.2f,"ap":%.2f,"bs":%u,"as":%u,"t":%llu,"q":%u})",
                    e == 0 ? "" : ",", right, strike * 1000, bid, bid + 0.1, 10 + n % 90, 5 + n % 50,
                    1755783000000ULL + n, n);
      frame += buf;
    }
    frame += "]";
    c.sizes.push_back(frame.size());
    c.bytes += frame.size();
    c.events += static_cast<std::size_t>(per_frame);
    frame.append(odte::feeds::kPadding, ' ');
    c.frames.push_back(std::move(frame));
  }
  return c;
}

inline const Corpus& corpus(int per_frame) {
  static const Corpus one = make_corpus(1);
  static const Corpus ten = make_corpus(10);
  return per_frame == 1 ? one : ten;
}

struct Extracted {
  double bid, ask;
  std::uint64_t bid_size, ask_size, t, bx, ax, q;
  std::string_view sym;
};

// The minimal hand-written On-Demand extractor (the floor): the same nine fields of each event,
// no validation, no interning, no event; `use(const Extracted&)` per event.
template <typename Use>
void minimal_extract(simdjson::ondemand::parser& parser, const Corpus& c, std::size_t i, Use&& use) {
  simdjson::padded_string_view view(c.frames[i].data(), c.sizes[i], c.frames[i].size());
  simdjson::ondemand::document doc;
  if (parser.iterate(view).get(doc) != simdjson::SUCCESS) return;
  for (auto element : doc.get_array()) {
    Extracted x{};
    for (auto field : element.get_object()) {
      const std::string_view key = field.unescaped_key().value_unsafe();
      auto v = field.value();
      if (key == "sym") x.sym = v.get_string().value_unsafe();
      else if (key == "bp") x.bid = v.get_double().value_unsafe();
      else if (key == "ap") x.ask = v.get_double().value_unsafe();
      else if (key == "bs") x.bid_size = v.get_uint64().value_unsafe();
      else if (key == "as") x.ask_size = v.get_uint64().value_unsafe();
      else if (key == "t") x.t = v.get_uint64().value_unsafe();
      else if (key == "bx") x.bx = v.get_uint64().value_unsafe();
      else if (key == "ax") x.ax = v.get_uint64().value_unsafe();
      else if (key == "q") x.q = v.get_uint64().value_unsafe();
    }
    use(x);
  }
}

}  // namespace odte::bench
