#include "odte/daemon/admin_client.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

namespace odte::admin {
namespace {

TEST(AdminProtocolTest, shouldEncodeCommandAndArgumentsAsOneJsonLine) {
  EXPECT_EQ(encode_request("status", {}), "{\"cmd\":\"status\",\"args\":[]}\n");
  EXPECT_EQ(encode_request("risk", {"set", "max_open_positions", "3"}),
            "{\"cmd\":\"risk\",\"args\":[\"set\",\"max_open_positions\",\"3\"]}\n");
}

TEST(AdminProtocolTest, shouldEscapeQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(json_quote("a\"b\\c\nd\x01"), "\"a\\\"b\\\\c\\nd\\u0001\"");
}

// A one-shot server on a temporary socket: reads a request line, answers with `reply`.
class OneShotServer {
 public:
  enum class Mode { kReadThenAnswer, kSilent, kAnswerAndCloseWithoutReading };
  OneShotServer(std::string reply, bool answer) : OneShotServer(std::move(reply), answer ? Mode::kReadThenAnswer : Mode::kSilent) {}
  OneShotServer(std::string reply, Mode mode)
      : path_{(std::filesystem::temp_directory_path() /
               ("odte-admin-test-" + std::to_string(::getpid()) + ".sock")).string()} {
    ::unlink(path_.c_str());
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path_.c_str(), path_.size());
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 1) != 0) {
      ADD_FAILURE() << "cannot listen on " << path_;
    }
    thread_ = std::thread([this, reply = std::move(reply), mode] {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      if (mode == Mode::kAnswerAndCloseWithoutReading) {
        (void)!::send(c, reply.data(), reply.size(), 0);
        ::close(c);
        return;
      }
      const bool answer = mode == Mode::kReadThenAnswer;
      char buf[512];
      for (;;) {
        const ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        received_.append(buf, static_cast<std::size_t>(n));
        if (received_.find('\n') != std::string::npos) break;
      }
      if (answer) {
        // Split the reply across two writes to exercise reassembly.
        const auto half = reply.size() / 2;
        (void)!::send(c, reply.data(), half, 0);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        (void)!::send(c, reply.data() + half, reply.size() - half, 0);
        ::close(c);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        ::close(c);
      }
    });
  }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  ~OneShotServer() {
    join();
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] const std::string& received() const { return received_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::string received_;
  std::thread thread_;
};

TEST(AdminClientTest, shouldSendRequestAndReturnReplyLine) {
  OneShotServer server("{\"ok\":true,\"mode\":\"replay\"}\nextra", true);
  const auto reply = exchange(server.path(), encode_request("pause", {"all"}), std::chrono::seconds(5));
  ASSERT_FALSE(reply.error) << reply.what << ": " << reply.error.message();
  EXPECT_EQ(reply.line, "{\"ok\":true,\"mode\":\"replay\"}");
  server.join();
  EXPECT_EQ(server.received(), "{\"cmd\":\"pause\",\"args\":[\"all\"]}\n");
}

TEST(AdminClientTest, shouldReadTheRefusalEvenWhenTheDaemonClosedBeforeReading) {
  OneShotServer server("{\"ok\":false,\"error\":\"permission denied\"}\n",
                       OneShotServer::Mode::kAnswerAndCloseWithoutReading);
  // A request larger than the socket buffers: the send fails part-way with EPIPE.
  const std::string big = encode_request("status", {std::string(4u << 20, 'x')});
  const auto reply = exchange(server.path(), big, std::chrono::seconds(5));
  ASSERT_FALSE(reply.error) << reply.what << ": " << reply.error.message();
  EXPECT_EQ(reply.line, "{\"ok\":false,\"error\":\"permission denied\"}");
}

TEST(AdminClientTest, shouldTimeOutWhenTheDaemonDoesNotAnswer) {
  OneShotServer server("", false);
  const auto reply = exchange(server.path(), encode_request("status", {}), std::chrono::milliseconds(50));
  EXPECT_EQ(reply.error, std::errc::timed_out);
  EXPECT_EQ(reply.what, "waiting for the reply");
}

TEST(AdminClientTest, shouldReportMissingSocket) {
  const auto reply = exchange("/nonexistent/odte/admin.sock", "x\n", std::chrono::milliseconds(50));
  EXPECT_EQ(reply.error, std::errc::no_such_file_or_directory);
  EXPECT_NE(reply.what.find("connect to /nonexistent/odte/admin.sock"), std::string::npos);
}

TEST(AdminClientTest, shouldRefuseOverlongSocketPath) {
  const auto reply = exchange(std::string(200, 'x'), "x\n", std::chrono::milliseconds(50));
  EXPECT_EQ(reply.error, std::errc::filename_too_long);
}

}  // namespace
}  // namespace odte::admin
