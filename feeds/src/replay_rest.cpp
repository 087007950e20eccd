#include "odte/feeds/replay_rest.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>

#include "odte/core/market/instrument_registry.hpp"
#include "odte/core/options/calendar.hpp"
#include "odte/core/options/symbology.hpp"
#include "odte/feeds/history_source.hpp"
#include "odte/feeds/json_scan.hpp"
#include "odte/feeds/recording_source.hpp"

namespace odte::feeds {

namespace {

constexpr std::size_t kMaxPage = 250;

std::string underlying_of(std::string_view root) {
  const options::RootInfo info = options::root_info(root);
  std::string_view u = info.underlying.empty() ? root : info.underlying;
  if (u.starts_with("I:")) u.remove_prefix(2);
  return std::string(u);
}

}  // namespace

std::string query_value(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos || pair.substr(0, eq) != key) continue;
    std::string out;
    const std::string_view v = pair.substr(eq + 1);
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '%' && i + 2 < v.size()) {
        unsigned x = 0;
        const auto r = std::from_chars(v.data() + i + 1, v.data() + i + 3, x, 16);
        if (r.ec == std::errc{} && r.ptr == v.data() + i + 3) {
          out += static_cast<char>(x);
          i += 2;
          continue;
        }
      }
      out += v[i] == '+' ? ' ' : v[i];
    }
    return out;
  }
  return {};
}

namespace {

RestAnswer error_answer(unsigned status, std::string_view message) {
  std::string body = R"({"status":"ERROR","error":")";
  json::append_escaped(body, message);
  body += "\"}";
  return RestAnswer{status, std::move(body)};
}

RestAnswer contracts_answer(const ReplayRestData& data, std::string_view query, std::string_view path,
                            std::string_view host) {
  std::string underlying = query_value(query, "underlying_ticker");
  if (std::string_view(underlying).starts_with("I:")) underlying.erase(0, 2);
  const std::string expiration = query_value(query, "expiration_date");
  if (underlying.empty()) return error_answer(400, "underlying_ticker is required in this replay");
  std::size_t limit = kMaxPage;
  if (const std::string l = query_value(query, "limit"); !l.empty()) {
    std::size_t n = 0;
    const auto r = std::from_chars(l.data(), l.data() + l.size(), n);
    if (r.ec != std::errc{} || r.ptr != l.data() + l.size() || n == 0) return error_answer(400, "limit must be a positive integer");
    limit = std::min(n, kMaxPage);
  }
  std::size_t cursor = 0;
  if (const std::string c = query_value(query, "cursor"); !c.empty()) {
    const auto r = std::from_chars(c.data(), c.data() + c.size(), cursor);
    if (r.ec != std::errc{} || r.ptr != c.data() + c.size()) return error_answer(400, "bad cursor");
  }
  std::string body = R"({"status":"OK","results":[)";
  std::size_t matched = 0;
  std::size_t written = 0;
  bool more = false;
  for (const ReplayRestData::Contract& c : data.contracts) {
    if (c.underlying != underlying || (!expiration.empty() && c.expiration != expiration)) continue;
    if (matched++ < cursor) continue;
    if (written == limit) {
      more = true;
      break;
    }
    char strike[32];
    std::snprintf(strike, sizeof strike, "%.3f", c.strike);
    body += written++ == 0 ? "{" : ",{";
    body += R"("ticker":")" + c.ticker + R"(","underlying_ticker":")" + c.underlying +
            R"(","expiration_date":")" + c.expiration + R"(","contract_type":")" + (c.call ? "call" : "put") +
            R"(","strike_price":)" + strike + R"(,"exercise_style":")" + (c.european ? "european" : "american") +
            R"(","shares_per_contract":100})";
  }
  body += "]";
  if (more) {
    std::string next = "http://" + std::string(host) + std::string(path) + "?underlying_ticker=" + underlying +
                       "&limit=" + std::to_string(limit) + "&cursor=" + std::to_string(cursor + written);
    if (!expiration.empty()) next += "&expiration_date=" + expiration;
    body += R"(,"next_url":")" + next + "\"";
  }
  body += "}";
  return RestAnswer{200, std::move(body)};
}

// "2019-02-12" -> 20190212, 0 when malformed.
std::int32_t yyyymmdd(std::string_view iso) {
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') return 0;
  std::int32_t y = 0, m = 0, d = 0;
  if (std::from_chars(iso.data(), iso.data() + 4, y).ptr != iso.data() + 4 ||
      std::from_chars(iso.data() + 5, iso.data() + 7, m).ptr != iso.data() + 7 ||
      std::from_chars(iso.data() + 8, iso.data() + 10, d).ptr != iso.data() + 10) {
    return 0;
  }
  const std::int32_t v = y * 10000 + m * 100 + d;
  return options::is_valid_date(v) ? v : 0;
}

void append_bar(std::string& body, bool& first, std::int64_t t_ms, Price close, std::string_view ticker) {
  const std::string c = close.to_string();
  body += first ? "{" : ",{";
  first = false;
  body += R"("T":")";
  json::append_escaped(body, ticker);
  body += R"(","o":)" + c + R"(,"h":)" + c + R"(,"l":)" + c + R"(,"c":)" + c + R"(,"v":0,"t":)" + std::to_string(t_ms) + "}";
}

// /v2/aggs/ticker/T/prev and /v2/aggs/ticker/T/range/1/{day,minute}/FROM/TO from the history.
RestAnswer aggregates_answer(const ReplayRestData& data, std::string_view path) {
  std::string_view rest = path.substr(std::string_view("/v2/aggs/ticker/").size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return error_answer(404, "not served by odte replay-server");
  std::string ticker = query_value("t=" + std::string(rest.substr(0, slash)), "t");  // percent-decoded
  rest.remove_prefix(slash + 1);
  const SeriesHistory* h = data.history.find(ticker);
  std::string body = R"({"ticker":")";
  json::append_escaped(body, ticker);
  body += R"(","status":"OK","adjusted":true,"results":[)";
  bool first = true;
  std::size_t n = 0;
  if (rest == "prev") {
    if (h == nullptr || h->daily.empty()) return error_answer(404, "the replay has no previous close of " + ticker);
    const DailyClose& d = h->daily.back();
    append_bar(body, first, options::local_to_utc_ns(d.day, 0) / 1'000'000, d.close, ticker);
    n = 1;
  } else {
    // range/1/<timespan>/<from>/<to>
    std::string_view parts[5];
    for (int i = 0; i < 5; ++i) {
      const std::size_t s = rest.find('/');
      if ((s == std::string_view::npos) != (i == 4)) return error_answer(404, "not served by odte replay-server");
      parts[i] = rest.substr(0, s);
      rest = s == std::string_view::npos ? std::string_view{} : rest.substr(s + 1);
    }
    const std::int32_t from = yyyymmdd(parts[3]);
    const std::int32_t to = yyyymmdd(parts[4]);
    if (parts[0] != "range" || parts[1] != "1" || (parts[2] != "day" && parts[2] != "minute")) {
      return error_answer(400, "this replay serves 1-day and 1-minute ranges only");
    }
    if (from == 0 || to == 0) return error_answer(400, "from and to must be YYYY-MM-DD dates");
    if (h != nullptr && parts[2] == "day") {
      for (const DailyClose& d : h->daily) {
        if (d.day < from || d.day > to) continue;
        append_bar(body, first, options::local_to_utc_ns(d.day, 0) / 1'000'000, d.close, ticker);
        ++n;
      }
    } else if (h != nullptr) {
      for (const HistoryBar& b : h->minutes) {
        const std::int32_t d = options::new_york_date(b.start_ns);
        if (d < from || d > to) continue;
        append_bar(body, first, b.start_ns / 1'000'000, b.close, ticker);
        ++n;
      }
    }
  }
  body += R"(],"resultsCount":)" + std::to_string(n) + "}";
  return RestAnswer{200, std::move(body)};
}

}  // namespace

std::string scan_replay_rest(const std::string& path, ReplayRestData& out,
                             const std::vector<std::string>& history_paths) {
  out = ReplayRestData{};
  InstrumentRegistry registry;
  RecordingEventSource source(registry);
  if (std::string err = source.open(path); !err.empty()) return err;
  MarketEvent e{};
  TimestampNs first = 0;
  while (source.next(e)) {
    if (first == 0 && e.header.exchange_ns > 0) first = e.header.exchange_ns;
  }
  if (!source.error().empty()) return source.error();
  for (std::size_t id = 0; id < registry.size(); ++id) {
    const Instrument& ins = registry.get(static_cast<InstrumentId>(id));
    if (ins.info.asset != AssetClass::kOption) continue;
    const options::OccParse p = options::parse_occ(ins.symbol_view());
    if (p.error != options::OccError::kOk) continue;
    ReplayRestData::Contract c;
    char buf[options::kOccMaxText];
    if (options::format_occ(p.contract, options::OccStyle::kMassive, buf, sizeof buf) == 0) continue;
    c.ticker = buf;
    c.underlying = underlying_of(p.contract.root_view());
    const std::int32_t d = p.contract.expiry_yyyymmdd;
    char date[16];
    std::snprintf(date, sizeof date, "%04d-%02d-%02d", d / 10000, d / 100 % 100, d % 100);
    c.expiration = date;
    c.call = p.contract.right == OptionRight::kCall;
    c.strike = p.contract.strike.to_double();
    c.european = options::root_info(p.contract.root_view()).exercise == options::ExerciseStyle::kEuropean;
    out.contracts.push_back(std::move(c));
  }
  std::sort(out.contracts.begin(), out.contracts.end(),
            [](const auto& a, const auto& b) { return a.ticker < b.ticker; });
  out.contracts.erase(std::unique(out.contracts.begin(), out.contracts.end(),
                                  [](const auto& a, const auto& b) { return a.ticker == b.ticker; }),
                      out.contracts.end());
  if (first != 0) {
    const std::time_t secs = static_cast<std::time_t>(first / 1'000'000'000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char iso[32];
    std::strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
    out.first_event_time = iso;
    // The history before the first event's day, from the recording and the history recordings.
    HistoryRequest all;
    all.all = true;
    std::vector<std::string> paths = history_paths;
    paths.push_back(path);
    if (std::string err = load_history(paths, all, options::new_york_date(first), out.history); !err.empty()) return err;
  }
  return {};
}

std::function<RestAnswer(std::string_view, std::string_view)> replay_rest_handler(
    std::shared_ptr<const ReplayRestData> data) {
  return [data = std::move(data)](std::string_view target, std::string_view host) -> RestAnswer {
    const std::size_t q = target.find('?');
    const std::string_view path = target.substr(0, q);
    const std::string_view query = q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
    if (path == "/v1/marketstatus/now") {
      std::string body = R"({"market":"open","serverTime":")";
      json::append_escaped(body, data->first_event_time);
      body += R"(","earlyHours":false,"afterHours":false})";
      return RestAnswer{200, std::move(body)};
    }
    if (path == "/v1/marketstatus/upcoming") return RestAnswer{200, "[]"};
    if (path == "/v3/reference/options/contracts") return contracts_answer(*data, query, path, host);
    if (path.starts_with("/v2/aggs/ticker/")) return aggregates_answer(*data, path);
    return error_answer(404, "not served by odte replay-server");
  };
}

}  // namespace odte::feeds
