#include "odte/daemon/feed_threads.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>

#include "odte/core/base/agent.hpp"
#include "odte/core/base/clock.hpp"
#include "odte/feeds/frame_recorder.hpp"
#include "odte/feeds/json_scan.hpp"
#include "odte/feeds/parser.hpp"
#include "odte/feeds/ws_client.hpp"

namespace odte::daemon {

namespace {

std::string_view stream_name(StreamId s) noexcept {
  switch (s) {
    case StreamId::kStocks: return "stocks";
    case StreamId::kOptions: return "options";
    case StreamId::kIndices: return "indices";
    case StreamId::kReplay: return "replay";
  }
  return "unknown";
}

static_assert(kFeedErrorKinds == feeds::kErrorKindCount, "FeedSnapshot holds one count per feeds::ErrorKind");

}  // namespace

struct FeedThreads::Feed {
  FeedEndpoint endpoint;
  std::unique_ptr<FeedRing> ring = std::make_unique<FeedRing>();
  FeedStats stats;
  std::unique_ptr<feeds::FrameParser> parser;
  std::unique_ptr<feeds::WsClient> client;
  std::thread thread;
  feeds::FrameRecorder* recorder = nullptr;  // set before start()
  std::size_t index = 0;
  mutable std::mutex error_mutex;  // cold path: written once when the client gives up or the replay ends short
  std::string error;
  std::string ended_early;  // under error_mutex: the replay-server's replay_ended_early message
};

std::string replay_subscriptions(StreamId stream) {
  switch (stream) {
    case StreamId::kIndices: return "V.*,A.*,AM.*";
    case StreamId::kStocks:
    case StreamId::kOptions:
    case StreamId::kReplay: break;
  }
  return "T.*,Q.*,A.*,AM.*";
}

FeedThreads::FeedThreads(InstrumentRegistry& registry, std::vector<FeedEndpoint> endpoints, std::string api_key)
    : registry_{registry}, api_key_{std::move(api_key)} {
  for (FeedEndpoint& ep : endpoints) {
    auto feed = std::make_unique<Feed>();
    feed->endpoint = std::move(ep);
    feed->parser = std::make_unique<feeds::FrameParser>(registry_);
    Feed* f = feed.get();

    feeds::WsClientConfig wc;
    wc.url = f->endpoint.url;
    wc.api_key = api_key_;
    wc.stream = f->endpoint.stream;
    wc.subscriptions = {f->endpoint.subscriptions};
    wc.ca_file = f->endpoint.ca_file;
    // Market events only: the client acts on status messages itself, and keeping them out of the
    // ring keeps the core's event count independent of connection chatter.
    f->index = feeds_.size();
    auto on_frame = [f](const feeds::RawFrame& frame) {
      if (f->recorder != nullptr) f->recorder->record(f->index, frame.receive_ns, frame.stream, frame.data);
      // Counted per frame, not per event: one atomic add per frame instead of ~55 on the shipped day.
      std::uint64_t pushed = 0;
      // The frame's events are staged and shown to the core with one publish() after the parse:
      // one crossing of the ring's write index per frame, not per event. Publishing here, before
      // the handler returns, means nothing is left staged while the thread waits on the socket.
      auto sink = [f, &pushed](const MarketEvent& e) noexcept {
        if (e.kind() == EventKind::kStatus) return true;
        if (!f->ring->try_stage(e)) {
          f->stats.ring_drops.fetch_add(1, std::memory_order_relaxed);
          return false;
        }
        ++pushed;
        return true;
      };
      const feeds::FrameResult r = f->parser->parse_padded(frame.data, frame.receive_ns, frame.stream, sink);
      f->ring->publish();
      if (pushed != 0) f->stats.events.fetch_add(pushed, std::memory_order_relaxed);
      f->stats.frames.fetch_add(1, std::memory_order_relaxed);
      if (r.rejected != 0) {
        f->stats.parse_errors.fetch_add(r.rejected, std::memory_order_relaxed);
        const auto& errors = f->parser->counters().errors;
        for (std::size_t k = 0; k < errors.size(); ++k) f->stats.errors_by_kind[k].store(errors[k], std::memory_order_relaxed);
        // At most one sample per kind per second (ParserConfig::sample_interval_ns), logged from
        // this feed thread through the async logger.
        f->parser->drain_samples([f](const feeds::ErrorSample& e) {
          spdlog::warn("feed {}: bad input: {} ({} so far), event {} of a {}-byte frame: {}",
                       stream_name(f->endpoint.stream), feeds::to_string(e.kind), e.count_at_sample, e.event_index,
                       e.frame_bytes, e.excerpt_view());
        });
      }
    };
    // odte replay-server's end of playback (odte extensions, docs/feeds-network.md): whole
    // (replay_complete), short of its end at a torn tail (replay_ended_early: finished, and
    // ended_early() says where; the run decides by replay.allow_torn_tail), or at corruption
    // (replay_failed: a fatal feed error).
    auto on_status = [f](const feeds::StatusReport& s) {
      if (s.status == "replay_complete") {
        f->stats.finished.store(true, std::memory_order_release);
      } else if (s.status == "replay_ended_early") {
        {
          std::lock_guard lock(f->error_mutex);
          f->ended_early = std::string(stream_name(f->endpoint.stream)) + ": " + feeds::json::unescape(s.message);
        }
        f->stats.finished.store(true, std::memory_order_release);
      } else if (s.status == "replay_failed") {
        {
          std::lock_guard lock(f->error_mutex);
          f->error = std::string(stream_name(f->endpoint.stream)) + ": replay_failed: " + feeds::json::unescape(s.message);
        }
        spdlog::error("feed {}: the replay-server's recording is corrupt: {}", stream_name(f->endpoint.stream),
                      feeds::json::unescape(s.message));
        f->stats.failed.store(true, std::memory_order_release);
        f->stats.finished.store(true, std::memory_order_release);
      }
    };
    auto log = [name = std::string(stream_name(f->endpoint.stream))](feeds::LogLevel level, std::string_view text) {
      switch (level) {
        case feeds::LogLevel::kError: spdlog::error("feed {}: {}", name, text); break;
        case feeds::LogLevel::kWarn: spdlog::warn("feed {}: {}", name, text); break;
        default: spdlog::info("feed {}: {}", name, text); break;
      }
    };
    f->client = std::make_unique<feeds::WsClient>(std::move(wc), std::move(on_frame), std::move(on_status), std::move(log));
    feeds_.push_back(std::move(feed));
  }
}

FeedThreads::~FeedThreads() { stop(); }

void FeedThreads::set_recorder(feeds::FrameRecorder* recorder) noexcept {
  for (auto& f : feeds_) f->recorder = recorder;
}

void FeedThreads::start() {
  for (auto& feed : feeds_) {
    Feed* f = feed.get();
    f->thread = std::thread([f] {
      set_thread_name(std::string("odte-feed-") + std::string(stream_name(f->endpoint.stream)));
      const std::error_code ec = f->client->run();
      if (ec) {
        {
          std::lock_guard lock(f->error_mutex);
          // The first fatal error stays (a replay_failed before the client gave up).
          if (f->error.empty()) f->error = std::string(stream_name(f->endpoint.stream)) + ": " + f->client->error_message();
        }
        f->stats.failed.store(true, std::memory_order_release);
      }
      f->stats.finished.store(true, std::memory_order_release);
    });
  }
}

void FeedThreads::stop() {
  for (auto& f : feeds_) f->client->stop();
  for (auto& f : feeds_) {
    if (f->thread.joinable()) f->thread.join();
  }
}

FeedRing& FeedThreads::ring(std::size_t i) noexcept { return *feeds_[i]->ring; }
const FeedStats& FeedThreads::stats(std::size_t i) const noexcept { return feeds_[i]->stats; }
const FeedEndpoint& FeedThreads::endpoint(std::size_t i) const noexcept { return feeds_[i]->endpoint; }

void FeedThreads::fill_snapshot(CoreSnapshot& s) const noexcept {
  for (const auto& f : feeds_) {
    const auto i = static_cast<std::size_t>(f->endpoint.stream);
    if (i >= static_cast<std::size_t>(kStreamCount)) continue;
    FeedSnapshot& fs = s.feeds[i];
    fs.events += f->stats.events.load(std::memory_order_relaxed);
    fs.ring_drops += f->stats.ring_drops.load(std::memory_order_relaxed);
    fs.parse_errors += f->stats.parse_errors.load(std::memory_order_relaxed);
    for (std::size_t k = 0; k < kFeedErrorKinds; ++k) {
      fs.errors_by_kind[k] += f->stats.errors_by_kind[k].load(std::memory_order_relaxed);
    }
    fs.ring_depth += static_cast<std::uint32_t>(f->ring->size_approx());
    fs.connected = fs.connected || f->client->counters().state.load(std::memory_order_relaxed) == feeds::WsState::kStreaming;
  }
}

void FeedThreads::log_stats() const {
  for (const auto& f : feeds_) {
    spdlog::info("feed {}: {} frames, {} events, {} parse errors, {} ring drops", f->endpoint.url,
                 f->stats.frames.load(), f->stats.events.load(), f->stats.parse_errors.load(),
                 f->stats.ring_drops.load());
  }
}

void FeedThreads::subscribe(std::size_t i, std::string params) { feeds_[i]->client->subscribe(std::move(params)); }
void FeedThreads::unsubscribe(std::size_t i, std::string params) { feeds_[i]->client->unsubscribe(std::move(params)); }

std::string FeedThreads::error() const {
  for (const auto& f : feeds_) {
    if (f->stats.failed.load(std::memory_order_acquire)) {
      std::lock_guard lock(f->error_mutex);
      return f->error;
    }
  }
  return {};
}

std::string FeedThreads::ended_early() const {
  for (const auto& f : feeds_) {
    std::lock_guard lock(f->error_mutex);
    if (!f->ended_early.empty()) return f->ended_early;
  }
  return {};
}

FeedEventSource::FeedEventSource(FeedThreads& feeds, Merge merge, std::function<void()> idle,
                                 std::function<bool()> stop, std::int64_t idle_period_ns)
    : feeds_{feeds}, merge_{merge}, idle_{std::move(idle)}, stop_{std::move(stop)}, idle_period_ns_{idle_period_ns} {}

bool FeedEventSource::next(MarketEvent& out) {
  const MonotonicClock clock;
  std::int64_t next_idle = 0;  // the clock is read only once there is nothing to hand out
  std::uint32_t spins = 0;
  for (;;) {
    if (stop_ && stop_()) {
      interrupted_ = true;
      return false;
    }
    const MarketEvent* best = nullptr;
    std::size_t best_feed = 0;
    bool waiting = false;   // strict merge: a live feed with nothing queued holds the choice back
    bool all_done = true;
    bool failed = false;
    for (std::size_t i = 0; i < feeds_.size(); ++i) {
      // `finished` is read before the ring: it is set after the feed's last push, so a finished
      // feed whose ring reads empty really is drained.
      const FeedStats& st = feeds_.stats(i);
      const bool finished = st.finished.load(std::memory_order_acquire);
      failed = failed || st.failed.load(std::memory_order_acquire);
      const MarketEvent* head = feeds_.ring(i).front();
      if (head == nullptr) {
        if (!finished) {
          all_done = false;
          if (merge_ == Merge::kStrict) waiting = true;
        }
        continue;
      }
      all_done = false;
      if (best == nullptr || head->header.exchange_ns < best->header.exchange_ns) {
        best = head;
        best_feed = i;
      }
    }
    if (failed) {
      // A feed failed fatally: the stream ends here, as a failure (failure()), not as a stop.
      failed_ = true;
      return false;
    }
    if (best != nullptr && !waiting) {
      out = *best;
      feeds_.ring(best_feed).pop();
      ++handed_out_;
      return true;
    }
    if (all_done) return false;
    if (wait_) wait_();
    // Nothing to hand out yet: spin briefly, then yield, and let the daemon service the admin
    // socket and the watchdog at a steady wall-clock pace.
    if (++spins > 64) std::this_thread::yield();
    const std::int64_t now = clock.now_ns();
    if (next_idle == 0) {
      next_idle = now + idle_period_ns_;
    } else if (now >= next_idle) {
      if (idle_) idle_();
      next_idle = now + idle_period_ns_;
    }
    if (spins > 4096) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

std::string FeedEventSource::failure() const {
  if (!failed_) return {};
  const std::string err = feeds_.error();
  return "feed " + (err.empty() ? std::string("failed") : err);
}

std::string FeedEventSource::ended_early() const { return feeds_.ended_early(); }

}  // namespace odte::daemon
