#pragma once

// The offline tool's subcommands. Each lives in its own cmd_<name>.cpp and is listed once in
// commands.cpp; main() dispatches by name. A command receives argv starting at its own name.

#include <span>
#include <string_view>

namespace odte::tool {

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(int argc, char** argv);
};

[[nodiscard]] std::span<const Command> commands() noexcept;

}  // namespace odte::tool
