// Extra checks, run while ../shared/data is present (the team's machines) and skipped, saying so,
// on a fresh clone: the snapshots and minute bars the real-day tests rebuild from the committed
// recordings to work out their expectations are the rows of the shared CSVs they were imported
// from, so those expectations stay facts about the raw source.

#include <gtest/gtest.h>

#include <cmath>

#include "real_day.hpp"
#include "vix_minute_day.hpp"

namespace odte {
namespace {

namespace fs = std::filesystem;
namespace real = odte::testing_real;
namespace vday = odte::testing_vix_day;

std::string absent(const fs::path& p) {
  return "extra check skipped: " + p.string() +
         " is absent (the shared data sets sit beside the source tree on the team's machines only)";
}

TEST(RealDaySourceTest, shouldRebuildTheCsvSnapshotsFromTheCommittedRecordings) {
  for (const char* date : {"2026-07-20", "2026-07-22", "2026-07-24"}) {
    SCOPED_TRACE(date);
    const fs::path csv = real::chain_csv(date);
    if (!fs::exists(csv)) GTEST_SKIP() << absent(csv);
    const auto from_csv = real::read_csv_snapshots(csv);
    const auto from_recording = real::read_snapshots(real::chain_recording(date));
    ASSERT_EQ(from_recording.size(), from_csv.size());
    std::size_t volume_rows = 0;
    for (std::size_t i = 0; i < from_csv.size(); ++i) {
      const real::Snapshot& a = from_csv[i];
      const real::Snapshot& b = from_recording[i];
      ASSERT_EQ(b.minute, a.minute) << "snapshot " << i;
      ASSERT_EQ(b.second, a.second) << "snapshot " << i;
      ASSERT_DOUBLE_EQ(b.spot, a.spot) << "snapshot " << i;
      ASSERT_EQ(b.rows.size(), a.rows.size()) << "snapshot " << i;
      for (std::size_t k = 0; k < a.rows.size(); ++k) {
        EXPECT_EQ(b.rows[k].right, a.rows[k].right);
        EXPECT_DOUBLE_EQ(b.rows[k].strike, a.rows[k].strike);
        EXPECT_DOUBLE_EQ(b.rows[k].bid, a.rows[k].bid);
        EXPECT_DOUBLE_EQ(b.rows[k].ask, a.rows[k].ask);
        // Volume: the recording's trades add up to the CSV's cumulative volume, except where the
        // volume rose with no last price (no trade to record).
        EXPECT_LE(b.rows[k].volume, a.rows[k].volume);
        volume_rows += b.rows[k].volume == a.rows[k].volume ? 1u : 0u;
      }
    }
    std::size_t rows = 0;
    for (const auto& s : from_csv) rows += s.rows.size();
    EXPECT_GT(volume_rows, rows * 99 / 100) << "volumes agree on " << volume_rows << " of " << rows << " rows";
  }
}

TEST(RealDaySourceTest, shouldRebuildTheCsvMinuteBarsFromTheCommittedRecording) {
  const fs::path dir = vday::eqker_dir();
  if (!fs::exists(dir)) GTEST_SKIP() << absent(dir);
  for (const char* date : {"2019-02-11", "2019-02-13", "2019-02-15"}) {
    SCOPED_TRACE(date);
    for (const auto& [file, symbol] : {std::pair{"SPY_1min.csv", "SPY"}, std::pair{"VIX_1min.csv", "I:VIX"}}) {
      const auto a = vday::read_csv_bars(file, date);
      const auto b = vday::read_bars(symbol, date);
      ASSERT_GT(a.size(), 300u) << file;
      ASSERT_EQ(b.size(), a.size()) << file;
      for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(b[i].label, a[i].label) << file << " bar " << i;
        EXPECT_DOUBLE_EQ(b[i].close, a[i].close) << file << " " << a[i].label;
      }
    }
  }
}

}  // namespace
}  // namespace odte
