// odte cjs: seed 003's leverage-adjusted option portfolio returns from end-of-day option panels
// (daily.csv, monthly.csv, cjs.json, cjs.html). See docs/cjs.md.

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commands.hpp"
#include "odte/analytics/cjs.hpp"

namespace odte::tool {

namespace {

namespace cjs = analytics::cjs;
namespace fs = std::filesystem;

constexpr const char* kUsage =
    "usage: odte cjs --format optionmetrics|lean|massive INPUT... [--out DIR] [options]\n"
    "       odte cjs --format lean|massive INPUT... --write-panel FILE [--rate R] [--underlying-close D=C]...\n"
    "\n"
    "Seed 003 (Constantinides-Jackwerth-Savov): per trading day, call and put portfolios at\n"
    "moneyness K/S 0.925..1.100 (step 0.025) and maturities 30/60/90 days, Gaussian kernel weights\n"
    "(bandwidths 0.0125 and 10 days, weights under 1% dropped), each option's one-day mid return\n"
    "leverage-adjusted by its BSM elasticity, compounded monthly. Writes daily.csv, monthly.csv,\n"
    "cjs.json and cjs.html into DIR. A portfolio with no candidate option on a day has no return\n"
    "(empty / null, status no_candidates), never 0.\n"
    "\n"
    "INPUT: files, or directories (their *.csv files in name order; lean: the YYYYMMDD.csv ones).\n"
    "  optionmetrics  CSV with header: date,expiry,strike,right,bid,ask,iv,underlying,rate\n"
    "                 (also exdate, cp_flag, best_bid, best_offer, impl_volatility, close)\n"
    "  lean           LEAN option universe files YYYYMMDD.csv (close as the price; needs --rate)\n"
    "  massive        Massive options day aggregates (needs --root, --rate, --underlying)\n"
    "\n"
    "options:\n"
    "  --out DIR            where to write (default: cjs)\n"
    "  --write-panel FILE   convert instead of computing: write the panel read from INPUT as the\n"
    "                       optionmetrics CSV (date,expiry,strike,right,bid,ask,price,iv,underlying,\n"
    "                       rate; '#' lines name the source and the inputs given by flags), same\n"
    "                       bytes for the same inputs; --format optionmetrics reads it back\n"
    "  --rate R             risk-free rate, decimal per year, for lean and massive (e.g. 0.05)\n"
    "  --underlying FILE    CSV date,close of the underlying (lean files without an underlying row,\n"
    "                       massive)\n"
    "  --underlying-close YYYY-MM-DD=CLOSE   one underlying close given on the command line (repeat\n"
    "                       for more days; with --underlying, a date given twice is an error)\n"
    "  --root ROOT          massive: the option root to keep (SPY, SPXW, ...)\n"
    "  --candidates bucket|all  the seed's bucketing (default) or every option of the right\n"
    "  --no-rf              leverage-adjusted return R/w without the risk-free part (the seed's code)\n"
    "  --keep-zero-bid      keep quotes with a zero bid (the seed drops them)\n"
    "  --min-days N --max-days N   days to expiry kept (default 7, 180)\n"
    "  --min-iv X --max-iv X       implied vol kept (default 0.05, 1.00)\n"
    "  --div-yield Q        dividend yield in the BSM elasticity (default 0, as the seed)\n";

double number(const char* flag, const char* text) {
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (end == text || *end != '\0') throw cjs::Error(std::string(flag) + " is not a number: '" + text + "'");
  return v;
}

int whole(const char* flag, const char* text) {
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || v < 0 || v > 100000) throw cjs::Error(std::string(flag) + " is not a day count: '" + text + "'");
  return static_cast<int>(v);
}

// A directory stands for its *.csv files in name order; for LEAN only the YYYYMMDD.csv ones (a
// folder may hold the underlying's closes beside them).
// "YYYY-MM-DD=CLOSE" of --underlying-close.
std::pair<std::int32_t, double> date_close(const char* text) {
  const std::string_view t = text;
  const std::size_t eq = t.find('=');
  if (eq == std::string_view::npos) {
    throw cjs::Error(std::string("--underlying-close is YYYY-MM-DD=CLOSE, not '") + text + "'");
  }
  const std::int32_t d = cjs::parse_date(std::string(t.substr(0, eq)), "--underlying-close date");
  const std::string close(t.substr(eq + 1));
  const double c = number("--underlying-close", close.c_str());
  if (!(c > 0.0)) throw cjs::Error(std::string("--underlying-close must be positive: '") + text + "'");
  return {d, c};
}

std::vector<std::string> expand(const std::vector<std::string>& inputs, bool dated_only) {
  std::vector<std::string> out;
  for (const std::string& in : inputs) {
    if (fs::is_directory(in)) {
      std::vector<std::string> files;
      for (const auto& e : fs::directory_iterator(in)) {
        if (!e.is_regular_file() || e.path().extension() != ".csv") continue;
        const std::string stem = e.path().stem().string();
        if (dated_only && (stem.size() != 8 || stem.find_first_not_of("0123456789") != std::string::npos)) continue;
        files.push_back(e.path().string());
      }
      std::sort(files.begin(), files.end());
      if (files.empty()) throw cjs::Error(in + ": a directory with no *.csv files");
      out.insert(out.end(), files.begin(), files.end());
    } else {
      out.push_back(in);
    }
  }
  return out;
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream o(p, std::ios::binary | std::ios::trunc);
  o << text;
  o.close();
  if (!o) throw cjs::Error(p.string() + ": cannot write");
}

std::string shortest(double v) {
  char buf[32];
  const auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, p) : std::string("?");
}

// --write-panel: the panel as read, in the optionmetrics CSV, with '#' lines naming where it came
// from and every input the flags gave (file names only, so the bytes do not depend on the folder).
int write_panel_file(const std::string& path, const std::string& format, const std::vector<std::string>& files,
                     const std::vector<cjs::Quote>& panel, const cjs::ExtraInputs& extra, const std::string& underlying,
                     const std::vector<std::pair<std::int32_t, double>>& given_closes) {
  if (panel.empty()) throw cjs::Error("no option rows in the " + format + " files given: nothing to write");
  std::vector<std::string> comments;
  comments.push_back("odte cjs panel (optionmetrics CSV, docs/cjs.md), written by odte cjs --write-panel");
  std::string names;
  for (const std::string& f : files) names += (names.empty() ? "" : " ") + fs::path(f).filename().string();
  comments.push_back("source (" + format + "): " + names + "; " + std::to_string(panel.size()) + " option rows");
  if (extra.have_rate && format != "optionmetrics") {
    comments.push_back("rate " + shortest(extra.rate) + " given by --rate (the source carries none)");
  }
  if (!underlying.empty()) {
    comments.push_back("underlying closes from --underlying " + fs::path(underlying).filename().string());
  }
  if (!given_closes.empty()) {
    std::string closes;
    for (const auto& [d, c] : given_closes) {
      closes += (closes.empty() ? "" : " ") + cjs::format_date(d) + "=" + shortest(c);
    }
    comments.push_back("underlying closes given by --underlying-close (not in the source): " + closes);
  }
  write(path, cjs::panel_csv(panel, comments));
  std::printf("odte cjs: wrote %s: %zu option rows from %zu %s files\n", path.c_str(), panel.size(), files.size(),
              format.c_str());
  return 0;
}

}  // namespace

int run_cjs(int argc, char** argv) {
  std::string format;
  std::string out = "cjs";
  std::string underlying;
  std::string write_panel;
  std::vector<std::pair<std::int32_t, double>> given_closes;
  std::vector<std::string> inputs;
  cjs::Params params;
  cjs::ExtraInputs extra;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string_view a = argv[i];
      if (a == "--help" || a == "-h") {
        std::fputs(kUsage, stdout);
        return 0;
      }
      const bool takes_value = a == "--format" || a == "--out" || a == "--rate" || a == "--underlying" ||
                               a == "--root" || a == "--candidates" || a == "--min-days" || a == "--max-days" ||
                               a == "--min-iv" || a == "--max-iv" || a == "--div-yield" ||
                               a == "--write-panel" || a == "--underlying-close";
      if (takes_value && i + 1 >= argc) {
        std::fprintf(stderr, "odte cjs: %s needs a value\n", argv[i]);
        return 2;
      }
      if (a == "--format") {
        format = argv[++i];
      } else if (a == "--out") {
        out = argv[++i];
      } else if (a == "--rate") {
        extra.rate = number("--rate", argv[++i]);
        extra.have_rate = true;
      } else if (a == "--underlying") {
        underlying = argv[++i];
      } else if (a == "--write-panel") {
        write_panel = argv[++i];
      } else if (a == "--underlying-close") {
        given_closes.push_back(date_close(argv[++i]));
      } else if (a == "--root") {
        extra.root = argv[++i];
      } else if (a == "--candidates") {
        const std::string_view v = argv[++i];
        if (v == "bucket") {
          params.candidates = cjs::Candidates::kBucket;
        } else if (v == "all") {
          params.candidates = cjs::Candidates::kAll;
        } else {
          std::fprintf(stderr, "odte cjs: --candidates is bucket or all, not '%s'\n", argv[i]);
          return 2;
        }
      } else if (a == "--min-days") {
        params.min_days = whole("--min-days", argv[++i]);
      } else if (a == "--max-days") {
        params.max_days = whole("--max-days", argv[++i]);
      } else if (a == "--min-iv") {
        params.min_iv = number("--min-iv", argv[++i]);
      } else if (a == "--max-iv") {
        params.max_iv = number("--max-iv", argv[++i]);
      } else if (a == "--div-yield") {
        params.div_yield = number("--div-yield", argv[++i]);
      } else if (a == "--no-rf") {
        params.rf_part = false;
      } else if (a == "--keep-zero-bid") {
        params.require_bid = false;
      } else if (a.size() > 1 && a[0] == '-') {
        std::fprintf(stderr, "odte cjs: unknown option '%s' (see odte cjs --help)\n", argv[i]);
        return 2;
      } else {
        inputs.emplace_back(a);
      }
    }
  } catch (const cjs::Error& e) {
    std::fprintf(stderr, "odte cjs: %s\n", e.what());
    return 2;
  }
  if (format != "optionmetrics" && format != "lean" && format != "massive") {
    std::fprintf(stderr, "odte cjs: --format optionmetrics|lean|massive is required%s\n",
                 format.empty() ? "" : (" (not '" + format + "')").c_str());
    return 2;
  }
  if (inputs.empty()) {
    std::fputs("odte cjs: no INPUT given (see odte cjs --help)\n", stderr);
    return 2;
  }
  try {
    cjs::validate(params);
    const std::vector<std::string> files = expand(inputs, format == "lean");
    if (!underlying.empty()) extra.underlying = cjs::read_underlying_csv(underlying);
    for (const auto& [d, c] : given_closes) {
      if (!extra.underlying.emplace(d, c).second) {
        throw cjs::Error("--underlying-close: " + cjs::format_date(d) + " is given twice");
      }
    }
    std::vector<cjs::Quote> panel;
    if (format == "optionmetrics") {
      for (const std::string& f : files) {
        std::vector<cjs::Quote> part = cjs::read_optionmetrics_csv(f);
        panel.insert(panel.end(), part.begin(), part.end());
      }
    } else if (format == "lean") {
      panel = cjs::read_lean_universe(files, extra);
    } else {
      panel = cjs::read_massive_day_aggs(files, extra);
    }
    if (!write_panel.empty()) return write_panel_file(write_panel, format, files, panel, extra, underlying, given_closes);
    const cjs::Result r = cjs::compute(std::move(panel), params);
    if (r.dates.empty()) {
      throw cjs::Error("the panel has " + std::to_string(r.counts.rows) +
                       " rows on fewer than two days: a daily return needs two consecutive panel days");
    }
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) throw cjs::Error(out + ": cannot create: " + ec.message());
    std::string source = format + ": ";
    for (std::size_t i = 0; i < inputs.size(); ++i) source += (i ? ", " : "") + fs::path(inputs[i]).filename().string();
    write(fs::path(out) / "daily.csv", cjs::daily_csv(r));
    write(fs::path(out) / "monthly.csv", cjs::monthly_csv(r));
    write(fs::path(out) / "cjs.json", cjs::to_json(r, source));
    write(fs::path(out) / "cjs.html", cjs::to_html(r, source));
    std::size_t formed = 0;
    std::string never;
    for (std::size_t p = 0; p < r.portfolios(); ++p) {
      bool any = false;
      for (std::size_t d = 0; d < r.dates.size(); ++d) any = any || r.daily_n[p * r.dates.size() + d] > 0;
      if (any) {
        ++formed;
      } else {
        never += (never.empty() ? "" : " ") + r.name(p);
      }
    }
    std::printf("odte cjs: %zu rows, %zu daily returns (%s .. %s), %zu options used; %zu of %zu portfolios formed on some day\n",
                r.counts.rows, r.dates.size(), cjs::format_date(r.dates.front()).c_str(),
                cjs::format_date(r.dates.back()).c_str(), r.counts.used, formed, r.portfolios());
    if (!never.empty()) std::printf("odte cjs: no candidate options on any day (no return, not 0): %s\n", never.c_str());
    std::printf("odte cjs: wrote %s/{daily.csv,monthly.csv,cjs.json,cjs.html}\n", out.c_str());
    std::fflush(stdout);
    if (formed == 0) {
      std::fputs("odte cjs: no portfolio could be formed on any day: nothing to measure in this panel\n", stderr);
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "odte cjs: %s\n", e.what());
    return 1;
  }
}

}  // namespace odte::tool
