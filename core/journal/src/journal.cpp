#include "odte/core/journal/journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/crc.hpp>
#include <cerrno>
#include <fstream>

#include "odte/core/base/file_io.hpp"

namespace odte {

namespace {

constexpr char kMagic[8] = {'O', 'D', 'T', 'E', 'J', 'N', 'L', '\0'};

template <typename T>
void put(std::vector<std::byte>& out, T v) {
  const auto* p = reinterpret_cast<const std::byte*>(&v);
  out.insert(out.end(), p, p + sizeof v);
}

template <typename T>
T get(const std::byte* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

std::uint32_t record_crc(std::uint16_t type, std::uint64_t seq, std::span<const std::byte> payload) {
  std::byte head[10];
  std::memcpy(head, &type, 2);
  std::memcpy(head + 2, &seq, 8);
  return crc32c(payload, crc32c(std::span<const std::byte>(head, sizeof head)));
}

}  // namespace

std::uint32_t crc32c(std::span<const std::byte> data, std::uint32_t seed) noexcept {
  // CRC-32C (Castagnoli), reflected, as used by iSCSI/ext4; `seed` chains a previous result.
  boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> crc(seed ^ 0xFFFFFFFF);
  crc.process_bytes(data.data(), data.size());
  return crc.checksum();
}

const char* to_string(JournalStatus s) noexcept {
  switch (s) {
    case JournalStatus::kOk: return "ok";
    case JournalStatus::kMissing: return "missing";
    case JournalStatus::kIoError: return "io_error";
    case JournalStatus::kBadHeader: return "bad_header";
    case JournalStatus::kCorrupt: return "corrupt";
  }
  return "unknown";
}

JournalScan JournalReader::read(const std::string& path) {
  JournalScan scan;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    scan.status = errno == ENOENT ? JournalStatus::kMissing : JournalStatus::kIoError;
    scan.error = path + ": cannot open: " + std::strerror(errno);
    return scan;
  }
  // A directory opens as a stream too, and its "size" would be taken as a record count to read.
  if (struct stat st{}; ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    scan.status = JournalStatus::kIoError;
    scan.error = path + (S_ISDIR(st.st_mode) ? ": is a directory, not a journal file" : ": is not a regular file");
    return scan;
  }
  in.seekg(0, std::ios::end);
  const std::streamoff end = in.tellg();
  if (end < 0) {
    scan.status = JournalStatus::kIoError;
    scan.error = path + ": cannot read its size";
    return scan;
  }
  const auto size = static_cast<std::size_t>(end);
  in.seekg(0);
  data_.resize(size);
  if (size > 0 && !in.read(reinterpret_cast<char*>(data_.data()), static_cast<std::streamsize>(size))) {
    scan.status = JournalStatus::kIoError;
    scan.error = path + ": read failed";
    return scan;
  }
  if (size < kJournalHeaderSize || std::memcmp(data_.data(), kMagic, sizeof kMagic) != 0 ||
      get<std::uint32_t>(data_.data() + 8) != kJournalVersion ||
      get<std::uint32_t>(data_.data() + 12) != kJournalHeaderSize) {
    scan.status = JournalStatus::kBadHeader;
    scan.error = path + ": not an odte journal of version " + std::to_string(kJournalVersion);
    return scan;
  }
  scan.trading_day = get<std::int32_t>(data_.data() + 16);
  scan.created_ns = get<std::int64_t>(data_.data() + 24);

  std::size_t off = kJournalHeaderSize;
  std::uint64_t expect_seq = 0;
  while (off < size) {
    if (size - off < kJournalRecordHeaderSize) break;  // torn header
    const std::byte* h = data_.data() + off;
    const auto len = get<std::uint32_t>(h);
    const auto type = get<std::uint16_t>(h + 4);
    const auto seq = get<std::uint64_t>(h + 8);
    const auto crc = get<std::uint32_t>(h + 16);
    // After a power loss the file may end in zeros the data never reached: that is a torn tail.
    // Only looked at when a record does not check out, so a healthy journal is read in one pass.
    const auto rest_is_zero = [&] {
      return std::all_of(h, static_cast<const std::byte*>(data_.data() + size), [](std::byte b) { return b == std::byte{0}; });
    };
    if (len > kJournalMaxPayload) {
      if (rest_is_zero()) break;
      scan.status = JournalStatus::kCorrupt;
      scan.error = path + ": record at offset " + std::to_string(off) + " claims " + std::to_string(len) + " bytes";
      return scan;
    }
    if (size - off - kJournalRecordHeaderSize < len) break;  // torn payload
    const std::span<const std::byte> payload(h + kJournalRecordHeaderSize, len);
    if (record_crc(type, seq, payload) != crc) {
      // A bad CRC on the very last record is a torn write whose length landed but whose bytes
      // did not all reach the disk; anywhere else it is corruption.
      if (off + kJournalRecordHeaderSize + len == size || rest_is_zero()) break;
      scan.status = JournalStatus::kCorrupt;
      scan.error = path + ": checksum mismatch in record " + std::to_string(seq) + " at offset " + std::to_string(off);
      return scan;
    }
    if (expect_seq != 0 && seq != expect_seq) {
      scan.status = JournalStatus::kCorrupt;
      scan.error = path + ": record " + std::to_string(seq) + " at offset " + std::to_string(off) + " follows " +
                   std::to_string(expect_seq - 1);
      return scan;
    }
    expect_seq = seq + 1;
    scan.records.push_back(JournalRecord{static_cast<JournalRecordType>(type), seq, off, payload});
    off += kJournalRecordHeaderSize + len;
  }
  scan.valid_bytes = off;
  scan.torn_tail_bytes = size - off;
  return scan;
}

JournalWriter::~JournalWriter() { close(); }

std::error_code JournalWriter::open(const std::string& path, std::int32_t trading_day, std::int64_t now_ns) {
  close();
  JournalReader reader;
  const JournalScan scan = reader.read(path);
  if (scan.status == JournalStatus::kBadHeader || scan.status == JournalStatus::kCorrupt ||
      scan.status == JournalStatus::kIoError) {
    return std::make_error_code(std::errc::illegal_byte_sequence);
  }
  if (scan.status == JournalStatus::kMissing) {
    // A new journal appears whole or not at all (create_file_whole), so a crash during creation
    // never leaves a file the next start would refuse as foreign.
    std::vector<std::byte> header;
    header.insert(header.end(), reinterpret_cast<const std::byte*>(kMagic),
                  reinterpret_cast<const std::byte*>(kMagic) + sizeof kMagic);
    put<std::uint32_t>(header, kJournalVersion);
    put<std::uint32_t>(header, static_cast<std::uint32_t>(kJournalHeaderSize));
    put<std::int32_t>(header, trading_day);
    put<std::uint32_t>(header, 0);
    put<std::int64_t>(header, now_ns);
    if (auto ec = create_file_whole(path, header, 0640)) return ec;
  }
  fd_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd_ < 0) return {errno, std::generic_category()};
  if (scan.status == JournalStatus::kMissing) {
    if (::lseek(fd_, static_cast<off_t>(kJournalHeaderSize), SEEK_SET) < 0) return {errno, std::generic_category()};
    next_seq_ = 1;
    return {};
  }
  // Continue after the last whole record; a torn tail is cut so new records follow valid ones.
  if (scan.torn_tail_bytes > 0) {
    if (::ftruncate(fd_, static_cast<off_t>(scan.valid_bytes)) != 0) return {errno, std::generic_category()};
    truncated_ = scan.torn_tail_bytes;
  }
  if (::lseek(fd_, static_cast<off_t>(scan.valid_bytes), SEEK_SET) < 0) return {errno, std::generic_category()};
  next_seq_ = scan.records.empty() ? 1 : scan.records.back().sequence + 1;
  return {};
}

std::error_code JournalWriter::append(JournalRecordType type, std::span<const std::byte> payload, bool durable) {
  if (auto ec = stage(type, payload)) return ec;
  return write_staged(durable);
}

std::error_code JournalWriter::stage(JournalRecordType type, std::span<const std::byte> payload) {
  if (fd_ < 0) return std::make_error_code(std::errc::bad_file_descriptor);
  if (payload.size() > kJournalMaxPayload) return std::make_error_code(std::errc::message_size);
  if (buf_.empty()) staged_from_ = next_seq_;
  const auto t = static_cast<std::uint16_t>(type);
  put<std::uint32_t>(buf_, static_cast<std::uint32_t>(payload.size()));
  put<std::uint16_t>(buf_, t);
  put<std::uint16_t>(buf_, 0);
  put<std::uint64_t>(buf_, next_seq_);
  put<std::uint32_t>(buf_, record_crc(t, next_seq_, payload));
  put<std::uint32_t>(buf_, 0);
  buf_.insert(buf_.end(), payload.begin(), payload.end());
  ++next_seq_;
  return {};
}

std::error_code JournalWriter::write_staged(bool durable) {
  if (fd_ < 0) return std::make_error_code(std::errc::bad_file_descriptor);
  if (!buf_.empty()) {
    const auto ec = write_all(fd_, buf_);
    buf_.clear();
    if (ec) {
      next_seq_ = staged_from_;
      return ec;
    }
  }
  return durable ? sync() : std::error_code{};
}

std::error_code JournalWriter::sync() {
  if (fd_ < 0) return std::make_error_code(std::errc::bad_file_descriptor);
  if (::fdatasync(fd_) != 0) return {errno, std::generic_category()};
  return {};
}

void JournalWriter::close() {
  if (fd_ >= 0) {
    ::fdatasync(fd_);
    ::close(fd_);
    fd_ = -1;
  }
}

}  // namespace odte
