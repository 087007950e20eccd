#include "odte/core/base/histogram.hpp"

namespace odte {

std::string LatencyHistogram::dump() const {
  std::string out;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    if (counts_[i] == 0) continue;
    out += std::to_string(upper_edge(i));
    out += ' ';
    out += std::to_string(counts_[i]);
    out += '\n';
  }
  return out;
}

}  // namespace odte
