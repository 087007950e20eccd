// odte record: records the Massive websocket feed -- every raw frame with its receive time and
// stream -- into a recording that `odte decode`, `odte replay-server` and odted's replay read.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "odte/feeds/api_key.hpp"
#include "odte/feeds/frame_recorder.hpp"
#include "odte/feeds/ws_client.hpp"

namespace odte::tool {

namespace {

void usage(std::FILE* out) {
  std::fputs(
      "usage: odte record --out FILE (--key-file FILE | --credential NAME)\n"
      "                   [--base wss://socket.massive.com] [--stocks SUBS] [--options SUBS]\n"
      "                   [--indices SUBS] [--zstd] [--duration SECONDS] [--until-complete]\n"
      "                   [--ca-file PEM]\n"
      "\n"
      "Connects one websocket per cluster given (BASE/stocks, BASE/options, BASE/indices), subscribes\n"
      "SUBS (comma list, e.g. \"T.SPY,Q.SPY,AM.SPY\" or \"Q.O:SPXW*\" against odte replay-server), and\n"
      "appends every frame received -- data and status -- with its receive time to FILE (refused if\n"
      "it exists; docs/recording-format.md). Reconnects with backoff like odted. The file is synced\n"
      "once a second and stays readable up to its last whole record if the recorder is killed.\n"
      "\n"
      "  --out FILE          the recording to create\n"
      "  --key-file FILE     API key file (or --credential NAME under $CREDENTIALS_DIRECTORY)\n"
      "  --base URL          websocket base (default wss://socket.massive.com)\n"
      "  --stocks/--options/--indices SUBS   clusters to record and their subscriptions\n"
      "  --zstd              compress blocks with zstd (blocks of 1 MB)\n"
      "  --duration SECONDS  stop after this long (default: until SIGINT/SIGTERM)\n"
      "  --until-complete    stop once every cluster says replay_complete (odte replay-server)\n"
      "  --ca-file PEM       trust this CA bundle too (TLS-intercepting proxies, tests)\n",
      out);
}

int bad(const std::string& what) {
  std::fprintf(stderr, "odte record: %s\n", what.c_str());
  return 2;
}

}  // namespace

int run_record(int argc, char** argv) {
  std::string out_path, key_file, credential, ca_file;
  std::string base = "wss://socket.massive.com";
  std::vector<std::pair<StreamId, std::string>> clusters;
  bool zstd = false, until_complete = false;
  double duration = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      usage(stdout);
      return 0;
    }
    if (a == "--zstd") {
      zstd = true;
      continue;
    }
    if (a == "--until-complete") {
      until_complete = true;
      continue;
    }
    if (i + 1 >= argc) return bad("missing value after " + std::string(a) + " (see --help)");
    const std::string v = argv[++i];
    if (a == "--out") {
      out_path = v;
    } else if (a == "--key-file") {
      key_file = v;
    } else if (a == "--credential") {
      credential = v;
    } else if (a == "--base") {
      base = v;
    } else if (a == "--ca-file") {
      ca_file = v;
    } else if (a == "--stocks" || a == "--options" || a == "--indices") {
      const StreamId s = a == "--stocks" ? StreamId::kStocks : a == "--options" ? StreamId::kOptions : StreamId::kIndices;
      for (const auto& c : clusters) {
        if (c.first == s) return bad(std::string(a) + " given twice");
      }
      if (v.empty()) return bad(std::string(a) + " wants a subscription list");
      clusters.emplace_back(s, v);
    } else if (a == "--duration") {
      char* end = nullptr;
      duration = std::strtod(v.c_str(), &end);
      if (*end != '\0' || !(duration > 0) || duration > 7 * 86400) return bad("--duration wants seconds (> 0)");
    } else {
      return bad("unknown option '" + std::string(a) + "' (see --help)");
    }
  }
  if (out_path.empty()) return bad("--out FILE is required (see --help)");
  if (clusters.empty()) return bad("give at least one of --stocks, --options, --indices (see --help)");
  if (key_file.empty() == credential.empty()) return bad("give exactly one of --key-file and --credential");
  const feeds::ApiKeyResult key =
      key_file.empty() ? feeds::load_api_key_credential(credential) : feeds::load_api_key_file(key_file);
  if (!key.ok()) return bad(key.error);
  while (!base.empty() && base.back() == '/') base.pop_back();

  feeds::FrameRecorder recorder(clusters.size());
  feeds::RecordingOptions ro;
  if (zstd) {
    ro.codec = feeds::Codec::kZstd;
    ro.block_bytes = 1u << 20;
  }
  if (std::string err = recorder.open(out_path, ro); !err.empty()) {
    std::fprintf(stderr, "odte record: %s: %s\n", out_path.c_str(), err.c_str());
    return 1;
  }

  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  struct Feed {
    std::unique_ptr<feeds::WsClient> client;
    std::thread thread;
    std::atomic<bool> complete{false};
    std::atomic<bool> finished{false};
  };
  std::vector<std::unique_ptr<Feed>> feeds_;
  for (std::size_t i = 0; i < clusters.size(); ++i) {
    auto f = std::make_unique<Feed>();
    Feed* raw = f.get();
    const StreamId s = clusters[i].first;
    const char* path = s == StreamId::kStocks ? "/stocks" : s == StreamId::kOptions ? "/options" : "/indices";
    feeds::WsClientConfig wc;
    wc.url = base + path;
    wc.api_key = key.key;
    wc.stream = s;
    wc.subscriptions = {clusters[i].second};
    wc.ca_file = ca_file;
    auto on_frame = [&recorder, i](const feeds::RawFrame& fr) { recorder.record(i, fr.receive_ns, fr.stream, fr.data); };
    auto on_status = [raw](const feeds::StatusReport& st) {
      if (st.status == "replay_complete") raw->complete.store(true, std::memory_order_release);
    };
    auto log = [path](feeds::LogLevel, std::string_view text) {
      std::fprintf(stderr, "odte record: %s: %.*s\n", path + 1, static_cast<int>(text.size()), text.data());
    };
    f->client = std::make_unique<feeds::WsClient>(std::move(wc), std::move(on_frame), std::move(on_status), std::move(log));
    feeds_.push_back(std::move(f));
  }
  recorder.start();
  for (auto& f : feeds_) {
    Feed* raw = f.get();
    raw->thread = std::thread([raw] {
      (void)raw->client->run();
      raw->finished.store(true, std::memory_order_release);
    });
  }

  const auto started = std::chrono::steady_clock::now();
  int exit_code = 0;
  for (;;) {
    timespec wait{0, 50'000'000};
    siginfo_t info;
    if (sigtimedwait(&sigs, &info, &wait) > 0) break;
    bool all_complete = until_complete, all_finished = true;
    for (const auto& f : feeds_) {
      all_complete = all_complete && f->complete.load(std::memory_order_acquire);
      all_finished = all_finished && f->finished.load(std::memory_order_acquire);
    }
    if (all_complete) break;
    if (all_finished) {
      exit_code = 1;  // every client gave up (auth_failed, bad URL, ...): said on stderr already
      break;
    }
    if (duration > 0 && std::chrono::steady_clock::now() - started >= std::chrono::duration<double>(duration)) break;
  }
  for (auto& f : feeds_) f->client->stop();
  for (auto& f : feeds_) {
    if (f->thread.joinable()) f->thread.join();
  }
  const std::string err = recorder.stop();
  const auto& st = recorder.stats();
  std::fprintf(stderr, "odte record: %s: %llu frames, %llu bytes, %llu dropped\n", out_path.c_str(),
               static_cast<unsigned long long>(st.recorded_frames.load()),
               static_cast<unsigned long long>(st.recorded_bytes.load()),
               static_cast<unsigned long long>(st.dropped_frames.load()));
  if (!err.empty()) {
    std::fprintf(stderr, "odte record: %s: %s\n", out_path.c_str(), err.c_str());
    return 1;
  }
  return exit_code;
}

}  // namespace odte::tool
