// Ingest over loopback websocket: odte's live ingest path -- one feed thread per cluster
// (feeds::WsClient, FrameParser in place, SpscRing<MarketEvent>) and the core side's
// FeedEventSource reading the rings -- connected to a running `odte replay-server --speed max`,
// counting events until every feed has said replay_complete. Each pass opens fresh connections,
// so the server replays the recording again (--repeat times back to back when it was started
// with --repeat: say the same here, so the event count is checked).
//
// --null: the same three connections through feeds::WsClient alone, frames dropped unparsed: the
// server and the websocket transport with no parse behind them (what the server can deliver to
// a client that costs nothing per event).
//
// --warmup N: N passes first, not reported (the same rule as the JS peer's, whose JIT needs them).
//
// --server-pid PID: the server's CPU time over each pass, from the scheduler's accounting of its
// threads, so its cost per event is known beside the client's.
//
// Also the loopback TCP bulk ceiling of the machine (--tcp): one thread writing 64 KiB chunks
// into a 127.0.0.1 socket, another reading them, no framing and no parsing: the most bytes per
// second any client could take from a loopback server here.
//
// Output: one JSON object on stdout (bench/run reads it). Not a Google Benchmark: a pass is the
// whole replay, timed from the first market event to the last feed's replay_complete; CPU times
// are taken over the same window.
//
// usage: bench_ingest --url ws://127.0.0.1:PORT --key-file FILE --recording FILE [--passes N]
//                     [--warmup N] [--repeat N] [--server-pid PID] [--null]
//        bench_ingest --tcp [--megabytes N] [--passes N]

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "odte/core/base/agent.hpp"
#include "odte/core/market/instrument_registry.hpp"
#include "odte/daemon/feed_threads.hpp"
#include "odte/feeds/api_key.hpp"
#include "odte/feeds/parser.hpp"
#include "odte/feeds/recording.hpp"
#include "odte/feeds/ws_client.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double process_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const auto sec = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6; };
  return sec(ru.ru_utime) + sec(ru.ru_stime);
}

// CPU time of the threads of process `pid` ("self" for this one) whose name starts with `prefix`,
// from the scheduler's own nanosecond accounting (/proc/PID/task/TID/schedstat, first field).
double threads_cpu_seconds(std::string_view prefix, const std::string& pid = "self") {
  double total = 0;
  const std::string root = "/proc/" + pid + "/task";
  DIR* dir = opendir(root.c_str());
  if (dir == nullptr) return -1;
  while (const dirent* d = readdir(dir)) {
    if (d->d_name[0] == '.') continue;
    const std::string base = root + "/" + d->d_name;
    std::string comm;
    std::getline(std::ifstream(base + "/comm"), comm);
    if (comm.rfind(prefix, 0) != 0) continue;
    unsigned long long ns = 0;
    std::ifstream(base + "/schedstat") >> ns;
    total += static_cast<double>(ns) * 1e-9;
  }
  closedir(dir);
  return total;
}

// The whole server process (every thread); -1 without a pid.
double server_cpu_seconds(const std::string& pid) { return pid.empty() ? -1 : threads_cpu_seconds("", pid); }

int usage() {
  std::fputs(
      "usage: bench_ingest --url ws://127.0.0.1:PORT --key-file FILE --recording FILE [--passes N]\n"
      "                    [--warmup N] [--repeat N] [--server-pid PID] [--null]\n"
      "       bench_ingest --tcp [--megabytes N] [--passes N]\n",
      stderr);
  return 2;
}

// Wire bytes per market event of the recording (frame bytes / events): turns the TCP ceiling's
// bytes per second into events per second.
bool recording_bytes_per_event(const std::string& path, double& out, std::uint64_t& events) {
  odte::feeds::RecordingReader reader;
  if (const std::string err = reader.open(path); !err.empty()) {
    std::fprintf(stderr, "bench_ingest: %s\n", err.c_str());
    return false;
  }
  odte::InstrumentRegistry registry;
  odte::feeds::FrameParser parser(registry);
  std::uint64_t bytes = 0;
  events = 0;
  odte::feeds::RecordView v;
  while (reader.next(v) == odte::feeds::ReadStatus::kRecord) {
    bytes += v.frame.size();
    auto sink = [&](const odte::MarketEvent& e) {
      if (e.kind() != odte::EventKind::kStatus) ++events;
      return true;
    };
    (void)parser.parse_padded(v.frame, v.receive_ns, v.stream, sink);
  }
  if (events == 0) return false;
  out = static_cast<double>(bytes) / static_cast<double>(events);
  return true;
}

struct IngestOptions {
  std::string url, key_file, recording, server_pid;
  int passes = 10;
  int warmup = 0;     // passes run first and not reported
  int repeat = 1;     // the server's --repeat: plays of the recording per connection
  bool null = false;  // WsClient only, no parse
};

std::vector<odte::daemon::FeedEndpoint> endpoints_of(const std::string& url) {
  std::vector<odte::daemon::FeedEndpoint> endpoints;
  for (const auto& [stream, path] : {std::pair{odte::StreamId::kStocks, "/stocks"},
                                     std::pair{odte::StreamId::kOptions, "/options"},
                                     std::pair{odte::StreamId::kIndices, "/indices"}}) {
    endpoints.push_back({stream, url + path, odte::daemon::replay_subscriptions(stream), {}});
  }
  return endpoints;
}

struct PassResult {
  std::uint64_t events = 0;
  double wall_s = 0, cpu_s = 0, feed_cpu_s = 0, server_cpu_s = -1;
  std::uint64_t drops = 0, checksum = 0;
};

// One pass of odte's ingest path: feed threads, parser, rings, the live merge counting events.
bool odte_pass(const IngestOptions& o, const std::string& key, PassResult& r) {
  odte::InstrumentRegistry registry;
  odte::daemon::FeedThreads feeds(registry, endpoints_of(o.url), key);
  // The live merge: hand out what is queued, never wait for a quiet feed.
  odte::daemon::FeedEventSource source(feeds, odte::daemon::FeedEventSource::Merge::kLatency, {}, {});
  feeds.start();
  odte::MarketEvent e{};
  if (!source.next(e)) {
    std::fprintf(stderr, "bench_ingest: no event arrived: %s\n", feeds.error().c_str());
    return false;
  }
  const auto start = Clock::now();
  const double cpu0 = process_cpu_seconds();
  const double feed0 = threads_cpu_seconds("odte-feed-");
  const double server0 = server_cpu_seconds(o.server_pid);
  r.events = 1;
  while (source.next(e)) {
    ++r.events;
    r.checksum += e.header.instrument;
  }
  r.wall_s = seconds_since(start);
  r.cpu_s = process_cpu_seconds() - cpu0;
  r.feed_cpu_s = threads_cpu_seconds("odte-feed-") - feed0;
  if (server0 >= 0) r.server_cpu_s = server_cpu_seconds(o.server_pid) - server0;
  for (std::size_t i = 0; i < feeds.size(); ++i) r.drops += feeds.stats(i).ring_drops.load();
  feeds.stop();
  return true;
}

// One pass of the websocket transport alone: three WsClients on feed threads, frames unparsed.
// Events are not counted (that would be a parse): a pass that ends with every replay_complete
// carried the server's whole replay, whose event count is known.
bool null_pass(const IngestOptions& o, const std::string& key, std::uint64_t expected, PassResult& r) {
  struct Shared {
    std::atomic<std::int64_t> first_ns{0}, last_ns{0};
    std::atomic<int> complete{0};
  } shared;
  const auto now_ns = [] { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count(); };
  std::vector<std::unique_ptr<odte::feeds::WsClient>> clients;
  for (odte::daemon::FeedEndpoint& ep : endpoints_of(o.url)) {
    odte::feeds::WsClientConfig wc;
    wc.url = ep.url;
    wc.api_key = key;
    wc.stream = ep.stream;
    wc.subscriptions = {ep.subscriptions};
    auto on_frame = [&shared, &now_ns](const odte::feeds::RawFrame& f) {
      if (f.has_status || shared.first_ns.load(std::memory_order_relaxed) != 0) return;
      std::int64_t zero = 0;
      (void)shared.first_ns.compare_exchange_strong(zero, now_ns());
    };
    auto on_status = [&shared, &now_ns](const odte::feeds::StatusReport& s) {
      if (s.status == "replay_complete" && shared.complete.fetch_add(1) + 1 == 3) shared.last_ns.store(now_ns());
    };
    auto log = [](odte::feeds::LogLevel level, std::string_view text) {
      if (level != odte::feeds::LogLevel::kInfo) spdlog::warn("null client: {}", text);
    };
    clients.push_back(std::make_unique<odte::feeds::WsClient>(std::move(wc), on_frame, on_status, log));
  }
  std::vector<std::thread> threads;
  for (auto& c : clients) {
    threads.emplace_back([client = c.get()] {
      odte::set_thread_name("odte-feed-null");
      (void)client->run();
    });
  }
  const auto give_up = Clock::now() + std::chrono::seconds(120);
  while (shared.first_ns.load() == 0 && Clock::now() < give_up) std::this_thread::sleep_for(std::chrono::microseconds(200));
  const double feed0 = threads_cpu_seconds("odte-feed-");
  const double server0 = server_cpu_seconds(o.server_pid);
  while (shared.complete.load() < 3 && Clock::now() < give_up) std::this_thread::sleep_for(std::chrono::microseconds(200));
  const double feed1 = threads_cpu_seconds("odte-feed-");
  const double server1 = server_cpu_seconds(o.server_pid);
  for (auto& c : clients) c->stop();
  for (auto& t : threads) t.join();
  if (shared.complete.load() < 3) {
    std::fputs("bench_ingest: the null client did not see every replay_complete\n", stderr);
    return false;
  }
  r.events = expected;
  r.wall_s = static_cast<double>(shared.last_ns.load() - shared.first_ns.load()) * 1e-9;
  r.feed_cpu_s = feed1 - feed0;
  r.cpu_s = r.feed_cpu_s;
  if (server0 >= 0) r.server_cpu_s = server1 - server0;
  return true;
}

int run_ingest(const IngestOptions& o) {
  const odte::feeds::ApiKeyResult key = odte::feeds::load_api_key_file(o.key_file);
  if (!key.ok()) {
    std::fprintf(stderr, "bench_ingest: %s\n", key.error.c_str());
    return 1;
  }
  double bytes_per_event = 0;
  std::uint64_t recorded_events = 0;
  if (!recording_bytes_per_event(o.recording, bytes_per_event, recorded_events)) return 1;
  const std::uint64_t expected = recorded_events * static_cast<std::uint64_t>(o.repeat);

  std::string out = "{\"client\":\"" + std::string(o.null ? "null" : "odte") + "\",\"recorded_events\":" +
                    std::to_string(recorded_events) + ",\"repeat\":" + std::to_string(o.repeat) +
                    ",\"expected_events\":" + std::to_string(expected) +
                    ",\"wire_bytes_per_event\":" + std::to_string(bytes_per_event) + ",\"passes\":[";
  for (int p = -o.warmup; p < o.passes; ++p) {
    PassResult r;
    if (!(o.null ? null_pass(o, key.key, expected, r) : odte_pass(o, key.key, r))) return 1;
    if (p < 0) continue;
    if (r.events != expected) {
      std::fprintf(stderr, "bench_ingest: pass %d counted %llu events, the server sent %llu\n", p,
                   static_cast<unsigned long long>(r.events), static_cast<unsigned long long>(expected));
    }
    char line[320];
    std::snprintf(line, sizeof line,
                  "%s{\"events\":%llu,\"wall_s\":%.9f,\"cpu_s\":%.9f,\"feed_threads_cpu_s\":%.9f,"
                  "\"server_cpu_s\":%.9f,\"ring_drops\":%llu,\"checksum\":%llu}",
                  p == 0 ? "" : ",", static_cast<unsigned long long>(r.events), r.wall_s, r.cpu_s, r.feed_cpu_s,
                  r.server_cpu_s, static_cast<unsigned long long>(r.drops),
                  static_cast<unsigned long long>(r.checksum));
    out += line;
  }
  out += "]}";
  std::puts(out.c_str());
  return 0;
}

int run_tcp(std::size_t megabytes, int passes) {
  std::string out = "{\"passes\":[";
  for (int p = 0; p < passes; ++p) {
    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listener < 0 || bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listener, 1) != 0 ||
        getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      std::perror("bench_ingest: listen");
      return 1;
    }
    const std::size_t total = megabytes << 20;
    std::thread writer([&] {
      const int s = accept(listener, nullptr, nullptr);
      std::vector<char> chunk(64 << 10, 'x');
      for (std::size_t sent = 0; sent < total;) {
        const ssize_t n = write(s, chunk.data(), std::min(chunk.size(), total - sent));
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
      }
      close(s);
    });
    const int c = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      std::perror("bench_ingest: connect");
      return 1;
    }
    std::vector<char> buf(256 << 10);
    const auto start = Clock::now();
    const double cpu0 = process_cpu_seconds();
    std::size_t got = 0;
    for (;;) {
      const ssize_t n = read(c, buf.data(), buf.size());
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    const double wall = seconds_since(start);
    const double cpu = process_cpu_seconds() - cpu0;
    writer.join();
    close(c);
    close(listener);
    char line[160];
    std::snprintf(line, sizeof line, "%s{\"bytes\":%zu,\"wall_s\":%.9f,\"cpu_s\":%.9f}", p == 0 ? "" : ",", got, wall, cpu);
    out += line;
  }
  out += "]}";
  std::puts(out.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // The feed threads log through spdlog: keep stdout for the JSON and only warnings on stderr.
  spdlog::set_default_logger(spdlog::stderr_color_st("bench_ingest"));
  spdlog::set_level(spdlog::level::warn);
  IngestOptions o;
  std::size_t megabytes = 512;
  bool tcp = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--tcp" || a == "--null") {
      (a == "--tcp" ? tcp : o.null) = true;
      continue;
    }
    if (i + 1 >= argc) return usage();
    const char* v = argv[++i];
    if (a == "--url") o.url = v;
    else if (a == "--key-file") o.key_file = v;
    else if (a == "--recording") o.recording = v;
    else if (a == "--passes") o.passes = std::atoi(v);
    else if (a == "--repeat") o.repeat = std::atoi(v);
    else if (a == "--warmup") o.warmup = std::atoi(v);
    else if (a == "--server-pid") o.server_pid = v;
    else if (a == "--megabytes") megabytes = static_cast<std::size_t>(std::atol(v));
    else return usage();
  }
  if (o.passes < 1 || o.repeat < 1 || o.warmup < 0) return usage();
  if (tcp) return run_tcp(megabytes, o.passes);
  if (o.url.empty() || o.key_file.empty() || o.recording.empty()) return usage();
  return run_ingest(o);
}
