// odte decode FILE|-: prints the normalized market events of a recording, or of raw Massive frames
// (one JSON array per line), as JSON lines. Same input, same bytes out.

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>

#include "commands.hpp"
#include "odte/feeds/event_json.hpp"
#include "odte/feeds/parser.hpp"
#include "odte/feeds/recording_source.hpp"

namespace odte::tool {

namespace {

void usage(std::FILE* out) {
  std::fputs(
      "usage: odte decode [--stream stocks|options|indices|replay] [--allow-torn-tail] FILE|-\n"
      "\n"
      "Prints the market events in FILE as one JSON object per line, parsed by the live feed\n"
      "parser. FILE is an odte recording (see docs/recording-format.md) or text with one Massive\n"
      "websocket frame (a JSON array) per line; `-` reads frames from stdin. Raw frames get\n"
      "receive time 0 and the --stream given (default replay). Status messages are printed too.\n"
      "A summary (frames, events, bad input by kind) goes to stderr. Exit 1 when the file cannot\n"
      "be read, a recording is corrupt or it ends in a torn tail (a recorder killed mid-block, a\n"
      "file cut short) -- after printing every event before the damage, and saying where it is;\n"
      "--allow-torn-tail accepts a torn tail (exit 0, still said). Bad frames are counted, not\n"
      "fatal.\n",
      out);
}

bool is_recording(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[8] = {};
  in.read(magic, sizeof magic);
  return in.gcount() == sizeof magic && std::memcmp(magic, "ODTEREC", 8) == 0;
}

void summary(std::uint64_t frames, const feeds::ParseCounters& c, std::uint64_t torn) {
  std::fprintf(stderr, "odte decode: %llu frames, %llu events", static_cast<unsigned long long>(frames),
               static_cast<unsigned long long>(c.events));
  for (std::size_t k = 0; k < feeds::kErrorKindCount; ++k) {
    if (c.errors[k] == 0) continue;
    const auto name = feeds::to_string(static_cast<feeds::ErrorKind>(k));
    std::fprintf(stderr, ", %llu %.*s", static_cast<unsigned long long>(c.errors[k]),
                 static_cast<int>(name.size()), name.data());
  }
  if (torn > 0) std::fprintf(stderr, ", torn tail of %llu bytes ignored", static_cast<unsigned long long>(torn));
  std::fputc('\n', stderr);
}

}  // namespace

int run_decode(int argc, char** argv) {
  StreamId stream = StreamId::kReplay;
  std::string file;
  bool allow_torn_tail = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      usage(stdout);
      return 0;
    }
    if (a == "--stream" && i + 1 < argc) {
      const std::string_view s = argv[++i];
      if (s == "stocks") stream = StreamId::kStocks;
      else if (s == "options") stream = StreamId::kOptions;
      else if (s == "indices") stream = StreamId::kIndices;
      else if (s == "replay") stream = StreamId::kReplay;
      else {
        std::fprintf(stderr, "odte decode: unknown stream '%.*s'\n", static_cast<int>(s.size()), s.data());
        return 2;
      }
      continue;
    }
    if (a == "--allow-torn-tail") {
      allow_torn_tail = true;
      continue;
    }
    if (!file.empty() || (a.size() > 1 && a[0] == '-')) {
      usage(stderr);
      return 2;
    }
    file = a;
  }
  if (file.empty()) {
    usage(stderr);
    return 2;
  }

  InstrumentRegistry registry;
  std::string line_out;
  line_out.reserve(512);
  auto print = [&](const MarketEvent& e) {
    line_out.clear();
    feeds::append_event_json(line_out, e, registry);
    line_out += '\n';
    std::fwrite(line_out.data(), 1, line_out.size(), stdout);
    return true;
  };

  if (file != "-" && is_recording(file)) {
    feeds::RecordingEventSource source(registry, feeds::RecordingSourceOptions{.include_status = true});
    if (const std::string e = source.open(file); !e.empty()) {
      std::fprintf(stderr, "odte decode: %s\n", e.c_str());
      return 1;
    }
    MarketEvent e;
    while (source.next(e)) print(e);
    summary(source.frames(), source.parse_counters(), source.torn_tail_bytes());
    if (!source.error().empty()) {
      std::fprintf(stderr, "odte decode: %s: corrupt, stopped there: %s\n", file.c_str(), source.error().c_str());
      return 1;
    }
    if (source.torn_tail_bytes() > 0 && !allow_torn_tail) {
      std::fprintf(stderr,
                   "odte decode: %s: the recording ended early: a torn last block of %llu bytes at file offset %llu, "
                   "after %llu whole frames (--allow-torn-tail accepts it)\n",
                   file.c_str(), static_cast<unsigned long long>(source.torn_tail_bytes()),
                   static_cast<unsigned long long>(source.torn_tail_offset()),
                   static_cast<unsigned long long>(source.frames()));
      return 1;
    }
    return 0;
  }

  std::ifstream in;
  if (file != "-") {
    in.open(file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "odte decode: %s: cannot open: %s\n", file.c_str(), std::strerror(errno));
      return 1;
    }
  }
  std::istream& src = file == "-" ? std::cin : in;
  feeds::FrameParser parser(registry);
  std::string line;
  std::uint64_t frames = 0;
  while (std::getline(src, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    ++frames;
    (void)parser.parse(line, 0, stream, print);
  }
  summary(frames, parser.counters(), 0);
  return 0;
}

}  // namespace odte::tool
