// Replay throughput: a recorded day through the whole in-process pipeline odted runs -- the
// recording read and parsed by the live FrameParser, the engine (market state, bars, strategies,
// risk, order manager), the CommandRing, the journal (order commands fdatasync'd) and the paper
// broker -- by daemon::run_replay itself, configured from an odted config file exactly as odted
// configures it. Peer in the same process: the bare decode of the same recording (read + parse,
// what `odte decode` does before printing), the floor under any replay of this file.
//
// Core tick to order (--latency-passes): the same pipeline, with each event's receive_ns stamped
// from the wall clock as the source hands it to the core -- the stand-in for the feed thread's
// frame-receive stamp -- and run_replay's tick_to_order histogram on: the time from an event
// reaching the core to the order it caused being in the CommandRing, without the feed's queueing.
// Those passes read the clock per event, so they are kept apart from the throughput passes.
//
// Each pass builds a fresh registry, strategies and journal (a journal left from the previous pass
// would turn the run into crash recovery); those set-ups are outside the timed part.
//
// Output: one JSON object on stdout (bench/run reads it).
//
// usage: bench_replay --config FILE --recording FILE --scratch DIR [--passes N] [--latency-passes N]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "odte/core/base/clock.hpp"
#include "odte/core/base/histogram.hpp"
#include "odte/daemon/config.hpp"
#include "odte/daemon/daemon.hpp"
#include "odte/daemon/recording_events.hpp"
#include "odte/daemon/replay.hpp"
#include "odte/feeds/recording_source.hpp"
#include "odte/strategies/factory.hpp"

namespace {

using Clock = std::chrono::steady_clock;

int usage() {
  std::fputs("usage: bench_replay --config FILE --recording FILE --scratch DIR [--passes N] [--latency-passes N]\n",
             stderr);
  return 2;
}

class StampingSource final : public odte::daemon::EventSource {
 public:
  explicit StampingSource(odte::daemon::EventSource& inner) noexcept : inner_{inner} {}
  bool next(odte::MarketEvent& out) override {
    if (!inner_.next(out)) return false;
    out.header.receive_ns = clock_.now_ns();
    return true;
  }

 private:
  odte::daemon::EventSource& inner_;
  odte::WallClock clock_;
};

std::string histogram_json(const odte::LatencyHistogram& h) {
  std::string buckets;
  const std::string dump = h.dump();
  for (std::size_t pos = 0; pos < dump.size();) {
    const std::size_t eol = dump.find('\n', pos);
    const std::string line = dump.substr(pos, eol - pos);
    buckets += (buckets.empty() ? "[" : ",[") + line.substr(0, line.find(' ')) + "," + line.substr(line.find(' ') + 1) + "]";
    pos = eol == std::string::npos ? dump.size() : eol + 1;
  }
  char head[256];
  std::snprintf(head, sizeof head, "{\"count\":%llu,\"p50\":%llu,\"p99\":%llu,\"p99_9\":%llu,\"max\":%llu,\"buckets\":[",
                static_cast<unsigned long long>(h.count()), static_cast<unsigned long long>(h.percentile(0.5)),
                static_cast<unsigned long long>(h.percentile(0.99)), static_cast<unsigned long long>(h.percentile(0.999)),
                static_cast<unsigned long long>(h.max()));
  return head + buckets + "]}";
}

// The engine and broker set-up of run_replay_daemon (daemon.cpp), without the admin socket,
// snapshots and report.
odte::daemon::ReplaySetup setup_from(const odte::daemon::Config& config, std::int32_t day, int utc_offset,
                                     const std::string& journal) {
  odte::daemon::ReplaySetup setup;
  setup.engine = odte::daemon::engine_config(config, day, utc_offset);
  setup.broker = config.broker.paper;
  setup.journal_path = journal;
  return setup;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path, recording, scratch;
  int passes = 20;
  int latency_passes = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view a = argv[i];
    if (a == "--config") config_path = argv[i + 1];
    else if (a == "--recording") recording = argv[i + 1];
    else if (a == "--scratch") scratch = argv[i + 1];
    else if (a == "--passes") passes = std::atoi(argv[i + 1]);
    else if (a == "--latency-passes") latency_passes = std::atoi(argv[i + 1]);
    else return usage();
  }
  if (config_path.empty() || recording.empty() || scratch.empty() || passes < 1 || argc % 2 == 0) return usage();

  odte::daemon::Config config;
  try {
    config = odte::daemon::load_config(config_path);
  } catch (const odte::daemon::ConfigError& e) {
    std::fprintf(stderr, "bench_replay: %s\n", e.what());
    return 2;
  }
  std::filesystem::create_directories(scratch);
  const std::string journal = scratch + "/bench_replay.odj";

  std::string out = "{\"passes\":[";
  std::uint64_t events = 0, orders = 0;
  odte::LatencyHistogram tick_to_order;
  for (int p = 0; p < passes + latency_passes; ++p) {
    const bool latency = p >= passes;
    // The pipeline.
    std::filesystem::remove(journal);
    auto registry = std::make_unique<odte::InstrumentRegistry>();
    std::vector<std::unique_ptr<odte::Strategy>> strategies;
    for (std::size_t i = 0; i < config.strategies.size(); ++i) {
      const auto& sc = config.strategies[i];
      strategies.push_back(odte::strategies::make_strategy(sc.name, sc.params_toml, static_cast<std::uint16_t>(i),
                                                           config.source.string()));
    }
    odte::daemon::RecordingEvents source(*registry);
    const auto start = Clock::now();
    if (const std::string err = source.open(recording); !err.empty()) {
      std::fprintf(stderr, "bench_replay: %s\n", err.c_str());
      return 1;
    }
    auto setup = setup_from(config, source.trading_day(), source.utc_offset_minutes(), journal);
    StampingSource stamped(source);
    if (latency) setup.tick_to_order = &tick_to_order;
    std::uint64_t pass_orders = 0;
    setup.on_finish = [&](const odte::Engine& engine, const odte::daemon::ReplayOutcome&) {
      pass_orders = engine.orders().orders().size();
    };
    const odte::daemon::ReplayOutcome outcome = odte::daemon::run_replay(setup, *registry, std::move(strategies),
                                                                      latency ? static_cast<odte::daemon::EventSource&>(stamped) : source);
    const double pipeline_s = std::chrono::duration<double>(Clock::now() - start).count();
    if (!outcome.ok) {
      std::fprintf(stderr, "bench_replay: %s\n", outcome.error.c_str());
      return 1;
    }
    events = outcome.events;
    orders = pass_orders;
    if (latency) continue;

    // The peer: read and parse only.
    auto decode_registry = std::make_unique<odte::InstrumentRegistry>();
    odte::feeds::RecordingEventSource decode(*decode_registry);
    const auto decode_start = Clock::now();
    if (const std::string err = decode.open(recording); !err.empty()) return 1;
    std::uint64_t decoded = 0, checksum = 0;
    odte::MarketEvent e{};
    while (decode.next(e)) {
      ++decoded;
      checksum += e.header.instrument;
    }
    const double decode_s = std::chrono::duration<double>(Clock::now() - decode_start).count();
    if (decoded != events) {
      std::fprintf(stderr, "bench_replay: decode saw %llu events, the pipeline %llu\n",
                   static_cast<unsigned long long>(decoded), static_cast<unsigned long long>(events));
      return 1;
    }
    char line[200];
    std::snprintf(line, sizeof line, "%s{\"pipeline_s\":%.9f,\"decode_s\":%.9f,\"checksum\":%llu}", p == 0 ? "" : ",",
                  pipeline_s, decode_s, static_cast<unsigned long long>(checksum));
    out += line;
  }
  out += "],\"events\":" + std::to_string(events) + ",\"orders\":" + std::to_string(orders);
  if (latency_passes > 0) out += ",\"tick_to_order_core_ns\":" + histogram_json(tick_to_order);
  out += "}";
  std::puts(out.c_str());
  std::filesystem::remove(journal);
  return 0;
}
