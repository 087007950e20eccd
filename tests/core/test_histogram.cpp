#include "odte/core/base/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <vector>

namespace odte {
namespace {

TEST(LatencyHistogramTest, shouldMapEveryValueIntoABucketWhoseEdgesContainIt) {
  for (std::uint64_t v : {0ull, 1ull, 127ull, 128ull, 129ull, 255ull, 256ull, 1000ull, 123456789ull, (1ull << 42) - 1}) {
    const auto i = LatencyHistogram::index_of(v);
    ASSERT_LT(i, LatencyHistogram::kBuckets);
    EXPECT_GE(LatencyHistogram::upper_edge(i), v) << v;
    if (i > 0) {
      EXPECT_LT(LatencyHistogram::upper_edge(i - 1), v) << v;
    }
  }
}

TEST(LatencyHistogramTest, shouldReportPercentilesWithinTheBucketError) {
  auto h = std::make_unique<LatencyHistogram>();
  std::mt19937_64 rng(1);
  std::lognormal_distribution<double> d(8.0, 1.0);  // ~3 us median, long tail
  std::vector<std::uint64_t> values;
  for (int i = 0; i < 100'000; ++i) {
    const auto v = static_cast<std::uint64_t>(d(rng));
    values.push_back(v);
    h->record(v);
  }
  std::sort(values.begin(), values.end());
  for (const double q : {0.5, 0.9, 0.99, 0.999}) {
    const auto exact = values[static_cast<std::size_t>(q * static_cast<double>(values.size()) + 0.5) - 1];
    const auto approx = h->percentile(q);
    EXPECT_GE(approx, exact) << q;
    EXPECT_LE(static_cast<double>(approx), static_cast<double>(exact) * (1.0 + 1.0 / 128) + 1) << q;
  }
  EXPECT_EQ(h->percentile(1.0), values.back());
  EXPECT_EQ(h->max(), values.back());
  EXPECT_EQ(h->min(), values.front());
  EXPECT_EQ(h->count(), values.size());
}

TEST(LatencyHistogramTest, shouldMergeAndReset) {
  auto a = std::make_unique<LatencyHistogram>();
  auto b = std::make_unique<LatencyHistogram>();
  a->record(100);
  b->record(5'000);
  a->merge(*b);
  EXPECT_EQ(a->count(), 2u);
  EXPECT_EQ(a->max(), 5'000u);
  EXPECT_EQ(a->min(), 100u);
  EXPECT_EQ(a->dump(), "100 1\n5023 1\n");
  a->reset();
  EXPECT_EQ(a->count(), 0u);
  EXPECT_EQ(a->percentile(0.5), 0u);
}

}  // namespace
}  // namespace odte
