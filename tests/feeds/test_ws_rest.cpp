// RestClient against a small HTTP/1.1 server on 127.0.0.1 (plain http: the client allows it for
// loopback only). Covers next_url pagination, root filtering, the foreign-host refusal, errors
// without the key, and the request deadline.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "odte/feeds/rest_client.hpp"
#include "ws_test_support.hpp"

namespace odte::feeds {
namespace {

constexpr std::string_view kKey = "rest-KEY-a41b";

// One request per connection, answered by `handler(target)`; status 0 means "never answer".
class TinyHttp {
 public:
  using Handler = std::function<std::pair<int, std::string>(const std::string& target)>;
  explicit TinyHttp(Handler h) : handler_{std::move(h)} {
    fd_ = test_support::listen_loopback(port_, 16);
    thread_ = std::thread([this] { serve(); });
  }
  ~TinyHttp() {
    stop_ = true;
    thread_.join();
    for (const int c : held_) ::close(c);
    ::close(fd_);
  }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> heads() {
    const std::lock_guard l(m_);
    return heads_;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      std::string head;
      char buf[4096];
      while (head.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        head.append(buf, static_cast<std::size_t>(n));
      }
      {
        const std::lock_guard l(m_);
        heads_.push_back(head);
      }
      const std::size_t sp = head.find(' ');
      const std::string target = head.substr(sp + 1, head.find(' ', sp + 1) - sp - 1);
      const auto [status, body] = handler_(target);
      if (status == 0) {
        held_.push_back(c);
        continue;
      }
      const std::string reply = "HTTP/1.1 " + std::to_string(status) +
                                " X\r\nContent-Type: application/json\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
      (void)::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }

  Handler handler_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex m_;
  std::vector<std::string> heads_;
  std::vector<int> held_;
};

RestConfig config_for(const TinyHttp& server) {
  RestConfig c;
  c.base_url = server.url();
  c.api_key = std::string(kKey);
  c.timeout = std::chrono::milliseconds{2000};
  return c;
}

TEST(RestClient, shouldFollowNextUrlPaginationAndKeepOnlyTheRoot) {
  std::string base;
  TinyHttp server([&](const std::string& target) -> std::pair<int, std::string> {
    if (target == "/v3/reference/options/contracts?underlying_ticker=SPX&expiration_date=2025-11-25&limit=1000") {
      return {200, R"({"results":[
        {"contract_type":"call","exercise_style":"european","expiration_date":"2025-11-25","strike_price":6700,"ticker":"O:SPXW251125C06700000","underlying_ticker":"SPX"},
        {"contract_type":"put","exercise_style":"european","expiration_date":"2025-11-25","strike_price":6700,"ticker":"O:SPX251125P06700000","underlying_ticker":"SPX"}],
        "status":"OK","next_url":")" + base + R"(/v3/reference/options/contracts?cursor=YWJj"})"};
    }
    if (target == "/v3/reference/options/contracts?cursor=YWJj") {
      return {200, R"({"results":[{"contract_type":"put","expiration_date":"2025-11-25","strike_price":6695.5,"ticker":"O:SPXW251125P06695500","underlying_ticker":"SPX"}],"status":"OK"})"};
    }
    return {404, R"({"status":"NOT_FOUND"})"};
  });
  base = server.url();
  RestClient client(config_for(server));
  const auto r = client.option_contracts("SPX", "2025-11-25", "SPXW");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.value.size(), 2u);
  EXPECT_EQ(r.value[0].ticker, "O:SPXW251125C06700000");
  EXPECT_TRUE(r.value[0].call);
  EXPECT_DOUBLE_EQ(r.value[0].strike, 6700);
  EXPECT_EQ(r.value[0].exercise_style, "european");
  EXPECT_EQ(r.value[1].ticker, "O:SPXW251125P06695500");
  EXPECT_FALSE(r.value[1].call);
  EXPECT_DOUBLE_EQ(r.value[1].strike, 6695.5);
  EXPECT_EQ(client.requests(), 2u);
  const auto heads = server.heads();
  ASSERT_EQ(heads.size(), 2u);
  for (const auto& h : heads) {
    EXPECT_NE(h.find("Authorization: Bearer " + std::string(kKey)), std::string::npos) << h;
    EXPECT_EQ(h.substr(0, h.find("\r\n")).find(kKey), std::string::npos) << "key in the request line";
  }
  const auto all = client.option_contracts("SPX", "2025-11-25");
  ASSERT_TRUE(all.ok()) << all.error;
  EXPECT_EQ(all.value.size(), 3u);
}

TEST(RestClient, shouldRefuseANextUrlOnAnotherHost) {
  TinyHttp server([](const std::string&) -> std::pair<int, std::string> {
    return {200, R"({"results":[],"next_url":"https://evil.example.com/v3/reference/options/contracts?cursor=x"})"};
  });
  RestClient client(config_for(server));
  const auto r = client.option_contracts("SPY", "2025-11-25");
  EXPECT_EQ(r.ec, make_error_code(NetErrc::kForeignNextUrl));
  EXPECT_EQ(client.requests(), 1u);
}

TEST(RestClient, shouldReadMarketStatusHolidaysAndPreviousClose) {
  TinyHttp server([](const std::string& target) -> std::pair<int, std::string> {
    if (target == "/v1/marketstatus/now") {
      return {200, R"({"afterHours":false,"earlyHours":true,"exchanges":{"nyse":"extended-hours"},"market":"extended-hours","serverTime":"2025-11-25T08:01:02-05:00"})"};
    }
    if (target == "/v1/marketstatus/upcoming") {
      return {200, R"([{"date":"2025-11-27","exchange":"NYSE","name":"Thanksgiving","status":"closed"},
                      {"close":"2025-11-28T18:00:00.000Z","date":"2025-11-28","exchange":"NYSE","name":"Thanksgiving","open":"2025-11-28T14:30:00.000Z","status":"early-close"}])"};
    }
    if (target == "/v2/aggs/ticker/I:SPX/prev") {
      return {200, R"({"ticker":"I:SPX","status":"OK","resultsCount":1,"results":[{"T":"I:SPX","o":6650.1,"h":6720.5,"l":6640,"c":6705.25,"t":1763758800000}]})"};
    }
    return {404, "{}"};
  });
  RestClient client(config_for(server));
  const auto st = client.market_status();
  ASSERT_TRUE(st.ok()) << st.error;
  EXPECT_EQ(st.value.market, "extended-hours");
  EXPECT_TRUE(st.value.early_hours);
  EXPECT_FALSE(st.value.after_hours);
  EXPECT_EQ(st.value.server_time, "2025-11-25T08:01:02-05:00");
  const auto hol = client.upcoming_holidays();
  ASSERT_TRUE(hol.ok()) << hol.error;
  ASSERT_EQ(hol.value.size(), 2u);
  EXPECT_EQ(hol.value[0].date, "2025-11-27");
  EXPECT_EQ(hol.value[0].status, "closed");
  EXPECT_EQ(hol.value[1].status, "early-close");
  EXPECT_EQ(hol.value[1].close, "2025-11-28T18:00:00.000Z");
  const auto prev = client.previous_close("I:SPX");
  ASSERT_TRUE(prev.ok()) << prev.error;
  EXPECT_EQ(prev.value.ticker, "I:SPX");
  EXPECT_DOUBLE_EQ(prev.value.close, 6705.25);
  EXPECT_EQ(prev.value.t_ms, 1763758800000);
}

TEST(RestClient, shouldReportHttpErrorsWithoutTheKey) {
  TinyHttp server([](const std::string&) -> std::pair<int, std::string> {
    return {401, R"({"status":"ERROR","error":"Unknown API Key )" + std::string(kKey) + R"("})"};
  });
  RestClient client(config_for(server));
  const auto r = client.market_status();
  EXPECT_EQ(r.ec, make_error_code(NetErrc::kHttpStatus));
  EXPECT_NE(r.error.find("HTTP 401"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find(kKey), std::string::npos) << r.error;
}

TEST(RestClient, shouldGiveUpWhenTheServerNeverAnswers) {
  TinyHttp server([](const std::string&) -> std::pair<int, std::string> { return {0, {}}; });
  auto cfg = config_for(server);
  cfg.timeout = std::chrono::milliseconds{200};
  RestClient client(cfg);
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = client.market_status();
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("timed out"), std::string::npos) << r.error;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds{5});
}

TEST(RestClient, shouldRefusePlainHttpToARemoteHost) {
  RestConfig cfg;
  cfg.base_url = "http://api.massive.com";
  cfg.api_key = std::string(kKey);
  RestClient client(cfg);
  EXPECT_EQ(client.market_status().ec, make_error_code(NetErrc::kInsecureRemote));
  EXPECT_EQ(client.requests(), 0u);
}

}  // namespace
}  // namespace odte::feeds
