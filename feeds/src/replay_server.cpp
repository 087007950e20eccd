// The replay-server: Boost.Beast's websocket server side, in this one translation unit. Shaped like
// Beast's websocket_server_async example: a listener accepting onto a strand per connection, one
// session object per connection with handlers on_accept -> on_read / on_write, each opening with
// `if (ec) return fail(ec, "what")`. One I/O thread; server-wide counts live on it.

#include "odte/feeds/replay_server.hpp"
#include "odte/feeds/replay_rest.hpp"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <optional>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "odte/feeds/api_key.hpp"
#include "odte/feeds/json_scan.hpp"
#include "odte/feeds/subscription.hpp"

namespace odte::feeds {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using beast::error_code;

namespace {

class MemorySource final : public ReplayFrameSource {
 public:
  explicit MemorySource(std::shared_ptr<const std::vector<ReplayFrame>> frames)
      : frames_{std::move(frames)} {}
  bool next(ReplayFrame& out) override {
    if (i_ >= frames_->size()) return false;
    out = (*frames_)[i_++];
    return true;
  }

 private:
  std::shared_ptr<const std::vector<ReplayFrame>> frames_;
  std::size_t i_ = 0;
};

std::string status_frame(std::string_view status, std::string_view message) {
  std::string s = "[{\"ev\":\"status\",\"status\":\"";
  json::append_escaped(s, status);
  s += "\",\"message\":\"";
  json::append_escaped(s, message);
  s += "\"}]";
  return s;
}

bool benign(const error_code& ec) {
  return ec == websocket::error::closed || ec == net::error::eof ||
         ec == net::error::operation_aborted || ec == net::error::connection_reset;
}

class Session;

}  // namespace

ReplayFrameSourceFactory memory_source(std::vector<ReplayFrame> frames) {
  auto shared = std::make_shared<const std::vector<ReplayFrame>>(std::move(frames));
  return [shared]() -> std::unique_ptr<ReplayFrameSource> { return std::make_unique<MemorySource>(shared); };
}

struct ReplayServer::Impl {
  explicit Impl(ReplayServerConfig c) : config{std::move(c)} {}

  void say(LogLevel level, const std::string& text) const {
    const std::string clean = redact(text, config.api_key);
    if (config.log) {
      config.log(level, clean);
    } else {
      std::fprintf(stderr, "odte replay-server: %s\n", clean.c_str());
    }
  }
  void do_accept();
  template <typename Fn>
  void for_each_session(Fn&& fn);

  ReplayServerConfig config;
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  ReplayServerCounters counters;
  std::vector<std::weak_ptr<Session>> sessions;  // I/O thread only
  int authenticated = 0;                          // I/O thread only
  bool origin_set = false;                        // shared clock: I/O thread only
  std::chrono::steady_clock::time_point origin;
  std::atomic<std::size_t> open{0};
  std::atomic<std::uint16_t> port{0};
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(ReplayServer::Impl& srv, tcp::socket&& socket)
      : srv_{srv},
        ws_{std::move(socket)},
        auth_timer_{ws_.get_executor()},
        pace_timer_{ws_.get_executor()} {}

  void start() {
    srv_.open.fetch_add(1, std::memory_order_relaxed);
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(beast::http::field::server, "odte-replay-server/1");
    }));
    ws_.read_message_max(1u << 20);
    // The upgrade request is read first so its path can name the cluster, as Massive's do
    // (/stocks, /options, /indices): such a connection is served only that cluster's frames.
    beast::http::async_read(ws_.next_layer(), upgrade_buffer_, upgrade_,
                            [self = shared_from_this()](error_code ec, std::size_t) { self->on_upgrade(ec); });
  }

  void on_upgrade(error_code ec) {
    if (ec) return fail(ec, "upgrade request");
    const std::string_view target(upgrade_.target().data(), upgrade_.target().size());
    const std::string_view path = target.substr(0, target.find('?'));
    if (path == "/stocks") path_cluster_ = StreamId::kStocks;
    if (path == "/options") path_cluster_ = StreamId::kOptions;
    if (path == "/indices") path_cluster_ = StreamId::kIndices;
    if (!websocket::is_upgrade(upgrade_)) return answer_rest(target);
    ws_.async_accept(upgrade_, [self = shared_from_this()](error_code e) { self->on_accept(e); });
  }

  [[nodiscard]] bool authed() const noexcept { return authed_; }

  // Massive takes the key as `Authorization: Bearer KEY` or as `?apiKey=KEY` (what the official
  // JavaScript REST client sends); so does this server.
  [[nodiscard]] bool query_key_matches(std::string_view target) const {
    const std::size_t q = target.find('?');
    if (q == std::string_view::npos || srv_.config.api_key.empty()) return false;
    return query_value(target.substr(q + 1), "apiKey") == srv_.config.api_key;
  }

  // A plain HTTP request: answered once, then the connection is closed.
  void answer_rest(std::string_view target) {
    srv_.counters.rest_requests.fetch_add(1, std::memory_order_relaxed);
    auto res = std::make_shared<beast::http::response<beast::http::string_body>>();
    res->version(upgrade_.version());
    res->keep_alive(false);
    res->set(beast::http::field::server, "odte-replay-server/1");
    res->set(beast::http::field::content_type, "application/json");
    const auto auth = upgrade_[beast::http::field::authorization];
    const std::string expected = "Bearer " + srv_.config.api_key;
    if (upgrade_.method() != beast::http::verb::get) {
      res->result(beast::http::status::method_not_allowed);
      res->body() = R"({"status":"ERROR","error":"only GET is served"})";
    } else if (std::string_view(auth.data(), auth.size()) != expected && !query_key_matches(target)) {
      res->result(beast::http::status::unauthorized);
      res->body() = R"({"status":"ERROR","error":"unknown API key"})";
    } else if (!srv_.config.rest) {
      res->result(beast::http::status::not_found);
      res->body() = R"({"status":"ERROR","error":"no REST data in this replay"})";
    } else {
      const auto host = upgrade_[beast::http::field::host];
      RestAnswer a = srv_.config.rest(target, std::string_view(host.data(), host.size()));
      res->result(static_cast<beast::http::status>(a.status));
      res->body() = std::move(a.body);
    }
    res->prepare_payload();
    beast::http::async_write(ws_.next_layer(), *res, [self = shared_from_this(), res](error_code, std::size_t) {
      error_code ignored;
      beast::get_lowest_layer(self->ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
      beast::get_lowest_layer(self->ws_).socket().close(ignored);
      self->gone();
    });
  }

  void send_status(std::string_view status, std::string_view message) {
    send(status_frame(status, message), false);
  }

  void kill(bool mid_frame) {
    if (gone_) return;
    auto& sock = beast::get_lowest_layer(ws_).socket();
    error_code ignored;
    if (mid_frame && !writing_) {
      // FIN + text opcode, 16-bit length 1024, then only the first few payload bytes.
      static constexpr char kCut[] = "\x81\x7e\x04\x00[{\"ev\":\"Q\",\"sym\":";
      net::write(sock, net::buffer(kCut, sizeof kCut - 1), ignored);
    }
    sock.set_option(net::socket_base::linger(true, 0), ignored);
    sock.close(ignored);
    gone();
  }

 private:
  void on_accept(error_code ec) {
    if (ec) return fail(ec, "accept");
    srv_.counters.connections.fetch_add(1, std::memory_order_relaxed);
    send_status("connected", "Connected Successfully");
    if (srv_.config.auth_timeout <= std::chrono::milliseconds::zero()) {
      // Test knob: time out at once, whatever the client does.
      send_status("auth_timeout", "no authentication received in time");
      return close_after_writes();
    }
    auth_timer_.expires_after(srv_.config.auth_timeout);
    auth_timer_.async_wait([self = shared_from_this()](error_code e) {
      if (e || self->authed_ || self->gone_) return;
      self->send_status("auth_timeout", "no authentication received in time");
      self->close_after_writes();
    });
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(error_code ec) {
    if (ec) return fail(ec, "read");
    const std::string message = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    handle(message);
    if (!closing_ && !gone_) do_read();
  }

  void handle(std::string_view message) {
    if (closing_) return;
    std::string_view act;
    std::string_view raw_params;
    if (!json::string_field(message, "action", act) || !json::string_field(message, "params", raw_params)) {
      send_status("error", "could not parse the message: want {\"action\":...,\"params\":...}");
      return;
    }
    const std::string params = json::unescape(raw_params);
    if (act == "auth") {
      if (authed_) return send_status("error", "already authenticated");
      if (params != srv_.config.api_key) {
        srv_.counters.auth_failed.fetch_add(1, std::memory_order_relaxed);
        srv_.say(LogLevel::kWarn, "a connection sent a wrong API key");
        send_status("auth_failed", "authentication failed");
        return close_after_writes();
      }
      if (srv_.config.max_connections > 0 && srv_.authenticated >= srv_.config.max_connections) {
        srv_.counters.max_connections.fetch_add(1, std::memory_order_relaxed);
        send_status("max_connections",
                    "Maximum number of websocket connections exceeded. You have reached the "
                    "connection limit for your account.");
        return close_after_writes();
      }
      authed_ = true;
      auth_timer_.cancel();
      ++srv_.authenticated;
      srv_.counters.auth_ok.fetch_add(1, std::memory_order_relaxed);
      return send_status("auth_success", "authenticated");
    }
    if (act != "subscribe" && act != "unsubscribe") {
      return send_status("error", "unknown action");
    }
    if (!authed_) return send_status("error", "not authenticated");
    const bool add = act == "subscribe";
    ++subs_epoch_;
    std::string reply = "[";
    for (const std::string_view p : split_params(params)) {
      const std::string one(p);
      if (add) {
        if (subs_.add(one) > 0) {
          reply += reply.size() > 1 ? "," : "";
          reply += "{\"ev\":\"status\",\"status\":\"error\",\"message\":\"bad subscription: ";
          json::append_escaped(reply, one);
          reply += "\"}";
          continue;
        }
      } else {
        (void)subs_.remove(one);
      }
      reply += reply.size() > 1 ? "," : "";
      reply += add ? "{\"ev\":\"status\",\"status\":\"success\",\"message\":\"subscribed to: "
                   : "{\"ev\":\"status\",\"status\":\"success\",\"message\":\"unsubscribed to: ";
      json::append_escaped(reply, one);
      reply += "\"}";
    }
    reply += "]";
    if (reply.size() > 2) send(std::move(reply), false);
    if (add && !playing_) start_playback();
  }

  // ---- playback ------------------------------------------------------------------------------

  void start_playback() {
    playing_ = true;
    if (!srv_.config.source) return;
    source_ = srv_.config.source();
    if (!source_) {
      // The factory logged why; the client must not take silence for a feed that is still coming.
      send(status_frame("replay_failed", "the recording cannot be read (see the replay-server's log)"), false);
      return;
    }
    plays_left_ = std::max(1, srv_.config.repeat);
    keep_ = plays_left_ > 1;
    kept_epoch_ = subs_epoch_;
    t0_ = std::chrono::steady_clock::now();
    if (srv_.config.shared_clock && srv_.config.speed > 0.0) {
      if (!srv_.origin_set) {
        srv_.origin = t0_;
        srv_.origin_set = true;
      } else {
        late_ = true;
      }
      t0_ = srv_.origin;
    }
    play_next();
  }

  // The next frame to send in this repetition, already filtered; false at its end.
  bool next_frame(TimestampNs& receive_ns, const std::string*& kept) {
    if (from_kept_) {
      if (kept_pos_ == kept_.size()) return false;
      const KeptFrame& k = kept_[kept_pos_++];
      receive_ns = k.receive_ns;
      kept = &k.data;
      return true;
    }
    const ReplayServerConfig& cfg = srv_.config;
    while (source_->next(frame_)) {
      if (!have_first_) {
        first_ns_ = frame_.receive_ns;
        have_first_ = true;
      }
      if (cfg.cluster && frame_.stream != *cfg.cluster) continue;
      if (path_cluster_ && frame_.stream != *path_cluster_) continue;
      const FilterResult r = filter_frame(frame_.data, subs_, filtered_);
      if (r == FilterResult::kNone || r == FilterResult::kMalformed) {
        srv_.counters.frames_filtered_out.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      if (r == FilterResult::kPartial) {
        srv_.counters.frames_rebuilt.fetch_add(1, std::memory_order_relaxed);
        pending_ = std::move(filtered_);
        filtered_ = std::string();
      } else {
        pending_ = std::move(frame_.data);
      }
      receive_ns = frame_.receive_ns;
      kept = nullptr;
      if (keep_) {
        // A deque: what is queued for writing points into it, and push_back moves nothing.
        kept_.push_back(KeptFrame{frame_.receive_ns, std::move(pending_)});
        kept = &kept_.back().data;
      }
      return true;
    }
    // The reader stopped: at the recording's end, or short of it (corruption, a torn tail).
    failure_ = source_->failure();
    ended_early_ = source_->ended_early();
    return false;
  }

  // At the end of a repetition: sets up the next one and returns true, or returns false after the
  // last. Runs with no playback frame queued, so the kept frames can be dropped here.
  bool next_repetition() {
    if (--plays_left_ <= 0) return false;
    if (kept_epoch_ == subs_epoch_ && (keep_ || from_kept_)) {
      // What was sent last time is what this subscription set gets again.
      from_kept_ = true;
      keep_ = false;
      srv_.counters.repeats_from_memory.fetch_add(1, std::memory_order_relaxed);
    } else {
      // The subscriptions changed while playing: read and filter the recording again.
      source_ = srv_.config.source();
      if (!source_) return false;
      from_kept_ = false;
      keep_ = plays_left_ > 1;
      kept_.clear();
      kept_epoch_ = subs_epoch_;
      have_first_ = false;
    }
    kept_pos_ = 0;
    late_ = false;
    t0_ = std::chrono::steady_clock::now();
    return true;
  }

  void play_next() {
    if (gone_ || closing_ || !source_) return;
    const ReplayServerConfig& cfg = srv_.config;
    TimestampNs receive_ns = 0;
    const std::string* kept = nullptr;
    for (;;) {
      if (!next_frame(receive_ns, kept)) {
        // A recording that did not end whole is not played again: its end is reported below.
        if (failure_.empty() && ended_early_.empty() && next_repetition()) continue;
        break;
      }
      if (cfg.speed > 0.0) {
        const double gap_ns = static_cast<double>(receive_ns - first_ns_) / cfg.speed;
        const auto due = t0_ + std::chrono::nanoseconds(static_cast<std::int64_t>(gap_ns > 0 ? gap_ns : 0));
        const auto now = std::chrono::steady_clock::now();
        if (late_) {
          // A late joiner on the shared clock: what is already due is the past, never sent.
          if (due < now) {
            srv_.counters.frames_skipped_late.fetch_add(1, std::memory_order_relaxed);
            continue;
          }
          late_ = false;
        }
        if (due > now) {
          pace_timer_.expires_at(due);
          pace_timer_.async_wait([self = shared_from_this(), kept](error_code ec) {
            if (ec || self->gone_) return;
            self->send_frame(kept);
          });
          return;
        }
      }
      return send_frame(kept);
    }
    source_.reset();
    srv_.counters.playbacks_finished.fetch_add(1, std::memory_order_relaxed);
    // An odte extension: the live feed never ends, a recording does. odted's strict merge waits
    // for every feed, so it needs to know that this one has nothing more to say -- and whether the
    // recording ended whole, or short of its end (corruption, a torn tail), which fails the run.
    if (!failure_.empty()) {
      send(status_frame("replay_failed", failure_), false);
    } else if (!ended_early_.empty()) {
      send(status_frame("replay_ended_early", ended_early_), false);
    } else {
      send(status_frame("replay_complete", "end of recording"), false);
    }
  }

  // A playback frame: one of the kept frames (sent in place), or else pending_.
  void send_frame(const std::string* kept) {
    if (kept != nullptr) return send_kept(*kept);
    send(std::move(pending_), true);
  }

  // ---- writes and closing --------------------------------------------------------------------

  struct Out {
    std::string data;
    const std::string* kept;  // when set, the bytes to write instead of `data` (owned by kept_)
    bool playback;
  };

  void send(std::string data, bool playback) {
    if (gone_ || closing_) return;
    writes_.push_back(Out{std::move(data), nullptr, playback});
    if (!writing_) do_write();
  }

  void send_kept(const std::string& data) {
    if (gone_ || closing_) return;
    writes_.push_back(Out{std::string(), &data, true});
    if (!writing_) do_write();
  }

  void do_write() {
    writing_ = true;
    ws_.text(true);
    const Out& out = writes_.front();
    ws_.async_write(net::buffer(out.kept != nullptr ? *out.kept : out.data),
                    [self = shared_from_this()](error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(error_code ec) {
    writing_ = false;
    if (ec) return fail(ec, "write");
    if (writes_.front().playback) {
      srv_.counters.frames_sent.fetch_add(1, std::memory_order_relaxed);
      // Playback goes on once the queue is empty -- also when a status reply (a subscribe
      // answer) was queued behind this frame and is written first.
      playback_next_ = true;
    }
    writes_.pop_front();
    if (!writes_.empty()) return do_write();
    if (closing_) return do_close();
    if (playback_next_) {
      playback_next_ = false;
      play_next();
    }
  }

  void close_after_writes() {
    if (closing_) return;
    closing_ = true;
    pace_timer_.cancel();
    auth_timer_.cancel();
    if (!writing_) do_close();
  }

  void do_close() {
    ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](error_code) {
      error_code ignored;
      beast::get_lowest_layer(self->ws_).socket().close(ignored);
      self->gone();
    });
  }

  void fail(error_code ec, const char* what) {
    if (gone_) return;
    if (!benign(ec)) srv_.say(LogLevel::kInfo, std::string(what) + ": " + ec.message());
    error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    gone();
  }

  void gone() {
    if (gone_) return;
    gone_ = true;
    pace_timer_.cancel();
    auth_timer_.cancel();
    if (authed_) --srv_.authenticated;
    srv_.open.fetch_sub(1, std::memory_order_relaxed);
  }

  ReplayServer::Impl& srv_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  net::steady_timer auth_timer_;
  net::steady_timer pace_timer_;
  std::deque<Out> writes_;
  SubscriptionSet subs_;
  std::unique_ptr<ReplayFrameSource> source_;
  ReplayFrame frame_;
  std::string filtered_;
  beast::flat_buffer upgrade_buffer_;
  beast::http::request<beast::http::string_body> upgrade_;
  std::optional<StreamId> path_cluster_;
  std::string pending_;
  std::string failure_;      // the source's failure() once it stopped (corruption)
  std::string ended_early_;  // the source's ended_early() once it stopped (a torn tail)
  // Repeat: the frames of this repetition, kept to be sent again by the next ones.
  struct KeptFrame {
    TimestampNs receive_ns;
    std::string data;
  };
  std::deque<KeptFrame> kept_;
  std::size_t kept_pos_ = 0;
  std::uint64_t subs_epoch_ = 0;   // bumped by every subscribe and unsubscribe
  std::uint64_t kept_epoch_ = 0;   // subs_epoch_ when kept_ began to fill
  int plays_left_ = 0;
  bool keep_ = false;              // filling kept_ in this repetition
  bool from_kept_ = false;         // this repetition is sent from kept_
  std::chrono::steady_clock::time_point t0_;
  TimestampNs first_ns_ = 0;
  bool have_first_ = false;
  bool late_ = false;
  bool playback_next_ = false;
  bool writing_ = false;
  bool authed_ = false;
  bool closing_ = false;
  bool playing_ = false;
  bool gone_ = false;
};

}  // namespace

template <typename Fn>
void ReplayServer::Impl::for_each_session(Fn&& fn) {
  std::erase_if(sessions, [](const std::weak_ptr<Session>& w) { return w.expired(); });
  for (const auto& w : sessions) {
    if (auto s = w.lock()) fn(*s);
  }
}

void ReplayServer::Impl::do_accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec != net::error::operation_aborted) say(LogLevel::kWarn, "accept: " + ec.message());
      if (!acceptor.is_open()) return;
    } else {
      auto s = std::make_shared<Session>(*this, std::move(socket));
      std::erase_if(sessions, [](const std::weak_ptr<Session>& w) { return w.expired(); });
      sessions.push_back(s);
      s->start();
    }
    do_accept();
  });
}

ReplayServer::ReplayServer(ReplayServerConfig config)
    : impl_{std::make_unique<Impl>(std::move(config))} {}

ReplayServer::~ReplayServer() { stop(); }

std::error_code ReplayServer::listen() {
  error_code ec;
  const auto address = net::ip::make_address(impl_->config.listen_host, ec);
  if (ec) return ec;
  if (!address.is_loopback()) return make_error_code(NetErrc::kInsecureRemote);
  const tcp::endpoint endpoint{address, impl_->config.port};
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return ec;
  impl_->port.store(a.local_endpoint(ec).port(), std::memory_order_relaxed);
  impl_->do_accept();
  return {};
}

std::uint16_t ReplayServer::port() const noexcept { return impl_->port.load(std::memory_order_relaxed); }

void ReplayServer::run() { impl_->ioc.run(); }

void ReplayServer::start() {
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

void ReplayServer::stop() {
  impl_->ioc.stop();
  if (impl_->thread.joinable() && impl_->thread.get_id() != std::this_thread::get_id()) {
    impl_->thread.join();
  }
}

void ReplayServer::broadcast_status(std::string status, std::string message) {
  net::post(impl_->ioc, [this, st = std::move(status), m = std::move(message)] {
    impl_->for_each_session([&](Session& s) {
      if (s.authed()) s.send_status(st, m);
    });
  });
}

void ReplayServer::drop_connections(bool mid_frame) {
  net::post(impl_->ioc, [this, mid_frame] {
    impl_->for_each_session([&](Session& s) { s.kill(mid_frame); });
  });
}

const ReplayServerCounters& ReplayServer::counters() const noexcept { return impl_->counters; }
std::size_t ReplayServer::open_connections() const { return impl_->open.load(std::memory_order_relaxed); }

}  // namespace odte::feeds
