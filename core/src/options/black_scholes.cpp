#include "odte/core/options/black_scholes.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace odte::options {
namespace {

constexpr double kInvSqrt2 = 0.70710678118654752440;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;
constexpr double kEps = std::numeric_limits<double>::epsilon();
// Normalised time values below this are treated as carrying no information (they are within a
// few hundred binades of underflow, where erfc itself has lost its relative accuracy).
constexpr double kMinBeta = 1e-300;

inline double ncdf(double x) noexcept { return 0.5 * std::erfc(-x * kInvSqrt2); }

// b(x, s) in double; `first` receives e^{x/2} N(d1) to judge the cancellation.
inline double otm_double(double x, double s, double& first) noexcept {
  const double h = x / s;
  const double t = 0.5 * s;
  const double ex = std::exp(0.5 * x);
  first = ex * ncdf(h + t);
  return first - ncdf(h - t) / ex;
}

// b(x, s) for small s without cancellation. With h = x/s, t = s/2 and the Mills ratio
// R(h) = N(h)/phi(h):  b = phi(h) e^{-t^2/2} [R(h+t) - R(h-t)] = 2 phi(h) e^{-t^2/2} sum_{k odd}
// R^(k)(h) t^k / k!. Every R^(k)(h) = int_0^inf u^k e^{hu - u^2/2} du is positive, so the sum has
// no cancellation. For h <= -4 the ratios rho_k = R^(k)/R^(k-1) come from running the
// continued fraction rho_k = k / (-h + rho_{k+1}) backwards (stable there), which also gives R;
// nearer the money R comes from erfc and the derivatives from the forward recurrence
// R^(k+1) = h R^(k) + k R^(k-1), whose cancellation costs at most ~20x (1e-14) for |h| < 4.
struct Eval {
  double b;      // b(x, s); not formed (0) when only the logarithm was asked for
  double b1;     // db/ds = exp(-(h^2 + t^2)/2) / sqrt(2 pi); likewise
  double log_b;  // ln b, finite even where b underflows
  double r1;     // b'/b
};

// Veltkamp/Dekker: the rounding error of a * b, exactly, without a library fma.
inline double product_error(double a, double b, double p) noexcept {
  constexpr double kSplit = 134217729.0;  // 2^27 + 1
  const double ca = kSplit * a, cb = kSplit * b;
  const double ah = ca - (ca - a), al = a - ah;
  const double bh = cb - (cb - b), bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

template <bool kLogOnly>
Eval otm_series(double x, double s) noexcept {
  constexpr int kMaxOrder = 40;
  const double h = x / s;
  const double t = 0.5 * s;
  const double z = -h;
  // Only [0, order] is written and read; left uninitialised, as zeroing would cost more than the sum.
  std::array<double, kMaxOrder + 2> d;  // R^(k)(h)
  // Terms fall by about t^2 rho^2 / k^2 per odd order; stop once the next is below 1e-16.
  int order = 1;
  {
    double term = 1.0;
    while (order < kMaxOrder - 1) {
      const double rho2 = std::max(static_cast<double>(order + 1) / (z > 1 ? z * z : 1.0) * static_cast<double>(order + 1),
                                   static_cast<double>(order + 2));
      term *= t * t * rho2 / (static_cast<double>(order + 1) * static_cast<double>(order + 2));
      if (term < 1e-16) break;
      order += 2;
    }
  }
  if (z >= 4.0) {
    // The depth below gives rho_1 to ~1e-14 relative or better (measured against erfc in 80-bit
    // arithmetic).
    const int top = order + (z >= 12.0 ? 7 : z >= 8.0 ? 9 : z >= 6.0 ? 11 : z >= 5.0 ? 14 : 18);
    // rho_n = n / (z + rho_{n+1}) carried as num/den so the chain is multiply-adds, not divisions.
    // The tail starts from rho^2 + (z + d) rho - n = 0, d = 1/sqrt(z^2 + 4n) ~ rho_{n+1} - rho_n,
    // which is ~50x closer than the rho_{n+1} = rho_n root and saves about four steps.
    const double n_top = static_cast<double>(top + 1);
    const double zd = z + 1.0 / std::sqrt(z * z + 4.0 * n_top);
    double num = 0.5 * (-zd + std::sqrt(zd * zd + 4.0 * n_top));
    double den = 1.0;
    std::array<double, kMaxOrder + 2> nums;
    std::array<double, kMaxOrder + 2> dens;
    for (int n = top; n >= 1; --n) {
      const double next_den = z * den + num;
      num = static_cast<double>(n) * den;
      den = next_den;
      if (n <= order) {
        nums[static_cast<std::size_t>(n)] = num;
        dens[static_cast<std::size_t>(n)] = den;
      }
      if (den > 1e200) {  // keep the pair in range; only the ratio matters
        num *= 1e-200;
        den *= 1e-200;
        for (int k = n; k <= order; ++k) {
          nums[static_cast<std::size_t>(k)] *= 1e-200;
          dens[static_cast<std::size_t>(k)] *= 1e-200;
        }
      }
    }
    // R = 1 / (z + rho_1), R^(k) = R^(k-1) rho_k.
    d[0] = den / (z * den + num);
    for (int k = 1; k <= order; ++k) {
      d[static_cast<std::size_t>(k)] =
          d[static_cast<std::size_t>(k - 1)] * nums[static_cast<std::size_t>(k)] / dens[static_cast<std::size_t>(k)];
    }
  } else {
    d[0] = 0.5 * std::erfc(z * kInvSqrt2) / (kInvSqrt2Pi * std::exp(-0.5 * z * z));
    d[1] = 1.0 + h * d[0];
    for (int k = 1; k < order; ++k) {
      d[static_cast<std::size_t>(k + 1)] =
          h * d[static_cast<std::size_t>(k)] + static_cast<double>(k) * d[static_cast<std::size_t>(k - 1)];
    }
  }
  double sum = 0;
  double tk = t;       // t^k / k!
  for (int k = 1; k <= order; k += 2) {
    sum += d[static_cast<std::size_t>(k)] * tk;
    tk *= t * t / (static_cast<double>(k + 1) * static_cast<double>(k + 2));
  }
  // phi(h) e^{-t^2/2} with the exponent carried to double-double, so b is smooth in s to the last bits.
  const double hs = h * s;
  const double hr = ((x - hs) - product_error(h, s, hs)) / s;  // x/s = h + hr to first order
  const double hh = h * h;
  const double hh_lo = product_error(h, h, hh) + 2.0 * h * hr;
  // h^2 + t^2 with its rounding error (TwoSum): at |h| ~ 37 one ulp of the exponent is 1e-13 of b.
  const double tt = t * t;
  const double e = hh + tt;
  const double ev = e - hh;
  const double e_lo = ((hh - (e - ev)) + (tt - ev)) + product_error(t, t, tt);
  const double correction = 0.5 * (hh_lo + e_lo);
  if constexpr (kLogOnly) {
    // ln b = ln(2 sum) + ln(1/sqrt(2 pi)) - e/2 - correction; b'/b = 1 / (2 sum). No exp needed.
    return {0.0, 0.0, std::log(2.0 * sum) - 0.91893853320467274178 - 0.5 * e - correction, 0.5 / sum};
  } else {
    const double phi = kInvSqrt2Pi * std::exp(-0.5 * e) * (1.0 - correction);
    return {2.0 * phi * sum, phi, 0.0, 0.5 / sum};
  }
}

template <bool kLogOnly = false>
inline Eval otm_eval(double x, double s) noexcept {
  if (s < 0.5) return otm_series<kLogOnly>(x, s);
  double first = 0;
  const double h = x / s;
  const double t = 0.5 * s;
  const double b = otm_double(x, s, first);
  const double b1 = kInvSqrt2Pi * std::exp(-0.5 * (h * h + t * t));
  return {b, b1, std::log(b), b1 / b};
}

inline double otm_precise(double x, double s) noexcept { return otm_eval(x, s).b; }

struct Forward {
  double discount;   // e^{-rt}
  double forward;    // S e^{(r-q)t}
  double x;          // ln(F/K)
  double spot_pv;    // S e^{-qt}: the discounted forward, formed as a user would
  double strike_pv;  // K e^{-rt}
};

inline Forward forward_of(const BsmInput& in) noexcept {
  const double discount = std::exp(-in.r * in.t);
  const double spot_pv = in.spot * std::exp(-in.q * in.t);
  return {discount, spot_pv / discount, std::log(in.spot / in.strike) + (in.r - in.q) * in.t, spot_pv,
          in.strike * discount};
}

// Discounted intrinsic value, max(S e^{-qt} - K e^{-rt}, 0) for a call.
inline double intrinsic_of(OptionRight right, const Forward& f) noexcept {
  const double v = right == OptionRight::kCall ? f.spot_pv - f.strike_pv : f.strike_pv - f.spot_pv;
  return v > 0 ? v : 0.0;
}

// Higher derivatives of b in s as ratios to b', so nothing overflows: b'' = b' q2, b''' = b' q3.
struct Slope {
  double q2;
  double q3;
};
inline Slope slope(double x, double s) noexcept {
  const double h = x / s;
  const double t = 0.5 * s;
  const double h2 = h * h;
  const double t2 = t * t;
  const double u = (h2 - t2) / s;
  return {u, u * u - (3.0 * h2 + t2) / (s * s)};
}

// Solves b(x, s) = beta for s, x <= 0, 0 < beta < e^{x/2}. Householder steps of third order on
// an objective chosen by region: below the inflection point s_c = sqrt(2|x|) the price is
// exponentially small and f = 1/ln(beta) - 1/ln(b) is close to quadratic in s; above it
// f = b - beta is concave. A bracket [lo, hi] falls back to bisection if a step leaves it. The
// first steps use the double b; once a step is below 1e-6 relative the residual is taken from
// the extended-precision b where it matters, and that step finishes the solve.
double solve_normalized(double x, double beta, std::uint8_t& iterations) noexcept {
  const double sc = std::sqrt(-2.0 * x);
  // At s_c, h = -t = -sqrt(|x|/2): b = e^{x/2}/2 - e^{-x/2} N(-s_c) and b' = e^{x/2}/sqrt(2 pi).
  const double ex = std::exp(0.5 * x);
  const double bc = sc > 0 ? 0.5 * ex - ncdf(-sc) / ex : 0.0;
  const double bc1 = kInvSqrt2Pi * ex;
  const bool low = beta < bc;
  const double inv_log_beta = low ? 1.0 / std::log(beta) : 0.0;

  double lo = low ? 0.0 : sc;
  double hi = low ? sc : std::numeric_limits<double>::infinity();
  double s = 0;
  if (low) {
    // For small s, b ~ s phi(h) R'(h) (the first term of the series), i.e. with z = |h|,
    // beta / |x| ~ phi(z) R'(-z) / z, and R'(-z) ~ 1 / (1 + 0.8 z + z^2) within ~10%. Newton on
    // the log of that closed form gives z, hence s = |x| / z.
    const double target = std::log(beta / -x) + 0.91893853320467274178;  // + ln sqrt(2 pi)
    double zz = target < 0 ? std::sqrt(-2.0 * target) : 0.5;
    for (int i = 0; i < 2; ++i) {
      const double q = 1.0 + zz * (0.8 + zz);
      const double g = -0.5 * zz * zz - std::log(zz * q) - target;
      const double g1 = -zz - 1.0 / zz - (0.8 + 2.0 * zz) / q;
      const double next = zz - g / g1;
      zz = next > 0.5 * zz ? next : 0.5 * zz;
    }
    // One more Newton step on the model with R'(-z) exact (through the Mills ratio m = N(-z)/phi(z):
    // R'(-z) = 1 - z m, R''(-z) = m - z R'(-z), R'''(-z) = 2 R'(-z) - z R''(-z)) and the series'
    // next factor e^{-t^2/2} (1 + t^2 R'''/(6 R')), t = |x| / (2 z). That takes the guess from
    // ~1e-3 to ~1e-5..1e-10 relative on the 0DTE grid (the model's own error is then what is
    // left), so one precise Householder step finishes most solves instead of two. Beyond z = 26
    // (erfc near underflow) R'(-z) is its asymptotic series, exact there to ~1e-13.
    {
      double m = 0;
      double r1 = 0;
      if (zz < 26.0) {
        m = 0.5 * std::erfc(zz * kInvSqrt2) / (kInvSqrt2Pi * std::exp(-0.5 * zz * zz));
        r1 = 1.0 - zz * m;
      } else {
        const double w = 1.0 / (zz * zz);
        r1 = w * (1.0 + w * (-3.0 + w * (15.0 + w * (-105.0 + w * 945.0))));
        m = (1.0 - r1) / zz;
      }
      const double r2 = m - zz * r1;
      const double r3 = 2.0 * r1 - zz * r2;
      const double tt = 0.25 * x * x / (zz * zz);
      const double u = tt * r3 / (6.0 * r1);  // ~1e-4 at 0DTE: ln(1 + u) from two terms
      const double g = -0.5 * zz * zz + std::log(r1 / zz) - 0.5 * tt + u * (1.0 - 0.5 * u) - target;
      const double g1 = -zz - 1.0 / zz - r2 / r1 + tt / zz;
      const double next = zz - g / g1;
      if (r1 > 0 && std::isfinite(next)) zz = next > 0.5 * zz ? next : 0.5 * zz;  // else keep the cruder guess
    }
    s = -x / zz;
    if (!(s > 0 && s < sc)) s = 0.5 * sc;
  } else {
    s = sc + (beta - bc) / bc1;  // Newton from the inflection point: at or below the root
    if (!(s > sc)) s = sc > 0 ? sc * 1.5 : beta / kInvSqrt2Pi;
  }

  for (std::uint8_t it = 1; it <= 40; ++it) {
    iterations = it;
    const Slope d = slope(x, s);
    double f = 0, f1 = 0, n2 = 0, n3 = 0;
    if (low) {
      const Eval e = otm_eval<true>(x, s);
      if (!std::isfinite(e.log_b) || !(e.log_b < 0)) {  // b underflowed (or s is absurd): too low
        lo = s;
        s = std::isfinite(hi) ? 0.5 * (lo + hi) : 2.0 * s;
        continue;
      }
      const double l = e.log_b;
      const double r1 = e.r1;
      const double l1 = r1;
      const double l2 = r1 * d.q2 - r1 * r1;
      const double l3 = r1 * d.q3 - 3.0 * r1 * r1 * d.q2 + 2.0 * r1 * r1 * r1;
      const double il = 1.0 / l;
      f = inv_log_beta - il;
      const double g1 = l1 * il * il;
      const double g2 = l2 * il * il - 2.0 * l1 * l1 * il * il * il;
      const double g3 = l3 * il * il - 6.0 * l1 * l2 * il * il * il + 6.0 * l1 * l1 * l1 * il * il * il * il;
      f1 = g1;
      n2 = g2 / g1;
      n3 = g3 / g1;
    } else {
      const Eval e = otm_eval(x, s);
      f = e.b - beta;
      f1 = e.b1;
      n2 = d.q2;
      n3 = d.q3;
    }
    if (f == 0) break;
    if (f < 0) {
      lo = s;
    } else {
      hi = s;
    }
    const double nu = -f / f1;
    double step = nu * (1.0 + 0.5 * n2 * nu) / (1.0 + nu * (n2 + n3 * nu / 6.0));
    if (!std::isfinite(step)) step = nu;
    const double rel = std::fabs(step) / s;
    if (rel < 1e-5) {  // fourth-order convergence: the error left is ~rel^4, below 1e-20
      s += step;
      break;
    }
    double next = s + step;
    if (!(next >= lo && next <= hi)) next = std::isfinite(hi) ? 0.5 * (lo + hi) : 2.0 * s;
    s = next;
  }
  return s;
}

}  // namespace

double norm_cdf(double x) noexcept { return ncdf(x); }

double normalized_otm_black(double x, double s) noexcept {
  if (!(s > 0)) return 0.0;
  return otm_precise(x, s);
}

double bsm_price(const BsmInput& in) noexcept {
  const Forward f = forward_of(in);
  const double s = in.sigma * std::sqrt(in.t);
  const double b = normalized_otm_black(-std::fabs(f.x), s);
  return f.discount * std::sqrt(f.forward * in.strike) * b + intrinsic_of(in.right, f);
}

Greeks bsm_greeks(const BsmInput& in) noexcept {
  Greeks g;
  const double sqrt_t = std::sqrt(in.t);
  const double s = in.sigma * sqrt_t;
  const double d1 = (std::log(in.spot / in.strike) + (in.r - in.q) * in.t) / s + 0.5 * s;
  const double d2 = d1 - s;
  const double dq = std::exp(-in.q * in.t);
  const double dr = std::exp(-in.r * in.t);
  const double pdf = kInvSqrt2Pi * std::exp(-0.5 * d1 * d1);
  g.price = bsm_price(in);
  g.gamma = dq * pdf / (in.spot * s);
  g.vega = in.spot * dq * pdf * sqrt_t;
  const double decay = -in.spot * dq * pdf * in.sigma / (2.0 * sqrt_t);
  if (in.right == OptionRight::kCall) {
    const double n1 = ncdf(d1);
    const double n2 = ncdf(d2);
    g.delta = dq * n1;
    g.theta = decay - in.r * in.strike * dr * n2 + in.q * in.spot * dq * n1;
    g.rho = in.strike * in.t * dr * n2;
  } else {
    const double n1 = ncdf(-d1);
    const double n2 = ncdf(-d2);
    g.delta = -dq * n1;
    g.theta = decay + in.r * in.strike * dr * n2 - in.q * in.spot * dq * n1;
    g.rho = -in.strike * in.t * dr * n2;
  }
  g.elasticity = g.price > 0 ? g.delta * in.spot / g.price : 0.0;
  return g;
}

std::string_view to_string(IvStatus s) noexcept {
  switch (s) {
    case IvStatus::kOk: return "ok";
    case IvStatus::kBadInput: return "bad_input";
    case IvStatus::kBelowIntrinsic: return "below_intrinsic";
    case IvStatus::kNoTimeValue: return "no_time_value";
    case IvStatus::kAboveUpperBound: return "above_upper_bound";
  }
  return "unknown";
}

IvResult implied_vol(const BsmInput& in, double price) noexcept {
  IvResult out;
  const bool finite = std::isfinite(in.spot) && std::isfinite(in.strike) && std::isfinite(in.t) &&
                      std::isfinite(in.r) && std::isfinite(in.q) && std::isfinite(price);
  if (!finite || !(in.spot > 0) || !(in.strike > 0) || !(in.t > 0) ||
      (in.right != OptionRight::kCall && in.right != OptionRight::kPut)) {
    return out;
  }
  const Forward f = forward_of(in);
  const double intrinsic = intrinsic_of(in.right, f);
  const double upper = in.right == OptionRight::kCall ? f.spot_pv : f.strike_pv;
  if (price < intrinsic) {
    out.status = IvStatus::kBelowIntrinsic;
    return out;
  }
  if (price >= upper) {
    out.status = IvStatus::kAboveUpperBound;
    return out;
  }
  const double time_value = price - intrinsic;
  const double beta = time_value / (f.discount * std::sqrt(f.forward * in.strike));
  // In the money, the intrinsic value itself is only known to a few ulp of S e^{-qt} + K e^{-rt}.
  const double noise = intrinsic > 0 ? 4.0 * kEps * (f.spot_pv + f.strike_pv) : 0.0;
  if (!(time_value > noise) || !(beta >= kMinBeta)) {
    out.status = IvStatus::kNoTimeValue;
    return out;
  }
  const double s = solve_normalized(-std::fabs(f.x), beta, out.iterations);
  out.iv = s / std::sqrt(in.t);
  out.status = IvStatus::kOk;
  return out;
}

}  // namespace odte::options
