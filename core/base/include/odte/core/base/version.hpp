#pragma once

#include <string>
#include <string_view>

namespace odte {

// "odted 0.1.0 (git 1a2b3c4d5e6f)": the line every executable prints for --version.
[[nodiscard]] std::string version_line(std::string_view program);
// "0.1.0" and the `git describe` of the build ("unknown" outside a git checkout).
[[nodiscard]] std::string_view version_text() noexcept;
[[nodiscard]] std::string_view git_describe_text() noexcept;

}  // namespace odte
