#pragma once

// Streaming indicators the strategies read. All O(1) per update, fixed storage, no allocation.
//  - Ema: exponential moving average (seed 001 uses EMA-30 of 1-minute SPY, VIX, VVIX).
//  - Regime: +1/-1/0 from price vs EMA or from the EMA's slope, configurable.
//  - RollingStats: mean and standard deviation over the last N values.
//  - SpikeDetector: change of a series (ATM IV) against its rolling baseline: z-score and %.
//  - MaChangeTrigger: seed 002's offset rule, "the 3-period moving average of VIX changes by
//    more than 2 standard deviations of the previous 30 periods' changes".

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace odte {

class Ema {
 public:
  // alpha = 2 / (period + 1). The first value seeds the average.
  explicit Ema(int period = 30) noexcept : alpha_{2.0 / (period + 1.0)} {}
  double update(double x) noexcept {
    previous_ = value_;
    value_ = count_ == 0 ? x : value_ + alpha_ * (x - value_);
    ++count_;
    return value_;
  }
  [[nodiscard]] double value() const noexcept { return value_; }
  [[nodiscard]] double previous() const noexcept { return previous_; }
  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] double alpha() const noexcept { return alpha_; }

 private:
  double alpha_;
  double value_ = 0.0;
  double previous_ = 0.0;
  std::uint64_t count_ = 0;
};

enum class RegimeRule : std::uint8_t {
  kPriceVsEma = 1,  // + when the last value is above its EMA
  kEmaSlope = 2,    // + when the EMA rose on the last update
};

// Regime of one series: +1, -1, or 0 while warming up (fewer than `min_samples` updates) or flat.
class Regime {
 public:
  Regime(int ema_period, RegimeRule rule, int min_samples) noexcept
      : ema_{ema_period}, rule_{rule}, min_samples_{static_cast<std::uint64_t>(min_samples)} {}
  int update(double x) noexcept {
    last_ = x;
    ema_.update(x);
    return sign();
  }
  [[nodiscard]] int sign() const noexcept {
    if (ema_.count() < min_samples_ || ema_.count() < 2) return 0;
    const double d = rule_ == RegimeRule::kPriceVsEma ? last_ - ema_.value() : ema_.value() - ema_.previous();
    return d > 0.0 ? 1 : d < 0.0 ? -1 : 0;
  }
  [[nodiscard]] bool ready() const noexcept { return ema_.count() >= min_samples_ && ema_.count() >= 2; }
  [[nodiscard]] const Ema& ema() const noexcept { return ema_; }
  [[nodiscard]] double last() const noexcept { return last_; }

 private:
  Ema ema_;
  RegimeRule rule_;
  std::uint64_t min_samples_;
  double last_ = 0.0;
};

// Mean and (sample) standard deviation of the last N values, O(1) per push. Sums are rebuilt from
// the window every N pushes so floating-point drift cannot accumulate over a session.
template <std::size_t N>
class RollingStats {
  static_assert(N >= 2);

 public:
  void push(double x) noexcept {
    if (count_ == N) {
      const double old = window_[head_];
      sum_ -= old;
      sum_sq_ -= old * old;
    } else {
      ++count_;
    }
    window_[head_] = x;
    sum_ += x;
    sum_sq_ += x * x;
    head_ = (head_ + 1) % N;
    if (++since_rebuild_ == N) rebuild();
  }
  [[nodiscard]] std::size_t count() const noexcept { return count_; }
  [[nodiscard]] bool full() const noexcept { return count_ == N; }
  [[nodiscard]] double mean() const noexcept { return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_); }
  [[nodiscard]] double stddev() const noexcept {
    if (count_ < 2) return 0.0;
    const double n = static_cast<double>(count_);
    const double var = (sum_sq_ - sum_ * sum_ / n) / (n - 1.0);
    return var > 0.0 ? std::sqrt(var) : 0.0;
  }

 private:
  void rebuild() noexcept {
    since_rebuild_ = 0;
    sum_ = 0.0;
    sum_sq_ = 0.0;
    for (std::size_t i = 0; i < count_; ++i) {
      sum_ += window_[i];
      sum_sq_ += window_[i] * window_[i];
    }
  }
  std::array<double, N> window_{};
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  std::size_t since_rebuild_ = 0;
  double sum_ = 0.0;
  double sum_sq_ = 0.0;
};

// Change of a series (e.g. ATM implied volatility sampled each minute) against its baseline of
// the previous N changes. A spike is a change whose z-score or % change passes the thresholds and
// that rises by at least `min_change` (in the series' units; 0 = no floor): on a near-constant
// series the baseline's stddev is tiny and a z-score alone reads rounding noise as a spike.
template <std::size_t N>
class SpikeDetector {
 public:
  struct Reading {
    bool ready;        // baseline full
    double change;     // x - previous x
    double pct;        // change / previous x
    double z;          // (change - baseline mean) / baseline stddev; 0 when stddev is 0
    bool spike;
  };
  SpikeDetector(double z_threshold, double pct_threshold, double min_change = 0.0) noexcept
      : z_threshold_{z_threshold}, pct_threshold_{pct_threshold}, min_change_{min_change} {}

  Reading update(double x) noexcept {
    Reading r{false, 0.0, 0.0, 0.0, false};
    if (have_prev_) {
      r.change = x - prev_;
      r.pct = prev_ != 0.0 ? r.change / prev_ : 0.0;
      r.ready = changes_.full();
      if (r.ready) {
        const double sd = changes_.stddev();
        r.z = sd > 0.0 ? (r.change - changes_.mean()) / sd : 0.0;
        r.spike = ((z_threshold_ > 0.0 && r.z >= z_threshold_) || (pct_threshold_ > 0.0 && r.pct >= pct_threshold_)) &&
                  (min_change_ <= 0.0 || r.change >= min_change_);
      }
      changes_.push(r.change);  // the baseline is the changes before this one
    }
    prev_ = x;
    have_prev_ = true;
    return r;
  }

 private:
  double z_threshold_;
  double pct_threshold_;
  double min_change_;
  RollingStats<N> changes_;
  double prev_ = 0.0;
  bool have_prev_ = false;
};

// Seed 002: fires when the change of the M-period moving average exceeds K standard deviations
// of the previous N such changes (in either direction).
template <std::size_t M, std::size_t N>
class MaChangeTrigger {
 public:
  struct Reading {
    bool ready;
    double ma;
    double change;
    double threshold;  // K x stddev of the previous N changes
    bool fired;
  };
  explicit MaChangeTrigger(double k = 2.0) noexcept : k_{k} {}

  Reading update(double x) noexcept {
    Reading r{false, 0.0, 0.0, 0.0, false};
    window_[head_] = x;
    head_ = (head_ + 1) % M;
    if (filled_ < M) ++filled_;
    if (filled_ < M) return r;
    double sum = 0.0;
    for (const double v : window_) sum += v;
    r.ma = sum / static_cast<double>(M);
    if (have_ma_) {
      r.change = r.ma - prev_ma_;
      r.ready = changes_.full();
      if (r.ready) {
        r.threshold = k_ * changes_.stddev();
        r.fired = std::fabs(r.change) > r.threshold;
      }
      changes_.push(r.change);
    }
    prev_ma_ = r.ma;
    have_ma_ = true;
    return r;
  }

 private:
  double k_;
  std::array<double, M> window_{};
  std::size_t head_ = 0;
  std::size_t filled_ = 0;
  double prev_ma_ = 0.0;
  bool have_ma_ = false;
  RollingStats<N> changes_;
};

}  // namespace odte
