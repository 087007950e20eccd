// The Boost-free parts of the network layer: JSON scanning, subscriptions and frame filtering,
// URLs, backoff, API keys, the stale-data detector.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "odte/feeds/api_key.hpp"
#include "odte/feeds/json_scan.hpp"
#include "odte/feeds/net.hpp"
#include "odte/feeds/stale_detector.hpp"
#include "odte/feeds/subscription.hpp"
#include "odte/feeds/ws_client.hpp"

namespace odte::feeds {
namespace {

TEST(JsonScan, shouldVisitEveryElementAndFieldOfAStatusFrame) {
  const std::string_view f =
      R"( [{"ev":"status","status":"auth_success","message":"authenticated"}, {"ev":"Q","sym":"O:SPXW1","x":[1,{"a":"]"}]}] )";
  std::vector<std::string_view> elems;
  ASSERT_TRUE(json::for_each_element(f, [&](std::string_view e) { elems.push_back(e); }));
  ASSERT_EQ(elems.size(), 2u);
  std::string_view s;
  ASSERT_TRUE(json::string_field(elems[0], "status", s));
  EXPECT_EQ(s, "auth_success");
  ASSERT_TRUE(json::string_field(elems[1], "sym", s));
  EXPECT_EQ(s, "O:SPXW1");
  EXPECT_EQ(json::raw_field(elems[1], "x"), R"([1,{"a":"]"}])");
}

TEST(JsonScan, shouldRejectTruncatedArrays) {
  int n = 0;
  EXPECT_FALSE(json::for_each_element(R"([{"ev":"Q"},{"ev":"Q")", [&](std::string_view) { ++n; }));
  EXPECT_EQ(n, 1);
  EXPECT_FALSE(json::for_each_element(R"({"ev":"Q"})", [&](std::string_view) { ++n; }));
}

TEST(JsonScan, shouldRoundTripEscapes) {
  std::string out;
  json::append_escaped(out, "a\"b\\c\nd\x01");
  EXPECT_EQ(out, "a\\\"b\\\\c\\nd\\u0001");
  EXPECT_EQ(json::unescape(out), "a\"b\\c\nd\x01");
}

TEST(JsonScan, shouldReadNumbers) {
  double d = 0;
  ASSERT_TRUE(json::number_field(R"({"c":5921.25,"s":"x"})", "c", d));
  EXPECT_DOUBLE_EQ(d, 5921.25);
  EXPECT_FALSE(json::number_field(R"({"c":5921.25,"s":"x"})", "s", d));
}

TEST(SubscriptionSet, shouldMatchExactWildcardAndPrefixEntries) {
  SubscriptionSet s;
  EXPECT_EQ(s.add("Q.O:SPXW*, V.I:SPX,AM.*,T.SPY,bad,Q."), 2u);
  EXPECT_TRUE(s.matches("Q", "O:SPXW251125C05900000"));
  EXPECT_FALSE(s.matches("Q", "O:SPY251125C00590000"));
  EXPECT_FALSE(s.matches("T", "O:SPXW251125C05900000"));
  EXPECT_TRUE(s.matches("V", "I:SPX"));
  EXPECT_FALSE(s.matches("V", "I:VIX"));
  EXPECT_TRUE(s.matches("AM", "anything"));
  EXPECT_TRUE(s.matches("T", "SPY"));
  EXPECT_EQ(s.joined(), "Q.O:SPXW*,V.I:SPX,AM.*,T.SPY");
  EXPECT_EQ(s.remove("AM.*,T.QQQ"), 1u);
  EXPECT_FALSE(s.matches("AM", "SPY"));
  EXPECT_EQ(s.add("V.I:SPX"), 0u);
  EXPECT_EQ(s.size(), 3u);
}

TEST(FilterFrame, shouldPassWholeRebuildOrDropFrames) {
  SubscriptionSet s;
  (void)s.add("Q.O:SPXW*,V.I:SPX");
  std::string out;
  const std::string_view all = R"([{"ev":"Q","sym":"O:SPXW1","bp":1},{"ev":"V","T":"I:SPX","val":5900}])";
  EXPECT_EQ(filter_frame(all, s, out), FilterResult::kWhole);
  const std::string_view some = R"([{"ev":"Q","sym":"O:SPY1"},{"ev":"V","T":"I:SPX","val":5900},{"ev":"status","status":"x"}])";
  ASSERT_EQ(filter_frame(some, s, out), FilterResult::kPartial);
  EXPECT_EQ(out, R"([{"ev":"V","T":"I:SPX","val":5900}])");
  EXPECT_EQ(filter_frame(R"([{"ev":"T","sym":"SPY"}])", s, out), FilterResult::kNone);
  EXPECT_EQ(filter_frame(R"([{"ev":"T","sym":"SPY"})", s, out), FilterResult::kMalformed);
  EXPECT_EQ(filter_frame(R"([{"sym":"SPY"}])", s, out), FilterResult::kMalformed);
}

TEST(Url, shouldParseSchemesPortsAndTargets) {
  Url u;
  ASSERT_TRUE(parse_url("wss://socket.massive.com/options", u));
  EXPECT_TRUE(u.tls);
  EXPECT_EQ(u.host, "socket.massive.com");
  EXPECT_EQ(u.port, "443");
  EXPECT_EQ(u.target, "/options");
  ASSERT_TRUE(parse_url("ws://127.0.0.1:8080", u));
  EXPECT_FALSE(u.tls);
  EXPECT_EQ(u.port, "8080");
  EXPECT_EQ(u.target, "/");
  ASSERT_TRUE(parse_url("https://api.massive.com/v3/x?cursor=a:b", u));
  EXPECT_EQ(u.target, "/v3/x?cursor=a:b");
  EXPECT_FALSE(parse_url("ftp://x", u));
  EXPECT_FALSE(parse_url("ws://host:port/", u));
  EXPECT_FALSE(parse_url("wss://user@host/", u));
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_FALSE(is_loopback_host("10.0.0.1"));
}

TEST(Url, shouldTakeOnlyLoopbackAddressesNotNamesThatLookLikeThem) {
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.1.2.3"));
  // Names are resolved: the answer can be any host, and the key would travel over plain text.
  EXPECT_FALSE(is_loopback_host("127.example.invalid"));
  EXPECT_FALSE(is_loopback_host("127.0.0.1.example.com"));
  EXPECT_FALSE(is_loopback_host("localhost"));
  EXPECT_FALSE(is_loopback_host("127.0.0.1a"));
  EXPECT_FALSE(is_loopback_host("127.1"));  // inet_aton would take it; a dotted quad only
  EXPECT_FALSE(is_loopback_host("128.0.0.1"));
  EXPECT_FALSE(is_loopback_host(""));
  EXPECT_FALSE(is_loopback_host("127.000.000.001.127.000.000.001"));
}

TEST(Backoff, shouldGrowExponentiallyWithBoundedJitterAndRepeatForASeed) {
  BackoffPolicy p;
  p.initial = std::chrono::milliseconds{100};
  p.max = std::chrono::milliseconds{1000};
  p.jitter = 0.2;
  p.seed = 42;
  Backoff a(p);
  Backoff b(p);
  std::vector<std::int64_t> seen;
  for (int i = 0; i < 8; ++i) {
    const auto d = a.next().count();
    EXPECT_EQ(d, b.next().count());
    const double base = std::min(1000.0, 100.0 * static_cast<double>(1 << i));
    EXPECT_GE(static_cast<double>(d), base * 0.8 - 1);
    EXPECT_LE(d, 1000);
    seen.push_back(d);
  }
  a.reset();
  const auto first = a.next().count();
  EXPECT_GE(first, 79);
  EXPECT_LE(first, 120);
  p.seed = 43;
  Backoff c(p);
  bool differs = false;
  for (int i = 0; i < 8; ++i) differs |= c.next().count() != seen[static_cast<std::size_t>(i)];
  EXPECT_TRUE(differs);
}

class ApiKeyFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("odte-key-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const auto p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  std::filesystem::path dir_;
};

TEST_F(ApiKeyFile, shouldReadAndTrimTheKey) {
  const auto r = load_api_key_file(write("key", "  s3cr3tKEY\n"));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.key, "s3cr3tKEY");
}

TEST_F(ApiKeyFile, shouldRefuseEmptyOrMultiTokenFilesWithoutQuotingThem) {
  const auto empty = load_api_key_file(write("empty", "\n"));
  EXPECT_FALSE(empty.ok());
  EXPECT_NE(empty.error.find("empty"), std::string::npos);
  const auto two = load_api_key_file(write("two", "s3cr3tKEY other\n"));
  EXPECT_FALSE(two.ok());
  EXPECT_EQ(two.error.find("s3cr3tKEY"), std::string::npos);
  const auto missing = load_api_key_file((dir_ / "nope").string());
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.error.find("nope"), std::string::npos);
}

TEST_F(ApiKeyFile, shouldReadASystemdCredential) {
  (void)write("massive", "credKEY\n");
  ::setenv("CREDENTIALS_DIRECTORY", dir_.c_str(), 1);
  const auto r = load_api_key_credential("massive");
  ::unsetenv("CREDENTIALS_DIRECTORY");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.key, "credKEY");
  const auto unset = load_api_key_credential("massive");
  EXPECT_FALSE(unset.ok());
  EXPECT_NE(unset.error.find("CREDENTIALS_DIRECTORY"), std::string::npos);
}

// feed.api_key_file = "massive_key" as the shipped configs say: under systemd the credential of
// that name, not a file in the working directory (which is / for a service); empty: the unit's
// credential name; a path stays a path.
TEST_F(ApiKeyFile, shouldReadABareNameAsTheCredentialUnderSystemd) {
  const auto cred = dir_ / "creds";
  std::filesystem::create_directories(cred);
  std::ofstream(cred / "massive_key") << "credKEY\n";
  std::ofstream(cred / "other") << "otherKEY\n";
  const auto file = write("plain", "fileKEY\n");
  ::setenv("CREDENTIALS_DIRECTORY", cred.c_str(), 1);
  const auto named = load_api_key("massive_key");
  const auto fallback = load_api_key("");
  const auto other = load_api_key("other");
  const auto path = load_api_key(file);
  const auto missing = load_api_key("absent");
  ::unsetenv("CREDENTIALS_DIRECTORY");
  ASSERT_TRUE(named.ok()) << named.error;
  EXPECT_EQ(named.key, "credKEY");
  ASSERT_TRUE(fallback.ok()) << fallback.error;
  EXPECT_EQ(fallback.key, "credKEY");
  EXPECT_EQ(kDefaultApiKeyCredential, "massive_key");
  ASSERT_TRUE(other.ok()) << other.error;
  EXPECT_EQ(other.key, "otherKEY");
  ASSERT_TRUE(path.ok()) << path.error;
  EXPECT_EQ(path.key, "fileKEY");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error.find(cred.string() + "/absent"), std::string::npos) << missing.error;
}

TEST_F(ApiKeyFile, shouldReadABareNameFromTheWorkingDirectoryOutsideSystemd) {
  ::unsetenv("CREDENTIALS_DIRECTORY");
  (void)write("handkey", "handKEY\n");
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir_);
  const auto here = load_api_key("handkey");
  const auto missing = load_api_key("massive_key");
  const auto fallback = load_api_key("");
  std::filesystem::current_path(cwd);
  ASSERT_TRUE(here.ok()) << here.error;
  EXPECT_EQ(here.key, "handKEY");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error.find("CREDENTIALS_DIRECTORY"), std::string::npos) << missing.error;
  ASSERT_FALSE(fallback.ok());
  EXPECT_NE(fallback.error.find("massive_key"), std::string::npos) << fallback.error;
}

TEST(Redact, shouldReplaceEverySecretOccurrence) {
  EXPECT_EQ(redact("a KEY b KEYKEY", "KEY"), "a *** b ******");
  EXPECT_EQ(redact("abc", ""), "abc");
}

TEST(StaleDetector, shouldFlagASilentStreamOnlyInSession) {
  StaleDetector d(5'000'000'000);
  const TimestampNs t0 = 1'700'000'000'000'000'000;
  EXPECT_FALSE(d.any_stale(t0, true));  // never delivered: not stale
  d.on_event(StreamId::kOptions, t0);
  d.on_event(StreamId::kIndices, t0 + 4'000'000'000);
  EXPECT_FALSE(d.any_stale(t0 + 5'000'000'000, true));
  EXPECT_TRUE(d.is_stale(StreamId::kOptions, t0 + 5'000'000'001, true));
  EXPECT_FALSE(d.is_stale(StreamId::kIndices, t0 + 5'000'000'001, true));
  EXPECT_TRUE(d.any_stale(t0 + 5'000'000'001, true));
  EXPECT_FALSE(d.any_stale(t0 + 5'000'000'001, false));
  d.reset(StreamId::kOptions);
  EXPECT_FALSE(d.any_stale(t0 + 5'000'000'001, true));
  EXPECT_EQ(d.last_event_ns(StreamId::kIndices), t0 + 4'000'000'000);
}

TEST(StatusCodes, shouldMapTheFeedsWords) {
  EXPECT_EQ(status_code_of("connected"), StatusCode::kConnected);
  EXPECT_EQ(status_code_of("auth_success"), StatusCode::kAuthSuccess);
  EXPECT_EQ(status_code_of("auth_failed"), StatusCode::kAuthFailed);
  EXPECT_EQ(status_code_of("auth_timeout"), StatusCode::kAuthTimeout);
  EXPECT_EQ(status_code_of("max_connections"), StatusCode::kMaxConnections);
  EXPECT_EQ(status_code_of("success"), StatusCode::kSubscribed);
  EXPECT_EQ(status_code_of("error"), StatusCode::kError);
  EXPECT_EQ(status_code_of("whatever"), StatusCode::kUnknown);
}

}  // namespace
}  // namespace odte::feeds
