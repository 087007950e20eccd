#include "commands.hpp"

#include <array>

namespace odte::tool {

int run_journal(int argc, char** argv);

std::span<const Command> commands() noexcept {
  // Keep sorted by name; `odte --help` prints them in this order.
  static const std::array kCommands{
      Command{"journal", "print an odted journal as JSON lines", &run_journal},
  };
  return kCommands;
}

}  // namespace odte::tool
