#include "odte/feeds/event_json.hpp"

#include <cstdio>
#include <string_view>

namespace odte::feeds {

namespace {

void add_int(std::string& out, std::string_view key, long long v) {
  char buf[48];
  const int n = std::snprintf(buf, sizeof buf, ",\"%.*s\":%lld", static_cast<int>(key.size()), key.data(), v);
  out.append(buf, static_cast<std::size_t>(n));
}
void add_uint(std::string& out, std::string_view key, unsigned long long v) {
  char buf[48];
  const int n = std::snprintf(buf, sizeof buf, ",\"%.*s\":%llu", static_cast<int>(key.size()), key.data(), v);
  out.append(buf, static_cast<std::size_t>(n));
}
void add_price(std::string& out, std::string_view key, Price p) {
  out += ",\"";
  out += key;
  out += "\":";
  if (!p.valid()) {
    out += "null";
    return;
  }
  char buf[32];
  out.append(buf, p.format(buf, sizeof buf));
}
void add_string(std::string& out, std::string_view key, std::string_view v) {
  out += ",\"";
  out += key;
  out += "\":\"";
  for (const char c : v) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
}

// "cond": the condition codes as a list, in the feed's order; "cond_count" too when the feed sent
// more than the event keeps.
void add_conditions(std::string& out, const TradeBody& t) {
  out += ",\"cond\":[";
  const std::size_t kept = t.condition_count < kTradeConditions ? t.condition_count : kTradeConditions;
  for (std::size_t i = 0; i < kept; ++i) {
    if (i != 0) out += ',';
    out += std::to_string(t.conditions[i]);
  }
  out += ']';
  if (t.condition_count > kTradeConditions) add_uint(out, "cond_count", t.condition_count);
}

}  // namespace

void append_event_json(std::string& out, const MarketEvent& e, const InstrumentRegistry& registry) {
  out += "{\"kind\":\"";
  out += to_string(e.kind());
  out += '"';
  add_string(out, "stream", to_string(e.header.stream));
  add_int(out, "recv_ns", e.header.receive_ns);
  if (e.kind() != EventKind::kStatus) {
    add_string(out, "sym", e.header.instrument < registry.size()
                               ? registry.get(e.header.instrument).symbol_view()
                               : std::string_view("?"));
    add_int(out, "t_ns", e.header.exchange_ns);
  }
  switch (e.kind()) {
    case EventKind::kTrade:
      add_price(out, "price", e.trade.price);
      add_uint(out, "size", e.trade.size);
      add_conditions(out, e.trade);
      add_uint(out, "x", e.trade.exchange);
      add_uint(out, "seq", e.trade.sequence);
      break;
    case EventKind::kQuote:
      add_price(out, "bid", e.quote.bid);
      add_uint(out, "bid_size", e.quote.bid_size);
      add_price(out, "ask", e.quote.ask);
      add_uint(out, "ask_size", e.quote.ask_size);
      add_uint(out, "bx", e.quote.bid_exchange);
      add_uint(out, "ax", e.quote.ask_exchange);
      add_uint(out, "seq", e.quote.sequence);
      break;
    case EventKind::kBar:
      add_string(out, "interval", e.bar_interval() == BarInterval::kMinute ? "minute" : "second");
      add_price(out, "open", e.bar.open);
      add_price(out, "high", e.bar.high);
      add_price(out, "low", e.bar.low);
      add_price(out, "close", e.bar.close);
      add_uint(out, "volume", e.bar.volume);
      break;
    case EventKind::kIndexValue:
      add_price(out, "value", e.index.value);
      break;
    case EventKind::kStatus:
      add_string(out, "status", to_string(e.status.code));
      add_string(out, "message", std::string_view(e.status.message));
      break;
  }
  out += '}';
}

}  // namespace odte::feeds
