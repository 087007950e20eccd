#include "odte/daemon/event_log.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "odte/core/engine/engine.hpp"
#include "odte/daemon/journal_json.hpp"
#include "odte/daemon/replay.hpp"
#include "odte/strategies/factory.hpp"
#include "synthetic_day.hpp"

namespace odte::daemon {
namespace {

using nlohmann::json;

bool starts_with(const std::string& s, std::string_view p) { return s.rfind(p, 0) == 0; }

// A synthetic day replayed with the event log watching its journal (as odted does): one line per
// order command and per fill, each naming the strategy and every leg's symbol, side, quantity and
// price -- counted against the journal itself.
class EventLogDayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() / ("odte-evlog-" + std::to_string(::getpid()) + ".odj");
    std::filesystem::remove(path_);
  }
  void TearDown() override { std::filesystem::remove(path_); }

  void run(EventLog& log) {
    ASSERT_TRUE(odte::testing_day::replay_regime_day(path_.string(), &log).ok);
    log.flush();
  }
  std::filesystem::path path_;
};

TEST_F(EventLogDayTest, shouldLogOneNamedLinePerOrderAndFillOfAReplayedDay) {
  std::vector<std::string> lines;
  EventLog log({}, [&](std::string_view l) { lines.emplace_back(l); });  // names from the journal
  run(log);

  JournalReader reader;
  const JournalScan scan = reader.read(path_.string());
  ASSERT_EQ(scan.status, JournalStatus::kOk);
  int orders = 0, fills = 0, acks = 0;
  for (const JournalRecord& r : scan.records) {
    if (r.type == JournalRecordType::kOrderCommand) {
      OrderCommand c;
      ASSERT_TRUE(r.read_pod(c));
      if (c.kind == CommandKind::kNew) ++orders;
    } else if (r.type == JournalRecordType::kExecReport) {
      ExecutionReport e;
      ASSERT_TRUE(r.read_pod(e));
      if (e.kind == ExecKind::kFill || e.kind == ExecKind::kPartialFill) ++fills;
      if (e.kind == ExecKind::kAccepted) ++acks;
    }
  }
  ASSERT_GT(orders, 0);
  ASSERT_GT(fills, 0);
  int order_lines = 0, fill_lines = 0, ack_lines = 0, account_lines = 0;
  for (const std::string& l : lines) {
    if (starts_with(l, "order OD20260821-")) {
      ++order_lines;
      EXPECT_NE(l.find(" regime "), std::string::npos) << l;
      EXPECT_NE(l.find(" O:SPY"), std::string::npos) << l;  // the legs' symbols, not ids
      EXPECT_TRUE(l.find(" BUY ") != std::string::npos || l.find(" SELL ") != std::string::npos) << l;
      EXPECT_TRUE(l.find(" debit ") != std::string::npos || l.find(" credit ") != std::string::npos) << l;
      EXPECT_EQ(l.find('#'), std::string::npos) << l;  // no unnamed instrument
    } else if (starts_with(l, "fill OD") || starts_with(l, "partial fill OD")) {
      ++fill_lines;
      EXPECT_NE(l.find(" regime "), std::string::npos) << l;
      EXPECT_NE(l.find(" O:SPY"), std::string::npos) << l;
      EXPECT_NE(l.find(" at "), std::string::npos) << l;
    } else if (starts_with(l, "ack OD")) {
      ++ack_lines;
    } else if (starts_with(l, "account: equity 100000")) {
      ++account_lines;
      EXPECT_NE(l.find("strategies: regime"), std::string::npos) << l;
    }
  }
  EXPECT_EQ(order_lines, orders);
  EXPECT_EQ(fill_lines, fills);
  EXPECT_EQ(ack_lines, acks);
  EXPECT_EQ(account_lines, 1);
  EXPECT_EQ(log.lines(), lines.size());

  // A resumed run re-creates the journal: it learns, and logs none of it again.
  std::vector<std::string> again;
  EventLog second({}, [&](std::string_view l) { again.emplace_back(l); });
  run(second);
  EXPECT_TRUE(again.empty()) << again.front();
}

TEST_F(EventLogDayTest, shouldNameStrategiesAndInstrumentsInTheJournalJson) {
  EventLog log({}, [](std::string_view) {});
  run(log);
  JournalReader reader;
  const JournalScan scan = reader.read(path_.string());
  ASSERT_EQ(scan.status, JournalStatus::kOk);
  JournalNames names;
  // As `odte journal` does: the names first (an intent precedes its order's instrument records).
  for (const JournalRecord& r : scan.records) {
    if (r.type == JournalRecordType::kInstrument || r.type == JournalRecordType::kAccount) names.learn(r);
  }
  int intents = 0, instruments = 0, accounts = 0;
  for (const JournalRecord& r : scan.records) {
    names.learn(r);
    const json j = json::parse(journal_record_json(r, &names));
    ASSERT_FALSE(j.contains("bytes")) << j.dump();  // every record type decoded
    if (j["type"] == "intent" || j["type"] == "order_command") {
      ++intents;
      EXPECT_EQ(j["strategy"], "regime") << j.dump();
      // Instruments are journaled for orders: an accepted intent's legs and every order's are named.
      if (j["type"] == "order_command" || j["risk"] == "none") {
        for (const json& leg : j["legs"]) EXPECT_EQ(leg["symbol"].get<std::string>().rfind("O:SPY", 0), 0u) << j.dump();
      }
    }
    if (j["type"] == "instrument") {
      ++instruments;
      EXPECT_FALSE(j["symbol"].get<std::string>().empty());
    }
    if (j["type"] == "account") {
      ++accounts;
      EXPECT_EQ(j["strategies"], json::array({"regime"}));
      EXPECT_EQ(j["equity"], "100000");
    }
  }
  EXPECT_GT(intents, 0);
  EXPECT_GT(instruments, 0);
  EXPECT_EQ(accounts, 1);
}

JournalRecord record_of(JournalRecordType type, const void* p, std::size_t n) {
  return JournalRecord{type, 1, 0, std::span<const std::byte>(static_cast<const std::byte*>(p), n)};
}

// A refusal names the strategy, the legs and the rule; kill, flatten and pause each get a line.
TEST(EventLogTest, shouldLogRefusalsKillFlattenAndPause) {
  JournalNames names({"iron_condor"});
  JournalInstrument in{};
  in.id = 7;
  std::strcpy(in.symbol, "O:SPXW260821P06400000");
  names.learn(record_of(JournalRecordType::kInstrument, &in, sizeof in));

  JournalIntent v;
  std::memset(static_cast<void*>(&v), 0, sizeof v);
  v.intent.strategy = 0;
  v.intent.action = IntentAction::kOpen;
  v.intent.quantity = 2;
  v.intent.limit = -Price::from_cents(45);
  v.intent.leg_count = 1;
  v.intent.legs[0] = OrderLeg{7, Side::kSell, kLegContracts, 1};
  v.intent.set_reason("entry");
  v.reason = RiskReason::kCapitalAtRisk;
  v.max_loss_dollars = Price::from_dollars(955);
  const JournalRecord r = record_of(JournalRecordType::kIntent, &v, sizeof v);
  EXPECT_EQ(journal_record_line(r.type, r.payload, names),
            "risk refused iron_condor open 2 x [SELL 1 O:SPXW260821P06400000] credit 0.45: capital_at_risk "
            "(max loss 955) [entry]");
  v.reason = RiskReason::kNone;  // accepted: its order command makes the line
  EXPECT_EQ(journal_record_line(r.type, r.payload, names), "");

  JournalFlag f{};
  f.on = 1;
  f.flatten = 1;
  EXPECT_EQ(journal_record_line(JournalRecordType::kKillSwitch, std::as_bytes(std::span(&f, 1)), names).rfind("kill switch ON, flatten", 0), 0u);
  EXPECT_EQ(journal_record_line(JournalRecordType::kPause, std::as_bytes(std::span(&f, 1)), names).rfind("paused", 0), 0u);
  JournalFlatten fl{};
  fl.peer_uid = 1000;
  fl.open_positions = 3;
  EXPECT_EQ(journal_record_line(JournalRecordType::kFlatten, std::as_bytes(std::span(&fl, 1)), names)
                .rfind("flatten by uid 1000 pid 0: 3 open positions", 0), 0u);
}

TEST(EventLogTest, shouldSayNewYorkTime) {
  // 2026-08-21 14:05:09 UTC is 10:05:09 EDT; 2026-12-21 15:00:00 UTC is 10:00:00 EST.
  EXPECT_EQ(new_york_time(1787321109LL * 1'000'000'000), "10:05:09");
  EXPECT_EQ(new_york_time(1797865200LL * 1'000'000'000), "10:00:00");
}

}  // namespace
}  // namespace odte::daemon
