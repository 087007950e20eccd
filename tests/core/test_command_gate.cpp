#include "odte/core/engine/command_gate.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "journal_test_util.hpp"

namespace odte {
namespace {

using namespace std::chrono_literals;

OrderCommand command(std::uint32_t n) {
  OrderCommand c;
  std::memset(static_cast<void*>(&c), 0, sizeof c);
  c.kind = CommandKind::kNew;
  c.quantity = 1;
  c.id = ClientOrderId::make(20260821, n);
  c.created_ns = n;
  return c;
}

// A broker that, at every submit, looks for the command's record in the journal file and checks
// that the journal's durable sequence covers it: the write-ahead rule, seen from the broker.
class CheckingBroker final : public BrokerPort {
 public:
  explicit CheckingBroker(const AsyncJournal& journal) : journal_{journal} {}

  std::string path;  // the journal file
  bool accept = true;
  int read_file_every = 1;  // the file is read on every n-th submit (the durable check is on each)
  std::vector<OrderCommand> got;
  std::vector<std::string> violations;

  bool submit(const OrderCommand& c, TimestampNs) noexcept override {
    if (!accept) return false;
    if (read_file_every > 0 && got.size() % static_cast<std::size_t>(read_file_every) == 0) check_file(c);
    ++checked_;
    if (!got.empty() && c.id.seq() <= got.back().id.seq()) violations.push_back("out of order: " + c.id.to_string());
    got.push_back(c);
    return true;
  }
  int poll(const MarketState&, TimestampNs, ReportSink&) noexcept override { return 0; }
  [[nodiscard]] BrokerLinkState link() const noexcept override { return BrokerLinkState::kUp; }
  [[nodiscard]] const char* name() const noexcept override { return "checking"; }

 private:
  void check_file(const OrderCommand& c) {
    const std::uint64_t durable = journal_.durable_sequence();  // read before the file
    JournalReader reader;
    const JournalScan scan = reader.read(path);
    for (auto r = scan.records.rbegin(); r != scan.records.rend(); ++r) {
      if (r->type != JournalRecordType::kOrderCommand || r->payload.size() != sizeof c ||
          std::memcmp(r->payload.data(), &c, sizeof c) != 0) {
        continue;
      }
      if (r->sequence > durable) {
        violations.push_back(c.id.to_string() + " sent with record " + std::to_string(r->sequence) +
                             " not durable (durable " + std::to_string(durable) + ")");
      }
      return;
    }
    violations.push_back(c.id.to_string() + " sent before its record was in the journal file");
  }

  const AsyncJournal& journal_;
  std::size_t checked_ = 0;
};

class CommandGateTest : public journal_test::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    broker.path = path("j.odj");
    ASSERT_FALSE(journal.open(broker.path, 20260821, 1));
  }
  // What the engine would journal besides commands (intents, reports, fills).
  void filler(std::size_t n) {
    for (const journal_test::Rec& r : journal_test::records(n, 17)) {
      (void)journal.append(JournalRecordType::kExecReport, std::span(r.payload).first(std::min<std::size_t>(88, r.payload.size())), false);
    }
  }

  std::unique_ptr<CommandRing> ring = std::make_unique<CommandRing>();
  AsyncJournal journal;
  CheckingBroker broker{journal};
  CommandGate gate{*ring, journal, broker};
};
class CommandGateStressTest : public CommandGateTest {};

TEST_F(CommandGateTest, shouldSendACommandOnlyOnceItsRecordIsDurable) {
  for (std::uint32_t n = 1; n <= 3; ++n) ASSERT_TRUE(ring->try_push(command(n)));
  EXPECT_EQ(gate.pump(100), 3u) << "journaled and held";
  EXPECT_EQ(gate.held(), 3u);
  EXPECT_TRUE(broker.got.empty()) << "nothing is durable while the journal thread has not run";
  journal.start();
  ASSERT_TRUE(journal_test::eventually([&] { return journal.durable_sequence() >= 3; }, 5s));
  EXPECT_EQ(gate.pump(200), 3u);
  ASSERT_EQ(broker.got.size(), 3u);
  EXPECT_EQ(gate.held(), 0u);
  EXPECT_EQ(gate.stats().journaled, 3u);
  EXPECT_EQ(gate.stats().sent, 3u);
  EXPECT_TRUE(broker.violations.empty()) << broker.violations.front();
  journal.stop();
}

// send_then_sync: a command leaves as soon as its record is in the journal ring, before the
// journal thread has written it, in the engine's order; the thread then writes and syncs every one
// of them (nothing sent is missing from the journal once it has caught up).
TEST_F(CommandGateTest, shouldSendBeforeTheRecordIsDurableWhenSendThenSync) {
  CommandGate fast{*ring, journal, broker, JournalDurability::kSendThenSync};
  EXPECT_EQ(fast.durability(), JournalDurability::kSendThenSync);
  broker.read_file_every = 0;  // the file does not hold them yet: that is the point
  for (std::uint32_t n = 1; n <= 3; ++n) ASSERT_TRUE(ring->try_push(command(n)));
  EXPECT_EQ(fast.pump(100), 6u) << "journaled, held and sent in the same pump";
  EXPECT_EQ(journal.durable_sequence(), 0u) << "the journal thread has not run";
  ASSERT_EQ(broker.got.size(), 3u);
  for (std::uint32_t n = 1; n <= 3; ++n) EXPECT_EQ(broker.got[n - 1].id.seq(), n);
  EXPECT_EQ(fast.held(), 0u);
  journal.start();
  ASSERT_TRUE(journal_test::eventually([&] { return journal.durable_sequence() >= 3; }, 5s));
  journal.stop();
  JournalReader reader;
  const JournalScan scan = reader.read(broker.path);
  ASSERT_EQ(scan.records.size(), 3u);
  for (std::uint32_t n = 1; n <= 3; ++n) {
    OrderCommand c{};
    ASSERT_TRUE(scan.records[n - 1].read_pod(c));
    EXPECT_EQ(c.id.seq(), n);
  }
}

// A refused send keeps its place under send_then_sync too: the next pump offers it first.
TEST_F(CommandGateTest, shouldKeepOrderWhenTheBrokerRefusesUnderSendThenSync) {
  CommandGate fast{*ring, journal, broker, JournalDurability::kSendThenSync};
  broker.read_file_every = 0;
  broker.accept = false;
  for (std::uint32_t n = 1; n <= 2; ++n) ASSERT_TRUE(ring->try_push(command(n)));
  EXPECT_EQ(fast.pump(1), 2u) << "journaled and held, none sent";
  EXPECT_EQ(fast.stats().broker_refused, 1u);
  broker.accept = true;
  ASSERT_TRUE(ring->try_push(command(3)));
  EXPECT_EQ(fast.pump(2), 4u);
  ASSERT_EQ(broker.got.size(), 3u);
  for (std::uint32_t n = 1; n <= 3; ++n) EXPECT_EQ(broker.got[n - 1].id.seq(), n);
  journal.stop();
}

// The run loop as it runs live: bursts of commands among the engine's other records, pumped on
// every step while the journal thread writes and syncs; at every submit the broker finds the
// command's record on disk.
TEST_F(CommandGateStressTest, shouldNeverSubmitACommandBeforeItsRecordIsDurable) {
  journal.start();
  broker.read_file_every = 25;
  std::uint32_t next = 1;
  constexpr std::uint32_t kCommands = 1500;
  while (broker.got.size() < kCommands) {
    for (int k = 0; k < 1 + static_cast<int>(next % 5) && next <= kCommands; ++k) {
      if (!ring->try_push(command(next))) break;
      ++next;
    }
    filler(2);
    (void)gate.pump(static_cast<TimestampNs>(next));
    if (!broker.got.empty() && broker.violations.empty()) (void)gate.send_durable(static_cast<TimestampNs>(next));
    ASSERT_FALSE(journal.failed()) << journal.error();
  }
  journal.stop();
  ASSERT_TRUE(broker.violations.empty()) << broker.violations.front();
  ASSERT_EQ(broker.got.size(), kCommands);
  for (std::uint32_t n = 1; n <= kCommands; ++n) ASSERT_EQ(broker.got[n - 1].id.seq(), n);
}

// The broker refuses (link down): commands are kept in order in `held`, up to its capacity; then
// they stay in the CommandRing (counted) until that is full too. None is dropped or sent twice.
TEST_F(CommandGateTest, shouldHoldEveryCommandInOrderWhileTheBrokerRefuses) {
  journal.start();
  broker.accept = false;
  broker.read_file_every = 0;
  std::uint32_t next = 1;
  while (ring->try_push(command(next))) ++next;
  EXPECT_EQ(gate.pump(1), CommandGate::kHeldCapacity);
  while (ring->try_push(command(next))) ++next;
  ASSERT_TRUE(journal_test::eventually([&] { return journal.durable_sequence() >= CommandGate::kHeldCapacity; }, 5s));
  EXPECT_EQ(gate.pump(2), 0u);
  EXPECT_EQ(gate.held(), CommandGate::kHeldCapacity);
  EXPECT_EQ(ring->size_approx(), CommandRing::capacity()) << "left in the CommandRing: back-pressure";
  EXPECT_GE(gate.stats().held_full, 1u);
  EXPECT_GE(gate.stats().broker_refused, 1u);
  broker.accept = true;
  for (int i = 0; i < 1000 && broker.got.size() < next - 1; ++i) {
    (void)gate.pump(3);
    std::this_thread::sleep_for(100us);
  }
  journal.stop();
  ASSERT_EQ(broker.got.size(), next - 1);
  for (std::uint32_t n = 1; n < next; ++n) ASSERT_EQ(broker.got[n - 1].id.seq(), n);
  EXPECT_EQ(gate.stats().discarded, 0u);
}

// The journal ring is low (the disk is behind): no new command is taken, so the slots left stay
// for the engine's own records; once the thread catches up the command goes through.
TEST_F(CommandGateTest, shouldTakeNoCommandWhileTheJournalRingIsLow) {
  filler(AsyncJournal::kRingSlots - AsyncJournal::kCommandReserve);
  ASSERT_TRUE(ring->try_push(command(1)));
  EXPECT_EQ(gate.pump(1), 0u);
  EXPECT_EQ(ring->size_approx(), 1u);
  EXPECT_EQ(gate.stats().journal_full, 1u);
  journal.start();
  ASSERT_TRUE(journal_test::eventually([&] {
    (void)gate.pump(2);
    return broker.got.size() == 1;
  }, 5s));
  journal.stop();
  EXPECT_TRUE(broker.violations.empty()) << broker.violations.front();
  EXPECT_FALSE(journal.failed());
}

// Once the journal has failed -- a write error, or a record it could not take -- nothing more is
// sent: held commands are discarded and later ones taken and discarded (counted).
enum class Failure { kWriteError, kRingFull };
class CommandGateFailureTest : public CommandGateTest, public ::testing::WithParamInterface<Failure> {};

TEST_P(CommandGateFailureTest, shouldHaltAndSendNothingOnceTheJournalFailed) {
  std::uint32_t next = 1;
  if (GetParam() == Failure::kWriteError) {
    journal.start();
    journal_test::FileSizeLimit limit(kJournalHeaderSize + 30 * (kJournalRecordHeaderSize + 88));
    for (int i = 0; i < 2000 && !journal.failed(); ++i) {
      ASSERT_TRUE(ring->try_push(command(next++)));
      filler(1);
      (void)gate.pump(i);
      std::this_thread::sleep_for(50us);
    }
    ASSERT_TRUE(journal.failed());
    EXPECT_NE(journal.error().find("File too large"), std::string_view::npos) << journal.error();
    journal.stop();
  } else {
    filler(AsyncJournal::kRingSlots);
    ASSERT_TRUE(ring->try_push(command(next++)));
    (void)gate.pump(1);
    filler(1);  // the engine's next record waits 50 ms, then the journal fails
    ASSERT_TRUE(journal.failed());
    EXPECT_NE(journal.error().find("ring full"), std::string_view::npos) << journal.error();
  }
  const std::size_t sent_before = broker.got.size();
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(ring->try_push(command(next++)));
    (void)gate.pump(5000 + i);
    (void)gate.send_durable(5000 + i);
  }
  EXPECT_TRUE(gate.halted());
  EXPECT_EQ(broker.got.size(), sent_before) << "a command was sent after the journal failed";
  EXPECT_EQ(gate.held(), 0u);
  EXPECT_EQ(gate.stats().sent + gate.stats().discarded, next - 1) << "every command sent or discarded, none lost";
  EXPECT_TRUE(broker.violations.empty()) << broker.violations.front();
  journal.stop();
}

INSTANTIATE_TEST_SUITE_P(Failures, CommandGateFailureTest, ::testing::Values(Failure::kWriteError, Failure::kRingFull),
                         [](const auto& param_info) {
                           return param_info.param == Failure::kWriteError ? "write_error" : "ring_full";
                         });

}  // namespace
}  // namespace odte
