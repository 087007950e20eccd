#pragma once

// Crash-safe file creation and whole writes, shared by the write-ahead journal and the feed
// recorder. Cold paths only: these make system calls.

#include <cstddef>
#include <span>
#include <string>
#include <system_error>

namespace odte {

// write(2) until every byte is written; EINTR is retried. The error carries errno.
[[nodiscard]] std::error_code write_all(int fd, std::span<const std::byte> data) noexcept;

// Creates `path` holding exactly `contents`, whole or not at all: the bytes are written and
// fsync'ed in an unnamed file in the same directory (O_TMPFILE), which is linked into place (an
// existing `path` is never replaced: std::errc::file_exists), and the directory is fsync'ed. A
// crash or kill at any moment leaves no file at `path` or a complete one -- never a header-less
// journal or recording -- and no temporary file. Where the file system has no O_TMPFILE, a named
// temporary `path.tmp.PID` is used instead and removed; only a kill between its creation and its
// removal leaves it.
[[nodiscard]] std::error_code create_file_whole(const std::string& path, std::span<const std::byte> contents,
                                                unsigned mode);

// Writes `contents` to `path`, replacing what was there, whole or not at all: the bytes go into a
// temporary file in the same directory (`path.tmp.PID`), which is fsync'ed and renamed over `path`,
// then the directory is fsync'ed. A full disk, a read-only folder or a crash leaves the old file
// (or none), never a short one. The error carries errno; the temporary file is removed on failure.
[[nodiscard]] std::error_code replace_file_whole(const std::string& path, std::span<const std::byte> contents,
                                                 unsigned mode = 0644);

}  // namespace odte
