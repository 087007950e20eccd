#include "odte/daemon/core_services.hpp"

#include <grp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <spdlog/spdlog.h>

#include "odte/core/base/agent.hpp"
#include "odte/core/base/clock.hpp"
#include "odte/daemon/feed_threads.hpp"

namespace odte::daemon {

CoreServices::CoreServices(const Config& config, std::vector<std::string> strategy_names, SignalWatcher& signals,
                           SystemdNotifier& notify)
    : config_{config},
      names_{std::move(strategy_names)},
      signals_{signals},
      notify_{notify},
      snapshots_{std::make_unique<TripleBuffer<CoreSnapshot>>()},
      to_core_{std::make_unique<ControlRing>()},
      from_core_{std::make_unique<ControlReplyRing>()} {}

CoreServices::~CoreServices() { close(); }

namespace {
// The gid of group `name` from the system's group database (nullopt: no such group).
std::optional<gid_t> group_id(const std::string& name) {
  group g{};
  group* found = nullptr;
  std::vector<char> buf(16 * 1024);
  while (::getgrnam_r(name.c_str(), &g, buf.data(), buf.size(), &found) == ERANGE && buf.size() < (1u << 20)) {
    buf.resize(buf.size() * 2);
  }
  if (found == nullptr) return std::nullopt;
  return found->gr_gid;
}
}  // namespace

std::string CoreServices::open() {
  AdminConfig admin = config_.admin;
  std::optional<gid_t> group;
  if (!admin.socket_group.empty()) {
    group = group_id(admin.socket_group);
    if (!group) {
      return "admin.socket_group: no group named \"" + admin.socket_group +
             "\" on this host (the odte package creates odte-operators; groupadd one or fix the name)";
    }
    admin.allowed_gids.push_back(*group);
  }
  admin_ = std::make_unique<AdminServer>(admin, *snapshots_, *to_core_, *from_core_, names_);
  if (const auto ec = admin_->open()) return "admin socket " + config_.admin.socket + ": " + ec.message();
  // Connecting needs write access to the socket file: giving it to the operators' group is what
  // lets them in (and keeps everybody else out before SO_PEERCRED is even asked).
  if (group && ::chown(config_.admin.socket.c_str(), static_cast<uid_t>(-1), *group) != 0) {
    const int err = errno;
    return "admin.socket_group: cannot give the admin socket " + config_.admin.socket + " to group \"" +
           admin.socket_group + "\": " + std::strerror(err) + " (odted must be a member: SupplementaryGroups=" +
           admin.socket_group + " in the unit)";
  }
  if (config_.admin.metrics_port != 0) {
    if (const auto ec = admin_->open_metrics(config_.admin.metrics_port, config_.admin.metrics_bind)) {
      const bool v6 = config_.admin.metrics_bind.find(':') != std::string::npos;
      return "admin.metrics_port: cannot listen on " + (v6 ? "[" + config_.admin.metrics_bind + "]" : config_.admin.metrics_bind) +
             ":" + std::to_string(config_.admin.metrics_port) + ": " +
             ec.message() + (ec == std::errc::address_in_use ? " (another process serves that port)" : "");
    }
  }
  admin_thread_ = std::thread([this] {
    set_thread_name("odte-admin");
    while (!admin_stop_.load(std::memory_order_acquire)) admin_->do_work();
  });
  return {};
}

void CoreServices::close() {
  admin_stop_.store(true, std::memory_order_release);
  if (admin_thread_.joinable()) admin_thread_.join();
  if (admin_) admin_->close();
}

void CoreServices::publish(const Engine& engine, CoreState state, TimestampNs now) {
  CoreSnapshot& s = snapshots_->write_buffer();
  engine.fill_snapshot(s, now);
  if (feeds_ != nullptr) feeds_->fill_snapshot(s);
  if (journal_ != nullptr && gate_ != nullptr) {
    JournalSnapshot& j = s.journal;
    const AsyncJournalStats& js = journal_->stats();
    const CommandGateStats& gs = gate_->stats();
    j.attached = true;
    j.failed = journal_failed();
    j.queued = static_cast<std::uint32_t>(journal_->queued_approx());
    j.held_commands = static_cast<std::uint32_t>(gate_->held());
    j.appended = journal_->next_sequence() - 1;
    j.written = journal_->written_sequence();
    j.durable = journal_->durable_sequence();
    j.writes = js.writes.load(std::memory_order_relaxed);
    j.syncs = js.syncs.load(std::memory_order_relaxed);
    j.full_waits = js.full_waits.load(std::memory_order_relaxed);
    j.commands_sent = gs.sent;
    j.back_pressure = gs.held_full + gs.journal_full;
    j.broker_refused = gs.broker_refused;
    j.discarded = gs.discarded;
  }
  s.tick_to_order = tick_to_order_ != nullptr ? *tick_to_order_ : LatencyBuckets{};
  s.seq = ++snapshot_seq_;
  s.state = state;
  s.mode = static_cast<std::uint8_t>(config_.mode);
  s.lifecycle = lifecycle_;
  snapshots_->publish();
}

void CoreServices::publish_idle(TimestampNs now, CoreState state) {
  CoreSnapshot& s = snapshots_->write_buffer();
  s = CoreSnapshot{};
  s.published_ns = now;
  s.equity = config_.account_equity;
  s.limits = config_.risk;
  s.exits = config_.exits;
  if (feeds_ != nullptr) feeds_->fill_snapshot(s);
  s.seq = ++snapshot_seq_;
  s.state = state;
  s.mode = static_cast<std::uint8_t>(config_.mode);
  s.lifecycle = lifecycle_;
  snapshots_->publish();
}

void CoreServices::service_idle(TimestampNs now, CoreState state) {
  to_core_->drain([&](const ControlCommand& c) {
    ControlReply reply{};
    reply.request_id = c.request_id;
    reply.ok = false;
    const std::string why = std::string("no trading day is running (lifecycle ") +
                            std::string(to_string(lifecycle_.state)) + "): nothing changed";
    reply.set_message(why.c_str());
    publish_idle(now, state);
    spdlog::info("admin {}: {}", to_string(c.kind), reply.message);
    while (!from_core_->try_push(reply)) std::this_thread::yield();
  });
  if (signals_.take_reload()) spdlog::info("SIGHUP: no trading day is running; nothing reloaded");
}

void CoreServices::tick_idle(TimestampNs now, CoreState state) {
  const std::int64_t wall = MonotonicClock{}.now_ns();
  if (wall < next_publish_ns_) return;
  publish_idle(now, state);
  notify_.watchdog();
  next_publish_ns_ = wall + 50'000'000;
}

bool CoreServices::journal_failed() const noexcept {
  return (journal_ != nullptr && journal_->failed()) || (gate_ != nullptr && gate_->halted());
}

void CoreServices::service(Engine& engine, bool recovering, CoreState state, TimestampNs now) {
  // The snapshot is republished before the reply goes out, so a status read right after a change
  // already shows it.
  to_core_->drain([&](const ControlCommand& c) {
    ControlReply reply{};
    reply.request_id = c.request_id;
    if (recovering) {
      reply.ok = false;
      reply.set_message("recovering: re-running the journal; nothing changed, try again shortly");
    } else if (journal_failed()) {
      // Nothing can be journaled and the gate sends nothing: no command can take effect.
      reply.ok = false;
      reply.set_message("halted: the journal failed, nothing is journaled or sent; nothing changed");
    } else {
      reply = engine.on_control(c, now);
      publish(engine, state, now);
    }
    spdlog::info("admin {}: {}", to_string(c.kind), reply.message);
    while (!from_core_->try_push(reply)) std::this_thread::yield();
  });
  log_notes(engine);
  // Market data the guard rejected, by sample (at most one line per kind per second of market
  // time), through the async logger.
  engine.market_guard().drain_samples([&engine](const BadTickSample& b) {
    const InstrumentRegistry& reg = engine.instruments();
    const std::string_view sym = b.instrument < reg.size() ? reg.get(b.instrument).symbol_view() : std::string_view("?");
    spdlog::warn("market data rejected: {} ({} so far), {} {} at {} ns: price {} against {}, clock {} ns",
                 to_string(b.kind), b.count_at_sample, to_string(b.stream), sym, b.exchange_ns,
                 b.price.valid() ? b.price.to_string() : std::string("-"),
                 b.reference.valid() ? b.reference.to_string() : std::string("-"), b.clock_ns);
  });
  if (!recovering && signals_.take_reload()) {
    if (journal_failed()) {
      spdlog::error("SIGHUP: the journal failed, nothing can be journaled; limits unchanged");
      return;
    }
    try {
      const Config fresh = load_config(config_.source);
      ControlCommand c{};
      c.kind = ControlKind::kSetRiskLimits;
      c.limits = fresh.risk;
      c.exits = fresh.exits;
      spdlog::info("SIGHUP: {}", engine.on_control(c, now).message);
    } catch (const ConfigError& e) {
      spdlog::error("SIGHUP: config not reloaded, limits unchanged: {}", e.what());
    }
  }
}

void CoreServices::log_notes(const Engine& engine) {
  const std::vector<std::string>& notes = engine.notes();
  if (notes.size() < notes_logged_) notes_logged_ = 0;  // another engine (a test's second run)
  for (; notes_logged_ < notes.size(); ++notes_logged_) spdlog::info("note: {}", notes[notes_logged_]);
}

void CoreServices::tick(const Engine& engine, CoreState state, TimestampNs now) {
  const std::int64_t wall = MonotonicClock{}.now_ns();
  if (wall < next_publish_ns_) return;
  publish(engine, state, now);
  notify_.watchdog();
  next_publish_ns_ = wall + 50'000'000;
}

}  // namespace odte::daemon
