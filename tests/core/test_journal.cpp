#include "odte/core/journal/journal.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>
#include <vector>

#include "odte/core/base/file_io.hpp"

namespace odte {
namespace {

namespace fs = std::filesystem;

struct Payload {
  std::uint64_t n;
  std::uint64_t words[7];
};
Payload make_payload(std::uint64_t n) {
  Payload p{n, {}};
  for (std::size_t i = 0; i < 7; ++i) p.words[i] = n * 0x9E3779B97F4A7C15ULL + i;
  return p;
}
bool payload_ok(const JournalRecord& r, std::uint64_t n) {
  Payload p{};
  if (!r.read_pod(p) || p.n != n) return false;
  for (std::size_t i = 0; i < 7; ++i) {
    if (p.words[i] != n * 0x9E3779B97F4A7C15ULL + i) return false;
  }
  return true;
}

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("odte-journal-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "journal.odj").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write_records(std::uint64_t first, std::uint64_t count) {
    JournalWriter w;
    ASSERT_FALSE(w.open(path_, 20260821, 1));
    for (std::uint64_t n = first; n < first + count; ++n) {
      ASSERT_FALSE(w.append_pod(JournalRecordType::kOrderCommand, make_payload(n), n % 4 == 0));
    }
  }
  fs::path dir_;
  std::string path_;
};

TEST(Crc32cTest, shouldMatchTheStandardCheckValue) {
  const char* text = "123456789";
  EXPECT_EQ(crc32c(std::as_bytes(std::span<const char>(text, 9))), 0xE3069283u);
}

TEST_F(JournalTest, shouldReportMissingJournal) {
  JournalReader r;
  EXPECT_EQ(r.read(path_).status, JournalStatus::kMissing);
}

TEST_F(JournalTest, shouldReadBackEveryRecordInOrder) {
  write_records(1, 100);
  JournalReader r;
  const JournalScan s = r.read(path_);
  ASSERT_EQ(s.status, JournalStatus::kOk) << s.error;
  EXPECT_EQ(s.trading_day, 20260821);
  ASSERT_EQ(s.records.size(), 100u);
  for (std::uint64_t i = 0; i < 100; ++i) {
    EXPECT_EQ(s.records[i].sequence, i + 1);
    EXPECT_EQ(s.records[i].type, JournalRecordType::kOrderCommand);
    EXPECT_TRUE(payload_ok(s.records[i], i + 1));
  }
  EXPECT_EQ(s.torn_tail_bytes, 0u);
}

TEST_F(JournalTest, shouldContinueTheSequenceWhenReopened) {
  write_records(1, 10);
  write_records(11, 5);
  JournalReader r;
  const JournalScan s = r.read(path_);
  ASSERT_EQ(s.status, JournalStatus::kOk) << s.error;
  ASSERT_EQ(s.records.size(), 15u);
  EXPECT_EQ(s.records.back().sequence, 15u);
  EXPECT_TRUE(payload_ok(s.records.back(), 15));
}

TEST_F(JournalTest, shouldStopAtATornTailAtEveryCutPointAndContinueAfterIt) {
  write_records(1, 3);
  const auto full = fs::file_size(path_);
  const auto one_record = kJournalRecordHeaderSize + sizeof(Payload);
  for (std::uintmax_t cut = full - one_record + 1; cut < full; ++cut) {
    fs::resize_file(path_, full);
    write_records(4, 0);  // no-op open/close keeps the file as is
    fs::resize_file(path_, cut);
    JournalReader r;
    const JournalScan s = r.read(path_);
    ASSERT_EQ(s.status, JournalStatus::kOk) << "cut at " << cut << ": " << s.error;
    EXPECT_EQ(s.records.size(), 2u) << cut;
    EXPECT_EQ(s.torn_tail_bytes, cut - s.valid_bytes);
  }
  // A writer reopening the torn file cuts the tail and continues with the next sequence.
  JournalWriter w;
  ASSERT_FALSE(w.open(path_, 20260821, 2));
  EXPECT_GT(w.truncated_bytes(), 0u);
  EXPECT_EQ(w.next_sequence(), 3u);
  ASSERT_FALSE(w.append_pod(JournalRecordType::kExecReport, make_payload(3), true));
  w.close();
  JournalReader r;
  const JournalScan s = r.read(path_);
  ASSERT_EQ(s.status, JournalStatus::kOk) << s.error;
  ASSERT_EQ(s.records.size(), 3u);
  EXPECT_TRUE(payload_ok(s.records[2], 3));
}

TEST_F(JournalTest, shouldTreatZeroFilledTailAsTorn) {
  write_records(1, 2);
  {
    std::ofstream out(path_, std::ios::binary | std::ios::app);
    const std::array<char, 100> zeros{};
    out.write(zeros.data(), zeros.size());
  }
  JournalReader r;
  const JournalScan s = r.read(path_);
  ASSERT_EQ(s.status, JournalStatus::kOk) << s.error;
  EXPECT_EQ(s.records.size(), 2u);
  EXPECT_EQ(s.torn_tail_bytes, 100u);
}

TEST_F(JournalTest, shouldRefuseACorruptRecordInTheMiddle) {
  write_records(1, 3);
  {
    std::fstream f(path_, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(kJournalHeaderSize + kJournalRecordHeaderSize + 5));
    f.put('\x7f');
  }
  JournalReader r;
  const JournalScan s = r.read(path_);
  EXPECT_EQ(s.status, JournalStatus::kCorrupt);
  EXPECT_NE(s.error.find("checksum mismatch in record 1"), std::string::npos) << s.error;
  JournalWriter w;
  EXPECT_TRUE(w.open(path_, 20260821, 1));  // refuses to append after corruption
}

TEST_F(JournalTest, shouldRefuseAFileThatIsNotAJournal) {
  {
    std::ofstream out(path_, std::ios::binary);
    out << "mode = \"replay\"\n# definitely not a journal, but long enough to have a header\n";
  }
  JournalReader r;
  EXPECT_EQ(r.read(path_).status, JournalStatus::kBadHeader);
}

// A writer process killed with SIGKILL at a random moment leaves a journal whose every whole
// record reads back intact and in sequence. The child reports its first durable record through a
// pipe, so the random kill lands in the middle of appending however slow the machine is.
TEST_F(JournalTest, shouldSurviveKillMinusNineOfTheWriter) {
  std::mt19937 rng(20260821);
  for (int round = 0; round < 5; ++round) {
    fs::remove(path_);
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(ready[0]);
      JournalWriter w;
      if (w.open(path_, 20260821, 1)) ::_exit(2);
      for (std::uint64_t n = 1;; ++n) {
        if (w.append_pod(JournalRecordType::kExecReport, make_payload(n), n == 1 || n % 64 == 0)) ::_exit(3);
        if (n == 1) {
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
    ASSERT_EQ(n, 1) << "writer never reported its first record";
    ASSERT_TRUE(WIFSIGNALED(status)) << "writer exited early with " << WEXITSTATUS(status);
    JournalReader r;
    const JournalScan s = r.read(path_);
    ASSERT_EQ(s.status, JournalStatus::kOk) << s.error;
    ASSERT_FALSE(s.records.empty());
    for (std::size_t i = 0; i < s.records.size(); ++i) {
      ASSERT_EQ(s.records[i].sequence, i + 1);
      ASSERT_TRUE(payload_ok(s.records[i], i + 1)) << "record " << i + 1;
    }
  }
}

// Killed while creating the journal, a writer leaves no journal or one with a whole header,
// never a file that the next start would refuse as foreign.
TEST_F(JournalTest, shouldNeverLeaveAHeaderlessJournalWhenKilledDuringCreation) {
  std::mt19937 rng(20261125);
  for (int round = 0; round < 20; ++round) {
    fs::remove(path_);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      JournalWriter w;
      if (w.open(path_, 20260821, 1)) ::_exit(2);
      ::_exit(0);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 3000));
    ::kill(child, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    JournalReader r;
    const JournalScan s = r.read(path_);
    ASSERT_TRUE(s.status == JournalStatus::kMissing || s.status == JournalStatus::kOk)
        << "round " << round << ": " << to_string(s.status) << " " << s.error;
    JournalWriter w;
    ASSERT_FALSE(w.open(path_, 20260821, 2)) << "round " << round;
  }
}

// A journal path that is a directory is an I/O error naming it (it used to be "read" as a file of
// some 2^63 bytes: an uncaught bad_alloc).
TEST_F(JournalTest, shouldSayTheJournalPathIsADirectory) {
  fs::create_directories(path_);
  JournalReader r;
  const JournalScan s = r.read(path_);
  EXPECT_EQ(s.status, JournalStatus::kIoError);
  EXPECT_NE(s.error.find(path_ + ": is a directory"), std::string::npos) << s.error;
  JournalWriter w;
  EXPECT_TRUE(w.open(path_, 20260821, 1));
}

// Killed while writing the new file's contents (here by SIGXFSZ, at a file-size limit, so the
// moment is certain), create_file_whole leaves nothing in the directory: no file at the path and
// no temporary beside it.
TEST_F(JournalTest, shouldLeaveNoTemporaryFileWhenKilledDuringCreation) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::signal(SIGXFSZ, SIG_DFL);
    const rlimit limit{4096, 4096};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(3);
    const std::vector<std::byte> contents(64 * 1024, std::byte{1});
    (void)create_file_whole(path_, contents, 0640);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child was not killed mid-write, status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGXFSZ);
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(dir_)) left.push_back(e.path().filename().string());
  EXPECT_TRUE(left.empty()) << "left behind: " << left.front();
  // And a creation that is not interrupted leaves the file alone.
  const std::vector<std::byte> header(32, std::byte{2});
  ASSERT_FALSE(create_file_whole(path_, header, 0640));
  EXPECT_EQ(fs::file_size(path_), 32u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator{}), 1);
  EXPECT_EQ(create_file_whole(path_, header, 0640), std::make_error_code(std::errc::file_exists));
}

}  // namespace
}  // namespace odte
