// Fixed work for instruction counts: parses the bench_parse frames a fixed number of rounds with
// one case, so `valgrind --tool=callgrind` gives repeatable instructions per event whatever the
// machine load. The measured rounds run in measure(); collect only there:
//
//   valgrind --tool=callgrind --toggle-collect='*measure*' --callgrind-out-file=cg.out
//       build/bin/bench_parse_icount odte 10 20
//   (instructions per event = the Ir total / the events printed)
//
// It also prints the measured rounds' thread CPU time per event (a rough figure; use bench_parse
// for timings beside the peers).
//
// Cases: odte (FrameParser::parse_padded into a counting sink), generic (the same without the fast
// path: the generic per-field pass), minimal (the minimal On-Demand
// extractor of bench_parse), dom (simdjson DOM parse only). One unmeasured round runs first, so
// the registry already holds every contract, as in a live session.

#include <simdjson.h>

#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <string>
#include <string_view>

#include "odte/feeds/parser.hpp"
#include "parse_corpus.hpp"

namespace {

using odte::bench::Corpus;
using odte::bench::kFrames;

struct Cases {
  odte::InstrumentRegistry registry;
  odte::feeds::FrameParser parser{registry};
  odte::feeds::FrameParser generic{registry, odte::feeds::ParserConfig{.fast_path = false}};
  simdjson::ondemand::parser ondemand;
  simdjson::dom::parser dom;
  std::uint64_t sum = 0;

  void round(std::string_view which, const Corpus& c) {
    auto sink = [&](const odte::MarketEvent& e) {
      sum += static_cast<std::uint64_t>(e.quote.bid.ticks());
      return true;
    };
    for (std::size_t i = 0; i < kFrames; ++i) {
      if (which == "odte" || which == "generic") {
        (void)(which == "odte" ? parser : generic)
            .parse_padded(std::string_view(c.frames[i].data(), c.sizes[i]), 1, odte::StreamId::kOptions, sink);
      } else if (which == "minimal") {
        odte::bench::minimal_extract(ondemand, c, i, [&](const odte::bench::Extracted& x) {
          sum += x.bid_size + x.ask_size + x.t + x.bx + x.ax + x.q + x.sym.size() +
                 static_cast<std::uint64_t>(x.bid + x.ask);
        });
      } else {
        simdjson::dom::element doc;
        if (dom.parse(c.frames[i].data(), c.sizes[i], false).get(doc) == simdjson::SUCCESS) {
          sum += doc.is_array() ? 1u : 0u;
        }
      }
    }
  }
};

[[gnu::noinline]] void measure(Cases& cases, std::string_view which, const Corpus& c, int rounds) {
  for (int r = 0; r < rounds; ++r) cases.round(which, c);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: bench_parse_icount odte|generic|minimal|dom 1|10 ROUNDS\n");
    return 2;
  }
  const std::string_view which = argv[1];
  const int per_frame = std::atoi(argv[2]);
  const int rounds = std::atoi(argv[3]);
  if ((which != "odte" && which != "generic" && which != "minimal" && which != "dom") || (per_frame != 1 && per_frame != 10) ||
      rounds < 1) {
    std::fprintf(stderr, "usage: bench_parse_icount odte|generic|minimal|dom 1|10 ROUNDS\n");
    return 2;
  }
  const Corpus& c = odte::bench::corpus(per_frame);
  Cases cases;
  cases.round(which, c);  // warm-up: interns every contract, sizes the simdjson buffers
  timespec t0{}, t1{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
  measure(cases, which, c, rounds);
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
  const double ns = static_cast<double>(t1.tv_sec - t0.tv_sec) * 1e9 + static_cast<double>(t1.tv_nsec - t0.tv_nsec);
  if (cases.parser.counters().total_errors() != 0 || cases.generic.counters().total_errors() != 0) {
    std::fprintf(stderr, "parse errors\n");
    return 1;
  }
  const std::size_t events = c.events * static_cast<std::size_t>(rounds);
  std::printf("case=%.*s per_frame=%d rounds=%d events=%zu bytes=%zu checksum=%llu cpu_ns_per_event=%.1f\n",
              static_cast<int>(which.size()), which.data(), per_frame, rounds, events,
              c.bytes * static_cast<std::size_t>(rounds), static_cast<unsigned long long>(cases.sum),
              ns / static_cast<double>(events));
  return 0;
}
