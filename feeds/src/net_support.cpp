// The Boost-free half of the network layer: JSON scanning, subscriptions and filtering, URLs,
// backoff, API keys, error category.

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "odte/feeds/api_key.hpp"
#include "odte/feeds/json_scan.hpp"
#include "odte/feeds/net.hpp"
#include "odte/feeds/subscription.hpp"
#include "odte/feeds/ws_client.hpp"

namespace odte::feeds {


// ---------------------------------------------------------------------------------------------
// Subscriptions

std::vector<std::string_view> split_params(std::string_view params) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i <= params.size()) {
    std::size_t j = params.find(',', i);
    if (j == std::string_view::npos) j = params.size();
    std::string_view p = params.substr(i, j - i);
    while (!p.empty() && (p.front() == ' ' || p.front() == '\t')) p.remove_prefix(1);
    while (!p.empty() && (p.back() == ' ' || p.back() == '\t')) p.remove_suffix(1);
    if (!p.empty()) out.push_back(p);
    i = j + 1;
  }
  return out;
}

std::size_t SubscriptionSet::add(std::string_view params) {
  std::size_t bad = 0;
  for (const std::string_view p : split_params(params)) {
    const std::size_t dot = p.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == p.size()) {
      ++bad;
      continue;
    }
    if (std::find(entries_.begin(), entries_.end(), p) == entries_.end()) entries_.emplace_back(p);
  }
  return bad;
}

std::size_t SubscriptionSet::remove(std::string_view params) {
  std::size_t n = 0;
  for (const std::string_view p : split_params(params)) {
    const auto it = std::find(entries_.begin(), entries_.end(), p);
    if (it != entries_.end()) {
      entries_.erase(it);
      ++n;
    }
  }
  return n;
}

bool SubscriptionSet::matches(std::string_view channel, std::string_view symbol) const noexcept {
  for (const std::string& e : entries_) {
    const std::string_view v = e;
    const std::size_t dot = v.find('.');
    if (v.substr(0, dot) != channel) continue;
    const std::string_view pat = v.substr(dot + 1);
    if (pat == "*") return true;
    if (pat.back() == '*') {
      if (symbol.substr(0, pat.size() - 1) == pat.substr(0, pat.size() - 1)) return true;
    } else if (pat == symbol) {
      return true;
    }
  }
  return false;
}

std::string SubscriptionSet::joined() const {
  std::string out;
  for (const std::string& e : entries_) {
    if (!out.empty()) out += ',';
    out += e;
  }
  return out;
}

FilterResult filter_frame(std::string_view frame, const SubscriptionSet& subs, std::string& out) {
  std::size_t total = 0;
  std::size_t kept = 0;
  bool bad = false;
  out.clear();
  const bool array_ok = json::for_each_element(frame, [&](std::string_view ev) {
    ++total;
    std::string_view kind;
    if (!json::string_field(ev, "ev", kind)) {
      bad = true;
      return;
    }
    if (kind == "status") return;
    std::string_view sym;
    if (!json::string_field(ev, "sym", sym)) (void)json::string_field(ev, "T", sym);
    if (!subs.matches(kind, sym)) return;
    out += kept == 0 ? '[' : ',';
    out += ev;
    ++kept;
  });
  if (!array_ok || bad) {
    out.clear();
    return FilterResult::kMalformed;
  }
  if (kept == 0) return FilterResult::kNone;
  if (kept == total) {
    out.clear();
    return FilterResult::kWhole;
  }
  out += ']';
  return FilterResult::kPartial;
}

// ---------------------------------------------------------------------------------------------
// URLs, errors, backoff

bool parse_url(std::string_view text, Url& out) noexcept {
  Url u;
  std::string_view rest;
  if (text.starts_with("wss://")) {
    u.tls = true;
    u.port = "443";
    rest = text.substr(6);
  } else if (text.starts_with("https://")) {
    u.tls = true;
    u.port = "443";
    rest = text.substr(8);
  } else if (text.starts_with("ws://")) {
    u.port = "80";
    rest = text.substr(5);
  } else if (text.starts_with("http://")) {
    u.port = "80";
    rest = text.substr(7);
  } else {
    return false;
  }
  const std::size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  u.target = slash == std::string_view::npos ? std::string("/") : std::string(rest.substr(slash));
  const std::size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos) {
    const std::string_view port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
    u.port = std::string(port);
    u.host = std::string(authority.substr(0, colon));
  } else {
    u.host = std::string(authority);
  }
  if (u.host.empty() || u.host.find_first_of("[]@ ") != std::string::npos) return false;
  out = std::move(u);
  return true;
}

bool is_loopback_host(std::string_view host) noexcept {
  // A loopback address written as one: four decimal octets in 127.0.0.0/8 (inet_pton takes no other
  // form). A name -- "localhost" or "127.example.invalid" -- is resolved, and the answer could
  // send the key over plain text to another host.
  char text[INET_ADDRSTRLEN] = {};
  if (host.size() >= sizeof text) return false;
  std::memcpy(text, host.data(), host.size());
  in_addr a{};
  return ::inet_pton(AF_INET, text, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127u;
}

namespace {
class NetCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "odte.feeds.net"; }
  std::string message(int v) const override {
    switch (static_cast<NetErrc>(v)) {
      case NetErrc::kBadUrl: return "bad URL (want ws://, wss://, http:// or https://HOST[:PORT][/PATH])";
      case NetErrc::kInsecureRemote: return "plain ws:// or http:// is allowed to loopback hosts only";
      case NetErrc::kAuthFailed: return "authentication failed: the API key was refused";
      case NetErrc::kAuthTimeout: return "no auth_success within the auth timeout";
      case NetErrc::kProtocol: return "protocol violation";
      case NetErrc::kTooManyReconnects: return "gave up after the configured number of reconnects";
      case NetErrc::kHttpStatus: return "HTTP status not 2xx";
      case NetErrc::kBadBody: return "unexpected response body";
      case NetErrc::kForeignNextUrl: return "next_url points at another host";
      case NetErrc::kTlsVerify: return "the server's TLS certificate failed verification";
      case NetErrc::kTlsSetup: return "TLS set-up failed (system CA store or ca_file)";
    }
    return "unknown network error";
  }
};
}  // namespace

const std::error_category& net_category() noexcept {
  static const NetCategory c;
  return c;
}

double Backoff::uniform() noexcept {
  std::uint64_t z = (rng_ += 0x9E37'79B9'7F4A'7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58'476D'1CE4'E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D0'49BB'1331'11EBULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

std::chrono::milliseconds Backoff::next() noexcept {
  const double cap = static_cast<double>(policy_.max.count());
  double base = static_cast<double>(policy_.initial.count()) *
                std::pow(policy_.multiplier, static_cast<double>(attempt_));
  if (!(base < cap)) base = cap;
  if (attempt_ < 64) ++attempt_;
  const double j = std::clamp(policy_.jitter, 0.0, 1.0);
  double d = base * (1.0 - j + 2.0 * j * uniform());
  d = std::clamp(d, 0.0, cap);
  return std::chrono::milliseconds{static_cast<std::int64_t>(d)};
}

StatusCode status_code_of(std::string_view s) noexcept {
  if (s == "connected") return StatusCode::kConnected;
  if (s == "auth_success") return StatusCode::kAuthSuccess;
  if (s == "auth_failed") return StatusCode::kAuthFailed;
  if (s == "auth_timeout") return StatusCode::kAuthTimeout;
  if (s == "max_connections") return StatusCode::kMaxConnections;
  if (s == "success") return StatusCode::kSubscribed;
  if (s == "error") return StatusCode::kError;
  if (s == "disconnected") return StatusCode::kDisconnected;
  return StatusCode::kUnknown;
}

std::string_view to_string(WsState s) noexcept {
  switch (s) {
    case WsState::kIdle: return "idle";
    case WsState::kConnecting: return "connecting";
    case WsState::kAuthenticating: return "authenticating";
    case WsState::kStreaming: return "streaming";
    case WsState::kBackoff: return "backoff";
    case WsState::kStopped: return "stopped";
    case WsState::kFailed: return "failed";
  }
  return "unknown";
}

// ---------------------------------------------------------------------------------------------
// API keys

namespace {
ApiKeyResult key_error(std::string msg) { return ApiKeyResult{{}, std::move(msg)}; }
}  // namespace

ApiKeyResult load_api_key_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return key_error(path + ": cannot open the API key file: " + std::strerror(errno));
  std::string text(4097, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > 4096) return key_error(path + ": the API key file is larger than 4 KiB");
  std::size_t b = 0;
  std::size_t e = text.size();
  auto space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  while (b < e && space(text[b])) ++b;
  while (e > b && space(text[e - 1])) --e;
  if (b == e) return key_error(path + ": the API key file is empty");
  for (std::size_t i = b; i < e; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c <= 0x20 || c == 0x7F || c == '"' || c == '\\') {
      return key_error(path + ": the API key file holds more than one token or a control character");
    }
  }
  return ApiKeyResult{text.substr(b, e - b), {}};
}

ApiKeyResult load_api_key_credential(std::string_view name) {
  const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
  if (dir == nullptr || *dir == '\0') {
    return key_error("credential '" + std::string(name) +
                     "': CREDENTIALS_DIRECTORY is not set (LoadCredential= missing from the unit?)");
  }
  if (name.empty() || name.find('/') != std::string_view::npos) {
    return key_error("credential '" + std::string(name) + "': not a plain credential name");
  }
  return load_api_key_file(std::string(dir) + "/" + std::string(name));
}

ApiKeyResult load_api_key(std::string_view setting) {
  if (setting.empty()) return load_api_key_credential(kDefaultApiKeyCredential);
  const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
  const bool bare = setting.find('/') == std::string_view::npos;
  if (bare && dir != nullptr && *dir != '\0') return load_api_key_credential(setting);
  ApiKeyResult r = load_api_key_file(std::string(setting));
  if (!r.ok() && bare) {
    r.error += " (a bare name is a systemd credential when $CREDENTIALS_DIRECTORY is set -- LoadCredential= in the "
               "unit; it is not set here, so the working directory was searched)";
  }
  return r;
}

std::string redact(std::string_view text, std::string_view secret) {
  if (secret.empty()) return std::string(text);
  std::string out;
  std::size_t i = 0;
  while (true) {
    const std::size_t j = text.find(secret, i);
    if (j == std::string_view::npos) break;
    out.append(text.substr(i, j - i));
    out += "***";
    i = j + secret.size();
  }
  out.append(text.substr(i));
  return out;
}

}  // namespace odte::feeds
