// The recording format as docs/recording-format.md writes it down, checked by a reader written
// from that page alone: its own CRC-32C and its own chaining rule, nothing from the reader under
// test. The shipped recording and freshly written ones must pass it.

#include <gtest/gtest.h>
#include <unistd.h>
#include <zstd.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "odte/feeds/recording.hpp"

namespace odte::feeds {
namespace {

namespace fs = std::filesystem;

// "Checksums": CRC-32C, reflected polynomial 0x82F63B78, one byte at a time.
struct DocCrc {
  std::array<std::uint32_t, 256> table{};
  DocCrc() {
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1u) != 0 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      table[i] = c;
    }
  }
  std::uint32_t run(const std::uint8_t* p, std::size_t n, std::uint32_t reg) const {
    for (std::size_t i = 0; i < n; ++i) reg = table[(reg ^ static_cast<std::uint32_t>(p[i])) & 0xFFu] ^ (reg >> 8);
    return reg ^ 0xFFFFFFFFu;
  }
  std::uint32_t crc32c(const std::uint8_t* p, std::size_t n) const { return run(p, n, 0xFFFFFFFFu); }
  static std::uint32_t bitreverse32(std::uint32_t x) {
    std::uint32_t r = 0;
    for (int i = 0; i < 32; ++i) r |= ((x >> i) & 1u) << (31 - i);
    return r;
  }
  std::uint32_t chained(std::uint32_t h, const std::uint8_t* p, std::size_t n) const {
    return run(p, n, bitreverse32(h ^ 0xFFFFFFFFu));
  }
};

// Little-endian, as the page says.
std::uint32_t u32(const std::uint8_t* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<std::uint32_t>(p[i]);
  return v;
}

struct Walk {
  std::uint64_t blocks = 0;
  std::uint64_t records = 0;
  std::uint64_t blocks_matching_concatenation = 0;  // blocks whose CRC is also header+payload's plain CRC
  std::string error;
};

// Every checksum of the file by the documented rules; stops at the first that fails.
Walk walk(const fs::path& path) {
  const DocCrc crc;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  const std::string bytes = text.str();
  const std::vector<std::uint8_t> d(bytes.begin(), bytes.end());
  Walk w;
  const auto fail = [&w](std::string why) {
    w.error = std::move(why);
    return w;
  };
  if (d.size() < 32 || std::memcmp(d.data(), "ODTEREC\0", 8) != 0) return fail("not a recording");
  if (u32(&d[28]) != crc.crc32c(d.data(), 28)) return fail("header checksum");
  const std::uint8_t codec = d[10];
  std::size_t off = u32(&d[12]);
  while (off < d.size()) {
    if (d.size() - off < 24) return fail("short block header at " + std::to_string(off));
    const std::uint8_t* h = &d[off];
    if (u32(h) != 0x4B4C4252u || h[4] != codec) return fail("bad block header at " + std::to_string(off));
    const std::uint32_t stored = u32(h + 8), raw = u32(h + 12), count = u32(h + 16);
    if (d.size() - off - 24 < stored) return fail("short block at " + std::to_string(off));
    const std::uint8_t* payload = h + 24;
    if (u32(h + 20) != crc.chained(crc.crc32c(h, 20), payload, stored)) {
      return fail("block checksum at " + std::to_string(off));
    }
    std::vector<std::uint8_t> concat(h, h + 20);
    concat.insert(concat.end(), payload, payload + stored);
    if (u32(h + 20) == crc.crc32c(concat.data(), concat.size())) ++w.blocks_matching_concatenation;
    std::vector<std::uint8_t> records(raw);
    if (codec == 1) {
      if (ZSTD_decompress(records.data(), raw, payload, stored) != raw) return fail("zstd");
    } else {
      std::memcpy(records.data(), payload, raw);
    }
    std::size_t at = 0;
    for (std::uint32_t i = 0; i < count; ++i) {
      if (raw - at < 24) return fail("short record header");
      const std::uint8_t* r = &records[at];
      const std::uint32_t n = u32(r + 8);
      if (raw - at - 24 < n) return fail("short record");
      if (u32(r + 16) != crc.chained(crc.crc32c(r, 16), r + 24, n)) {
        return fail("record checksum in the block at " + std::to_string(off));
      }
      at += 24 + n;
      ++w.records;
    }
    if (at != raw) return fail("bytes after the last record");
    off += 24 + stored;
    ++w.blocks;
  }
  return w;
}

TEST(RecordingFormat, shouldMatchTheDocumentedChecksumsInTheShippedRecording) {
  const fs::path path = fs::path(ODTE_REPLAY_DATA_DIR) / "spy-0dte-2026-07-20.odr";
  const Walk w = walk(path);
  ASSERT_EQ(w.error, "");
  EXPECT_GT(w.blocks, 1u);
  // The documented walk sees every record the reader hands out.
  RecordingReader reader;
  ASSERT_EQ(reader.open(path.string()), "");
  RecordView v;
  std::uint64_t read = 0;
  while (reader.next(v) == ReadStatus::kRecord) ++read;
  EXPECT_EQ(reader.error(), "");
  EXPECT_EQ(w.records, read);
  EXPECT_GT(read, 0u);
  // What the page warns about: the chained CRC is not the CRC of the bytes concatenated.
  EXPECT_EQ(w.blocks_matching_concatenation, 0u);
}

class RecordingFormatWrite : public ::testing::TestWithParam<Codec> {};

TEST_P(RecordingFormatWrite, shouldWriteWhatTheDocumentedRulesCheck) {
  const fs::path path = fs::temp_directory_path() /
                        ("odte-format-" + std::to_string(::getpid()) + "-" + std::to_string(static_cast<int>(GetParam())) + ".odr");
  fs::remove(path);
  {
    RecordingWriter writer;
    ASSERT_EQ(writer.create(path.string(), RecordingOptions{GetParam(), 3, GetParam() == Codec::kZstd ? 4096u : 0u}, 1), "");
    for (int i = 0; i < 200; ++i) {
      const std::string frame = R"([{"ev":"T","sym":"SPY","p":561.)" + std::to_string(i) + R"(,"s":1,"t":1755783000000}])";
      ASSERT_EQ(writer.append(1'755'783'000'000'000'000 + i, StreamId::kStocks, frame), "");
    }
    ASSERT_EQ(writer.close(), "");
  }
  const Walk w = walk(path);
  fs::remove(path);
  ASSERT_EQ(w.error, "");
  EXPECT_EQ(w.records, 200u);
}

INSTANTIATE_TEST_SUITE_P(Codecs, RecordingFormatWrite, ::testing::Values(Codec::kNone, Codec::kZstd),
                         [](const auto& p) { return p.param == Codec::kZstd ? std::string("zstd") : std::string("none"); });

}  // namespace
}  // namespace odte::feeds
