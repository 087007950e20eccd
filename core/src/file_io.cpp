#include "odte/core/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace odte {

namespace {
std::error_code last_error() noexcept { return {errno, std::generic_category()}; }

void sync_parent_dir(const std::string& path) noexcept {
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
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

std::error_code create_file_whole(const std::string& path, std::span<const std::byte> contents, unsigned mode) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) return last_error();
  std::error_code ec = write_all(fd, contents);
  if (!ec && ::fsync(fd) != 0) ec = last_error();
  ::close(fd);
  if (!ec && ::link(tmp.c_str(), path.c_str()) != 0) ec = last_error();
  ::unlink(tmp.c_str());
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
