#include "commands.hpp"

#include <array>

namespace odte::tool {

std::span<const Command> commands() noexcept {
  // Keep sorted by name; `odte --help` prints them in this order.
  static const std::array<Command, 0> kCommands{};
  return kCommands;
}

}  // namespace odte::tool
