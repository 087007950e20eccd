#include "archive.hpp"

#include <zlib.h>

#include <cstring>

namespace odte::feeds::detail {

namespace {

std::uint32_t u32(const std::string& b, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + static_cast<std::size_t>(i)]);
  return v;
}
std::uint16_t u16(const std::string& b, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) |
                                    (static_cast<unsigned char>(b[at + 1]) << 8));
}

}  // namespace

std::string read_zip(const std::string& path, std::vector<ZipEntry>& entries) {
  std::string file;
  {
    std::FILE* in = std::fopen(path.c_str(), "rb");
    if (in == nullptr) return path + ": cannot open";
    char buf[1 << 16];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, in)) > 0) file.append(buf, n);
    std::fclose(in);
  }
  // End of central directory: the last "PK\5\6" within the final 64 KiB + 22 bytes.
  if (file.size() < 22) return path + ": not a zip file";
  std::size_t eocd = std::string::npos;
  const std::size_t lowest = file.size() > 65'557 ? file.size() - 65'557 : 0;
  for (std::size_t i = file.size() - 22 + 1; i-- > lowest;) {
    if (u32(file, i) == 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd == std::string::npos) return path + ": not a zip file (no end of central directory)";
  std::size_t count = u16(file, eocd + 10);
  std::size_t at = u32(file, eocd + 16);
  if ((count == 0xFFFF || at == 0xFFFFFFFFu) && eocd >= 20 && u32(file, eocd - 20) == 0x07064b50) {
    // Zip64 end of central directory, found through its locator just before the classic record.
    const auto u64 = [&](std::size_t pos) {
      return static_cast<std::size_t>(u32(file, pos)) | (static_cast<std::size_t>(u32(file, pos + 4)) << 32);
    };
    const std::size_t z64 = u64(eocd - 20 + 8);
    if (z64 + 56 > file.size() || u32(file, z64) != 0x06064b50) return path + ": bad zip64 end of central directory";
    count = u64(z64 + 32);
    at = u64(z64 + 48);
  }
  for (std::size_t n = 0; n < count; ++n) {
    if (at + 46 > file.size() || u32(file, at) != 0x02014b50) return path + ": bad central directory";
    const std::uint16_t method = u16(file, at + 10);
    std::size_t csize = u32(file, at + 20);
    std::size_t usize = u32(file, at + 24);
    const std::size_t name_len = u16(file, at + 28);
    const std::size_t extra_len = u16(file, at + 30);
    const std::size_t comment_len = u16(file, at + 32);
    std::size_t local = u32(file, at + 42);
    if (at + 46 + name_len + extra_len > file.size()) return path + ": bad central directory";
    // Zip64: sizes/offset of 0xFFFFFFFF are in extra field 0x0001, in that order, when saturated.
    for (std::size_t x = at + 46 + name_len; x + 4 <= at + 46 + name_len + extra_len;) {
      const std::uint16_t id = u16(file, x);
      const std::size_t len = u16(file, x + 2);
      if (id == 0x0001) {
        std::size_t y = x + 4;
        auto u64 = [&](std::size_t pos) {
          return static_cast<std::size_t>(u32(file, pos)) | (static_cast<std::size_t>(u32(file, pos + 4)) << 32);
        };
        if (usize == 0xFFFFFFFFu && y + 8 <= x + 4 + len) usize = u64(y), y += 8;
        if (csize == 0xFFFFFFFFu && y + 8 <= x + 4 + len) csize = u64(y), y += 8;
        if (local == 0xFFFFFFFFu && y + 8 <= x + 4 + len) local = u64(y), y += 8;
      }
      x += 4 + len;
    }
    ZipEntry e;
    e.name = file.substr(at + 46, name_len);
    at += 46 + name_len + extra_len + comment_len;
    if (!e.name.empty() && e.name.back() == '/') continue;  // a folder
    if (local + 30 > file.size() || u32(file, local) != 0x04034b50) return path + ": bad local header for " + e.name;
    const std::size_t data = local + 30 + u16(file, local + 26) + u16(file, local + 28);
    if (data + csize > file.size()) return path + ": truncated entry " + e.name;
    if (method == 0) {
      e.data = file.substr(data, csize);
    } else if (method == 8) {
      e.data.resize(usize);
      z_stream z{};
      if (inflateInit2(&z, -MAX_WBITS) != Z_OK) return path + ": zlib init failed";
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(file.data() + data));
      z.avail_in = static_cast<uInt>(csize);
      z.next_out = reinterpret_cast<Bytef*>(e.data.data());
      z.avail_out = static_cast<uInt>(usize);
      const int rc = inflate(&z, Z_FINISH);
      inflateEnd(&z);
      if (rc != Z_STREAM_END || z.total_out != usize) return path + ": cannot inflate " + e.name;
    } else {
      return path + ": unsupported zip method " + std::to_string(method) + " for " + e.name;
    }
    entries.push_back(std::move(e));
  }
  return {};
}

LineReader::~LineReader() {
  if (gz_ != nullptr) gzclose(static_cast<gzFile>(gz_));
}

std::string LineReader::open(const std::string& path) {
  gz_ = gzopen(path.c_str(), "rb");
  if (gz_ == nullptr) return path + ": cannot open";
  gzbuffer(static_cast<gzFile>(gz_), 1u << 18);
  return {};
}

bool LineReader::next(std::string& line) {
  line.clear();
  char buf[4096];
  while (gzgets(static_cast<gzFile>(gz_), buf, sizeof buf) != nullptr) {
    line += buf;
    if (!line.empty() && line.back() == '\n') {
      line.pop_back();
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return true;
    }
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return !line.empty();
}

}  // namespace odte::feeds::detail
