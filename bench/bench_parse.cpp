// Frame parse: odte's FrameParser (simdjson On-Demand, in place, interning, validation) on Massive
// option-quote frames of 1 and 10 events, beside peers on the very same bytes in the same run:
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

namespace {

constexpr std::size_t kFrames = 512;

// Frames as a live options feed sends them: quotes on ~200 SPXW contracts around the money.
struct Corpus {
  std::vector<std::string> frames;  // each with kPadding spare bytes after size()
  std::vector<std::size_t> sizes;
  std::size_t events = 0;
  std::size_t bytes = 0;
};

Corpus make_corpus(int per_frame) {
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

const Corpus& corpus(int per_frame) {
  static const Corpus one = make_corpus(1);
  static const Corpus ten = make_corpus(10);
  return per_frame == 1 ? one : ten;
}

void report(benchmark::State& state, const Corpus& c) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(c.events));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(c.bytes));
}

struct Extracted {
  double bid, ask;
  std::uint64_t bid_size, ask_size, t, bx, ax, q;
  std::string_view sym;
};

void BM_OdteFrameParser(benchmark::State& state) {
  const Corpus& c = corpus(static_cast<int>(state.range(0)));
  odte::InstrumentRegistry registry;
  odte::feeds::FrameParser parser(registry);
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
      simdjson::padded_string_view view(c.frames[i].data(), c.sizes[i], c.frames[i].size());
      simdjson::ondemand::document doc;
      if (parser.iterate(view).get(doc) != simdjson::SUCCESS) continue;
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
        benchmark::DoNotOptimize(x);  // every field is used, so no parse is dropped
        sum += x.bid_size + x.sym.size();
      }
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
BENCHMARK(BM_SimdjsonOnDemandMinimal)->Arg(1)->Arg(10);
BENCHMARK(BM_SimdjsonDomParseOnly)->Arg(1)->Arg(10);
BENCHMARK(BM_RapidJson)->Arg(1)->Arg(10);
BENCHMARK(BM_Nlohmann)->Arg(1)->Arg(10);

BENCHMARK_MAIN();
