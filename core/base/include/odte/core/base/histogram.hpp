#pragma once

// Latency histogram in the HDR style: log-linear buckets (each power of two split into
// 2^kSubBits linear sub-buckets), so any recorded value is reported within 1/2^kSubBits relative
// error (under 0.8% with 7 bits) from 1 ns to about 1.2 hours, in fixed memory with an O(1)
// record: a count-leading-zeros and an add. Single writer; copy it to read it elsewhere.

#include <array>
#include <bit>
#include <cstdint>
#include <string>

namespace odte {

class LatencyHistogram {
 public:
  static constexpr int kSubBits = 7;
  static constexpr std::uint64_t kSubCount = 1ull << kSubBits;
  static constexpr int kMaxExponent = 42;  // values up to 2^42 ns (~73 minutes)
  static constexpr std::size_t kBuckets = (kMaxExponent - kSubBits + 2) * kSubCount;

  void record(std::uint64_t ns) noexcept {
    ++counts_[index_of(ns)];
    ++total_;
    if (ns > max_) max_ = ns;
    if (ns < min_) min_ = ns;
    sum_ += ns;
  }
  [[nodiscard]] std::uint64_t count() const noexcept { return total_; }
  [[nodiscard]] std::uint64_t max() const noexcept { return total_ == 0 ? 0 : max_; }
  [[nodiscard]] std::uint64_t min() const noexcept { return total_ == 0 ? 0 : min_; }
  [[nodiscard]] double mean() const noexcept {
    return total_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(total_);
  }
  // The value at quantile q (0..1): the upper edge of the bucket holding it, capped at max().
  [[nodiscard]] std::uint64_t percentile(double q) const noexcept {
    if (total_ == 0) return 0;
    if (q <= 0.0) return min();
    auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total_) + 0.5);
    if (rank == 0) rank = 1;
    if (rank > total_) rank = total_;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) {
        const std::uint64_t edge = upper_edge(i);
        return edge < max_ ? edge : max_;
      }
    }
    return max_;
  }
  void merge(const LatencyHistogram& o) noexcept {
    for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += o.counts_[i];
    total_ += o.total_;
    sum_ += o.sum_;
    if (o.total_ != 0) {
      if (o.max_ > max_) max_ = o.max_;
      if (o.min_ < min_) min_ = o.min_;
    }
  }
  void reset() noexcept { *this = LatencyHistogram{}; }
  // Non-empty buckets as "upper_edge_ns count" lines, for reports.
  [[nodiscard]] std::string dump() const;

  [[nodiscard]] static constexpr std::size_t index_of(std::uint64_t v) noexcept {
    if (v < kSubCount) return static_cast<std::size_t>(v);
    const int exp = 63 - std::countl_zero(v);  // v in [2^exp, 2^(exp+1))
    if (exp > kMaxExponent) return kBuckets - 1;
    const int shift = exp - kSubBits;
    const std::uint64_t sub = (v >> shift) - kSubCount;  // 0 .. kSubCount-1
    return static_cast<std::size_t>((static_cast<std::uint64_t>(shift) + 1) * kSubCount + sub);
  }
  [[nodiscard]] static constexpr std::uint64_t upper_edge(std::size_t i) noexcept {
    if (i < kSubCount) return i;
    const std::uint64_t shift = i / kSubCount - 1;
    const std::uint64_t sub = i % kSubCount;
    return ((kSubCount + sub + 1) << shift) - 1;
  }

 private:
  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t total_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t max_ = 0;
  std::uint64_t min_ = ~0ull;
};

}  // namespace odte
