#include "odte/core/options/black_scholes.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>

#include "implied_vol_tables.hpp"

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

// b(x, s) for s < 0.5 without cancellation. With z = |x|/s, t = s/2, tau = t^2 and the Mills
// ratio R(h) = N(h)/phi(h):  b = phi(-z) e^{-tau/2} [R(-z+t) - R(-z-t)] = s phi(z) e^{-tau/2} G,
// G = sum_j A_{2j+1} tau^j / (2j+1)!, A_k = R^(k)(-z) = int_0^inf u^k e^{-zu - u^2/2} du > 0, so
// the sum has no cancellation. A_1 and A_2 come from the piecewise polynomials of
// implied_vol_tables.hpp (1e-16 relative), the rest from A_{k+1} = k A_{k-1} - z A_k, whose error
// growth (~z^2 per order) is outweighed by the terms' fall (~tau/z^2 per order).
struct Eval {
  double b;      // b(x, s); not formed (0) when only the logarithm was asked for
  double b1;     // db/ds = exp(-(h^2 + t^2)/2) / sqrt(2 pi); likewise
  double log_b;  // ln b, finite even where b underflows (tables only: -inf beyond z = 64)
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

// Polynomials in Estrin's form: the same multiply-adds as Horner's rule with about half its
// dependency chain (the solve's latency, not its instruction count, is what it is short of).
inline double poly(const double (&c)[4], double u) noexcept {
  const double u2 = u * u;
  return (c[0] + c[1] * u) + u2 * (c[2] + c[3] * u);
}
inline double poly(const double (&c)[7], double u) noexcept {
  const double u2 = u * u;
  const double u4 = u2 * u2;
  return ((c[0] + c[1] * u) + u2 * (c[2] + c[3] * u)) + u4 * ((c[4] + c[5] * u) + u2 * c[6]);
}
inline double poly(const double (&c)[10], double u) noexcept {
  const double u2 = u * u;
  const double u4 = u2 * u2;
  const double u8 = u4 * u4;
  const double p03 = (c[0] + c[1] * u) + u2 * (c[2] + c[3] * u);
  const double p47 = (c[4] + c[5] * u) + u2 * (c[6] + c[7] * u);
  return (p03 + u4 * p47) + u8 * (c[8] + c[9] * u);
}

inline std::uint64_t bits_of(double d) noexcept {
  std::uint64_t b = 0;
  std::memcpy(&b, &d, sizeof b);
  return b;
}

// e^{-a} and e^{a} for 0 <= a < 700, as parts: e^{-a} = scale_neg (even + odd) and
// e^{a} = scale_pos (even - odd). With n = round(-32 a / ln 2) = 32 k + j (0 <= j < 32):
// e^{-a} = 2^k 2^{j/32} e^r and e^{a} = 2^{-k} 2^{-j/32} e^{-r}, r = -a - n ln 2 / 32,
// |r| <= ln 2 / 64, e^{+-r} by the series to r^6 (the next term is below 4e-18) split into even
// and odd parts. The parts let a caller multiply its own factors into the scale while the series
// is still being summed. Inline: no call, no errno.
struct ExpParts {
  double scale_neg;
  double scale_pos;
  double even;
  double odd;
};
inline ExpParts exp_parts(double a) noexcept {
  constexpr double kScale = 46.16624130844683;       // 32 / ln 2
  constexpr double kLn2Hi = 0.02166084938653512;     // ln 2 / 32 to 32 bits: n kLn2Hi is exact
  constexpr double kLn2Lo = 5.9631716539705866e-12;  // ln 2 / 32 - kLn2Hi
  constexpr double kShifter = 0x1.8p52;              // adding it rounds to an integer
  const double shifted = kShifter - a * kScale;
  const double n = shifted - kShifter;
  const double r = (-a - n * kLn2Hi) - n * kLn2Lo;
  const auto ni = static_cast<std::int32_t>(static_cast<std::uint32_t>(bits_of(shifted)));  // n, exactly
  const double r2 = r * r;
  const double r4 = r2 * r2;
  const std::int32_t k = ni >> 5;  // floor(n / 32), in [-1010, 0]
  const auto j = static_cast<std::size_t>(ni & 31);
  const auto pow2 = [](std::int32_t e) {  // 2^e for -1022 <= e <= 1023
    const std::uint64_t bits = static_cast<std::uint64_t>(1023 + e) << 52;
    double d = 0;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  };
  return {tables::kExp2Fraction[j] * pow2(k), tables::kExp2FractionInv[j] * pow2(-k),
          (1.0 + 0.5 * r2) + r4 * ((1.0 / 24) + r2 * (1.0 / 720)), r * ((1.0 + r2 * (1.0 / 6)) + r4 * (1.0 / 120))};
}

// e^{-(a + a_lo)} for a >= 0 (a_lo < 3e-13 a correction of a's last bits), within ~1 ulp; 0 from
// a = 745, subnormal results scaled in two steps.
inline double exp_neg(double a, double a_lo) noexcept {
  if (!(a < 745.0)) return 0.0;  // below half the least subnormal
  const double lo = 1.0 - a_lo;  // e^{-a_lo}: its square is far below an ulp
  if (a < 700.0) {
    const ExpParts p = exp_parts(a);
    return p.scale_neg * lo * (p.even + p.odd);
  }
  const ExpParts p = exp_parts(a - 100.0);  // e^{-a} = e^{-(a - 100)} e^{-100}
  return p.scale_neg * (lo * 3.7200759760208359630e-44) * (p.even + p.odd);
}



// Term j of G is included while its bound tau_e^j / (2j+1)!! (tau_e = tau min(1, 9/z^2); the
// bound holds for every z, checked at 60 digits) exceeds 2^-57.
constexpr std::array<double, 8> kTermFloor{0.0, 0.0, 1.0202127648613716e-08, 8.998287163384506e-06,
                                           0.0002845643649614339, 0.002353005531702338, 0.009893341844807734,
                                           0.02816667753074849};
constexpr std::array<double, 8> kInvOddFactorial{1.0, 0.16666666666666666, 0.008333333333333333,
                                                 0.0001984126984126984, 2.7557319223985893e-06,
                                                 2.505210838544172e-08, 1.6059043836821613e-10,
                                                 7.647163731819816e-13};
constexpr double kLnSqrt2Pi = 0.91893853320467274178;
constexpr double kSeriesLimit = 0.5;  // s below this: the series (tau <= 1/16, at most 7 terms)

// G and the exponent of b = s G e^{-(e + e_lo)/2} / sqrt(2 pi), e + e_lo = z^2 + tau in
// double-double, for ax = |x| and 0 < s < kSeriesLimit; ok = false when z >= 64 (b < 1e-800).
struct Series {
  double sg;     // s G
  double e;      // z^2 + tau, rounded
  double e_lo;   // and the rest
  double z;      // |x|/s
  double inv_s;  // 1/s
  double tau;    // s^2/4
  bool ok;
};
// inv_ax = 1/ax (inf when ax = 0), passed in so that 1/z = s/ax is a product.
[[gnu::always_inline]] inline Series series(double ax, double s, double inv_ax) noexcept {
  Series out{};
  const double inv_s = 1.0 / s;
  const double z = ax * inv_s;
  if (!(z < 64.0)) return out;
  const double tau = 0.25 * s * s;
  const double zz = z * z;
  const std::size_t i = z < 1.0 ? static_cast<std::size_t>(z * 8.0)
                                : static_cast<std::size_t>((bits_of(z) >> 49) - (std::uint64_t{1023} << 3)) + 8;
  const tables::MillsPiece& p = tables::kMills[i];
  const double u = (z - p.c) * p.ihw;
  const double w = z < 1.0 ? 1.0 : s * inv_ax;  // 1/z: the tables hold z^2 A_1 and z^3 A_2 from z = 1
  const double w2 = w * w;
  const double a1 = poly(p.a1, u) * w2;
  const double a2 = poly(p.a2, u) * (w2 * w);
  // Terms j <= 3 always, with A_k = P_k(z) A_1 + S_k(z) A_2 from the recurrence folded in:
  // A_3 = 2 A_1 - z A_2, A_5 = (8 + 2 z^2) A_1 - (7 z + z^3) A_2,
  // A_7 = (48 + 30 z^2 + 2 z^4) A_1 - (57 z + 18 z^3 + z^5) A_2; what cancels there is scaled by
  // tau^j and stays below 1e-16 of G (checked against mpmath to |x| = 20). Terms j >= 4 while they
  // count (tau_e > 2.8e-4: s > 0.034 near the money) by the recurrence.
  const double pa = 1.0 + tau * ((1.0 / 3) + tau * ((8.0 + 2.0 * zz) * (1.0 / 120) +
                                                   tau * (48.0 + zz * (30.0 + 2.0 * zz)) * (1.0 / 5040)));
  const double pb = tau * z * ((1.0 / 6) + tau * ((7.0 + zz) * (1.0 / 120) +
                                                  tau * (57.0 + zz * (18.0 + zz)) * (1.0 / 5040)));
  double g = a1 * pa - a2 * pb;
  // tau_e > floor  <=>  9 tau > floor max(z^2, 9): no division.
  const double tau9 = 9.0 * tau;
  const double zz9 = zz > 9.0 ? zz : 9.0;
  if (tau9 > kTermFloor[4] * zz9) {
    std::size_t terms = 4;
    while (terms < 7 && tau9 > kTermFloor[terms + 1] * zz9) ++terms;
    std::array<double, 16> a;  // A_k(z); only [1, 2 terms + 1] is written and read
    a[1] = a1;
    a[2] = a2;
    for (std::size_t k = 2; k <= 2 * terms; ++k) a[k + 1] = static_cast<double>(k) * a[k - 1] - z * a[k];
    double tail = 0;  // sum_{j >= 4} A_{2j+1} tau^{j-4} / (2j+1)!
    for (std::size_t j = terms; j >= 4; --j) tail = tail * tau + a[2 * j + 1] * kInvOddFactorial[j];
    g += (tau * tau) * (tau * tau) * tail;
  }
  // The exponent (z^2 + tau)/2 carried to double-double, so b is smooth in s to its last bits: at
  // z ~ 37 one ulp of the exponent is 1e-13 of b. (tau's own rounding, below 1e-18 of the
  // exponent, is left out.)
  const double zs = z * s;
  const double dz = ((ax - zs) - product_error(z, s, zs)) * inv_s;  // ax/s = z + dz to first order
  const double zz_lo = product_error(z, z, zz) + 2.0 * z * dz;
  const double e = zz + tau;
  const double ev = e - zz;
  out.e_lo = ((zz - (e - ev)) + (tau - ev)) + zz_lo;
  out.e = e;
  out.sg = s * g;
  out.z = z;
  out.inv_s = inv_s;
  out.tau = tau;
  out.ok = true;
  return out;
}

template <bool kLogOnly>
Eval otm_series(double x, double s) noexcept {
  const Series v = series(-x, s, 1.0 / -x);
  if (!v.ok) return {0.0, 0.0, -std::numeric_limits<double>::infinity(), 0.0};
  if constexpr (kLogOnly) {
    // ln b = ln(s G) - ln sqrt(2 pi) - e/2; b'/b = 1 / (s G). No exp needed.
    return {0.0, 0.0, std::log(v.sg) - kLnSqrt2Pi - 0.5 * v.e - 0.5 * v.e_lo, 1.0 / v.sg};
  } else {
    const double phi = kInvSqrt2Pi * exp_neg(0.5 * v.e, 0.5 * v.e_lo);
    return {v.sg * phi, phi, 0.0, 1.0 / v.sg};
  }
}

template <bool kLogOnly = false>
inline Eval otm_eval(double x, double s) noexcept {
  if (s < kSeriesLimit) return otm_series<kLogOnly>(x, s);
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
  double x;          // ln(F/K)
  double spot_pv;    // S e^{-qt}: the discounted forward, formed as a user would
  double strike_pv;  // K e^{-rt}
  double root;       // D sqrt(F K) = sqrt(S K) e^{-(r+q)t/2}: the scale of the normalised price
};

// ln(a/b) for a, b > 0. Within 1/16 of each other (|w| <= 1/16, w = (a - b)/(a + b): strikes
// within ~13% of the forward) by ln(a/b) = 2 atanh w = 2 w sum_k w^{2k}/(2k + 1) to w^14 (the next
// term is below 1e-20 of the sum); a - b is exact there, so this is also more accurate than
// log(a/b), whose rounded quotient costs up to 1e-16 absolute. Else std::log.
inline double log_ratio(double a, double b) noexcept {
  const double d = a - b;
  const double sum = a + b;
  if (!(std::fabs(d) <= 0.0625 * sum)) return std::log(a / b);
  const double w = d / sum;
  const double w2 = w * w;
  const double w4 = w2 * w2;
  const double w8 = w4 * w4;
  const double p03 = (1.0 + w2 * (1.0 / 3)) + w4 * ((1.0 / 5) + w2 * (1.0 / 7));
  const double p47 = ((1.0 / 9) + w2 * (1.0 / 11)) + w4 * ((1.0 / 13) + w2 * (1.0 / 15));
  return 2.0 * w * (p03 + w8 * p47);
}

// ln v for finite v >= 1, to ~3e-12 absolute: the start's tables need no more. v = 2^k m,
// m in [1, 2); with c the centre of m's 1/32 (its top five mantissa bits), r = m/c - 1 is within
// 1/64 and ln m = ln c + ln(1 + r) by its series to r^5. No division, no call.
inline double log_coarse(double v) noexcept {
  const std::uint64_t bits = bits_of(v);
  const auto k = static_cast<double>(static_cast<std::int64_t>(bits >> 52) - 1023);
  const tables::LogPiece& p = tables::kLog[(bits >> 47) & 31];
  const std::uint64_t m_bits = (bits & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000;
  double m = 0;
  std::memcpy(&m, &m_bits, sizeof m);
  const double r = m * p.inv_c - 1.0;
  const double r2 = r * r;
  const double l1p = (r + r2 * (-0.5 + r * (1.0 / 3))) + (r2 * r2) * (-0.25 + r * 0.2);
  return (k * 0.69314718055994530942 + p.ln_c) + l1p;
}

// e^u for |u| < 2^-13 by its series to u^3 (the next term is below 1e-17).
inline double exp_tiny(double u) noexcept { return 1.0 + (u + (u * u) * (0.5 + u * (1.0 / 6))); }

[[gnu::always_inline]] inline Forward forward_of(const BsmInput& in) noexcept {
  const double rt = in.r * in.t;
  const double qt = in.q * in.t;
  // Every 0DTE rate times time is far below 2^-13: three short series instead of three exp calls.
  const bool tiny = std::fabs(rt) < 0x1p-13 && std::fabs(qt) < 0x1p-13;
  const double discount = tiny ? exp_tiny(-rt) : std::exp(-rt);
  const double spot_pv = in.spot * (tiny ? exp_tiny(-qt) : std::exp(-qt));
  // root from the inputs directly rather than from spot_pv and strike_pv: one fewer step to wait for.
  const double half = -0.5 * (rt + qt);
  const double root = std::sqrt(in.spot * in.strike) * (tiny ? exp_tiny(half) : std::exp(half));
  return {discount, log_ratio(in.spot, in.strike) + (in.r - in.q) * in.t, spot_pv, in.strike * discount, root};
}

// Discounted intrinsic value, max(S e^{-qt} - K e^{-rt}, 0) for a call.
inline double intrinsic_of(OptionRight right, const Forward& f) noexcept {
  const double v = (f.spot_pv - f.strike_pv) * (right == OptionRight::kCall ? 1.0 : -1.0);
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

// The start of the fast solve: s for b(x, s) = beta from the model b = s phi(z) A_1(z) (tau -> 0),
// whose inverse is tabulated (implied_vol_tables.hpp, ~1e-9 relative): with v = |x|/beta (given),
// s = beta W(v) for v < 64 (no logarithm; W is smooth at the money, v = 0), else s = |x| (1/z)(ln v).
// The terms in tau the model leaves out change ln b by tau (A_3/(6 A_1) - 1/2) + O(tau^2); one
// first-order correction s (1 + tau gamma(z)) removes them, leaving ~1e-8 relative on the 0DTE grid.
inline double start_of(double ax, double beta, double v) noexcept {
  double s = 0;
  double gamma = 0;
  if (v < 64.0) {
    const std::size_t i =
        v < 0.25 ? 0 : static_cast<std::size_t>((bits_of(v) >> 51) - (std::uint64_t{1021} << 1)) + 1;
    const tables::StartPiece& p = tables::kStartA[i];
    const double u = (v - p.c) * p.ihw;
    s = beta * poly(p.main, u);
    gamma = poly(p.gamma, u);
  } else {
    const double l = log_coarse(v);  // < 710
    const std::size_t i = static_cast<std::size_t>((bits_of(l) >> 50) - (std::uint64_t{1025} << 2));
    const tables::StartPiece& p = tables::kStartB[i];
    const double u = (l - p.c) * p.ihw;
    s = ax * poly(p.main, u);
    gamma = poly(p.gamma, u);
  }
  return s + (0.25 * gamma * s) * (s * s);  // s (1 + tau gamma), tau = s^2/4, in two parallel halves
}

// Solves b(x, s) = beta for x <= 0 (ax = |x|, v = ax/beta) from start_of() by third-order steps on
// f(s) = b - beta, whose second and third derivatives over the first are closed forms in z and tau:
// q2 = b''/b' = (z^2 - tau)/s, q3 = b'''/b' = q2^2 - (3 z^2 + tau)/s^2. With nu = -f/b' the root is
// s + nu - (q2/2) nu^2 + (q2^2/2 - q3/6) nu^3 + O((q2 nu)^4 nu) (the series reversion of the cubic
// Taylor model: no division; Householder's rational form of the same order when q2 nu is not
// small). 1/b' = sqrt(2 pi) e^{+(z^2 + tau)/2} comes from the same exponential as b. The start is
// within ~1e-8 and a step of relative size e leaves ~(D e)^4 of b (D = d ln b / d ln s ~ 1 + z^2):
// one step finishes. Returns 0 when the point is outside the series' domain or the steps do not
// settle; the caller then runs solve_normalized().
double solve_fast(double ax, double beta, double v, std::uint8_t& iterations) noexcept {
  constexpr double kSqrt2Pi = 2.50662827463100050242;
  double s = start_of(ax, beta, v);
  const double inv_ax = 1.0 / ax;  // off the critical path
  for (std::uint8_t it = 1; it <= 4; ++it) {
    if (!(s < kSeriesLimit) || !(s > 0)) return 0.0;
    const Series e = series(ax, s, inv_ax);
    if (!e.ok || !(e.e < 1400.0)) return 0.0;  // e^{+e/2} must not overflow
    const ExpParts x = exp_parts(0.5 * e.e);
    iterations = it;
    // nu = beta/b' - s G, the known factors of 1/b' multiplied together while e^{-r} is summed.
    const double nu = (beta * kSqrt2Pi * x.scale_pos * (1.0 + 0.5 * e.e_lo)) * (x.even - x.odd) - e.sg;
    const double zz = e.z * e.z;
    const double q2 = (zz - e.tau) * e.inv_s;
    const double q3 = q2 * q2 - (3.0 * zz + e.tau) * (e.inv_s * e.inv_s);
    const double q2nu = q2 * nu;
    const double step = std::fabs(q2nu) < 1e-3
                            ? nu * (1.0 - nu * (0.5 * q2 - nu * (0.5 * q2 * q2 - q3 * (1.0 / 6))))
                            : nu * (1.0 + 0.5 * q2nu) / (1.0 + nu * (q2 + q3 * nu * (1.0 / 6)));
    if (!std::isfinite(step)) return 0.0;
    const double next = s + step;
    if (std::fabs(step) * (1.0 + zz) < 1e-4 * s) return next;  // (D e)^4 < 1e-16
    s = next;
  }
  return 0.0;
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
  return f.root * b + intrinsic_of(in.right, f);
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
  // x - x is 0 for a finite x and NaN otherwise: one test for all six inputs.
  const double probe = ((in.spot - in.spot) + (in.strike - in.strike)) + ((in.t - in.t) + (in.r - in.r)) +
                       ((in.q - in.q) + (price - price));
  const bool finite = probe == 0.0;
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
  const double root = f.root;
  const double beta = time_value / root;
  // In the money, the intrinsic value itself is only known to a few ulp of S e^{-qt} + K e^{-rt}.
  const double noise = intrinsic > 0 ? 4.0 * kEps * (f.spot_pv + f.strike_pv) : 0.0;
  if (!(time_value > noise) || !(beta >= kMinBeta)) {
    out.status = IvStatus::kNoTimeValue;
    return out;
  }
  const double x = -std::fabs(f.x);
  // v = |x|/beta for the start (1e-9 is plenty): (|x| root) (1/time value), whose division starts
  // as soon as the time value is known instead of after ln(S/K).
  double s = solve_fast(-x, beta, (-x * root) * (1.0 / time_value), out.iterations);
  if (!(s > 0)) s = solve_normalized(x, beta, out.iterations);
  out.iv = s / std::sqrt(in.t);
  out.status = IvStatus::kOk;
  return out;
}

}  // namespace odte::options
