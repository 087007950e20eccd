// odte import DATASET OUT INPUT...: converts vendor history and the shared data sets into a
// recording of Massive-style frames (see docs/feeds.md for the mapping of each data set).

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "commands.hpp"
#include "odte/daemon/recording_events.hpp"
#include "odte/feeds/importer.hpp"

namespace odte::tool {

namespace {

void usage(std::FILE* out) {
  std::fputs(
      "usage: odte import [--plain] [--events-per-frame N] DATASET OUT.odr INPUT...\n"
      "\n"
      "Converts INPUT files or folders into the recording OUT.odr (which must not exist). With {date}\n"
      "in OUT (e.g. days/spy-{date}.odr) it writes one recording per trading day, YYYY-MM-DD, as a\n"
      "replay and `odte backtest` want them; without, a multi-day import is one file (replay.history).\n"
      "Every row becomes the Massive websocket event a live feed would deliver, so a replay of the\n"
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
  // OUT with {date}: one recording per trading day (a replay is one day), split from a whole
  // import in a temporary file beside them.
  const std::string out = positional[1];
  const std::size_t date_at = out.find("{date}");
  std::string whole = out;
  if (date_at != std::string::npos) {
    whole.replace(date_at, 6, "all-days.tmp" + std::to_string(::getpid()));
    std::filesystem::remove(whole);
  }
  const feeds::ImportStats st = feeds::import_dataset(*dataset, inputs, whole, options);
  if (!st.error.empty()) {
    if (whole != out) std::filesystem::remove(whole);
    std::fprintf(stderr, "odte import: %s\n", st.error.c_str());
    return 1;
  }
  if (whole != out) {
    std::vector<std::string> written;
    const std::string err = feeds::split_by_day(whole, out, options.recording, written);
    std::filesystem::remove(whole);
    if (!err.empty()) {
      std::fprintf(stderr, "odte import: %s\n", err.c_str());
      return 1;
    }
    for (const std::string& w : written) std::fprintf(stderr, "odte import: wrote %s\n", w.c_str());
  } else {
    std::vector<std::int32_t> days;
    (void)daemon::check_single_trading_day(out, 0, &days);
    if (days.size() > 1) {
      std::fprintf(stderr,
                   "odte import: note: %s holds %zu trading days (%d to %d): fine as replay.history, but a replay is "
                   "one day -- put {date} in OUT for one recording per day\n",
                   out.c_str(), days.size(), days.front(), days.back());
    }
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
