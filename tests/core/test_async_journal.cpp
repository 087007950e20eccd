#include "odte/core/journal/async_journal.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>
#include <vector>

#include "journal_test_util.hpp"

namespace odte {
namespace {

using namespace std::chrono_literals;
using journal_test::Rec;

class AsyncJournalTest : public journal_test::TempDirTest {};
class AsyncJournalStressTest : public AsyncJournalTest {};

// The same records through a synchronous JournalWriter and through the journal thread give the
// same file, byte for byte, however they are batched.
struct BytesCase {
  const char* name;
  std::size_t records;
  bool append_before_start;  // one big backlog: batches of kMaxBatch
  int pause_every;           // 0: no pauses; n: the core sleeps after every n-th record (small batches)
  bool existing;             // continue a journal that already holds records and a torn tail
};
class AsyncJournalBytesTest : public AsyncJournalTest, public ::testing::WithParamInterface<BytesCase> {};

TEST_P(AsyncJournalBytesTest, shouldWriteTheSameBytesAsTheSynchronousWriter) {
  const BytesCase& c = GetParam();
  const std::vector<Rec> recs = journal_test::records(c.records, 7);
  const std::string sync_path = path("sync.odj");
  const std::string async_path = path("async.odj");
  if (c.existing) {
    for (const std::string& p : {sync_path, async_path}) {
      JournalWriter w;
      ASSERT_FALSE(w.open(p, 20260821, 1234));
      for (const Rec& r : journal_test::records(40, 99)) ASSERT_FALSE(w.append(r.type, r.bytes(), r.durable));
      w.close();
      std::ofstream(p, std::ios::binary | std::ios::app) << "torn";
    }
  }
  {
    JournalWriter w;
    ASSERT_FALSE(w.open(sync_path, 20260821, 1234));
    for (const Rec& r : recs) ASSERT_FALSE(w.append(r.type, r.bytes(), r.durable));
  }
  AsyncJournal j;
  ASSERT_FALSE(j.open(async_path, 20260821, 1234));
  const std::uint64_t first = j.next_sequence();
  EXPECT_EQ(j.durable_sequence(), first - 1);
  if (!c.append_before_start) j.start("odte-jnl-test");
  for (std::size_t i = 0; i < recs.size(); ++i) {
    ASSERT_EQ(j.append(recs[i].type, recs[i].bytes(), recs[i].durable), first + i);
    if (c.pause_every != 0 && i % static_cast<std::size_t>(c.pause_every) == 0) std::this_thread::sleep_for(200us);
  }
  if (c.append_before_start) j.start("odte-jnl-test");
  j.stop();
  ASSERT_FALSE(j.failed()) << j.error();
  EXPECT_EQ(j.durable_sequence(), first + recs.size() - 1);
  EXPECT_EQ(j.stats().records.load(), recs.size());
  EXPECT_EQ(j.stats().not_written.load(), 0u);
  EXPECT_EQ(journal_test::read_bytes(async_path), journal_test::read_bytes(sync_path));
  if (c.append_before_start) {
    EXPECT_EQ(j.stats().max_batch.load(), AsyncJournal::kMaxBatch);
  }
}

INSTANTIATE_TEST_SUITE_P(Batching, AsyncJournalBytesTest,
                         ::testing::Values(BytesCase{"backlog", 3000, true, 0, false},
                                           BytesCase{"streaming", 3000, false, 0, false},
                                           BytesCase{"trickle", 400, false, 3, false},
                                           BytesCase{"after_restart", 1000, false, 7, true}),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(AsyncJournalTest, shouldMakeADurableRecordDurableAndSyncTheRestOnceIdle) {
  AsyncJournal j;
  ASSERT_FALSE(j.open(path("j.odj"), 20260821, 1));
  j.start();
  const std::vector<Rec> recs = journal_test::records(3, 1);
  ASSERT_EQ(j.append(recs[0].type, recs[0].bytes(), false), 1u);
  ASSERT_EQ(j.append(recs[1].type, recs[1].bytes(), true), 2u);
  ASSERT_TRUE(journal_test::eventually([&] { return j.durable_sequence() >= 2; }, 5s));
  ASSERT_EQ(j.append(recs[2].type, recs[2].bytes(), false), 3u);
  ASSERT_TRUE(journal_test::eventually([&] { return j.written_sequence() == 3; }, 5s));
  // Not durable by itself; synced once the thread has been idle kIdleSyncNs.
  ASSERT_TRUE(journal_test::eventually([&] { return j.durable_sequence() == 3; }, 5s));
  EXPECT_GE(j.stats().syncs.load(), 2u);
  j.stop();
  EXPECT_FALSE(j.failed());
}

// Thousands of records behind: append() waits for a slot, bounded, then fails the journal rather
// than drop the record silently; what was in the ring is still written on stop.
TEST_F(AsyncJournalTest, shouldWaitBoundedThenFailWhenTheRingStaysFull) {
  AsyncJournal j;
  ASSERT_FALSE(j.open(path("j.odj"), 20260821, 1));
  const Rec r = journal_test::records(1, 3)[0];
  for (std::size_t i = 1; i <= AsyncJournal::kRingSlots; ++i) ASSERT_EQ(j.append(r.type, r.bytes(), false), i);
  EXPECT_EQ(j.free_slots(), 0u);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(j.append(r.type, r.bytes(), true), 0u);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::nanoseconds(AsyncJournal::kFullWaitNs));
  EXPECT_TRUE(j.failed());
  EXPECT_NE(j.error().find("ring full"), std::string_view::npos) << j.error();
  EXPECT_NE(j.error().find("record 8193"), std::string_view::npos) << j.error();
  EXPECT_EQ(j.stats().full_waits.load(), 1u);
  EXPECT_EQ(j.append(r.type, r.bytes(), false), 0u) << "a failed journal takes nothing more";
  j.start();
  j.stop();
  JournalReader reader;
  const JournalScan scan = reader.read(path("j.odj"));
  ASSERT_EQ(scan.status, JournalStatus::kOk);
  EXPECT_EQ(scan.records.size(), AsyncJournal::kRingSlots);
}

TEST_F(AsyncJournalTest, shouldTakeTheRecordWhenTheThreadFreesASlotWithinTheWait) {
  AsyncJournal j;
  ASSERT_FALSE(j.open(path("j.odj"), 20260821, 1));
  const Rec r = journal_test::records(1, 3)[0];
  for (std::size_t i = 1; i <= AsyncJournal::kRingSlots; ++i) ASSERT_EQ(j.append(r.type, r.bytes(), false), i);
  std::thread late([&] {
    std::this_thread::sleep_for(1ms);  // well inside the 50 ms the core waits, even on a loaded machine
    j.start();
  });
  EXPECT_EQ(j.append(r.type, r.bytes(), true), AsyncJournal::kRingSlots + 1);
  late.join();
  EXPECT_FALSE(j.failed());
  EXPECT_EQ(j.stats().full_waits.load(), 1u);
  j.stop();
  EXPECT_EQ(j.durable_sequence(), AsyncJournal::kRingSlots + 1);
}

TEST_F(AsyncJournalTest, shouldRefuseARecordLargerThanASlot) {
  AsyncJournal j;
  ASSERT_FALSE(j.open(path("j.odj"), 20260821, 1));
  const std::vector<std::byte> big(kJournalSlotPayload + 1);
  EXPECT_EQ(j.append(JournalRecordType::kMark, big, false), 0u);
  EXPECT_TRUE(j.failed());
  EXPECT_NE(j.error().find("larger than a ring slot"), std::string_view::npos) << j.error();
}

// A file that stops taking writes (RLIMIT_FSIZE: EFBIG): the journal fails with the error, the
// durable sequence stops short, later records are counted as not written, and the file is still
// a journal that reads back (at most a torn last record).
TEST_F(AsyncJournalTest, shouldFailAndStopWritingOnAWriteError) {
  AsyncJournal j;
  ASSERT_FALSE(j.open(path("j.odj"), 20260821, 1));
  j.start();
  const std::vector<Rec> recs = journal_test::records(200, 5);
  {
    journal_test::FileSizeLimit limit(kJournalHeaderSize + 20 * (kJournalRecordHeaderSize + 64));
    for (std::size_t i = 0; i < recs.size(); ++i) {
      (void)j.append(recs[i].type, recs[i].bytes(), i % 10 == 9);
      if (i % 16 == 0) std::this_thread::sleep_for(100us);
    }
    ASSERT_TRUE(journal_test::eventually([&] { return j.failed(); }, 5s));
    j.stop();
  }
  EXPECT_NE(j.error().find("File too large"), std::string_view::npos) << j.error();
  EXPECT_LT(j.durable_sequence(), recs.size());
  EXPECT_GT(j.stats().not_written.load(), 0u);
  JournalReader reader;
  const JournalScan scan = reader.read(path("j.odj"));
  ASSERT_EQ(scan.status, JournalStatus::kOk) << scan.error;
  EXPECT_GE(scan.records.size(), j.durable_sequence());
  EXPECT_LT(scan.records.size(), recs.size());
}

TEST_F(AsyncJournalTest, shouldWriteEverythingAppendedBeforeStopAndEndWithTheLastRecord) {
  AsyncJournal j;
  ASSERT_FALSE(j.open(path("j.odj"), 20260821, 1));
  j.start();
  const std::vector<Rec> recs = journal_test::records(5000, 11);
  for (const Rec& r : recs) ASSERT_NE(j.append(r.type, r.bytes(), false), 0u);
  const std::uint64_t end_marker = 0x454e44;
  ASSERT_EQ(j.append(JournalRecordType::kSessionEnd, std::as_bytes(std::span(&end_marker, 1)), false), 5001u);
  j.stop();
  EXPECT_EQ(j.durable_sequence(), 5001u) << "stop syncs";
  JournalReader reader;
  const JournalScan scan = reader.read(path("j.odj"));
  ASSERT_EQ(scan.status, JournalStatus::kOk);
  ASSERT_EQ(scan.records.size(), 5001u);
  for (std::size_t i = 0; i < recs.size(); ++i) ASSERT_TRUE(journal_test::same(scan.records[i], recs[i])) << i;
  EXPECT_EQ(scan.records.back().type, JournalRecordType::kSessionEnd);
}

// The core appends while the journal thread writes; the durable sequence only moves forward and
// never past what was appended; the file holds every record in order.
TEST_F(AsyncJournalStressTest, shouldWriteEveryRecordInOrderWhileTheCoreWatchesTheDurableSequence) {
  AsyncJournal j;
  ASSERT_FALSE(j.open(path("j.odj"), 20260821, 1));
  j.start();
  const std::vector<Rec> recs = journal_test::records(20000, 13);
  std::uint64_t last_durable = 0;
  std::mt19937 rng(7);
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const bool durable = i % 700 == 0;
    const std::uint64_t seq = j.append(recs[i].type, recs[i].bytes(), durable);
    ASSERT_EQ(seq, i + 1);
    const std::uint64_t d = j.durable_sequence();
    ASSERT_GE(d, last_durable);
    ASSERT_LE(d, seq);
    ASSERT_LE(j.written_sequence(), seq);
    last_durable = d;
    if (rng() % 512 == 0) std::this_thread::sleep_for(50us);
  }
  j.stop();
  ASSERT_FALSE(j.failed()) << j.error();
  JournalReader reader;
  const JournalScan scan = reader.read(path("j.odj"));
  ASSERT_EQ(scan.status, JournalStatus::kOk);
  ASSERT_EQ(scan.records.size(), recs.size());
  for (std::size_t i = 0; i < recs.size(); ++i) ASSERT_TRUE(journal_test::same(scan.records[i], recs[i])) << i;
}

// ---- the ring in a shared memory file (send_then_sync) ---------------------------------------

namespace fs = std::filesystem;

// A child process appends records into a mapped ring, some of them written by its journal
// thread, the rest not (the thread was stopped from taking more), and is killed with SIGKILL. The
// next start recovers the unwritten ones from the ring file, in order and byte for byte, and
// removes the file; the records continue the journal's sequence.
class AsyncJournalRingTest : public AsyncJournalTest {
 protected:
  std::string ring_path() const { return path("j.ring"); }
  // Runs `child` in a forked process, which must end itself with kill9() (inside its scope, so
  // the journal's destructor never runs); true if it died of SIGKILL.
  static void kill9() { ::raise(SIGKILL); }
  template <typename Child>
  static bool killed_after(Child&& child) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      child();
      ::_exit(3);  // the child returned without being killed
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  }
};

TEST_F(AsyncJournalRingTest, shouldRecoverRecordsAKilledProcessHadNotWritten) {
  const std::vector<Rec> recs = journal_test::records(300, 11);
  constexpr std::size_t kWritten = 120;  // the journal thread wrote these before the kill
  ASSERT_TRUE(killed_after([&] {
    AsyncJournal j;
    if (j.map_ring(ring_path()) || j.open(path("j.odj"), 20260821, 1)) ::_exit(2);
    j.start("odte-jnl-test");
    for (std::size_t i = 0; i < kWritten; ++i) (void)j.append(recs[i].type, recs[i].bytes(), recs[i].durable);
    while (j.written_sequence() < kWritten) std::this_thread::sleep_for(100us);
    // The thread keeps running; the core's later records race it to the kill: some written, some not.
    for (std::size_t i = kWritten; i < recs.size(); ++i) (void)j.append(recs[i].type, recs[i].bytes(), recs[i].durable);
    kill9();
  }));
  {
    JournalReader reader;
    const JournalScan before = reader.read(path("j.odj"));
    ASSERT_EQ(before.status, JournalStatus::kOk);
    ASSERT_GE(before.records.size(), kWritten);
    RecordProperty("written_before_kill", static_cast<int>(before.records.size()));
  }
  ASSERT_TRUE(fs::exists(ring_path())) << "a killed run leaves its ring file";
  const auto r = AsyncJournal::recover_ring(ring_path(), path("j.odj"), 20260821, 2);
  ASSERT_FALSE(r.error) << r.what;
  EXPECT_FALSE(fs::exists(ring_path())) << "recovered: the file is removed";
  JournalReader reader;
  const JournalScan after = reader.read(path("j.odj"));
  ASSERT_EQ(after.status, JournalStatus::kOk);
  ASSERT_EQ(after.records.size(), recs.size()) << "recovered " << r.records;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    ASSERT_TRUE(journal_test::same(after.records[i], recs[i])) << "record " << i + 1;
    ASSERT_EQ(after.records[i].sequence, i + 1);
  }
  // Nothing more to recover, and a second start finds no file.
  const auto again = AsyncJournal::recover_ring(ring_path(), path("j.odj"), 20260821, 3);
  EXPECT_FALSE(again.error);
  EXPECT_EQ(again.records, 0u);
}

// The thread never wrote (killed before it ran): every record comes back from the ring, into a
// journal that held only its header.
TEST_F(AsyncJournalRingTest, shouldRecoverEveryRecordWhenNoneWasWritten) {
  const std::vector<Rec> recs = journal_test::records(50, 12);
  ASSERT_TRUE(killed_after([&] {
    AsyncJournal j;
    if (j.map_ring(ring_path()) || j.open(path("j.odj"), 20260821, 1)) ::_exit(2);
    for (const Rec& r : recs) (void)j.append(r.type, r.bytes(), r.durable);
    kill9();
  }));
  const auto r = AsyncJournal::recover_ring(ring_path(), path("j.odj"), 20260821, 2);
  ASSERT_FALSE(r.error) << r.what;
  EXPECT_EQ(r.records, recs.size());
  JournalReader reader;
  const JournalScan after = reader.read(path("j.odj"));
  ASSERT_EQ(after.records.size(), recs.size());
  for (std::size_t i = 0; i < recs.size(); ++i) ASSERT_TRUE(journal_test::same(after.records[i], recs[i])) << i;
}

// A clean stop writes everything and removes the ring file: nothing is recovered twice.
TEST_F(AsyncJournalRingTest, shouldRemoveTheRingFileOnACleanStop) {
  {
    AsyncJournal j;
    ASSERT_FALSE(j.map_ring(ring_path()));
    EXPECT_TRUE(j.ring_mapped());
    ASSERT_FALSE(j.open(path("j.odj"), 20260821, 1));
    j.start("odte-jnl-test");
    for (const Rec& r : journal_test::records(20, 13)) ASSERT_NE(j.append(r.type, r.bytes(), r.durable), 0u);
    j.stop();
    EXPECT_FALSE(fs::exists(ring_path()));
  }
  JournalReader reader;
  EXPECT_EQ(reader.read(path("j.odj")).records.size(), 20u);
}

// A ring whose records do not continue the journal (the journal lost records the ring no longer
// holds), or a journal of another day, is refused with the reason, and both files are left as
// they were for the operator.
TEST_F(AsyncJournalRingTest, shouldRefuseARingThatDoesNotContinueTheJournal) {
  const auto write_journal = [&](std::size_t n) {
    fs::remove(path("j.odj"));
    JournalWriter w;
    ASSERT_FALSE(w.open(path("j.odj"), 20260821, 1));
    for (const Rec& r : journal_test::records(n, 15)) ASSERT_FALSE(w.append(r.type, r.bytes(), false));
  };
  write_journal(20);
  ASSERT_TRUE(killed_after([&] {
    AsyncJournal j;
    if (j.map_ring(ring_path()) || j.open(path("j.odj"), 20260821, 1)) ::_exit(2);
    for (const Rec& r : journal_test::records(10, 16)) (void)j.append(r.type, r.bytes(), r.durable);  // 21..30
    kill9();
  }));
  write_journal(5);  // the journal now ends at 5: records 6..20 are nowhere
  const std::string before = journal_test::read_bytes(path("j.odj"));
  const auto gap = AsyncJournal::recover_ring(ring_path(), path("j.odj"), 20260821, 2);
  ASSERT_TRUE(gap.error);
  EXPECT_NE(gap.what.find("holds record 21 where the journal"), std::string::npos) << gap.what;
  EXPECT_NE(gap.what.find("continues with 6"), std::string::npos) << gap.what;
  EXPECT_EQ(journal_test::read_bytes(path("j.odj")), before) << "nothing appended";
  EXPECT_TRUE(fs::exists(ring_path())) << "the ring is kept";

  const auto other_day = AsyncJournal::recover_ring(ring_path(), path("j.odj"), 20260822, 2);
  ASSERT_TRUE(other_day.error);
  EXPECT_NE(other_day.what.find("is for trading day 20260821"), std::string::npos) << other_day.what;
  EXPECT_TRUE(fs::exists(ring_path()));
}

}  // namespace
}  // namespace odte
