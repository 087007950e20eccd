// Frame parse: odte's FrameParser (simdjson On-Demand, in place, interning, validation) on Massive
// option-quote frames of 1 and 10 events, with its fast path (the default) and with the generic
// per-field pass alone, beside peers on the very same bytes in the same run:
//   - simdjson DOM parse of the frame (the whole document to a tape; no extraction): the limit
//   - a minimal hand-written On-Demand extractor reading the same nine fields (no validation, no
//     interning, no event): the floor for any On-Demand parser of this schema
//   - RapidJSON (DOM, then the same fields extracted)
//   - nlohmann::json (DOM, then the same fields extracted)
// Items are events, bytes are frame bytes, so the report shows events/s and bytes/s per case.

#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <rapidjson/document.h>
#include <string>
#include <vector>

#include "odte/feeds/parser.hpp"
#include "parse_corpus.hpp"

namespace {

using odte::bench::Corpus;
using odte::bench::corpus;
using odte::bench::kFrames;

void report(benchmark::State& state, const Corpus& c) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(c.events));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(c.bytes));
}

using odte::bench::Extracted;

void run_frame_parser(benchmark::State& state, bool fast_path) {
  const Corpus& c = corpus(static_cast<int>(state.range(0)));
  odte::InstrumentRegistry registry;
  odte::feeds::FrameParser parser(registry, odte::feeds::ParserConfig{.fast_path = fast_path});
  std::uint64_t sum = 0;
  auto sink = [&](const odte::MarketEvent& e) {
    sum += static_cast<std::uint64_t>(e.quote.bid.ticks());
    return true;
  };
  for (auto _ : state) {
    for (std::size_t i = 0; i < kFrames; ++i) {
      (void)parser.parse_padded(std::string_view(c.frames[i].data(), c.sizes[i]), 1, odte::StreamId::kOptions, sink);
    }
  }
  benchmark::DoNotOptimize(sum);
  if (parser.counters().total_errors() != 0) state.SkipWithError("parse errors");
  report(state, c);
}

void BM_OdteFrameParser(benchmark::State& state) { run_frame_parser(state, true); }
// The generic per-field pass alone (what objects not in Massive's own form go through).
void BM_OdteFrameParserGeneric(benchmark::State& state) { run_frame_parser(state, false); }

void BM_SimdjsonDomParseOnly(benchmark::State& state) {
  const Corpus& c = corpus(static_cast<int>(state.range(0)));
  simdjson::dom::parser parser;
  for (auto _ : state) {
    for (std::size_t i = 0; i < kFrames; ++i) {
      simdjson::dom::element doc;
      if (parser.parse(c.frames[i].data(), c.sizes[i], false).get(doc) != simdjson::SUCCESS) state.SkipWithError("dom");
      benchmark::DoNotOptimize(doc);
    }
  }
  report(state, c);
}

void BM_SimdjsonOnDemandMinimal(benchmark::State& state) {
  const Corpus& c = corpus(static_cast<int>(state.range(0)));
  simdjson::ondemand::parser parser;
  std::uint64_t sum = 0;
  for (auto _ : state) {
    for (std::size_t i = 0; i < kFrames; ++i) {
      odte::bench::minimal_extract(parser, c, i, [&](const odte::bench::Extracted& x) {
        benchmark::DoNotOptimize(x);  // every field is used, so no parse is dropped
        sum += x.bid_size + x.sym.size();
      });
    }
  }
  benchmark::DoNotOptimize(sum);
  report(state, c);
}

void BM_RapidJson(benchmark::State& state) {
  const Corpus& c = corpus(static_cast<int>(state.range(0)));
  std::uint64_t sum = 0;
  for (auto _ : state) {
    for (std::size_t i = 0; i < kFrames; ++i) {
      rapidjson::Document d;
      d.Parse(c.frames[i].data(), c.sizes[i]);
      if (d.HasParseError() || !d.IsArray()) continue;
      for (const auto& o : d.GetArray()) {
        Extracted x{};
        x.sym = std::string_view(o["sym"].GetString(), o["sym"].GetStringLength());
        x.bid = o["bp"].GetDouble();
        x.ask = o["ap"].GetDouble();
        x.bid_size = o["bs"].GetUint64();
        x.ask_size = o["as"].GetUint64();
        x.t = o["t"].GetUint64();
        x.bx = o["bx"].GetUint64();
        x.ax = o["ax"].GetUint64();
        x.q = o["q"].GetUint64();
        benchmark::DoNotOptimize(x);  // every field is used, so no parse is dropped
        sum += x.bid_size + x.sym.size();
      }
    }
  }
  benchmark::DoNotOptimize(sum);
  report(state, c);
}

void BM_Nlohmann(benchmark::State& state) {
  const Corpus& c = corpus(static_cast<int>(state.range(0)));
  std::uint64_t sum = 0;
  for (auto _ : state) {
    for (std::size_t i = 0; i < kFrames; ++i) {
      const auto d = nlohmann::json::parse(c.frames[i].data(), c.frames[i].data() + c.sizes[i], nullptr, false);
      if (!d.is_array()) continue;
      for (const auto& o : d) {
        Extracted x{};
        const auto& sym = o["sym"].get_ref<const std::string&>();
        x.sym = sym;
        x.bid = o["bp"].get<double>();
        x.ask = o["ap"].get<double>();
        x.bid_size = o["bs"].get<std::uint64_t>();
        x.ask_size = o["as"].get<std::uint64_t>();
        x.t = o["t"].get<std::uint64_t>();
        x.bx = o["bx"].get<std::uint64_t>();
        x.ax = o["ax"].get<std::uint64_t>();
        x.q = o["q"].get<std::uint64_t>();
        benchmark::DoNotOptimize(x);  // every field is used, so no parse is dropped
        sum += x.bid_size + x.sym.size();
      }
    }
  }
  benchmark::DoNotOptimize(sum);
  report(state, c);
}

}  // namespace

BENCHMARK(BM_OdteFrameParser)->Arg(1)->Arg(10);
BENCHMARK(BM_OdteFrameParserGeneric)->Arg(1)->Arg(10);
BENCHMARK(BM_SimdjsonOnDemandMinimal)->Arg(1)->Arg(10);
BENCHMARK(BM_SimdjsonDomParseOnly)->Arg(1)->Arg(10);
BENCHMARK(BM_RapidJson)->Arg(1)->Arg(10);
BENCHMARK(BM_Nlohmann)->Arg(1)->Arg(10);

BENCHMARK_MAIN();
