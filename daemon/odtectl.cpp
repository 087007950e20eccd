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
    "       odtectl COMMAND --help\n"
    "       odtectl --help | --version\n"
    "\n"
    "Talks to a running odted over its admin Unix socket (one JSON line per request and reply).\n"
    "Prints tables for people by default; exits 0 when the daemon says ok, 1 otherwise.\n"
    "\n"
    "commands: status, positions, orders, pnl, risk, strategies, pause, resume, flatten, kill,\n"
    "          unkill, metrics\n"
    "\n"
    "options:\n"
    "  --socket PATH   admin socket (default /run/odte/admin.sock, or $ODTE_ADMIN_SOCKET);\n"
    "                  --socket=PATH and --timeout=MS work too\n"
    "  --json          print the daemon's JSON reply line unchanged (for scripts)\n"
    "  --timeout MS    give up after MS milliseconds (default 5000)\n"
    "  --help          print this help and exit\n"
    "  --version       print the version and exit\n";

struct CommandHelp {
  const char* name;
  const char* text;
};
constexpr CommandHelp kCommandHelp[] = {
    {"status", "odtectl status\n\nCore state, mode, kill switch and pause, equity, day P&L, live orders, counters.\n"},
    {"positions",
     "odtectl positions\n\nPer strategy and in total: the legs (symbol, quantity, mark, implied vol, P&L, fees),\n"
     "the day's P&L, the worst loss of the open positions held to expiry (max_loss; max_loss_bounded\n"
     "no when net short calls or stock make it unbounded: then at a 20% move), and the greeks in\n"
     "dollars from the chain's implied vols: delta (underlying exposure), gamma (delta change per 1%\n"
     "move), theta (per calendar day), vega (per vol point). Today's expiries and stock; \"partial\"\n"
     "when an option had no implied vol. as_of_et is the snapshot's New York time.\n"},
    {"orders", "odtectl orders\n\nLive orders first, then the most recent finished ones.\n"},
    {"pnl", "odtectl pnl\n\nDay P&L in all and per strategy.\n"},
    {"risk", "odtectl risk [show | set KEY VALUE]\n\nThe limits in force; `set` changes one [risk] key as the config would.\n"},
    {"strategies", "odtectl strategies [list | enable NAME | disable NAME]\n"},
    {"pause", "odtectl pause\n\nNo opening orders until resume; exits and closing orders go on.\n"},
    {"resume", "odtectl resume\n"},
    {"flatten", "odtectl flatten\n\nCancels working orders and closes every position at marketable limits.\n"},
    {"kill", "odtectl kill [flatten]\n\nKill switch on (sticky): no opening orders; with flatten, also closes everything.\n"},
    {"unkill", "odtectl unkill\n"},
    {"metrics", "odtectl metrics\n\nFeeds, journal, engine and admin counters (the metrics endpoint's figures).\n"},
};

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
    std::string_view arg = argv[i];
    std::string inline_value;  // --opt=value
    bool has_inline = false;
    if (words.empty() && arg.starts_with("--") && arg.find('=') != std::string_view::npos) {
      inline_value = std::string(arg.substr(arg.find('=') + 1));
      arg = arg.substr(0, arg.find('='));
      has_inline = true;
    }
    if (!words.empty()) {
      if (words.size() == 1 && (arg == "--help" || arg == "-h")) {
        for (const CommandHelp& h : kCommandHelp) {
          if (words[0] == h.name) {
            std::fputs(h.text, stdout);
            return 0;
          }
        }
        std::fprintf(stderr, "odtectl: unknown command '%s' (see --help)\n", words[0].c_str());
        return 2;
      }
      words.emplace_back(arg);
    } else if (has_inline && arg != "--socket" && arg != "--timeout") {
      std::fprintf(stderr, "odtectl: option '%s' takes no value (see --help)\n", argv[i]);
      return 2;
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--version") {
      std::puts(odte::version_line("odtectl").c_str());
      return 0;
    } else if (arg == "--json") {
      json_out = true;
    } else if (arg == "--socket" || arg == "--timeout") {
      if (!has_inline && i + 1 >= argc) {
        std::fprintf(stderr, "odtectl: %.*s needs a value\n", static_cast<int>(arg.size()), arg.data());
        return 2;
      }
      const std::string value = has_inline ? inline_value : std::string(argv[++i]);
      if (arg == "--socket") {
        socket_path = value;
      } else {
        char* end = nullptr;
        timeout_ms = std::strtol(value.c_str(), &end, 10);
        if (value.empty() || end == nullptr || *end != '\0' || timeout_ms <= 0) {
          std::fprintf(stderr, "odtectl: --timeout wants a positive number of milliseconds, got '%s'\n",
                       value.c_str());
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
