// FeedThreads as the operator sees them: the counters, bad input by kind, ring depth and connection
// state that fill_snapshot puts into the core snapshot (odtectl metrics, Prometheus), against a
// real odte replay-server on loopback.

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "odte/daemon/core_services.hpp"
#include "odte/daemon/feed_threads.hpp"
#include "odte/feeds/parser.hpp"
#include "odte/feeds/replay_server.hpp"

namespace odte::daemon {
namespace {

using namespace std::chrono_literals;

constexpr TimestampNs kT0 = 1'764'081'000'000'000'000;  // 2025-11-25 14:30 UTC

std::size_t kind(feeds::ErrorKind k) { return static_cast<std::size_t>(k); }

TEST(FeedThreadsSnapshot, shouldCarryEventsBadInputByKindAndConnectionIntoTheSnapshot) {
  std::vector<feeds::ReplayFrame> frames;
  auto add = [&](std::string data) {
    frames.push_back({kT0 + static_cast<TimestampNs>(frames.size()) * 1'000'000, StreamId::kOptions, std::move(data)});
  };
  add(R"([{"ev":"Q","sym":"O:SPXW251125C06700000","bp":1.1,"ap":1.2,"t":1764081000000}])");
  // Valid JSON the server passes on, bad for the parser: a price as a string, a negative price.
  add(R"([{"ev":"Q","sym":"O:SPXW251125C06700000","bp":"1.1","ap":1.2,"t":1764081000001}])");
  add(R"([{"ev":"Q","sym":"O:SPXW251125C06700000","bp":-1.1,"ap":1.2,"t":1764081000002},)"
      R"({"ev":"Q","sym":"O:SPXW251125P06700000","bp":2.1,"ap":2.3,"t":1764081000002}])");
  add(R"([{"ev":"T","sym":"O:SPXW251125C06700000","p":1.15,"s":3,"t":1764081000003}])");

  feeds::ReplayServerConfig sc;
  sc.api_key = "feed-threads-key";
  sc.speed = 0.0;
  sc.source = feeds::memory_source(std::move(frames));
  sc.log = [](feeds::LogLevel, std::string_view) {};
  feeds::ReplayServer server(std::move(sc));
  ASSERT_FALSE(server.listen());
  server.start();

  InstrumentRegistry registry;
  FeedThreads feeds(registry,
                    {FeedEndpoint{StreamId::kOptions, "ws://127.0.0.1:" + std::to_string(server.port()) + "/options",
                                  replay_subscriptions(StreamId::kOptions), ""}},
                    "feed-threads-key");
  CoreSnapshot before{};
  feeds.fill_snapshot(before);
  EXPECT_FALSE(before.feeds[static_cast<std::size_t>(StreamId::kOptions)].connected);
  feeds.start();
  const auto end = std::chrono::steady_clock::now() + 10s;
  while (!feeds.stats(0).finished.load() && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(2ms);
  ASSERT_TRUE(feeds.stats(0).finished.load()) << "no replay_complete within 10 s";

  CoreSnapshot s{};
  feeds.fill_snapshot(s);
  const FeedSnapshot& o = s.feeds[static_cast<std::size_t>(StreamId::kOptions)];
  EXPECT_EQ(o.events, 3u);  // the good quotes and the trade; nothing consumed the ring
  EXPECT_EQ(o.ring_depth, 3u);
  EXPECT_EQ(o.ring_drops, 0u);
  EXPECT_EQ(o.parse_errors, 2u);
  EXPECT_EQ(o.errors_by_kind[kind(feeds::ErrorKind::kWrongType)], 1u);
  EXPECT_EQ(o.errors_by_kind[kind(feeds::ErrorKind::kBadPrice)], 1u);
  EXPECT_TRUE(o.connected) << "the replay ended but the connection stays up until stop";
  for (int i = 0; i < kStreamCount; ++i) {
    if (i != static_cast<int>(StreamId::kOptions)) {
      EXPECT_EQ(s.feeds[i].events, 0u);
    }
  }

  feeds.stop();
  CoreSnapshot after{};
  feeds.fill_snapshot(after);
  EXPECT_FALSE(after.feeds[static_cast<std::size_t>(StreamId::kOptions)].connected);
  EXPECT_EQ(after.feeds[static_cast<std::size_t>(StreamId::kOptions)].events, 3u);
}

}  // namespace
}  // namespace odte::daemon
