// WsClient (wss://) and RestClient (https://) against a real TLS server on 127.0.0.1, written here
// with Boost.Asio's ssl::stream: a Massive-style websocket endpoint and a small HTTPS REST endpoint
// on one port. Every key and certificate is made at test time with the OpenSSL API (EC P-256):
//
//   test CA ("odte test CA")            the one the clients are told to trust (ca_file)
//    |- intermediate CA                 for a chain sent by the server (leaf + intermediate)
//    |   '- localhost, 127.0.0.1
//    |- localhost, 127.0.0.1            the good server certificate
//    |- other.example                   a valid certificate for another host name
//    |- localhost (no IP SAN)           for a client that connects to 127.0.0.1
//    |- CN=localhost, no SAN at all     names are checked in subjectAltName only
//    |- localhost, expired yesterday
//    '- localhost, valid from tomorrow
//   rogue: self-signed localhost        not under any trusted CA
//   other CA -> localhost               a CA the clients were never told about
//
// Only the CA certificate is written to disk (a temp dir, removed afterwards); private keys stay in
// memory. The server checks the SNI it receives; it refuses a ClientHello that does not name the
// host it expects. Every wait is bounded; every socket is loopback.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "odte/feeds/rest_client.hpp"
#include "odte/feeds/ws_client.hpp"
#include "ws_test_support.hpp"

namespace odte::feeds {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kWait = 5s;
constexpr std::string_view kKey = "tls-KEY-93d0c7";

template <typename Pred>
bool wait_for(Pred pred, std::chrono::milliseconds limit = kWait) {
  const auto end = Clock::now() + limit;
  while (!pred()) {
    if (Clock::now() > end) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

// ---- test PKI --------------------------------------------------------------------------------

struct PkeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const noexcept { X509_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

Pkey new_key() {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr), &EVP_PKEY_CTX_free);
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_group_name(ctx.get(), "P-256") != 1 ||
      EVP_PKEY_generate(ctx.get(), &key) != 1) {
    ADD_FAILURE() << "EC key generation failed";
  }
  return Pkey(key);
}

struct CertSpec {
  std::string cn;
  std::string san;              // "DNS:localhost,IP:127.0.0.1"; empty: no subjectAltName
  bool ca = false;
  long not_before_s = -3600;    // relative to now
  long not_after_s = 86'400;
};

bool add_ext(X509* x, X509V3_CTX* v3, int nid, const std::string& value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, v3, nid, value.c_str());
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(x, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// Issued by (issuer, issuer_key); self-signed when issuer is null.
Cert make_cert(const CertSpec& s, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
  static std::atomic<long> serial{1000};
  Cert x(X509_new());
  bool ok = x && X509_set_version(x.get(), X509_VERSION_3) == 1 &&
            ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial.fetch_add(1)) == 1 &&
            X509_gmtime_adj(X509_getm_notBefore(x.get()), s.not_before_s) != nullptr &&
            X509_gmtime_adj(X509_getm_notAfter(x.get()), s.not_after_s) != nullptr &&
            X509_set_pubkey(x.get(), key) == 1;
  X509_NAME* name = ok ? X509_get_subject_name(x.get()) : nullptr;
  ok = ok &&
       X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("odte tests"),
                                  -1, -1, 0) == 1 &&
       X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(s.cn.c_str()),
                                  -1, -1, 0) == 1;
  X509* signer = issuer != nullptr ? issuer : x.get();
  ok = ok && X509_set_issuer_name(x.get(), X509_get_subject_name(signer)) == 1;
  X509V3_CTX v3;
  X509V3_set_ctx(&v3, signer, x.get(), nullptr, nullptr, 0);
  ok = ok && add_ext(x.get(), &v3, NID_basic_constraints, s.ca ? "critical,CA:TRUE" : "critical,CA:FALSE") &&
       add_ext(x.get(), &v3, NID_key_usage, s.ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature") &&
       add_ext(x.get(), &v3, NID_subject_key_identifier, "hash");
  if (ok && !s.ca) ok = add_ext(x.get(), &v3, NID_ext_key_usage, "serverAuth");
  if (ok && issuer != nullptr) ok = add_ext(x.get(), &v3, NID_authority_key_identifier, "keyid:always");
  if (ok && !s.san.empty()) ok = add_ext(x.get(), &v3, NID_subject_alt_name, s.san);
  ok = ok && X509_sign(x.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) > 0;
  if (!ok) ADD_FAILURE() << "making certificate " << s.cn << " failed";
  return x;
}

// What a server presents: its certificate, its key, and the chain it sends with them.
struct Identity {
  Pkey key;
  Cert cert;
  std::vector<X509*> chain;  // not owned
};

struct Pki {
  std::filesystem::path dir;
  std::string ca_file;       // the test CA, PEM; the only file
  Pkey ca_key, inter_key, other_ca_key;
  Cert ca, inter, other_ca;
  Identity good, chained, wrong_host, expired, not_yet_valid, self_signed, foreign_ca, no_ip, cn_only;

  Pki() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "odte-tls-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    dir = tmpl;
    ca_file = (dir / "test-ca.pem").string();

    const std::string both = "DNS:localhost,IP:127.0.0.1";
    ca_key = new_key();
    ca = make_cert({"odte test CA", {}, true, -3600, 86'400}, ca_key.get(), nullptr, nullptr);
    inter_key = new_key();
    inter = make_cert({"odte test intermediate", {}, true, -3600, 86'400}, inter_key.get(), ca.get(), ca_key.get());
    other_ca_key = new_key();
    other_ca = make_cert({"somebody else's CA", {}, true, -3600, 86'400}, other_ca_key.get(), nullptr, nullptr);

    issue(good, {"localhost", both}, ca.get(), ca_key.get());
    issue(chained, {"localhost", both}, inter.get(), inter_key.get());
    chained.chain.push_back(inter.get());
    issue(wrong_host, {"other.example", "DNS:other.example"}, ca.get(), ca_key.get());
    issue(expired, {"localhost", both, false, -10 * 86'400, -86'400}, ca.get(), ca_key.get());
    issue(not_yet_valid, {"localhost", both, false, 86'400, 10 * 86'400}, ca.get(), ca_key.get());
    issue(self_signed, {"localhost", both}, nullptr, nullptr);
    issue(foreign_ca, {"localhost", both}, other_ca.get(), other_ca_key.get());
    issue(no_ip, {"localhost", "DNS:localhost"}, ca.get(), ca_key.get());
    issue(cn_only, {"localhost", {}}, ca.get(), ca_key.get());  // the name only in the subject CN

    BIO* out = BIO_new_file(ca_file.c_str(), "w");
    if (out == nullptr || PEM_write_bio_X509(out, ca.get()) != 1) ADD_FAILURE() << "writing " << ca_file;
    BIO_free(out);
  }
  ~Pki() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  Pki(const Pki&) = delete;
  Pki& operator=(const Pki&) = delete;

  static void issue(Identity& id, const CertSpec& spec, X509* issuer, EVP_PKEY* issuer_key) {
    id.key = new_key();
    id.cert = make_cert(spec, id.key.get(), issuer, issuer_key);
  }
};

// ---- the server ------------------------------------------------------------------------------

thread_local bool tl_sni_sent = false;
thread_local std::string tl_sni;

// One port, two protocols: a websocket upgrade gets the Massive protocol (connected, auth with the
// key, subscribe -> success and two quote frames); any other request gets a REST answer. A thread
// per connection with blocking calls; the destructor shuts every socket down and joins.
class TlsServer {
 public:
  struct Attempt {
    Clock::time_point at;  // TCP accept
    bool ok = false;       // TLS handshake completed
    bool sni_sent = false;
    std::string sni;
    std::string error;
  };

  TlsServer(const Identity& id, std::string required_sni) : required_sni_{std::move(required_sni)} {
    use(id);
    fd_ = test_support::listen_loopback(port_, 16);
    accept_thread_ = std::thread([this] { accept_loop(); });
  }

  ~TlsServer() {
    stop_ = true;
    accept_thread_.join();
    {
      const std::lock_guard l(m_);
      for (const int fd : live_) ::shutdown(fd, SHUT_RDWR);
    }
    for (std::thread& t : sessions_) t.join();
    ::close(fd_);
  }
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;

  // The certificate for connections accepted from now on.
  void use(const Identity& id) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX* native = ctx->native_handle();
    EXPECT_EQ(SSL_CTX_use_certificate(native, id.cert.get()), 1);
    EXPECT_EQ(SSL_CTX_use_PrivateKey(native, id.key.get()), 1);
    for (X509* c : id.chain) EXPECT_EQ(SSL_CTX_ctrl(native, SSL_CTRL_CHAIN_CERT, 1, c), 1);
    // Called for every ClientHello, with or without SNI (SSL_CTX_set_tlsext_servername_callback).
    SSL_CTX_callback_ctrl(native, SSL_CTRL_SET_TLSEXT_SERVERNAME_CB, reinterpret_cast<void (*)()>(&on_sni));
    SSL_CTX_ctrl(native, SSL_CTRL_SET_TLSEXT_SERVERNAME_ARG, 0, this);
    const std::lock_guard l(m_);
    ctx_ = std::move(ctx);
  }

  [[nodiscard]] std::uint16_t port() const { return port_; }
  std::vector<Attempt> attempts() {
    const std::lock_guard l(m_);
    return attempts_;
  }
  // The client may be done with a refused handshake before this side has recorded it.
  std::vector<Attempt> attempts_after(std::size_t n) {
    (void)wait_for([&] { return attempts().size() >= n; });
    return attempts();
  }
  // Everything received after a handshake: websocket messages, and "GET target|authorization".
  std::vector<std::string> received() {
    const std::lock_guard l(m_);
    return received_;
  }
  bool received_key() {
    const std::lock_guard l(m_);
    for (const std::string& r : received_) {
      if (r.find(kKey) != std::string::npos) return true;
    }
    return false;
  }

 private:
  static int on_sni(SSL* s, int* alert, void* arg) {
    auto* self = static_cast<TlsServer*>(arg);
    const char* name = SSL_get_servername(s, TLSEXT_NAMETYPE_host_name);
    tl_sni_sent = name != nullptr;
    tl_sni = name != nullptr ? name : "";
    if (!self->required_sni_.empty() && tl_sni != self->required_sni_) {
      *alert = SSL_AD_UNRECOGNIZED_NAME;
      return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    return SSL_TLSEXT_ERR_OK;
  }

  void accept_loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 10) <= 0) continue;
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      const std::lock_guard l(m_);
      live_.insert(c);
      sessions_.emplace_back([this, c, ctx = ctx_, at = Clock::now()] { session(c, ctx, at); });
    }
  }

  // Removes the fd from live_ before the socket closes it (declared after the socket).
  struct Live {
    TlsServer& s;
    int fd;
    ~Live() {
      const std::lock_guard l(s.m_);
      s.live_.erase(fd);
    }
  };

  void note(std::string text) {
    const std::lock_guard l(m_);
    received_.push_back(std::move(text));
  }

  void session(int fd, const std::shared_ptr<ssl::context>& ctx, Clock::time_point at) {
    net::io_context ioc;
    websocket::stream<ssl::stream<tcp::socket>> ws(ioc, *ctx);
    beast::error_code ec;
    beast::get_lowest_layer(ws).assign(tcp::v4(), fd, ec);
    const Live live{*this, fd};
    if (ec) {
      ::close(fd);
      return;
    }
    tl_sni_sent = false;
    tl_sni.clear();
    ws.next_layer().handshake(ssl::stream_base::server, ec);
    {
      const std::lock_guard l(m_);
      attempts_.push_back(Attempt{at, !ec, tl_sni_sent, tl_sni, ec ? ec.message() : std::string()});
    }
    if (ec) return;
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    http::read(ws.next_layer(), buffer, req, ec);
    if (ec) return;
    if (!websocket::is_upgrade(req)) return serve_rest(ws.next_layer(), req);
    ws.accept(req, ec);
    if (ec) return;
    ws.text(true);
    auto say = [&](const std::string& m) { ws.write(net::buffer(m), ec); };
    say(R"([{"ev":"status","status":"connected","message":"Connected Successfully"}])");
    while (!ec) {
      beast::flat_buffer in;
      ws.read(in, ec);
      if (ec) return;
      const std::string text = beast::buffers_to_string(in.data());
      note(text);
      if (text.find(R"("action":"auth")") != std::string::npos) {
        if (text == R"({"action":"auth","params":")" + std::string(kKey) + R"("})") {
          say(R"([{"ev":"status","status":"auth_success","message":"authenticated"}])");
        } else {
          say(R"([{"ev":"status","status":"auth_failed","message":"authentication failed"}])");
          ws.close(websocket::close_code::policy_error, ec);
          return;
        }
      } else if (text.find(R"("action":"subscribe")") != std::string::npos) {
        say(R"([{"ev":"status","status":"success","message":"subscribed to: Q.O:SPXW*"}])");
        say(R"([{"ev":"Q","sym":"O:SPXW251125C06700000","bp":1.1,"ap":1.2,"t":1764081000000}])");
        say(R"([{"ev":"Q","sym":"O:SPXW251125P06700000","bp":2.1,"ap":2.3,"t":1764081000001}])");
      }
    }
  }

  void serve_rest(ssl::stream<tcp::socket>& stream, const http::request<http::string_body>& req) {
    const std::string target(req.target());
    note("GET " + target + "|" + std::string(req[http::field::authorization]));
    http::response<http::string_body> res;
    res.version(11);
    res.set(http::field::content_type, "application/json");
    res.keep_alive(false);
    const std::string base = "https://localhost:" + std::to_string(port_);
    if (req[http::field::authorization] != "Bearer " + std::string(kKey)) {
      res.result(http::status::unauthorized);
      res.body() = R"({"status":"ERROR","error":"bad key"})";
    } else if (target == "/v1/marketstatus/now") {
      res.result(http::status::ok);
      res.body() = R"({"market":"open","serverTime":"2025-11-25T09:31:02-05:00","earlyHours":false,"afterHours":false})";
    } else if (target.starts_with("/v3/reference/options/contracts?underlying_ticker=SPX")) {
      res.result(http::status::ok);
      res.body() = R"({"results":[{"contract_type":"call","expiration_date":"2025-11-25","strike_price":6700,"ticker":"O:SPXW251125C06700000","underlying_ticker":"SPX"}],"status":"OK","next_url":")" +
                   base + R"(/v3/reference/options/contracts?cursor=p2"})";
    } else if (target == "/v3/reference/options/contracts?cursor=p2") {
      res.result(http::status::ok);
      res.body() = R"({"results":[{"contract_type":"put","expiration_date":"2025-11-25","strike_price":6700,"ticker":"O:SPXW251125P06700000","underlying_ticker":"SPX"}],"status":"OK"})";
    } else {
      res.result(http::status::not_found);
      res.body() = R"({"status":"NOT_FOUND"})";
    }
    res.prepare_payload();
    beast::error_code ec;
    http::write(stream, res, ec);
  }

  std::string required_sni_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread accept_thread_;
  std::mutex m_;
  std::shared_ptr<ssl::context> ctx_;
  std::set<int> live_;
  std::vector<std::thread> sessions_;
  std::vector<Attempt> attempts_;
  std::vector<std::string> received_;
};

// ---- client side helpers ---------------------------------------------------------------------

using Sink = test_support::ClientSink;

// A WsClient on its own (feed) thread; stopped and joined on destruction.
struct Running {
  std::unique_ptr<WsClient> client;
  std::thread thread;
  std::atomic<bool> done{false};
  std::error_code result;
  Running(WsClientConfig cfg, Sink& sink) {
    client = std::make_unique<WsClient>(std::move(cfg), sink.on_frame(), StatusHandler{}, sink.on_log());
    thread = std::thread([this] {
      result = client->run();
      done = true;
    });
  }
  ~Running() {
    client->stop();
    thread.join();
  }
  Running(const Running&) = delete;
  Running& operator=(const Running&) = delete;
  const WsCounters& counters() const { return client->counters(); }
};

class NetTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new Pki(); }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }

  void serve(const Identity& id, std::string required_sni = "localhost") {
    server_ = std::make_unique<TlsServer>(id, std::move(required_sni));
  }
  [[nodiscard]] std::string authority(std::string_view host) const {
    return std::string(host) + ":" + std::to_string(server_->port());
  }

  WsClientConfig ws_config(std::string_view host = "localhost") const {
    WsClientConfig c;
    c.url = "wss://" + authority(host) + "/options";
    c.api_key = std::string(kKey);
    c.stream = StreamId::kOptions;
    c.subscriptions = {"Q.O:SPXW*"};
    c.ca_file = pki_->ca_file;
    c.backoff.initial = 20ms;
    c.backoff.max = 200ms;
    c.connect_timeout = 2s;
    c.handshake_timeout = 2s;
    c.auth_timeout = 2s;
    return c;
  }
  RestConfig rest_config(std::string_view host = "localhost") const {
    RestConfig c;
    c.base_url = "https://" + authority(host);
    c.api_key = std::string(kKey);
    c.ca_file = pki_->ca_file;
    c.timeout = 3s;
    return c;
  }

  static Pki* pki_;
  std::unique_ptr<TlsServer> server_;
};
Pki* NetTls::pki_ = nullptr;

// ---- trusted: connects, authenticates, streams -----------------------------------------------

TEST_F(NetTls, shouldStreamOverWssWhenTheCaIsTrustedAndSendSni) {
  serve(pki_->good);
  Sink sink;
  Running c(ws_config(), sink);
  ASSERT_TRUE(wait_for([&] { return sink.frame_count() >= 2; })) << sink.all_logs();
  EXPECT_EQ(c.counters().authenticated.load(), 1u);
  EXPECT_EQ(c.counters().state.load(), WsState::kStreaming);
  const auto attempts = server_->attempts();
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_TRUE(attempts[0].ok);
  EXPECT_TRUE(attempts[0].sni_sent);
  EXPECT_EQ(attempts[0].sni, "localhost");
  // The key went over the verified connection, in the auth message only.
  const auto got = server_->received();
  ASSERT_GE(got.size(), 2u);
  EXPECT_EQ(got[0], R"({"action":"auth","params":")" + std::string(kKey) + R"("})");
  EXPECT_EQ(got[1], R"({"action":"subscribe","params":"Q.O:SPXW*"})");
  EXPECT_FALSE(sink.logged(kKey));
  c.client->stop();
  ASSERT_TRUE(wait_for([&] { return c.done.load(); }));
  EXPECT_FALSE(c.result) << c.result.message();
}

TEST_F(NetTls, shouldFollowAChainThroughAnIntermediateSentByTheServer) {
  serve(pki_->chained);
  Sink sink;
  Running c(ws_config(), sink);
  ASSERT_TRUE(wait_for([&] { return sink.frame_count() >= 2; })) << sink.all_logs();
  RestClient rest(rest_config());
  const auto r = rest.market_status();
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.value.market, "open");
}

TEST_F(NetTls, shouldVerifyAnIpAddressAgainstTheIpSanAndSendNoSniForIt) {
  serve(pki_->good, {});  // no SNI expected: RFC 6066 forbids IP literals in server_name
  Sink sink;
  Running c(ws_config("127.0.0.1"), sink);
  ASSERT_TRUE(wait_for([&] { return sink.frame_count() >= 2; })) << sink.all_logs();
  RestClient rest(rest_config("127.0.0.1"));
  const auto r = rest.market_status();
  ASSERT_TRUE(r.ok()) << r.error;
  const auto attempts = server_->attempts();
  ASSERT_EQ(attempts.size(), 2u);
  for (const auto& a : attempts) {
    EXPECT_TRUE(a.ok) << a.error;
    EXPECT_FALSE(a.sni_sent) << a.sni;
  }
}

TEST_F(NetTls, shouldFetchOverHttpsWithSniAndFollowAnHttpsNextUrl) {
  serve(pki_->good);
  RestClient rest(rest_config());
  const auto status = rest.market_status();
  ASSERT_TRUE(status.ok()) << status.error;
  EXPECT_EQ(status.value.market, "open");
  EXPECT_EQ(status.value.server_time, "2025-11-25T09:31:02-05:00");
  const auto contracts = rest.option_contracts("SPX", "2025-11-25", "SPXW");
  ASSERT_TRUE(contracts.ok()) << contracts.error;
  ASSERT_EQ(contracts.value.size(), 2u);
  EXPECT_EQ(contracts.value[1].ticker, "O:SPXW251125P06700000");
  const auto attempts = server_->attempts();
  ASSERT_EQ(attempts.size(), 3u);
  for (const auto& a : attempts) {
    EXPECT_TRUE(a.ok) << a.error;
    EXPECT_EQ(a.sni, "localhost");
  }
  const auto got = server_->received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], "GET /v1/marketstatus/now|Bearer " + std::string(kKey));
}

TEST_F(NetTls, shouldBeRefusedByAServerThatWantsAnotherSniName) {
  // The server's own check: a ClientHello naming another host gets unrecognized_name. This is what
  // makes the SNI assertions above able to fail.
  serve(pki_->good, "feed.example");
  RestClient rest(rest_config());
  const auto r = rest.market_status();
  ASSERT_FALSE(r.ok());
  const auto attempts = server_->attempts_after(1);
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_FALSE(attempts[0].ok);
  EXPECT_EQ(attempts[0].sni, "localhost");
  EXPECT_FALSE(server_->received_key());
}

// ---- refusals --------------------------------------------------------------------------------

struct Refusal {
  const char* name;
  Identity Pki::*identity;
  const char* host;       // in the client's URL
  int x509_error;         // the verification failure the error must name
};

void PrintTo(const Refusal& r, std::ostream* os) { *os << r.name; }

const Refusal kRefusals[] = {
    {"selfSigned", &Pki::self_signed, "localhost", X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT},
    {"unknownCa", &Pki::foreign_ca, "localhost", X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY},
    {"hostMismatch", &Pki::wrong_host, "localhost", X509_V_ERR_HOSTNAME_MISMATCH},
    {"ipMismatch", &Pki::no_ip, "127.0.0.1", X509_V_ERR_IP_ADDRESS_MISMATCH},
    {"nameOnlyInSubjectCn", &Pki::cn_only, "localhost", X509_V_ERR_HOSTNAME_MISMATCH},
    {"expired", &Pki::expired, "localhost", X509_V_ERR_CERT_HAS_EXPIRED},
    {"notYetValid", &Pki::not_yet_valid, "localhost", X509_V_ERR_CERT_NOT_YET_VALID},
};

class NetTlsRefusal : public NetTls, public ::testing::WithParamInterface<Refusal> {
 protected:
  void SetUp() override {
    const Refusal& r = GetParam();
    serve(pki_->*r.identity, std::string_view(r.host) == "localhost" ? "localhost" : "");
  }
  // The server saw a handshake that did not complete, and nothing after it.
  void expect_nothing_got_through(std::size_t attempts) {
    const auto a = server_->attempts_after(attempts);
    EXPECT_EQ(a.size(), attempts);
    for (const auto& x : a) EXPECT_FALSE(x.ok);
    EXPECT_TRUE(server_->received().empty());
    EXPECT_FALSE(server_->received_key());
  }
  static std::string reason() { return X509_verify_cert_error_string(GetParam().x509_error); }
};

TEST_P(NetTlsRefusal, websocketRefusesWithTheVerificationFailureNamed) {
  Sink sink;
  auto cfg = ws_config(GetParam().host);
  cfg.max_reconnects = 0;
  Running c(cfg, sink);
  ASSERT_TRUE(wait_for([&] { return c.done.load(); }));
  EXPECT_EQ(c.result, make_error_code(NetErrc::kTooManyReconnects));
  const std::string err = c.client->error_message();
  RecordProperty("error", err);  // in --gtest_output=xml, to read what an operator would see
  EXPECT_NE(err.find("certificate verification failed for " + std::string(GetParam().host)), std::string::npos) << err;
  EXPECT_NE(err.find(reason()), std::string::npos) << err << "\nwanted: " << reason();
  EXPECT_EQ(err.find(kKey), std::string::npos) << err;
  EXPECT_TRUE(sink.logged(reason())) << sink.all_logs();
  EXPECT_FALSE(sink.logged(kKey));
  EXPECT_EQ(c.counters().connects.load(), 0u);
  EXPECT_EQ(c.counters().tls_verify_failures.load(), 1u);
  expect_nothing_got_through(1);
}

TEST_P(NetTlsRefusal, restRefusesWithTheVerificationFailureNamed) {
  RestClient rest(rest_config(GetParam().host));
  const auto r = rest.market_status();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.ec, make_error_code(NetErrc::kTlsVerify)) << r.ec.message();
  RecordProperty("error", r.error);
  EXPECT_NE(r.error.find("certificate verification failed for " + std::string(GetParam().host)), std::string::npos)
      << r.error;
  EXPECT_NE(r.error.find(reason()), std::string::npos) << r.error << "\nwanted: " << reason();
  EXPECT_EQ(r.error.find(kKey), std::string::npos) << r.error;
  expect_nothing_got_through(1);
}

INSTANTIATE_TEST_SUITE_P(Certificates, NetTlsRefusal, ::testing::ValuesIn(kRefusals),
                         [](const ::testing::TestParamInfo<Refusal>& i) { return std::string(i.param.name); });

TEST_F(NetTls, shouldRefuseTheTestCaWithoutCaFile) {
  // The system store alone does not know the test CA: ca_file is what makes the trusted cases pass.
  serve(pki_->good);
  auto wcfg = ws_config();
  wcfg.ca_file.clear();
  wcfg.max_reconnects = 0;
  Sink sink;
  Running c(wcfg, sink);
  ASSERT_TRUE(wait_for([&] { return c.done.load(); }));
  const std::string reason = X509_verify_cert_error_string(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  EXPECT_NE(c.client->error_message().find(reason), std::string::npos) << c.client->error_message();
  // The hint for operators behind a TLS-intercepting proxy.
  EXPECT_NE(c.client->error_message().find("ca_file"), std::string::npos) << c.client->error_message();
  auto rcfg = rest_config();
  rcfg.ca_file.clear();
  RestClient rest(rcfg);
  const auto r = rest.market_status();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error.find(reason), std::string::npos) << r.error;
  EXPECT_FALSE(server_->received_key());
}

TEST_F(NetTls, shouldNameAnUnusableCaFileAndNotConnect) {
  serve(pki_->good);
  const std::string missing = (pki_->dir / "no-such-ca.pem").string();
  const std::string not_pem = (pki_->dir / "not-a-ca.pem").string();
  {
    std::FILE* f = std::fopen(not_pem.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("this is not a certificate\n", f);
    std::fclose(f);
  }
  for (const auto& [file, why] : {std::pair{missing, std::string(std::strerror(ENOENT))},
                                  std::pair{not_pem, std::string("not a PEM bundle")}}) {
    SCOPED_TRACE(file);
    auto wcfg = ws_config();
    wcfg.ca_file = file;
    Sink sink;
    WsClient ws(wcfg, sink.on_frame(), {}, sink.on_log());
    EXPECT_EQ(ws.run(), make_error_code(NetErrc::kTlsSetup));  // before any connection: returns at once
    EXPECT_EQ(ws.counters().state.load(), WsState::kFailed);
    EXPECT_NE(ws.error_message().find("ca_file '" + file + "': " + why), std::string::npos) << ws.error_message();
    EXPECT_TRUE(sink.logged(file));
    auto rcfg = rest_config();
    rcfg.ca_file = file;
    RestClient rest(rcfg);
    const auto r = rest.market_status();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.ec, make_error_code(NetErrc::kTlsSetup));
    EXPECT_NE(r.error.find("ca_file '" + file + "': " + why), std::string::npos) << r.error;
  }
  EXPECT_TRUE(server_->attempts().empty());
}

// ---- reconnect policy on a verification failure ------------------------------------------------

TEST_F(NetTls, shouldBackOffExponentiallyOnVerificationFailuresNotSpin) {
  serve(pki_->expired);
  auto cfg = ws_config();
  cfg.backoff.initial = 40ms;
  cfg.backoff.multiplier = 2.0;
  cfg.backoff.max = 1000ms;
  cfg.backoff.jitter = 0.0;
  cfg.max_reconnects = 3;
  Sink sink;
  const auto t0 = Clock::now();
  Running c(cfg, sink);
  ASSERT_TRUE(wait_for([&] { return c.done.load(); }));
  const auto elapsed = Clock::now() - t0;
  EXPECT_EQ(c.result, make_error_code(NetErrc::kTooManyReconnects));
  EXPECT_EQ(c.counters().tls_verify_failures.load(), 4u);
  const auto attempts = server_->attempts_after(4);
  ASSERT_EQ(attempts.size(), 4u);
  // 40, 80, 160 ms between attempts: the backoff is not reset by a failed handshake.
  const std::chrono::milliseconds want[] = {40ms, 80ms, 160ms};
  for (std::size_t i = 1; i < attempts.size(); ++i) {
    EXPECT_GE(attempts[i].at - attempts[i - 1].at, want[i - 1]) << "attempt " << i;
  }
  EXPECT_GE(elapsed, 280ms);
  EXPECT_TRUE(sink.logged("reconnecting in 160 ms")) << sink.all_logs();
  const std::string err = c.client->error_message();
  EXPECT_NE(err.find(X509_verify_cert_error_string(X509_V_ERR_CERT_HAS_EXPIRED)), std::string::npos) << err;
  EXPECT_NE(err.find(" GMT)"), std::string::npos) << err;  // its dates, beside a possibly wrong local clock
  EXPECT_NE(err.find(", valid "), std::string::npos) << err;
  EXPECT_FALSE(server_->received_key());
}

TEST_F(NetTls, shouldKeepRetryingAndRecoverOnceTheServerCertificateIsFixed) {
  // A verification failure is retried with the normal backoff, not fatal: a clock that NTP has not
  // set yet, or a server mid-rotation, heals without a restart. The key is never sent meanwhile.
  serve(pki_->wrong_host);
  auto cfg = ws_config();
  cfg.backoff.initial = 20ms;
  cfg.backoff.max = 80ms;
  cfg.backoff.jitter = 0.0;
  Sink sink;
  Running c(cfg, sink);
  ASSERT_TRUE(wait_for([&] { return c.counters().tls_verify_failures.load() >= 3; }));
  EXPECT_FALSE(c.done.load());
  EXPECT_EQ(c.counters().connects.load(), 0u);
  EXPECT_FALSE(server_->received_key());
  server_->use(pki_->good);
  ASSERT_TRUE(wait_for([&] { return sink.frame_count() >= 2; })) << sink.all_logs();
  EXPECT_EQ(c.counters().authenticated.load(), 1u);
  // Failures came at most every 20 + 40 + 80 + 80 ... ms: bounded, not a spin.
  const auto attempts = server_->attempts();
  ASSERT_GE(attempts.size(), 4u);
  for (std::size_t i = 1; i < attempts.size(); ++i) EXPECT_GE(attempts[i].at - attempts[i - 1].at, 20ms);
  EXPECT_TRUE(sink.logged(X509_verify_cert_error_string(X509_V_ERR_HOSTNAME_MISMATCH))) << sink.all_logs();
  EXPECT_FALSE(sink.logged(kKey));
}

}  // namespace
}  // namespace odte::feeds
