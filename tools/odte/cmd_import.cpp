// odte import DATASET OUT INPUT...: converts vendor history and the shared data sets into a
// recording of Massive-style frames (see docs/feeds.md for the mapping of each data set).

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "commands.hpp"
#include "odte/feeds/importer.hpp"

namespace odte::tool {

namespace {

void usage(std::FILE* out) {
  std::fputs(
      "usage: odte import [--plain] [--events-per-frame N] DATASET OUT.odr INPUT...\n"
      "\n"
      "Converts INPUT files or folders into the recording OUT.odr (which must not exist). Every\n"
      "row becomes the Massive websocket event a live feed would deliver, so a replay of the\n"
      "import runs the live parser. Recordings are zstd-compressed unless --plain.\n"
      "\n"
      "datasets:\n"
      "  spy-chains   spy-0dte-chains-cboe/chains: option Q per row, SPY T (size 0) per snapshot,\n"
      "               option T for volume traded since the previous snapshot\n"
      "  spx-1m       spx-0dte-archive-yahoo-cboe/spx-1m: I:SPX AM bars\n"
      "  cboe-daily   cboe-vix-vvix-daily: I:VIX, I:VVIX, I:SKEW V at 16:15 ET with the day's close\n"
      "  eqker        eqker-spy-vix-1min-2019/data: SPY AM (with volume), I:VIX AM\n"
      "  lean         lean-sample-minute/Data: minute trade bars -> AM, quote bars -> Q at bar end\n"
      "  massive      Massive flat files (.csv/.csv.gz): options/stocks quotes -> Q, trades -> T,\n"
      "               minute aggregates -> AM (kind read from the header)\n",
      out);
}

}  // namespace

int run_import(int argc, char** argv) {
  feeds::ImportOptions options;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      usage(stdout);
      return 0;
    }
    if (a == "--plain") {
      options.recording = feeds::RecordingOptions{feeds::Codec::kNone, 3, 1u << 16};
    } else if (a == "--events-per-frame" && i + 1 < argc) {
      options.events_per_frame = static_cast<std::size_t>(std::strtoull(argv[++i], nullptr, 10));
      if (options.events_per_frame == 0) {
        std::fputs("odte import: --events-per-frame must be at least 1\n", stderr);
        return 2;
      }
    } else if (a.size() > 1 && a[0] == '-') {
      usage(stderr);
      return 2;
    } else {
      positional.emplace_back(a);
    }
  }
  if (positional.size() < 3) {
    usage(stderr);
    return 2;
  }
  const auto dataset = feeds::dataset_from_name(positional[0]);
  if (!dataset) {
    std::fprintf(stderr, "odte import: unknown dataset '%s' (see odte import --help)\n", positional[0].c_str());
    return 2;
  }
  const std::vector<std::string> inputs(positional.begin() + 2, positional.end());
  const feeds::ImportStats st = feeds::import_dataset(*dataset, inputs, positional[1], options);
  if (!st.error.empty()) {
    std::fprintf(stderr, "odte import: %s\n", st.error.c_str());
    return 1;
  }
  std::printf(
      "{\"dataset\":\"%s\",\"out\":\"%s\",\"files\":%llu,\"rows\":%llu,\"skipped_rows\":%llu,"
      "\"frames\":%llu,\"events\":%llu,\"trades\":%llu,\"quotes\":%llu,\"bars\":%llu,\"values\":%llu}\n",
      positional[0].c_str(), positional[1].c_str(), static_cast<unsigned long long>(st.files),
      static_cast<unsigned long long>(st.rows), static_cast<unsigned long long>(st.skipped_rows),
      static_cast<unsigned long long>(st.frames), static_cast<unsigned long long>(st.events()),
      static_cast<unsigned long long>(st.trades), static_cast<unsigned long long>(st.quotes),
      static_cast<unsigned long long>(st.bars), static_cast<unsigned long long>(st.values));
  return 0;
}

}  // namespace odte::tool
