#pragma once

// The live ingest half of odted: one feed thread per websocket cluster (stocks, options, indices),
// each running a feeds::WsClient whose frames a FrameParser turns, in place, into MarketEvents
// pushed into that feed's SPSC ring; and FeedEventSource, the core thread's view of those rings as
// one ordered stream (a daemon::EventSource, so the same run loop drives in-process replay,
// replay over websocket and the live modes).
//
// Threads: FeedThreads::start() spawns the feed threads; each is the only producer of its ring.
// FeedEventSource::next() runs on the core thread, the only consumer of every ring. A full ring
// drops the event and counts it (ring_drops); the socket reader never waits on the core.
//
// Merge order:
// - strict (replay over websocket): the next event is the earliest (exchange time, stream) among
//   the heads of all feeds, and a feed that has not finished and has nothing queued is waited for,
//   so the order does not depend on which socket happened to be read first. A feed has finished
//   when its server said "replay_complete" or "replay_ended_early" (odte replay-server's end of a
//   whole recording, or of one that ends in a torn tail) or its client stopped. "replay_failed"
//   (a corrupt recording) is a fatal feed error, like a refused key.
// - latency (live): the earliest among the heads present now; a quiet feed is never waited for.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "odte/core/engine/control.hpp"
#include "odte/core/market/events.hpp"
#include "odte/core/market/instrument_registry.hpp"
#include "odte/core/base/spsc_ring.hpp"
#include "odte/daemon/replay.hpp"

namespace odte::feeds {
class WsClient;
class FrameParser;
class FrameRecorder;
}  // namespace odte::feeds

namespace odte::daemon {

inline constexpr std::size_t kFeedRingCapacity = 1u << 16;
using FeedRing = SpscRing<MarketEvent, kFeedRingCapacity>;

struct FeedEndpoint {
  StreamId stream = StreamId::kStocks;
  std::string url;
  std::string subscriptions;  // comma list sent after auth_success (and after each reconnect)
  std::string ca_file;        // extra CA certificates for wss:// (feed.ca_file); empty: system store
};

// Counters of one feed, written by its feed thread, read by anyone.
struct FeedStats {
  // Written once per frame.
  std::atomic<std::uint64_t> frames{0};
  std::atomic<std::uint64_t> events{0};
  std::atomic<std::uint64_t> parse_errors{0};
  std::atomic<std::uint64_t> ring_drops{0};
  // The parser's counts by feeds::ErrorKind, copied after each frame that had bad input.
  std::array<std::atomic<std::uint64_t>, kFeedErrorKinds> errors_by_kind{};
  // Read by the core thread on every FeedEventSource::next(): a line of their own, so the
  // counters' writes above do not take it away from the core's cache.
  alignas(kFalseSharingRange) std::atomic<bool> finished{false};  // replay_complete received, or the client stopped
  std::atomic<bool> failed{false};      // fatal client error (auth_failed, bad URL, ...)
};
static_assert(offsetof(FeedStats, finished) % kFalseSharingRange == 0 &&
              offsetof(FeedStats, ring_drops) < offsetof(FeedStats, finished));

class FeedThreads {
 public:
  FeedThreads(InstrumentRegistry& registry, std::vector<FeedEndpoint> endpoints, std::string api_key);
  ~FeedThreads();  // stops and joins
  FeedThreads(const FeedThreads&) = delete;
  FeedThreads& operator=(const FeedThreads&) = delete;

  // Before start(): every frame received (data and status) is also handed to `recorder`, feed i
  // to its ring i (FrameRecorder never blocks the feed thread). Null: no recording.
  void set_recorder(feeds::FrameRecorder* recorder) noexcept;
  void start();
  // Any thread; returns after every feed thread has joined.
  void stop();

  [[nodiscard]] std::size_t size() const noexcept { return feeds_.size(); }
  [[nodiscard]] FeedRing& ring(std::size_t i) noexcept;
  [[nodiscard]] const FeedStats& stats(std::size_t i) const noexcept;
  [[nodiscard]] const FeedEndpoint& endpoint(std::size_t i) const noexcept;
  // Adds or removes subscriptions of feed i (comma list), from any thread; sent at once when the
  // feed is streaming and kept for every reconnect.
  void subscribe(std::size_t i, std::string params);
  void unsubscribe(std::size_t i, std::string params);
  // The first fatal error of any feed ("options: auth_failed: ..."), empty if none. Any thread.
  [[nodiscard]] std::string error() const;
  // Where a feed's recording ended short of its end (the replay-server's replay_ended_early:
  // "stocks: FILE: the recording ended early: ..."), empty if none did. Any thread.
  [[nodiscard]] std::string ended_early() const;
  // One info line per feed: frames, events, parse errors, ring drops (for the end of a run).
  void log_stats() const;
  // Core thread (relaxed loads, no lock): each feed's counters, ring depth and connection into
  // the snapshot's entry for its stream, beside what the engine filled.
  void fill_snapshot(CoreSnapshot& s) const noexcept;

  struct Feed;

 private:
  InstrumentRegistry& registry_;
  std::string api_key_;
  std::vector<std::unique_ptr<Feed>> feeds_;
};

class FeedEventSource final : public EventSource {
 public:
  enum class Merge : std::uint8_t { kStrict, kLatency };
  // `idle` runs on the core thread while next() waits for data (at most every `idle_period_ns`
  // of wall time): the daemon services the admin socket and the watchdog there. `stop` ends the
  // stream (after what is queued has been handed out when drain_on_stop).
  FeedEventSource(FeedThreads& feeds, Merge merge, std::function<void()> idle, std::function<bool()> stop,
                  std::int64_t idle_period_ns = 20'000'000);

  // The next event in merge order; false when every feed has finished and its ring is empty, a
  // feed failed fatally (failure() says which and why), or stop() said so (interrupted()).
  bool next(MarketEvent& out) override;
  [[nodiscard]] bool interrupted() const noexcept override { return interrupted_; }
  [[nodiscard]] std::string failure() const override;
  // A feed's recording ended in a torn tail (FeedThreads::ended_early()).
  [[nodiscard]] std::string ended_early() const override;

  [[nodiscard]] std::uint64_t handed_out() const noexcept { return handed_out_; }

  // `hook` runs on the core thread on every pass of next() that finds nothing to hand out, before
  // it yields: cheap work only, no system call (the live loop sends the commands whose journal
  // record has become durable meanwhile). Empty: none.
  void set_wait_hook(std::function<void()> hook) { wait_ = std::move(hook); }

 private:

  FeedThreads& feeds_;
  Merge merge_;
  std::function<void()> idle_;
  std::function<bool()> stop_;
  std::function<void()> wait_;
  std::int64_t idle_period_ns_;
  std::uint64_t handed_out_ = 0;
  bool interrupted_ = false;
  bool failed_ = false;
};

// The subscriptions odted asks each cluster for in replay over websocket: everything the
// recording holds for that cluster.
[[nodiscard]] std::string replay_subscriptions(StreamId stream);

}  // namespace odte::daemon
