#include "odte/brokers/fix_legs.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <string>

namespace odte::brokers {

namespace {

std::string price_field(Price p) {
  std::array<char, 32> buf{};
  const std::size_t n = p.format(buf.data(), buf.size());
  return std::string(buf.data(), n);
}

constexpr int kLegTags[] = {FIX::FIELD::NoLegs,         FIX::FIELD::LegSymbol,       FIX::FIELD::LegCFICode,
                            FIX::FIELD::LegSecurityType, FIX::FIELD::LegMaturityDate, FIX::FIELD::LegStrikePrice,
                            FIX::FIELD::LegRatioQty,     FIX::FIELD::LegSide,         FIX::FIELD::LegPositionEffect,
                            FIX::FIELD::LegRefID};

template <typename Group>
void add_legs(FIX::Message& m, std::span<const FixLeg> legs, bool opening) {
  for (std::size_t i = 0; i < legs.size(); ++i) {
    Group g;
    set_leg_fields(g, legs[i], static_cast<int>(i), opening);
    m.addGroup(g);
  }
}

}  // namespace

void set_leg_fields(FIX::Group& g, const FixLeg& leg, int index, bool opening) {
  g.setField(FIX::FIELD::LegSymbol, std::string(fix_root(leg)));
  g.setField(FIX::FIELD::LegCFICode, leg.right == 'P' ? "OPXXXX" : "OCXXXX");
  g.setField(FIX::FIELD::LegSecurityType, "OPT");
  g.setField(FIX::FIELD::LegMaturityDate, std::to_string(leg.expiry_yyyymmdd));
  g.setField(FIX::FIELD::LegStrikePrice, price_field(leg.strike));
  g.setField(FIX::FIELD::LegRatioQty, std::to_string(leg.ratio));
  g.setField(FIX::FIELD::LegSide, leg.side == Side::kBuy ? "1" : "2");
  g.setField(FIX::FIELD::LegPositionEffect, opening ? "O" : "C");
  g.setField(FIX::FIELD::LegRefID, std::to_string(index + 1));
}

bool rebuild_legs(FIX::Message& m, std::span<const FixLeg> legs, bool opening) {
  const std::string type = m.getHeader().getField(FIX::FIELD::MsgType);
  const bool replace = type == "AC";
  if (!replace && type != "AB") return false;
  FIX::Message fresh = replace ? FIX::Message(FIX44::MultilegOrderCancelReplace()) : FIX::Message(FIX44::NewOrderMultileg());
  fresh.getHeader() = m.getHeader();
  fresh.getTrailer() = m.getTrailer();
  for (const FIX::FieldBase& f : m) {
    if (std::find(std::begin(kLegTags), std::end(kLegTags), f.getTag()) == std::end(kLegTags)) fresh.setField(f);
  }
  if (replace) {
    add_legs<FIX44::MultilegOrderCancelReplace::NoLegs>(fresh, legs, opening);
  } else {
    add_legs<FIX44::NewOrderMultileg::NoLegs>(fresh, legs, opening);
  }
  m = fresh;
  return true;
}

}  // namespace odte::brokers
