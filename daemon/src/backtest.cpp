#include "odte/daemon/backtest.hpp"

#include <glob.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <toml++/toml.h>

#include "odte/core/market/instrument_registry.hpp"
#include "odte/daemon/recording_events.hpp"

namespace odte::daemon::backtest {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& text) { throw std::runtime_error(text); }

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return {};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A value node as TOML text ("0.05", "\"15:00\"", "[1, 2]").
std::string value_text(const toml::node& n) {
  std::ostringstream s;
  n.visit([&](const auto& v) { s << toml::toml_formatter(v, toml::format_flags::relaxed_float_precision); });
  return s.str();
}

// Leaves of a table as dotted keys ("a.b.c"), in toml++'s (sorted) key order; arrays are leaves.
void flatten(const toml::table& t, const std::string& prefix, std::vector<std::pair<std::string, const toml::node*>>& out) {
  for (const auto& [k, v] : t) {
    const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const toml::table* sub = v.as_table()) {
      flatten(*sub, key, out);
    } else {
      out.emplace_back(key, &v);
    }
  }
}

bool valid_set_name(const std::string& s) {
  if (s.empty() || s.size() > 64 || s == "." || s == "..") return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  });
}

const std::set<std::string>& reserved_keys() {
  static const std::set<std::string> keys{"mode",           "journal",          "output_dir",  "replay.recording",
                                          "replay.transport", "replay.speed",   "admin.socket", "admin.metrics_port",
                                          "log.path"};
  return keys;
}

std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = key.find('.', start);
    parts.push_back(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

void check_key(const std::string& key, const std::string& where) {
  const std::vector<std::string> parts = split_key(key);
  if (std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); })) {
    fail(where + ": \"" + key + "\": not a dotted config key");
  }
  if (reserved_keys().count(key) != 0) {
    fail(where + ": " + key + ": set by odte backtest for each run (it cannot vary between sets)");
  }
  if (parts[0] == "strategy" && parts.size() < 3) {
    fail(where + ": " + key + ": a strategy key is strategy.NAME.KEY (e.g. strategy.iron_condor.params.entry_time)");
  }
}

// Inserts `value` at `parts` under `t`, creating tables on the way.
void set_path(toml::table& t, const std::vector<std::string>& parts, std::size_t from, const toml::node& value,
              const std::string& key) {
  toml::table* at = &t;
  for (std::size_t i = from; i + 1 < parts.size(); ++i) {
    toml::node* next = at->get(parts[i]);
    if (next == nullptr) {
      at->insert(parts[i], toml::table{});
      next = at->get(parts[i]);
    }
    if (!next->is_table()) fail(key + ": " + parts[i] + " is not a table in the config");
    at = next->as_table();
  }
  at->insert_or_assign(parts.back(), value);
}

}  // namespace

std::vector<ParamSet> parse_grid(const std::string& toml_text, const std::string& source_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << source_name << ":" << e.source().begin.line << ": TOML syntax: " << e.description();
    fail(where.str());
  }
  for (const auto& [k, v] : root) {
    if (k.str() != "grid" && k.str() != "set") {
      fail(source_name + ": " + std::string(k.str()) + ": unknown; a grid file has a [grid] table or [[set]] tables");
    }
  }
  const toml::table* grid = root["grid"].as_table();
  const toml::array* sets = root["set"].as_array();
  if (root.contains("grid") && grid == nullptr) fail(source_name + ": grid: must be a table ([grid])");
  if (root.contains("set") && sets == nullptr) fail(source_name + ": set: must be an array of tables ([[set]])");
  if (grid != nullptr && sets != nullptr) fail(source_name + ": give [grid] or [[set]], not both");
  std::vector<ParamSet> out;
  if (grid != nullptr) {
    std::vector<std::pair<std::string, const toml::node*>> leaves;
    flatten(*grid, "", leaves);
    if (leaves.empty()) fail(source_name + ": grid: no keys");
    std::vector<std::pair<std::string, std::vector<std::string>>> axes;
    for (const auto& [key, node] : leaves) {
      check_key(key, source_name + ": grid");
      const toml::array* values = node->as_array();
      if (values == nullptr || values->empty()) {
        fail(source_name + ": grid." + key + ": must be a non-empty array of the values to try");
      }
      std::vector<std::string> texts;
      for (const toml::node& v : *values) {
        std::string text = value_text(v);
        if (std::find(texts.begin(), texts.end(), text) != texts.end()) {
          fail(source_name + ": grid." + key + ": " + text + " is listed twice");
        }
        texts.push_back(std::move(text));
      }
      axes.emplace_back(key, std::move(texts));
    }
    std::size_t total = 1;
    for (const auto& a : axes) {
      total *= a.second.size();
      if (total > 100000) fail(source_name + ": grid: more than 100000 sets");
    }
    const std::size_t width = std::to_string(total).size() < 2 ? 2 : std::to_string(total).size();
    for (std::size_t n = 0; n < total; ++n) {
      ParamSet s;
      std::string number = std::to_string(n + 1);
      s.name = "set" + std::string(width - number.size(), '0') + number;
      // The last key varies fastest.
      std::size_t rest = n;
      std::vector<std::size_t> pick(axes.size());
      for (std::size_t i = axes.size(); i-- > 0;) {
        pick[i] = rest % axes[i].second.size();
        rest /= axes[i].second.size();
      }
      for (std::size_t i = 0; i < axes.size(); ++i) s.values.emplace_back(axes[i].first, axes[i].second[pick[i]]);
      out.push_back(std::move(s));
    }
    return out;
  }
  if (sets == nullptr || sets->empty()) fail(source_name + ": no [grid] table and no [[set]] tables");
  std::set<std::string> names;
  for (std::size_t i = 0; i < sets->size(); ++i) {
    const toml::table* t = (*sets)[i].as_table();
    const std::string where = source_name + ": set[" + std::to_string(i) + "]";
    if (t == nullptr) fail(where + ": must be a table");
    ParamSet s;
    const std::string number = std::to_string(i + 1);
    s.name = "set" + std::string(number.size() < 2 ? 2 - number.size() : 0, '0') + number;
    std::vector<std::pair<std::string, const toml::node*>> leaves;
    flatten(*t, "", leaves);
    for (const auto& [key, node] : leaves) {
      if (key == "name") {
        const auto name = node->value<std::string>();
        if (!name || !valid_set_name(*name)) {
          fail(where + ".name: must be 1 to 64 letters, digits, '-', '_' or '.' (it names the set's folder)");
        }
        s.name = *name;
        continue;
      }
      check_key(key, where);
      s.values.emplace_back(key, value_text(*node));
    }
    if (!names.insert(s.name).second) fail(where + ".name: \"" + s.name + "\" names two sets");
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<ParamSet> load_grid(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) fail(file.string() + ": cannot read the grid file");
  return parse_grid(read_file(file), file.string());
}

std::string day_text(std::int32_t day) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", day / 10000, day / 100 % 100, day % 100);
  return buf;
}

std::vector<Day> find_days(const std::vector<std::string>& inputs) {
  std::vector<std::string> files;
  for (const std::string& in : inputs) {
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      std::vector<std::string> found;
      for (const auto& e : fs::directory_iterator(in, ec)) {
        if (e.is_regular_file() && e.path().extension() == ".odr") found.push_back(e.path().string());
      }
      if (ec) fail(in + ": " + ec.message());
      if (found.empty()) fail(in + ": no recording (*.odr) in this folder");
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (in.find_first_of("*?[") != std::string::npos) {
      glob_t g{};
      const int rc = ::glob(in.c_str(), 0, nullptr, &g);
      if (rc != 0) {
        ::globfree(&g);
        fail(in + ": matches no file");
      }
      for (std::size_t i = 0; i < g.gl_pathc; ++i) files.emplace_back(g.gl_pathv[i]);
      ::globfree(&g);
    } else if (fs::is_regular_file(in, ec)) {
      files.push_back(in);
    } else {
      fail(in + ": no such recording, folder or pattern");
    }
  }
  std::vector<Day> days;
  std::map<std::int32_t, std::string> by_day;
  for (const std::string& f : files) {
    InstrumentRegistry registry;
    RecordingEvents events(registry);
    if (std::string err = events.open(f); !err.empty()) fail(f + ": " + err);
    if (std::string err = check_single_trading_day(f, events.trading_day()); !err.empty()) fail(err);
    const auto [it, fresh] = by_day.emplace(events.trading_day(), f);
    if (!fresh) fail(f + " and " + it->second + " are both " + day_text(events.trading_day()) + ": one recording per day");
    days.push_back(Day{f, events.trading_day()});
  }
  std::sort(days.begin(), days.end(), [](const Day& a, const Day& b) { return a.day < b.day; });
  return days;
}

std::string run_config(const std::string& base_toml, const std::string& base_name, const ParamSet& set, const Run& run,
                       const std::string& admin_socket) {
  toml::table root;
  try {
    root = toml::parse(base_toml, base_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << base_name << ":" << e.source().begin.line << ": TOML syntax: " << e.description();
    fail(where.str());
  }
  for (const auto& [key, text] : set.values) {
    const std::vector<std::string> parts = split_key(key);
    toml::table parsed = toml::parse("v = " + text);
    const toml::node& value = *parsed.get("v");
    if (parts[0] != "strategy") {
      set_path(root, parts, 0, value, key);
      continue;
    }
    toml::array* strategies = root["strategy"].as_array();
    if (strategies == nullptr) fail("set " + set.name + ": " + key + ": the config has no [[strategy]]");
    // NAME (names are unique in a config) or a position from 0.
    const std::string& name = parts[1];
    toml::table* target = nullptr;
    const bool by_index = std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
    for (std::size_t i = 0; i < strategies->size() && target == nullptr; ++i) {
      toml::table* t = (*strategies)[i].as_table();
      if (t == nullptr) continue;
      if (by_index ? name.size() < 6 && i == static_cast<std::size_t>(std::stoul(name))
                   : (*t)["name"].value_or(std::string{}) == name) {
        target = t;
      }
    }
    if (target == nullptr) {
      fail("set " + set.name + ": " + key + ": the config has no [[strategy]] " + parts[1]);
    }
    set_path(*target, parts, 2, value, key);
  }
  root.insert_or_assign("mode", "replay");
  root.insert_or_assign("journal", run.dir + "/journal.odj");
  root.insert_or_assign("output_dir", run.dir);
  const toml::table run_keys_replay{{"recording", run.recording}, {"transport", "in-process"}, {"speed", 0}};
  const toml::table run_keys_admin{{"socket", admin_socket}, {"metrics_port", 0}};
  const toml::table run_keys_log{{"path", run.dir + "/odted.log"}};
  for (const auto& [section, keys] : {std::pair{"replay", &run_keys_replay}, std::pair{"admin", &run_keys_admin},
                                      std::pair{"log", &run_keys_log}}) {
    for (const auto& [k, v] : *keys) set_path(root, {section, std::string(k.str())}, 0, v, section);
  }
  std::ostringstream out;
  out << "# odte backtest: set " << set.name << ", day " << day_text(run.day) << ", from " << base_name << "\n";
  for (const auto& [key, text] : set.values) out << "#   " << key << " = " << text << "\n";
  // Floats in their shortest form (0.65, not 0.65000000000000002): the same doubles, readable.
  out << toml::toml_formatter(root, toml::toml_formatter::default_flags | toml::format_flags::relaxed_float_precision)
      << "\n";
  return out.str();
}

std::string run_list_text(const std::vector<Run>& runs) {
  std::string out;
  for (const Run& r : runs) {
    out += r.set + "\t" + std::to_string(r.day) + "\t" + r.recording + "\t" + r.dir + "\n";
  }
  return out;
}

std::vector<Run> parse_run_list(const std::string& text) {
  std::vector<Run> out;
  std::istringstream in(text);
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    std::vector<std::string> f;
    std::size_t start = 0;
    for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1) {
      f.push_back(line.substr(start, tab - start));
    }
    f.push_back(line.substr(start));
    if (f.size() != 4) fail("run list line " + std::to_string(n) + ": want set, day, recording, folder");
    out.push_back(Run{f[0], std::atoi(f[1].c_str()), f[2], f[3]});
  }
  return out;
}

bool run_complete(const Run& run, const std::string& config_text) {
  std::error_code ec;
  const fs::path dir(run.dir);
  for (const char* f : {"done.json", "journal.odj", "summary.json", "report/report.html", "report/summary.json"}) {
    if (!fs::is_regular_file(dir / f, ec)) return false;
  }
  return read_file(dir / "config.toml") == config_text;
}

bool parse_shard(const std::string& text, unsigned& index, unsigned& count) {
  const std::size_t slash = text.find('/');
  if (slash == std::string::npos) return false;
  char* end = nullptr;
  const unsigned long i = std::strtoul(text.c_str(), &end, 10);
  if (end != text.c_str() + slash) return false;
  const unsigned long n = std::strtoul(text.c_str() + slash + 1, &end, 10);
  if (*end != '\0' || n == 0 || i == 0 || i > n || n > 1000000) return false;
  index = static_cast<unsigned>(i);
  count = static_cast<unsigned>(n);
  return true;
}

}  // namespace odte::daemon::backtest
