// odte: the offline tool (import, decode, replay-server, report, calc, ...). Dispatches to one
// subcommand per file; see commands.cpp for the list this build carries.

#include <cstdio>
#include <string_view>

#include "commands.hpp"
#include "odte/core/base/version.hpp"

namespace {

void print_usage(std::FILE* out) {
  std::fputs(
      "usage: odte COMMAND [ARGS...]\n"
      "       odte --help | --version\n"
      "\n"
      "The odte offline tool: recordings, replays, reports and options calculations.\n"
      "`odte COMMAND --help` explains each command.\n"
      "\n"
      "commands:\n",
      out);
  const auto cmds = odte::tool::commands();
  if (cmds.empty()) std::fputs("  (none in this build)\n", out);
  for (const auto& c : cmds) {
    std::fprintf(out, "  %-15.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                 static_cast<int>(c.summary.size()), c.summary.data());
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    print_usage(stderr);
    return 2;
  }
  const std::string_view first = argv[1];
  if (first == "--help" || first == "-h" || first == "help") {
    print_usage(stdout);
    return 0;
  }
  if (first == "--version") {
    std::puts(odte::version_line("odte").c_str());
    return 0;
  }
  for (const auto& c : odte::tool::commands()) {
    if (c.name == first) return c.run(argc - 1, argv + 1);
  }
  std::fprintf(stderr, "odte: unknown command '%s' (see odte --help)\n", argv[1]);
  return 2;
}
