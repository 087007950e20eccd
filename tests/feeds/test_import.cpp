#include "odte/feeds/importer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "odte/feeds/recording_source.hpp"

namespace odte::feeds {
namespace {

namespace fs = std::filesystem;

const fs::path kData = ODTE_SHARED_DATA_DIR;
const fs::path kFixtures = ODTE_FEEDS_FIXTURES_DIR;

// What a recording holds once parsed by the live parser.
struct Decoded {
  std::map<std::pair<EventKind, StreamId>, std::uint64_t> counts;
  std::set<std::string> symbols;
  std::vector<MarketEvent> first;  // first few events
  std::uint64_t parse_errors = 0;
  bool ordered = true;             // receive times never go backwards
  std::string error;

  [[nodiscard]] std::uint64_t count(EventKind k, StreamId s) const {
    const auto it = counts.find({k, s});
    return it == counts.end() ? 0 : it->second;
  }
};

Decoded decode(const std::string& path, InstrumentRegistry& reg) {
  Decoded d;
  RecordingEventSource src(reg);
  d.error = src.open(path);
  MarketEvent e;
  TimestampNs last = 0;
  while (src.next(e)) {
    ++d.counts[{e.kind(), e.header.stream}];
    d.symbols.insert(std::string(reg.get(e.header.instrument).symbol_view()));
    if (e.header.receive_ns < last) d.ordered = false;
    last = e.header.receive_ns;
    if (d.first.size() < 4) d.first.push_back(e);
  }
  if (d.error.empty()) d.error = src.error();
  d.parse_errors = src.parse_counters().total_errors();
  return d;
}

std::vector<std::string> read_lines(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> lines;
  std::string l;
  while (std::getline(in, l)) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (!l.empty()) lines.push_back(l);
  }
  return lines;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string f;
  while (std::getline(ss, f, sep)) out.push_back(f);
  return out;
}

// Data rows (all lines but the header) of every file matching `pred` under `dir`.
template <typename Pred>
std::uint64_t data_rows(const fs::path& dir, Pred pred) {
  std::uint64_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && pred(e.path().filename().string())) n += read_lines(e.path()).size() - 1;
  }
  return n;
}

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = (fs::temp_directory_path() / ("odte-import-" + std::to_string(::getpid()) + ".odr")).string();
    fs::remove(out_);
  }
  void TearDown() override { fs::remove(out_); }
  void need(const fs::path& p) {
    if (!fs::exists(p)) GTEST_SKIP() << p << " is not here (shared data set)";
  }
  std::string out_;
};

TEST(NewYorkTime, shouldApplyDaylightSavingByTheUsRules) {
  EXPECT_EQ(new_york_to_unix_ns(2026, 7, 7, 16, 0, 0), 1'783'454'400'000'000'000);   // EDT
  EXPECT_EQ(new_york_to_unix_ns(2021, 1, 4, 9, 30, 0), 1'609'770'600'000'000'000);   // EST
  EXPECT_EQ(new_york_to_unix_ns(2026, 3, 8, 1, 59, 0) + 60'000'000'000LL,
            new_york_to_unix_ns(2026, 3, 8, 3, 0, 0));                                 // spring forward
  EXPECT_EQ(new_york_to_unix_ns(2026, 11, 1, 2, 0, 0) - new_york_to_unix_ns(2026, 11, 1, 1, 0, 0),
            2 * 3'600'000'000'000LL);                                                  // fall back
  EXPECT_EQ(new_york_to_unix_ns(2006, 4, 2, 3, 0, 0), 1'143'961'200'000'000'000);   // pre-2007 rule
  EXPECT_EQ(new_york_to_unix_ns(2026, 8, 21, 9, 30, 0, 250), 1'787'319'000'250'000'000);
}

// Every row of the SPY 0DTE chains becomes an option quote; each snapshot one SPY reference print;
// each rise of a contract's cumulative volume one option trade. Counted here from the CSV text.
TEST_F(ImportTest, shouldImportTheSpyChainsRowForRow) {
  const fs::path dir = kData / "spy-0dte-chains-cboe" / "chains";
  need(dir);
  std::uint64_t rows = 0, snapshots = 0, volume_trades = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    const auto lines = read_lines(e.path());
    std::string last_ts;
    std::map<std::string, double> cum;
    for (std::size_t i = 1; i < lines.size(); ++i) {
      const auto f = split(lines[i], ',');  // fetched_at_et,quote_ts,spot,expiry,type,strike,...
      ++rows;
      if (f[1] != last_ts) ++snapshots;
      last_ts = f[1];
      const std::string key = f[4] + f[5];
      const double vol = std::stod(f[17]);
      double& prev = cum[key];
      if (vol > prev && std::stod(f[10]) > 0) ++volume_trades;
      if (vol > prev) prev = vol;
    }
  }
  const ImportStats st = import_dataset(Dataset::kSpyChains, {dir.string()}, out_);
  ASSERT_EQ(st.error, "");
  EXPECT_EQ(st.rows, rows);
  EXPECT_EQ(st.skipped_rows, 0u);
  InstrumentRegistry reg;
  const Decoded d = decode(out_, reg);
  ASSERT_EQ(d.error, "");
  EXPECT_EQ(d.parse_errors, 0u);
  EXPECT_TRUE(d.ordered);
  EXPECT_EQ(d.count(EventKind::kQuote, StreamId::kOptions), rows);
  EXPECT_EQ(d.count(EventKind::kTrade, StreamId::kStocks), snapshots);
  EXPECT_EQ(d.count(EventKind::kTrade, StreamId::kOptions), volume_trades);
  // The first row: SPY 2026-07-08 711 C, bid 35.18 x 1, ask 37.97 x 4 at 16:00 ET on 07-07.
  ASSERT_GE(d.first.size(), 2u);
  const MarketEvent& q = d.first[1];
  EXPECT_EQ(reg.get(q.header.instrument).symbol_view(), "O:SPY260708C00711000");
  EXPECT_EQ(q.header.exchange_ns, 1'783'454'400'000'000'000);
  EXPECT_EQ(q.quote.bid, Price::from_cents(3518));
  EXPECT_EQ(q.quote.ask, Price::from_cents(3797));
  EXPECT_EQ(q.quote.bid_size, 1u);
  EXPECT_EQ(q.quote.ask_size, 4u);
}

TEST_F(ImportTest, shouldImportSpxMinuteBarsAsIndexAggregates) {
  const fs::path dir = kData / "spx-0dte-archive-yahoo-cboe" / "spx-1m";
  need(dir);
  const std::uint64_t rows = data_rows(dir, [](const std::string& n) { return n.ends_with(".csv"); });
  const ImportStats st = import_dataset(Dataset::kSpxMinute, {dir.string()}, out_);
  ASSERT_EQ(st.error, "");
  InstrumentRegistry reg;
  const Decoded d = decode(out_, reg);
  EXPECT_EQ(d.parse_errors, 0u);
  EXPECT_TRUE(d.ordered);
  EXPECT_EQ(d.count(EventKind::kBar, StreamId::kIndices), rows);
  EXPECT_EQ(d.symbols, std::set<std::string>{"I:SPX"});
  // 2026-07-17 09:30 ET: 7447.52 / 7447.71 / 7441.62 / 7447.52.
  const MarketEvent& b = d.first.at(0);
  EXPECT_EQ(b.header.exchange_ns, new_york_to_unix_ns(2026, 7, 17, 9, 30, 0));
  EXPECT_EQ(b.header.receive_ns, new_york_to_unix_ns(2026, 7, 17, 9, 31, 0));
  EXPECT_EQ(b.bar.open, Price::from_cents(744752));
  EXPECT_EQ(b.bar.low, Price::from_cents(744162));
}

TEST_F(ImportTest, shouldImportCboeDailyClosesAsIndexValues) {
  const fs::path dir = kData / "cboe-vix-vvix-daily";
  need(dir);
  const std::uint64_t rows = data_rows(dir, [](const std::string& n) { return n.ends_with("_History.csv"); });
  const ImportStats st = import_dataset(Dataset::kCboeDaily, {dir.string()}, out_);
  ASSERT_EQ(st.error, "");
  EXPECT_EQ(st.rows, rows);
  InstrumentRegistry reg;
  const Decoded d = decode(out_, reg);
  EXPECT_EQ(d.parse_errors, 0u);
  EXPECT_TRUE(d.ordered);
  EXPECT_EQ(d.count(EventKind::kIndexValue, StreamId::kIndices) + st.skipped_rows, rows);
  EXPECT_EQ(d.symbols, (std::set<std::string>{"I:SKEW", "I:VIX", "I:VVIX"}));
}

TEST_F(ImportTest, shouldImportEqkerSpyAndVixMinutes) {
  const fs::path dir = kData / "eqker-spy-vix-1min-2019" / "data";
  need(dir);
  const std::uint64_t spy = read_lines(dir / "SPY_1min.csv").size() - 1;
  const std::uint64_t vix = read_lines(dir / "VIX_1min.csv").size() - 1;
  const ImportStats st = import_dataset(Dataset::kEqker, {dir.string()}, out_);
  ASSERT_EQ(st.error, "");
  InstrumentRegistry reg;
  const Decoded d = decode(out_, reg);
  EXPECT_EQ(d.parse_errors, 0u);
  EXPECT_TRUE(d.ordered) << "the source is newest first; the recording is in time order";
  EXPECT_EQ(d.count(EventKind::kBar, StreamId::kStocks), spy);
  EXPECT_EQ(d.count(EventKind::kBar, StreamId::kIndices), vix);
  // The first SPY bar is labelled 2019-02-11 09:31 (its end): it starts at 09:30.
  const MarketEvent& b = d.first.at(0);
  EXPECT_EQ(b.header.exchange_ns, new_york_to_unix_ns(2019, 2, 11, 9, 30, 0));
}

// LEAN minute zips: each CSV line inside a quote zip is one quote, inside a trade zip one bar.
// Counted independently with unzip(1).
TEST_F(ImportTest, shouldImportLeanMinuteZips) {
  const fs::path dir = kData / "lean-sample-minute" / "Data";
  need(dir);
  if (run("command -v unzip").empty()) GTEST_SKIP() << "unzip(1) is not installed";
  std::uint64_t quotes = 0, bars = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string p = e.path().string();
    if (!e.is_regular_file() || !p.ends_with(".zip") || p.find("/minute/") == std::string::npos ||
        p.find("openinterest") != std::string::npos) {
      continue;
    }
    for (const auto& entry : split(run("unzip -Z1 '" + p + "'"), '\n')) {
      if (entry.empty()) continue;
      const std::string text = run("unzip -p '" + p + "' '" + entry + "'");
      std::uint64_t lines = 0;
      for (const auto& l : split(text, '\n')) lines += l.empty() || l == "\r" ? 0u : 1u;
      (p.find("_quote") != std::string::npos ? quotes : bars) += lines;
    }
  }
  const ImportStats st = import_dataset(Dataset::kLean, {dir.string()}, out_);
  ASSERT_EQ(st.error, "");
  InstrumentRegistry reg;
  const Decoded d = decode(out_, reg);
  EXPECT_EQ(d.parse_errors, 0u);
  EXPECT_TRUE(d.ordered);
  std::uint64_t q = 0, b = 0;
  for (const auto& [key, n] : d.counts) (key.first == EventKind::kQuote ? q : b) += n;
  EXPECT_EQ(q + st.skipped_rows, quotes);
  EXPECT_EQ(b, bars);
  EXPECT_TRUE(d.symbols.count("O:SPXW210104C03700000")) << "0DTE SPXW 3700 call";
  EXPECT_TRUE(d.symbols.count("I:SPX"));
  // SPX on 2021-01-04 opened at 3764.61 at 09:30 ET (the file says 08:30 Chicago time).
  const InstrumentId spx = reg.find("I:SPX");
  RecordingEventSource src(reg);
  ASSERT_EQ(src.open(out_), "");
  MarketEvent e;
  bool found = false;
  while (!found && src.next(e)) {
    found = e.header.instrument == spx && e.header.exchange_ns == new_york_to_unix_ns(2021, 1, 4, 9, 30, 0);
  }
  ASSERT_TRUE(found);
  EXPECT_EQ(e.bar.open, Price::from_cents(376461));
}

// The synthetic Massive flat files, one of them gzip-compressed as the vendor ships them: every
// good row becomes one event, files merged in time order, bad rows counted.
TEST_F(ImportTest, shouldImportMassiveFlatFilesMergedByTime) {
  const fs::path dir = fs::temp_directory_path() / ("odte-flat-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& e : fs::directory_iterator(kFixtures / "massive")) {
    if (e.path().extension() == ".csv") fs::copy_file(e.path(), dir / e.path().filename());
  }
  {
    const auto lines = read_lines(dir / "options_quotes.csv");
    fs::remove(dir / "options_quotes.csv");
    gzFile gz = gzopen((dir / "options_quotes.csv.gz").c_str(), "wb");
    ASSERT_NE(gz, nullptr);
    for (const auto& l : lines) gzprintf(gz, "%s\n", l.c_str());
    gzclose(gz);
  }
  const ImportStats st = import_dataset(Dataset::kMassive, {dir.string()}, out_);
  fs::remove_all(dir);
  ASSERT_EQ(st.error, "");
  EXPECT_EQ(st.files, 5u);
  EXPECT_EQ(st.rows, 12u);
  EXPECT_EQ(st.skipped_rows, 1u);
  InstrumentRegistry reg;
  const Decoded d = decode(out_, reg);
  EXPECT_EQ(d.parse_errors, 0u);
  EXPECT_TRUE(d.ordered);
  EXPECT_EQ(d.count(EventKind::kQuote, StreamId::kOptions), 3u);
  EXPECT_EQ(d.count(EventKind::kQuote, StreamId::kStocks), 1u);
  EXPECT_EQ(d.count(EventKind::kTrade, StreamId::kOptions), 2u);
  EXPECT_EQ(d.count(EventKind::kTrade, StreamId::kStocks), 2u);
  EXPECT_EQ(d.count(EventKind::kBar, StreamId::kStocks), 1u);
  EXPECT_EQ(d.count(EventKind::kBar, StreamId::kOptions), 1u);
  EXPECT_EQ(d.count(EventKind::kBar, StreamId::kIndices), 1u);
  // The earliest event is the SPY quote; it keeps its venues and sequence number.
  const MarketEvent& q = d.first.at(0);
  EXPECT_EQ(q.kind(), EventKind::kQuote);
  EXPECT_EQ(q.header.receive_ns, 1'787'319'000'050'000'000);
  EXPECT_EQ(q.quote.bid_exchange, 12u);
  EXPECT_EQ(q.quote.ask_exchange, 11u);
  EXPECT_EQ(q.quote.sequence, 555u);
  const MarketEvent& t = d.first.at(1);
  EXPECT_EQ(t.trade.condition_count, 2u);  // "12,37"
  EXPECT_EQ(t.trade.conditions[0], 12u);
  EXPECT_EQ(t.trade.conditions[1], 37u);
  EXPECT_EQ(t.trade.exchange, 4u);
  EXPECT_EQ(t.trade.sequence, 98765u);
}

TEST_F(ImportTest, shouldWriteByteIdenticalRecordingsForTheSameInput) {
  const fs::path dir = kFixtures / "massive";
  const std::string second = out_ + ".2";
  fs::remove(second);
  ASSERT_EQ(import_dataset(Dataset::kMassive, {dir.string()}, out_).error, "");
  ASSERT_EQ(import_dataset(Dataset::kMassive, {dir.string()}, second).error, "");
  std::ifstream a(out_, std::ios::binary), b(second, std::ios::binary);
  std::stringstream sa, sb;
  sa << a.rdbuf();
  sb << b.rdbuf();
  EXPECT_EQ(sa.str(), sb.str());
  fs::remove(second);
}

TEST_F(ImportTest, shouldRefuseAnUnknownFlatFileAndLeaveNoRecording) {
  const ImportStats st = import_dataset(Dataset::kMassive, {(kFixtures / "frames.jsonl").string()}, out_);
  EXPECT_NE(st.error, "");
  EXPECT_FALSE(fs::exists(out_));
}

}  // namespace
}  // namespace odte::feeds
