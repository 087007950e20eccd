#pragma once

// Just enough archive reading for the importers: the entries of a zip file (stored or deflate,
// via zlib) and line-by-line reading of plain or gzip text files (zlib reads both).

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace odte::feeds::detail {

struct ZipEntry {
  std::string name;
  std::string data;
};

// All file entries of the zip at `path`, in central-directory order. Returns an error text,
// empty on success.
[[nodiscard]] std::string read_zip(const std::string& path, std::vector<ZipEntry>& entries);

// Reads text lines from a plain or gzip-compressed file.
class LineReader {
 public:
  LineReader() = default;
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  [[nodiscard]] std::string open(const std::string& path);
  // The next line without its end-of-line; false at the end.
  [[nodiscard]] bool next(std::string& line);

 private:
  void* gz_ = nullptr;  // gzFile
};

}  // namespace odte::feeds::detail
