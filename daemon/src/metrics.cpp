#include "odte/daemon/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <initializer_list>

#include "odte/core/base/version.hpp"
#include "odte/feeds/parser.hpp"

namespace odte::daemon {

namespace {

class Writer {
 public:
  void family(const char* name, const char* type, const char* help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  struct Label {
    const char* name;
    std::string_view value;
  };
  void sample(const char* name, double value, const char* label = nullptr, std::string_view label_value = {}) {
    if (label == nullptr) return sample(name, value, {});
    sample(name, value, {Label{label, label_value}});
  }
  void sample(const char* name, double value, std::initializer_list<Label> labels) {
    out_ += name;
    if (labels.size() != 0) {
      out_ += '{';
      bool first = true;
      for (const Label& l : labels) {
        if (!first) out_ += ',';
        first = false;
        out_ += l.name;
        out_ += "=\"";
        for (const char c : l.value) {
          if (c == '"' || c == '\\') out_ += '\\';
          if (c == '\n') {
            out_ += "\\n";
            continue;
          }
          out_ += c;
        }
        out_ += '"';
      }
      out_ += '}';
    }
    // Shortest text that reads back as the same double: 862.1, not 862.10000000000002.
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, value);
    out_ += ' ';
    out_.append(buf, res.ptr);
    out_ += '\n';
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

double d(std::uint64_t v) { return static_cast<double>(v); }
double dollars(Price p) { return p.valid() ? p.to_double() : 0.0; }

}  // namespace

std::string prometheus_text(const CoreSnapshot& s, const AdminStats& admin) {
  Writer w;
  w.family("odte_core_up", "gauge", "1 while the core publishes snapshots; state is in odte_core_state");
  w.sample("odte_core_up", 1);
  w.family("odte_core_state", "gauge", "core state: 1 starting, 2 reconciling, 3 running, 4 halted, 5 stopping");
  w.sample("odte_core_state", static_cast<double>(s.state));
  w.family("odte_build_info", "gauge", "1; the build's version and git commit as labels");
  w.sample("odte_build_info", 1, {{"version", version_text()}, {"revision", git_describe_text()}});
  w.family("odte_snapshots_total", "counter", "snapshots published by the core");
  w.sample("odte_snapshots_total", d(s.seq));
  w.family("odte_kill_switch", "gauge", "1 while the kill switch is on");
  w.sample("odte_kill_switch", s.killed ? 1 : 0);
  w.family("odte_paused", "gauge", "1 while opening orders are paused");
  w.sample("odte_paused", s.paused ? 1 : 0);
  w.family("odte_events_processed_total", "counter", "market events applied by the core");
  w.sample("odte_events_processed_total", d(s.events_processed));
  w.family("odte_intents_total", "counter", "strategy intents checked by the risk engine");
  w.sample("odte_intents_total", d(s.intents));
  w.family("odte_orders_sent_total", "counter", "order commands sent to the broker");
  w.sample("odte_orders_sent_total", d(s.orders_sent));
  w.family("odte_fills_total", "counter", "fills applied");
  w.sample("odte_fills_total", d(s.fills));
  w.family("odte_risk_rejections_total", "counter", "intents refused by the risk engine, by reason");
  for (std::size_t i = 1; i < static_cast<std::size_t>(RiskReason::kCount); ++i) {
    w.sample("odte_risk_rejections_total", d(s.rejections[i]), "reason", to_string(static_cast<RiskReason>(i)));
  }
  w.family("odte_pnl_dollars", "gauge", "day P&L in dollars by component");
  w.sample("odte_pnl_dollars", dollars(s.pnl.realized), "kind", "realized");
  w.sample("odte_pnl_dollars", dollars(s.pnl.unrealized), "kind", "unrealized");
  w.sample("odte_pnl_dollars", dollars(s.pnl.fees), "kind", "fees");
  w.sample("odte_pnl_dollars", dollars(s.pnl.net()), "kind", "net");
  w.family("odte_open_positions", "gauge", "positions with a non-zero quantity");
  w.sample("odte_open_positions", s.pnl.open_positions);
  w.family("odte_strategy_net_dollars", "gauge", "net P&L per strategy");
  for (std::uint32_t i = 0; i < s.strategy_count && i < kSnapshotStrategies; ++i) {
    w.sample("odte_strategy_net_dollars", dollars(s.strategies[i].pnl.net()), "strategy", s.strategies[i].name);
  }
  struct Feed {
    const char* name;
    const char* type;
    const char* help;
    double (*get)(const FeedSnapshot&);
  };
  static constexpr Feed kFeeds[] = {
      {"odte_feed_events_total", "counter", "events parsed per stream", [](const FeedSnapshot& f) { return d(f.events); }},
      {"odte_feed_ring_drops_total", "counter", "events dropped because the stream's ring was full",
       [](const FeedSnapshot& f) { return d(f.ring_drops); }},
      {"odte_feed_parse_errors_total", "counter", "malformed frames or events per stream",
       [](const FeedSnapshot& f) { return d(f.parse_errors); }},
      {"odte_feed_ring_depth", "gauge", "events waiting in the stream's ring",
       [](const FeedSnapshot& f) { return static_cast<double>(f.ring_depth); }},
      {"odte_feed_connected", "gauge", "1 while the stream's websocket is connected",
       [](const FeedSnapshot& f) { return f.connected ? 1.0 : 0.0; }},
      {"odte_feed_stale", "gauge", "1 while the stream is stale", [](const FeedSnapshot& f) { return f.stale ? 1.0 : 0.0; }},
  };
  for (const Feed& f : kFeeds) {
    w.family(f.name, f.type, f.help);
    for (int i = 0; i < kStreamCount; ++i) w.sample(f.name, f.get(s.feeds[i]), "stream", to_string(static_cast<StreamId>(i)));
  }
  w.family("odte_feed_bad_input_total", "counter", "bad input per stream and kind (docs/feeds.md)");
  for (int i = 0; i < kStreamCount; ++i) {
    for (std::size_t k = 0; k < kFeedErrorKinds; ++k) {
      w.sample("odte_feed_bad_input_total", d(s.feeds[i].errors_by_kind[k]),
               {{"stream", to_string(static_cast<StreamId>(i))}, {"kind", feeds::to_string(static_cast<feeds::ErrorKind>(k))}});
    }
  }
  w.family("odte_market_data_rejected_total", "counter",
           "market events the core's guard rejected, per stream and kind (docs/feeds.md)");
  for (int i = 0; i < kStreamCount; ++i) {
    for (std::size_t k = 0; k < kBadTickKinds; ++k) {
      w.sample("odte_market_data_rejected_total", d(s.feeds[i].rejected_by_kind[k]),
               {{"stream", to_string(static_cast<StreamId>(i))}, {"kind", to_string(static_cast<BadTick>(k))}});
    }
  }
  if (s.journal.attached) {
    const JournalSnapshot& j = s.journal;
    struct Row {
      const char* name;
      const char* type;
      const char* help;
      double value;
    };
    const Row rows[] = {
        {"odte_journal_failed", "gauge", "1 once the journal could not write: trading halted", j.failed ? 1.0 : 0.0},
        {"odte_journal_queued", "gauge", "records waiting for the journal thread", static_cast<double>(j.queued)},
        {"odte_journal_lag_records", "gauge", "records appended but not yet durable", d(j.appended - std::min(j.appended, j.durable))},
        {"odte_journal_writes_total", "counter", "write(2) batches of the journal thread", d(j.writes)},
        {"odte_journal_syncs_total", "counter", "fdatasync calls of the journal thread", d(j.syncs)},
        {"odte_journal_full_waits_total", "counter", "appends that found the journal ring full", d(j.full_waits)},
        {"odte_commands_held", "gauge", "journaled commands waiting for durability or the broker", static_cast<double>(j.held_commands)},
        {"odte_commands_sent_total", "counter", "commands handed to the broker once durable", d(j.commands_sent)},
        {"odte_commands_back_pressure_total", "counter", "times commands were left in the engine's ring (held queue or journal ring full)", d(j.back_pressure)},
        {"odte_commands_broker_refused_total", "counter", "submits the broker put off (kept and retried)", d(j.broker_refused)},
        {"odte_commands_discarded_total", "counter", "commands never sent because the journal failed", d(j.discarded)},
    };
    for (const Row& r : rows) {
      w.family(r.name, r.type, r.help);
      w.sample(r.name, r.value);
    }
  }
  {
    // Prometheus histogram: cumulative buckets, le in seconds, then +Inf, _sum and _count.
    const LatencyBuckets& h = s.tick_to_order;
    w.family("odte_tick_to_order_seconds", "histogram",
             "market data frame received to its order in the broker ring (replay over websocket)");
    std::uint64_t cumulative = 0;
    char le[32];
    for (std::size_t i = 0; i < LatencyBuckets::kBounds; ++i) {
      cumulative += h.counts[i];
      const auto res = std::to_chars(le, le + sizeof le, static_cast<double>(LatencyBuckets::kBoundNs[i]) / 1e9);
      w.sample("odte_tick_to_order_seconds_bucket", d(cumulative), {{"le", std::string_view(le, static_cast<std::size_t>(res.ptr - le))}});
    }
    w.sample("odte_tick_to_order_seconds_bucket", d(h.count), {{"le", "+Inf"}});
    w.sample("odte_tick_to_order_seconds_sum", static_cast<double>(h.sum_ns) / 1e9);
    w.sample("odte_tick_to_order_seconds_count", d(h.count));
  }
  w.family("odte_admin_requests_total", "counter", "admin socket requests");
  w.sample("odte_admin_requests_total", d(admin.requests));
  w.family("odte_admin_errors_total", "counter", "admin requests refused (malformed, unknown, invalid)");
  w.sample("odte_admin_errors_total", d(admin.errors));
  w.family("odte_admin_denied_total", "counter", "admin connections refused by the peer credential check");
  w.sample("odte_admin_denied_total", d(admin.denied));
  w.family("odte_admin_dropped_total", "counter",
           "admin connections the daemon closed: over admin.max_connections, a request line over 64 KiB, replies not read");
  w.sample("odte_admin_dropped_total", d(admin.refused), "reason", "max_connections");
  w.sample("odte_admin_dropped_total", d(admin.overlong), "reason", "line_too_long");
  w.sample("odte_admin_dropped_total", d(admin.slow_readers), "reason", "slow_reader");
  return w.take();
}

}  // namespace odte::daemon
