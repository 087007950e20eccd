#include "odte/strategies/short_strangle.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>

#include "odte/core/journal/journal.hpp"

#include "odte/strategies/factory.hpp"
#include "real_day.hpp"
#include "synthetic_chain.hpp"

namespace odte::strategies {
namespace {

using namespace price_literals;
using namespace odte::testing_sim;
namespace real = odte::testing_real;
namespace fs = std::filesystem;

// ---- a real recorded day, the seed's three deltas -------------------------------------------

constexpr const char* kDay = "2026-07-24";

// The short strangle is undefined risk: the engine refuses it unless allowed. These runs allow it
// with a 2% stress and the whole account as the cap, so the decisions, not the cap, are tested.
void allow_strangles(RiskLimits& l, ExitRules&) {
  l.allow_undefined_risk = true;
  l.undefined_risk_stress = 0.02;
  l.max_risk_fraction = 1.0;
}

// The seed's sizing as shipped (premium_per_day 0.048, equity_per_share 75: 1,333 shares of the
// seed's unit on the harness's 100,000 of equity); hedge "report" so the decisions alone are tested
// (the recording has no SPY quotes for a hedge; ShortStrangleRealDayHedgeTest).
std::string params(double delta, const std::string& legs = "both", const std::string& hedge = "report") {
  return "target_delta = " + std::to_string(delta) + "\nlegs = \"" + legs + "\"\nhedge = \"" + hedge +
         "\"\nmax_quantity = 20\nentry_time = \"09:45\"\nexit_time = \"15:45\"\nprice_slack = 0.05\n";
}
constexpr double kEquity = 100'000.0;     // EngineConfig's default equity, the harness's
constexpr double kEquityPerShare = 75.0;  // the seed: 100,000 / 75 shares

std::vector<std::unique_ptr<Strategy>> one(const std::string& p) {
  std::vector<std::unique_ptr<Strategy>> s;
  s.push_back(make_strategy("short_strangle", p, 0, "test"));
  return s;
}

class ShortStrangleRealDayTest : public ::testing::TestWithParam<double> {};

TEST_P(ShortStrangleRealDayTest, shouldSellTheStranglesAtTheTargetDeltaSizedByPremiumPerDay) {
  const double target = GetParam();
  const auto snaps = real::read_snapshots(real::chain_recording(kDay));
  ASSERT_GE(snaps.size(), 3u) << "committed recording missing or unreadable: " << real::chain_recording(kDay);
  // By hand: the strategy decides on its timer at 09:45:00, on the last snapshot at or before it
  // (its SPY print and its quotes), t to 16:00 from 09:45:00.
  constexpr int kEntry = 9 * 60 + 45;
  const real::Snapshot* e = real::last_at_or_before(snaps, kEntry);
  ASSERT_TRUE(e != nullptr);
  const real::Snapshot& quotes = *e;
  const double seconds_left = (16 * 60 - kEntry) * 60.0;
  const double t = seconds_left / 60.0 / 525'600.0;
  struct Pick { double strike = 0, gap = 1e9, mid = 0; };
  Pick put, call;
  for (const auto& r : quotes.rows) {
    if (!(r.bid > 0 && r.ask >= r.bid)) continue;
    const bool is_call = r.right == 'C';
    if (is_call ? r.strike < e->spot : r.strike > e->spot) continue;
    const double mid = 0.5 * (r.bid + r.ask);
    options::BsmInput in{is_call ? OptionRight::kCall : OptionRight::kPut, e->spot, r.strike, t, 0, 0, 0};
    const auto iv = options::implied_vol(in, mid);
    if (!iv.ok()) continue;
    in.sigma = iv.iv;
    const double gap = std::fabs(std::fabs(options::bsm_greeks(in).delta) - target);
    Pick& p = is_call ? call : put;
    if (gap < p.gap || (gap == p.gap && is_call && r.strike > p.strike)) p = Pick{r.strike, gap, mid};
  }
  ASSERT_GT(put.strike, 0.0);
  ASSERT_GT(call.strike, 0.0);
  const double day_fraction = std::min(1.0, seconds_left / 60.0 / 390.0);
  const double want = std::min(20.0, std::round(kEquity / kEquityPerShare / 100.0 * 0.048 * day_fraction / (put.mid + call.mid)));

  const real::DayRun run = real::replay_day(kDay, one(params(target)), "strangle-" + std::to_string(target), allow_strangles);
  ASSERT_TRUE(run.ok) << run.error;
  std::printf("short_strangle %s delta %.2f: entry %02d:%02d spot %.2f, put %.0f call %.0f, premium %.2f, x%.0f\n", kDay,
              target, kEntry / 60, kEntry % 60, e->spot, put.strike, call.strike, put.mid + call.mid, want);
  if (want < 1.0) {
    EXPECT_TRUE(run.orders.empty());
    EXPECT_TRUE(run.noted("under one, not trading today"));
    return;
  }
  std::string notes;
  for (const auto& n : run.notes) notes += n + "\n";
  ASSERT_GE(run.orders.size(), 1u) << run.final_state << notes;
  const Order& open = run.orders[0];
  EXPECT_EQ(run.order_minutes[0], kEntry);
  ASSERT_EQ(open.leg_count, 2);
  EXPECT_EQ(run.leg_symbols[0][0], real::occ(kDay, 'C', call.strike));
  EXPECT_EQ(run.leg_symbols[0][1], real::occ(kDay, 'P', put.strike));
  EXPECT_EQ(open.legs[0].side, Side::kSell);
  EXPECT_EQ(open.legs[1].side, Side::kSell);
  EXPECT_EQ(open.quantity, static_cast<std::uint32_t>(want));
  EXPECT_LT(open.limit, Price::zero());
  // The exit at 15:45:00 is decided on the last snapshot at or before it: buying the two short legs
  // back needs an offer on each (a leg bid at zero is still offered); without one no closing order
  // can be priced -- the strangle is held to settlement, and the strategy says so.
  constexpr int kExit = 15 * 60 + 45;
  const real::Snapshot* x = real::last_at_or_before(snaps, kExit);
  ASSERT_NE(x, nullptr);
  const real::Row* xc = x->find('C', call.strike);
  const real::Row* xp = x->find('P', put.strike);
  const bool closable = xc != nullptr && xp != nullptr && xc->ask > 0 && xp->ask > 0;
  if (closable) {
    ASSERT_GE(run.orders.size(), 2u) << run.final_state << notes;
    EXPECT_EQ(run.order_minutes[1], kExit);
    EXPECT_EQ(run.orders[1].legs[0].side, Side::kBuy);
  } else {
    EXPECT_EQ(run.orders.size(), 1u) << notes;
    EXPECT_TRUE(run.noted("could not send the closing order at the exit time")) << notes;
  }
}

INSTANTIATE_TEST_SUITE_P(SeedDeltas, ShortStrangleRealDayTest, ::testing::Values(0.10, 0.30, 0.50));

// The seed's put-only and call-only variants on the real day: one leg, the strike nearest the
// target delta (by hand from the last snapshot at or before 09:45, as above), sized on that
// leg's premium alone.
class ShortStrangleRealDayLegTest : public ::testing::TestWithParam<char> {};

TEST_P(ShortStrangleRealDayLegTest, shouldSellOneLegSizedOnItsOwnPremium) {
  const char right = GetParam();
  const auto snaps = real::read_snapshots(real::chain_recording(kDay));
  ASSERT_GE(snaps.size(), 3u) << "committed recording missing or unreadable: " << real::chain_recording(kDay);
  // At 09:45:00 on the last snapshot at or before it (its spot and quotes), t from 09:45:00.
  const real::Snapshot* e = real::last_at_or_before(snaps, 9 * 60 + 45);
  ASSERT_TRUE(e != nullptr);
  const double seconds_left = (16 * 60 - (9 * 60 + 45)) * 60.0;
  const double t = seconds_left / 60.0 / 525'600.0;
  double strike = 0, gap = 1e9, mid = 0, bid = 0;
  for (const auto& r : e->rows) {
    if (r.right != right || !(r.bid > 0 && r.ask >= r.bid)) continue;
    if (right == 'C' ? r.strike < e->spot : r.strike > e->spot) continue;
    const double m = 0.5 * (r.bid + r.ask);
    options::BsmInput in{right == 'C' ? OptionRight::kCall : OptionRight::kPut, e->spot, r.strike, t, 0, 0, 0};
    const auto iv = options::implied_vol(in, m);
    if (!iv.ok()) continue;
    in.sigma = iv.iv;
    const double g = std::fabs(std::fabs(options::bsm_greeks(in).delta) - 0.10);
    if (g < gap || (g == gap && right == 'C' && r.strike > strike)) {
      strike = r.strike;
      gap = g;
      mid = m;
      bid = r.bid;
    }
  }
  ASSERT_GT(strike, 0.0);
  double want = std::min(20.0, std::round(kEquity / kEquityPerShare / 100.0 * 0.048 *
                                          std::min(1.0, seconds_left / 60.0 / 390.0) / mid));
  // A naked put's loss is bounded (the strike less the credit, at zero): the risk engine holds it
  // against the cap (allow_strangles: the whole 100,000), and the strategy sells what fits. The
  // credit: the better of the bid and mid - 0.05, up to the cent.
  if (right == 'P') {
    const double credit = std::ceil(std::max(bid, mid - 0.05) * 100.0 - 1e-9) / 100.0;
    want = std::min(want, std::floor(kEquity / ((strike - credit) * 100.0)));
  }
  const real::DayRun run = real::replay_day(kDay, one(params(0.10, right == 'C' ? "call" : "put")),
                                            std::string("strangle-leg-") + right, allow_strangles);
  ASSERT_TRUE(run.ok) << run.error;
  std::printf("short_strangle %s %s only, delta 0.10: %.0f, premium %.2f, x%.0f\n", kDay, right == 'C' ? "call" : "put",
              strike, mid, want);
  ASSERT_GE(want, 1.0) << "the 0.10-delta single leg sizes to at least one contract on this day";
  ASSERT_GE(run.orders.size(), 1u) << run.final_state;
  EXPECT_EQ(run.order_minutes[0], 9 * 60 + 45);
  ASSERT_EQ(run.orders[0].leg_count, 1);
  EXPECT_EQ(run.leg_symbols[0][0], real::occ(kDay, right, strike));
  EXPECT_EQ(run.orders[0].legs[0].side, Side::kSell);
  EXPECT_EQ(run.orders[0].quantity, static_cast<std::uint32_t>(want));
}

INSTANTIATE_TEST_SUITE_P(SeedVariants, ShortStrangleRealDayLegTest, ::testing::Values('P', 'C'));

// The seed's per-day chain record: the implied forward (put-call parity where |C - P| is smallest)
// and the single-expiry variance swap rate, noted at entry. The forward is checked by hand from
// the quotes the strategy saw (the last snapshot at or before 09:45), t to 16:00 and r = 0.
TEST(ShortStrangleRealDayRecordTest, shouldNoteTheImpliedForwardAndVarianceSwapRateOfTheDay) {
  const auto snaps = real::read_snapshots(real::chain_recording(kDay));
  ASSERT_GE(snaps.size(), 3u) << "committed recording missing or unreadable: " << real::chain_recording(kDay);
  const real::Snapshot* e = real::last_at_or_before(snaps, 9 * 60 + 45);
  ASSERT_TRUE(e != nullptr);
  double best = 1e9, forward = 0;
  for (const auto& c : e->rows) {
    if (c.right != 'C' || !(c.bid > 0)) continue;
    const real::Row* p = e->find('P', c.strike);
    if (p == nullptr || !(p->bid > 0)) continue;
    const double diff = 0.5 * (c.bid + c.ask) - 0.5 * (p->bid + p->ask);
    if (std::fabs(diff) < best) {
      best = std::fabs(diff);
      forward = c.strike + diff;
    }
  }
  ASSERT_GT(forward, 0.0);
  const real::DayRun run = real::replay_day(kDay, one(params(0.10)), "strangle-record", allow_strangles);
  ASSERT_TRUE(run.ok) << run.error;
  std::string record;
  for (const auto& n : run.notes) {
    if (n.find("day record 20260724: implied forward ") != std::string::npos) record = n;
  }
  ASSERT_FALSE(record.empty()) << run.final_state;
  std::printf("%s\n", record.c_str());
  char want[64];
  std::snprintf(want, sizeof want, "implied forward %.4f,", forward);
  EXPECT_NE(record.find(want), std::string::npos) << record;
  EXPECT_NE(record.find("variance swap rate 0."), std::string::npos) << record;
}

// ---- the day record journaled (type 17, variance_swap) --------------------------------------

// The Cboe VIX white-paper method for one expiry, written here from the rows of the recording
// (not through options::variance_swap_rate): r = 0, so the discount is 1.
struct ByHand {
  double forward = 0, k0 = 0, variance = 0, bid_variance = 0, ask_variance = 0;
  int puts = 0, calls = 0;
};
ByHand cboe_by_hand(const std::map<double, std::array<double, 4>>& chain, double t) {
  // chain: strike -> {call bid, call ask, put bid, put ask}; -1 = no usable quote.
  std::vector<double> k;
  std::vector<std::array<double, 4>> q;
  for (const auto& [strike, quote] : chain) {
    k.push_back(strike);
    q.push_back(quote);
  }
  const auto quoted = [](double bid, double ask) { return bid > 0 && ask >= bid; };
  const auto both = [&](std::size_t i) { return quoted(q[i][0], q[i][1]) && quoted(q[i][2], q[i][3]); };
  ByHand out;
  double best = 1e18;
  for (std::size_t i = 0; i < k.size(); ++i) {
    if (!both(i)) continue;
    const double diff = 0.5 * (q[i][0] + q[i][1]) - 0.5 * (q[i][2] + q[i][3]);
    if (std::fabs(diff) < best) {
      best = std::fabs(diff);
      out.forward = k[i] + diff;
    }
  }
  std::size_t k0 = 0;
  for (std::size_t i = 0; i < k.size() && k[i] <= out.forward; ++i) k0 = i;
  out.k0 = k[k0];
  std::vector<std::size_t> used;  // ascending strikes: OTM puts, K0, OTM calls
  for (std::size_t i = k0, misses = 0; i-- > 0 && misses < 2;) {
    if (quoted(q[i][2], q[i][3])) {
      used.push_back(i);
      misses = 0;
    } else {
      ++misses;
    }
  }
  std::reverse(used.begin(), used.end());
  out.puts = static_cast<int>(used.size());
  used.push_back(k0);
  for (std::size_t i = k0 + 1, misses = 0; i < k.size() && misses < 2; ++i) {
    if (quoted(q[i][0], q[i][1])) {
      used.push_back(i);
      misses = 0;
    } else {
      ++misses;
    }
  }
  out.calls = static_cast<int>(used.size()) - out.puts - 1;
  const auto rate = [&](int side) {  // 0 mid, 1 bid, 2 ask
    const auto price = [side](double bid, double ask) { return side == 1 ? bid : side == 2 ? ask : 0.5 * (bid + ask); };
    double sum = 0;
    for (std::size_t j = 0; j < used.size(); ++j) {
      const std::size_t i = used[j];
      const double dk = j == 0 ? k[used[1]] - k[i]
                        : j + 1 == used.size() ? k[i] - k[used[j - 1]]
                                               : 0.5 * (k[used[j + 1]] - k[used[j - 1]]);
      const double value = i == k0 ? 0.5 * (price(q[i][0], q[i][1]) + price(q[i][2], q[i][3]))
                           : i < k0 ? price(q[i][2], q[i][3])
                                    : price(q[i][0], q[i][1]);
      sum += dk / (k[i] * k[i]) * value;
    }
    const double dev = out.forward / out.k0 - 1.0;
    return 2.0 / t * sum - dev * dev / t;
  };
  out.variance = rate(0);
  out.bid_variance = rate(1);
  out.ask_variance = rate(2);
  return out;
}

std::vector<JournalVarianceSwap> variance_records(const std::string& journal) {
  JournalReader reader;
  const JournalScan scan = reader.read(journal);
  std::vector<JournalVarianceSwap> out;
  for (const JournalRecord& r : scan.records) {
    if (r.type != JournalRecordType::kVarianceSwap) continue;
    JournalVarianceSwap v{};
    EXPECT_TRUE(r.read_pod(v));
    out.push_back(v);
  }
  return out;
}

// At its 09:45 decision the strategy journals one variance_swap record: the 0DTE chain's implied
// forward and its mid, bid and ask variance swap rates, equal to the method computed here from
// the chain's quotes as the engine held them at 09:45:00 (each contract's last quote at or before
// it; a quote without a bid is no quote), t = 375 minutes over 525,600.
TEST(ShortStrangleRealDayRecordTest, shouldJournalTheForwardAndVarianceSwapRatesOfTheChainAtTheDecision) {
  const auto snaps = real::read_snapshots(real::chain_recording(kDay));
  ASSERT_GE(snaps.size(), 3u) << "committed recording missing or unreadable: " << real::chain_recording(kDay);
  const real::Snapshot* e = real::last_at_or_before(snaps, 9 * 60 + 45);
  ASSERT_TRUE(e != nullptr);
  std::map<double, std::array<double, 4>> chain;
  for (const real::Snapshot& s : snaps) {
    for (const real::Row& r : s.rows) {
      auto& q = chain.try_emplace(r.strike, std::array<double, 4>{-1, -1, -1, -1}).first->second;
      const bool usable = r.bid > 0 && r.ask >= r.bid;
      const std::size_t at = r.right == 'C' ? 0 : 2;
      q[at] = usable ? r.bid : -1;
      q[at + 1] = usable ? r.ask : -1;
    }
    if (&s == e) break;
  }
  const double t = (16 * 60 - (9 * 60 + 45)) / 525'600.0;
  const ByHand want = cboe_by_hand(chain, t);
  ASSERT_GT(want.forward, 0.0);
  ASSERT_GT(want.puts + want.calls, 0);

  const real::DayRun run = real::replay_day(kDay, one(params(0.10)), "strangle-record-journal", allow_strangles);
  ASSERT_TRUE(run.ok) << run.error;
  const auto records = variance_records((testing_day::work_dir() / "strangle-record-journal.odj").string());
  ASSERT_EQ(records.size(), 1u) << "one day record";
  const JournalVarianceSwap& v = records[0];
  std::printf("%s day record: forward %.6f (by hand %.6f), variance %.9f / bid %.9f / ask %.9f (by hand %.9f / %.9f / "
              "%.9f), %u puts + %u calls of %u strikes\n",
              kDay, v.forward, want.forward, v.variance, v.bid_variance, v.ask_variance, want.variance,
              want.bid_variance, want.ask_variance, v.puts, v.calls, v.strikes);
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.bid_status, 0);
  EXPECT_EQ(v.ask_status, 0);
  EXPECT_EQ(v.strategy, 0);
  EXPECT_STREQ(v.underlying, "SPY");
  EXPECT_STREQ(v.root, "SPY");
  EXPECT_EQ(v.expiry_yyyymmdd, 20260724);
  EXPECT_EQ(v.at_ns, options::local_to_utc_ns(20260724, 9 * 60 + 45));
  EXPECT_NEAR(v.years, t, 1e-12);
  EXPECT_NEAR(v.forward, want.forward, 1e-9);
  EXPECT_NEAR(v.k0, want.k0, 1e-9);
  EXPECT_NEAR(v.variance, want.variance, 1e-9);
  EXPECT_NEAR(v.bid_variance, want.bid_variance, 1e-9);
  EXPECT_NEAR(v.ask_variance, want.ask_variance, 1e-9);
  EXPECT_LT(v.bid_variance, v.variance);
  EXPECT_LT(v.variance, v.ask_variance);
  EXPECT_EQ(static_cast<int>(v.puts), want.puts);
  EXPECT_EQ(static_cast<int>(v.calls), want.calls);
  EXPECT_EQ(v.strikes, chain.size());
}

// The record is the day's, not the trade's: under the shipped defaults (no undefined risk
// allowed, so the strangle is refused) it is journaled all the same. A replay stopped after it and
// resumed verifies it instead of writing it again: one record, the same journal bytes.
TEST(ShortStrangleRealDayRecordTest, shouldJournalTheRecordOnceUnderTheDefaultsAndNotAgainWhenResumed) {
  const fs::path recording = real::chain_recording(kDay);
  ASSERT_TRUE(fs::exists(recording)) << testing_day::missing(recording);
  auto run = [&](const std::string& tag, bool fresh, int stop_minute) {
    InstrumentRegistry registry(8192);
    daemon::RecordingEvents events(registry);
    EXPECT_EQ(events.open(recording.string()), "");
    daemon::ReplaySetup setup = testing_day::day_setup(events.trading_day(), events.utc_offset_minutes(), "scratch");
    setup.journal_path = (testing_day::work_dir() / (tag + ".odj")).string();
    if (fresh) fs::remove(setup.journal_path);
    const int offset = events.utc_offset_minutes();
    if (stop_minute > 0) {
      setup.after_event = [stop_minute, offset](std::uint64_t, Engine& engine, bool) {
        const std::int64_t m = minute_of(engine.market_state().market_time()) + offset;
        return ((m % 1440) + 1440) % 1440 < stop_minute;
      };
    }
    return daemon::run_replay(setup, registry, one(""), events);
  };
  const auto full = run("strangle-record-full", true, 0);
  ASSERT_TRUE(full.ok) << full.error;
  const auto full_records = variance_records((testing_day::work_dir() / "strangle-record-full.odj").string());
  ASSERT_EQ(full_records.size(), 1u);
  EXPECT_EQ(full_records[0].status, 0);
  const auto partial = run("strangle-record-resumed", true, 10 * 60 + 30);
  ASSERT_TRUE(partial.ok) << partial.error;
  ASSERT_EQ(variance_records((testing_day::work_dir() / "strangle-record-resumed.odj").string()).size(), 1u)
      << "stopped after the 09:45 decision";
  const auto resumed = run("strangle-record-resumed", false, 0);
  ASSERT_TRUE(resumed.ok) << resumed.error;
  EXPECT_EQ(resumed.verified_records, partial.written_records);
  const auto records = variance_records((testing_day::work_dir() / "strangle-record-resumed.odj").string());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(std::memcmp(&records[0], &full_records[0], sizeof records[0]), 0);
}

TEST(ShortStrangleDeterminismTest, shouldWriteTheSameJournalBytesOnEveryRun) {
  const real::DayRun a = real::replay_day(kDay, one(params(0.10)), "strangle-a", allow_strangles);
  const real::DayRun b = real::replay_day(kDay, one(params(0.10)), "strangle-b", allow_strangles);
  ASSERT_TRUE(a.ok) << a.error;
  ASSERT_TRUE(b.ok) << b.error;
  EXPECT_GT(a.journal_bytes.size(), 1000u);
  EXPECT_TRUE(a.journal_bytes == b.journal_bytes);
}

// hedge = "send" on the real day: the chain recording has SPY prints (the snapshot's spot) and no
// SPY quotes, so the hedge cannot be priced. The strategy says so and sends no stock order; the
// spot is never turned into a quote.
TEST(ShortStrangleRealDayHedgeTest, shouldSayItCannotPriceTheHedgeWithoutSpyQuotes) {
  const real::DayRun run = real::replay_day(
      kDay, one(params(0.10, "both", "send") + "hedge_band_shares = 1.0\nhedge_interval_minutes = 1\n"),
      "strangle-hedge-send", allow_strangles);
  ASSERT_TRUE(run.ok) << run.error;
  ASSERT_GE(run.orders.size(), 1u);
  EXPECT_EQ(run.orders[0].state, OrderState::kFilled);
  EXPECT_TRUE(run.noted("no two-sided SPY quote to price it"));
  for (const auto& legs : run.leg_symbols) {
    for (const auto& sym : legs) EXPECT_NE(sym, "SPY");
  }
}

// ---- edge cases on a synthetic chain ---------------------------------------------------------

class ShortStrangleTest : public ::testing::Test {
 protected:
  void build(ShortStrangleParams p, bool allow) {
    EngineConfig cfg = Sim::default_config();
    if (allow) {
      ExitRules unused;
      allow_strangles(cfg.risk, unused);
    }
    std::vector<std::unique_ptr<Strategy>> s;
    auto strat = std::make_unique<ShortStrangleStrategy>(0, p);
    strat_ = strat.get();
    s.push_back(std::move(strat));
    sim_ = std::make_unique<Sim>(std::move(s), cfg);
    spy_ = sim_->symbol("SPY");
    chain_.list(*sim_);
    sim_->start(at(9, 30));
  }
  void open_at(double spot) {
    sim_->trade(spy_, at(9, 44), Price::from_double(spot));
    chain_.quote(*sim_, at(9, 44, 1), spot, 0.20);
    sim_->trade(spy_, at(9, 45), Price::from_double(spot));
    sim_->trade(spy_, at(9, 46), Price::from_double(spot));
  }
  std::unique_ptr<Sim> sim_;
  ShortStrangleStrategy* strat_ = nullptr;
  InstrumentId spy_ = kNoInstrument;
  SyntheticChain chain_;
};

TEST_F(ShortStrangleTest, shouldBeRefusedAsUndefinedRiskUnlessTheOperatorAllowsIt) {
  build({}, false);
  open_at(500.0);
  EXPECT_EQ(strat_->state(), StrategyState::kDone);
  EXPECT_TRUE(sim_->commands().empty());
  EXPECT_EQ(sim_->engine().risk().rejections(RiskReason::kUndefinedRisk), 1u);
  EXPECT_TRUE(sim_->noted("needs [risk] allow_undefined_risk = true"));
}

TEST_F(ShortStrangleTest, shouldNoteTheHedgeItWouldSendWhenDeltaLeavesTheBand) {
  ShortStrangleParams p;
  p.target_delta = 0.30;
  p.equity_per_share = 5.0;  // 100,000 / 5 = 20,000 shares: 200 of the seed's one-share units per contract
  p.hedge = HedgeMode::kReport;
  p.hedge_interval_minutes = 1;
  build(p, true);
  open_at(500.0);
  ASSERT_EQ(strat_->state(), StrategyState::kInPosition);
  EXPECT_EQ(strat_->hedges_wanted(), 0u);
  // SPY rallies three dollars: the short call's delta grows, the position is short delta.
  sim_->trade(spy_, at(10, 0), 503_usd);
  chain_.quote(*sim_, at(10, 0, 1), 503.0, 0.20);
  sim_->trade(spy_, at(10, 1), 503_usd);
  sim_->trade(spy_, at(10, 2), 503_usd);
  EXPECT_LT(strat_->net_delta_shares(), -p.hedge_band_shares);
  EXPECT_GE(strat_->hedges_wanted(), 1u);
  EXPECT_TRUE(sim_->noted("delta hedge wanted: buy "));
  EXPECT_TRUE(sim_->noted("not sent (hedge = \"report\")"));
  EXPECT_EQ(sim_->commands().size(), 1u);  // reported, never sent
}

// hedge = "send": the SPY hedge is a real order through risk and the paper broker, booked at
// multiplier 1, marked to the SPY NBBO mid, flattened by the operator's flatten.
class ShortStrangleHedgeTest : public ShortStrangleTest {
 protected:
  void SetUp() override {
    ShortStrangleParams p;
    p.target_delta = 0.30;
    p.equity_per_share = 5.0;
    p.hedge = HedgeMode::kSend;
    p.hedge_interval_minutes = 1;
    build(p, true);
    open_at(500.0);
    ASSERT_EQ(strat_->state(), StrategyState::kInPosition);
  }
  void spy_quote(TimestampNs t, Price bid, Price ask) {
    sim_->event(MarketEvent::make_quote(spy_, StreamId::kStocks, t, t, bid, 5000, ask, 5000));
  }
  // SPY rallies to 503 with a 503.00 x 503.02 quote: the short call's delta grows, the position
  // is short delta beyond the band, and the 10:01 timer sends the hedge.
  void rally() {
    spy_quote(at(10, 0), 503_usd, Price::from_double(503.02));
    sim_->trade(spy_, at(10, 0), 503_usd);
    chain_.quote(*sim_, at(10, 0, 1), 503.0, 0.20);
    sim_->trade(spy_, at(10, 1), 503_usd);
  }
};

TEST_F(ShortStrangleHedgeTest, shouldSendTheHedgeAndFillItAgainstTheSpyQuote) {
  rally();
  ASSERT_EQ(strat_->hedges_sent(), 1u);
  const double wanted = -strat_->net_delta_shares();
  ASSERT_GT(wanted, 50.0);
  const auto shares = static_cast<std::uint32_t>(std::lround(wanted));
  ASSERT_EQ(sim_->commands().size(), 2u);  // the strangle, the hedge
  const OrderCommand& h = sim_->commands()[1];
  ASSERT_EQ(h.leg_count, 1);
  EXPECT_EQ(h.legs[0].instrument, spy_);
  EXPECT_EQ(h.legs[0].side, Side::kBuy);
  EXPECT_EQ(h.legs[0].unit, kLegShares);
  EXPECT_EQ(h.quantity, shares);
  EXPECT_EQ(h.limit, Price::from_double(503.07));  // the 503.02 offer + 0.05 slack
  EXPECT_EQ(h.opening, 0);
  EXPECT_EQ(h.short_sale, 0);  // a buy
  EXPECT_TRUE(sim_->noted("delta hedge sent: buy " + std::to_string(shares) + " SPY"));

  // 50 ms later the paper broker fills it at the offer. Then SPY is quoted 504.00 x 504.02.
  spy_quote(at(10, 1, 1), 503_usd, Price::from_double(503.02));
  const Position* pos = sim_->engine().book().find(0, spy_);
  ASSERT_NE(pos, nullptr);
  EXPECT_EQ(pos->quantity, static_cast<std::int64_t>(shares));
  EXPECT_EQ(pos->multiplier, 1u);
  EXPECT_EQ(pos->open_cost, Price::from_double(503.02) * static_cast<std::int64_t>(shares));
  EXPECT_EQ(pos->fees, Price::zero());  // the paper broker's per-share fees default to zero
  spy_quote(at(10, 1, 2), 504_usd, Price::from_double(504.02));
  sim_->pump(at(10, 1, 2));
  // Marked to the mid 504.01: unrealized = (504.01 - 503.02) x shares.
  EXPECT_EQ(pos->mark, Price::from_double(504.01));
  EXPECT_EQ(pos->unrealized(), Price::from_double(0.99) * static_cast<std::int64_t>(shares));

  // The operator flattens: the strangle is bought back and the shares sold at the 504.00 bid.
  ControlCommand flatten{};
  flatten.kind = ControlKind::kFlatten;
  (void)sim_->engine().on_control(flatten, at(10, 1, 3));
  sim_->pump(at(10, 1, 3));
  spy_quote(at(10, 1, 4), 504_usd, Price::from_double(504.02));
  const OrderCommand& flat = sim_->commands().back();
  ASSERT_EQ(flat.leg_count, 1);
  EXPECT_EQ(flat.legs[0].side, Side::kSell);
  EXPECT_EQ(flat.short_sale, 0);  // sells the shares the hedge bought: covered, a plain sell
  EXPECT_EQ(flat.quantity, shares);
  EXPECT_EQ(pos->quantity, 0);
  // Realized = (504.00 - 503.02) x shares, to the cent.
  EXPECT_EQ(pos->realized, Price::from_double(0.98) * static_cast<std::int64_t>(shares));
  EXPECT_EQ(pos->unrealized(), Price::zero());
}

// SPY sells off to 497: the short put's delta makes the position long delta, so the hedge sells
// SPY the strategy (and the account) does not hold: a short sale (Reg SHO), marked by the engine,
// filled as a sell, booked short; the flattening buy-back is a plain buy.
TEST_F(ShortStrangleHedgeTest, shouldSendTheHedgeSaleOfSharesNotHeldAsAShortSale) {
  spy_quote(at(10, 0), 497_usd, Price::from_double(497.02));
  sim_->trade(spy_, at(10, 0), 497_usd);
  chain_.quote(*sim_, at(10, 0, 1), 497.0, 0.20);
  sim_->trade(spy_, at(10, 1), 497_usd);
  ASSERT_EQ(strat_->hedges_sent(), 1u);
  ASSERT_EQ(sim_->commands().size(), 2u);
  const OrderCommand& h = sim_->commands()[1];
  ASSERT_EQ(h.leg_count, 1);
  EXPECT_EQ(h.legs[0].instrument, spy_);
  EXPECT_EQ(h.legs[0].side, Side::kSell);
  EXPECT_EQ(h.short_sale, 1);
  const auto shares = static_cast<std::int64_t>(h.quantity);
  spy_quote(at(10, 1, 1), 497_usd, Price::from_double(497.02));
  const Position* pos = sim_->engine().book().find(0, spy_);
  ASSERT_NE(pos, nullptr);
  EXPECT_EQ(pos->quantity, -shares);
  sim_->trade(spy_, at(15, 45), 497_usd);
  spy_quote(at(15, 45, 1), 497_usd, Price::from_double(497.02));
  ASSERT_EQ(sim_->commands().size(), 4u);
  EXPECT_EQ(sim_->commands()[3].legs[0].side, Side::kBuy);
  EXPECT_EQ(sim_->commands()[3].short_sale, 0);
  EXPECT_EQ(pos->quantity, 0);
}

TEST_F(ShortStrangleHedgeTest, shouldHaveTheHedgeRefusedWhenKilled) {
  ControlCommand kill{};
  kill.kind = ControlKind::kKill;
  (void)sim_->engine().on_control(kill, at(9, 59));
  rally();
  EXPECT_EQ(strat_->hedges_sent(), 0u);
  EXPECT_GE(strat_->hedges_wanted(), 1u);
  EXPECT_EQ(sim_->engine().risk().rejections(RiskReason::kKillSwitch), 1u);
  EXPECT_TRUE(sim_->noted("delta hedge refused by risk: kill_switch"));
  EXPECT_EQ(sim_->commands().size(), 1u);  // the strangle only
  EXPECT_EQ(sim_->engine().book().find(0, spy_), nullptr);
}

TEST_F(ShortStrangleHedgeTest, shouldFlattenTheHedgeAtTheExitTime) {
  rally();
  ASSERT_EQ(sim_->commands().size(), 2u);
  const auto shares = static_cast<std::int64_t>(sim_->commands()[1].quantity);
  spy_quote(at(10, 1, 1), 503_usd, Price::from_double(503.02));
  const Position* pos = sim_->engine().book().find(0, spy_);
  ASSERT_NE(pos, nullptr);
  ASSERT_EQ(pos->quantity, shares);
  // SPY still at 503 at the 15:45 exit (the next event): the strangle is bought back against the
  // 10:00 option quotes and the shares sold at the 503.00 bid.
  sim_->trade(spy_, at(15, 45), 503_usd);
  spy_quote(at(15, 45, 1), 503_usd, Price::from_double(503.02));
  EXPECT_EQ(sim_->commands()[2].leg_count, 2);  // the strangle's close
  ASSERT_EQ(sim_->commands().size(), 4u);
  EXPECT_EQ(sim_->commands()[3].legs[0].instrument, spy_);
  EXPECT_EQ(sim_->commands()[3].legs[0].side, Side::kSell);
  EXPECT_EQ(pos->quantity, 0);
  // Bought at the 503.02 offer, sold at the 503.00 bid: two cents a share.
  EXPECT_EQ(pos->realized, Price::from_double(-0.02) * shares);
  EXPECT_EQ(strat_->state(), StrategyState::kDone);
}

TEST_F(ShortStrangleTest, shouldNoteOnceAndNotTradeWithoutAChain) {
  std::vector<std::unique_ptr<Strategy>> s;
  auto strat = std::make_unique<ShortStrangleStrategy>(0, ShortStrangleParams{});
  ShortStrangleStrategy* raw = strat.get();
  s.push_back(std::move(strat));
  Sim sim(std::move(s));
  const InstrumentId spy = sim.symbol("SPY");
  sim.start(at(9, 30));
  for (int m = 0; m < 90; ++m) sim.trade(spy, at(9, 31 + m), 500_usd);
  EXPECT_EQ(raw->state(), StrategyState::kMissingInput);
  int notes = 0;
  for (const auto& n : sim.engine().notes()) notes += n.find("0DTE chain") != std::string::npos ? 1 : 0;
  EXPECT_EQ(notes, 1);
}

TEST_F(ShortStrangleTest, shouldNotTradeWhenSizingGivesLessThanOneStrangle) {
  ShortStrangleParams p;
  p.target_delta = 0.50;
  p.equity_per_share = 1000.0;  // 100 shares: one contract of the seed's unit, 0.046 of premium against a ~1.5 straddle
  build(p, true);
  open_at(500.0);
  EXPECT_EQ(strat_->state(), StrategyState::kDone);
  EXPECT_TRUE(sim_->commands().empty());
  EXPECT_TRUE(sim_->noted("under one, not trading today"));
}

}  // namespace
}  // namespace odte::strategies
