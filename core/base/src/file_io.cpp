#include "odte/core/base/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace odte {

namespace {
std::error_code last_error() noexcept { return {errno, std::generic_category()}; }

std::string directory_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
}

void sync_parent_dir(const std::string& path) noexcept {
  if (const int dfd = ::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
}
}  // namespace

std::error_code write_all(int fd, std::span<const std::byte> data) noexcept {
  const std::byte* p = data.data();
  std::size_t size = data.size();
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return {};
}

namespace {


// The contents into an unnamed file in `dir` (O_TMPFILE), linked at `path` once whole: a crash or
// kill at any moment leaves nothing behind, not even a temporary name. std::errc::not_supported
// when the file system has no O_TMPFILE (or /proc is not mounted to link it): the caller falls
// back to a named temporary file.
std::error_code create_via_unnamed(const std::string& dir, const std::string& path, std::span<const std::byte> contents,
                                   unsigned mode) {
  const int fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) {
    if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) return std::make_error_code(std::errc::not_supported);
    return last_error();
  }
  std::error_code ec = write_all(fd, contents);
  if (!ec && ::fsync(fd) != 0) ec = last_error();
  if (!ec) {
    const std::string self = "/proc/self/fd/" + std::to_string(fd);
    if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) != 0) {
      const int err = errno;
      const bool no_proc = err == ENOENT && ::access("/proc/self/fd", F_OK) != 0;
      ec = no_proc ? std::make_error_code(std::errc::not_supported) : std::error_code{err, std::generic_category()};
    }
  }
  ::close(fd);
  return ec;
}

}  // namespace

std::error_code create_file_whole(const std::string& path, std::span<const std::byte> contents, unsigned mode) {
  const std::string dir = directory_of(path);
  std::error_code ec = create_via_unnamed(dir, path, contents, mode);
  if (ec == std::errc::not_supported) {
    // A named temporary file beside it, linked into place and removed. Killed between the two, it
    // is left behind (the daemon removes a journal's, instance_lock.hpp).
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, static_cast<mode_t>(mode));
    if (fd < 0) return last_error();
    ec = write_all(fd, contents);
    if (!ec && ::fsync(fd) != 0) ec = last_error();
    ::close(fd);
    if (!ec && ::link(tmp.c_str(), path.c_str()) != 0) ec = last_error();
    ::unlink(tmp.c_str());
  }
  if (ec) return ec;
  // The new directory entry must be durable too.
  sync_parent_dir(path);
  return {};
}

std::error_code replace_file_whole(const std::string& path, std::span<const std::byte> contents, unsigned mode) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) return last_error();
  std::error_code ec = write_all(fd, contents);
  if (!ec && ::fsync(fd) != 0) ec = last_error();  // ENOSPC/EIO of delayed allocation show here
  if (::close(fd) != 0 && !ec) ec = last_error();
  if (!ec && ::rename(tmp.c_str(), path.c_str()) != 0) ec = last_error();
  if (ec) {
    ::unlink(tmp.c_str());
    return ec;
  }
  sync_parent_dir(path);
  return {};
}

}  // namespace odte
