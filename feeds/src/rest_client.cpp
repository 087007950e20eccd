// Start-up REST over Boost.Beast HTTP (this translation unit only). Each request is one async
// chain resolve -> connect -> TLS handshake -> write -> read, run on a private io_context with
// run_for(timeout) as the whole request's deadline: Beast's synchronous calls have no timeouts.

#include "odte/feeds/rest_client.hpp"

#include <cmath>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "odte/feeds/api_key.hpp"
#include "odte/feeds/json_scan.hpp"
#include "tls_client.hpp"

namespace odte::feeds {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using beast::error_code;

struct RestClient::Impl {
  RestConfig config;
  Url base;
  bool base_ok = false;
  ssl::context ssl_ctx{ssl::context::tls_client};
  std::string tls_error;
};

namespace {

template <bool Tls>
class Fetch {
  using Stream = std::conditional_t<Tls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

 public:
  Fetch(RestClient::Impl& impl, std::string target)
      : impl_{impl}, target_{std::move(target)}, resolver_{ioc_}, stream_{make_stream()} {}

  // Returns the error text, empty on success; `verify_failed` tells a refused certificate apart.
  std::string run(HttpResponse& out, bool& verify_failed) {
    resolver_.async_resolve(impl_.base.host, impl_.base.port,
                            [this](error_code ec, tcp::resolver::results_type r) { on_resolve(ec, r); });
    ioc_.run_for(std::chrono::duration_cast<std::chrono::steady_clock::duration>(impl_.config.timeout));
    if (!done_) {
      // Deadline: cancel everything and let the handlers unwind.
      resolver_.cancel();
      error_code ignored;
      beast::get_lowest_layer(stream_).socket().close(ignored);
      ioc_.restart();
      ioc_.run();
      return "request timed out after " + std::to_string(impl_.config.timeout.count()) + " ms";
    }
    verify_failed = verify_failed_;
    if (!error_.empty()) return error_;
    out.status = parser_.get().result_int();
    out.body = std::move(parser_.get().body());
    return {};
  }

 private:
  Stream make_stream() {
    if constexpr (Tls) {
      return Stream(ioc_, impl_.ssl_ctx);
    } else {
      return Stream(ioc_);
    }
  }

  void fail(error_code ec, const char* what) {
    done_ = true;
    error_ = std::string(what) + ": " + ec.message();
  }

  void on_resolve(error_code ec, const tcp::resolver::results_type& results) {
    if (ec) return fail(ec, "resolve");
    beast::get_lowest_layer(stream_).async_connect(
        results, [this](error_code e, const tcp::endpoint&) { on_connect(e); });
  }

  void on_connect(error_code ec) {
    if (ec) return fail(ec, "connect");
    if constexpr (Tls) {
      // SNI (for a name, not an IP literal); OpenSSL checks chain, dates and host name or address.
      if (const std::string err = tls::prepare_connection(stream_.native_handle(), impl_.base.host); !err.empty()) {
        done_ = true;
        error_ = "TLS set-up: " + err;
        return;
      }
      stream_.set_verify_callback([this](bool preverified, ssl::verify_context& ctx) {
        return tls::note(preverified, ctx.native_handle(), verify_);
      });
      stream_.async_handshake(ssl::stream_base::client, [this](error_code e) { on_ssl_handshake(e); });
    } else {
      on_ssl_handshake(ec);
    }
  }

  void on_ssl_handshake(error_code ec) {
    if constexpr (Tls) {
      if (ec) {
        if (std::string why = tls::describe_failure(verify_, stream_.native_handle(), impl_.base.host); !why.empty()) {
          done_ = true;
          verify_failed_ = true;
          error_ = "TLS handshake: " + why;
          return;
        }
      }
    }
    if (ec) return fail(ec, "TLS handshake");
    req_.method(http::verb::get);
    req_.target(target_);
    req_.version(11);
    const bool default_port = impl_.base.port == (Tls ? "443" : "80");
    req_.set(http::field::host, default_port ? impl_.base.host : impl_.base.host + ":" + impl_.base.port);
    req_.set(http::field::user_agent, "odte/1");
    req_.set(http::field::accept, "application/json");
    req_.set(http::field::authorization, "Bearer " + impl_.config.api_key);
    req_.keep_alive(false);
    http::async_write(stream_, req_, [this](error_code e, std::size_t) { on_write(e); });
  }

  void on_write(error_code ec) {
    if (ec) return fail(ec, "write");
    parser_.body_limit(impl_.config.max_body_bytes);
    http::async_read(stream_, buffer_, parser_, [this](error_code e, std::size_t) { on_read(e); });
  }

  void on_read(error_code ec) {
    if (ec) return fail(ec, "read");
    done_ = true;
    error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  RestClient::Impl& impl_;
  std::string target_;
  net::io_context ioc_{1};
  tcp::resolver resolver_;
  Stream stream_;
  http::request<http::empty_body> req_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
  bool done_ = false;
  bool verify_failed_ = false;
  tls::VerifyFailure verify_;
  std::string error_;
};

template <typename T>
RestResult<T> failed(std::error_code ec, std::string error) {
  RestResult<T> r;
  r.ec = ec;
  r.error = std::move(error);
  return r;
}

std::string str(std::string_view object, std::string_view key) {
  std::string_view v;
  return json::string_field(object, key, v) ? json::unescape(v) : std::string();
}

double num(std::string_view object, std::string_view key) {
  double d = 0;
  return json::number_field(object, key, d) ? d : 0.0;
}

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~' || c == ':') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

}  // namespace

RestClient::RestClient(RestConfig config) : impl_{std::make_unique<Impl>()} {
  impl_->config = std::move(config);
  impl_->base_ok = parse_url(impl_->config.base_url, impl_->base);
  if (impl_->base_ok && impl_->base.tls) {
    if (std::string err = tls::configure_client_context(impl_->ssl_ctx.native_handle(), impl_->config.ca_file);
        !err.empty()) {
      impl_->tls_error = "TLS set-up: " + err;
    }
  }
}

RestClient::~RestClient() = default;

RestResult<HttpResponse> RestClient::get(std::string_view target) {
  const RestConfig& cfg = impl_->config;
  if (!impl_->base_ok) {
    return failed<HttpResponse>(make_error_code(NetErrc::kBadUrl), "bad REST base URL '" + cfg.base_url + "'");
  }
  if (!impl_->base.tls && !is_loopback_host(impl_->base.host)) {
    return failed<HttpResponse>(make_error_code(NetErrc::kInsecureRemote),
                                "refusing plain http:// to non-loopback host '" + impl_->base.host + "' (use https://)");
  }
  if (!impl_->tls_error.empty()) {
    return failed<HttpResponse>(make_error_code(NetErrc::kTlsSetup), redact(impl_->tls_error, cfg.api_key));
  }
  ++requests_;
  // The path is named in errors; a query could in principle carry anything, so it is redacted too.
  const std::string where = "GET " + impl_->base.host + redact(target.substr(0, target.find('?')), cfg.api_key);
  RestResult<HttpResponse> r;
  std::string err;
  bool verify_failed = false;
  if (impl_->base.tls) {
    err = Fetch<true>(*impl_, std::string(target)).run(r.value, verify_failed);
  } else {
    err = Fetch<false>(*impl_, std::string(target)).run(r.value, verify_failed);
  }
  if (!err.empty()) {
    return failed<HttpResponse>(make_error_code(verify_failed ? NetErrc::kTlsVerify : NetErrc::kProtocol),
                                redact(where + ": " + err, cfg.api_key));
  }
  if (r.value.status < 200 || r.value.status >= 300) {
    std::string sample = r.value.body.substr(0, 200);
    return failed<HttpResponse>(make_error_code(NetErrc::kHttpStatus),
                                redact(where + ": HTTP " + std::to_string(r.value.status) + ": " + sample, cfg.api_key));
  }
  return r;
}

RestResult<MarketStatus> RestClient::market_status() {
  auto r = get("/v1/marketstatus/now");
  if (!r.ok()) return failed<MarketStatus>(r.ec, r.error);
  RestResult<MarketStatus> out;
  out.value.market = str(r.value.body, "market");
  out.value.server_time = str(r.value.body, "serverTime");
  out.value.early_hours = json::raw_field(r.value.body, "earlyHours") == "true";
  out.value.after_hours = json::raw_field(r.value.body, "afterHours") == "true";
  if (out.value.market.empty()) {
    return failed<MarketStatus>(make_error_code(NetErrc::kBadBody), "market status: no \"market\" in the reply");
  }
  return out;
}

RestResult<std::vector<MarketHoliday>> RestClient::upcoming_holidays() {
  auto r = get("/v1/marketstatus/upcoming");
  if (!r.ok()) return failed<std::vector<MarketHoliday>>(r.ec, r.error);
  RestResult<std::vector<MarketHoliday>> out;
  const bool ok = json::for_each_element(r.value.body, [&](std::string_view e) {
    out.value.push_back(MarketHoliday{str(e, "date"), str(e, "exchange"), str(e, "name"),
                                      str(e, "status"), str(e, "open"), str(e, "close")});
  });
  if (!ok) return failed<std::vector<MarketHoliday>>(make_error_code(NetErrc::kBadBody), "upcoming holidays: not a JSON array");
  return out;
}

RestResult<std::vector<OptionContract>> RestClient::option_contracts(std::string_view underlying,
                                                                     std::string_view expiration_date,
                                                                     std::string_view root) {
  using Out = std::vector<OptionContract>;
  std::string target = "/v3/reference/options/contracts?underlying_ticker=" + percent_encode(underlying) +
                       "&expiration_date=" + percent_encode(expiration_date) + "&limit=1000";
  const std::string prefix = "O:" + std::string(root);
  RestResult<Out> out;
  for (std::size_t page = 0;; ++page) {
    if (page >= impl_->config.max_pages) {
      return failed<Out>(make_error_code(NetErrc::kBadBody),
                         "option contracts: more than " + std::to_string(impl_->config.max_pages) + " pages");
    }
    auto r = get(target);
    if (!r.ok()) return failed<Out>(r.ec, r.error);
    const std::string_view body = r.value.body;
    const std::string_view results = json::raw_field(body, "results");
    const bool ok = results.empty() || json::for_each_element(results, [&](std::string_view e) {
      OptionContract c;
      c.ticker = str(e, "ticker");
      if (!root.empty()) {
        // "O:SPX" must not take "O:SPXW...": the root is followed by the 6-digit date.
        if (c.ticker.size() <= prefix.size() || c.ticker.compare(0, prefix.size(), prefix) != 0 ||
            c.ticker[prefix.size()] < '0' || c.ticker[prefix.size()] > '9') {
          return;
        }
      }
      c.underlying = str(e, "underlying_ticker");
      c.expiration_date = str(e, "expiration_date");
      c.call = str(e, "contract_type") == "call";
      c.strike = num(e, "strike_price");
      c.exercise_style = str(e, "exercise_style");
      out.value.push_back(std::move(c));
    });
    if (!ok) return failed<Out>(make_error_code(NetErrc::kBadBody), "option contracts: \"results\" is not an array");
    const std::string next = str(body, "next_url");
    if (next.empty()) break;
    Url u;
    if (!parse_url(next, u) || u.host != impl_->base.host || u.port != impl_->base.port || u.tls != impl_->base.tls) {
      return failed<Out>(make_error_code(NetErrc::kForeignNextUrl),
                         "option contracts: next_url is not on " + impl_->base.host + "; not following it");
    }
    target = u.target;
  }
  return out;
}

RestResult<PreviousClose> RestClient::previous_close(std::string_view ticker) {
  auto r = get("/v2/aggs/ticker/" + percent_encode(ticker) + "/prev");
  if (!r.ok()) return failed<PreviousClose>(r.ec, r.error);
  RestResult<PreviousClose> out;
  bool found = false;
  (void)json::for_each_element(json::raw_field(r.value.body, "results"), [&](std::string_view e) {
    if (found) return;
    found = true;
    PreviousClose& p = out.value;
    p.ticker = str(e, "T");
    p.open = num(e, "o");
    p.high = num(e, "h");
    p.low = num(e, "l");
    p.close = num(e, "c");
    p.volume = num(e, "v");
    p.t_ms = static_cast<std::int64_t>(num(e, "t"));
  });
  if (!found || !(out.value.close > 0)) {
    return failed<PreviousClose>(make_error_code(NetErrc::kBadBody),
                                 "previous close of " + std::string(ticker) + ": no result in the reply");
  }
  if (out.value.ticker.empty()) out.value.ticker = std::string(ticker);
  return out;
}

RestResult<std::vector<AggregateBar>> RestClient::aggregates(std::string_view ticker, std::string_view timespan,
                                                              std::string_view from, std::string_view to) {
  using Out = std::vector<AggregateBar>;
  const std::string what = std::string(timespan) + " aggregates of " + std::string(ticker);
  std::string target = "/v2/aggs/ticker/" + percent_encode(ticker) + "/range/1/" + std::string(timespan) + "/" +
                       std::string(from) + "/" + std::string(to) + "?adjusted=true&sort=asc&limit=50000";
  RestResult<Out> out;
  for (std::size_t page = 0;; ++page) {
    if (page >= impl_->config.max_pages) {
      return failed<Out>(make_error_code(NetErrc::kBadBody),
                         what + ": more than " + std::to_string(impl_->config.max_pages) + " pages");
    }
    auto r = get(target);
    if (!r.ok()) return failed<Out>(r.ec, r.error);
    const std::string_view body = r.value.body;
    const std::string_view results = json::raw_field(body, "results");
    bool bad = false;
    const bool ok = results.empty() || json::for_each_element(results, [&](std::string_view e) {
      AggregateBar b;
      b.t_ms = static_cast<std::int64_t>(num(e, "t"));
      b.close = num(e, "c");
      if (b.t_ms <= 0 || !(b.close > 0)) {
        bad = true;
        return;
      }
      out.value.push_back(b);
    });
    if (!ok) return failed<Out>(make_error_code(NetErrc::kBadBody), what + ": \"results\" is not an array");
    if (bad) return failed<Out>(make_error_code(NetErrc::kBadBody), what + ": a bar without a time or a positive close");
    const std::string next = str(body, "next_url");
    if (next.empty()) break;
    Url u;
    if (!parse_url(next, u) || u.host != impl_->base.host || u.port != impl_->base.port || u.tls != impl_->base.tls) {
      return failed<Out>(make_error_code(NetErrc::kForeignNextUrl), what + ": next_url is not on " + impl_->base.host +
                                                                          "; not following it");
    }
    target = u.target;
  }
  for (std::size_t k = 1; k < out.value.size(); ++k) {
    if (out.value[k].t_ms <= out.value[k - 1].t_ms) {
      return failed<Out>(make_error_code(NetErrc::kBadBody), what + ": bars out of time order");
    }
  }
  return out;
}

}  // namespace odte::feeds
