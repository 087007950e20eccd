#include "odte/daemon/render.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

namespace odte::admin {

// ordered: columns and keys print in the daemon's order, the same every time.
using json = nlohmann::ordered_json;

namespace {

std::string scalar(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_null()) return "-";
  return v.dump();
}

// Flattens nested objects into dotted keys: {"pnl":{"net":1}} -> pnl.net = 1.
void flatten(const json& obj, const std::string& prefix, std::vector<std::pair<std::string, std::string>>& out) {
  for (const auto& [k, v] : obj.items()) {
    const std::string key = prefix.empty() ? k : prefix + "." + k;
    if (v.is_object()) {
      flatten(v, key, out);
    } else if (v.is_array() && !v.empty() && v.front().is_object()) {
      out.emplace_back(key, std::to_string(v.size()) + " rows");
    } else {
      out.emplace_back(key, v.is_array() ? v.dump() : scalar(v));
    }
  }
}

std::string key_values(const json& obj) {
  std::vector<std::pair<std::string, std::string>> rows;
  flatten(obj, "", rows);
  std::size_t width = 0;
  for (const auto& r : rows) width = std::max(width, r.first.size());
  std::string out;
  for (const auto& [k, v] : rows) {
    out += k;
    out.append(width - k.size() + 2, ' ');
    out += v;
    out += '\n';
  }
  return out;
}

std::string table(const json& rows) {
  if (rows.empty()) return "(none)\n";
  std::vector<std::string> cols;
  for (const auto& [k, v] : rows.front().items()) {
    (void)v;
    cols.push_back(k);
  }
  std::vector<std::vector<std::string>> cells;
  std::vector<std::size_t> width;
  for (const auto& c : cols) width.push_back(c.size());
  for (const auto& r : rows) {
    std::vector<std::string> line;
    for (std::size_t i = 0; i < cols.size(); ++i) {
      const auto it = r.find(cols[i]);
      line.push_back(it == r.end() ? "" : it->is_object() ? it->dump() : scalar(*it));
      width[i] = std::max(width[i], line.back().size());
    }
    cells.push_back(std::move(line));
  }
  std::string out;
  auto emit = [&](const std::vector<std::string>& line) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      out += line[i];
      if (i + 1 < line.size()) out.append(width[i] - line[i].size() + 2, ' ');
    }
    out += '\n';
  };
  std::vector<std::string> header;
  for (const auto& c : cols) {
    std::string h = c;
    std::transform(h.begin(), h.end(), h.begin(), [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    header.push_back(h);
  }
  emit(header);
  for (const auto& line : cells) emit(line);
  return out;
}

}  // namespace

std::string render_human(std::string_view reply_line, bool& ok) {
  const json reply = json::parse(reply_line, nullptr, false);
  if (reply.is_discarded() || !reply.is_object()) {
    ok = false;
    return std::string(reply_line) + "\n";
  }
  ok = reply.value("ok", false);
  if (!ok) return "error: " + reply.value("error", std::string("(no message)")) + "\n";
  const json result = reply.value("result", json::object());
  if (result.is_array()) return table(result);
  if (result.is_object()) {
    std::string out = key_values(result);
    // Lists inside an object (pnl per strategy, metrics per feed) get their own table.
    for (const auto& [k, v] : result.items()) {
      if (v.is_array() && !v.empty() && v.front().is_object()) out += "\n" + k + ":\n" + table(v);
    }
    return out;
  }
  return scalar(result) + "\n";
}

}  // namespace odte::admin
