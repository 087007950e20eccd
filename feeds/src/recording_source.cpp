#include "odte/feeds/recording_source.hpp"

namespace odte::feeds {

RecordingEventSource::RecordingEventSource(InstrumentRegistry& registry, RecordingSourceOptions options)
    : parser_{registry, options.parser}, options_{options} {
  batch_.reserve(256);
}

std::string RecordingEventSource::open(const std::string& path) {
  error_ = reader_.open(path);
  done_ = !error_.empty();
  return error_;
}

bool RecordingEventSource::next(MarketEvent& out) {
  while (pos_ == batch_.size()) {
    if (done_) return false;
    batch_.clear();
    pos_ = 0;
    RecordView rec;
    const ReadStatus s = reader_.next(rec);
    if (s != ReadStatus::kRecord) {
      done_ = true;
      if (s == ReadStatus::kError) error_ = reader_.error();
      return false;
    }
    last_receive_ns_ = rec.receive_ns;
    auto sink = [this](const MarketEvent& e) {
      if (e.kind() != EventKind::kStatus || options_.include_status) batch_.push_back(e);
      return true;
    };
    (void)parser_.parse_padded(rec.frame, rec.receive_ns, rec.stream, sink);
  }
  out = batch_[pos_++];
  return true;
}

}  // namespace odte::feeds
