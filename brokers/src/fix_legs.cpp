#include "odte/brokers/fix_legs.hpp"

#include <algorithm>
#include <iterator>
#include <string>

namespace odte::brokers {

namespace {

constexpr int kLegTags[] = {FIX::FIELD::NoLegs,         FIX::FIELD::LegSymbol,       FIX::FIELD::LegCFICode,
                            FIX::FIELD::LegSecurityType, FIX::FIELD::LegMaturityDate, FIX::FIELD::LegStrikePrice,
                            FIX::FIELD::LegRatioQty,     FIX::FIELD::LegSide,         FIX::FIELD::LegPositionEffect,
                            FIX::FIELD::LegRefID};

void set_leg_fields(FIX::Group& g, const FixLeg& leg, int index, bool opening) {
  g.setField(FIX::FIELD::LegSymbol, std::string(fix_root(leg)));
  g.setField(FIX::FIELD::LegCFICode, leg.right == 'P' ? "OPXXXX" : "OCXXXX");
  g.setField(FIX::FIELD::LegSecurityType, "OPT");
  g.setField(FIX::FIELD::LegMaturityDate, std::to_string(leg.expiry_yyyymmdd));
  g.setField(FIX::FIELD::LegStrikePrice, fix_price(leg.strike));
  g.setField(FIX::FIELD::LegRatioQty, std::to_string(leg.ratio));
  g.setField(FIX::FIELD::LegSide, leg.side == Side::kBuy ? "1" : "2");
  g.setField(FIX::FIELD::LegPositionEffect, opening ? "O" : "C");
  g.setField(FIX::FIELD::LegRefID, std::to_string(index + 1));
}

template <typename Group>
void add_groups(FIX::Message& m, std::span<const FixLeg> legs, bool opening) {
  for (std::size_t i = 0; i < legs.size(); ++i) {
    Group g;
    set_leg_fields(g, legs[i], static_cast<int>(i), opening);
    m.addGroup(g);
  }
}

bool is_replace(const FIX::Message& m) { return m.getHeader().getField(FIX::FIELD::MsgType) == "AC"; }

}  // namespace

void add_legs(FIX::Message& m, std::span<const FixLeg> legs, bool opening) {
  if (is_replace(m)) {
    add_groups<FIX44::MultilegOrderCancelReplace::NoLegs>(m, legs, opening);
  } else {
    add_groups<FIX44::NewOrderMultileg::NoLegs>(m, legs, opening);
  }
}

bool rebuild_legs(FIX::Message& m, std::span<const FixLeg> legs, bool opening) {
  const bool replace = is_replace(m);
  if (!replace && m.getHeader().getField(FIX::FIELD::MsgType) != "AB") return false;
  FIX::Message fresh = replace ? FIX::Message(FIX44::MultilegOrderCancelReplace()) : FIX::Message(FIX44::NewOrderMultileg());
  fresh.getHeader() = m.getHeader();
  fresh.getTrailer() = m.getTrailer();
  for (const FIX::FieldBase& f : m) {
    if (std::find(std::begin(kLegTags), std::end(kLegTags), f.getTag()) == std::end(kLegTags)) fresh.setField(f);
  }
  add_legs(fresh, legs, opening);
  m = fresh;
  return true;
}

}  // namespace odte::brokers
