#pragma once

// `odte replay-server`'s engine: a websocket server on loopback that speaks the Massive protocol
// and serves the frames of a recording, so the live feed code path (WsClient, parser, rings) runs
// end to end against recorded data.
//
// Per connection: send [{"ev":"status","status":"connected",...}]; require
// {"action":"auth","params":KEY} within auth_timeout (else auth_timeout, close); a wrong key gets
// auth_failed and the connection is closed; the right one auth_success -- unless max_connections
// authenticated connections are already open, in which case the newcomer gets max_connections and
// is closed. subscribe/unsubscribe answer one "success" status per entry ("subscribed to: X").
//
// Playback starts at the first subscribe, from the first frame of the recording, separately for
// each connection. Pacing: speed 1 = real time (the recorded receive-time gaps), N = N times
// faster, 0 = as fast as the socket takes it. Frames of other clusters than `cluster` are skipped,
// and so are, per connection, frames of other clusters than the one its URL path names (/stocks,
// /options, /indices, as Massive's endpoints do; any other path gets every cluster).
// Each frame is filtered against the connection's current subscriptions (see subscription.hpp):
// passed through unchanged when every event matches, rebuilt with only the matching events when
// some do, skipped when none do. Recorded status events are never replayed. After the last frame
// the server sends [{"ev":"status","status":"replay_complete","message":"end of recording"}] (an
// odte extension: odted's merge of several feeds needs to know a feed has ended) and the
// connection stays open and idle. A recording that did not end whole says so instead, with the
// reader's reason as the message: "replay_failed" when it stopped at corruption (or could not be
// opened), "replay_ended_early" when it ends in a torn tail (a recorder killed mid-block, a file
// cut short). odted fails the run on either, unless replay.allow_torn_tail accepts the latter.
//
// Repeat (`repeat`, an option for benchmarks): the recording is played that many times back to
// back on each connection, as one continuous stream; replay_complete comes once, after the last.
// Each repetition is paced from its own start. The frames a connection was sent in one repetition
// are kept (filtered, as sent) and the next repetition is sent from them, so a repeated playback
// costs the server its writes only -- unless a subscribe or unsubscribe arrived meanwhile, in which
// case the next repetition is read and filtered afresh.
//
// Shared clock (`shared_clock`, an option for paper-live tests): one playback origin for every
// connection, set by the first subscribe on any of them; a connection that subscribes later starts
// at the first frame not yet due and never receives the past, as a live feed behaves. Needs
// speed > 0.
//
// REST (`rest`, optional): a plain HTTP request on the same port (no websocket upgrade) is answered
// by the handler -- status and JSON body -- after its bearer token has been checked against
// api_key (401 otherwise), so the daemon's start-up REST client can run against the replay too.
//
// Threads: one I/O thread (run() on the caller's, or start() spawns one); stop() and the test hooks
// from any thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "odte/core/market/events.hpp"
#include "odte/feeds/net.hpp"

namespace odte::feeds {

struct ReplayFrame {
  TimestampNs receive_ns = 0;
  StreamId stream = StreamId::kStocks;
  std::string data;
};

// A recording read front to back. One source per connection (each connection replays from the
// start), created by the server's factory.
class ReplayFrameSource {
 public:
  virtual ~ReplayFrameSource() = default;
  // The next frame, or false at the end (or on an unreadable record: the source logs why).
  virtual bool next(ReplayFrame& out) = 0;
  // After next() returned false: why the frames stopped before the recording's end. failure():
  // corruption; ended_early(): a torn tail. Both empty when the recording ended whole.
  [[nodiscard]] virtual std::string failure() const { return {}; }
  [[nodiscard]] virtual std::string ended_early() const { return {}; }
};
using ReplayFrameSourceFactory = std::function<std::unique_ptr<ReplayFrameSource>()>;

// Frames held in memory (tests, small recordings), shared by every connection.
[[nodiscard]] ReplayFrameSourceFactory memory_source(std::vector<ReplayFrame> frames);
// Frames of a recording file (recording.hpp), read by a RecordingReader of each connection's own.
// A file that cannot be opened, or corruption met while serving, is reported through `log` and
// ends that connection's playback with replay_failed; a torn tail ends it with replay_ended_early.
[[nodiscard]] ReplayFrameSourceFactory recording_source(const std::string& path, LogHandler log);

struct RestAnswer {
  unsigned status = 404;
  std::string body;  // JSON
};

struct ReplayServerConfig {
  std::string listen_host = "127.0.0.1";   // loopback only: anything else is refused
  std::uint16_t port = 0;                  // 0 = ephemeral; see ReplayServer::port()
  std::string api_key;                     // the key clients must send
  double speed = 1.0;                      // 1 real time, N faster, 0 as fast as possible
  std::optional<StreamId> cluster;         // serve only this stream's frames (all when empty)
  int max_connections = 0;                 // authenticated connections at once; 0 = unlimited
  std::chrono::milliseconds auth_timeout{10'000};  // 0: answer auth_timeout at once (tests)
  ReplayFrameSourceFactory source;         // empty: no frames, protocol only
  bool shared_clock = false;               // one origin for all connections; late joiners skip the past
  int repeat = 1;                          // plays of the recording per connection (below 1: 1)
  // Answers plain HTTP GETs: (path and query as sent, the request's Host header); empty: 404.
  std::function<RestAnswer(std::string_view target, std::string_view host)> rest;
  LogHandler log;                          // default: stderr
};

struct ReplayServerCounters {
  std::atomic<std::uint64_t> connections{0};
  std::atomic<std::uint64_t> auth_ok{0};
  std::atomic<std::uint64_t> auth_failed{0};
  std::atomic<std::uint64_t> max_connections{0};  // connections refused for max_connections
  std::atomic<std::uint64_t> frames_sent{0};
  std::atomic<std::uint64_t> frames_rebuilt{0};
  std::atomic<std::uint64_t> frames_filtered_out{0};
  std::atomic<std::uint64_t> playbacks_finished{0};
  std::atomic<std::uint64_t> repeats_from_memory{0};  // repetitions sent from the kept frames
  std::atomic<std::uint64_t> frames_skipped_late{0};  // shared clock: already due at a late start
  std::atomic<std::uint64_t> rest_requests{0};
};

class ReplayServer {
 public:
  explicit ReplayServer(ReplayServerConfig config);
  ~ReplayServer();  // stops and joins
  ReplayServer(const ReplayServer&) = delete;
  ReplayServer& operator=(const ReplayServer&) = delete;

  // Binds and listens (the port is known afterwards). Errors: bad or non-loopback address, bind.
  std::error_code listen();
  [[nodiscard]] std::uint16_t port() const noexcept;
  // Serves on the calling thread until stop().
  void run();
  // Serves on a thread of its own until stop() or destruction.
  void start();
  void stop();

  // Test hooks (any thread).
  // Sends [{"ev":"status","status":STATUS,"message":MESSAGE}] to every authenticated connection.
  void broadcast_status(std::string status, std::string message);
  // Kills every open connection abruptly: when `mid_frame`, a websocket frame header announcing
  // more bytes than follow is written first, so the client sees a frame cut short, then the TCP
  // connection is reset without a websocket close.
  void drop_connections(bool mid_frame);

  [[nodiscard]] const ReplayServerCounters& counters() const noexcept;
  [[nodiscard]] std::size_t open_connections() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace odte::feeds
