#pragma once

// Strategies plug in by name from the config ([[strategy]] name = "regime", [strategy.params]).
// make_strategy validates the params (unknown keys, types and ranges are reported with the key,
// like the config file) and builds the strategy; adding a strategy means one entry in the table
// in factory.cpp and touches nothing else.

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "odte/core/engine/strategy.hpp"

namespace odte {
class SettingsReader;
}

namespace odte::strategies {

class StrategyConfigError : public std::runtime_error {
 public:
  explicit StrategyConfigError(std::vector<std::string> problems);
  [[nodiscard]] const std::vector<std::string>& problems() const noexcept { return problems_; }

 private:
  std::vector<std::string> problems_;
};

// `index` is the strategy's position in the config: the id its intents carry.
[[nodiscard]] std::unique_ptr<Strategy> make_strategy(std::string_view name, std::string_view params_toml,
                                                      std::uint16_t index, const std::string& source);
[[nodiscard]] std::vector<std::string_view> strategy_names();

// Reads a time exit (`key` = "HH:MM", "close-Nm" or "none"; ExitTime in risk.hpp) into `out`,
// reporting a malformed value or a time at or after the regular 16:00 close -- nothing could be
// closed then -- as a problem naming the key. Leaves `out` alone when the key is absent.
void read_exit_time(SettingsReader& r, std::string_view key, ExitTime& out);

}  // namespace odte::strategies
