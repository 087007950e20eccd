#include "odte/strategies/factory.hpp"

#include "odte/core/config/settings_reader.hpp"
#include "odte/strategies/iron_condor.hpp"
#include "odte/strategies/iv_spike_butterfly.hpp"
#include "odte/strategies/regime.hpp"
#include "odte/strategies/short_strangle.hpp"
#include "odte/strategies/vix1d_credit_spread.hpp"

namespace odte::strategies {

namespace {

std::string join(const std::vector<std::string>& problems) {
  std::string out = "invalid strategy parameters:";
  for (const auto& p : problems) out += "\n  " + p;
  return out;
}

// The strategy's exit rules ([strategy.params] profit_target, stop_credit_multiple, debit_stop,
// exit_time) over the defaults its constructor set from its seed; the engine enforces them
// (Strategy::exit_rules).
void read_exits(SettingsReader& r, Strategy& s, std::int16_t entry_minute) {
  ExitRules rules = s.exit_rules();
  ExitTime time = s.exit_time();
  r.number("profit_target", rules.profit_target_fraction, 0.0, 100.0);
  r.number("stop_credit_multiple", rules.stop_credit_multiple, 0.0, 100.0);
  r.number("debit_stop", rules.debit_stop_fraction, 0.0, 1.0);
  read_exit_time(r, "exit_time", time);
  if (time.set() && time.resolve(kRegularCloseMinute) <= entry_minute) r.problem("exit_time", "must be after entry_time");
  s.set_exits(rules, time);
}

std::unique_ptr<Strategy> make_regime(SettingsReader& r, std::uint16_t index) {
  RegimeParams p;
  r.string("underlying", p.underlying);
  r.string("option_root", p.option_root);
  r.string("vix", p.vix);
  r.string("vvix", p.vvix);
  r.integer("ema_period", p.ema_period, 2, 500);
  r.choice("regime_rule", p.rule, {{"price_vs_ema", RegimeRule::kPriceVsEma}, {"ema_slope", RegimeRule::kEmaSlope}});
  r.integer("min_bars", p.min_bars, 2, 500);
  r.time_of_day("entry_time", p.entry_minute);
  p.entry_deadline_minute = static_cast<std::int16_t>(p.entry_minute + 15);  // unless given
  r.time_of_day("entry_deadline", p.entry_deadline_minute);
  r.money("wing", p.wing, 0.5, 100.0);
  r.integer("quantity", p.quantity, 1, 1000);
  r.money("price_slack", p.price_slack, 0.0, 10.0);
  if (p.entry_deadline_minute <= p.entry_minute) r.problem("entry_deadline", "must be after entry_time");
  auto s = std::make_unique<RegimeStrategy>(index, p);
  read_exits(r, *s, p.entry_minute);
  return s;
}

std::unique_ptr<Strategy> make_iron_condor(SettingsReader& r, std::uint16_t index) {
  IronCondorParams p;
  r.string("underlying", p.underlying);
  r.string("option_root", p.option_root);
  r.string("trigger", p.trigger);
  r.number("short_sigma", p.short_sigma, 0.0, 20.0, true);
  r.number("long_sigma", p.long_sigma, 0.0, 20.0, true);
  r.number("short_otm", p.short_otm, 0.0, 0.5, true);
  r.number("long_otm", p.long_otm, 0.0, 0.5, true);
  r.number("trigger_sigmas", p.trigger_sigmas, 0.0, 10.0, true);
  r.integer("trigger_ma_days", p.trigger_ma_days, 2, 10);
  r.integer("trigger_lookback_days", p.trigger_lookback_days, 7, 60);
  r.choice("trigger_fallback", p.trigger_fallback_minute, {{"minute", true}, {"none", false}});
  r.time_of_day("entry_time", p.entry_minute);
  p.entry_deadline_minute = static_cast<std::int16_t>(p.entry_minute + 15);
  r.time_of_day("entry_deadline", p.entry_deadline_minute);
  r.integer("quantity", p.quantity, 1, 1000);
  r.money("price_slack", p.price_slack, 0.0, 10.0);
  r.boolean("fit_wings_to_risk", p.fit_wings_to_risk);
  if ((p.short_otm > 0.0) != (p.long_otm > 0.0)) r.problem("long_otm", "short_otm and long_otm go together");
  if (p.short_otm > 0.0 && p.long_otm <= p.short_otm) r.problem("long_otm", "must be further out than short_otm");
  if (p.long_sigma <= p.short_sigma) r.problem("long_sigma", "must be further out than short_sigma");
  if (p.entry_deadline_minute <= p.entry_minute) r.problem("entry_deadline", "must be after entry_time");
  auto s = std::make_unique<IronCondorStrategy>(index, p);
  read_exits(r, *s, p.entry_minute);
  return s;
}

std::unique_ptr<Strategy> make_iv_spike_butterfly(SettingsReader& r, std::uint16_t index) {
  IvSpikeButterflyParams p;
  r.string("underlying", p.underlying);
  r.string("option_root", p.option_root);
  r.number("wing_fraction", p.wing_fraction, 0.0, 0.5, true);
  r.money("wing", p.wing, 0.5, 1000.0);
  r.choice("entry_mode", p.entry_mode, {{"time", ButterflyEntry::kTime}, {"iv_spike", ButterflyEntry::kIvSpike}});
  r.time_of_day("entry_time", p.entry_minute);
  p.entry_deadline_minute = static_cast<std::int16_t>(p.entry_minute + 45);  // unless given
  r.time_of_day("entry_deadline", p.entry_deadline_minute);
  r.number("iv_spike_z", p.iv_spike_z, 0.0, 20.0);
  r.number("iv_spike_pct", p.iv_spike_pct, 0.0, 10.0);
  r.number("iv_spike_min_rise", p.iv_spike_min_rise, 0.0, 100.0);
  r.integer("iv_sample_minutes", p.iv_sample_minutes, 1, 60);
  r.boolean("exit_on_iv_spike", p.exit_on_iv_spike);
  r.boolean("exit_on_volume_peak", p.exit_on_volume_peak);
  r.integer("volume_peak_confirm_minutes", p.volume_peak_confirm_minutes, 1, 390);
  r.time_of_day("volume_exit_after", p.volume_exit_after_minute);
  r.integer("quantity", p.quantity, 0, 1000);
  r.number("risk_fraction", p.risk_fraction, 0.0, 0.05, true);
  r.money("price_slack", p.price_slack, 0.0, 10.0);
  r.number("rate", p.rate, -0.1, 0.5);
  if ((p.entry_mode == ButterflyEntry::kIvSpike || p.exit_on_iv_spike) && p.iv_spike_z <= 0.0 && p.iv_spike_pct <= 0.0) {
    r.problem("iv_spike_z", "entry_mode = \"iv_spike\" and exit_on_iv_spike need iv_spike_z or iv_spike_pct above 0");
  }
  if (p.entry_deadline_minute <= p.entry_minute) r.problem("entry_deadline", "must be after entry_time");
  auto s = std::make_unique<IvSpikeButterflyStrategy>(index, p);
  read_exits(r, *s, p.entry_minute);
  return s;
}

std::unique_ptr<Strategy> make_vix1d_credit_spread(SettingsReader& r, std::uint16_t index) {
  Vix1dCreditSpreadParams p;
  r.string("underlying", p.underlying);
  r.string("option_root", p.option_root);
  r.string("vix1d", p.vix1d);
  r.choice("vix1d_source", p.vix1d_source,
           {{"auto", Vix1dSource::kAuto},
            {"prior_close", Vix1dSource::kPriorClose},
            {"feed", Vix1dSource::kFeed},
            {"chain", Vix1dSource::kChain}});
  r.number("vix1d_prior_close", p.vix1d_prior_close, 0.0, 500.0);
  r.choice("direction", p.direction,
           {{"trend", SpreadDirection::kTrend}, {"put", SpreadDirection::kPut}, {"call", SpreadDirection::kCall}});
  r.number("em_multiple", p.em_multiple, 0.0, 10.0, true);
  r.money("width", p.width, 0.5, 100.0);
  r.money("min_credit", p.min_credit, 0.0, 100.0);
  r.time_of_day("entry_time", p.entry_minute);
  p.entry_deadline_minute = static_cast<std::int16_t>(p.entry_minute + 45);
  r.time_of_day("entry_deadline", p.entry_deadline_minute);
  r.integer("quantity", p.quantity, 1, 1000);
  r.money("price_slack", p.price_slack, 0.0, 10.0);
  r.number("rate", p.rate, -0.1, 0.5);
  if (p.entry_deadline_minute <= p.entry_minute) r.problem("entry_deadline", "must be after entry_time");
  auto s = std::make_unique<Vix1dCreditSpreadStrategy>(index, p);
  read_exits(r, *s, p.entry_minute);
  return s;
}

std::unique_ptr<Strategy> make_short_strangle(SettingsReader& r, std::uint16_t index) {
  ShortStrangleParams p;
  r.string("underlying", p.underlying);
  r.string("option_root", p.option_root);
  r.number("target_delta", p.target_delta, 0.0, 0.6, true);
  r.choice("legs", p.legs, {{"both", StrangleLegs::kBoth}, {"put", StrangleLegs::kPut}, {"call", StrangleLegs::kCall}});
  r.number("premium_per_day", p.premium_per_day, 0.0, 10.0, true);
  r.number("equity_per_share", p.equity_per_share, 0.0, 1e9, true);
  r.integer("max_quantity", p.max_quantity, 1, 1000);
  r.time_of_day("entry_time", p.entry_minute);
  p.entry_deadline_minute = static_cast<std::int16_t>(p.entry_minute + 45);
  r.time_of_day("entry_deadline", p.entry_deadline_minute);
  r.choice("hedge", p.hedge, {{"off", HedgeMode::kOff}, {"report", HedgeMode::kReport}, {"send", HedgeMode::kSend}});
  r.number("hedge_band_shares", p.hedge_band_shares, 0.0, 1e6);
  r.integer("hedge_interval_minutes", p.hedge_interval_minutes, 1, 390);
  r.money("price_slack", p.price_slack, 0.0, 10.0);
  r.number("rate", p.rate, -0.1, 0.5);
  if (p.entry_deadline_minute <= p.entry_minute) r.problem("entry_deadline", "must be after entry_time");
  auto s = std::make_unique<ShortStrangleStrategy>(index, p);
  read_exits(r, *s, p.entry_minute);
  return s;
}

// `entry_expires`, for every strategy: when its working entry orders are cancelled -- "deadline"
// (the default: its entry_deadline), "day" (they rest until filled or the session ends) or a time.
void read_entry_expiry(SettingsReader& r, Strategy& strategy) {
  const toml::node* n = r.node("entry_expires");
  if (n == nullptr) return;
  const auto* text = n->as_string();
  if (text != nullptr && text->get() == "deadline") return;
  if (text != nullptr && text->get() == "day") {
    strategy.set_entry_expiry_minute(-1);
    return;
  }
  std::int16_t minute = -1;
  if (text == nullptr || !SettingsReader::parse_hhmm(text->get(), minute)) {
    r.problem("entry_expires",
              "must be \"deadline\" (the default: cancel a working entry at entry_deadline), \"day\" (it rests "
              "until filled or the session ends) or a time \"HH:MM\" (exchange local time)");
    return;
  }
  strategy.set_entry_expiry_minute(minute);
}

struct Entry {
  std::string_view name;
  std::unique_ptr<Strategy> (*make)(SettingsReader&, std::uint16_t);
};
constexpr Entry kStrategies[] = {
    {"iron_condor", &make_iron_condor},
    {"iv_spike_butterfly", &make_iv_spike_butterfly},
    {"regime", &make_regime},
    {"short_strangle", &make_short_strangle},
    {"vix1d_credit_spread", &make_vix1d_credit_spread},
};

}  // namespace

void read_exit_time(SettingsReader& r, std::string_view key, ExitTime& out) {
  const toml::node* n = r.node(key);
  if (n == nullptr) return;
  const auto* s = n->as_string();
  ExitTime t;
  if (s == nullptr || !parse_exit_time(s->get(), t)) {
    r.problem(key, "must be a time \"HH:MM\" (New York), \"close-Nm\" (N minutes before the day's close, 1..390) "
                   "or \"none\"");
    return;
  }
  if (!t.before_close && t.set() && t.minute >= kRegularCloseMinute) {
    r.problem(key, "\"" + s->get() + "\" is at or after the session close (16:00): nothing can be closed then; "
                   "use a time before the close, or \"none\" to hold to settlement");
    return;
  }
  out = t;
}

StrategyConfigError::StrategyConfigError(std::vector<std::string> problems)
    : std::runtime_error(join(problems)), problems_{std::move(problems)} {}

std::vector<std::string_view> strategy_names() {
  std::vector<std::string_view> names;
  for (const Entry& e : kStrategies) names.push_back(e.name);
  return names;
}

std::unique_ptr<Strategy> make_strategy(std::string_view name, std::string_view params_toml, std::uint16_t index,
                                        const std::string& source) {
  const Entry* entry = nullptr;
  for (const Entry& e : kStrategies) {
    if (e.name == name) entry = &e;
  }
  const std::string where = "strategy \"" + std::string(name) + "\".params";
  if (entry == nullptr) {
    std::string known;
    for (const Entry& e : kStrategies) known += (known.empty() ? "\"" : ", \"") + std::string(e.name) + "\"";
    throw StrategyConfigError({source + ": strategy name \"" + std::string(name) + "\" is not known; known: " + known});
  }
  toml::table params;
  try {
    params = toml::parse(params_toml, source);
  } catch (const toml::parse_error& e) {
    throw StrategyConfigError({source + ": " + where + ": " + std::string(e.description())});
  }
  std::vector<std::string> problems;
  SettingsReader r(&params, where, problems, source);
  auto strategy = entry->make(r, index);
  read_entry_expiry(r, *strategy);
  r.finish();
  if (!problems.empty()) throw StrategyConfigError(std::move(problems));
  return strategy;
}

}  // namespace odte::strategies
