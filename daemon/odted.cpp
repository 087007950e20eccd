// odted: the trading daemon. This build knows its command line; the run modes (live,
// paper-live, replay) are wired in by the daemon issue, and until then any other request is
// refused with a clear message rather than pretending to run.

#include <cstdio>
#include <cstring>
#include <string_view>

#include "odte/core/version.hpp"
#include "odte/daemon/config.hpp"

namespace {

constexpr const char* kUsage =
    "usage: odted --config FILE\n"
    "       odted --check-config FILE\n"
    "       odted --help | --version\n"
    "\n"
    "The odte trading daemon: ingests the market-data feed, runs the strategy core, the risk\n"
    "engine and the order manager, and serves the admin socket that odtectl talks to.\n"
    "\n"
    "options:\n"
    "  --config FILE   TOML configuration (mode = live | paper-live | replay)\n"
    "  --check-config FILE\n"
    "                  validate FILE, print it with every default filled in, and exit\n"
    "  --help          print this help and exit\n"
    "  --version       print the version and exit\n";

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg == "--version") {
      std::puts(odte::version_line("odted").c_str());
      return 0;
    }
  }
  if (argc == 3 && std::strcmp(argv[1], "--check-config") == 0) {
    try {
      const auto config = odte::daemon::load_config(argv[2]);
      std::fputs(odte::daemon::describe(config).c_str(), stdout);
      return 0;
    } catch (const odte::daemon::ConfigError& e) {
      std::fprintf(stderr, "odted: %s\n", e.what());
      return 2;
    }
  }
  if (argc > 1 && std::strcmp(argv[1], "--config") == 0) {
    std::fputs(
        "odted: this build has no run modes yet (live, paper-live and replay arrive with the "
        "daemon work); nothing was started\n",
        stderr);
    return 2;
  }
  std::fputs(kUsage, stderr);
  return 2;
}
