// odte report RUN... [--out DIR]: the run report (JSON, CSV, HTML) from odted journals; several
// runs are also compared side by side. See docs/reports.md.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "commands.hpp"
#include "odte/reports/report.hpp"

namespace odte::tool {

namespace {

constexpr const char* kUsage =
    "usage: odte report RUN... [--out DIR] [--name NAME] [--strategies NAME,NAME...] [--equity DOLLARS]\n"
    "\n"
    "Writes the report of a run from its write-ahead journals: summary.json, trades.csv, legs.csv,\n"
    "fills.csv, daily.csv, equity.csv and report.html (self-contained: open it in any browser).\n"
    "A RUN is one journal file (one trading day) or a directory of journals (*.odj, a multi-day\n"
    "run). With several RUNs, each run's report goes to DIR/<n>-<name>/ and comparison.json,\n"
    "comparison.csv and comparison.html put the same statistics side by side.\n"
    "\n"
    "options:\n"
    "  --out DIR          where to write (default: report)\n"
    "  --name NAME        the run's name in the report (one RUN only; default: the file name)\n"
    "  --strategies LIST  strategy names by index, comma separated (default: strategy 0, 1, ...)\n"
    "  --equity DOLLARS   account equity for returns (default: from the journal, else 100000)\n"
    "Column and statistic definitions: docs/reports.md.\n";

std::vector<std::string> split(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t comma = s.find(',', start);
    const std::size_t end = comma == std::string_view::npos ? s.size() : comma;
    out.emplace_back(s.substr(start, end - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

int run_report(int argc, char** argv) {
  std::vector<std::string> runs;
  std::string out = "report";
  reports::ReportOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    const bool takes_value = a == "--out" || a == "--name" || a == "--strategies" || a == "--equity";
    if (takes_value && i + 1 >= argc) {
      std::fprintf(stderr, "odte report: %s needs a value\n", argv[i]);
      return 2;
    }
    if (a == "--out") {
      out = argv[++i];
    } else if (a == "--name") {
      options.name = argv[++i];
    } else if (a == "--strategies") {
      options.strategy_names = split(argv[++i]);
    } else if (a == "--equity") {
      char* end = nullptr;
      const double v = std::strtod(argv[++i], &end);
      if (end == argv[i] || *end != '\0' || !(v > 0.0)) {
        std::fprintf(stderr, "odte report: --equity wants a positive number of dollars, not '%s'\n", argv[i]);
        return 2;
      }
      options.equity = v;
    } else if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "odte report: unknown option '%s'\n%s", argv[i], kUsage);
      return 2;
    } else {
      runs.emplace_back(a);
    }
  }
  if (runs.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (runs.size() == 1) {
    if (const std::string err = reports::write_report({runs.front()}, out, options); !err.empty()) {
      std::fprintf(stderr, "odte report: %s\n", err.c_str());
      return 1;
    }
    std::printf("odte report: wrote %s/report.html, summary.json, trades.csv, legs.csv, fills.csv, daily.csv, equity.csv\n",
                out.c_str());
    return 0;
  }
  if (!options.name.empty()) {
    std::fputs("odte report: --name names one run; with several runs each is named after its path\n", stderr);
    return 2;
  }
  std::vector<std::vector<std::string>> each;
  for (const std::string& r : runs) each.push_back({r});
  if (const std::string err = reports::write_comparison(each, out, options); !err.empty()) {
    std::fprintf(stderr, "odte report: %s\n", err.c_str());
    return 1;
  }
  std::printf("odte report: wrote %s/comparison.html, comparison.json, comparison.csv and %zu run reports\n", out.c_str(),
              runs.size());
  return 0;
}

}  // namespace odte::tool
