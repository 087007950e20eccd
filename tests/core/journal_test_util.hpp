#pragma once

// Helpers for the journal-thread tests: a temporary directory per test, generated records of
// every size a ring slot carries, and a file-size limit that makes writes fail (EFBIG).

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "odte/core/journal/async_journal.hpp"

namespace odte::journal_test {

namespace fs = std::filesystem;

class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& ch : name) ch = ch == '/' ? '_' : ch;  // parameterised names hold a slash
    dir_ = fs::temp_directory_path() / ("odte-ajournal-" + std::to_string(::getpid()) + "-" + name);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  [[nodiscard]] std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

struct Rec {
  JournalRecordType type;
  bool durable;
  std::vector<std::byte> payload;
  [[nodiscard]] std::span<const std::byte> bytes() const noexcept { return payload; }
};

// n records of mixed types, sizes (0..kJournalSlotPayload bytes) and durability, from `seed`.
inline std::vector<Rec> records(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Rec> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    Rec r;
    r.type = static_cast<JournalRecordType>(1 + rng() % 13);
    r.durable = r.type == JournalRecordType::kOrderCommand || r.type == JournalRecordType::kKillSwitch;
    const std::size_t len = i % 97 == 0 ? kJournalSlotPayload : rng() % (kJournalSlotPayload + 1);
    r.payload.resize(len);
    for (std::byte& b : r.payload) b = static_cast<std::byte>(rng());
    out.push_back(std::move(r));
  }
  return out;
}

inline bool same(const JournalRecord& got, const Rec& want) {
  return got.type == want.type && got.payload.size() == want.payload.size() &&
         (want.payload.empty() || std::memcmp(got.payload.data(), want.payload.data(), want.payload.size()) == 0);
}

inline std::string read_bytes(const std::string& path) {
  std::string bytes(static_cast<std::size_t>(fs::file_size(path)), '\0');
  std::ifstream in(path, std::ios::binary);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return bytes;
}

template <typename Pred>
bool eventually(Pred&& pred, std::chrono::milliseconds within) {
  const auto until = std::chrono::steady_clock::now() + within;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

// While alive, files this process writes cannot grow past `bytes`: a write beyond fails with EFBIG
// (SIGXFSZ ignored), as on a full disk.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(std::size_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &old_);
    old_handler_ = ::signal(SIGXFSZ, SIG_IGN);
    rlimit lim = old_;
    lim.rlim_cur = static_cast<rlim_t>(bytes);
    ::setrlimit(RLIMIT_FSIZE, &lim);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_);
    ::signal(SIGXFSZ, old_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit old_{};
  sighandler_t old_handler_ = SIG_DFL;
};

}  // namespace odte::journal_test
