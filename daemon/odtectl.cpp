// odtectl: operator client for odted's admin socket. Sends one command as a JSON line and prints
// the daemon's reply.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "odte/core/base/version.hpp"
#include "odte/daemon/admin_client.hpp"
#include "odte/daemon/render.hpp"

namespace {

constexpr const char* kUsage =
    "usage: odtectl [--socket PATH] [--json] [--timeout MS] COMMAND [ARGS...]\n"
    "       odtectl --help | --version\n"
    "\n"
    "Talks to a running odted over its admin Unix socket (one JSON line per request and reply).\n"
    "Prints tables for people by default; exits 0 when the daemon says ok, 1 otherwise.\n"
    "\n"
    "commands: status, positions, orders, pnl, risk, strategies, pause, resume, flatten, kill,\n"
    "          unkill, metrics\n"
    "\n"
    "options:\n"
    "  --socket PATH   admin socket (default /run/odte/admin.sock, or $ODTE_ADMIN_SOCKET)\n"
    "  --json          print the daemon's JSON reply line unchanged (for scripts)\n"
    "  --timeout MS    give up after MS milliseconds (default 5000)\n"
    "  --help          print this help and exit\n"
    "  --version       print the version and exit\n";

}  // namespace

int main(int argc, char** argv) {
  std::string socket_path(odte::admin::kDefaultSocketPath);
  if (const char* env = std::getenv("ODTE_ADMIN_SOCKET"); env != nullptr && *env != '\0') {
    socket_path = env;
  }
  long timeout_ms = 5000;
  bool json_out = false;
  std::vector<std::string> words;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (!words.empty()) {
      words.emplace_back(arg);
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--version") {
      std::puts(odte::version_line("odtectl").c_str());
      return 0;
    } else if (arg == "--json") {
      json_out = true;
    } else if (arg == "--socket" || arg == "--timeout") {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "odtectl: %s needs a value\n", argv[i]);
        return 2;
      }
      if (arg == "--socket") {
        socket_path = argv[++i];
      } else {
        char* end = nullptr;
        timeout_ms = std::strtol(argv[++i], &end, 10);
        if (end == nullptr || *end != '\0' || timeout_ms <= 0) {
          std::fprintf(stderr, "odtectl: --timeout wants a positive number of milliseconds, got '%s'\n",
                       argv[i]);
          return 2;
        }
      }
    } else if (arg.starts_with("-")) {
      std::fprintf(stderr, "odtectl: unknown option '%s' (see --help)\n", argv[i]);
      return 2;
    } else {
      words.emplace_back(arg);
    }
  }
  if (words.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }

  const std::vector<std::string> args(words.begin() + 1, words.end());
  const auto reply = odte::admin::exchange(socket_path, odte::admin::encode_request(words[0], args),
                                           std::chrono::milliseconds(timeout_ms));
  if (reply.error) {
    std::fprintf(stderr, "odtectl: %s: %s\n", reply.what.c_str(), reply.error.message().c_str());
    return 1;
  }
  bool ok = false;
  const std::string text = odte::admin::render_human(reply.line, ok);
  if (json_out) {
    std::puts(reply.line.c_str());
    return ok ? 0 : 1;
  }
  std::fputs(text.c_str(), ok ? stdout : stderr);
  return ok ? 0 : 1;
}
