// odte replay-server: serves a recording over the Massive websocket protocol on loopback, so the
// live feed code (WsClient, parser, rings) can be driven end to end from recorded data.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>
#include <string_view>

#include "commands.hpp"
#include "odte/feeds/api_key.hpp"
#include "odte/feeds/replay_rest.hpp"
#include "odte/feeds/replay_server.hpp"

namespace odte::tool {

namespace {

void usage(std::FILE* out) {
  std::fputs(
      "usage: odte replay-server --recording FILE (--key KEY | --key-file FILE)\n"
      "                          [--listen 127.0.0.1:PORT] [--speed N|max] [--cluster NAME]\n"
      "                          [--max-connections N] [--auth-timeout-ms MS]\n"
      "                          [--clock shared|per-connection] [--repeat N]\n"
      "                          [--history FILE]...\n"
      "\n"
      "Serves the frames of a recording over the Massive (Polygon.io) websocket protocol on a\n"
      "loopback address: status connected, auth with the key (auth_success / auth_failed),\n"
      "subscribe/unsubscribe with filtering by channel and symbol (CH.SYM, CH.*, CH.PREFIX*).\n"
      "Each connection replays the recording from its first frame, starting at its first\n"
      "subscribe. Plain HTTP GETs on the same port get Massive-style REST answers made from\n"
      "the recording (market status, today's option contracts, paged): docs/feeds-network.md.\n"
      "\n"
      "  --listen ADDR:PORT     loopback address to listen on (default 127.0.0.1:0); port 0 picks\n"
      "                         a free port. The port is printed on stdout as the first line.\n"
      "  --key KEY              the API key clients must send (visible in ps: prefer --key-file)\n"
      "  --key-file FILE        read the key from FILE\n"
      "  --speed N|max          1 = real time (default), N = N times faster, max = no pacing\n"
      "  --cluster NAME         serve only stocks, options or indices frames (default: all)\n"
      "  --max-connections N    authenticated connections at once; more get max_connections\n"
      "  --auth-timeout-ms MS   time allowed for auth before auth_timeout (default 10000;\n"
      "                         0 answers auth_timeout at once, for tests)\n"
      "  --clock shared         one playback clock for all connections, set by the first\n"
      "                         subscribe; a later connection starts at the frames not yet due\n"
      "                         and never gets the past, as a live feed (needs --speed N)\n"
      "  --history FILE         a recording made by odte import (e.g. cboe-daily) whose days before\n"
      "                         the recording's first day the aggregates endpoints also serve\n"
      "  --repeat N             play the recording N times back to back on each connection\n"
      "                         (default 1), one continuous stream with replay_complete after\n"
      "                         the last; for benchmarks, so a client is measured for longer\n"
      "                         than one short day (not with --clock shared)\n",
      out);
}

std::optional<StreamId> cluster_of(std::string_view s) {
  if (s == "stocks") return StreamId::kStocks;
  if (s == "options") return StreamId::kOptions;
  if (s == "indices") return StreamId::kIndices;
  return std::nullopt;
}

int bad(const std::string& what) {
  std::fprintf(stderr, "odte replay-server: %s\n", what.c_str());
  return 2;
}

}  // namespace

int run_replay_server(int argc, char** argv) {
  feeds::ReplayServerConfig cfg;
  std::string recording;
  std::vector<std::string> history;
  std::string key_file;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      usage(stdout);
      return 0;
    }
    if (i + 1 >= argc) return bad("missing value after " + std::string(a) + " (see --help)");
    const std::string v = argv[++i];
    char* end = nullptr;
    if (a == "--recording") {
      recording = v;
    } else if (a == "--history") {
      history.push_back(v);
    } else if (a == "--key") {
      cfg.api_key = v;
    } else if (a == "--key-file") {
      key_file = v;
    } else if (a == "--listen") {
      const std::size_t colon = v.rfind(':');
      const long port = colon == std::string::npos ? -1 : std::strtol(v.c_str() + colon + 1, &end, 10);
      if (colon == std::string::npos || *end != '\0' || port < 0 || port > 65535) {
        return bad("--listen wants ADDRESS:PORT, got '" + v + "'");
      }
      cfg.listen_host = v.substr(0, colon);
      cfg.port = static_cast<std::uint16_t>(port);
    } else if (a == "--speed") {
      if (v == "max") {
        cfg.speed = 0;
      } else {
        cfg.speed = std::strtod(v.c_str(), &end);
        if (*end != '\0' || !(cfg.speed > 0) || cfg.speed > 1e6) return bad("--speed wants a positive number or max");
      }
    } else if (a == "--cluster") {
      cfg.cluster = cluster_of(v);
      if (!cfg.cluster) return bad("--cluster wants stocks, options or indices, got '" + v + "'");
    } else if (a == "--max-connections") {
      const long n = std::strtol(v.c_str(), &end, 10);
      if (*end != '\0' || n < 0 || n > 1'000'000) return bad("--max-connections wants a count");
      cfg.max_connections = static_cast<int>(n);
    } else if (a == "--clock") {
      if (v != "shared" && v != "per-connection") return bad("--clock wants shared or per-connection, got '" + v + "'");
      cfg.shared_clock = v == "shared";
    } else if (a == "--repeat") {
      const long n = std::strtol(v.c_str(), &end, 10);
      if (*end != '\0' || n < 1 || n > 1'000'000) return bad("--repeat wants a count from 1 to 1000000");
      cfg.repeat = static_cast<int>(n);
    } else if (a == "--auth-timeout-ms") {
      const long n = std::strtol(v.c_str(), &end, 10);
      if (*end != '\0' || n < 0) return bad("--auth-timeout-ms wants milliseconds");
      cfg.auth_timeout = std::chrono::milliseconds{n};
    } else {
      return bad("unknown option '" + std::string(a) + "' (see --help)");
    }
  }
  if (recording.empty()) return bad("--recording FILE is required (see --help)");
  if (!key_file.empty()) {
    const feeds::ApiKeyResult k = feeds::load_api_key_file(key_file);
    if (!k.ok()) return bad(k.error);
    cfg.api_key = k.key;
  }
  if (cfg.api_key.empty()) return bad("--key or --key-file is required (see --help)");

  cfg.log = [](feeds::LogLevel, std::string_view text) {
    std::fprintf(stderr, "odte replay-server: %.*s\n", static_cast<int>(text.size()), text.data());
  };
  {
    // Check the file once up front so a typo fails now, not at the first subscribe.
    auto probe = feeds::recording_source(recording, cfg.log)();
    if (!probe) return 1;
  }
  cfg.source = feeds::recording_source(recording, cfg.log);
  if (cfg.shared_clock && cfg.speed <= 0) return bad("--clock shared needs a --speed (a shared clock paces playback)");
  if (cfg.shared_clock && cfg.repeat > 1) return bad("--repeat is for per-connection playback, not --clock shared");
  auto rest = std::make_shared<feeds::ReplayRestData>();
  if (const std::string err = feeds::scan_replay_rest(recording, *rest, history); !err.empty()) return bad(recording + ": " + err);
  cfg.rest = feeds::replay_rest_handler(rest);

  // SIGINT/SIGTERM are taken by sigwait below, not by default handlers, so shutdown is orderly.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  feeds::ReplayServer server(cfg);
  if (const std::error_code ec = server.listen()) {
    std::fprintf(stderr, "odte replay-server: cannot listen on %s:%u: %s\n", cfg.listen_host.c_str(),
                 static_cast<unsigned>(cfg.port), ec.message().c_str());
    return 1;
  }
  std::printf("%u\n", static_cast<unsigned>(server.port()));
  std::fflush(stdout);
  std::fprintf(stderr, "odte replay-server: serving %s on ws://%s:%u/\n", recording.c_str(),
               cfg.listen_host.c_str(), static_cast<unsigned>(server.port()));
  server.start();
  int sig = 0;
  sigwait(&sigs, &sig);
  server.stop();
  return 0;
}

}  // namespace odte::tool
