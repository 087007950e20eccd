#include "odte/feeds/recording.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>

namespace odte::feeds {
namespace {

namespace fs = std::filesystem;

std::string frame_for(std::uint64_t n) {
  return R"([{"ev":"T","sym":"SPY","p":)" + std::to_string(500 + n % 100) + R"(,"s":)" +
         std::to_string(n) + R"(,"t":1755783000000}])";
}

struct Mode {
  const char* name;
  RecordingOptions options;
};

class RecordingTest : public ::testing::TestWithParam<Mode> {
 protected:
  void SetUp() override {
    path_ = (fs::temp_directory_path() /
             ("odte-rec-" + std::to_string(::getpid()) + "-" + GetParam().name + ".odr")).string();
    fs::remove(path_);
  }
  void TearDown() override { fs::remove(path_); }
  std::string path_;
};

TEST_P(RecordingTest, shouldReadBackEveryFrameWithItsTimeAndStream) {
  {
    RecordingWriter w;
    ASSERT_EQ(w.create(path_, GetParam().options, 42), "");
    for (std::uint64_t n = 0; n < 1000; ++n) {
      ASSERT_EQ(w.append(static_cast<TimestampNs>(n * 1000), static_cast<StreamId>(n % 3), frame_for(n)), "");
    }
    ASSERT_EQ(w.close(), "");
  }
  RecordingReader r;
  ASSERT_EQ(r.open(path_), "");
  EXPECT_EQ(r.created_ns(), 42);
  EXPECT_EQ(r.codec(), GetParam().options.codec);
  RecordView v;
  for (std::uint64_t n = 0; n < 1000; ++n) {
    ASSERT_EQ(r.next(v), ReadStatus::kRecord) << n << " " << r.error();
    EXPECT_EQ(v.receive_ns, static_cast<TimestampNs>(n * 1000));
    EXPECT_EQ(v.stream, static_cast<StreamId>(n % 3));
    EXPECT_EQ(v.frame, frame_for(n));
    EXPECT_EQ(std::string_view(v.frame.data() + v.frame.size(), 1).size(), 1u);  // padded readable
  }
  EXPECT_EQ(r.next(v), ReadStatus::kEnd);
  EXPECT_EQ(r.torn_tail_bytes(), 0u);
}

TEST_P(RecordingTest, shouldRefuseToOverwriteAnExistingRecording) {
  RecordingWriter a;
  ASSERT_EQ(a.create(path_, GetParam().options), "");
  RecordingWriter b;
  EXPECT_NE(b.create(path_, GetParam().options).find("already exists"), std::string::npos);
}

TEST_P(RecordingTest, shouldSkipATornLastBlockAndKeepEverythingBefore) {
  {
    RecordingWriter w;
    ASSERT_EQ(w.create(path_, GetParam().options), "");
    for (std::uint64_t n = 0; n < 50; ++n) ASSERT_EQ(w.append(1, StreamId::kStocks, frame_for(n)), "");
    ASSERT_EQ(w.close(), "");
  }
  const auto full = fs::file_size(path_);
  fs::resize_file(path_, full - 7);
  RecordingReader r;
  ASSERT_EQ(r.open(path_), "");
  RecordView v;
  std::uint64_t n = 0;
  ReadStatus s;
  while ((s = r.next(v)) == ReadStatus::kRecord) {
    EXPECT_EQ(v.frame, frame_for(n));
    ++n;
  }
  EXPECT_EQ(s, ReadStatus::kEnd) << r.error();
  EXPECT_GT(r.torn_tail_bytes(), 0u);
  EXPECT_LT(n, 50u);
  if (GetParam().options.block_bytes == 0) {
    EXPECT_EQ(n, 49u);
  }
}

TEST_P(RecordingTest, shouldStopAtCorruptionInTheMiddle) {
  {
    RecordingWriter w;
    ASSERT_EQ(w.create(path_, GetParam().options), "");
    for (std::uint64_t n = 0; n < 5000; ++n) ASSERT_EQ(w.append(1, StreamId::kStocks, frame_for(n)), "");
    ASSERT_EQ(w.close(), "");
  }
  {
    std::fstream f(path_, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put('\x5a');
  }
  RecordingReader r;
  ASSERT_EQ(r.open(path_), "");
  RecordView v;
  ReadStatus s;
  while ((s = r.next(v)) == ReadStatus::kRecord) {
  }
  EXPECT_EQ(s, ReadStatus::kError);
  EXPECT_NE(r.error().find("checksum"), std::string::npos) << r.error();
}

// A recorder killed with SIGKILL at a random moment leaves a file that reads back, in order, up
// to its last whole record. The child reports its first written record through a pipe before the
// random delay starts, so the kill always lands while it is appending.
TEST_P(RecordingTest, shouldSurviveKillMinusNineOfTheRecorder) {
  std::mt19937 rng(20261125);
  for (int round = 0; round < 4; ++round) {
    fs::remove(path_);
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(ready[0]);
      RecordingWriter w;
      if (!w.create(path_, GetParam().options).empty()) ::_exit(2);
      for (std::uint64_t n = 0;; ++n) {
        if (!w.append(static_cast<TimestampNs>(n), StreamId::kOptions, frame_for(n)).empty()) ::_exit(3);
        if (n == 0) {
          if (!w.flush().empty()) ::_exit(5);
          const char one = '1';
          if (::write(ready[1], &one, 1) != 1) ::_exit(4);
          ::close(ready[1]);
        }
      }
    }
    ::close(ready[1]);
    char got = 0;
    const ssize_t n = ::read(ready[0], &got, 1);
    ::close(ready[0]);
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 20000));
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_EQ(n, 1) << "recorder never reported its first record";
    ASSERT_TRUE(WIFSIGNALED(status)) << "recorder exited early with " << WEXITSTATUS(status);
    RecordingReader r;
    ASSERT_EQ(r.open(path_), "");
    RecordView v;
    std::uint64_t count = 0;
    ReadStatus s;
    while ((s = r.next(v)) == ReadStatus::kRecord) {
      ASSERT_EQ(v.receive_ns, static_cast<TimestampNs>(count));
      ASSERT_EQ(v.frame, frame_for(count));
      ++count;
    }
    ASSERT_EQ(s, ReadStatus::kEnd) << r.error();
    EXPECT_GE(count, 1u);
  }
}

// Killed while creating the file, a recorder leaves no file or one with a whole header.
TEST_P(RecordingTest, shouldNeverLeaveAHeaderlessFileWhenKilledDuringCreation) {
  std::mt19937 rng(20260821);
  for (int round = 0; round < 10; ++round) {
    fs::remove(path_);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      RecordingWriter w;
      ::_exit(w.create(path_, GetParam().options).empty() ? 0 : 2);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 2000));
    ::kill(child, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    if (fs::exists(path_)) {
      RecordingReader r;
      EXPECT_EQ(r.open(path_), "") << "round " << round;
      RecordView v;
      EXPECT_EQ(r.next(v), ReadStatus::kEnd);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Feeds, RecordingTest,
                         ::testing::Values(Mode{"plain", RecordingOptions{}},
                                           Mode{"plainBlocks", RecordingOptions{Codec::kNone, 3, 4096}},
                                           Mode{"zstdPerRecord", RecordingOptions{Codec::kZstd, 3, 0}},
                                           Mode{"zstdBlocks", RecordingOptions{Codec::kZstd, 3, 16384}}),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(RecordingReaderTest, shouldRefuseAFileThatIsNotARecording) {
  const std::string path = (fs::temp_directory_path() / ("odte-notrec-" + std::to_string(::getpid()))).string();
  {
    std::ofstream out(path);
    out << "this is a text file long enough to have a header, but not a recording\n";
  }
  RecordingReader r;
  EXPECT_NE(r.open(path).find("not an odte recording"), std::string::npos);
  fs::remove(path);
  RecordingReader missing;
  EXPECT_NE(missing.open(path).find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace odte::feeds
