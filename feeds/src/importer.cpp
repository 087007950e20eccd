#include "odte/feeds/importer.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "archive.hpp"
#include "odte/core/options/calendar.hpp"
#include "odte/feeds/recording.hpp"

namespace odte::feeds {

namespace fs = std::filesystem;

// ---- time ----

namespace {

std::int64_t days_from_civil(int y, int m, int d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

int weekday(int y, int m, int d) noexcept {  // 0 = Sunday
  const std::int64_t days = days_from_civil(y, m, d);
  return static_cast<int>(((days % 7) + 11) % 7);
}

// Day of month of the n-th (1-based) Sunday of a month, or the last one when n == 0.
int sunday(int y, int m, int n) noexcept {
  if (n > 0) {
    const int first = 1 + (7 - weekday(y, m, 1)) % 7;
    return first + 7 * (n - 1);
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int last = kDays[m - 1];
  return last - weekday(y, m, last);
}

bool new_york_dst(int y, int m, int d, int hour) noexcept {
  int start_m = 3, start_d = 0, end_m = 11, end_d = 0;
  if (y >= 2007) {
    start_d = sunday(y, 3, 2);
    end_d = sunday(y, 11, 1);
  } else {
    start_m = 4;
    start_d = sunday(y, 4, 1);
    end_m = 10;
    end_d = sunday(y, 10, 0);
  }
  const int key = m * 10000 + d * 100 + hour;
  return key >= start_m * 10000 + start_d * 100 + 2 && key < end_m * 10000 + end_d * 100 + 2;
}

}  // namespace

TimestampNs new_york_to_unix_ns(int year, int month, int day, int hour, int minute, int second,
                                int millisecond) noexcept {
  const std::int64_t local_s = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  const std::int64_t offset_h = new_york_dst(year, month, day, hour) ? 4 : 5;
  return (local_s + offset_h * 3600) * 1'000'000'000LL + static_cast<std::int64_t>(millisecond) * 1'000'000LL;
}

std::optional<Dataset> dataset_from_name(std::string_view name) noexcept {
  if (name == "spy-chains") return Dataset::kSpyChains;
  if (name == "spx-1m") return Dataset::kSpxMinute;
  if (name == "cboe-daily") return Dataset::kCboeDaily;
  if (name == "eqker") return Dataset::kEqker;
  if (name == "lean") return Dataset::kLean;
  if (name == "massive") return Dataset::kMassive;
  return std::nullopt;
}

std::string_view to_string(Dataset d) noexcept {
  switch (d) {
    case Dataset::kSpyChains: return "spy-chains";
    case Dataset::kSpxMinute: return "spx-1m";
    case Dataset::kCboeDaily: return "cboe-daily";
    case Dataset::kEqker: return "eqker";
    case Dataset::kLean: return "lean";
    case Dataset::kMassive: return "massive";
  }
  return "unknown";
}

namespace {

constexpr std::int64_t kMsNs = 1'000'000;
constexpr std::int64_t kMinuteMs = 60'000;

// ---- small parsers ----

std::vector<std::string_view> split_csv(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i <= line.size()) {
    if (i < line.size() && line[i] == '"') {
      const std::size_t close = line.find('"', i + 1);
      const std::size_t end = close == std::string_view::npos ? line.size() : close;
      out.push_back(line.substr(i + 1, end - i - 1));
      i = line.find(',', end);
      if (i == std::string_view::npos) break;
      ++i;
      continue;
    }
    const std::size_t comma = line.find(',', i);
    if (comma == std::string_view::npos) {
      out.push_back(line.substr(i));
      break;
    }
    out.push_back(line.substr(i, comma - i));
    i = comma + 1;
  }
  return out;
}

bool to_i64(std::string_view s, std::int64_t& v) noexcept {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

bool to_f64(std::string_view s, double& v) noexcept {
  if (s.empty()) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size() && std::isfinite(v);
}

// A decimal as an exact price when it has at most 4 decimals, else rounded from the double.
bool to_price(std::string_view s, Price& p) noexcept {
  if (const auto exact = Price::parse(s)) {
    p = *exact;
    return true;
  }
  double d = 0;
  if (!to_f64(s, d)) return false;
  p = Price::from_double(d);
  return p.valid();
}

// "1889.0" -> 1889; sizes in these files are integral values written as decimals.
bool to_count(std::string_view s, std::int64_t& v) noexcept {
  if (to_i64(s, v)) return v >= 0;
  double d = 0;
  if (!to_f64(s, d) || d < 0 || d != std::floor(d) || d > 9.0e15) return false;
  v = static_cast<std::int64_t>(d);
  return true;
}

// "YYYY-MM-DD" at the start of s.
bool parse_date(std::string_view s, int& y, int& m, int& d) noexcept {
  std::int64_t a = 0, b = 0, c = 0;
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return false;
  if (!to_i64(s.substr(0, 4), a) || !to_i64(s.substr(5, 2), b) || !to_i64(s.substr(8, 2), c)) return false;
  y = static_cast<int>(a);
  m = static_cast<int>(b);
  d = static_cast<int>(c);
  return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

// "HH:MM" or "HH:MM:SS".
bool parse_clock(std::string_view s, int& h, int& mi, int& se) noexcept {
  std::int64_t a = 0, b = 0, c = 0;
  if (s.size() < 5 || s[2] != ':' || !to_i64(s.substr(0, 2), a) || !to_i64(s.substr(3, 2), b)) return false;
  if (s.size() >= 8) {
    if (s[5] != ':' || !to_i64(s.substr(6, 2), c)) return false;
  }
  h = static_cast<int>(a);
  mi = static_cast<int>(b);
  se = static_cast<int>(c);
  return h < 24 && mi < 60 && se < 61;
}

std::string price_text(Price p) {
  char buf[32];
  return std::string(buf, p.format(buf, sizeof buf));
}

std::string occ_symbol(std::string_view root, int y, int m, int d, char right, std::int64_t strike_thousandths) {
  std::string up(root);
  for (char& c : up) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  char buf[48];
  std::snprintf(buf, sizeof buf, "O:%s%02d%02d%02d%c%08lld", up.c_str(), y % 100, m, d, right,
                static_cast<long long>(strike_thousandths));
  return buf;
}

StreamId stream_of(std::string_view sym) noexcept {
  if (sym.starts_with("O:")) return StreamId::kOptions;
  if (sym.starts_with("I:")) return StreamId::kIndices;
  return StreamId::kStocks;
}

// ---- event text, as Massive sends it ----

struct Event {
  TimestampNs recv;
  StreamId stream;
  std::string json;
};

class Emitter {
 public:
  explicit Emitter(ImportStats& stats) : stats_{stats} {}

  void trade(TimestampNs recv, std::string_view sym, Price p, std::int64_t size, std::int64_t t_ms,
             std::string_view extra = {}) {
    push(recv, sym, "{\"ev\":\"T\",\"sym\":\"" + std::string(sym) + "\",\"p\":" + price_text(p) +
                        ",\"s\":" + std::to_string(size) + ",\"t\":" + std::to_string(t_ms) +
                        std::string(extra) + "}");
    ++stats_.trades;
  }
  void quote(TimestampNs recv, std::string_view sym, Price bid, std::int64_t bs, Price ask, std::int64_t as,
             std::int64_t t_ms, std::string_view extra = {}) {
    push(recv, sym, "{\"ev\":\"Q\",\"sym\":\"" + std::string(sym) + "\",\"bp\":" + price_text(bid) +
                        ",\"bs\":" + std::to_string(bs) + ",\"ap\":" + price_text(ask) +
                        ",\"as\":" + std::to_string(as) + ",\"t\":" + std::to_string(t_ms) +
                        std::string(extra) + "}");
    ++stats_.quotes;
  }
  // A minute aggregate starting at start_ms; received at its end. volume < 0: none (indices).
  void minute_bar(std::string_view sym, Price o, Price h, Price l, Price c, std::int64_t volume,
                  std::int64_t start_ms) {
    std::string j = "{\"ev\":\"AM\",\"sym\":\"" + std::string(sym) + "\"";
    if (volume >= 0) j += ",\"v\":" + std::to_string(volume);
    j += ",\"o\":" + price_text(o) + ",\"c\":" + price_text(c) + ",\"h\":" + price_text(h) +
         ",\"l\":" + price_text(l) + ",\"s\":" + std::to_string(start_ms) +
         ",\"e\":" + std::to_string(start_ms + kMinuteMs) + "}";
    push((start_ms + kMinuteMs) * kMsNs, sym, std::move(j));
    ++stats_.bars;
  }
  void value(TimestampNs recv, std::string_view sym, Price v, std::int64_t t_ms) {
    push(recv, sym, "{\"ev\":\"V\",\"val\":" + price_text(v) + ",\"T\":\"" + std::string(sym) +
                        "\",\"t\":" + std::to_string(t_ms) + "}");
    ++stats_.values;
  }

  std::vector<Event>& events() noexcept { return events_; }

 private:
  void push(TimestampNs recv, std::string_view sym, std::string json) {
    events_.push_back(Event{recv, stream_of(sym), std::move(json)});
  }
  ImportStats& stats_;
  std::vector<Event> events_;
};

// Writes events as frames: consecutive events of one stream and receive time share a frame.
class FrameWriter {
 public:
  FrameWriter(RecordingWriter& w, ImportStats& stats, std::size_t per_frame)
      : writer_{w}, stats_{stats}, per_frame_{per_frame == 0 ? 1 : per_frame} {}

  std::string add(const Event& e) {
    if (count_ > 0 && (e.recv != recv_ || e.stream != stream_ || count_ == per_frame_)) {
      if (std::string err = flush(); !err.empty()) return err;
    }
    frame_ += count_ == 0 ? "[" : ",";
    frame_ += e.json;
    recv_ = e.recv;
    stream_ = e.stream;
    ++count_;
    return {};
  }
  std::string flush() {
    if (count_ == 0) return {};
    frame_ += ']';
    std::string err = writer_.append(recv_, stream_, frame_);
    frame_.clear();
    count_ = 0;
    ++stats_.frames;
    return err;
  }

 private:
  RecordingWriter& writer_;
  ImportStats& stats_;
  std::size_t per_frame_;
  std::string frame_;
  std::size_t count_ = 0;
  TimestampNs recv_ = 0;
  StreamId stream_ = StreamId::kStocks;
};

// Column index by header name, or -1.
struct Header {
  std::vector<std::string> names;
  [[nodiscard]] int col(std::string_view name) const {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return static_cast<int>(i);
    }
    return -1;
  }
};

Header read_header(std::string_view line) {
  Header h;
  for (const auto f : split_csv(line)) h.names.emplace_back(f);
  return h;
}

std::string_view field(const std::vector<std::string_view>& f, int col) {
  return col >= 0 && static_cast<std::size_t>(col) < f.size() ? f[static_cast<std::size_t>(col)] : std::string_view{};
}

// Every regular file under the inputs, sorted, keeping those `want` accepts.
template <typename Want>
std::vector<std::string> collect(const std::vector<std::string>& inputs, Want want) {
  std::vector<std::string> files;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      for (const auto& e : fs::recursive_directory_iterator(in, ec)) {
        if (e.is_regular_file() && want(e.path())) files.push_back(e.path().string());
      }
    } else if (want(fs::path(in))) {
      files.push_back(in);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// ---- data sets ----

std::string import_spy_chains(const std::vector<std::string>& inputs, Emitter& out, ImportStats& st) {
  const auto files = collect(inputs, [](const fs::path& p) {
    return p.extension() == ".csv" && p.filename().string().starts_with("SPY_");
  });
  if (files.empty()) return "no SPY_YYYY-MM-DD.csv chain files found";
  for (const auto& path : files) {
    detail::LineReader lines;
    if (std::string e = lines.open(path); !e.empty()) return e;
    ++st.files;
    std::string line;
    if (!lines.next(line)) continue;
    const Header h = read_header(line);
    const int c_qts = h.col("quote_ts"), c_spot = h.col("spot"), c_exp = h.col("expiry"), c_type = h.col("type"),
              c_strike = h.col("strike"), c_bid = h.col("bid"), c_ask = h.col("ask"), c_bs = h.col("bid_size"),
              c_as = h.col("ask_size"), c_last = h.col("last_trade_price"), c_vol = h.col("volume");
    if (c_qts < 0 || c_spot < 0 || c_exp < 0 || c_type < 0 || c_strike < 0 || c_bid < 0 || c_ask < 0) {
      return path + ": missing chain columns";
    }
    std::string snapshot;  // quote_ts of the current snapshot
    std::unordered_map<std::string, std::int64_t> cum_volume;
    while (lines.next(line)) {
      if (line.empty()) continue;
      ++st.rows;
      const auto f = split_csv(line);
      const std::string_view qts = field(f, c_qts);
      int y = 0, mo = 0, d = 0, hh = 0, mi = 0, ss = 0, ey = 0, em = 0, ed = 0;
      Price spot{}, strike{}, bid{}, ask{};
      std::int64_t bs = 0, as = 0;
      const std::string_view type = field(f, c_type);
      if (!parse_date(qts, y, mo, d) || qts.size() < 19 || !parse_clock(qts.substr(11), hh, mi, ss) ||
          !parse_date(field(f, c_exp), ey, em, ed) || (type != "C" && type != "P") ||
          !to_price(field(f, c_spot), spot) || !to_price(field(f, c_strike), strike) ||
          !to_price(field(f, c_bid), bid) || !to_price(field(f, c_ask), ask) || !to_count(field(f, c_bs), bs) ||
          !to_count(field(f, c_as), as) || bid < Price::zero() || ask < Price::zero()) {
        ++st.skipped_rows;
        continue;
      }
      const TimestampNs t = new_york_to_unix_ns(y, mo, d, hh, mi, ss);
      const std::int64_t t_ms = t / kMsNs;
      if (qts != snapshot) {
        snapshot = std::string(qts);
        // The snapshot's underlying price: a reference print of size 0 (the file has no size).
        out.trade(t, "SPY", spot, 0, t_ms);
      }
      const std::string sym = occ_symbol("SPY", ey, em, ed, type[0], strike.ticks() / 10);
      out.quote(t, sym, bid, bs, ask, as, t_ms);
      // Cumulative volume -> one trade per snapshot for the contracts traded since the last one,
      // at the last trade price.
      std::int64_t vol = 0;
      Price last{};
      if (c_vol >= 0 && c_last >= 0 && to_count(field(f, c_vol), vol) && to_price(field(f, c_last), last)) {
        std::int64_t& prev = cum_volume[sym];
        if (vol > prev && last > Price::zero()) out.trade(t, sym, last, vol - prev, t_ms);
        if (vol > prev) prev = vol;
      }
    }
  }
  return {};
}

std::string import_spx_minute(const std::vector<std::string>& inputs, Emitter& out, ImportStats& st) {
  const auto files = collect(inputs, [](const fs::path& p) {
    int y = 0, m = 0, d = 0;
    return p.extension() == ".csv" && parse_date(p.filename().string(), y, m, d);
  });
  if (files.empty()) return "no YYYY-MM-DD.csv minute files found";
  for (const auto& path : files) {
    int y = 0, mo = 0, d = 0;
    (void)parse_date(fs::path(path).filename().string(), y, mo, d);
    detail::LineReader lines;
    if (std::string e = lines.open(path); !e.empty()) return e;
    ++st.files;
    std::string line;
    if (!lines.next(line)) continue;
    const Header h = read_header(line);
    const int c_t = h.col("time"), c_o = h.col("open"), c_h = h.col("high"), c_l = h.col("low"), c_c = h.col("close");
    if (c_t < 0 || c_o < 0 || c_h < 0 || c_l < 0 || c_c < 0) return path + ": missing time/open/high/low/close";
    while (lines.next(line)) {
      if (line.empty()) continue;
      ++st.rows;
      const auto f = split_csv(line);
      int hh = 0, mi = 0, ss = 0;
      Price o{}, hi{}, lo{}, c{};
      if (!parse_clock(field(f, c_t), hh, mi, ss) || !to_price(field(f, c_o), o) || !to_price(field(f, c_h), hi) ||
          !to_price(field(f, c_l), lo) || !to_price(field(f, c_c), c)) {
        ++st.skipped_rows;
        continue;
      }
      out.minute_bar("I:SPX", o, hi, lo, c, -1, new_york_to_unix_ns(y, mo, d, hh, mi, 0) / kMsNs);
    }
  }
  return {};
}

std::string import_cboe_daily(const std::vector<std::string>& inputs, Emitter& out, ImportStats& st) {
  const auto files = collect(inputs, [](const fs::path& p) {
    const std::string n = p.filename().string();
    return n == "VIX_History.csv" || n == "VVIX_History.csv" || n == "SKEW_History.csv";
  });
  if (files.empty()) return "no VIX_History.csv / VVIX_History.csv / SKEW_History.csv found";
  for (const auto& path : files) {
    const std::string name = fs::path(path).filename().string();
    const std::string sym = "I:" + name.substr(0, name.find('_'));
    detail::LineReader lines;
    if (std::string e = lines.open(path); !e.empty()) return e;
    ++st.files;
    std::string line;
    if (!lines.next(line)) continue;
    const Header h = read_header(line);
    const int c_date = h.col("DATE");
    int c_close = h.col("CLOSE");
    if (c_close < 0) c_close = h.col(sym.substr(2));  // VVIX_History.csv: DATE,VVIX; SKEW: DATE,SKEW
    if (c_date < 0 || c_close < 0) return path + ": missing DATE or close column";
    while (lines.next(line)) {
      if (line.empty()) continue;
      ++st.rows;
      const auto f = split_csv(line);
      const std::string_view date = field(f, c_date);  // MM/DD/YYYY
      std::int64_t m = 0, d = 0, y = 0;
      Price close{};
      if (date.size() != 10 || !to_i64(date.substr(0, 2), m) || !to_i64(date.substr(3, 2), d) ||
          !to_i64(date.substr(6, 4), y) || !to_price(field(f, c_close), close) || close <= Price::zero()) {
        ++st.skipped_rows;
        continue;
      }
      // The day's closing value, at the Cboe index close (16:15 ET).
      const TimestampNs t = new_york_to_unix_ns(static_cast<int>(y), static_cast<int>(m), static_cast<int>(d), 16, 15, 0);
      out.value(t, sym, close, t / kMsNs);
    }
  }
  return {};
}

std::string import_eqker(const std::vector<std::string>& inputs, Emitter& out, ImportStats& st) {
  const auto files = collect(inputs, [](const fs::path& p) {
    const std::string n = p.filename().string();
    return n == "SPY_1min.csv" || n == "VIX_1min.csv";
  });
  if (files.empty()) return "no SPY_1min.csv / VIX_1min.csv found";
  for (const auto& path : files) {
    const bool vix = fs::path(path).filename().string().starts_with("VIX");
    detail::LineReader lines;
    if (std::string e = lines.open(path); !e.empty()) return e;
    ++st.files;
    std::string line;
    if (!lines.next(line)) continue;
    const Header h = read_header(line);
    const int c_dt = h.col("datetime"), c_o = h.col("open"), c_h = h.col("high"), c_l = h.col("low"),
              c_c = h.col("close"), c_v = h.col("volume");
    if (c_dt < 0 || c_o < 0 || c_h < 0 || c_l < 0 || c_c < 0) return path + ": missing datetime/OHLC columns";
    while (lines.next(line)) {
      if (line.empty()) continue;
      ++st.rows;
      const auto f = split_csv(line);
      const std::string_view dt = field(f, c_dt);
      int y = 0, mo = 0, d = 0, hh = 0, mi = 0, ss = 0;
      Price o{}, hi{}, lo{}, c{};
      std::int64_t v = 0;
      if (!parse_date(dt, y, mo, d) || dt.size() < 16 || !parse_clock(dt.substr(11), hh, mi, ss) ||
          !to_price(field(f, c_o), o) || !to_price(field(f, c_h), hi) || !to_price(field(f, c_l), lo) ||
          !to_price(field(f, c_c), c) || (!vix && !to_count(field(f, c_v), v))) {
        ++st.skipped_rows;
        continue;
      }
      // Bars are labelled with their end (09:31 .. 16:00).
      const std::int64_t start_ms = new_york_to_unix_ns(y, mo, d, hh, mi, 0) / kMsNs - kMinuteMs;
      out.minute_bar(vix ? "I:VIX" : "SPY", o, hi, lo, c, vix ? -1 : v, start_ms);
    }
  }
  return {};
}

// LEAN minute zips. Paths: <type>/usa/minute/<ticker>/<YYYYMMDD>_<trade|quote>[_<style>].zip[.zip]
std::string import_lean(const std::vector<std::string>& inputs, Emitter& out, ImportStats& st) {
  const auto files = collect(inputs, [](const fs::path& p) {
    const std::string s = p.string();
    return (s.ends_with(".zip")) && s.find("/minute/") != std::string::npos &&
           s.find("openinterest") == std::string::npos;
  });
  if (files.empty()) return "no LEAN minute zip files found";
  for (const auto& path : files) {
    const fs::path p(path);
    const std::string fname = p.filename().string();
    const std::string ticker = p.parent_path().filename().string();
    const std::string type = p.parent_path().parent_path().parent_path().parent_path().filename().string();
    int y = 0, mo = 0, d = 0;
    std::int64_t ymd = 0;
    if (fname.size() < 8 || !to_i64(std::string_view(fname).substr(0, 8), ymd)) return path + ": no date in the name";
    y = static_cast<int>(ymd / 10000);
    mo = static_cast<int>(ymd / 100 % 100);
    d = static_cast<int>(ymd % 100);
    const bool quotes = fname.find("_quote") != std::string::npos;
    const bool option = type == "option" || type == "indexoption";
    const bool index = type == "index";
    if (!option && !index && type != "equity") continue;
    // Index minute bars are stamped in Chicago time (08:30 open); the rest in New York time.
    const std::int64_t midnight_ms = new_york_to_unix_ns(y, mo, d, 12, 0, 0) / kMsNs - 12 * 3'600'000LL;
    const std::int64_t shift_ms = index ? 3'600'000 : 0;
    std::vector<detail::ZipEntry> entries;
    if (std::string e = detail::read_zip(path, entries); !e.empty()) return e;
    for (const auto& entry : entries) {
      ++st.files;
      std::string sym;
      if (option) {
        // <date>_<root>_minute_<quote|trade>_<style>_<call|put>_<strike x 10000>_<expiry>.csv
        std::vector<std::string> parts;
        std::string_view n = entry.name;
        if (n.ends_with(".csv")) n.remove_suffix(4);
        for (std::size_t at = 0;;) {
          const std::size_t us = n.find('_', at);
          parts.emplace_back(n.substr(at, us == std::string_view::npos ? std::string_view::npos : us - at));
          if (us == std::string_view::npos) break;
          at = us + 1;
        }
        std::int64_t strike10k = 0, exp = 0;
        if (parts.size() != 8 || !to_i64(parts[6], strike10k) || !to_i64(parts[7], exp) ||
            (parts[5] != "call" && parts[5] != "put")) {
          return path + ": unexpected option entry name " + entry.name;
        }
        sym = occ_symbol(parts[1], static_cast<int>(exp / 10000), static_cast<int>(exp / 100 % 100),
                         static_cast<int>(exp % 100), parts[5] == "call" ? 'C' : 'P', strike10k / 10);
      } else {
        sym = index ? "I:" : "";
        for (const char c : ticker) sym += static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
      }
      // Equity and option prices are integers in 1/10,000 dollar; index bars are decimals.
      auto px = [&](std::string_view s, Price& out_p) {
        if (index) return to_price(s, out_p);
        std::int64_t v = 0;
        if (!to_i64(s, v) || v < 0) return false;
        out_p = Price::from_ticks(v);
        return true;
      };
      std::size_t at = 0;
      while (at < entry.data.size()) {
        std::size_t nl = entry.data.find('\n', at);
        if (nl == std::string::npos) nl = entry.data.size();
        std::string_view line(entry.data.data() + at, nl - at);
        at = nl + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) continue;
        ++st.rows;
        const auto f = split_csv(line);
        std::int64_t ms = 0;
        if (f.empty() || !to_i64(f[0], ms)) {
          ++st.skipped_rows;
          continue;
        }
        const std::int64_t start_ms = midnight_ms + ms + shift_ms;
        if (quotes) {
          // ms, bid OHLC, bid size, ask OHLC, ask size: the quote at the bar's close.
          Price bid = Price::zero(), ask = Price::zero();
          std::int64_t bs = 0, as = 0;
          const bool has_bid = f.size() > 5 && !f[4].empty();
          const bool has_ask = f.size() > 10 && !f[9].empty();
          if (f.size() != 11 || (has_bid && (!px(f[4], bid) || !to_count(f[5], bs))) ||
              (has_ask && (!px(f[9], ask) || !to_count(f[10], as))) || (!has_bid && !has_ask)) {
            ++st.skipped_rows;
            continue;
          }
          const std::int64_t end_ms = start_ms + kMinuteMs;
          out.quote(end_ms * kMsNs, sym, bid, has_bid ? bs : 0, ask, has_ask ? as : 0, end_ms);
        } else {
          Price o{}, hi{}, lo{}, c{};
          std::int64_t v = 0;
          if (f.size() < 6 || !px(f[1], o) || !px(f[2], hi) || !px(f[3], lo) || !px(f[4], c) || !to_count(f[5], v)) {
            ++st.skipped_rows;
            continue;
          }
          out.minute_bar(sym, o, hi, lo, c, index ? -1 : v, start_ms);
        }
      }
    }
  }
  return {};
}

// Massive flat files: the kind is read from the header. Each file is in time order; several
// files (e.g. a day's quotes and trades) are merged by time, ties in file-name order, streaming.
struct FlatFile {
  enum class Kind { kQuotes, kTrades, kAggs };
  std::string path;
  detail::LineReader lines;
  Kind kind = Kind::kQuotes;
  int c_tk = -1, c_sip = -1, c_bp = -1, c_ap = -1, c_bs = -1, c_as = -1, c_bx = -1, c_ax = -1, c_seq = -1,
      c_p = -1, c_s = -1, c_x = -1, c_cond = -1, c_ws = -1, c_v = -1, c_o = -1, c_c = -1, c_h = -1, c_l = -1;
  bool has_event = false;
  Event event;
};

std::string open_flat(FlatFile& ff) {
  if (std::string e = ff.lines.open(ff.path); !e.empty()) return e;
  std::string line;
  if (!ff.lines.next(line)) return {};
  const Header h = read_header(line);
  if (h.col("bid_price") >= 0 && h.col("ask_price") >= 0) {
    ff.kind = FlatFile::Kind::kQuotes;
  } else if (h.col("price") >= 0 && h.col("size") >= 0) {
    ff.kind = FlatFile::Kind::kTrades;
  } else if (h.col("window_start") >= 0) {
    ff.kind = FlatFile::Kind::kAggs;
  } else {
    return ff.path + ": not a Massive quotes, trades or minute aggregates flat file";
  }
  ff.c_tk = h.col("ticker");
  if (ff.c_tk < 0) return ff.path + ": no ticker column";
  ff.c_sip = h.col("sip_timestamp"), ff.c_bp = h.col("bid_price"), ff.c_ap = h.col("ask_price");
  ff.c_bs = h.col("bid_size"), ff.c_as = h.col("ask_size"), ff.c_bx = h.col("bid_exchange");
  ff.c_ax = h.col("ask_exchange"), ff.c_seq = h.col("sequence_number"), ff.c_p = h.col("price");
  ff.c_s = h.col("size"), ff.c_x = h.col("exchange"), ff.c_cond = h.col("conditions");
  ff.c_ws = h.col("window_start"), ff.c_v = h.col("volume"), ff.c_o = h.col("open"), ff.c_c = h.col("close");
  ff.c_h = h.col("high"), ff.c_l = h.col("low");
  return {};
}

// Reads rows until one maps to an event (ff.has_event) or the file ends.
void advance_flat(FlatFile& ff, ImportStats& st) {
  ff.has_event = false;
  Emitter one(st);
  std::string line;
  while (!ff.has_event && ff.lines.next(line)) {
    if (line.empty()) continue;
    ++st.rows;
    const auto f = split_csv(line);
    const std::string sym(field(f, ff.c_tk));
    std::int64_t ts = 0;
    bool ok = !sym.empty() && sym.size() <= 31;
    if (ff.kind == FlatFile::Kind::kAggs) {
      Price o{}, hi{}, lo{}, c{};
      std::int64_t v = 0;
      ok = ok && to_i64(field(f, ff.c_ws), ts) && ts > 0 && to_price(field(f, ff.c_o), o) &&
           to_price(field(f, ff.c_h), hi) && to_price(field(f, ff.c_l), lo) && to_price(field(f, ff.c_c), c);
      const bool has_v = ff.c_v >= 0 && to_count(field(f, ff.c_v), v);
      if (ok) one.minute_bar(sym, o, hi, lo, c, has_v && !sym.starts_with("I:") ? v : -1, ts / kMsNs);
    } else {
      ok = ok && to_i64(field(f, ff.c_sip), ts) && ts > 0;
      std::int64_t seq = 0;
      std::string extra;
      if (ff.c_seq >= 0 && to_i64(field(f, ff.c_seq), seq) && seq > 0) extra += ",\"q\":" + std::to_string(seq);
      if (ff.kind == FlatFile::Kind::kQuotes) {
        Price bid{}, ask{};
        std::int64_t bs = 0, as = 0, bx = 0, ax = 0;
        ok = ok && to_price(field(f, ff.c_bp), bid) && to_price(field(f, ff.c_ap), ask) && bid >= Price::zero() &&
             ask >= Price::zero() && to_count(field(f, ff.c_bs), bs) && to_count(field(f, ff.c_as), as);
        if (to_i64(field(f, ff.c_ax), ax)) extra = ",\"ax\":" + std::to_string(ax) + extra;
        if (to_i64(field(f, ff.c_bx), bx)) extra = ",\"bx\":" + std::to_string(bx) + extra;
        if (ok) one.quote(ts, sym, bid, bs, ask, as, ts / kMsNs, extra);
      } else {
        Price p{};
        std::int64_t s = 0, x = 0;
        ok = ok && to_price(field(f, ff.c_p), p) && p > Price::zero() && to_count(field(f, ff.c_s), s);
        if (to_i64(field(f, ff.c_x), x)) extra = ",\"x\":" + std::to_string(x) + extra;
        const std::string_view conds = field(f, ff.c_cond);
        if (!conds.empty()) {
          std::string list;
          for (const auto c : split_csv(conds)) {
            std::int64_t code = 0;
            if (to_i64(c, code)) list += (list.empty() ? "" : ",") + std::to_string(code);
          }
          if (!list.empty()) extra = ",\"c\":[" + list + "]" + extra;
        }
        if (ok) one.trade(ts, sym, p, s, ts / kMsNs, extra);
      }
    }
    if (!ok) {
      ++st.skipped_rows;
      continue;
    }
    ff.event = std::move(one.events().back());
    ff.has_event = true;
  }
}

std::string import_massive(const std::vector<std::string>& inputs, RecordingWriter& writer, ImportStats& st,
                           const ImportOptions& options) {
  const auto paths = collect(inputs, [](const fs::path& p) {
    const std::string s = p.string();
    return s.ends_with(".csv") || s.ends_with(".csv.gz");
  });
  if (paths.empty()) return "no .csv or .csv.gz flat files found";
  std::vector<std::unique_ptr<FlatFile>> files;
  for (const auto& path : paths) {
    auto ff = std::make_unique<FlatFile>();
    ff->path = path;
    if (std::string e = open_flat(*ff); !e.empty()) return e;
    ++st.files;
    advance_flat(*ff, st);
    files.push_back(std::move(ff));
  }
  FrameWriter frames(writer, st, options.events_per_frame);
  for (;;) {
    FlatFile* next = nullptr;
    for (auto& ff : files) {
      if (ff->has_event && (next == nullptr || ff->event.recv < next->event.recv)) next = ff.get();
    }
    if (next == nullptr) break;
    if (std::string err = frames.add(next->event); !err.empty()) return err;
    advance_flat(*next, st);
  }
  return frames.flush();
}

}  // namespace

ImportStats import_dataset(Dataset dataset, const std::vector<std::string>& inputs, const std::string& out,
                           const ImportOptions& options) {
  ImportStats st;
  RecordingWriter writer;
  if (std::string e = writer.create(out, options.recording, options.created_ns); !e.empty()) {
    st.error = e;
    return st;
  }
  std::string err;
  if (dataset == Dataset::kMassive) {
    err = import_massive(inputs, writer, st, options);
  } else {
    Emitter emitter(st);
    switch (dataset) {
      case Dataset::kSpyChains: err = import_spy_chains(inputs, emitter, st); break;
      case Dataset::kSpxMinute: err = import_spx_minute(inputs, emitter, st); break;
      case Dataset::kCboeDaily: err = import_cboe_daily(inputs, emitter, st); break;
      case Dataset::kEqker: err = import_eqker(inputs, emitter, st); break;
      case Dataset::kLean: err = import_lean(inputs, emitter, st); break;
      case Dataset::kMassive: break;
    }
    if (err.empty()) {
      // Sources are per file and not always in time order (eqker is newest first): order by
      // receive time; ties keep source order, so the output is deterministic.
      auto& events = emitter.events();
      std::stable_sort(events.begin(), events.end(),
                       [](const Event& a, const Event& b) { return a.recv < b.recv; });
      FrameWriter frames(writer, st, options.events_per_frame);
      for (const Event& e : events) {
        if (err = frames.add(e); !err.empty()) break;
      }
      if (err.empty()) err = frames.flush();
    }
  }
  if (std::string e = writer.close(); err.empty()) err = e;
  if (!err.empty()) {
    st.error = err;
    std::error_code ec;
    fs::remove(out, ec);  // never leave a partial import that looks whole
  }
  return st;
}

std::string split_by_day(const std::string& in, const std::string& pattern, const RecordingOptions& recording,
                         std::vector<std::string>& written) {
  const std::size_t at = pattern.find("{date}");
  if (at == std::string::npos) return pattern + ": no {date} in the output name";
  RecordingReader reader;
  if (std::string err = reader.open(in); !err.empty()) return err;
  std::map<std::int32_t, std::unique_ptr<RecordingWriter>> writers;
  RecordView rec;
  ReadStatus status;
  while ((status = reader.next(rec)) == ReadStatus::kRecord) {
    const std::int32_t day = options::new_york_date(rec.receive_ns);
    auto it = writers.find(day);
    if (it == writers.end()) {
      char date[16];
      std::snprintf(date, sizeof date, "%04d-%02d-%02d", day / 10000, day / 100 % 100, day % 100);
      std::string path = pattern;
      path.replace(at, 6, date);
      auto w = std::make_unique<RecordingWriter>();
      if (std::string err = w->create(path, recording); !err.empty()) return err;
      written.push_back(path);
      it = writers.emplace(day, std::move(w)).first;
    }
    if (std::string err = it->second->append(rec.receive_ns, rec.stream, rec.frame); !err.empty()) return err;
  }
  if (!reader.error().empty()) return reader.error();
  for (auto& [day, w] : writers) {
    if (std::string err = w->close(); !err.empty()) return err;
  }
  std::sort(written.begin(), written.end());
  return {};
}

}  // namespace odte::feeds
