#include "odte/feeds/option_subscriptions.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "odte/feeds/recording_source.hpp"
#include "odte/feeds/subscription.hpp"

namespace {

namespace fs = std::filesystem;
using odte::OptionRight;
using odte::Price;
using odte::feeds::OptionSubscriptionConfig;
using odte::feeds::OptionSubscriptionDiff;
using odte::feeds::OptionSubscriptionManager;
using odte::feeds::OptionSubsError;
using odte::options::OccContract;

constexpr std::int32_t kExpiry = 20260720;

OccContract contract(const char* root, OptionRight right, Price strike, std::int32_t expiry = kExpiry) {
  OccContract c;
  std::strncpy(c.root, root, sizeof c.root - 1);
  c.expiry_yyyymmdd = expiry;
  c.right = right;
  c.strike = strike;
  return c;
}

// Calls and puts for every strike in [first, last] dollars, `step` apart.
void add_chain(std::vector<OccContract>& out, const char* root, long first, long last, long step) {
  for (long k = first; k <= last; k += step) {
    out.push_back(contract(root, OptionRight::kCall, Price::from_dollars(k)));
    out.push_back(contract(root, OptionRight::kPut, Price::from_dollars(k)));
  }
}

OptionSubscriptionConfig config_for(std::vector<std::string> roots, std::size_t cap, std::uint32_t recentre = 2) {
  OptionSubscriptionConfig cfg;
  for (auto& r : roots) cfg.roots.push_back({std::move(r), {}});
  cfg.cap = cap;
  cfg.recentre_strikes = recentre;
  return cfg;
}

std::string q(const char* root, char right, long dollars) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "Q.O:%s260720%c%08ld", root, right, dollars * 1000);
  return buf;
}

// Applies a diff to the subscribed set the way the daemon sends it (unsubscribe, then subscribe),
// checking the cap after each step and that nothing is removed that was not there or added twice.
void apply(std::set<std::string>& live, const OptionSubscriptionDiff& d, std::size_t cap) {
  for (const auto& e : d.unsubscribe) ASSERT_EQ(live.erase(e), 1u) << e;
  ASSERT_LE(live.size(), cap);
  for (const auto& e : d.subscribe) ASSERT_TRUE(live.insert(e).second) << e;
  ASSERT_LE(live.size(), cap);
}

std::set<std::string> as_set(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

TEST(OptionSubscriptionManagerTest, shouldPutNearestStrikesFirstWithCallAndPutTogether) {
  std::vector<OccContract> chain;
  add_chain(chain, "SPY", 90, 110, 1);
  OptionSubscriptionManager m;
  ASSERT_TRUE(m.load(config_for({"SPY"}, 6), chain).ok());
  OptionSubscriptionDiff d;
  ASSERT_TRUE(m.update_root("SPY", *Price::parse("100.2"), d).ok());
  const std::vector<std::string> want = {q("SPY", 'C', 100), q("SPY", 'P', 100), q("SPY", 'C', 101),
                                         q("SPY", 'P', 101), q("SPY", 'C', 99),  q("SPY", 'P', 99)};
  EXPECT_EQ(d.subscribe, want);
  EXPECT_TRUE(d.unsubscribe.empty());
  EXPECT_EQ(d.recentred, 1u);
  EXPECT_EQ(m.entries(), want);
  EXPECT_EQ(m.centre_strike(0), Price::from_dollars(100));
}

TEST(OptionSubscriptionManagerTest, shouldBreakDistanceTiesTowardTheLowerStrike) {
  std::vector<OccContract> chain;
  add_chain(chain, "SPY", 90, 110, 1);
  OptionSubscriptionManager m;
  ASSERT_TRUE(m.load(config_for({"SPY"}, 4), chain).ok());
  OptionSubscriptionDiff d;
  ASSERT_TRUE(m.update_root("SPY", *Price::parse("100.5"), d).ok());
  EXPECT_EQ(m.entries(), (std::vector<std::string>{q("SPY", 'C', 100), q("SPY", 'P', 100), q("SPY", 'C', 101),
                                                   q("SPY", 'P', 101)}));
}

// With trades, every contract in the window is subscribed twice -- quotes, then trades -- and both
// count against the cap: at the same cap the window is half as wide.
TEST(OptionSubscriptionManagerTest, shouldSubscribeTradesBesideQuotesWithinTheCap) {
  std::vector<OccContract> chain;
  add_chain(chain, "SPY", 90, 110, 1);
  for (const bool trades : {false, true}) {
    SCOPED_TRACE(trades ? "trades" : "quotes only");
    OptionSubscriptionConfig cfg = config_for({"SPY"}, 8);
    cfg.trades = trades;
    OptionSubscriptionManager m;
    ASSERT_TRUE(m.load(cfg, chain).ok());
    EXPECT_EQ(m.slots_per_contract(), trades ? 2u : 1u);
    OptionSubscriptionDiff d;
    ASSERT_TRUE(m.update_root("SPY", Price::from_dollars(100), d).ok());
    if (trades) {
      // Two strikes (100, 99) x call and put x quotes and trades = the 8 slots.
      EXPECT_EQ(d.subscribe, (std::vector<std::string>{q("SPY", 'C', 100), "T." + q("SPY", 'C', 100).substr(2),
                                                       q("SPY", 'P', 100), "T." + q("SPY", 'P', 100).substr(2),
                                                       q("SPY", 'C', 99), "T." + q("SPY", 'C', 99).substr(2),
                                                       q("SPY", 'P', 99), "T." + q("SPY", 'P', 99).substr(2)}));
    } else {
      EXPECT_EQ(d.subscribe.size(), 8u);  // four strikes of quotes
      EXPECT_TRUE(std::none_of(d.subscribe.begin(), d.subscribe.end(), [](const std::string& e) { return e[0] == 'T'; }));
    }
    EXPECT_EQ(m.size(), 8u);
    // Re-centred: the trades leave and come with their quotes, never over the cap.
    std::set<std::string> live = as_set(d.subscribe);
    OptionSubscriptionDiff d2;
    ASSERT_TRUE(m.update_root("SPY", Price::from_dollars(105), d2).ok());
    apply(live, d2, 8);
    EXPECT_EQ(live, as_set(m.entries()));
  }
}

// The replay server serves what the entries ask for: an option's trades only to a subscriber of
// its "T.O:" entry -- the chain volume the volume exit reads.
TEST(OptionSubscriptionManagerTest, shouldGetOptionTradesFromTheReplayServerOnlyWhenSubscribed) {
  std::vector<OccContract> chain;
  add_chain(chain, "SPY", 99, 101, 1);
  const std::string trade = R"([{"ev":"T","sym":"O:SPY260720C00100000","x":5,"p":1.25,"s":3,"t":1784553000000,"q":7}])";
  for (const bool trades : {false, true}) {
    OptionSubscriptionConfig cfg = config_for({"SPY"}, 100);
    cfg.trades = trades;
    OptionSubscriptionManager m;
    ASSERT_TRUE(m.load(cfg, chain).ok());
    OptionSubscriptionDiff d;
    ASSERT_TRUE(m.update_root("SPY", Price::from_dollars(100), d).ok());
    odte::feeds::SubscriptionSet subs;
    ASSERT_EQ(subs.add(odte::feeds::join_params(d.subscribe)), 0u);
    std::string out;
    EXPECT_EQ(odte::feeds::filter_frame(trade, subs, out),
              trades ? odte::feeds::FilterResult::kWhole : odte::feeds::FilterResult::kNone);
  }
}

class CapTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(CapTest, shouldNeverSubscribeMoreThanTheCap) {
  const std::size_t cap = GetParam();
  std::vector<OccContract> chain;
  add_chain(chain, "SPXW", 4000, 8000, 5);  // 1602 contracts
  add_chain(chain, "SPY", 400, 800, 1);     // 802 contracts
  for (const bool trades : {false, true}) {
  SCOPED_TRACE(trades ? "with trades" : "quotes only");
  OptionSubscriptionConfig cfg = config_for({"SPXW", "SPY"}, cap);
  cfg.trades = trades;
  OptionSubscriptionManager m;
  ASSERT_TRUE(m.load(cfg, chain).ok());
  EXPECT_LE(m.budget(0) + m.budget(1), cap);
  std::set<std::string> live;
  std::mt19937 rng(7);
  std::uniform_int_distribution<long> spx(3900, 8100), spy(390, 810);
  for (int step = 0; step < 200; ++step) {
    OptionSubscriptionDiff d;
    ASSERT_TRUE(m.update_underlying("I:SPX", Price::from_dollars(spx(rng)), d).ok());
    ASSERT_TRUE(m.update_underlying("SPY", Price::from_dollars(spy(rng)), d).ok());
    apply(live, d, cap);
    ASSERT_EQ(live, as_set(m.entries()));
    ASSERT_LE(m.size(), cap);
  }
  }
}

INSTANTIATE_TEST_SUITE_P(Caps, CapTest, ::testing::Values(1u, 2u, 3u, 7u, 10u, 999u, 1000u, 5000u));

// ---- pins: legs of open positions and working orders stay subscribed --------------------------

std::string occ(const char* root, char right, long dollars) { return q(root, right, dollars).substr(2); }  // "O:..."

TEST(OptionSubscriptionManagerTest, shouldKeepPinnedLegsWhenTheWindowMovesAwayAndUnpinThemWhenFlat) {
  std::vector<OccContract> chain;
  add_chain(chain, "SPY", 90, 110, 1);
  OptionSubscriptionManager m;
  ASSERT_TRUE(m.load(config_for({"SPY"}, 10, 2), chain).ok());
  std::set<std::string> live;
  OptionSubscriptionDiff d;
  ASSERT_TRUE(m.update_root("SPY", Price::from_dollars(100), d).ok());  // 98..102
  apply(live, d, 10);

  // A strangle's legs inside the window: pinned, nothing to send.
  d.clear();
  const std::vector<std::string> legs{occ("SPY", 'C', 102), occ("SPY", 'P', 98)};
  const auto pinned = m.set_pins(legs, d);
  EXPECT_EQ(pinned.pinned, 2u);
  EXPECT_EQ(pinned.added, 2u);
  EXPECT_TRUE(pinned.refused.empty());
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(m.pinned(), 2u);

  // SPY runs to 106: the window follows with the 8 slots the pins leave (104..107), the legs stay.
  d.clear();
  ASSERT_TRUE(m.update_root("SPY", Price::from_dollars(106), d).ok());
  EXPECT_EQ(d.unsubscribe, (std::vector<std::string>{q("SPY", 'C', 98), q("SPY", 'C', 99), q("SPY", 'P', 99),
                                                     q("SPY", 'C', 100), q("SPY", 'P', 100), q("SPY", 'C', 101),
                                                     q("SPY", 'P', 101), q("SPY", 'P', 102)}));
  EXPECT_EQ(d.subscribe, (std::vector<std::string>{q("SPY", 'C', 106), q("SPY", 'P', 106), q("SPY", 'C', 105),
                                                   q("SPY", 'P', 105), q("SPY", 'C', 107), q("SPY", 'P', 107),
                                                   q("SPY", 'C', 104), q("SPY", 'P', 104)}));
  apply(live, d, 10);
  EXPECT_EQ(live, as_set(m.entries()));
  EXPECT_TRUE(live.count(q("SPY", 'C', 102)) == 1 && live.count(q("SPY", 'P', 98)) == 1);
  EXPECT_EQ(m.size(), 10u);
  // entries(): the pins outside the window first (ascending), then the window nearest first.
  EXPECT_EQ(m.entries().front(), q("SPY", 'P', 98));
  EXPECT_EQ(m.entries()[1], q("SPY", 'C', 102));

  // Flat: the pins go, and the window takes its whole budget again around the last price.
  d.clear();
  const auto flat = m.set_pins({}, d);
  EXPECT_EQ(flat.pinned, 0u);
  EXPECT_EQ(flat.removed, 2u);
  EXPECT_EQ(d.unsubscribe, (std::vector<std::string>{q("SPY", 'P', 98), q("SPY", 'C', 102)}));
  EXPECT_EQ(d.subscribe, (std::vector<std::string>{q("SPY", 'C', 108), q("SPY", 'P', 108)}));
  apply(live, d, 10);
  EXPECT_EQ(live, as_set(m.entries()));
  EXPECT_EQ(m.size(), 10u);
}

TEST(OptionSubscriptionManagerTest, shouldSubscribeAPinOutsideTheWindowAtOnceAndNarrowTheWindowForIt) {
  std::vector<OccContract> chain;
  add_chain(chain, "SPY", 90, 110, 1);
  for (const bool trades : {false, true}) {
    SCOPED_TRACE(trades ? "with trades" : "quotes only");
    OptionSubscriptionConfig cfg = config_for({"SPY"}, trades ? 20 : 10, 2);
    cfg.trades = trades;
    OptionSubscriptionManager m;
    ASSERT_TRUE(m.load(cfg, chain).ok());
    std::set<std::string> live;
    OptionSubscriptionDiff d;
    ASSERT_TRUE(m.update_root("SPY", Price::from_dollars(100), d).ok());  // 98..102
    apply(live, d, cfg.cap);
    d.clear();
    const std::vector<std::string> far{occ("SPY", 'C', 109)};
    EXPECT_EQ(m.set_pins(far, d).pinned, 1u);
    // The window gives up its farthest strike (102) for the pin.
    std::vector<std::string> out{q("SPY", 'C', 102)}, in{q("SPY", 'C', 109)};
    if (trades) out.push_back("T.O:SPY260720C00102000");
    out.push_back(q("SPY", 'P', 102));
    if (trades) {
      out.push_back("T.O:SPY260720P00102000");
      in.push_back("T.O:SPY260720C00109000");
    }
    EXPECT_EQ(d.unsubscribe, out);
    EXPECT_EQ(d.subscribe, in);
    apply(live, d, cfg.cap);
    EXPECT_EQ(live, as_set(m.entries()));
    EXPECT_EQ(m.size(), cfg.cap - (trades ? 2u : 1u));
  }
}

TEST(OptionSubscriptionManagerTest, shouldSubscribePinsBeforeTheFirstPriceAndTheWindowAfterIt) {
  std::vector<OccContract> chain;
  add_chain(chain, "SPY", 90, 110, 1);
  OptionSubscriptionManager m;
  ASSERT_TRUE(m.load(config_for({"SPY"}, 10, 2), chain).ok());
  std::set<std::string> live;
  OptionSubscriptionDiff d;
  const std::vector<std::string> restored{"O:SPY260720P00095000", "SPY   260720C00105000"};  // any OCC spelling
  EXPECT_EQ(m.set_pins(restored, d).pinned, 2u);
  EXPECT_EQ(d.subscribe, (std::vector<std::string>{q("SPY", 'P', 95), q("SPY", 'C', 105)}));
  apply(live, d, 10);
  d.clear();
  ASSERT_TRUE(m.update_root("SPY", Price::from_dollars(100), d).ok());  // 8 slots: 99..102
  EXPECT_TRUE(d.unsubscribe.empty());
  EXPECT_EQ(d.subscribe.size(), 8u);
  apply(live, d, 10);
  EXPECT_EQ(live, as_set(m.entries()));
  EXPECT_EQ(m.size(), 10u);
}

TEST(OptionSubscriptionManagerTest, shouldRefusePinsItCannotHonourSayingWhy) {
  std::vector<OccContract> chain;
  add_chain(chain, "SPY", 90, 110, 1);
  OptionSubscriptionManager m;
  ASSERT_TRUE(m.load(config_for({"SPY"}, 2, 2), chain).ok());
  OptionSubscriptionDiff d;
  const std::vector<std::string> pins{occ("SPY", 'C', 100), occ("SPY", 'P', 100), occ("SPY", 'C', 101),
                                      "O:SPXW260720C05600000", "O:SPY260721C00100000", occ("SPY", 'C', 200), "junk",
                                      occ("SPY", 'C', 100)};
  const auto r = m.set_pins(pins, d);
  EXPECT_EQ(r.pinned, 2u) << "the cap of 2 holds two; a duplicate is one";
  ASSERT_EQ(r.refused.size(), 5u);
  const auto refused = [&](const std::string& fragment) {
    return std::any_of(r.refused.begin(), r.refused.end(),
                       [&](const std::string& line) { return line.find(fragment) != std::string::npos; });
  };
  EXPECT_TRUE(refused("O:SPY260720C00101000: over the 2 subscription slots of SPY (feed.max_option_contracts)"));
  EXPECT_TRUE(refused("O:SPXW260720C05600000: its root SPXW is not subscribed (feed.underlyings)"));
  EXPECT_TRUE(refused("O:SPY260721C00100000: expires on 20260721, the subscriptions are for 20260720"));
  EXPECT_TRUE(refused("O:SPY260720C00200000: not among today's listed contracts"));
  EXPECT_TRUE(refused("junk: not an OCC symbol"));
  EXPECT_EQ(m.size(), 2u);
  d.clear();
  ASSERT_TRUE(m.update_root("SPY", Price::from_dollars(105), d).ok());
  EXPECT_TRUE(d.empty()) << "no slot left for a window";
  EXPECT_EQ(m.size(), 2u);
}

// Random prices and pin sets on two roots: never over the cap, at any step of a diff, and every
// accepted pin is subscribed.
TEST(OptionSubscriptionManagerTest, shouldKeepPinsSubscribedAndStayWithinTheCapThroughRandomMoves) {
  std::vector<OccContract> chain;
  add_chain(chain, "SPXW", 5000, 6000, 5);
  add_chain(chain, "SPY", 500, 700, 1);
  for (const bool trades : {false, true}) {
    SCOPED_TRACE(trades ? "with trades" : "quotes only");
    OptionSubscriptionConfig cfg = config_for({"SPXW", "SPY"}, 60, 1);
    cfg.trades = trades;
    OptionSubscriptionManager m;
    ASSERT_TRUE(m.load(cfg, chain).ok());
    std::set<std::string> live;
    std::mt19937 rng(11);
    std::uniform_int_distribution<long> spx(5000, 6000), spy(500, 700), n(0, 6), coin(0, 1);
    for (int step = 0; step < 300; ++step) {
      OptionSubscriptionDiff d;
      if (step % 7 == 0) {
        std::vector<std::string> pins;
        for (long i = n(rng); i > 0; --i) {
          char buf[64];
          if (coin(rng) != 0) {
            std::snprintf(buf, sizeof buf, "O:SPXW260720%c%08ld", coin(rng) != 0 ? 'C' : 'P', spx(rng) / 5 * 5 * 1000);
          } else {
            std::snprintf(buf, sizeof buf, "O:SPY260720%c%08ld", coin(rng) != 0 ? 'C' : 'P', spy(rng) * 1000);
          }
          pins.emplace_back(buf);
        }
        const auto r = m.set_pins(pins, d);
        ASSERT_TRUE(r.refused.empty()) << r.refused.front();
        apply(live, d, cfg.cap);
        for (const std::string& p : pins) ASSERT_EQ(live.count("Q." + p), 1u) << p;
        d.clear();
      }
      ASSERT_TRUE(m.update_underlying("I:SPX", Price::from_dollars(spx(rng)), d).ok());
      ASSERT_TRUE(m.update_underlying("SPY", Price::from_dollars(spy(rng)), d).ok());
      apply(live, d, cfg.cap);
      ASSERT_EQ(live, as_set(m.entries()));
      ASSERT_LE(m.size(), cfg.cap);
    }
  }
}

TEST(OptionSubscriptionManagerTest, shouldShareTheCapEquallyBetweenLargeChains) {
  std::vector<OccContract> chain;
  add_chain(chain, "SPXW", 4000, 8000, 5);  // 1602 contracts
  add_chain(chain, "SPY", 300, 900, 1);     // 1202 contracts
  OptionSubscriptionManager m;
  ASSERT_TRUE(m.load(config_for({"SPXW", "SPY"}, 1000), chain).ok());
  EXPECT_EQ(m.budget(0), 500u);
  EXPECT_EQ(m.budget(1), 500u);
  OptionSubscriptionDiff d;
  ASSERT_TRUE(m.update_underlying("I:SPX", Price::from_dollars(6700), d).ok());
  ASSERT_TRUE(m.update_underlying("SPY", Price::from_dollars(670), d).ok());
  EXPECT_EQ(d.subscribe.size(), 1000u);
  EXPECT_EQ(m.size(), 1000u);
  const auto all = m.entries();
  EXPECT_EQ(std::count_if(all.begin(), all.end(), [](const std::string& e) { return e.rfind("Q.O:SPXW", 0) == 0; }),
            500);
  EXPECT_EQ(all.front(), q("SPXW", 'C', 6700));  // roots in configuration order
  EXPECT_EQ(all[500], q("SPY", 'C', 670));
}

TEST(OptionSubscriptionManagerTest, shouldGiveUnusedSlotsOfASmallChainToTheOtherRoot) {
  std::vector<OccContract> chain;
  add_chain(chain, "SPXW", 6000, 7000, 5);  // 402 contracts
  add_chain(chain, "SPY", 300, 900, 1);     // 1202 contracts
  OptionSubscriptionManager m;
  ASSERT_TRUE(m.load(config_for({"SPXW", "SPY"}, 1000), chain).ok());
  EXPECT_EQ(m.budget(0), 402u);
  EXPECT_EQ(m.budget(1), 598u);
}

TEST(OptionSubscriptionManagerTest, shouldGiveTheRemainderToRootsInConfigurationOrder) {
  std::vector<OccContract> chain;
  add_chain(chain, "SPXW", 6000, 7000, 5);
  add_chain(chain, "SPY", 300, 900, 1);
  OptionSubscriptionManager m;
  ASSERT_TRUE(m.load(config_for({"SPY", "SPXW"}, 7), chain).ok());
  EXPECT_EQ(m.budget(0), 4u);  // SPY
  EXPECT_EQ(m.budget(1), 3u);  // SPXW: one strike (2 contracts) fits, the odd slot stays free
  OptionSubscriptionDiff d;
  ASSERT_TRUE(m.update_underlying("I:SPX", Price::from_dollars(6500), d).ok());
  ASSERT_TRUE(m.update_underlying("SPY", Price::from_dollars(650), d).ok());
  EXPECT_EQ(m.size(), 6u);
}

TEST(OptionSubscriptionManagerTest, shouldRecentreWithUnsubscribeFirstWhenThePriceMovesUpThenDown) {
  std::vector<OccContract> chain;
  add_chain(chain, "SPY", 90, 110, 1);
  OptionSubscriptionManager m;
  ASSERT_TRUE(m.load(config_for({"SPY"}, 10, 2), chain).ok());
  std::set<std::string> live;
  OptionSubscriptionDiff d;
  ASSERT_TRUE(m.update_root("SPY", Price::from_dollars(100), d).ok());  // 98..102
  apply(live, d, 10);

  d.clear();
  ASSERT_TRUE(m.update_root("SPY", Price::from_dollars(102), d).ok());  // 100..104
  EXPECT_EQ(d.recentred, 1u);
  EXPECT_EQ(d.unsubscribe,
            (std::vector<std::string>{q("SPY", 'C', 98), q("SPY", 'P', 98), q("SPY", 'C', 99), q("SPY", 'P', 99)}));
  EXPECT_EQ(d.subscribe, (std::vector<std::string>{q("SPY", 'C', 103), q("SPY", 'P', 103), q("SPY", 'C', 104),
                                                   q("SPY", 'P', 104)}));
  apply(live, d, 10);
  EXPECT_EQ(live, as_set(m.entries()));

  d.clear();
  ASSERT_TRUE(m.update_root("SPY", Price::from_dollars(97), d).ok());  // 95..99: disjoint
  EXPECT_EQ(d.unsubscribe.size(), 10u);
  EXPECT_EQ(d.unsubscribe.front(), q("SPY", 'C', 100));
  EXPECT_EQ(d.subscribe.size(), 10u);
  EXPECT_EQ(d.subscribe.front(), q("SPY", 'C', 97));
  apply(live, d, 10);
  EXPECT_EQ(live, as_set(m.entries()));
}

TEST(OptionSubscriptionManagerTest, shouldIgnoreMovesSmallerThanTheHysteresis) {
  std::vector<OccContract> chain;
  add_chain(chain, "SPY", 90, 110, 1);
  OptionSubscriptionManager m;
  ASSERT_TRUE(m.load(config_for({"SPY"}, 10, 2), chain).ok());
  OptionSubscriptionDiff d;
  ASSERT_TRUE(m.update_root("SPY", Price::from_dollars(100), d).ok());
  const auto before = m.entries();
  for (const char* p : {"100.9", "99.2", "101.49", "98.51", "100"}) {
    d.clear();
    ASSERT_TRUE(m.update_root("SPY", *Price::parse(p), d).ok());
    EXPECT_TRUE(d.empty()) << p;
    EXPECT_EQ(d.recentred, 0u) << p;
  }
  EXPECT_EQ(m.entries(), before);
  d.clear();
  ASSERT_TRUE(m.update_root("SPY", *Price::parse("101.6"), d).ok());  // ATM 102: two strikes away
  EXPECT_EQ(d.recentred, 1u);
  EXPECT_EQ(m.centre_strike(0), Price::from_dollars(102));
}

TEST(OptionSubscriptionManagerTest, shouldNotChurnWhenTheWholeChainFits) {
  std::vector<OccContract> chain;
  add_chain(chain, "SPY", 95, 105, 1);
  OptionSubscriptionManager m;
  ASSERT_TRUE(m.load(config_for({"SPY"}, 1000, 1), chain).ok());
  OptionSubscriptionDiff d;
  ASSERT_TRUE(m.update_root("SPY", Price::from_dollars(100), d).ok());
  EXPECT_EQ(d.subscribe.size(), 22u);
  d.clear();
  ASSERT_TRUE(m.update_root("SPY", Price::from_dollars(104), d).ok());
  EXPECT_EQ(d.recentred, 1u);
  EXPECT_TRUE(d.empty());
}

TEST(OptionSubscriptionManagerTest, shouldUpdateEveryRootFollowingAnUnderlying) {
  std::vector<OccContract> chain;
  add_chain(chain, "SPX", 6000, 7000, 25);
  add_chain(chain, "SPXW", 6000, 7000, 5);
  OptionSubscriptionManager m;
  ASSERT_TRUE(m.load(config_for({"SPX", "SPXW"}, 20), chain).ok());
  EXPECT_EQ(m.underlying(0), "I:SPX");
  EXPECT_EQ(m.underlying(1), "I:SPX");
  OptionSubscriptionDiff d;
  ASSERT_TRUE(m.update_underlying("I:SPX", Price::from_dollars(6512), d).ok());
  EXPECT_EQ(d.recentred, 2u);
  EXPECT_EQ(m.centre_strike(0), Price::from_dollars(6500));
  EXPECT_EQ(m.centre_strike(1), Price::from_dollars(6510));
  EXPECT_EQ(m.size(), 20u);
}

TEST(OptionSubscriptionManagerTest, shouldGiveTheSameEntriesForShuffledInputWithDuplicates) {
  std::vector<OccContract> chain;
  add_chain(chain, "SPXW", 6000, 7000, 5);
  add_chain(chain, "SPY", 600, 700, 1);
  std::vector<OccContract> shuffled = chain;
  shuffled.insert(shuffled.end(), chain.begin(), chain.begin() + 50);
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(42));
  OptionSubscriptionManager a, b;
  ASSERT_TRUE(a.load(config_for({"SPXW", "SPY"}, 300), chain).ok());
  ASSERT_TRUE(b.load(config_for({"SPXW", "SPY"}, 300), shuffled).ok());
  EXPECT_EQ(b.listed(0), a.listed(0));
  OptionSubscriptionDiff da, db;
  for (long spx : {6500L, 6530L, 6480L}) {
    ASSERT_TRUE(a.update_underlying("I:SPX", Price::from_dollars(spx), da).ok());
    ASSERT_TRUE(b.update_underlying("I:SPX", Price::from_dollars(spx), db).ok());
    ASSERT_TRUE(a.update_underlying("SPY", Price::from_dollars(spx / 10), da).ok());
    ASSERT_TRUE(b.update_underlying("SPY", Price::from_dollars(spx / 10), db).ok());
  }
  EXPECT_EQ(da.subscribe, db.subscribe);
  EXPECT_EQ(da.unsubscribe, db.unsubscribe);
  EXPECT_EQ(a.entries(), b.entries());
}

TEST(OptionSubscriptionManagerTest, shouldLoadFromTickersInAnyOccSpelling) {
  const std::vector<std::string> tickers = {"O:SPY260720C00100000", "SPY   260720P00100000", "SPY260720C00101000"};
  OptionSubscriptionManager m;
  ASSERT_TRUE(m.load(config_for({"SPY"}, 10), tickers).ok());
  EXPECT_EQ(m.listed(0), 3u);
  OptionSubscriptionDiff d;
  ASSERT_TRUE(m.update_root("SPY", Price::from_dollars(100), d).ok());
  EXPECT_EQ(odte::feeds::join_params(d.subscribe), "Q.O:SPY260720C00100000,Q.O:SPY260720P00100000,Q.O:SPY260720C00101000");
}

TEST(OptionSubscriptionManagerTest, shouldRejectBadInputWithAClearError) {
  std::vector<OccContract> chain;
  add_chain(chain, "SPY", 90, 110, 1);
  OptionSubscriptionManager m;
  auto expect_error = [](const odte::feeds::OptionSubsStatus& st, OptionSubsError e, const char* word) {
    EXPECT_EQ(st.error, e) << st.message;
    EXPECT_NE(st.message.find(word), std::string::npos) << st.message;
  };
  expect_error(m.load(config_for({"SPY"}, 0), chain), OptionSubsError::kCapZero, "cap");
  expect_error(m.load(config_for({}, 10), chain), OptionSubsError::kNoRoots, "root");
  expect_error(m.load(config_for({"SPY"}, 10), std::span<const OccContract>{}), OptionSubsError::kNoContracts, "empty");
  expect_error(m.load(config_for({"SPXW"}, 10), chain), OptionSubsError::kUnknownRoot, "SPY");
  expect_error(m.load(config_for({"SPY", "SPXW"}, 10), chain), OptionSubsError::kRootWithoutContracts, "SPXW");
  expect_error(m.load(config_for({"SPY", "SPY"}, 10), chain), OptionSubsError::kBadRoot, "twice");
  expect_error(m.load(config_for({"spy"}, 10), chain), OptionSubsError::kBadRoot, "spy");
  expect_error(m.load(config_for({"ABC"}, 10), chain), OptionSubsError::kBadRoot, "underlying");
  expect_error(m.load(config_for({"SPY"}, 10), std::vector<std::string>{"O:SPY260720X00100000"}),
               OptionSubsError::kBadSymbol, "SPY260720X");
  auto mixed = chain;
  mixed.push_back(contract("SPY", OptionRight::kCall, Price::from_dollars(100), 20260721));
  expect_error(m.load(config_for({"SPY"}, 10), mixed), OptionSubsError::kWrongExpiry, "20260720");
  auto cfg = config_for({"SPY"}, 10);
  cfg.expiry_yyyymmdd = 20260721;
  expect_error(m.load(cfg, chain), OptionSubsError::kWrongExpiry, "20260721");

  OptionSubscriptionDiff d;
  expect_error(m.update_root("SPY", Price::from_dollars(100), d), OptionSubsError::kNotLoaded, "load");
  ASSERT_TRUE(m.load(config_for({"SPY"}, 10), chain).ok());
  expect_error(m.update_root("SPXW", Price::from_dollars(100), d), OptionSubsError::kUnknownRoot, "SPXW");
  expect_error(m.update_underlying("I:SPX", Price::from_dollars(100), d), OptionSubsError::kUnknownUnderlying,
               "I:SPX");
  expect_error(m.update_root("SPY", Price::invalid(), d), OptionSubsError::kBadPrice, "price");
  expect_error(m.update_root("SPY", Price::zero(), d), OptionSubsError::kBadPrice, "price");
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(odte::feeds::to_string(OptionSubsError::kUnknownRoot), "unknown_root");
}

// ---- real data: a Cboe SPY 0DTE chain ----------------------------------------------------------

struct RealChain {
  std::vector<OccContract> contracts;
  std::vector<Price> spots;  // in file order, consecutive repeats dropped
};

// The chain of a recording made by `odte import spy-chains`: a contract per option quote, the
// spot of each snapshot from its SPY reference print.
RealChain read_chain(const fs::path& file) {
  RealChain out;
  odte::InstrumentRegistry registry(8192);
  odte::feeds::RecordingEventSource source(registry);
  EXPECT_EQ(source.open(file.string()), "");
  odte::MarketEvent e{};
  while (source.next(e)) {
    const std::string_view sym = registry.get(e.header.instrument).symbol_view();
    if (sym == "SPY" && e.kind() == odte::EventKind::kTrade) {
      if (out.spots.empty() || out.spots.back() != e.trade.price) out.spots.push_back(e.trade.price);
    } else if (e.kind() == odte::EventKind::kQuote) {
      const auto parsed = odte::options::parse_occ(sym);
      if (!parsed.ok() || parsed.contract.root_view() != "SPY" || parsed.contract.expiry_yyyymmdd != kExpiry) {
        ADD_FAILURE() << "unexpected quote: " << sym;
        continue;
      }
      out.contracts.push_back(parsed.contract);
    }
  }
  EXPECT_EQ(source.error(), "");
  return out;
}

TEST(OptionSubscriptionManagerRealData, shouldFollowARealSpyDayWithinTheCap) {
  // The quick start's day, imported from ../shared/data/spy-0dte-chains-cboe (data/replay/SOURCES.txt).
  const fs::path file = fs::path(ODTE_SOURCE_DIR) / "data" / "replay" / "spy-0dte-2026-07-20.odr";
  ASSERT_TRUE(fs::exists(file)) << "the quick start's recorded day is missing: " << file;
  const RealChain chain = read_chain(file);
  ASSERT_FALSE(chain.contracts.empty());
  ASSERT_GT(chain.spots.size(), 1u);

  // A synthetic SPXW chain shares the cap, as in the daemon.
  std::vector<OccContract> all = chain.contracts;
  add_chain(all, "SPXW", 6500, 8000, 5);

  constexpr std::size_t kCap = 120;
  OptionSubscriptionManager m;
  const auto st = m.load(config_for({"SPXW", "SPY"}, kCap, 2), all);
  ASSERT_TRUE(st.ok()) << st.message;
  ASSERT_EQ(m.budget(0) + m.budget(1), kCap);
  std::set<std::string> distinct;
  for (const auto& c : chain.contracts) {
    char buf[odte::options::kOccMaxText];
    ASSERT_GT(odte::options::format_occ(c, odte::options::OccStyle::kCompact, buf, sizeof buf), 0u);
    distinct.insert(buf);
  }
  EXPECT_EQ(m.listed(1), distinct.size());

  std::set<std::string> live;
  std::size_t recentres = 0;
  for (const Price spot : chain.spots) {
    OptionSubscriptionDiff d;
    ASSERT_TRUE(m.update_underlying("SPY", spot, d).ok());
    ASSERT_TRUE(m.update_underlying("I:SPX", Price::from_ticks(spot.ticks() * 10), d).ok());
    recentres += d.recentred;
    apply(live, d, kCap);
    ASSERT_EQ(live, as_set(m.entries()));
    // The strike at the money is always subscribed (hysteresis of 2 strikes, window of ~30).
    const Price atm = spot.round_to(Price::from_dollars(1));
    EXPECT_EQ(live.count(q("SPY", 'C', atm.ticks() / Price::kScale)), 1u) << "spot " << spot.to_string();
  }
  std::printf("real SPY day: %zu contracts, %zu spot changes, %zu re-centrings (both roots)\n",
              m.listed(1), chain.spots.size(), recentres);
  // Two centring passes at the start, then far fewer re-centrings than price changes.
  EXPECT_GE(recentres, 2u);
  EXPECT_LT(recentres, chain.spots.size());
  EXPECT_LE(m.size(), kCap);
}

}  // namespace
