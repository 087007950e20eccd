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

#include "odte/core/options/calendar.hpp"
#include "odte/feeds/recording.hpp"
#include "odte/feeds/recording_source.hpp"

namespace odte::feeds {
namespace {

namespace fs = std::filesystem;

// The shared real data sets: on the team's machines only, so what reads them is an extra check that
// skips when they are absent (a fresh clone has no ../shared); the committed recordings made from
// them (kCommitted, data/replay) carry the checks that must hold everywhere.
const fs::path kData = ODTE_SHARED_DATA_DIR;
const fs::path kFixtures = ODTE_FEEDS_FIXTURES_DIR;
const fs::path kCommitted = fs::path(ODTE_SOURCE_DIR) / "tests" / "data" / "real";
const fs::path kQuickStartDay = fs::path(ODTE_SOURCE_DIR) / "data" / "replay" / "spy-0dte-2026-07-20.odr";

// The skip message of an extra check whose shared data is absent.
std::string absent(const fs::path& p) {
  return "extra check skipped: " + p.string() +
         " is absent (the shared data sets sit beside the source tree on the team's machines only; "
         "the committed recordings are checked without them)";
}

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
  if (!fs::exists(dir)) GTEST_SKIP() << absent(dir);
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
  if (!fs::exists(dir)) GTEST_SKIP() << absent(dir);
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
  if (!fs::exists(dir)) GTEST_SKIP() << absent(dir);
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
  if (!fs::exists(dir)) GTEST_SKIP() << absent(dir);
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
  if (!fs::exists(dir)) GTEST_SKIP() << absent(dir);
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

// A replay is one trading day: a multi-day import is split into one recording per New York day,
// every record kept as it was (frame bytes, receive time, stream), in order. On the committed
// five sessions of eqker's SPY and VIX minutes.
TEST_F(ImportTest, shouldSplitAMultiDayRecordingIntoOneRecordingPerDay) {
  const fs::path whole = kCommitted / "eqker-spy-vix-1min-2019.odr";
  const fs::path dir = fs::path(out_).parent_path() / ("split-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::vector<std::string> written;
  ASSERT_EQ(split_by_day(whole.string(), (dir / "eq-{date}.odr").string(), ImportOptions{}.recording, written), "");
  ASSERT_EQ(written.size(), 5u);
  EXPECT_EQ(fs::path(written.front()).filename(), "eq-2019-02-11.odr");
  EXPECT_EQ(fs::path(written.back()).filename(), "eq-2019-02-15.odr");
  RecordingReader all;
  ASSERT_EQ(all.open(whole.string()), "");
  RecordView a;
  std::uint64_t records = 0;
  for (const std::string& w : written) {
    RecordingReader part;
    ASSERT_EQ(part.open(w), "");
    RecordView p;
    const std::string date = fs::path(w).stem().string().substr(3);  // "2019-02-13"
    const std::int32_t day = std::stoi(date.substr(0, 4) + date.substr(5, 2) + date.substr(8, 2));
    while (part.next(p) == ReadStatus::kRecord) {
      ASSERT_EQ(all.next(a), ReadStatus::kRecord);
      EXPECT_EQ(p.receive_ns, a.receive_ns);
      EXPECT_EQ(p.stream, a.stream);
      EXPECT_EQ(p.frame, a.frame);
      EXPECT_EQ(options::new_york_date(p.receive_ns), day) << w;
      ++records;
    }
    EXPECT_EQ(part.error(), "");
  }
  EXPECT_NE(all.next(a), ReadStatus::kRecord) << "records left over";
  EXPECT_EQ(records, 3873u);
  // Outputs that exist are never replaced; a name without {date} is refused.
  std::vector<std::string> again;
  EXPECT_NE(split_by_day(whole.string(), (dir / "eq-{date}.odr").string(), ImportOptions{}.recording, again), "");
  EXPECT_NE(split_by_day(whole.string(), (dir / "eq.odr").string(), ImportOptions{}.recording, again), "");
  fs::remove_all(dir);
}

TEST_F(ImportTest, shouldRefuseAnUnknownFlatFileAndLeaveNoRecording) {
  const ImportStats st = import_dataset(Dataset::kMassive, {(kFixtures / "frames.jsonl").string()}, out_);
  EXPECT_NE(st.error, "");
  EXPECT_FALSE(fs::exists(out_));
}

// ---- the formats of the shared data sets, on synthetic fixtures (tests/feeds/data) ---------------
//
// The same checks as the row-for-row imports of the shared data above, made on a few hand-written
// rows in each vendor layout, so that every importer is tested on a fresh clone too.

TEST_F(ImportTest, shouldImportSpxMinuteFixturesAsIndexAggregatesReceivedAtTheirEnd) {
  const ImportStats st = import_dataset(Dataset::kSpxMinute, {(kFixtures / "spx-1m").string()}, out_);
  ASSERT_EQ(st.error, "");
  EXPECT_EQ(st.files, 2u);
  EXPECT_EQ(st.rows, 4u);
  InstrumentRegistry reg;
  const Decoded d = decode(out_, reg);
  EXPECT_EQ(d.parse_errors, 0u);
  EXPECT_TRUE(d.ordered);
  EXPECT_EQ(d.count(EventKind::kBar, StreamId::kIndices), 4u);
  EXPECT_EQ(d.symbols, std::set<std::string>{"I:SPX"});
  const MarketEvent& b = d.first.at(0);  // 2026-07-17.csv 09:30: 7400.10 / 7402.50 / 7398.25 / 7401.00
  EXPECT_EQ(b.header.exchange_ns, new_york_to_unix_ns(2026, 7, 17, 9, 30, 0));
  EXPECT_EQ(b.header.receive_ns, new_york_to_unix_ns(2026, 7, 17, 9, 31, 0));
  EXPECT_EQ(b.bar.open, Price::from_cents(740010));
  EXPECT_EQ(b.bar.high, Price::from_cents(740250));
  EXPECT_EQ(b.bar.low, Price::from_cents(739825));
  EXPECT_EQ(b.bar.close, Price::from_cents(740100));
  EXPECT_EQ(d.first.at(3).header.exchange_ns, new_york_to_unix_ns(2026, 7, 20, 9, 30, 0));
}

TEST_F(ImportTest, shouldImportCboeDailyFixturesAsClosesAtTheIndexCloseAndCountABadRow) {
  const ImportStats st = import_dataset(Dataset::kCboeDaily, {(kFixtures / "cboe-daily").string()}, out_);
  ASSERT_EQ(st.error, "");
  EXPECT_EQ(st.files, 3u);
  EXPECT_EQ(st.rows, 6u);
  EXPECT_EQ(st.skipped_rows, 1u);  // "not-a-date"
  InstrumentRegistry reg;
  const Decoded d = decode(out_, reg);
  EXPECT_EQ(d.parse_errors, 0u);
  EXPECT_TRUE(d.ordered);
  EXPECT_EQ(d.count(EventKind::kIndexValue, StreamId::kIndices), 5u);
  EXPECT_EQ(d.symbols, (std::set<std::string>{"I:SKEW", "I:VIX", "I:VVIX"}));
  // The first day, 2026-07-16: VIX closed 15.75 and VVIX 88.40, both stamped 16:15 ET.
  ASSERT_GE(d.first.size(), 2u);
  for (const MarketEvent& e : {d.first[0], d.first[1]}) {
    EXPECT_EQ(e.header.exchange_ns, new_york_to_unix_ns(2026, 7, 16, 16, 15, 0));
    const std::string_view sym = reg.get(e.header.instrument).symbol_view();
    EXPECT_EQ(e.index.value, sym == "I:VIX" ? Price::from_cents(1575) : Price::from_cents(8840)) << sym;
  }
}

TEST_F(ImportTest, shouldImportLeanMinuteZipFixtures) {
  const ImportStats st = import_dataset(Dataset::kLean, {(kFixtures / "lean" / "Data").string()}, out_);
  ASSERT_EQ(st.error, "");
  InstrumentRegistry reg;
  const Decoded d = decode(out_, reg);
  EXPECT_EQ(d.parse_errors, 0u);
  EXPECT_TRUE(d.ordered);
  EXPECT_EQ(d.count(EventKind::kBar, StreamId::kStocks), 2u);
  EXPECT_EQ(d.count(EventKind::kQuote, StreamId::kStocks), 1u);
  EXPECT_EQ(d.count(EventKind::kBar, StreamId::kIndices), 1u);
  EXPECT_EQ(d.symbols, (std::set<std::string>{"I:SPX", "SPY"}));
  RecordingEventSource src(reg);
  ASSERT_EQ(src.open(out_), "");
  const InstrumentId spx = reg.find("I:SPX"), spy = reg.find("SPY");
  MarketEvent e;
  int seen = 0;
  while (src.next(e)) {
    if (e.header.instrument == spx) {
      // 30600000 ms is 08:30 in Chicago: 09:30 ET; index prices are not scaled.
      EXPECT_EQ(e.header.exchange_ns, new_york_to_unix_ns(2021, 1, 4, 9, 30, 0));
      EXPECT_EQ(e.bar.open, Price::from_cents(370025));
      ++seen;
    } else if (e.header.instrument == spy && e.kind() == EventKind::kQuote) {
      // The quote bar's closing bid and ask (x10000 in the file), at the bar's end.
      EXPECT_EQ(e.header.receive_ns, new_york_to_unix_ns(2013, 10, 9, 9, 31, 0));
      EXPECT_EQ(e.quote.bid, Price::from_cents(16495));
      EXPECT_EQ(e.quote.ask, Price::from_cents(16505));
      ++seen;
    } else if (e.header.instrument == spy && e.header.exchange_ns == new_york_to_unix_ns(2013, 10, 9, 9, 30, 0)) {
      EXPECT_EQ(e.bar.open, Price::from_cents(16500));
      EXPECT_EQ(e.bar.close, Price::from_cents(16505));
      ++seen;
    }
  }
  EXPECT_EQ(seen, 3);
}

// ---- the committed recordings of real days (tests/data/real, data/replay) -----------------------
//
// The strategy, restore, report and subscription tests replay these instead of the shared data, so
// they must be what the importer makes of the shared files: checked here on every machine by what
// the recordings hold (the counts SOURCES.txt states, worked out from the CSV rows as
// shouldImportTheSpyChainsRowForRow counts them), and, while the shared data is present, byte for
// byte against a fresh import of the file SOURCES.txt names.

struct CommittedDay {
  const char* recording;  // under the source tree
  const char* source;     // under ../shared/data
  Dataset dataset;
};
const CommittedDay kCommittedDays[] = {
    {"data/replay/spy-0dte-2026-07-20.odr", "spy-0dte-chains-cboe/chains/SPY_2026-07-20.csv", Dataset::kSpyChains},
    {"tests/data/real/spy-0dte-2026-07-22.odr", "spy-0dte-chains-cboe/chains/SPY_2026-07-22.csv", Dataset::kSpyChains},
    {"tests/data/real/spy-0dte-2026-07-24.odr", "spy-0dte-chains-cboe/chains/SPY_2026-07-24.csv", Dataset::kSpyChains},
    {"data/replay/spy-0dte-2026-07-08.odr", "spy-0dte-chains-cboe/chains/SPY_2026-07-08.csv", Dataset::kSpyChains},
    {"data/replay/spy-0dte-2026-07-17.odr", "spy-0dte-chains-cboe/chains/SPY_2026-07-17.csv", Dataset::kSpyChains},
    {"data/replay/spy-0dte-2026-07-21.odr", "spy-0dte-chains-cboe/chains/SPY_2026-07-21.csv", Dataset::kSpyChains},
    {"data/replay/spy-0dte-2026-07-23.odr", "spy-0dte-chains-cboe/chains/SPY_2026-07-23.csv", Dataset::kSpyChains},
    {"data/replay/spy-0dte-2026-07-27.odr", "spy-0dte-chains-cboe/chains/SPY_2026-07-27.csv", Dataset::kSpyChains},
    {"data/replay/spy-0dte-2026-07-28.odr", "spy-0dte-chains-cboe/chains/SPY_2026-07-28.csv", Dataset::kSpyChains},
    {"data/replay/spy-0dte-2026-07-29.odr", "spy-0dte-chains-cboe/chains/SPY_2026-07-29.csv", Dataset::kSpyChains},
    {"data/replay/spy-0dte-2026-07-30.odr", "spy-0dte-chains-cboe/chains/SPY_2026-07-30.csv", Dataset::kSpyChains},
    {"data/replay/spy-0dte-2026-07-31.odr", "spy-0dte-chains-cboe/chains/SPY_2026-07-31.csv", Dataset::kSpyChains},
    {"data/replay/spy-0dte-2026-08-04.odr", "spy-0dte-chains-cboe/chains/SPY_2026-08-04.csv", Dataset::kSpyChains},
    {"data/replay/spy-0dte-2026-08-05.odr", "spy-0dte-chains-cboe/chains/SPY_2026-08-05.csv", Dataset::kSpyChains},
    {"data/replay/spy-0dte-2026-08-06.odr", "spy-0dte-chains-cboe/chains/SPY_2026-08-06.csv", Dataset::kSpyChains},
    {"data/replay/spy-0dte-2026-08-07.odr", "spy-0dte-chains-cboe/chains/SPY_2026-08-07.csv", Dataset::kSpyChains},
    {"data/replay/spy-0dte-2026-08-10.odr", "spy-0dte-chains-cboe/chains/SPY_2026-08-10.csv", Dataset::kSpyChains},
    {"data/replay/spy-0dte-2026-08-11.odr", "spy-0dte-chains-cboe/chains/SPY_2026-08-11.csv", Dataset::kSpyChains},
    {"tests/data/real/eqker-spy-vix-1min-2019.odr", "eqker-spy-vix-1min-2019/data", Dataset::kEqker},
    {"tests/data/real/spx-1m-2026-08-21.odr", "spx-0dte-archive-yahoo-cboe/spx-1m/2026-08-21.csv", Dataset::kSpxMinute},
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Per day: option quotes (= CSV rows), SPY reference prints (= snapshots), option trades (= volume
// rises with a last price), as data/replay/SOURCES.txt and tests/data/real/SOURCES.txt state them.
TEST(ImportCommittedTest, shouldHoldEverySpyChainRowOfItsDay) {
  struct Day {
    const char* recording;
    std::uint64_t quotes, snapshots, option_trades;
    const char* first_symbol_prefix;
  };
  for (const Day& day : {Day{"data/replay/spy-0dte-2026-07-20.odr", 11'344, 72, 4'375, "O:SPY260720"},
                         Day{"tests/data/real/spy-0dte-2026-07-22.odr", 11'380, 76, 5'224, "O:SPY260722"},
                         Day{"tests/data/real/spy-0dte-2026-07-24.odr", 11'250, 76, 5'201, "O:SPY260724"},
                         Day{"data/replay/spy-0dte-2026-07-08.odr", 150, 1, 135, "O:SPY260708"},
                         Day{"data/replay/spy-0dte-2026-07-17.odr", 11'172, 75, 5'689, "O:SPY260717"},
                         Day{"data/replay/spy-0dte-2026-07-21.odr", 1'340, 9, 674, "O:SPY260721"},
                         Day{"data/replay/spy-0dte-2026-07-23.odr", 1'034, 7, 729, "O:SPY260723"},
                         Day{"data/replay/spy-0dte-2026-07-27.odr", 11'226, 76, 5'206, "O:SPY260727"},
                         Day{"data/replay/spy-0dte-2026-07-28.odr", 11'112, 75, 4'578, "O:SPY260728"},
                         Day{"data/replay/spy-0dte-2026-07-29.odr", 11'000, 76, 6'435, "O:SPY260729"},
                         Day{"data/replay/spy-0dte-2026-07-30.odr", 11'206, 76, 5'569, "O:SPY260730"},
                         Day{"data/replay/spy-0dte-2026-07-31.odr", 11'458, 77, 5'887, "O:SPY260731"},
                         Day{"data/replay/spy-0dte-2026-08-04.odr", 144, 1, 88, "O:SPY260804"},
                         Day{"data/replay/spy-0dte-2026-08-05.odr", 9'792, 76, 6'049, "O:SPY260805"},
                         Day{"data/replay/spy-0dte-2026-08-06.odr", 10'054, 67, 4'763, "O:SPY260806"},
                         Day{"data/replay/spy-0dte-2026-08-07.odr", 11'054, 76, 5'620, "O:SPY260807"},
                         Day{"data/replay/spy-0dte-2026-08-10.odr", 9'764, 68, 4'094, "O:SPY260810"},
                         Day{"data/replay/spy-0dte-2026-08-11.odr", 11'492, 75, 4'327, "O:SPY260811"}}) {
    SCOPED_TRACE(day.recording);
    InstrumentRegistry reg;
    const Decoded d = decode((fs::path(ODTE_SOURCE_DIR) / day.recording).string(), reg);
    ASSERT_EQ(d.error, "");
    EXPECT_EQ(d.parse_errors, 0u);
    EXPECT_TRUE(d.ordered);
    EXPECT_EQ(d.count(EventKind::kQuote, StreamId::kOptions), day.quotes);
    EXPECT_EQ(d.count(EventKind::kTrade, StreamId::kStocks), day.snapshots);
    EXPECT_EQ(d.count(EventKind::kTrade, StreamId::kOptions), day.option_trades);
    for (const std::string& sym : d.symbols) {
      EXPECT_TRUE(sym == "SPY" || sym.starts_with(day.first_symbol_prefix)) << sym;
    }
    // A snapshot opens with its SPY reference print (size 0), then the quotes of that time.
    ASSERT_GE(d.first.size(), 2u);
    EXPECT_EQ(reg.get(d.first[0].header.instrument).symbol_view(), "SPY");
    EXPECT_EQ(d.first[0].trade.size, 0u);
    EXPECT_EQ(d.first[1].kind(), EventKind::kQuote);
    EXPECT_EQ(d.first[1].header.exchange_ns, d.first[0].header.exchange_ns);
  }
}

// The two days every strategy skips, and why (data/replay/SOURCES.txt): 2026-07-08's one snapshot is the
// 2026-07-07 closing book of the options expiring 07-08 (the importer keeps the book's own time, so the
// recording is a 07-07 day at 16:00); 2026-08-04's one snapshot is at 09:32:18, before any 09:45 entry.
TEST(ImportCommittedTest, shouldKeepThePartialDaysAtTheirBookTimes) {
  struct Day {
    const char* recording;
    TimestampNs only_snapshot;
  };
  for (const Day& day : {Day{"data/replay/spy-0dte-2026-07-08.odr", new_york_to_unix_ns(2026, 7, 7, 16, 0, 0)},
                         Day{"data/replay/spy-0dte-2026-08-04.odr", new_york_to_unix_ns(2026, 8, 4, 9, 32, 18)}}) {
    SCOPED_TRACE(day.recording);
    InstrumentRegistry reg;
    RecordingEventSource src(reg);
    ASSERT_EQ(src.open((fs::path(ODTE_SOURCE_DIR) / day.recording).string()), "");
    MarketEvent e;
    std::set<TimestampNs> times;
    while (src.next(e)) times.insert(e.header.exchange_ns);
    EXPECT_EQ(src.error(), "");
    EXPECT_EQ(times, (std::set<TimestampNs>{day.only_snapshot}));
  }
}

// The five eqker days: every SPY and VIX minute bar, stamped at its start (the files label the end).
TEST(ImportCommittedTest, shouldHoldEveryEqkerMinuteBar) {
  InstrumentRegistry reg;
  const Decoded d = decode((kCommitted / "eqker-spy-vix-1min-2019.odr").string(), reg);
  ASSERT_EQ(d.error, "");
  EXPECT_EQ(d.parse_errors, 0u);
  EXPECT_TRUE(d.ordered);
  EXPECT_EQ(d.count(EventKind::kBar, StreamId::kStocks), 1'950u);  // 390 a day
  EXPECT_EQ(d.count(EventKind::kBar, StreamId::kIndices), 1'923u);
  EXPECT_EQ(d.symbols, (std::set<std::string>{"I:VIX", "SPY"}));
  // The first SPY bar is labelled 2019-02-11 09:31 (its end): it starts at 09:30.
  const MarketEvent& b = d.first.at(0);
  EXPECT_EQ(reg.get(b.header.instrument).symbol_view(), "SPY");
  EXPECT_EQ(b.header.exchange_ns, new_york_to_unix_ns(2019, 2, 11, 9, 30, 0));
  EXPECT_EQ(b.header.receive_ns, new_york_to_unix_ns(2019, 2, 11, 9, 31, 0));
}

// Extra check: each committed recording is exactly what the importer makes of its shared source now.
TEST_F(ImportTest, shouldMatchTheCommittedRecordingsByteForByte) {
  for (const CommittedDay& day : kCommittedDays) {
    SCOPED_TRACE(day.recording);
    const fs::path source = kData / day.source;
    if (!fs::exists(source)) GTEST_SKIP() << absent(source);
    fs::remove(out_);
    ASSERT_EQ(import_dataset(day.dataset, {source.string()}, out_).error, "");
    const std::string committed = slurp(fs::path(ODTE_SOURCE_DIR) / day.recording);
    ASSERT_FALSE(committed.empty());
    EXPECT_TRUE(slurp(out_) == committed) << "re-import differs from the committed recording; re-run the "
                                             "command in its SOURCES.txt and commit the result";
  }
}

}  // namespace
}  // namespace odte::feeds
