// odte calc QUERY [--option value ...]: options math on the command line, one JSON object out.
// Queries: price, greeks, iv, forward, varswap, calendar, symbol. docs/options.md documents each
// query's options and JSON. Bad data gives {"error": code, "message": text} with exit status 1;
// a usage mistake gives a message on stderr and exit status 2.

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "odte/core/options/black_scholes.hpp"
#include "odte/core/options/calendar.hpp"
#include "odte/core/options/forward.hpp"
#include "odte/core/options/symbology.hpp"

namespace odte::tool {
namespace {

using nlohmann::ordered_json;
namespace opt = odte::options;

constexpr const char* kUsage =
    "usage: odte calc QUERY [OPTIONS]\n"
    "\n"
    "Options math with one JSON object on stdout (see docs/options.md).\n"
    "\n"
    "queries:\n"
    "  price    --right C|P --spot S --strike K (--minutes M | --years T) [--r R] [--q Q] --sigma V\n"
    "  greeks   same options as price: price, delta, gamma, vega, theta, rho, elasticity\n"
    "  iv       --right C|P --spot S --strike K (--minutes M | --years T) [--r R] [--q Q] --price P\n"
    "  forward  --chain FILE [--r R (--minutes M | --years T)]   (discount fitted when --r is absent)\n"
    "  varswap  --chain FILE (--minutes M | --years T) [--r R] [--side mid|bid|ask]\n"
    "  calendar --date YYYY-MM-DD\n"
    "  symbol   SYMBOL | --root R --expiry YYYY-MM-DD --right C|P --strike K\n"
    "\n"
    "A chain FILE is CSV: strike,call_bid,call_ask,put_bid,put_ask (header optional, empty = no quote).\n"
    "Rates are continuous per year (0.045 = 4.5%), sigma per sqrt(year), --minutes is the time to\n"
    "the settlement (years = minutes / 525600).\n";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "odte calc: %s\n(see odte calc --help)\n", message.c_str());
  return 2;
}

int data_error(std::string_view code, const std::string& message) {
  std::puts(ordered_json{{"error", code}, {"message", message}}.dump().c_str());
  return 1;
}

int emit(const ordered_json& j) {
  std::puts(j.dump().c_str());
  return 0;
}

// --key value pairs plus positional words, checked against the keys a query accepts.
class Args {
 public:
  // Returns an error message, or empty on success.
  std::string parse(int argc, char** argv, std::initializer_list<std::string_view> allowed) {
    for (int i = 0; i < argc; ++i) {
      const std::string_view a = argv[i];
      if (a.size() > 2 && a.substr(0, 2) == "--") {
        const std::string_view key = a.substr(2);
        bool ok = false;
        for (std::string_view k : allowed) ok = ok || k == key;
        if (!ok) return "unknown option '" + std::string(a) + "'";
        if (i + 1 >= argc) return "option '" + std::string(a) + "' needs a value";
        for (const auto& kv : kv_) {
          if (kv.first == key) return "option '" + std::string(a) + "' given twice";
        }
        kv_.emplace_back(std::string(key), std::string(argv[++i]));
      } else {
        positional_.emplace_back(a);
      }
    }
    return {};
  }
  [[nodiscard]] const std::string* get(std::string_view key) const {
    for (const auto& kv : kv_) {
      if (kv.first == key) return &kv.second;
    }
    return nullptr;
  }
  [[nodiscard]] const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::vector<std::pair<std::string, std::string>> kv_;
  std::vector<std::string> positional_;
};

std::optional<double> to_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// Reads a required or optional number; sets `error` on a bad value.
struct Reader {
  const Args& args;
  std::string error;
  double number(std::string_view key, std::optional<double> fallback = std::nullopt) {
    const std::string* text = args.get(key);
    if (text == nullptr) {
      if (!fallback && error.empty()) error = "missing --" + std::string(key);
      return fallback.value_or(0.0);
    }
    const auto v = to_number(*text);
    if (!v && error.empty()) error = "--" + std::string(key) + " is not a number: '" + *text + "'";
    return v.value_or(0.0);
  }
  bool has(std::string_view key) const { return args.get(key) != nullptr; }
  OptionRight right() {
    const std::string* text = args.get("right");
    if (text == nullptr) {
      if (error.empty()) error = "missing --right";
      return OptionRight::kCall;
    }
    if (*text == "C" || *text == "c" || *text == "call") return OptionRight::kCall;
    if (*text == "P" || *text == "p" || *text == "put") return OptionRight::kPut;
    if (error.empty()) error = "--right must be C or P, not '" + *text + "'";
    return OptionRight::kCall;
  }
  // Years from --years or --minutes (exactly one).
  double years() {
    if (has("years") == has("minutes")) {
      if (error.empty()) error = "give exactly one of --minutes and --years";
      return 0;
    }
    return has("years") ? number("years") : number("minutes") / 525'600.0;
  }
};

std::optional<std::int32_t> parse_iso_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int y = 0, m = 0, d = 0;
  if (std::from_chars(s.data(), s.data() + 4, y).ptr != s.data() + 4) return std::nullopt;
  if (std::from_chars(s.data() + 5, s.data() + 7, m).ptr != s.data() + 7) return std::nullopt;
  if (std::from_chars(s.data() + 8, s.data() + 10, d).ptr != s.data() + 10) return std::nullopt;
  const std::int32_t v = y * 10000 + m * 100 + d;
  if (!opt::is_valid_date(v)) return std::nullopt;
  return v;
}

std::string iso_date(std::int32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", v / 10000, v / 100 % 100, v % 100);
  return buf;
}

// Unix ns -> "2024-03-15T13:30:00Z".
std::string iso_utc(std::int64_t ns) {
  const std::int64_t secs = ns / 1'000'000'000;
  const std::int64_t days = secs / 86'400;
  const std::int64_t rem = secs % 86'400;
  const std::int32_t date = opt::add_days(19700101, static_cast<int>(days));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%sT%02lld:%02lld:%02lldZ", iso_date(date).c_str(), static_cast<long long>(rem / 3600),
                static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
  return buf;
}

// Unix ns -> New York wall clock "09:30".
std::string ny_clock(std::int64_t ns, int utc_offset_minutes) {
  const std::int64_t minutes = (ns / 60'000'000'000 + utc_offset_minutes) % 1440;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld", static_cast<long long>((minutes + 1440) % 1440 / 60),
                static_cast<long long>((minutes + 1440) % 60));
  return buf;
}

std::string_view right_name(OptionRight r) { return r == OptionRight::kCall ? "call" : "put"; }
std::string_view settlement_name(opt::Settlement s) {
  switch (s) {
    case opt::Settlement::kAmOpen: return "am";
    case opt::Settlement::kPmClose: return "pm";
    case opt::Settlement::kUnknown: break;
  }
  return "unknown";
}

ordered_json bsm_inputs_json(const opt::BsmInput& in) {
  return ordered_json{{"right", right_name(in.right)}, {"spot", in.spot}, {"strike", in.strike},
                      {"years", in.t},  {"minutes", in.t * 525'600.0}, {"r", in.r},
                      {"q", in.q}};
}

int run_pricing(std::string_view query, int argc, char** argv) {
  Args args;
  const bool iv = query == "iv";
  if (auto e = args.parse(argc, argv, {"right", "spot", "strike", "minutes", "years", "r", "q", iv ? "price" : "sigma"});
      !e.empty()) {
    return usage_error(e);
  }
  if (!args.positional().empty()) return usage_error("unexpected argument '" + args.positional().front() + "'");
  Reader rd{args, {}};
  opt::BsmInput in;
  in.right = rd.right();
  in.spot = rd.number("spot");
  in.strike = rd.number("strike");
  in.t = rd.years();
  in.r = rd.number("r", 0.0);
  in.q = rd.number("q", 0.0);
  const double price = iv ? rd.number("price") : 0.0;
  if (!iv) in.sigma = rd.number("sigma");
  if (!rd.error.empty()) return usage_error(rd.error);
  if (!(in.spot > 0) || !(in.strike > 0) || !(in.t > 0)) {
    return data_error("bad_input", "spot, strike and time to expiry must be positive");
  }
  ordered_json out{{"query", query}, {"inputs", bsm_inputs_json(in)}};
  if (iv) {
    out["inputs"]["price"] = price;
    const opt::IvResult r = opt::implied_vol(in, price);
    out["status"] = opt::to_string(r.status);
    if (!r.ok()) {
      out["iv"] = nullptr;
      return emit(out);
    }
    in.sigma = r.iv;
    out["iv"] = r.iv;
    out["iterations"] = r.iterations;
    out["repriced"] = opt::bsm_price(in);
    return emit(out);
  }
  if (!(in.sigma > 0)) return data_error("bad_input", "sigma must be positive");
  out["inputs"]["sigma"] = in.sigma;
  if (query == "price") {
    out["price"] = opt::bsm_price(in);
    return emit(out);
  }
  const opt::Greeks g = opt::bsm_greeks(in);
  out["price"] = g.price;
  out["delta"] = g.delta;
  out["gamma"] = g.gamma;
  out["vega"] = g.vega;
  out["theta"] = g.theta;
  out["theta_per_day"] = g.theta / 365.0;
  out["rho"] = g.rho;
  out["elasticity"] = g.elasticity;
  return emit(out);
}

// CSV rows strike,call_bid,call_ask,put_bid,put_ask; a non-numeric first line is a header.
std::optional<std::vector<opt::ChainQuote>> read_chain(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = path + ": cannot open";
    return std::nullopt;
  }
  std::vector<opt::ChainQuote> rows;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> f;
    std::size_t start = 0;
    for (;;) {
      const std::size_t comma = line.find(',', start);
      f.push_back(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (n == 1 && !to_number(f[0])) continue;  // header
    if (f.size() != 5) {
      error = path + ":" + std::to_string(n) + ": expected 5 fields (strike,call_bid,call_ask,put_bid,put_ask)";
      return std::nullopt;
    }
    double v[5];
    for (std::size_t i = 0; i < 5; ++i) {
      if (i > 0 && f[i].empty()) {
        v[i] = -1;
        continue;
      }
      const auto x = to_number(f[i]);
      if (!x) {
        error = path + ":" + std::to_string(n) + ": field " + std::to_string(i + 1) + " is not a number: '" + f[i] + "'";
        return std::nullopt;
      }
      v[i] = *x;
    }
    rows.push_back({v[0], v[1], v[2], v[3], v[4]});
  }
  return rows;
}

int run_forward(std::string_view query, int argc, char** argv) {
  Args args;
  const bool varswap = query == "varswap";
  if (auto e = varswap ? args.parse(argc, argv, {"chain", "minutes", "years", "r", "side"})
                       : args.parse(argc, argv, {"chain", "minutes", "years", "r"});
      !e.empty()) {
    return usage_error(e);
  }
  if (!args.positional().empty()) return usage_error("unexpected argument '" + args.positional().front() + "'");
  Reader rd{args, {}};
  const std::string* path = args.get("chain");
  if (path == nullptr) return usage_error("missing --chain");
  const bool given_rate = rd.has("r");
  const double r = rd.number("r", 0.0);
  const double t = (varswap || given_rate) ? rd.years() : 0.0;
  opt::QuoteSide side = opt::QuoteSide::kMid;
  if (const std::string* s = args.get("side")) {
    if (*s == "mid") {
      side = opt::QuoteSide::kMid;
    } else if (*s == "bid") {
      side = opt::QuoteSide::kBid;
    } else if (*s == "ask") {
      side = opt::QuoteSide::kAsk;
    } else {
      return usage_error("--side must be mid, bid or ask, not '" + *s + "'");
    }
  }
  if (!rd.error.empty()) return usage_error(rd.error);
  std::string error;
  const auto chain = read_chain(*path, error);
  if (!chain) return data_error("bad_chain", error);
  ordered_json out{{"query", query}, {"strikes", chain->size()}};
  if (!varswap) {
    const opt::ForwardResult f = given_rate ? opt::implied_forward(*chain, std::exp(-r * t))
                                            : opt::implied_forward_and_discount(*chain);
    out["status"] = opt::to_string(f.status);
    if (!f.ok()) return emit(out);
    out["forward"] = f.forward;
    out["discount"] = f.discount;
    out["discount_source"] = given_rate ? "rate" : "parity_fit";
    if (!given_rate) out["fit_strikes"] = f.fit_strikes;
    out["atm_strike"] = f.atm_strike;
    return emit(out);
  }
  const opt::VarianceSwapResult v = opt::variance_swap_rate(*chain, t, r, side);
  out["status"] = opt::to_string(v.status);
  out["side"] = side == opt::QuoteSide::kMid ? "mid" : side == opt::QuoteSide::kBid ? "bid" : "ask";
  out["years"] = t;
  if (!v.ok()) return emit(out);
  out["variance"] = v.variance;
  out["volatility"] = v.volatility;
  out["vix_style"] = 100.0 * v.volatility;
  out["forward"] = v.forward;
  out["k0"] = v.k0;
  out["adjustment"] = v.adjustment;
  out["puts"] = v.puts;
  out["calls"] = v.calls;
  out["lowest_strike"] = v.lowest_strike;
  out["highest_strike"] = v.highest_strike;
  return emit(out);
}

int run_calendar(int argc, char** argv) {
  Args args;
  if (auto e = args.parse(argc, argv, {"date"}); !e.empty()) return usage_error(e);
  if (!args.positional().empty()) return usage_error("unexpected argument '" + args.positional().front() + "'");
  const std::string* text = args.get("date");
  if (text == nullptr) return usage_error("missing --date");
  const auto date = parse_iso_date(*text);
  if (!date) return data_error("bad_date", "'" + *text + "' is not a YYYY-MM-DD date");
  const opt::SessionDay s = opt::session(*date);
  if (s.rule.status == opt::DayStatus::kOutOfRange) {
    return data_error("out_of_range", "the calendar covers " + std::to_string(opt::kFirstYear) + "-" +
                                          std::to_string(opt::kLastYear));
  }
  static constexpr const char* kDays[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
  ordered_json out{{"query", "calendar"},
                   {"date", iso_date(*date)},
                   {"weekday", kDays[opt::weekday(*date)]},
                   {"status", opt::to_string(s.rule.status)},
                   {"open", s.rule.open()}};
  out["name"] = s.rule.name.empty() ? ordered_json(nullptr) : ordered_json(std::string(s.rule.name));
  out["utc_offset_minutes"] = s.utc_offset_minutes;
  if (s.rule.open()) {
    out["session"] = ordered_json{{"open_et", ny_clock(s.open_ns, s.utc_offset_minutes)},
                                  {"close_et", ny_clock(s.close_ns, s.utc_offset_minutes)},
                                  {"open_utc", iso_utc(s.open_ns)},
                                  {"close_utc", iso_utc(s.close_ns)},
                                  {"open_ns", s.open_ns},
                                  {"close_ns", s.close_ns}};
  } else {
    out["session"] = nullptr;
  }
  std::array<opt::Expiry, 4> expiries{};
  const std::size_t n = opt::expiries_on(*date, expiries);
  ordered_json list = ordered_json::array();
  for (std::size_t i = 0; i < n; ++i) {
    const opt::Expiry& e = expiries[i];
    list.push_back(ordered_json{{"root", e.root},
                                {"settlement", settlement_name(e.settlement)},
                                {"monthly", e.monthly},
                                {"last_trade_date", iso_date(e.last_trade_date)},
                                {"last_trade_utc", iso_utc(e.last_trade_ns)},
                                {"settle_utc", iso_utc(e.settle_ns)},
                                {"settle_ns", e.settle_ns}});
  }
  out["zero_dte"] = list;
  out["next_trading_day"] = opt::next_trading_day(*date) != 0 ? ordered_json(iso_date(opt::next_trading_day(*date)))
                                                              : ordered_json(nullptr);
  out["previous_trading_day"] = opt::previous_trading_day(*date) != 0
                                    ? ordered_json(iso_date(opt::previous_trading_day(*date)))
                                    : ordered_json(nullptr);
  return emit(out);
}

ordered_json contract_json(const opt::OccContract& c) {
  std::array<char, opt::kOccMaxText> osi{}, compact{}, massive{};
  const std::size_t n1 = opt::format_occ(c, opt::OccStyle::kOsi, osi.data(), osi.size());
  const std::size_t n2 = opt::format_occ(c, opt::OccStyle::kCompact, compact.data(), compact.size());
  const std::size_t n3 = opt::format_occ(c, opt::OccStyle::kMassive, massive.data(), massive.size());
  const opt::RootInfo info = opt::root_info(c.root_view());
  ordered_json out{{"root", std::string(c.root_view())},
                   {"expiry", iso_date(c.expiry_yyyymmdd)},
                   {"right", right_name(c.right)},
                   {"strike", c.strike.to_string()},
                   {"osi", std::string(osi.data(), n1)},
                   {"compact", std::string(compact.data(), n2)},
                   {"massive", std::string(massive.data(), n3)},
                   {"settlement", settlement_name(info.settlement)}};
  out["underlying"] = info.underlying.empty() ? ordered_json(nullptr) : ordered_json(std::string(info.underlying));
  return out;
}

int run_symbol(int argc, char** argv) {
  Args args;
  if (auto e = args.parse(argc, argv, {"root", "expiry", "right", "strike"}); !e.empty()) return usage_error(e);
  const bool build = args.get("root") || args.get("expiry") || args.get("right") || args.get("strike");
  if (build == !args.positional().empty()) {
    return usage_error("give a SYMBOL, or --root, --expiry, --right and --strike");
  }
  if (!build) {
    if (args.positional().size() != 1) return usage_error("give one SYMBOL");
    const opt::OccParse p = opt::parse_occ(args.positional().front());
    if (!p.ok()) {
      return data_error(opt::to_string(p.error), "'" + args.positional().front() + "': " + std::string(opt::describe(p.error)));
    }
    ordered_json out{{"query", "symbol"}, {"input", args.positional().front()}};
    out.update(contract_json(p.contract));
    return emit(out);
  }
  Reader rd{args, {}};
  opt::OccContract c;
  const std::string* root = args.get("root");
  const std::string* expiry = args.get("expiry");
  const std::string* strike = args.get("strike");
  if (root == nullptr || expiry == nullptr || strike == nullptr) {
    return usage_error("building a symbol needs --root, --expiry, --right and --strike");
  }
  c.right = rd.right();
  if (!rd.error.empty()) return usage_error(rd.error);
  if (root->empty() || root->size() > 6) return data_error("bad_root", "root must be 1-6 characters A-Z or 0-9");
  for (std::size_t i = 0; i < root->size(); ++i) c.root[i] = (*root)[i];
  const auto date = parse_iso_date(*expiry);
  if (!date) return data_error("bad_date", "'" + *expiry + "' is not a YYYY-MM-DD date");
  c.expiry_yyyymmdd = *date;
  const auto k = Price::parse(*strike);
  if (!k) return data_error("bad_strike", "'" + *strike + "' is not a decimal strike");
  c.strike = *k;
  std::array<char, opt::kOccMaxText> buf{};
  if (opt::format_occ(c, opt::OccStyle::kCompact, buf.data(), buf.size()) == 0) {
    return data_error("unrepresentable",
                      "root must be 1-6 of A-Z/0-9, expiry in 2000-2099, strike a positive multiple of 0.001 "
                      "below 100000");
  }
  ordered_json out{{"query", "symbol"}};
  out.update(contract_json(c));
  return emit(out);
}

}  // namespace

int run_calc(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string_view query = argv[1];
  if (query == "--help" || query == "-h" || query == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  argc -= 2;
  argv += 2;
  try {
    if (query == "price" || query == "greeks" || query == "iv") return run_pricing(query, argc, argv);
    if (query == "forward" || query == "varswap") return run_forward(query, argc, argv);
    if (query == "calendar") return run_calendar(argc, argv);
    if (query == "symbol") return run_symbol(argc, argv);
  } catch (const std::exception& e) {  // tz database missing, out of memory: say so, don't crash
    std::fprintf(stderr, "odte calc: %s\n", e.what());
    return 1;
  }
  return usage_error("unknown query '" + std::string(query) + "'");
}

}  // namespace odte::tool
