#pragma once

// Headless Debian chromium for the report tests: a fresh profile per run, no network services,
// a time limit, stderr (chromium's console log) captured.

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace odte::reports::browser {

namespace fs = std::filesystem;

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string find_chromium() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return {};
}

struct BrowserRun {
  int status = -1;
  std::string out;
  std::string err;
};

// Runs chromium headless on `page` with `mode` (--dump-dom or --screenshot=...); a fresh profile
// each time, no network services, a time limit.
inline BrowserRun chromium(const std::string& exe, const fs::path& work, const fs::path& page, const std::string& mode) {
  const fs::path profile = work / ("profile-" + std::to_string(::getpid()));
  fs::remove_all(profile);
  fs::create_directories(profile);
  const fs::path err = work / ("chromium-" + std::to_string(::getpid()) + ".stderr");
  const std::string cmd = "timeout 90 " + exe +
                          " --headless --no-sandbox --disable-gpu --disable-background-networking"
                          " --disable-component-update --disable-sync --no-first-run --disable-dev-shm-usage"
                          " --enable-logging=stderr --v=0 --user-data-dir=" + profile.string() +
                          " --window-size=1280,2000 " + mode + " file://" + page.string() + " 2>" + err.string();
  BrowserRun r;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    std::array<char, 65536> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    r.status = ::pclose(p);
  }
  r.err = slurp(err);
  fs::remove(err);
  fs::remove_all(profile);
  return r;
}

// Width and height from a PNG's IHDR chunk.
inline bool png_size(const std::string& png, std::uint32_t& w, std::uint32_t& h) {
  if (png.size() < 24 || png.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 || png.compare(12, 4, "IHDR") != 0) return false;
  auto be32 = [&](std::size_t at) {
    return (static_cast<std::uint32_t>(static_cast<unsigned char>(png[at])) << 24) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(png[at + 1])) << 16) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(png[at + 2])) << 8) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(png[at + 3]));
  };
  w = be32(16);
  h = be32(20);
  return true;
}

// Console errors and refused loads chromium logs on stderr.
inline void expect_clean_console(const std::string& err) {
  for (const char* bad : {"Uncaught", "Refused to", "ERR_", "CONSOLE(0)] \"Error"}) {
    EXPECT_EQ(err.find(bad), std::string::npos) << "chromium logged '" << bad << "':\n" << err;
  }
}

}  // namespace odte::reports::browser
