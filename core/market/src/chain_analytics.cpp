#include "odte/core/market/chain_analytics.hpp"

#include <cmath>

#include "odte/core/options/calendar.hpp"

namespace odte {

namespace {

// Mid in dollars of a quote good enough to solve for a volatility: two-sided with a real bid
// (a zero bid says nothing about the value below the ask).
bool usable_mid(const Nbbo* q, double& mid) noexcept {
  if (q == nullptr || !q->two_sided() || q->bid.ticks() <= 0) return false;
  mid = 0.5 * (q->bid.to_double() + q->ask.to_double());
  return true;
}

}  // namespace

ChainAnalytics::ChainAnalytics(std::string_view root, std::int32_t expiry_yyyymmdd, InstrumentId underlying,
                               std::int64_t settle_ns, double rate, double dividend)
    : chain_{root, expiry_yyyymmdd}, underlying_{underlying}, settle_ns_{settle_ns}, rate_{rate}, dividend_{dividend} {}

void ChainAnalytics::update(const MarketState& market, const InstrumentRegistry& registry, TimestampNs now) {
  market_ = &market;
  if (chain_.refresh(registry)) {
    quotes_.reserve(chain_.strikes().size());
    computed_at_ = -1;  // strike pointers moved
  }
  if (now == computed_at_) return;
  computed_at_ = now;
  const Price s = market.reference_price(underlying_);
  spot_ = s.valid() ? s.to_double() : 0.0;
  t_ = options::year_fraction(now, settle_ns_);
  atm_ = nullptr;
  atm_iv_ = 0.0;
  atm_iv_stale_ = false;
  if (!ready()) return;
  atm_ = chain_.nearest(Price::from_double(spot_));
  atm_iv_stale_ = atm_ != nullptr;
}

double ChainAnalytics::atm_iv() const noexcept {
  if (atm_iv_stale_) {
    atm_iv_stale_ = false;
    const ContractAnalytics c = contract(*atm_, OptionRight::kCall);
    const ContractAnalytics p = contract(*atm_, OptionRight::kPut);
    atm_iv_ = c.ok && p.ok ? 0.5 * (c.iv + p.iv) : c.ok ? c.iv : p.ok ? p.iv : 0.0;
  }
  return atm_iv_;
}

ContractAnalytics ChainAnalytics::contract(InstrumentId id, OptionRight right, Price strike) const noexcept {
  ContractAnalytics out;
  if (market_ == nullptr || id == kNoInstrument || !ready()) return out;
  if (!usable_mid(market_->nbbo(id), out.mid)) return out;
  options::BsmInput in{right, spot_, strike.to_double(), t_, rate_, dividend_, 0.0};
  const options::IvResult iv = options::implied_vol(in, out.mid);
  out.status = iv.status;
  if (!iv.ok()) return out;
  out.ok = true;
  out.iv = iv.iv;
  in.sigma = iv.iv;
  out.greeks = options::bsm_greeks(in);
  return out;
}

const OptionChain::Strike* ChainAnalytics::by_delta(OptionRight right, double abs_delta) const noexcept {
  if (!ready()) return nullptr;
  const OptionChain::Strike* best = nullptr;
  double best_gap = 0.0;
  const bool call = right == OptionRight::kCall;
  for (const OptionChain::Strike& s : chain_.strikes()) {
    const double k = s.strike.to_double();
    if (call ? k < spot_ : k > spot_) continue;
    const ContractAnalytics a = contract(s, right);
    if (!a.ok) continue;
    const double gap = std::fabs(std::fabs(a.greeks.delta) - abs_delta);
    // Strictly closer wins; on a tie the further OTM strike (calls: later in the ascending scan).
    if (best == nullptr || gap < best_gap || (gap == best_gap && call)) {
      best = &s;
      best_gap = gap;
    }
  }
  return best;
}

DayVarianceIndex ChainAnalytics::day_variance_index(options::QuoteSide side) const {
  DayVarianceIndex out;
  if (market_ == nullptr || !ready()) return out;
  quotes_.clear();
  for (const OptionChain::Strike& s : chain_.strikes()) {
    options::ChainQuote q{s.strike.to_double(), -1, -1, -1, -1};
    if (const Nbbo* c = market_->nbbo(s.call); c != nullptr && c->two_sided()) {
      q.call_bid = c->bid.to_double();
      q.call_ask = c->ask.to_double();
    }
    if (const Nbbo* p = market_->nbbo(s.put); p != nullptr && p->two_sided()) {
      q.put_bid = p->bid.to_double();
      q.put_ask = p->ask.to_double();
    }
    quotes_.push_back(q);
  }
  out.detail = options::variance_swap_rate(quotes_, t_, rate_, side);
  out.ok = out.detail.ok();
  out.value = out.ok ? 100.0 * out.detail.volatility : 0.0;
  return out;
}

void ChainAnalytics::sample_volume(const MarketState& market, int local_minute) noexcept {
  if (local_minute == volume_minute_) return;
  std::uint64_t chain = 0;
  for (const OptionChain::Strike& s : chain_.strikes()) {
    if (const InstrumentState* c = market.state(s.call); c != nullptr) chain += c->day_volume;
    if (const InstrumentState* p = market.state(s.put); p != nullptr) chain += p->day_volume;
  }
  const InstrumentState* u = market.state(underlying_);
  const std::uint64_t under = u != nullptr ? u->day_volume : 0;
  if (volume_minute_ >= 0) {
    // Volume since the previous sample belongs to the interval that began at that sample.
    const std::uint64_t dc = chain - chain_at_minute_;
    const std::uint64_t du = under - underlying_at_minute_;
    if (dc > chain_peak_.volume) chain_peak_ = VolumePeak{volume_minute_, dc};
    if (du > underlying_peak_.volume) underlying_peak_ = VolumePeak{volume_minute_, du};
  }
  volume_minute_ = local_minute;
  chain_cum_ = chain;
  chain_at_minute_ = chain;
  underlying_cum_ = under;
  underlying_at_minute_ = under;
}

std::uint64_t ChainAnalytics::strike_volume(const MarketState& market, Price strike) const noexcept {
  const OptionChain::Strike* s = chain_.at(strike);
  if (s == nullptr) return 0;
  std::uint64_t v = 0;
  if (const InstrumentState* c = market.state(s->call); c != nullptr) v += c->day_volume;
  if (const InstrumentState* p = market.state(s->put); p != nullptr) v += p->day_volume;
  return v;
}

}  // namespace odte
