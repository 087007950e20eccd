#pragma once

// Recordings: every raw websocket frame with its receive time (Unix ns) and stream id, appended to
// a versioned file with a CRC-32C per record and per block, optionally zstd-compressed per block
// (each block is an independent zstd frame, so a crash loses at most the block being written).
// The byte layout is documented in docs/recording-format.md.
//
// Crash safety: the file header is written to a temporary file, fsynced and linked into place,
// so a file either does not exist or has a whole header. Blocks are appended with one write()
// each; a writer killed mid-write leaves a torn last block that the reader reports and skips.
// Thread contract: a writer or reader is used by one thread at a time.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "odte/core/market/events.hpp"

namespace odte::feeds {

inline constexpr std::uint16_t kRecordingVersion = 1;

enum class Codec : std::uint8_t { kNone = 0, kZstd = 1 };

struct RecordingOptions {
  Codec codec = Codec::kNone;
  int zstd_level = 3;
  // Records are gathered into blocks of about this many raw bytes before one write(). 0 writes a
  // block per record (what a live recorder wants uncompressed: nothing waits in memory).
  std::size_t block_bytes = 0;
};

class RecordingWriter {
 public:
  RecordingWriter() = default;
  ~RecordingWriter();
  RecordingWriter(const RecordingWriter&) = delete;
  RecordingWriter& operator=(const RecordingWriter&) = delete;

  // Creates `path` (refused if it exists) with a whole header. Returns an error text, empty on
  // success.
  [[nodiscard]] std::string create(const std::string& path, RecordingOptions options = {},
                                   TimestampNs created_ns = 0);
  // Appends one frame; written out when the block is full (immediately when block_bytes == 0).
  [[nodiscard]] std::string append(TimestampNs receive_ns, StreamId stream, std::string_view frame);
  // Writes the pending block, if any.
  [[nodiscard]] std::string flush();
  // flush() then fdatasync().
  [[nodiscard]] std::string sync();
  // flush() and close; safe to call twice.
  std::string close();

  [[nodiscard]] std::uint64_t records() const noexcept { return records_; }
  [[nodiscard]] bool is_open() const noexcept { return fd_ >= 0; }

 private:
  std::string write_block();

  int fd_ = -1;
  std::string path_;
  RecordingOptions options_;
  std::vector<std::byte> pending_;     // raw records of the open block
  std::uint32_t pending_records_ = 0;
  std::vector<std::byte> out_;         // block header + stored payload
  void* zstd_ = nullptr;               // ZSTD_CCtx*
  std::uint64_t records_ = 0;
};

// One frame read back. `frame` points into the reader's buffer, valid until the next call, and is
// followed by at least kPadding readable bytes, so FrameParser::parse_padded can run in place.
struct RecordView {
  TimestampNs receive_ns = 0;
  StreamId stream = StreamId::kStocks;
  std::string_view frame;
};

enum class ReadStatus : std::uint8_t {
  kRecord,    // `out` holds the next record
  kEnd,       // clean end of file (possibly after a torn tail: see torn_tail_bytes())
  kError,     // cannot open, not a recording, unsupported version, or corrupt before the end
};

class RecordingReader {
 public:
  RecordingReader() = default;
  ~RecordingReader();
  RecordingReader(const RecordingReader&) = delete;
  RecordingReader& operator=(const RecordingReader&) = delete;

  // Opens and checks the header. Returns an error text, empty on success.
  [[nodiscard]] std::string open(const std::string& path);
  // The next record in file order.
  [[nodiscard]] ReadStatus next(RecordView& out);

  [[nodiscard]] const std::string& error() const noexcept { return error_; }
  // Bytes after the last whole block that were ignored (a writer killed mid-block).
  [[nodiscard]] std::uint64_t torn_tail_bytes() const noexcept { return torn_tail_; }
  // File offset where the torn tail starts (the end of the last whole block); 0 when none.
  [[nodiscard]] std::uint64_t torn_tail_offset() const noexcept { return torn_tail_offset_; }
  [[nodiscard]] Codec codec() const noexcept { return codec_; }
  [[nodiscard]] TimestampNs created_ns() const noexcept { return created_ns_; }
  [[nodiscard]] std::uint64_t records_read() const noexcept { return records_; }

 private:
  ReadStatus load_block();
  ReadStatus fail(std::string text);

  int fd_ = -1;
  std::string path_;
  std::uint64_t file_size_ = 0;
  std::uint64_t offset_ = 0;
  Codec codec_ = Codec::kNone;
  TimestampNs created_ns_ = 0;
  std::vector<std::byte> stored_;
  std::vector<std::byte> block_;       // raw records of the current block (+ kPadding)
  std::size_t block_size_ = 0;
  std::size_t cursor_ = 0;
  std::uint32_t block_records_left_ = 0;
  void* zstd_ = nullptr;               // ZSTD_DCtx*
  std::uint64_t torn_tail_ = 0;
  std::uint64_t torn_tail_offset_ = 0;
  std::uint64_t records_ = 0;
  std::string error_;
};

}  // namespace odte::feeds
