#include "odte/daemon/metrics.hpp"
#include "odte/feeds/parser.hpp"

#include <arpa/inet.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

namespace odte::daemon {
namespace {

std::unique_ptr<CoreSnapshot> sample_snapshot() {
  auto s = std::make_unique<CoreSnapshot>();
  std::memset(static_cast<void*>(s.get()), 0, sizeof *s);
  s->seq = 42;
  s->state = CoreState::kRunning;
  s->killed = true;
  s->events_processed = 123456;
  s->orders_sent = 7;
  s->rejections[static_cast<std::size_t>(RiskReason::kCapitalAtRisk)] = 3;
  s->pnl = PnlTotals{Price::from_dollars(880), Price::from_cents(-1250), Price::from_cents(540), 1};
  s->strategy_count = 1;
  std::snprintf(s->strategies[0].name, sizeof s->strategies[0].name, "re\"gime");
  s->feeds[static_cast<int>(StreamId::kOptions)].ring_drops = 9;
  s->feeds[static_cast<int>(StreamId::kOptions)].errors_by_kind[static_cast<std::size_t>(feeds::ErrorKind::kBadPrice)] = 4;
  return s;
}

TEST(PrometheusTest, shouldExposeCountersGaugesAndLabelsInTextFormat) {
  const std::string text = prometheus_text(*sample_snapshot(), AdminStats{});
  EXPECT_NE(text.find("# TYPE odte_events_processed_total counter\nodte_events_processed_total 123456\n"), std::string::npos);
  EXPECT_NE(text.find("odte_kill_switch 1\n"), std::string::npos);
  EXPECT_NE(text.find("odte_risk_rejections_total{reason=\"capital_at_risk\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("odte_pnl_dollars{kind=\"net\"} 862.1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("odte_feed_ring_drops_total{stream=\"options\"} 9\n"), std::string::npos);
  EXPECT_NE(text.find("odte_feed_bad_input_total{stream=\"options\",kind=\"" +
                      std::string(feeds::to_string(feeds::ErrorKind::kBadPrice)) + "\"} 4\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("odte_strategy_net_dollars{strategy=\"re\\\"gime\"}"), std::string::npos);  // label escaped
  EXPECT_EQ(text.find("odte_journal_"), std::string::npos) << "no journal thread in this snapshot";
  // Every sample line belongs to a declared family.
  std::size_t pos = 0;
  while ((pos = text.find('\n', pos)) != std::string::npos && pos + 1 < text.size()) {
    ++pos;
    if (text[pos] == '#') continue;
    std::string name = text.substr(pos, text.find_first_of("{ ", pos) - pos);
    for (const std::string_view suffix : {"_bucket", "_sum", "_count"}) {  // a histogram's samples
      const std::string base = name.size() > suffix.size() ? name.substr(0, name.size() - suffix.size()) : "";
      if (name.ends_with(suffix) && text.find("# TYPE " + base + " histogram\n") != std::string::npos) name = base;
    }
    EXPECT_NE(text.find("# TYPE " + name + " "), std::string::npos) << name;
  }
}

TEST(PrometheusTest, shouldShowTheJournalThreadAndTheWriteAheadGateOfALiveRun) {
  auto s = sample_snapshot();
  s->journal.attached = true;
  s->journal.appended = 40;
  s->journal.durable = 37;
  s->journal.syncs = 12;
  s->journal.held_commands = 2;
  s->journal.commands_sent = 9;
  const std::string text = prometheus_text(*s, AdminStats{});
  EXPECT_NE(text.find("odte_journal_lag_records 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("odte_journal_syncs_total 12\n"), std::string::npos);
  EXPECT_NE(text.find("odte_commands_held 2\n"), std::string::npos);
  EXPECT_NE(text.find("odte_commands_sent_total 9\n"), std::string::npos);
  EXPECT_NE(text.find("odte_journal_failed 0\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE odte_journal_syncs_total counter\n"), std::string::npos);
}

std::string http_get(std::uint16_t port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "connect failed";
  }
  (void)!::send(fd, request.data(), request.size(), 0);
  std::string reply;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) reply.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return reply;
}

class MetricsEndpointTest : public ::testing::Test {
 protected:
  void start(bool publish) {
    AdminConfig cfg;
    cfg.socket = (std::filesystem::temp_directory_path() / ("odte-metrics-" + std::to_string(::getpid()) + ".sock")).string();
    server_ = std::make_unique<AdminServer>(cfg, *snapshots_, *to_core_, *from_core_, std::vector<std::string>{});
    if (publish) {
      snapshots_->write_buffer() = *sample_snapshot();
      snapshots_->publish();
    }
    ASSERT_FALSE(server_->open());
    ASSERT_FALSE(server_->open_metrics(0));
    ASSERT_NE(server_->metrics_port(), 0);
    thread_ = std::thread([this] {
      while (!stop_.load()) server_->do_work();
    });
  }
  void TearDown() override {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    if (server_) server_->close();
  }
  std::unique_ptr<TripleBuffer<CoreSnapshot>> snapshots_ = std::make_unique<TripleBuffer<CoreSnapshot>>();
  std::unique_ptr<ControlRing> to_core_ = std::make_unique<ControlRing>();
  std::unique_ptr<ControlReplyRing> from_core_ = std::make_unique<ControlReplyRing>();
  std::unique_ptr<AdminServer> server_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(MetricsEndpointTest, shouldServeMetricsOnLoopbackAndNothingElse) {
  start(true);
  const std::string ok = http_get(server_->metrics_port(), "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(ok.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << ok;
  EXPECT_NE(ok.find("text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(ok.find("odte_events_processed_total 123456"), std::string::npos);
  EXPECT_EQ(http_get(server_->metrics_port(), "GET / HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 404", 0), 0u);
  EXPECT_EQ(http_get(server_->metrics_port(), "POST /metrics HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 405", 0), 0u);
}

TEST_F(MetricsEndpointTest, shouldAnswerUnavailableBeforeTheFirstSnapshot) {
  start(false);
  EXPECT_EQ(http_get(server_->metrics_port(), "GET /metrics HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 503", 0), 0u);
}

// promtool's `check metrics` is not in the CI image (Debian's prometheus package is ~100 MB), so
// its rules that apply to this exposition are checked here: every sample belongs to the family
// declared just before it (HELP then TYPE, each family once); counters end in _total (and gauges
// do not); histograms give cumulative _bucket samples ending with le="+Inf" equal to _count,
// then _sum and _count; names are [a-zA-Z_:][a-zA-Z0-9_:]*; every line ends in a newline.
void expect_exposition_rules(const std::string& text) {
  ASSERT_FALSE(text.empty());
  ASSERT_EQ(text.back(), '\n');
  std::set<std::string> families;
  std::string family, type;
  bool help_seen = false;
  double last_bucket = -1, inf_bucket = -1;
  std::istringstream in(text);
  std::string line;
  auto valid_name = [](const std::string& n) {
    if (n.empty() || std::isdigit(static_cast<unsigned char>(n[0]))) return false;
    return std::all_of(n.begin(), n.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':'; });
  };
  auto ends_with = [](const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  while (std::getline(in, line)) {
    if (line.rfind("# HELP ", 0) == 0) {
      std::istringstream f(line.substr(7));
      f >> family;
      EXPECT_TRUE(families.insert(family).second) << "family declared twice: " << family;
      EXPECT_TRUE(valid_name(family)) << family;
      help_seen = true;
      type.clear();
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream f(line.substr(7));
      std::string name;
      f >> name >> type;
      EXPECT_TRUE(help_seen) << "TYPE without HELP: " << line;
      EXPECT_EQ(name, family) << line;
      EXPECT_TRUE(type == "counter" || type == "gauge" || type == "histogram") << line;
      if (type == "counter") {
        EXPECT_TRUE(ends_with(family, "_total")) << "counter without _total: " << family;
      }
      if (type == "gauge") {
        EXPECT_FALSE(ends_with(family, "_total")) << "gauge named like a counter: " << family;
      }
      help_seen = false;
      last_bucket = -1;
      inf_bucket = -1;
      continue;
    }
    ASSERT_NE(line[0], '#') << line;
    const std::size_t end = line.find_first_of("{ ");
    ASSERT_NE(end, std::string::npos) << line;
    const std::string name = line.substr(0, end);
    const double value = std::stod(line.substr(line.rfind(' ') + 1));
    ASSERT_FALSE(type.empty()) << "sample before its TYPE: " << line;
    if (type == "histogram") {
      if (name == family + "_bucket") {
        EXPECT_GE(value, last_bucket) << "buckets not cumulative: " << line;
        last_bucket = value;
        if (line.find("le=\"+Inf\"") != std::string::npos) inf_bucket = value;
      } else if (name == family + "_count") {
        EXPECT_EQ(value, inf_bucket) << "_count differs from the +Inf bucket";
      } else {
        EXPECT_EQ(name, family + "_sum") << line;
      }
    } else {
      EXPECT_EQ(name, family) << "sample outside its family: " << line;
    }
  }
}

TEST(PrometheusTest, shouldFollowTheExpositionRulesPromtoolChecks) {
  auto s = sample_snapshot();
  s->tick_to_order.record(30'000);
  s->tick_to_order.record(30'000);
  s->tick_to_order.record(2'000'000);
  s->tick_to_order.record(5'000'000'000);  // beyond the last bound: +Inf only
  s->journal.attached = true;
  const std::string text = prometheus_text(*s, AdminStats{});
  expect_exposition_rules(text);
  EXPECT_EQ(text.find("odte_snapshot_seq"), std::string::npos);
  EXPECT_NE(text.find("# TYPE odte_snapshots_total counter\nodte_snapshots_total 42\n"), std::string::npos) << text;
  EXPECT_NE(text.find("odte_build_info{version=\""), std::string::npos);
  EXPECT_NE(text.find("# TYPE odte_tick_to_order_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("odte_tick_to_order_seconds_bucket{le=\"2.5e-05\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("odte_tick_to_order_seconds_bucket{le=\"5e-05\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("odte_tick_to_order_seconds_bucket{le=\"0.0025\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("odte_tick_to_order_seconds_bucket{le=\"1\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("odte_tick_to_order_seconds_bucket{le=\"+Inf\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("odte_tick_to_order_seconds_count 4\n"), std::string::npos) << text;
}

// The rule check itself catches what promtool would: a counter without _total.
TEST(PrometheusTest, shouldCatchACounterWithoutTotalInTheRuleCheck) {
  EXPECT_NONFATAL_FAILURE(expect_exposition_rules("# HELP odte_x things\n# TYPE odte_x counter\nodte_x 1\n"), "_total");
}

}  // namespace
}  // namespace odte::daemon
