#include "odte/core/options/forward.hpp"

#include <cmath>

namespace odte::options {
namespace {

bool has_mid(double bid, double ask) noexcept { return bid >= 0 && ask >= bid && ask > 0 && std::isfinite(ask); }
double mid(double bid, double ask) noexcept { return 0.5 * (bid + ask); }
bool two_sided(const ChainQuote& q) noexcept { return has_mid(q.call_bid, q.call_ask) && has_mid(q.put_bid, q.put_ask); }
double parity_gap(const ChainQuote& q) noexcept { return mid(q.call_bid, q.call_ask) - mid(q.put_bid, q.put_ask); }

ChainStatus check(std::span<const ChainQuote> chain) noexcept {
  for (std::size_t i = 0; i < chain.size(); ++i) {
    if (!std::isfinite(chain[i].strike) || !(chain[i].strike > 0)) return ChainStatus::kBadInput;
    if (i > 0 && !(chain[i].strike > chain[i - 1].strike)) return ChainStatus::kUnsorted;
  }
  return ChainStatus::kOk;
}

// Index of the two-sided strike with the smallest |C - P|; chain.size() when none.
std::size_t atm_index(std::span<const ChainQuote> chain) noexcept {
  std::size_t best = chain.size();
  double best_gap = 0;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    if (!two_sided(chain[i])) continue;
    const double gap = std::fabs(parity_gap(chain[i]));
    if (best == chain.size() || gap < best_gap) {
      best = i;
      best_gap = gap;
    }
  }
  return best;
}

double quote(double bid, double ask, QuoteSide side) noexcept {
  switch (side) {
    case QuoteSide::kBid: return bid;
    case QuoteSide::kAsk: return ask;
    case QuoteSide::kMid: break;
  }
  return mid(bid, ask);
}

}  // namespace

std::string_view to_string(ChainStatus s) noexcept {
  switch (s) {
    case ChainStatus::kOk: return "ok";
    case ChainStatus::kBadInput: return "bad_input";
    case ChainStatus::kUnsorted: return "unsorted";
    case ChainStatus::kNoTwoSidedStrike: return "no_two_sided_strike";
    case ChainStatus::kBadFit: return "bad_fit";
    case ChainStatus::kNoStrikes: return "no_strikes";
  }
  return "unknown";
}

ForwardResult implied_forward(std::span<const ChainQuote> chain, double discount) noexcept {
  ForwardResult out;
  if (!std::isfinite(discount) || !(discount > 0)) return out;
  if (out.status = check(chain); out.status != ChainStatus::kOk) return out;
  const std::size_t i = atm_index(chain);
  if (i == chain.size()) {
    out.status = ChainStatus::kNoTwoSidedStrike;
    return out;
  }
  out.atm_index = i;
  out.atm_strike = chain[i].strike;
  out.discount = discount;
  out.forward = chain[i].strike + parity_gap(chain[i]) / discount;
  return out;
}

ForwardResult implied_forward_and_discount(std::span<const ChainQuote> chain) noexcept {
  ForwardResult out;
  if (out.status = check(chain); out.status != ChainStatus::kOk) return out;
  const std::size_t atm = atm_index(chain);
  if (atm == chain.size()) {
    out.status = ChainStatus::kNoTwoSidedStrike;
    return out;
  }
  // Least squares of y = C - P on K, centred on K* for conditioning.
  const double k_star = chain[atm].strike;
  double n = 0, sk = 0, sy = 0, skk = 0, sky = 0;
  const auto add = [&](const ChainQuote& q) {
    const double k = q.strike - k_star;
    const double y = parity_gap(q);
    n += 1;
    sk += k;
    sy += y;
    skk += k * k;
    sky += k * y;
  };
  add(chain[atm]);
  int below = 0, above = 0;
  for (std::size_t i = atm; i-- > 0 && below < kParityFitHalfWidth;) {
    if (two_sided(chain[i])) {
      add(chain[i]);
      ++below;
    }
  }
  for (std::size_t i = atm + 1; i < chain.size() && above < kParityFitHalfWidth; ++i) {
    if (two_sided(chain[i])) {
      add(chain[i]);
      ++above;
    }
  }
  const double var = n * skk - sk * sk;
  const double slope = var > 0 ? (n * sky - sk * sy) / var : 0.0;
  out.fit_strikes = below + above + 1;
  if (out.fit_strikes < 2 || !(-slope > 0) || !std::isfinite(slope)) {
    out.status = ChainStatus::kBadFit;
    return out;
  }
  out.status = ChainStatus::kOk;
  out.atm_index = atm;
  out.atm_strike = k_star;
  out.discount = -slope;
  out.forward = k_star + parity_gap(chain[atm]) / out.discount;
  return out;
}

VarianceSwapResult variance_swap_rate(std::span<const ChainQuote> chain, double t, double r,
                                      QuoteSide side) noexcept {
  VarianceSwapResult out;
  if (!std::isfinite(t) || !(t > 0) || !std::isfinite(r)) return out;
  const double growth = std::exp(r * t);
  const ForwardResult fwd = implied_forward(chain, 1.0 / growth);
  if (!fwd.ok()) {
    out.status = fwd.status;
    return out;
  }
  out.forward = fwd.forward;
  // K0: the first strike at or below F.
  std::size_t k0 = chain.size();
  for (std::size_t i = 0; i < chain.size() && chain[i].strike <= fwd.forward; ++i) k0 = i;
  if (k0 == chain.size() || !two_sided(chain[k0])) {
    out.status = ChainStatus::kNoStrikes;
    return out;
  }
  out.k0 = chain[k0].strike;

  // Walk away from K0; two consecutive zero (or missing) bids end each side.
  std::size_t put_lo = k0;
  for (std::size_t i = k0, zeros = 0; i-- > 0;) {
    if (chain[i].put_bid > 0 && has_mid(chain[i].put_bid, chain[i].put_ask)) {
      zeros = 0;
      put_lo = i;
    } else if (++zeros == 2) {
      break;
    }
  }
  std::size_t call_hi = k0;
  for (std::size_t i = k0 + 1, zeros = 0; i < chain.size(); ++i) {
    if (chain[i].call_bid > 0 && has_mid(chain[i].call_bid, chain[i].call_ask)) {
      zeros = 0;
      call_hi = i;
    } else if (++zeros == 2) {
      break;
    }
  }
  const auto selected = [&](std::size_t i) {
    if (i == k0) return true;
    if (i < k0) return i >= put_lo && chain[i].put_bid > 0 && has_mid(chain[i].put_bid, chain[i].put_ask);
    return i <= call_hi && chain[i].call_bid > 0 && has_mid(chain[i].call_bid, chain[i].call_ask);
  };
  const auto next_selected = [&](std::size_t i) {
    for (std::size_t j = i + 1; j <= call_hi; ++j) {
      if (selected(j)) return j;
    }
    return chain.size();
  };

  double sum = 0;
  std::size_t prev = chain.size();
  std::size_t i = put_lo;
  if (!selected(i)) i = next_selected(i);
  out.lowest_strike = chain[i].strike;
  while (i < chain.size()) {
    const std::size_t next = next_selected(i);
    const double k = chain[i].strike;
    double dk = 0;
    if (prev == chain.size() && next == chain.size()) {
      dk = 0;  // a lone K0: nothing to integrate
    } else if (prev == chain.size()) {
      dk = chain[next].strike - k;
    } else if (next == chain.size()) {
      dk = k - chain[prev].strike;
    } else {
      dk = 0.5 * (chain[next].strike - chain[prev].strike);
    }
    double q = 0;
    if (i == k0) {
      q = 0.5 * (quote(chain[i].put_bid, chain[i].put_ask, side) + quote(chain[i].call_bid, chain[i].call_ask, side));
    } else if (i < k0) {
      q = quote(chain[i].put_bid, chain[i].put_ask, side);
      ++out.puts;
    } else {
      q = quote(chain[i].call_bid, chain[i].call_ask, side);
      ++out.calls;
    }
    sum += dk / (k * k) * growth * q;
    out.highest_strike = k;
    prev = i;
    i = next;
  }
  if (out.puts + out.calls == 0) {
    out.status = ChainStatus::kNoStrikes;
    return out;
  }
  const double dev = fwd.forward / out.k0 - 1.0;
  out.adjustment = dev * dev / t;
  out.variance = 2.0 / t * sum - out.adjustment;
  out.volatility = out.variance > 0 ? std::sqrt(out.variance) : 0.0;
  out.status = ChainStatus::kOk;
  return out;
}

}  // namespace odte::options
