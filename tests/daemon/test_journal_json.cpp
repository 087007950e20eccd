#include "odte/daemon/journal_json.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <span>
#include <nlohmann/json.hpp>

#include "odte/core/options/forward.hpp"
#include "odte/strategies/factory.hpp"
#include "synthetic_day.hpp"

namespace odte::daemon {
namespace {

using nlohmann::json;

TEST(JournalJsonTest, shouldRenderEveryRecordOfAReplayedDay) {
  const auto path = std::filesystem::temp_directory_path() / ("odte-jj-" + std::to_string(::getpid()) + ".odj");
  std::filesystem::remove(path);
  ASSERT_TRUE(odte::testing_day::replay_regime_day(path.string()).ok);
  JournalReader reader;
  const JournalScan scan = reader.read(path.string());
  ASSERT_EQ(scan.status, JournalStatus::kOk);
  std::map<std::string, int> types;
  bool saw_open_command = false;
  bool saw_fill = false;
  for (const JournalRecord& r : scan.records) {
    const json j = json::parse(journal_record_json(r));
    ASSERT_FALSE(j.contains("error")) << j.dump();
    EXPECT_EQ(j["seq"], r.sequence);
    types[j["type"]]++;
    if (j["type"] == "order_command" && j["kind"] == "new" && j["opening"] == true) {
      saw_open_command = true;
      EXPECT_EQ(j["id"].get<std::string>().rfind("OD20260821-", 0), 0u);
      EXPECT_FALSE(j["legs"].empty());
    }
    if (j["type"] == "exec_report" && j["kind"] == "fill") {
      saw_fill = true;
      EXPECT_TRUE(j["last_price"].is_string());  // exact decimal, not a float
    }
  }
  EXPECT_EQ(types["session_start"], 1);
  EXPECT_EQ(types["session_end"], 1);
  EXPECT_GE(types["intent"], 2);
  EXPECT_TRUE(saw_open_command);
  EXPECT_TRUE(saw_fill);
  // The report's records: each booked leg, and the account once a minute after the first fill.
  EXPECT_GE(types["book_fill"], 2);
  EXPECT_GE(types["mark"], 60);
  std::filesystem::remove(path);
}

// A stock sell the engine marked short (Reg SHO) says so; any other command has no such key.
TEST(JournalJsonTest, shouldShowAShortSaleOnlyOnTheCommandsThatAreOne) {
  OrderCommand c;
  std::memset(static_cast<void*>(&c), 0, sizeof c);
  c.kind = CommandKind::kNew;
  c.id = ClientOrderId::make(20260821, 5);
  c.quantity = 100;
  c.limit = -Price::from_dollars(500);
  c.leg_count = 1;
  c.legs[0] = OrderLeg{0, Side::kSell, kLegShares, 1};
  auto render = [](const OrderCommand& cmd) {
    const JournalRecord r{JournalRecordType::kOrderCommand, 3, 0, std::as_bytes(std::span<const OrderCommand>(&cmd, 1))};
    return json::parse(journal_record_json(r));
  };
  EXPECT_FALSE(render(c).contains("short_sale"));
  c.short_sale = 1;
  const json j = render(c);
  EXPECT_EQ(j["short_sale"], true);
  EXPECT_EQ(j["legs"][0]["side"], "sell");
  EXPECT_EQ(j["legs"][0]["unit"], "shares");
}

// Seed 004's day record (type 17, variance_swap): written to a journal file and read back byte
// for byte, and `odte journal` prints every field (the rates as the exact doubles).
TEST(JournalJsonTest, shouldRoundTripTheVarianceSwapDayRecord) {
  const auto path = std::filesystem::temp_directory_path() / ("odte-jj-vs-" + std::to_string(::getpid()) + ".odj");
  std::filesystem::remove(path);
  JournalVarianceSwap v{};
  v.at_ns = 1'784'900'700'000'000'000;
  v.variance = 0.0123456789012345;
  v.bid_variance = 0.0111111111111111;
  v.ask_variance = 0.0134567890123456;
  v.forward = 634.2250000000001;
  v.years = 375.0 / 525'600.0;
  v.k0 = 634.0;
  v.expiry_yyyymmdd = 20260724;
  v.strategy = 3;
  v.status = 0;
  v.bid_status = 0;
  v.ask_status = static_cast<std::uint8_t>(options::ChainStatus::kNoStrikes);
  v.puts = 41;
  v.calls = 37;
  v.strikes = 120;
  std::memcpy(v.underlying, "SPY", 3);
  std::memcpy(v.root, "SPY", 3);
  {
    JournalWriter w;
    ASSERT_FALSE(w.open(path.string(), 20260724, v.at_ns));
    ASSERT_FALSE(w.append_pod(JournalRecordType::kVarianceSwap, v, true));
  }
  JournalReader reader;
  const JournalScan scan = reader.read(path.string());
  ASSERT_EQ(scan.status, JournalStatus::kOk) << scan.error;
  ASSERT_EQ(scan.records.size(), 1u);
  EXPECT_EQ(static_cast<int>(scan.records[0].type), 17);
  JournalVarianceSwap back{};
  ASSERT_TRUE(scan.records[0].read_pod(back));
  EXPECT_EQ(std::memcmp(&back, &v, sizeof v), 0);
  const json j = json::parse(journal_record_json(scan.records[0]));
  EXPECT_EQ(j["type"], "variance_swap");
  EXPECT_EQ(j["strategy"], "strategy 3");  // no names learned: the id, said as one
  EXPECT_EQ(j["underlying"], "SPY");
  EXPECT_EQ(j["root"], "SPY");
  EXPECT_EQ(j["expiry"], 20260724);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["variance_swap_rate"].get<double>(), v.variance);
  EXPECT_EQ(j["bid_variance_swap_rate"].get<double>(), v.bid_variance);
  EXPECT_EQ(j["ask_variance_swap_rate"].get<double>(), v.ask_variance);
  EXPECT_EQ(j["bid_status"], "ok");
  EXPECT_EQ(j["ask_status"], "no_strikes");
  EXPECT_EQ(j["implied_forward"].get<double>(), v.forward);
  EXPECT_EQ(j["k0"].get<double>(), 634.0);
  EXPECT_EQ(j["years"].get<double>(), v.years);
  EXPECT_EQ(j["puts"], 41);
  EXPECT_EQ(j["calls"], 37);
  EXPECT_EQ(j["strikes"], 120);
  EXPECT_EQ(j["at_ns"], v.at_ns);
  std::filesystem::remove(path);
}

TEST(JournalJsonTest, shouldFlagAPayloadThatDoesNotFitItsType) {
  const std::byte junk[5]{};
  const JournalRecord r{JournalRecordType::kExecReport, 7, 0, std::span<const std::byte>(junk, 5)};
  const json j = json::parse(journal_record_json(r));
  EXPECT_EQ(j["type"], "exec_report");
  EXPECT_EQ(j["error"], "payload of 5 bytes does not match the record type");
}

}  // namespace
}  // namespace odte::daemon
