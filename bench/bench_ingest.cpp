// Ingest over loopback websocket: odte's live ingest path -- one feed thread per cluster
// (feeds::WsClient, FrameParser in place, SpscRing<MarketEvent>) and the core side's
// FeedEventSource reading the rings -- connected to a running `odte replay-server --speed max`,
// counting events until every feed has said replay_complete. Each pass opens fresh connections,
// so the server replays the whole recording again.
//
// Also the loopback TCP bulk ceiling of the machine (--tcp): one thread writing 64 KiB chunks
// into a 127.0.0.1 socket, another reading them, no framing and no parsing: the most bytes per
// second any client could take from a loopback server here.
//
// Output: one JSON object on stdout (bench/run reads it). Not a Google Benchmark: a pass is a
// whole replayed day, timed from the first market event handed out to the last.
//
// usage: bench_ingest --url ws://127.0.0.1:PORT --key-file FILE --recording FILE [--passes N]
//        bench_ingest --tcp [--megabytes N] [--passes N]

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
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

#include "odte/core/instrument_registry.hpp"
#include "odte/daemon/feed_threads.hpp"
#include "odte/feeds/api_key.hpp"
#include "odte/feeds/parser.hpp"
#include "odte/feeds/recording.hpp"

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

// CPU time of this process's threads whose name starts with `prefix`, from the scheduler's own
// nanosecond accounting (/proc/self/task/TID/schedstat, first field).
double threads_cpu_seconds(std::string_view prefix) {
  double total = 0;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return -1;
  while (const dirent* d = readdir(dir)) {
    if (d->d_name[0] == '.') continue;
    const std::string base = std::string("/proc/self/task/") + d->d_name;
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

int usage() {
  std::fputs(
      "usage: bench_ingest --url ws://127.0.0.1:PORT --key-file FILE --recording FILE [--passes N]\n"
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

int run_ingest(const std::string& url, const std::string& key_file, const std::string& recording, int passes) {
  const odte::feeds::ApiKeyResult key = odte::feeds::load_api_key_file(key_file);
  if (!key.ok()) {
    std::fprintf(stderr, "bench_ingest: %s\n", key.error.c_str());
    return 1;
  }
  double bytes_per_event = 0;
  std::uint64_t recorded_events = 0;
  if (!recording_bytes_per_event(recording, bytes_per_event, recorded_events)) return 1;

  std::string out = "{\"recorded_events\":" + std::to_string(recorded_events) +
                    ",\"wire_bytes_per_event\":" + std::to_string(bytes_per_event) + ",\"passes\":[";
  for (int p = 0; p < passes; ++p) {
    odte::InstrumentRegistry registry;
    std::vector<odte::daemon::FeedEndpoint> endpoints;
    for (const auto& [stream, path] : {std::pair{odte::StreamId::kStocks, "/stocks"},
                                       std::pair{odte::StreamId::kOptions, "/options"},
                                       std::pair{odte::StreamId::kIndices, "/indices"}}) {
      endpoints.push_back({stream, url + path, odte::daemon::replay_subscriptions(stream), {}});
    }
    odte::daemon::FeedThreads feeds(registry, std::move(endpoints), key.key);
    // The live merge: hand out what is queued, never wait for a quiet feed.
    odte::daemon::FeedEventSource source(feeds, odte::daemon::FeedEventSource::Merge::kLatency, {}, {});
    feeds.start();
    odte::MarketEvent e{};
    if (!source.next(e)) {
      std::fprintf(stderr, "bench_ingest: no event arrived: %s\n", feeds.error().c_str());
      return 1;
    }
    const auto start = Clock::now();
    const double cpu0 = process_cpu_seconds();
    std::uint64_t events = 1;
    std::uint64_t checksum = 0;
    while (source.next(e)) {
      ++events;
      checksum += e.header.instrument;
    }
    const double wall = seconds_since(start);
    const double cpu = process_cpu_seconds() - cpu0;
    const double feed_cpu = threads_cpu_seconds("odte-feed-");  // whole life of this pass's threads
    std::uint64_t drops = 0;
    for (std::size_t i = 0; i < feeds.size(); ++i) drops += feeds.stats(i).ring_drops.load();
    feeds.stop();
    char line[256];
    std::snprintf(line, sizeof line,
                  "%s{\"events\":%llu,\"wall_s\":%.9f,\"cpu_s\":%.9f,\"feed_threads_cpu_s\":%.9f,\"ring_drops\":%llu,"
                  "\"checksum\":%llu}",
                  p == 0 ? "" : ",", static_cast<unsigned long long>(events), wall, cpu, feed_cpu,
                  static_cast<unsigned long long>(drops), static_cast<unsigned long long>(checksum));
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
  std::string url, key_file, recording;
  int passes = 10;
  std::size_t megabytes = 512;
  bool tcp = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--tcp") {
      tcp = true;
      continue;
    }
    if (i + 1 >= argc) return usage();
    const char* v = argv[++i];
    if (a == "--url") url = v;
    else if (a == "--key-file") key_file = v;
    else if (a == "--recording") recording = v;
    else if (a == "--passes") passes = std::atoi(v);
    else if (a == "--megabytes") megabytes = static_cast<std::size_t>(std::atol(v));
    else return usage();
  }
  if (passes < 1) return usage();
  if (tcp) return run_tcp(megabytes, passes);
  if (url.empty() || key_file.empty() || recording.empty()) return usage();
  return run_ingest(url, key_file, recording, passes);
}
