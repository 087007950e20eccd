#pragma once

// The Massive API key comes from a file (mode 0600, owned by the service user) or from a systemd
// credential ($CREDENTIALS_DIRECTORY/NAME, LoadCredential= in the unit). It is never logged: error
// messages name the file, never its contents, and the network clients redact it from every log line.

#include <string>
#include <string_view>

namespace odte::feeds {

struct ApiKeyResult {
  std::string key;    // empty on failure
  std::string error;  // empty on success; names the path, never the contents
  [[nodiscard]] bool ok() const noexcept { return error.empty(); }
};

// Reads the whole file; surrounding whitespace (a trailing newline) is removed. An empty key, a
// key with whitespace or control characters inside, or one longer than 4 KiB is refused.
[[nodiscard]] ApiKeyResult load_api_key_file(const std::string& path);
// Reads $CREDENTIALS_DIRECTORY/name; a clear error when the variable is unset.
[[nodiscard]] ApiKeyResult load_api_key_credential(std::string_view name);

// The credential the shipped unit loads (LoadCredential=massive_key:/etc/odte/massive_key).
inline constexpr std::string_view kDefaultApiKeyCredential = "massive_key";

// The key `feed.api_key_file` names: empty -> the credential kDefaultApiKeyCredential; a bare name
// (no '/') while systemd has set $CREDENTIALS_DIRECTORY -> the credential of that name; anything
// else -> a file (a bare name outside systemd: the file of that name in the working directory,
// and a missing one says where else it was looked for).
[[nodiscard]] ApiKeyResult load_api_key(std::string_view setting);

// Replaces every occurrence of `secret` in `text` by "***" (no-op when secret is empty).
[[nodiscard]] std::string redact(std::string_view text, std::string_view secret);

}  // namespace odte::feeds
