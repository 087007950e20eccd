#pragma once

// A two-day fixture run written record by record through JournalWriter, small enough that every
// statistic can be worked out by hand (the numbers are in test_report_stats.cpp).
//
// Day 1 (2026-08-17), session 09:30-16:00 ET:
//   trade 1, strategy 0: long call spread, buy C500 @ 3.00 (fee 1.30) / sell C505 @ 1.00 at 10:00;
//            closed 11:00 selling C500 @ 4.00 (fee 1.30) / buying C505 @ 1.50.   P&L  +47.40
//   trade 2, strategy 1: short put P490, sell 1 @ 2.00 (fee 0.65) at 12:00, bought back
//            1 @ 3.00 (fee 0.65) at 13:00.                                        P&L -101.30
//   one intent refused for capital_at_risk.
// Day 2 (2026-08-18):
//   trade 3, strategy 1: short put P495, sell 2 @ 1.50 (fee 1.30) at 10:00, bought back
//            2 @ 0.50 (fee 1.30) at 14:00.                                        P&L +197.40
//   one intent refused for price_band.
// Marks (net P&L of the day) at 10:01 +48.70, 11:01 +47.40, 12:01 -3.25, 13:01 -53.90 on day 1;
// 10:01 -21.30 and 14:01 +197.40 on day 2. Equity 100,000.

#include <cstring>
#include <string>
#include <string_view>

#include "odte/core/engine/engine.hpp"
#include "odte/core/journal/journal.hpp"
#include "odte/core/engine/journal_records.hpp"

namespace odte::report_fixture {

inline constexpr std::int64_t kSec = 1'000'000'000;
inline constexpr std::int64_t kDay1Utc = 1'786'924'800;  // 2026-08-17 00:00 UTC
inline constexpr std::int64_t kDay2Utc = kDay1Utc + 86'400;

// ET (EDT, UTC-4) wall time on a day -> ns.
inline TimestampNs et(std::int64_t day_utc, int h, int m) { return (day_utc + (h + 4) * 3600 + m * 60) * kSec; }

inline constexpr InstrumentId kC500 = 11, kC505 = 12, kP490 = 13, kP495 = 14;

struct Leg {
  InstrumentId id;
  const char* symbol;
  char right;
  int strike;
};
inline constexpr Leg kLegs[] = {{kC500, "O:SPY260817C00500000", 'C', 500},
                                {kC505, "O:SPY260817C00505000", 'C', 505},
                                {kP490, "O:SPY260817P00490000", 'P', 490},
                                {kP495, "O:SPY260818P00495000", 'P', 495}};

class JournalBuilder {
 public:
  JournalBuilder(const std::string& path, std::int32_t day, TimestampNs start) : day_{day} {
    ok_ = !writer_.open(path, day, start);
    JournalSessionMarker m{day, kJournalVersion, start};
    put(JournalRecordType::kSessionStart, m);
  }
  ~JournalBuilder() { writer_.close(); }

  [[nodiscard]] bool ok() const { return ok_; }

  void intent(std::uint16_t strategy, IntentAction action, std::uint32_t qty, Price limit,
              std::initializer_list<std::pair<InstrumentId, Side>> legs, std::string_view reason,
              RiskReason decision = RiskReason::kNone) {
    JournalIntent j;
    std::memset(static_cast<void*>(&j), 0, sizeof j);
    j.intent.strategy = strategy;
    j.intent.action = action;
    j.intent.quantity = qty;
    j.intent.limit = limit;
    for (const auto& [id, side] : legs) j.intent.legs[j.intent.leg_count++] = OrderLeg{id, side, 0, 1};
    j.intent.set_reason(reason);
    j.max_loss_dollars = Price::zero();
    j.band_reference = Price::invalid();
    j.reason = decision;
    put(JournalRecordType::kIntent, j);
  }

  void order(std::uint32_t seq, std::uint16_t strategy, std::uint32_t qty, Price limit,
             std::initializer_list<std::pair<InstrumentId, Side>> legs, TimestampNs at, std::uint32_t closes_seq = 0) {
    OrderCommand c;
    std::memset(static_cast<void*>(&c), 0, sizeof c);
    c.kind = CommandKind::kNew;
    c.strategy = strategy;
    c.quantity = qty;
    c.id = ClientOrderId::make(day_, seq);
    c.limit = limit;
    c.created_ns = at;
    for (const auto& [id, side] : legs) c.legs[c.leg_count++] = OrderLeg{id, side, 0, 1};
    c.opening = closes_seq == 0 ? 1 : 0;
    if (closes_seq != 0) c.closes = ClientOrderId::make(day_, closes_seq);
    put(JournalRecordType::kOrderCommand, c);
  }

  void fill(std::uint32_t seq, std::uint16_t strategy, std::uint8_t leg, InstrumentId id, Side side, std::uint32_t qty,
            Price price, Price fee, bool opening, TimestampNs at) {
    JournalFill f;
    std::memset(static_cast<void*>(&f), 0, sizeof f);
    f.order = ClientOrderId::make(day_, seq);
    f.at_ns = at;
    f.price = price;
    f.fee = fee;
    f.instrument = id;
    f.quantity = qty;
    f.multiplier = 100;
    f.strategy = strategy;
    f.leg = leg;
    f.side = side;
    f.asset = static_cast<std::uint8_t>(AssetClass::kOption);
    f.opening = opening ? 1 : 0;
    for (const Leg& l : kLegs) {
      if (l.id != id) continue;
      f.right = static_cast<std::uint8_t>(l.right);
      f.strike = Price::from_dollars(l.strike);
      f.expiry_yyyymmdd = day_;
      std::memcpy(f.symbol, l.symbol, std::strlen(l.symbol));
    }
    put(JournalRecordType::kBookFill, f);
  }

  void mark(TimestampNs at, Price realized, Price unrealized, Price fees, std::uint32_t open) {
    JournalMark m;
    std::memset(static_cast<void*>(&m), 0, sizeof m);
    m.at_ns = at;
    m.equity = Price::from_dollars(100'000);
    m.realized = realized;
    m.unrealized = unrealized;
    m.fees = fees;
    m.open_spreads = open > 0 ? 1 : 0;
    m.open_positions = open;
    put(JournalRecordType::kMark, m);
  }

  void end(TimestampNs at) {
    JournalSessionMarker m{day_, kJournalVersion, at};
    put(JournalRecordType::kSessionEnd, m);
  }

 private:
  template <typename T>
  void put(JournalRecordType type, const T& v) {
    if (writer_.append_pod(type, v, false)) ok_ = false;
  }
  JournalWriter writer_;
  std::int32_t day_;
  bool ok_ = false;
};

inline Price usd(double v) { return Price::from_double(v); }

// Writes the two fixture days; returns false if a write failed.
inline bool write_fixture(const std::string& day1_path, const std::string& day2_path) {
  constexpr auto kBuy = Side::kBuy;
  constexpr auto kSell = Side::kSell;
  {
    JournalBuilder j(day1_path, 20260817, et(kDay1Utc, 9, 30));
    j.intent(0, IntentAction::kOpen, 1, usd(2.00), {{kC500, kBuy}, {kC505, kSell}}, "test:call_spread");
    j.order(1, 0, 1, usd(2.00), {{kC500, kBuy}, {kC505, kSell}}, et(kDay1Utc, 10, 0));
    j.intent(0, IntentAction::kOpen, 50, usd(2.00), {{kC500, kBuy}, {kC505, kSell}}, "test:too_big",
             RiskReason::kCapitalAtRisk);
    j.fill(1, 0, 0, kC500, kBuy, 1, usd(3.00), usd(1.30), true, et(kDay1Utc, 10, 0));
    j.fill(1, 0, 1, kC505, kSell, 1, usd(1.00), usd(0.00), true, et(kDay1Utc, 10, 0));
    j.mark(et(kDay1Utc, 10, 1), usd(0), usd(50), usd(1.30), 2);
    j.intent(0, IntentAction::kClose, 1, usd(-2.40), {{kC500, kSell}, {kC505, kBuy}}, "exit:profit_target");
    j.order(2, 0, 1, usd(-2.40), {{kC500, kSell}, {kC505, kBuy}}, et(kDay1Utc, 11, 0), 1);
    j.fill(2, 0, 0, kC500, kSell, 1, usd(4.00), usd(1.30), false, et(kDay1Utc, 11, 0));
    j.fill(2, 0, 1, kC505, kBuy, 1, usd(1.50), usd(0.00), false, et(kDay1Utc, 11, 0));
    j.mark(et(kDay1Utc, 11, 1), usd(50), usd(0), usd(2.60), 0);
    j.intent(1, IntentAction::kOpen, 1, usd(-2.00), {{kP490, kSell}}, "test:short_put");
    j.order(3, 1, 1, usd(-2.00), {{kP490, kSell}}, et(kDay1Utc, 12, 0));
    j.fill(3, 1, 0, kP490, kSell, 1, usd(2.00), usd(0.65), true, et(kDay1Utc, 12, 0));
    j.mark(et(kDay1Utc, 12, 1), usd(50), usd(-50), usd(3.25), 1);
    j.intent(1, IntentAction::kClose, 1, usd(3.00), {{kP490, kBuy}}, "exit:stop");
    j.order(4, 1, 1, usd(3.00), {{kP490, kBuy}}, et(kDay1Utc, 13, 0), 3);
    j.fill(4, 1, 0, kP490, kBuy, 1, usd(3.00), usd(0.65), false, et(kDay1Utc, 13, 0));
    j.mark(et(kDay1Utc, 13, 1), usd(-50), usd(0), usd(3.90), 0);
    j.end(et(kDay1Utc, 16, 0));
    if (!j.ok()) return false;
  }
  {
    JournalBuilder j(day2_path, 20260818, et(kDay2Utc, 9, 30));
    j.intent(1, IntentAction::kOpen, 2, usd(-1.50), {{kP495, kSell}}, "test:short_put");
    j.order(1, 1, 2, usd(-1.50), {{kP495, kSell}}, et(kDay2Utc, 10, 0));
    j.fill(1, 1, 0, kP495, kSell, 2, usd(1.50), usd(1.30), true, et(kDay2Utc, 10, 0));
    j.mark(et(kDay2Utc, 10, 1), usd(0), usd(-20), usd(1.30), 1);
    j.intent(1, IntentAction::kOpen, 1, usd(-9.00), {{kP495, kSell}}, "test:fat_finger", RiskReason::kPriceBand);
    j.intent(1, IntentAction::kClose, 2, usd(0.50), {{kP495, kBuy}}, "exit:time");
    j.order(2, 1, 2, usd(0.50), {{kP495, kBuy}}, et(kDay2Utc, 14, 0), 1);
    j.fill(2, 1, 0, kP495, kBuy, 2, usd(0.50), usd(1.30), false, et(kDay2Utc, 14, 0));
    j.mark(et(kDay2Utc, 14, 1), usd(200), usd(0), usd(2.60), 0);
    j.end(et(kDay2Utc, 16, 0));
    if (!j.ok()) return false;
  }
  return true;
}

}  // namespace odte::report_fixture
