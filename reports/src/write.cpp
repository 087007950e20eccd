// Report files on disk.

#include <filesystem>
#include <span>

#include "odte/core/base/file_io.hpp"
#include "odte/reports/report.hpp"

namespace odte::reports {

namespace {

namespace fs = std::filesystem;

// Whole or not at all (temp file, fsync, rename): a full disk never leaves a short report file.
std::string write_file(const fs::path& path, const std::string& text) {
  const std::error_code ec = replace_file_whole(path.string(), std::as_bytes(std::span(text.data(), text.size())));
  if (ec) return "cannot write " + path.string() + ": " + ec.message();
  return {};
}

std::string make_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return "cannot create " + dir.string() + ": " + ec.message();
  return {};
}

std::string write_run(const Run& run, const fs::path& dir) {
  if (std::string e = make_dir(dir); !e.empty()) return e;
  const std::pair<const char*, std::string> files[] = {
      {"summary.json", summary_json(run)}, {"trades.csv", trades_csv(run)}, {"legs.csv", legs_csv(run)},
      {"fills.csv", fills_csv(run)},       {"daily.csv", daily_csv(run)},   {"equity.csv", equity_csv(run)},
      {"report.html", report_html(run)},
  };
  for (const auto& [name, text] : files) {
    if (std::string e = write_file(dir / name, text); !e.empty()) return e;
  }
  return {};
}

// A folder name from a run name: letters, digits, '-', '_', '.'.
std::string safe(const std::string& name) {
  std::string out;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    out += ok ? c : '_';
  }
  return out.empty() ? "run" : out;
}

}  // namespace

std::string write_report(const std::vector<std::string>& journals, const std::string& out_dir, const ReportOptions& options) {
  std::string error;
  const std::optional<Run> run = load_run(journals, options, error);
  if (!run) return error;
  return write_run(*run, out_dir);
}

std::string write_comparison(const std::vector<std::vector<std::string>>& runs, const std::string& out_dir,
                             const ReportOptions& options) {
  std::vector<Run> loaded;
  for (const auto& journals : runs) {
    std::string error;
    ReportOptions o = options;
    o.name.clear();
    std::optional<Run> run = load_run(journals, o, error);
    if (!run) return error;
    loaded.push_back(std::move(*run));
  }
  if (std::string e = make_dir(out_dir); !e.empty()) return e;
  for (std::size_t i = 0; i < loaded.size(); ++i) {
    const fs::path dir = fs::path(out_dir) / (std::to_string(i + 1) + "-" + safe(loaded[i].name));
    if (std::string e = write_run(loaded[i], dir); !e.empty()) return e;
  }
  const fs::path dir(out_dir);
  if (std::string e = write_file(dir / "comparison.json", comparison_json(loaded)); !e.empty()) return e;
  if (std::string e = write_file(dir / "comparison.csv", comparison_csv(loaded)); !e.empty()) return e;
  return write_file(dir / "comparison.html", comparison_html(loaded));
}

}  // namespace odte::reports
