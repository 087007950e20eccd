// The replay-server's frames from a recording file (RecordingReader), one reader per connection.

#include <memory>

#include "odte/feeds/recording.hpp"
#include "odte/feeds/replay_server.hpp"

namespace odte::feeds {

namespace {

class RecordingFrames final : public ReplayFrameSource {
 public:
  RecordingFrames(std::string path, LogHandler log) : path_{std::move(path)}, log_{std::move(log)} {}

  bool open() {
    const std::string err = reader_.open(path_);
    if (!err.empty()) report(err);
    return err.empty();
  }

  bool next(ReplayFrame& out) override {
    RecordView v;
    switch (reader_.next(v)) {
      case ReadStatus::kRecord:
        out.receive_ns = v.receive_ns;
        out.stream = v.stream;
        out.data.assign(v.frame);
        return true;
      case ReadStatus::kEnd:
        if (reader_.torn_tail_bytes() > 0) {
          ended_early_ = path_ + ": the recording ended early: a torn last block of " +
                         std::to_string(reader_.torn_tail_bytes()) + " bytes";
          report(ended_early_);
        }
        return false;
      case ReadStatus::kError:
        failure_ = reader_.error();
        report(failure_);
        return false;
    }
    return false;
  }
  [[nodiscard]] std::string failure() const override { return failure_; }
  [[nodiscard]] std::string ended_early() const override { return ended_early_; }

 private:
  void report(const std::string& text) const {
    if (log_) log_(LogLevel::kWarn, text);
  }
  std::string path_;
  LogHandler log_;
  RecordingReader reader_;
  std::string failure_;
  std::string ended_early_;
};

}  // namespace

ReplayFrameSourceFactory recording_source(const std::string& path, LogHandler log) {
  return [path, log]() -> std::unique_ptr<ReplayFrameSource> {
    auto s = std::make_unique<RecordingFrames>(path, log);
    if (!s->open()) return nullptr;
    return s;
  };
}

}  // namespace odte::feeds
