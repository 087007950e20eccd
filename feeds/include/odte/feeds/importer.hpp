#pragma once

// Importers: vendor history and the shared real data sets into recordings. Every imported row
// becomes the Massive websocket event a live feed would have delivered (T, Q, AM, V as JSON in a
// frame), so replaying an import exercises the same FrameParser as live. Frames group events of
// one stream with the same receive time (at most events_per_frame each); the receive time is the
// market time at which the event would have been known (quote time, bar end). Per-data-set
// mapping: docs/feeds.md.
//
// Offline code: allocates freely, reports problems as text, never throws for bad input rows
// (they are counted in ImportStats::skipped_rows).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "odte/feeds/recording.hpp"

namespace odte::feeds {

enum class Dataset : std::uint8_t {
  kSpyChains,   // spy-0dte-chains-cboe/chains/SPY_YYYY-MM-DD.csv
  kSpxMinute,   // spx-0dte-archive-yahoo-cboe/spx-1m/YYYY-MM-DD.csv
  kCboeDaily,   // cboe-vix-vvix-daily/{VIX,VVIX,SKEW}_History.csv
  kEqker,       // eqker-spy-vix-1min-2019/data/{SPY,VIX}_1min.csv
  kLean,        // lean-sample-minute/Data/** minute zips
  kMassive,     // Massive flat files: options/stocks quotes, trades, minute aggregates (.csv/.csv.gz)
};

[[nodiscard]] std::optional<Dataset> dataset_from_name(std::string_view name) noexcept;
[[nodiscard]] std::string_view to_string(Dataset d) noexcept;

struct ImportOptions {
  RecordingOptions recording{Codec::kZstd, 3, 1u << 16};
  std::size_t events_per_frame = 100;
  TimestampNs created_ns = 0;  // stamped in the recording header (0 keeps imports byte-identical)
};

struct ImportStats {
  std::uint64_t files = 0;          // source files (or zip entries) read
  std::uint64_t rows = 0;           // data rows read (headers excluded)
  std::uint64_t skipped_rows = 0;   // rows that could not be mapped (bad numbers, missing fields)
  std::uint64_t frames = 0;
  std::uint64_t trades = 0;         // T events written
  std::uint64_t quotes = 0;         // Q
  std::uint64_t bars = 0;           // AM
  std::uint64_t values = 0;         // V
  std::string error;                // non-empty when the import failed

  [[nodiscard]] std::uint64_t events() const noexcept { return trades + quotes + bars + values; }
};

// Reads `inputs` (files or folders; folders are walked in sorted order) and writes the recording
// `out` (which must not exist).
[[nodiscard]] ImportStats import_dataset(Dataset dataset, const std::vector<std::string>& inputs,
                                         const std::string& out, const ImportOptions& options = {});

// One recording per trading day: copies every record of `in` (frames, receive times and streams
// unchanged, in order) into `pattern` with "{date}" replaced by the record's New York receive date
// (YYYY-MM-DD). A replay is one trading day, so a multi-day import is split this way (`odte import`
// when OUT holds {date}). None of the outputs may exist. Returns an error text, empty on success;
// `written` gets the files in date order.
[[nodiscard]] std::string split_by_day(const std::string& in, const std::string& pattern, const RecordingOptions& recording,
                                       std::vector<std::string>& written);

// Civil time in America/New_York (US DST rules since 1987) to Unix ns. Exposed for tests.
[[nodiscard]] TimestampNs new_york_to_unix_ns(int year, int month, int day, int hour, int minute,
                                              int second, int millisecond = 0) noexcept;

}  // namespace odte::feeds
