// The websocket client. Shaped like Beast's websocket_client_async_ssl example: one session,
// handlers chained on_resolve -> on_connect -> on_ssl_handshake -> on_handshake -> on_read, each
// starting with `if (ec) return fail(ec, "what")`, everything on one strand, explicit timeouts,
// SNI set.
//
// The websocket framing (RFC 6455, client side, no extensions) is done here over Beast's TCP/TLS
// stream rather than by beast::websocket::stream: the upgrade is a Beast HTTP exchange, and from
// then on each read takes whatever the socket holds (up to kReadChunk) into one flat buffer and
// every complete frame in it is handed to the FrameHandler in place. beast::websocket reads a
// message in 1.5 KiB steps, each its own operation with a timer update: measured on the shipped day
// (~5 KB frames) that was ~9 system calls and ~0.15 us of the feed thread per event, as much as
// half of what the parser costs; here it is one read per several frames. The frame rules are
// WsFrameDecoder's (ws_frame.hpp, bytes in, events out, fuzzed on its own); this file does the I/O
// and answers pings and closes.

#include "odte/feeds/ws_client.hpp"

#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/error.hpp>

#include "odte/core/base/clock.hpp"
#include "odte/feeds/api_key.hpp"
#include "odte/feeds/json_scan.hpp"
#include "odte/feeds/subscription.hpp"
#include "odte/feeds/ws_frame.hpp"
#include "tls_client.hpp"

namespace odte::feeds {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace http = beast::http;
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

constexpr std::size_t kReadChunk = 128 * 1024;  // bytes asked of the socket per read

// base64(SHA-1(key + the RFC 6455 GUID)): the Sec-WebSocket-Accept a server must answer with.
std::string expected_accept(std::string_view key) {
  std::string text(key);
  text += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char sha[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), sha);
  unsigned char out[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1] = {};
  const int n = EVP_EncodeBlock(out, sha, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char ch) { return ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool has_token(std::string_view header, std::string_view token) {
  // A comma list compared without regard to case ("keep-alive, Upgrade").
  for (std::size_t pos = 0; pos <= header.size();) {
    std::size_t end = header.find(',', pos);
    if (end == std::string_view::npos) end = header.size();
    std::string_view t = header.substr(pos, end - pos);
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    if (iequals(t, token)) return true;
    pos = end + 1;
  }
  return false;
}

template <bool Tls>
class Client final : public WsClient::Impl {
  using Layer = std::conditional_t<Tls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

  // One websocket connection. Completion handlers hold it alive; the client only talks to the
  // current one and ignores completions of connections it has already dropped.
  struct Conn {
    template <typename... A>
    explicit Conn(std::size_t max_message_bytes, A&&... a)
        : stream(std::forward<A>(a)...), decoder{max_message_bytes} {}
    Layer stream;
    // Received bytes: the upgrade answer, then frames. Complete frames are handed out in place.
    beast::flat_buffer buffer;
    WsFrameDecoder decoder;    // the frames in `buffer`, and a fragmented message being put together
    std::deque<std::string> writes;  // encoded, masked frames
    http::request<http::empty_body> upgrade;
    http::response<http::empty_body> answer;
    std::string sec_key;
    std::uint64_t received = 0;       // bytes read, for the idle check
    std::uint64_t received_seen = 0;  // `received` at the last idle tick
    bool ping_sent = false;
    bool open = false;         // upgraded, not closed
    bool closing = false;      // our close frame is queued: the socket goes after the writes
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
        idle_timer_{strand_},
        backoff_{config.backoff},
        mask_rng_{std::random_device{}()} {
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
      conn_ = std::make_shared<Conn>(config.max_frame_bytes, strand_, ssl_ctx_);
    } else {
      conn_ = std::make_shared<Conn>(config.max_frame_bytes, strand_);
    }
    conn_->buffer.reserve(kReadChunk + kFramePadding);
    resolver_.async_resolve(url_.host, url_.port,
                            [this, c = conn_](error_code ec, tcp::resolver::results_type r) {
                              on_resolve(c, ec, std::move(r));
                            });
  }

  void on_resolve(const ConnPtr& c, error_code ec, tcp::resolver::results_type results) {
    if (c != conn_) return;
    if (ec) return fail(ec, "resolve");
    beast::get_lowest_layer(c->stream).expires_after(to_steady(config.connect_timeout));
    beast::get_lowest_layer(c->stream).async_connect(
        results, [this, c](error_code e, const tcp::endpoint&) { on_connect(c, e); });
  }

  void on_connect(const ConnPtr& c, error_code ec) {
    if (c != conn_) return;
    if (ec) return fail(ec, "connect");
    if constexpr (Tls) {
      // SNI (for a name, not an IP literal), then OpenSSL verifies the chain, the dates and that
      // the certificate names this host or address; the callback only records what it refused.
      if (const std::string err = tls::prepare_connection(c->stream.native_handle(), url_.host);
          !err.empty()) {
        return lost("TLS set-up: " + err);
      }
      c->stream.set_verify_callback([v = &c->verify](bool preverified, ssl::verify_context& ctx) {
        return tls::note(preverified, ctx.native_handle(), *v);
      });
      beast::get_lowest_layer(c->stream).expires_after(to_steady(config.connect_timeout));
      c->stream.async_handshake(ssl::stream_base::client,
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
        const std::string why = tls::describe_failure(c->verify, c->stream.native_handle(), url_.host);
        if (!why.empty()) {
          counters.tls_verify_failures.fetch_add(1, std::memory_order_relaxed);
          return lost("TLS handshake: " + why, LogLevel::kError);
        }
      }
    }
    if (ec) return fail(ec, "TLS handshake");
    // The upgrade: one HTTP exchange under the handshake timeout.
    unsigned char nonce[16];
    for (unsigned char& b : nonce) b = static_cast<unsigned char>(mask_rng_());
    unsigned char key[32] = {};
    const int key_len = EVP_EncodeBlock(key, nonce, sizeof nonce);
    c->sec_key.assign(reinterpret_cast<const char*>(key), static_cast<std::size_t>(key_len));
    const bool default_port = url_.port == (Tls ? "443" : "80");
    auto& req = c->upgrade;
    req.method(http::verb::get);
    req.target(url_.target);
    req.version(11);
    req.set(http::field::host, default_port ? url_.host : url_.host + ":" + url_.port);
    req.set(http::field::upgrade, "websocket");
    req.set(http::field::connection, "Upgrade");
    req.set(http::field::sec_websocket_key, c->sec_key);
    req.set(http::field::sec_websocket_version, "13");
    req.set(http::field::user_agent, "odte-feed/1");
    beast::get_lowest_layer(c->stream).expires_after(to_steady(config.handshake_timeout));
    http::async_write(c->stream, req, [this, c](error_code e, std::size_t) {
      if (c != conn_) return;
      if (e) return fail(e, "websocket handshake");
      http::async_read(c->stream, c->buffer, c->answer, [this, c](error_code e2, std::size_t) { on_handshake(c, e2); });
    });
  }

  void on_handshake(const ConnPtr& c, error_code ec) {
    if (c != conn_) return;
    if (!ec) ec = check_upgrade(*c);
    if (ec) return fail(ec, "websocket handshake");
    beast::get_lowest_layer(c->stream).expires_never();
    c->open = true;
    counters.connects.fetch_add(1, std::memory_order_relaxed);
    counters.state.store(WsState::kAuthenticating, std::memory_order_relaxed);
    say(LogLevel::kInfo, "connected to " + url_.host + ":" + url_.port + url_.target);
    auth_timer_.expires_after(to_steady(config.auth_timeout));
    auth_timer_.async_wait([this, c](error_code e) {
      if (e || c != conn_ || c->authed) return;
      lost("authenticate: no auth_success within the auth timeout");
    });
    arm_idle(c);
    // The server may have sent its first frames right behind the upgrade answer.
    if (!take_frames(c)) return;
    do_read(c);
  }

  error_code check_upgrade(const Conn& c) const {
    const auto& a = c.answer;
    if (a.result() != http::status::switching_protocols) return websocket::error::upgrade_declined;
    if (a.version() < 11) return websocket::error::bad_http_version;
    const auto upgrade = a[http::field::upgrade];
    if (!iequals(std::string_view(upgrade.data(), upgrade.size()), "websocket")) {
      return websocket::error::no_upgrade_websocket;
    }
    const auto connection = a[http::field::connection];
    if (!has_token(std::string_view(connection.data(), connection.size()), "upgrade")) {
      return websocket::error::no_connection_upgrade;
    }
    const auto accept = a[http::field::sec_websocket_accept];
    if (accept.empty()) return websocket::error::no_sec_accept;
    if (std::string_view(accept.data(), accept.size()) != expected_accept(c.sec_key)) {
      return websocket::error::bad_sec_accept;
    }
    return {};
  }

  // ---- keepalive -----------------------------------------------------------------------------

  // Every half idle timeout: a ping after a quiet half, the connection dropped after a quiet whole
  // (as beast::websocket's keep_alive_pings do, but with one timer wait per half period instead of
  // a timer update per read).
  void arm_idle(const ConnPtr& c) {
    idle_timer_.expires_after(to_steady(config.idle_timeout) / 2);
    idle_timer_.async_wait([this, c](error_code e) {
      if (e || c != conn_) return;
      if (c->received != c->received_seen) {
        c->received_seen = c->received;
        c->ping_sent = false;
      } else if (!c->ping_sent) {
        c->ping_sent = true;
        send_frame(c, WsOpcode::kPing, {});
      } else {
        return fail(beast::error::timeout, "read");
      }
      arm_idle(c);
    });
  }

  // ---- frames --------------------------------------------------------------------------------

  void do_read(const ConnPtr& c) {
    // Keep kFramePadding writable bytes beyond whatever arrives, so every frame has them after it.
    const auto space = c->buffer.prepare(read_size(*c) + kFramePadding);
    c->stream.async_read_some(net::buffer(space.data(), space.size() - kFramePadding),
                              [this, c](error_code e, std::size_t n) { on_read(c, e, n); });
  }

  // What to ask of the socket: a chunk, or the rest of a frame larger than that.
  std::size_t read_size(const Conn& c) const {
    std::size_t want = kReadChunk;
    const std::size_t have = c.buffer.size();
    WsFrameHeader h{};
    if (read_ws_header(static_cast<const char*>(c.buffer.data().data()), have, h) != 0 &&
        h.payload_bytes <= config.max_frame_bytes && h.header_bytes + h.payload_bytes > have) {
      want = std::max(want, static_cast<std::size_t>(h.header_bytes + h.payload_bytes - have));
    }
    return want;
  }

  void on_read(const ConnPtr& c, error_code ec, std::size_t bytes) {
    if (c != conn_) return;
    if (ec) return fail(ec, "read");
    c->buffer.commit(bytes);
    c->received += bytes;
    if (!take_frames(c)) return;
    if (c == conn_ && !stopping_) do_read(c);
  }

  // Hands out every complete frame in the buffer. False when the connection was dropped meanwhile
  // (a protocol error, a close, or a handler's doing).
  bool take_frames(const ConnPtr& c) {
    (void)c->buffer.prepare(kFramePadding);  // may move the bytes: before taking any pointer
    const auto* base = static_cast<const char*>(c->buffer.data().data());
    const std::size_t size = c->buffer.size();
    std::size_t pos = 0;
    error_code ec;
    while (true) {
      const WsFrameEvent e = c->decoder.next(base + pos, size - pos);
      if (e.kind == WsFrameEvent::Kind::kNeedMore) break;
      if (e.kind == WsFrameEvent::Kind::kError) {
        ec = to_error_code(e.error);
        break;
      }
      pos += e.consumed;
      ec = on_frame_event(c, e);
      if (ec || c != conn_) break;
    }
    if (c != conn_) return false;
    if (ec) {
      fail(ec, "read");
      return false;
    }
    c->buffer.consume(pos);
    return true;
  }

  // The decoder's reasons as Beast's websocket errors, for the log line.
  static error_code to_error_code(WsFrameError e) {
    switch (e) {
      case WsFrameError::kNone: return {};
      case WsFrameError::kReservedBits: return websocket::error::bad_reserved_bits;
      case WsFrameError::kMasked: return websocket::error::bad_masked_frame;
      case WsFrameError::kTooBig: return websocket::error::message_too_big;
      case WsFrameError::kBadOpcode: return websocket::error::bad_opcode;
      case WsFrameError::kDataInMessage: return websocket::error::bad_data_frame;
      case WsFrameError::kStrayContinuation: return websocket::error::bad_continuation;
      case WsFrameError::kFragmentedControl: return websocket::error::bad_control_fragment;
      case WsFrameError::kLongControl: return websocket::error::bad_control_size;
      case WsFrameError::kBadUtf8: return websocket::error::bad_frame_payload;
    }
    return websocket::error::bad_opcode;
  }

  error_code on_frame_event(const ConnPtr& c, const WsFrameEvent& e) {
    switch (e.kind) {
      case WsFrameEvent::Kind::kMessage:
        on_message(c, e.payload);
        return {};
      case WsFrameEvent::Kind::kPing:
        send_frame(c, WsOpcode::kPong, e.payload);
        return {};
      case WsFrameEvent::Kind::kClose:
        // Answer the close as RFC 6455 asks, then the connection is over.
        send_frame(c, WsOpcode::kClose, e.payload.substr(0, std::min<std::size_t>(e.payload.size(), 2)));
        c->open = false;
        return websocket::error::closed;
      case WsFrameEvent::Kind::kFragment:  // kept by the decoder until the message is whole
      case WsFrameEvent::Kind::kPong:
      case WsFrameEvent::Kind::kNeedMore:
      case WsFrameEvent::Kind::kError:
        break;
    }
    return {};
  }

  void on_message(const ConnPtr& c, std::string_view frame) {
    const TimestampNs now = WallClock{}.now_ns();
    counters.frames.fetch_add(1, std::memory_order_relaxed);
    counters.bytes.fetch_add(frame.size(), std::memory_order_relaxed);
    const bool status = looks_like_status(frame);
    if (status) on_status_frame(c, frame, now);
    if (on_frame && c == conn_) on_frame(RawFrame{frame, now, config.stream, status});
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
    send_frame(c, WsOpcode::kText, message);
  }

  // One masked frame (a client always masks, with a fresh key per frame).
  void send_frame(const ConnPtr& c, WsOpcode op, std::string_view payload) {
    if (!c->open) return;
    std::string f;
    f.reserve(payload.size() + 14);
    f += static_cast<char>(0x80u | static_cast<unsigned>(op));
    if (payload.size() < 126) {
      f += static_cast<char>(0x80u | payload.size());
    } else if (payload.size() <= 0xFFFF) {
      f += static_cast<char>(0x80u | 126u);
      f += static_cast<char>(payload.size() >> 8);
      f += static_cast<char>(payload.size() & 0xFF);
    } else {
      f += static_cast<char>(0x80u | 127u);
      for (int shift = 56; shift >= 0; shift -= 8) f += static_cast<char>((payload.size() >> shift) & 0xFF);
    }
    const std::uint32_t key = static_cast<std::uint32_t>(mask_rng_());
    char mask[4];
    std::memcpy(mask, &key, 4);
    f.append(mask, 4);
    for (std::size_t i = 0; i < payload.size(); ++i) f += static_cast<char>(payload[i] ^ mask[i & 3]);
    c->writes.push_back(std::move(f));
    if (!c->writing) do_write(c);
  }

  void do_write(const ConnPtr& c) {
    c->writing = true;
    net::async_write(c->stream, net::buffer(c->writes.front()), [this, c](error_code ec, std::size_t) {
      c->writing = false;
      if (ec) {
        if (c == conn_) fail(ec, "write");
        return;
      }
      c->writes.pop_front();
      if (c->closing) {
        if (c->writes.empty()) close_socket(*c);
        else do_write(c);
        return;
      }
      if (c != conn_) return;
      if (!c->writes.empty()) do_write(c);
    });
  }

  static void close_socket(Conn& c) {
    error_code ignored;
    beast::get_lowest_layer(c.stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(c.stream).close();
  }

  // ---- failure, reconnect, stop ----------------------------------------------------------------

  void drop_connection() {
    auth_timer_.cancel();
    idle_timer_.cancel();
    if (!conn_) return;
    close_socket(*conn_);
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
    idle_timer_.cancel();
    if (!conn_) return;
    ConnPtr c = std::move(conn_);
    if (c->open) {
      // A close frame (1000, normal), then the socket goes once it is written; the server's answer
      // is not waited for.
      send_frame(c, WsOpcode::kClose, std::string_view("\x03\xe8", 2));
      c->open = false;
      c->closing = true;
      if (!c->writing) close_socket(*c);
    } else {
      close_socket(*c);
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
  net::steady_timer idle_timer_;
  Backoff backoff_;
  std::mt19937 mask_rng_;  // websocket masking keys and the upgrade nonce
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
