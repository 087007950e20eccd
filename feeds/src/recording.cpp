#include "odte/feeds/recording.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <span>

#include "odte/core/base/file_io.hpp"
#include "odte/core/journal/journal.hpp"  // crc32c
#include "odte/feeds/parser.hpp"  // kPadding

namespace odte::feeds {

namespace {

constexpr char kMagic[8] = {'O', 'D', 'T', 'E', 'R', 'E', 'C', '\0'};
constexpr std::size_t kFileHeader = 32;
constexpr std::uint32_t kBlockMagic = 0x4B4C4252;  // "RBLK" little-endian
constexpr std::size_t kBlockHeader = 24;
constexpr std::size_t kRecordHeader = 24;
constexpr std::uint32_t kMaxFrame = 64u << 20;
constexpr std::uint32_t kMaxBlock = 256u << 20;

template <typename T>
void put(std::byte* at, T v) noexcept {
  std::memcpy(at, &v, sizeof v);  // little-endian hosts only (x86-64, aarch64)
}
template <typename T>
T get(const std::byte* at) noexcept {
  T v;
  std::memcpy(&v, at, sizeof v);
  return v;
}

std::uint32_t crc(const std::byte* p, std::size_t n, std::uint32_t seed = 0) noexcept {
  return crc32c(std::span<const std::byte>(p, n), seed);
}

std::string errno_text(const std::string& what, const std::string& path) {
  return path + ": " + what + ": " + std::strerror(errno);
}

bool read_at(int fd, std::byte* data, std::size_t size, std::uint64_t offset) noexcept {
  while (size > 0) {
    const ssize_t n = ::pread(fd, data, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
  return true;
}

}  // namespace

// ---- writer ----

RecordingWriter::~RecordingWriter() {
  (void)close();
  if (zstd_ != nullptr) ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(zstd_));
}

std::string RecordingWriter::create(const std::string& path, RecordingOptions options,
                                    TimestampNs created_ns) {
  if (fd_ >= 0) return path + ": writer already open";
  options_ = options;
  path_ = path;
  std::byte header[kFileHeader] = {};
  std::memcpy(header, kMagic, sizeof kMagic);
  put<std::uint16_t>(header + 8, kRecordingVersion);
  put<std::uint8_t>(header + 10, static_cast<std::uint8_t>(options.codec));
  put<std::uint32_t>(header + 12, static_cast<std::uint32_t>(kFileHeader));
  put<std::int64_t>(header + 16, created_ns);
  put<std::uint32_t>(header + 28, crc(header, 28));

  // A kill at any moment leaves no file or a file with a whole header; an existing recording is
  // never replaced.
  if (const std::error_code ec = create_file_whole(path, header, 0644)) {
    return ec == std::errc::file_exists ? path + ": already exists" : path + ": cannot create: " + ec.message();
  }
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd_ < 0) return errno_text("cannot open", path);
  if (options_.codec == Codec::kZstd && zstd_ == nullptr) zstd_ = ZSTD_createCCtx();
  pending_.reserve(options_.block_bytes + 4096);
  return {};
}

std::string RecordingWriter::append(TimestampNs receive_ns, StreamId stream, std::string_view frame) {
  if (fd_ < 0) return "recording not open";
  if (frame.size() > kMaxFrame) return "frame larger than 64 MiB";
  const std::size_t at = pending_.size();
  pending_.resize(at + kRecordHeader + frame.size());
  std::byte* h = pending_.data() + at;
  std::memset(h, 0, kRecordHeader);
  put<std::int64_t>(h + 0, receive_ns);
  put<std::uint32_t>(h + 8, static_cast<std::uint32_t>(frame.size()));
  put<std::uint8_t>(h + 12, static_cast<std::uint8_t>(stream));
  std::memcpy(h + kRecordHeader, frame.data(), frame.size());
  put<std::uint32_t>(h + 16, crc(h + kRecordHeader, frame.size(), crc(h, 16)));
  ++pending_records_;
  ++records_;
  if (pending_.size() >= options_.block_bytes) return write_block();
  return {};
}

std::string RecordingWriter::write_block() {
  if (pending_records_ == 0) return {};
  const std::byte* payload = pending_.data();
  std::size_t stored = pending_.size();
  if (options_.codec == Codec::kZstd) {
    out_.resize(kBlockHeader + ZSTD_compressBound(pending_.size()));
    const std::size_t n = ZSTD_compressCCtx(static_cast<ZSTD_CCtx*>(zstd_), out_.data() + kBlockHeader,
                                            out_.size() - kBlockHeader, pending_.data(),
                                            pending_.size(), options_.zstd_level);
    if (ZSTD_isError(n)) return path_ + ": zstd: " + ZSTD_getErrorName(n);
    stored = n;
    out_.resize(kBlockHeader + stored);
  } else {
    out_.resize(kBlockHeader + stored);
    std::memcpy(out_.data() + kBlockHeader, payload, stored);
  }
  std::byte* h = out_.data();
  std::memset(h, 0, kBlockHeader);
  put<std::uint32_t>(h + 0, kBlockMagic);
  put<std::uint8_t>(h + 4, static_cast<std::uint8_t>(options_.codec));
  put<std::uint32_t>(h + 8, static_cast<std::uint32_t>(stored));
  put<std::uint32_t>(h + 12, static_cast<std::uint32_t>(pending_.size()));
  put<std::uint32_t>(h + 16, pending_records_);
  put<std::uint32_t>(h + 20, crc(h + kBlockHeader, stored, crc(h, 20)));
  pending_.clear();
  pending_records_ = 0;
  if (const std::error_code ec = write_all(fd_, out_)) return path_ + ": write: " + ec.message();
  return {};
}

std::string RecordingWriter::flush() {
  if (fd_ < 0) return {};
  return write_block();
}

std::string RecordingWriter::sync() {
  std::string e = flush();
  if (e.empty() && fd_ >= 0 && ::fdatasync(fd_) != 0) e = errno_text("fdatasync", path_);
  return e;
}

std::string RecordingWriter::close() {
  if (fd_ < 0) return {};
  std::string e = sync();
  ::close(fd_);
  fd_ = -1;
  return e;
}

// ---- reader ----

RecordingReader::~RecordingReader() {
  if (fd_ >= 0) ::close(fd_);
  if (zstd_ != nullptr) ZSTD_freeDCtx(static_cast<ZSTD_DCtx*>(zstd_));
}

std::string RecordingReader::open(const std::string& path) {
  path_ = path;
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) return error_ = errno_text("cannot open", path);
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return error_ = errno_text("cannot stat", path);
  file_size_ = static_cast<std::uint64_t>(st.st_size);
  std::byte header[kFileHeader];
  if (file_size_ < kFileHeader || !read_at(fd_, header, kFileHeader, 0) ||
      std::memcmp(header, kMagic, sizeof kMagic) != 0) {
    return error_ = path + ": not an odte recording";
  }
  if (get<std::uint32_t>(header + 28) != crc(header, 28)) return error_ = path + ": header checksum mismatch";
  const auto version = get<std::uint16_t>(header + 8);
  if (version != kRecordingVersion) {
    return error_ = path + ": recording version " + std::to_string(version) + " is not supported (want " +
                    std::to_string(kRecordingVersion) + ")";
  }
  const auto codec = get<std::uint8_t>(header + 10);
  if (codec > 1) return error_ = path + ": unknown codec " + std::to_string(codec);
  codec_ = static_cast<Codec>(codec);
  created_ns_ = get<std::int64_t>(header + 16);
  offset_ = get<std::uint32_t>(header + 12);
  if (offset_ < kFileHeader || offset_ > file_size_) return error_ = path + ": bad header size";
  return {};
}

ReadStatus RecordingReader::fail(std::string text) {
  error_ = path_ + ": " + std::move(text);
  return ReadStatus::kError;
}

ReadStatus RecordingReader::load_block() {
  const std::uint64_t left = file_size_ - offset_;
  if (left == 0) return ReadStatus::kEnd;
  std::byte h[kBlockHeader];
  const auto torn = [&] {
    torn_tail_ = left;
    torn_tail_offset_ = offset_;
    offset_ = file_size_;
    return ReadStatus::kEnd;
  };
  if (left < kBlockHeader || !read_at(fd_, h, kBlockHeader, offset_)) return torn();
  const auto magic = get<std::uint32_t>(h + 0);
  const auto codec = get<std::uint8_t>(h + 4);
  const auto stored = get<std::uint32_t>(h + 8);
  const auto raw = get<std::uint32_t>(h + 12);
  const auto count = get<std::uint32_t>(h + 16);
  const auto sum = get<std::uint32_t>(h + 20);
  const bool header_sane = magic == kBlockMagic && codec <= 1 && stored <= kMaxBlock && raw <= kMaxBlock;
  if (header_sane && kBlockHeader + std::uint64_t{stored} > left) return torn();
  if (!header_sane) {
    // Garbage where a block should start: a torn tail only if nothing whole can follow.
    return fail("bad block header at offset " + std::to_string(offset_));
  }
  stored_.resize(stored);
  if (stored > 0 && !read_at(fd_, stored_.data(), stored, offset_ + kBlockHeader)) return torn();
  if (crc(stored_.data(), stored, crc(h, 20)) != sum) {
    // The last block of a killed writer can be short of its bytes only in the page cache of a
    // crashed machine; mid-file damage is corruption and stops the read.
    if (offset_ + kBlockHeader + stored == file_size_) return torn();
    return fail("block checksum mismatch at offset " + std::to_string(offset_));
  }
  block_.resize(std::size_t{raw} + kPadding);
  if (codec == static_cast<std::uint8_t>(Codec::kZstd)) {
    if (zstd_ == nullptr) zstd_ = ZSTD_createDCtx();
    const std::size_t n = ZSTD_decompressDCtx(static_cast<ZSTD_DCtx*>(zstd_), block_.data(), raw,
                                              stored_.data(), stored);
    if (ZSTD_isError(n) || n != raw) return fail("zstd block at offset " + std::to_string(offset_) + " does not decode");
  } else {
    if (stored != raw) return fail("uncompressed block sizes disagree at offset " + std::to_string(offset_));
    if (raw > 0) std::memcpy(block_.data(), stored_.data(), raw);
  }
  std::memset(block_.data() + raw, ' ', kPadding);
  block_size_ = raw;
  cursor_ = 0;
  block_records_left_ = count;
  offset_ += kBlockHeader + stored;
  return ReadStatus::kRecord;
}

ReadStatus RecordingReader::next(RecordView& out) {
  if (fd_ < 0) return fail("not open");
  while (block_records_left_ == 0) {
    if (cursor_ != block_size_) return fail("block has bytes after its last record");
    const ReadStatus s = load_block();
    if (s != ReadStatus::kRecord) return s;
  }
  if (block_size_ - cursor_ < kRecordHeader) return fail("record header runs past its block");
  const std::byte* h = block_.data() + cursor_;
  const auto len = get<std::uint32_t>(h + 8);
  if (len > block_size_ - cursor_ - kRecordHeader) return fail("record runs past its block");
  if (crc(h + kRecordHeader, len, crc(h, 16)) != get<std::uint32_t>(h + 16)) {
    return fail("record checksum mismatch in the block before offset " + std::to_string(offset_));
  }
  const auto stream = get<std::uint8_t>(h + 12);
  if (stream >= kStreamCount) return fail("unknown stream id " + std::to_string(stream));
  out.receive_ns = get<std::int64_t>(h + 0);
  out.stream = static_cast<StreamId>(stream);
  out.frame = std::string_view(reinterpret_cast<const char*>(h + kRecordHeader), len);
  cursor_ += kRecordHeader + len;
  --block_records_left_;
  ++records_;
  return ReadStatus::kRecord;
}

}  // namespace odte::feeds
