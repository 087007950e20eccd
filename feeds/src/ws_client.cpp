// The websocket client: the only translation unit with Boost.Beast's websocket client in it.
// Shaped like Beast's websocket_client_async_ssl example: one session, handlers chained
// on_resolve -> on_connect -> on_ssl_handshake -> on_handshake -> on_read, each starting with
// `if (ec) return fail(ec, "what")`, everything on one strand, explicit timeouts, SNI set.

#include "odte/feeds/ws_client.hpp"

#include <cstdio>
#include <deque>
#include <mutex>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "odte/core/clock.hpp"
#include "odte/feeds/api_key.hpp"
#include "odte/feeds/json_scan.hpp"
#include "odte/feeds/subscription.hpp"
#include "tls_client.hpp"

namespace odte::feeds {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using beast::error_code;

struct WsClient::Impl {
  Impl(WsClientConfig c, FrameHandler f, StatusHandler s, LogHandler l)
      : config{std::move(c)}, on_frame{std::move(f)}, on_status{std::move(s)}, log{std::move(l)} {}
  virtual ~Impl() = default;
  virtual std::error_code run() = 0;
  virtual void stop() = 0;
  virtual void subscribe(std::string params, bool add) = 0;

  void say(LogLevel level, const std::string& text) const {
    const std::string clean = redact(text, config.api_key);
    if (log) {
      log(level, clean);
    } else {
      std::fprintf(stderr, "odte feed %.*s: %s\n", static_cast<int>(to_string(config.stream).size()),
                   to_string(config.stream).data(), clean.c_str());
    }
  }

  WsClientConfig config;
  FrameHandler on_frame;
  StatusHandler on_status;
  LogHandler log;
  WsCounters counters;
  mutable std::mutex error_mutex;  // error_message() is read by another thread after run()
  std::string error;
};

namespace {

std::chrono::steady_clock::duration to_steady(std::chrono::milliseconds ms) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(ms);
}

template <bool Tls>
class Client final : public WsClient::Impl {
  using Layer = std::conditional_t<Tls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;
  using Ws = websocket::stream<Layer>;

  // One websocket connection. Completion handlers hold it alive; the client only talks to the
  // current one and ignores completions of connections it has already dropped.
  struct Conn {
    template <typename... A>
    explicit Conn(A&&... a) : ws(std::forward<A>(a)...) {}
    Ws ws;
    beast::flat_buffer buffer;
    std::deque<std::string> writes;
    bool writing = false;
    bool authed = false;
    tls::VerifyFailure verify;  // wss: what the certificate verification refused, if anything
  };
  using ConnPtr = std::shared_ptr<Conn>;

 public:
  Client(WsClientConfig c, FrameHandler f, StatusHandler s, LogHandler l, Url url)
      : Impl(std::move(c), std::move(f), std::move(s), std::move(l)),
        url_{std::move(url)},
        strand_{net::make_strand(ioc_)},
        resolver_{strand_},
        retry_timer_{strand_},
        auth_timer_{strand_},
        backoff_{config.backoff} {
    for (const std::string& entry : config.subscriptions) (void)subs_.add(entry);
    if (config.max_connections_backoff < kMinMaxConnectionsBackoff) {
      config.max_connections_backoff = kMinMaxConnectionsBackoff;
    }
  }

  std::error_code run() override {
    if constexpr (Tls) {
      if (const std::string err = tls::configure_client_context(ssl_ctx_.native_handle(), config.ca_file);
          !err.empty()) {
        set_error("TLS set-up: " + err);
        say(LogLevel::kError, "TLS set-up: " + err);
        counters.state.store(WsState::kFailed, std::memory_order_relaxed);
        return make_error_code(NetErrc::kTlsSetup);
      }
    }
    net::post(strand_, [this] { start(); });
    ioc_.run();
    counters.state.store(result_ ? WsState::kFailed : WsState::kStopped, std::memory_order_relaxed);
    return result_;
  }

  void stop() override {
    net::post(strand_, [this] {
      if (stopping_) return;
      stopping_ = true;
      say(LogLevel::kInfo, "stopping");
      finish({});
    });
  }

  void subscribe(std::string params, bool add) override {
    net::post(strand_, [this, p = std::move(params), add] {
      if (add) {
        if (const std::size_t bad = subs_.add(p); bad > 0) {
          say(LogLevel::kWarn, "ignored " + std::to_string(bad) + " malformed subscription entries");
        }
      } else {
        (void)subs_.remove(p);
      }
      if (conn_ && conn_->authed) send(conn_, action(add ? "subscribe" : "unsubscribe", p));
    });
  }

 private:
  // ---- connection chain ----------------------------------------------------------------------

  void start() {
    if (stopping_) return;
    if (attempts_++ > 0) counters.reconnects.fetch_add(1, std::memory_order_relaxed);
    counters.state.store(WsState::kConnecting, std::memory_order_relaxed);
    if constexpr (Tls) {
      conn_ = std::make_shared<Conn>(strand_, ssl_ctx_);
    } else {
      conn_ = std::make_shared<Conn>(strand_);
    }
    conn_->ws.read_message_max(config.max_frame_bytes);
    // The receive buffer keeps kFramePadding bytes of slack after every frame for in-place parsing.
    conn_->buffer.reserve(64 * 1024);
    resolver_.async_resolve(url_.host, url_.port,
                            [this, c = conn_](error_code ec, tcp::resolver::results_type r) {
                              on_resolve(c, ec, std::move(r));
                            });
  }

  void on_resolve(const ConnPtr& c, error_code ec, tcp::resolver::results_type results) {
    if (c != conn_) return;
    if (ec) return fail(ec, "resolve");
    beast::get_lowest_layer(c->ws).expires_after(to_steady(config.connect_timeout));
    beast::get_lowest_layer(c->ws).async_connect(
        results, [this, c](error_code e, const tcp::endpoint&) { on_connect(c, e); });
  }

  void on_connect(const ConnPtr& c, error_code ec) {
    if (c != conn_) return;
    if (ec) return fail(ec, "connect");
    if constexpr (Tls) {
      // SNI (for a name, not an IP literal), then OpenSSL verifies the chain, the dates and that
      // the certificate names this host or address; the callback only records what it refused.
      if (const std::string err = tls::prepare_connection(c->ws.next_layer().native_handle(), url_.host);
          !err.empty()) {
        return lost("TLS set-up: " + err);
      }
      c->ws.next_layer().set_verify_callback([v = &c->verify](bool preverified, ssl::verify_context& ctx) {
        return tls::note(preverified, ctx.native_handle(), *v);
      });
      beast::get_lowest_layer(c->ws).expires_after(to_steady(config.connect_timeout));
      c->ws.next_layer().async_handshake(ssl::stream_base::client,
                                         [this, c](error_code e) { on_ssl_handshake(c, e); });
    } else {
      on_ssl_handshake(c, ec);
    }
  }

  void on_ssl_handshake(const ConnPtr& c, error_code ec) {
    if (c != conn_) return;
    if constexpr (Tls) {
      if (ec) {
        // A certificate the client refused: retried with the normal backoff (which only an
        // auth_success resets), logged as an error, counted. The key has not been sent.
        const std::string why = tls::describe_failure(c->verify, c->ws.next_layer().native_handle(), url_.host);
        if (!why.empty()) {
          counters.tls_verify_failures.fetch_add(1, std::memory_order_relaxed);
          return lost("TLS handshake: " + why, LogLevel::kError);
        }
      }
    }
    if (ec) return fail(ec, "TLS handshake");
    // The websocket stream runs its own timers from here on.
    beast::get_lowest_layer(c->ws).expires_never();
    websocket::stream_base::timeout t{};
    t.handshake_timeout = to_steady(config.handshake_timeout);
    t.idle_timeout = to_steady(config.idle_timeout);
    t.keep_alive_pings = true;
    c->ws.set_option(t);
    c->ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
      req.set(beast::http::field::user_agent, "odte-feed/1");
    }));
    const bool default_port = url_.port == (Tls ? "443" : "80");
    const std::string host = default_port ? url_.host : url_.host + ":" + url_.port;
    c->ws.async_handshake(host, url_.target, [this, c](error_code e) { on_handshake(c, e); });
  }

  void on_handshake(const ConnPtr& c, error_code ec) {
    if (c != conn_) return;
    if (ec) return fail(ec, "websocket handshake");
    counters.connects.fetch_add(1, std::memory_order_relaxed);
    counters.state.store(WsState::kAuthenticating, std::memory_order_relaxed);
    say(LogLevel::kInfo, "connected to " + url_.host + ":" + url_.port + url_.target);
    auth_timer_.expires_after(to_steady(config.auth_timeout));
    auth_timer_.async_wait([this, c](error_code e) {
      if (e || c != conn_ || c->authed) return;
      lost("authenticate: no auth_success within the auth timeout");
    });
    do_read(c);
  }

  void do_read(const ConnPtr& c) {
    c->ws.async_read(c->buffer, [this, c](error_code e, std::size_t n) { on_read(c, e, n); });
  }

  void on_read(const ConnPtr& c, error_code ec, std::size_t bytes) {
    if (c != conn_) return;
    if (ec) return fail(ec, "read");
    const TimestampNs now = WallClock{}.now_ns();
    // Keep kFramePadding readable bytes after the frame (content irrelevant) without a copy in the
    // common case: prepare() grows the buffer's writable tail, it does not move the readable bytes
    // once capacity suffices.
    (void)c->buffer.prepare(kFramePadding);
    const auto data = c->buffer.cdata();
    const std::string_view frame(static_cast<const char*>(data.data()), data.size());
    counters.frames.fetch_add(1, std::memory_order_relaxed);
    counters.bytes.fetch_add(bytes, std::memory_order_relaxed);
    const bool status = looks_like_status(frame);
    if (status) on_status_frame(c, frame, now);
    if (on_frame && c == conn_) on_frame(RawFrame{frame, now, config.stream, status});
    c->buffer.consume(c->buffer.size());
    if (c == conn_ && !stopping_) do_read(c);
  }

  // ---- protocol ------------------------------------------------------------------------------

  static bool looks_like_status(std::string_view f) noexcept {
    const std::size_t b = json::skip_ws(f, 0);
    return f.substr(b, 32).find("\"status\"") != std::string_view::npos;
  }

  void on_status_frame(const ConnPtr& c, std::string_view frame, TimestampNs now) {
    (void)json::for_each_element(frame, [&](std::string_view ev) {
      std::string_view kind;
      std::string_view status;
      std::string_view message;
      if (!json::string_field(ev, "ev", kind) || kind != "status") return;
      (void)json::string_field(ev, "status", status);
      (void)json::string_field(ev, "message", message);
      handle_status(c, status_code_of(status), status, message, now);
    });
  }

  void handle_status(const ConnPtr& c, StatusCode code, std::string_view status,
                     std::string_view message, TimestampNs now) {
    if (c != conn_) return;
    const auto idx = static_cast<std::size_t>(code);
    if (idx < WsCounters::kStatusKinds) counters.status[idx].fetch_add(1, std::memory_order_relaxed);
    if (on_status) on_status(StatusReport{code, status, message, now, config.stream});
    const std::string text = std::string(status) + ": " + json::unescape(message);
    switch (code) {
      case StatusCode::kConnected:
        send(c, action("auth", config.api_key));
        break;
      case StatusCode::kAuthSuccess:
        c->authed = true;
        auth_timer_.cancel();
        backoff_.reset();
        counters.authenticated.fetch_add(1, std::memory_order_relaxed);
        counters.state.store(WsState::kStreaming, std::memory_order_relaxed);
        say(LogLevel::kInfo, "authenticated");
        if (!subs_.empty()) send(c, action("subscribe", subs_.joined()));
        break;
      case StatusCode::kAuthFailed:
        say(LogLevel::kError, "authentication failed (" + text + "); the API key was refused, not retrying");
        set_error("authentication failed: " + json::unescape(message));
        finish(make_error_code(NetErrc::kAuthFailed));
        break;
      case StatusCode::kAuthTimeout:
      case StatusCode::kError:
        say(LogLevel::kWarn, "server status " + text);
        break;
      case StatusCode::kMaxConnections:
        say(LogLevel::kWarn, "server status " + text + "; another connection holds this key");
        next_delay_ = config.test_only_max_connections_backoff.value_or(config.max_connections_backoff);
        lost("max_connections");
        break;
      case StatusCode::kSubscribed:
        say(LogLevel::kInfo, text);
        break;
      default:
        say(LogLevel::kInfo, "server status " + text);
        break;
    }
  }

  static std::string action(std::string_view verb, std::string_view params) {
    std::string m = "{\"action\":\"";
    m += verb;
    m += "\",\"params\":\"";
    json::append_escaped(m, params);
    m += "\"}";
    return m;
  }

  void send(const ConnPtr& c, std::string message) {
    if (message.find("\"subscribe\"") != std::string::npos) {
      counters.subscribes_sent.fetch_add(1, std::memory_order_relaxed);
    }
    c->writes.push_back(std::move(message));
    if (!c->writing) do_write(c);
  }

  void do_write(const ConnPtr& c) {
    c->writing = true;
    c->ws.text(true);
    c->ws.async_write(net::buffer(c->writes.front()), [this, c](error_code ec, std::size_t) {
      c->writing = false;
      if (c != conn_) return;
      if (ec) return fail(ec, "write");
      c->writes.pop_front();
      if (!c->writes.empty()) do_write(c);
    });
  }

  // ---- failure, reconnect, stop ----------------------------------------------------------------

  void drop_connection() {
    auth_timer_.cancel();
    if (!conn_) return;
    error_code ignored;
    beast::get_lowest_layer(conn_->ws).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(conn_->ws).close();
    conn_.reset();
  }

  void fail(error_code ec, const char* what) {
    if (ec == websocket::error::closed) {
      lost(std::string(what) + ": the server closed the connection");
    } else {
      lost(std::string(what) + ": " + ec.message());
    }
  }

  // The connection is gone (or must go): drop it and come back after the backoff.
  void lost(const std::string& why, LogLevel level = LogLevel::kWarn) {
    if (stopping_ || done_) return;
    say(level, why);
    drop_connection();
    if (config.max_reconnects >= 0 && attempts_ > config.max_reconnects) {
      set_error("gave up after " + std::to_string(config.max_reconnects) + " reconnects; last: " + why);
      return finish(make_error_code(NetErrc::kTooManyReconnects));
    }
    const std::chrono::milliseconds delay = next_delay_ ? *next_delay_ : backoff_.next();
    next_delay_.reset();
    counters.state.store(WsState::kBackoff, std::memory_order_relaxed);
    say(LogLevel::kInfo, "reconnecting in " + std::to_string(delay.count()) + " ms");
    retry_timer_.expires_after(to_steady(delay));
    retry_timer_.async_wait([this](error_code e) {
      if (!e) start();
    });
  }

  // Ends run(): a graceful close of the current connection when possible, then nothing pending.
  void finish(std::error_code result) {
    if (done_) return;
    done_ = true;
    result_ = result;
    resolver_.cancel();
    retry_timer_.cancel();
    auth_timer_.cancel();
    if (!conn_) return;
    ConnPtr c = std::move(conn_);
    if (c->ws.is_open()) {
      c->ws.async_close(websocket::close_code::normal, [c](error_code) {
        error_code ignored;
        beast::get_lowest_layer(c->ws).socket().close(ignored);
      });
    } else {
      beast::get_lowest_layer(c->ws).close();
    }
  }

  void set_error(std::string text) {
    const std::lock_guard lock(error_mutex);
    error = redact(text, config.api_key);
  }

  Url url_;
  net::io_context ioc_{1};
  ssl::context ssl_ctx_{ssl::context::tls_client};
  net::strand<net::io_context::executor_type> strand_;
  tcp::resolver resolver_;
  net::steady_timer retry_timer_;
  net::steady_timer auth_timer_;
  Backoff backoff_;
  SubscriptionSet subs_;
  ConnPtr conn_;
  std::optional<std::chrono::milliseconds> next_delay_;
  int attempts_ = 0;
  bool stopping_ = false;
  bool done_ = false;
  std::error_code result_;
};

// Stands in when the configuration is unusable: run() reports why.
class BadConfig final : public WsClient::Impl {
 public:
  BadConfig(WsClientConfig c, std::error_code ec, std::string why)
      : Impl(std::move(c), {}, {}, {}), ec_{ec} {
    error = std::move(why);
  }
  std::error_code run() override {
    counters.state.store(WsState::kFailed, std::memory_order_relaxed);
    return ec_;
  }
  void stop() override {}
  void subscribe(std::string, bool) override {}

 private:
  std::error_code ec_;
};

}  // namespace

WsClient::WsClient(WsClientConfig config, FrameHandler on_frame, StatusHandler on_status,
                   LogHandler log) {
  Url url;
  if (!parse_url(config.url, url)) {
    const std::string why = "bad websocket URL '" + redact(config.url, config.api_key) + "'";
    impl_ = std::make_unique<BadConfig>(std::move(config), make_error_code(NetErrc::kBadUrl), why);
  } else if (!url.tls && !is_loopback_host(url.host)) {
    const std::string why = "refusing plain ws:// to non-loopback host '" + url.host + "' (use wss://)";
    impl_ = std::make_unique<BadConfig>(std::move(config), make_error_code(NetErrc::kInsecureRemote), why);
  } else if (url.tls) {
    impl_ = std::make_unique<Client<true>>(std::move(config), std::move(on_frame), std::move(on_status),
                                           std::move(log), std::move(url));
  } else {
    impl_ = std::make_unique<Client<false>>(std::move(config), std::move(on_frame), std::move(on_status),
                                            std::move(log), std::move(url));
  }
}

WsClient::~WsClient() = default;
std::error_code WsClient::run() { return impl_->run(); }
void WsClient::stop() { impl_->stop(); }
void WsClient::subscribe(std::string params) { impl_->subscribe(std::move(params), true); }
void WsClient::unsubscribe(std::string params) { impl_->subscribe(std::move(params), false); }
const WsCounters& WsClient::counters() const noexcept { return impl_->counters; }
std::string WsClient::error_message() const {
  const std::lock_guard lock(impl_->error_mutex);
  return impl_->error;
}

}  // namespace odte::feeds
