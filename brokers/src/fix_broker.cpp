#include "odte/brokers/fix_broker.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string_view>
#include <thread>

#include <spdlog/spdlog.h>

#include "odte/brokers/fix_fields.hpp"
#include "odte/brokers/fix_legs.hpp"
#include "odte/brokers/quickfix.hpp"
#include "odte/core/base/agent.hpp"
#include "odte/core/base/clock.hpp"
#include "odte/core/base/spsc_ring.hpp"
#include "odte/core/engine/tick_table.hpp"

namespace odte::brokers {

namespace {

constexpr std::size_t kCommandRing = 1024;
constexpr std::size_t kReportRing = 4096;
constexpr std::size_t kLocalRejects = 256;
// Requests (new, cancel, replace) the adapter remembers per store: a day's worth at the order
// manager's default limit, twice over for open addressing.
constexpr std::size_t kTableSlots = 32768;
constexpr std::uint32_t kOrderFileMagic = 0x4f44464f;  // "OFDO"
constexpr std::uint32_t kOrderFileVersion = 1;
// LocateBroker: not in FIX 4.4's standard range, but the tag US brokers read with 54=5 and 114=N.
constexpr int kFixTagLocateBroker = 5700;

using CommandRing = SpscRing<FixOrderMessage, kCommandRing>;
using ReportRing = SpscRing<ExecutionReport, kReportRing>;

struct OrderFileRecord {
  std::uint32_t magic;
  std::uint32_t version;
  FixOrderMessage message;
};

// What the adapter knows about one request it sent: the legs (to name the leg of a leg-level
// fill) and, for reconciliation, the new-order id it belongs to.
struct TrackedRequest {
  ClientOrderId id;          // 0 = empty slot
  ClientOrderId root;        // the kNew request of this order chain
  std::uint64_t sent_after;  // status request counter when it was sent
  std::uint64_t seen_in;     // last status answer that mentioned the chain (root entry only)
  std::uint32_t quantity;
  CommandKind kind;
  std::uint8_t leg_count;
  bool any_report;           // root entry: the venue has said something about the chain
  bool opening;              // LegPositionEffect O (else C), to rebuild the legs of a resend
  FixLeg legs[kMaxLegs];
};

void copy_text(char* dst, std::size_t size, std::string_view src) noexcept {
  const std::size_t n = src.size() < size - 1 ? src.size() : size - 1;
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

std::uint64_t broker_id_of(std::string_view text) noexcept {
  if (const auto v = parse_fix_int(text); v && *v > 0) return static_cast<std::uint64_t>(*v);
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a: a stable number for non-numeric OrderIDs
  for (const char c : text) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

std::optional<std::string_view> field(const FIX::FieldMap& m, int tag) {
  if (!m.isSetField(tag)) return std::nullopt;
  return std::string_view(m.getField(tag));
}

}  // namespace

class FixBroker::Impl final : public FIX::Application {
 public:
  Impl(const FixSettings& s, const InstrumentRegistry& registry)
      : settings_{s},
        registry_{registry},
        commands_{std::make_unique<CommandRing>()},
        reports_{std::make_unique<ReportRing>()},
        table_{std::make_unique<TrackedRequest[]>(kTableSlots)},
        nonce_{static_cast<std::uint64_t>(WallClock{}.now_ns() / 1'000'000)} {
    std::memset(static_cast<void*>(table_.get()), 0, sizeof(TrackedRequest) * kTableSlots);
    validate();
  }

  ~Impl() override { stop(); }

  // ---------------------------------------------------------------- lifecycle (owner thread)

  void start() {
    if (started_) return;
    std::error_code ec;
    std::filesystem::create_directories(settings_.store_dir, ec);
    if (ec) throw FixConfigError("fix.store_dir: cannot create " + settings_.store_dir + ": " + ec.message());
    if (!settings_.log_dir.empty()) {
      std::filesystem::create_directories(settings_.log_dir, ec);
      if (ec) throw FixConfigError("fix.log_dir: cannot create " + settings_.log_dir + ": " + ec.message());
    }
    load_order_file();
    const std::string path = (std::filesystem::path(settings_.store_dir) / "odte-orders.bin").string();
    order_fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (order_fd_ < 0) throw FixConfigError("fix.store_dir: cannot open " + path + ": " + std::strerror(errno));

    try {
      build_settings();
      store_factory_ = std::make_unique<FIX::FileStoreFactory>(settings_.store_dir);
      if (!settings_.log_dir.empty()) {
        log_factory_ = std::make_unique<FIX::FileLogFactory>(settings_.log_dir);
      }
      make_initiator();
    } catch (const FIX::Exception& e) {
      throw FixConfigError(std::string("fix: QuickFIX refused the session: ") + e.what());
    }
    down_since_ = std::chrono::steady_clock::now();
    agent_ = std::make_unique<SenderAgent>(*this);
    runner_ = std::make_unique<AgentRunner<SenderAgent, BackoffIdle<100, 50, 1, 200>>>(*agent_);
    runner_->start("odte-fix");
    started_ = true;
    spdlog::info("fix: initiator {} -> {} at {}:{}, store {}", settings_.sender_comp_id, settings_.target_comp_id,
                 settings_.host, settings_.port, settings_.store_dir);
  }

  void stop() noexcept {
    if (!started_) return;
    started_ = false;
    if (runner_) runner_->stop_and_join();
    try {
      if (initiator_) {
        // Log out politely but never wait long: a dead venue must not hold up shutdown.
        for (const FIX::SessionID& id : initiator_->getSessions()) {
          if (FIX::Session* s = FIX::Session::lookupSession(id)) s->logout("odte stopping");
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (initiator_->isLoggedOn() && std::chrono::steady_clock::now() < deadline) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        initiator_->stop(true);
      }
    } catch (...) {
    }
    link_.store(static_cast<std::uint8_t>(BrokerLinkState::kDown), std::memory_order_release);
    if (order_fd_ >= 0) ::close(order_fd_);
    order_fd_ = -1;
  }

  // Owner thread at start, then only the broker thread (restart_initiator), never both at once.
  void make_initiator() {
    if (settings_.use_tls) {
      initiator_ = log_factory_ ? std::unique_ptr<FIX::Initiator>(std::make_unique<FIX::ThreadedSSLSocketInitiator>(
                                      *this, *store_factory_, qf_settings_, *log_factory_))
                                : std::make_unique<FIX::ThreadedSSLSocketInitiator>(*this, *store_factory_, qf_settings_);
    } else {
      initiator_ = log_factory_ ? std::unique_ptr<FIX::Initiator>(std::make_unique<FIX::ThreadedSocketInitiator>(
                                      *this, *store_factory_, qf_settings_, *log_factory_))
                                : std::make_unique<FIX::ThreadedSocketInitiator>(*this, *store_factory_, qf_settings_);
    }
    initiator_->start();
  }

  // Debian's QuickFIX 1.15.1 initiators do not always reconnect a session the venue dropped after
  // logon (observed on loopback: no further connect attempt). The broker thread therefore
  // rebuilds the initiator when the link has been down for a few reconnect intervals; the
  // FileStore keeps sequence numbers and sent messages, so this is the same session resumed.
  void supervise() {
    if (link() != BrokerLinkState::kDown) return;
    const auto now = std::chrono::steady_clock::now();
    const auto grace = std::chrono::seconds(2 * settings_.reconnect_s + 1);
    if (now - down_since_.load(std::memory_order_acquire) < grace) return;
    down_since_.store(now, std::memory_order_release);
    try {
      initiator_->stop(true);
      initiator_.reset();
      make_initiator();
      stats_.reconnects.fetch_add(1, std::memory_order_relaxed);
      spdlog::info("fix: link down for {}s; initiator restarted", 2 * settings_.reconnect_s + 1);
    } catch (const std::exception& e) {
      anomaly(std::string("initiator restart failed: ") + e.what());
    }
  }

  // ---------------------------------------------------------------- core thread

  bool submit(const OrderCommand& c, TimestampNs) noexcept {
    if (link() != BrokerLinkState::kUp) {
      stats_.refused_link_down.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    Refusal refusal{};
    const bool ok = commands_->try_emplace([&](FixOrderMessage& m) noexcept {
      std::memset(static_cast<void*>(&m), 0, sizeof m);
      m.kind = c.kind;
      m.quantity = c.quantity;
      m.id = c.id;
      m.orig_id = c.orig_id;
      m.limit = c.limit;
      m.created_ns = c.created_ns;
      m.opening = c.opening;
      m.short_sale = c.short_sale;
      if (c.id.valid()) (void)c.id.format(m.clordid, sizeof m.clordid);
      if (c.orig_id.valid()) (void)c.orig_id.format(m.orig_clordid, sizeof m.orig_clordid);
      if (c.kind == CommandKind::kCancelAll || c.kind == CommandKind::kStatusRequest) return;
      m.leg_count = c.leg_count;
      refusal = resolve(c, m);
      if (refusal.text != nullptr) m.kind = static_cast<CommandKind>(0);  // popped and dropped by the sender
    });
    if (!ok) {
      stats_.refused_ring_full.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    if (refusal.text != nullptr) {
      // Taken and answered: a command the venue could never understand is refused here, once.
      stats_.refused_bad_command.fetch_add(1, std::memory_order_relaxed);
      if (local_count_ < kLocalRejects) {
        ExecutionReport& r = local_[local_count_++];
        r = blank_report(c.kind == CommandKind::kNew ? ExecKind::kRejected : ExecKind::kCancelRejected, c.id,
                         c.created_ns);
        r.orig_id = c.orig_id;
        r.reason = refusal.reason;
        copy_text(r.text, sizeof r.text, refusal.text);
      }
    }
    return true;
  }

  int poll(ReportSink& sink) noexcept {
    int n = 0;
    for (std::size_t i = 0; i < local_count_; ++i, ++n) sink.on_report(local_[i]);
    local_count_ = 0;
    n += static_cast<int>(reports_->drain([&](const ExecutionReport& r) noexcept { sink.on_report(r); }));
    return n;
  }

  [[nodiscard]] BrokerLinkState link() const noexcept {
    return static_cast<BrokerLinkState>(link_.load(std::memory_order_acquire));
  }

  FixStats& stats() noexcept { return stats_; }

  std::string last_anomaly() const {
    std::lock_guard lock(anomaly_mutex_);
    return last_anomaly_;
  }

  // ---------------------------------------------------------------- QuickFIX callbacks

  void onCreate(const FIX::SessionID& id) override { session_id_ = id; }

  void onLogon(const FIX::SessionID&) override {
    stats_.logons.fetch_add(1, std::memory_order_relaxed);
    link_.store(static_cast<std::uint8_t>(BrokerLinkState::kConnecting), std::memory_order_release);
    reconcile_wanted_.store(true, std::memory_order_release);
    spdlog::info("fix: logged on; reconciling with a mass status request");
  }

  void onLogout(const FIX::SessionID&) override {
    stats_.disconnects.fetch_add(1, std::memory_order_relaxed);
    down_since_.store(std::chrono::steady_clock::now(), std::memory_order_release);
    link_.store(static_cast<std::uint8_t>(BrokerLinkState::kDown), std::memory_order_release);
    spdlog::warn("fix: session down");
  }

  void toAdmin(FIX::Message& m, const FIX::SessionID&) override {
    if (m.getHeader().getField(FIX::FIELD::MsgType) == "3") {
      stats_.session_rejects.fetch_add(1, std::memory_order_relaxed);
      anomaly("session reject sent to venue: " + text_of(m));
    }
  }

  void toApp(FIX::Message& m, const FIX::SessionID&) override {
    // A resend keeps the original ClOrdID and carries PossDupFlag=Y: the venue recognises it, so an
    // order is never entered twice (docs/brokers.md).
    if (m.getHeader().isSetField(FIX::FIELD::PossDupFlag) && m.getHeader().getField(FIX::FIELD::PossDupFlag) == "Y") {
      stats_.resent_messages.fetch_add(1, std::memory_order_relaxed);
      const std::string type = m.getHeader().getField(FIX::FIELD::MsgType);
      if (type == "AB" || type == "AC") restore_legs(m);
    }
  }

  // A resent 35=AB/35=AC gets its legs back from the order table (fix_legs.hpp, rebuild_legs:
  // QuickFIX's read-back scrambles the groups), where every request sent, and every one read back
  // from the order file, is remembered.
  void restore_legs(FIX::Message& m) {
    const auto id = m.isSetField(FIX::FIELD::ClOrdID) ? ClientOrderId::parse(m.getField(FIX::FIELD::ClOrdID))
                                                      : std::nullopt;
    TrackedRequest t{};
    {
      std::lock_guard lock(table_mutex_);
      const TrackedRequest* found = id ? slot_for(*id, false) : nullptr;
      if (found != nullptr) t = *found;
    }
    if (!t.id.valid() || t.leg_count == 0) {
      anomaly("resend of " + text_of(m) + ": its legs are not in the order table; resent as stored");
      return;
    }
    (void)rebuild_legs(m, std::span<const FixLeg>(t.legs, t.leg_count), t.opening);
  }

  void fromAdmin(const FIX::Message& m, const FIX::SessionID&) override {
    if (m.getHeader().getField(FIX::FIELD::MsgType) == "3") {
      stats_.session_rejects.fetch_add(1, std::memory_order_relaxed);
      anomaly("venue rejected one of our messages (35=3): " + text_of(m));
    }
  }

  void fromApp(const FIX::Message& m, const FIX::SessionID&) override {
    stats_.messages_received.fetch_add(1, std::memory_order_relaxed);
    try {
      const std::string& type = m.getHeader().getField(FIX::FIELD::MsgType);
      if (type == "8") {
        on_execution_report(m);
      } else if (type == "9") {
        on_cancel_reject(m);
      } else if (type == "j") {
        on_business_reject(m);
      } else if (type == "r") {
        const auto resp = field(m, FIX::FIELD::MassCancelResponse);
        if (!resp || *resp == "0") anomaly("mass cancel refused by the venue: " + text_of(m));
      } else {
        bad("unsupported message type 35=" + type);
      }
    } catch (const std::exception& e) {
      bad(std::string("unreadable message: ") + e.what());
    } catch (...) {
      bad("unreadable message");
    }
  }

 private:
  // ---------------------------------------------------------------- the broker (sender) thread

  class SenderAgent {
   public:
    explicit SenderAgent(Impl& impl) noexcept : impl_{impl} {}
    int do_work() noexcept { return impl_.send_work(); }

   private:
    Impl& impl_;
  };

  int send_work() noexcept {
    int work = 0;
    if (reconcile_wanted_.exchange(false, std::memory_order_acq_rel)) {
      send_status_request(true);
      ++work;
    }
    if (reconcile_pending_.load(std::memory_order_acquire) &&
        std::chrono::steady_clock::now() > reconcile_deadline_) {
      stats_.status_timeouts.fetch_add(1, std::memory_order_relaxed);
      anomaly("no complete mass status answer in time; trading resumes without it");
      reconcile_pending_.store(false, std::memory_order_release);
      std::uint8_t expected = static_cast<std::uint8_t>(BrokerLinkState::kConnecting);
      link_.compare_exchange_strong(expected, static_cast<std::uint8_t>(BrokerLinkState::kUp));
    }
    supervise();
    work += static_cast<int>(commands_->drain([this](const FixOrderMessage& m) noexcept { send(m); }, 64));
    return work;
  }

  void send(const FixOrderMessage& c) noexcept {
    try {
      switch (c.kind) {
        case CommandKind::kNew: {
          if (!track(c)) {
            // The same ClOrdID as a second new order would be a second order at some venues and
            // a reject at others; it is never sent (the first one is reconciled by status).
            stats_.duplicate_ids.fetch_add(1, std::memory_order_relaxed);
            anomaly(std::string("new order ") + c.clordid + " was already sent; not sent again");
            return;
          }
          if (is_single_order(c)) {
            FIX44::NewOrderSingle m;
            m.setField(FIX::FIELD::ClOrdID, c.clordid);
            single_body(m, c);
            dispatch(m);
            return;
          }
          FIX44::NewOrderMultileg m;
          m.setField(FIX::FIELD::ClOrdID, c.clordid);
          order_body(m, c);
          add_legs(m, std::span<const FixLeg>(c.legs, c.leg_count), c.opening != 0);
          dispatch(m);
          return;
        }
        case CommandKind::kCancel: {
          (void)track(c);
          FIX44::OrderCancelRequest m;
          m.setField(FIX::FIELD::ClOrdID, c.clordid);
          m.setField(FIX::FIELD::OrigClOrdID, c.orig_clordid);
          const bool single = is_single_order(c);
          m.setField(FIX::FIELD::Side, single ? single_side(c) : "1");
          m.setField(FIX::FIELD::Symbol, std::string(fix_root(c.legs[0])));
          if (!single) m.setField(FIX::FIELD::SecurityType, "MLEG");
          m.setField(FIX::FIELD::OrderQty, std::to_string(c.quantity));
          m.set(FIX::TransactTime());
          dispatch(m);
          return;
        }
        case CommandKind::kReplace: {
          (void)track(c);
          if (is_single_order(c)) {
            // 35=AC is multileg only: a single order is always replaced with 35=G.
            FIX44::OrderCancelReplaceRequest m;
            m.setField(FIX::FIELD::ClOrdID, c.clordid);
            m.setField(FIX::FIELD::OrigClOrdID, c.orig_clordid);
            single_body(m, c);
            dispatch(m);
          } else if (settings_.replace_message == FixReplaceMessage::kMultilegCancelReplace) {
            FIX44::MultilegOrderCancelReplace m;
            m.setField(FIX::FIELD::ClOrdID, c.clordid);
            m.setField(FIX::FIELD::OrigClOrdID, c.orig_clordid);
            order_body(m, c);
            add_legs(m, std::span<const FixLeg>(c.legs, c.leg_count), c.opening != 0);
            dispatch(m);
          } else {
            FIX44::OrderCancelReplaceRequest m;
            m.setField(FIX::FIELD::ClOrdID, c.clordid);
            m.setField(FIX::FIELD::OrigClOrdID, c.orig_clordid);
            order_body(m, c);
            dispatch(m);
          }
          return;
        }
        case CommandKind::kCancelAll: {
          FIX44::OrderMassCancelRequest m;
          m.setField(FIX::FIELD::ClOrdID, c.id.valid() ? std::string(c.clordid) : request_id("MC"));
          m.setField(FIX::FIELD::MassCancelRequestType, "7");  // all orders of this session
          m.set(FIX::TransactTime());
          dispatch(m);
          return;
        }
        case CommandKind::kStatusRequest:
          if (c.id.valid()) {
            send_core_status_request(c.id, c.clordid);
          } else {
            send_status_request(false);
          }
          return;
      }
      // A command whose legs did not resolve: already answered on the core thread.
    } catch (const std::exception& e) {
      stats_.send_failures.fetch_add(1, std::memory_order_relaxed);
      anomaly(std::string("send failed: ") + e.what());
    } catch (...) {
      stats_.send_failures.fetch_add(1, std::memory_order_relaxed);
      anomaly("send failed");
    }
  }

  template <typename Message>
  void order_body(Message& m, const FixOrderMessage& c) {
    // Side 1 with a signed net price: the legs carry their own sides (docs/brokers.md).
    m.setField(FIX::FIELD::Side, "1");
    m.setField(FIX::FIELD::Symbol, std::string(fix_root(c.legs[0])));
    m.setField(FIX::FIELD::SecurityType, "MLEG");
    m.setField(FIX::FIELD::OrdType, "2");
    m.setField(FIX::FIELD::Price, fix_price(c.limit));
    m.setField(FIX::FIELD::OrderQty, std::to_string(c.quantity));
    m.setField(FIX::FIELD::TimeInForce, "0");
    m.set(FIX::TransactTime());
    if (!settings_.account.empty()) m.setField(FIX::FIELD::Account, settings_.account);
  }

  // NewOrderSingle / its 35=G: the one stock leg. 44 is the per-share limit, the magnitude of the
  // net price (its sign is the side, checked in resolve()); 38 is shares (ratio 1). The order
  // manager never creates an order without a limit; an invalid one would go out as market (40=1).
  // 54 is 1 buy, 2 sell, or 5 sell short when the engine marked the sale short (Reg SHO), which
  // then carries the locate: 114=N (the broker need not locate) and 5700 LocateBroker. resolve()
  // refuses a short sale when no locate is configured, so one never goes out unlocated.
  template <typename Message>
  void single_body(Message& m, const FixOrderMessage& c) {
    const FixLeg& leg = c.legs[0];
    m.setField(FIX::FIELD::Side, single_side(c));
    if (is_short(c)) {
      m.setField(FIX::FIELD::LocateReqd, "N");
      m.setField(kFixTagLocateBroker, settings_.locate_broker);
    }
    m.setField(FIX::FIELD::Symbol, std::string(fix_root(leg)));
    if (c.limit.valid()) {
      m.setField(FIX::FIELD::OrdType, "2");
      m.setField(FIX::FIELD::Price, fix_price(c.limit < Price::zero() ? -c.limit : c.limit));
    } else {
      m.setField(FIX::FIELD::OrdType, "1");
    }
    m.setField(FIX::FIELD::OrderQty, std::to_string(c.quantity));
    m.setField(FIX::FIELD::TimeInForce, "0");
    m.set(FIX::TransactTime());
    if (!settings_.account.empty()) m.setField(FIX::FIELD::Account, settings_.account);
  }

  // A single stock order the engine marked short: a sell (resolve() refuses the flag on a buy).
  static bool is_short(const FixOrderMessage& c) noexcept {
    return c.short_sale != 0 && c.legs[0].side == Side::kSell;
  }

  // Side 54 of a single stock order and of every request about it (35=D/F/G): a venue matches a
  // cancel or replace to the order by side too, so a short sale stays 5 on all three.
  static const char* single_side(const FixOrderMessage& c) noexcept {
    return c.legs[0].side == Side::kBuy ? "1" : is_short(c) ? "5" : "2";
  }

  void dispatch(FIX::Message& m) {
    if (FIX::Session::sendToTarget(m, session_id_)) {
      stats_.commands_sent.fetch_add(1, std::memory_order_relaxed);
    } else {
      stats_.send_failures.fetch_add(1, std::memory_order_relaxed);
      anomaly("QuickFIX did not take a message for " + session_id_.toString());
    }
  }

  std::string request_id(const char* prefix) {
    return std::string(prefix) + "-" + std::to_string(nonce_) + "-" + std::to_string(++request_seq_);
  }

  void send_status_request(bool reconcile) {
    const std::uint64_t n = status_seq_.fetch_add(1, std::memory_order_acq_rel) + 1;
    if (reconcile) {
      reconcile_deadline_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(settings_.status_timeout_ms);
      reconcile_pending_.store(true, std::memory_order_release);
    }
    FIX44::OrderMassStatusRequest m;
    m.setField(FIX::FIELD::MassStatusReqID, "MS-" + std::to_string(nonce_) + "-" + std::to_string(n));
    m.setField(FIX::FIELD::MassStatusReqType, "7");  // status for all orders
    stats_.status_requests.fetch_add(1, std::memory_order_relaxed);
    dispatch(m);
  }

  // The core's own status request (restart reconciliation): answered per the status contract in
  // orders.hpp -- one kStatus per report of the venue, then one kStatusEnd, all with orig_id = R.
  // MassStatusReqID is R's ClOrdID text, so the answers name the request they belong to.
  void send_core_status_request(ClientOrderId r, const char* text) {
    core_status_count_.store(0, std::memory_order_relaxed);
    core_status_req_.store(r.value, std::memory_order_release);
    FIX44::OrderMassStatusRequest m;
    m.setField(FIX::FIELD::MassStatusReqID, text);
    m.setField(FIX::FIELD::MassStatusReqType, "7");
    stats_.status_requests.fetch_add(1, std::memory_order_relaxed);
    dispatch(m);
  }

  void end_core_status(ClientOrderId r) {
    ExecutionReport end = blank(ExecKind::kStatusEnd, ClientOrderId{});
    end.orig_id = r;
    end.last_qty = core_status_count_.exchange(0, std::memory_order_acq_rel);
    push(end);
  }

  // Before the message reaches QuickFIX: the order file, then the table. False for a new order
  // whose id was sent before (in this process or, by the order file, an earlier one).
  bool track(const FixOrderMessage& c) {
    if (c.kind == CommandKind::kNew) {
      std::lock_guard lock(table_mutex_);
      if (slot_for(c.id, false) != nullptr) return false;
    }
    OrderFileRecord rec{};
    rec.magic = kOrderFileMagic;
    rec.version = kOrderFileVersion;
    rec.message = c;
    if (order_fd_ >= 0 && ::write(order_fd_, &rec, sizeof rec) != static_cast<ssize_t>(sizeof rec)) {
      anomaly(std::string("order file write failed: ") + std::strerror(errno));
    }
    std::lock_guard lock(table_mutex_);
    remember(c, status_seq_.load(std::memory_order_acquire));
    return true;
  }

  // ---------------------------------------------------------------- order table (table_mutex_)

  TrackedRequest* slot_for(ClientOrderId id, bool insert) noexcept {
    std::uint64_t h = id.value * 0x9E3779B97F4A7C15ull;
    for (std::size_t probe = 0; probe < kTableSlots; ++probe) {
      TrackedRequest& t = table_[(h >> 17) & (kTableSlots - 1)];
      if (t.id == id) return &t;
      if (!t.id.valid()) return insert ? &t : nullptr;
      ++h;
      h = h * 0x9E3779B97F4A7C15ull;
    }
    return nullptr;
  }

  void remember(const FixOrderMessage& c, std::uint64_t sent_after) noexcept {
    if (!c.id.valid()) return;
    if (c.id.day() > latest_day_) latest_day_ = c.id.day();
    TrackedRequest* t = slot_for(c.id, true);
    if (t == nullptr) {
      anomaly("order table full; leg fills of " + std::string(c.clordid) + " cannot be named");
      return;
    }
    if (t->id.valid()) return;  // already known (a resend read back from the file)
    t->id = c.id;
    t->root = c.id;
    if (c.kind != CommandKind::kNew) {
      const TrackedRequest* orig = slot_for(c.orig_id, false);
      t->root = orig != nullptr ? orig->root : c.orig_id;
    }
    t->kind = c.kind;
    t->quantity = c.quantity;
    t->leg_count = c.leg_count;
    t->opening = c.opening != 0;
    t->sent_after = sent_after;
    std::copy_n(c.legs, kMaxLegs, t->legs);
    ++tracked_;
  }

  void load_order_file() {
    const std::string path = (std::filesystem::path(settings_.store_dir) / "odte-orders.bin").string();
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    OrderFileRecord rec{};
    std::size_t loaded = 0;
    std::lock_guard lock(table_mutex_);
    while (::read(fd, &rec, sizeof rec) == static_cast<ssize_t>(sizeof rec)) {
      if (rec.magic != kOrderFileMagic || rec.version != kOrderFileVersion) break;  // torn or foreign tail
      remember(rec.message, 0);
      ++loaded;
    }
    ::close(fd);
    if (loaded > 0) spdlog::info("fix: {} requests read back from {}", loaded, path);
  }

  // ---------------------------------------------------------------- incoming (QuickFIX thread)

  static std::string text_of(const FIX::Message& m) {
    std::string s = m.toString();
    for (char& ch : s) {
      if (ch == '\x01') ch = '|';
    }
    return s;
  }

  void anomaly(const std::string& what) {
    const std::uint64_t n = anomaly_count_.fetch_add(1, std::memory_order_relaxed) + 1;
    // Sampled: the first 20 in full, then one in a thousand; the counters say how many.
    if (n <= 20 || n % 1000 == 0) spdlog::warn("fix: {} (anomaly {})", what, n);
    std::lock_guard lock(anomaly_mutex_);
    last_anomaly_ = what;
  }

  void bad(const std::string& what) {
    stats_.bad_messages.fetch_add(1, std::memory_order_relaxed);
    anomaly("bad message from venue: " + what);
  }

  void push(const ExecutionReport& r) {
    if (reports_->try_push(r)) {
      stats_.reports.fetch_add(1, std::memory_order_relaxed);
    } else {
      stats_.report_ring_full.fetch_add(1, std::memory_order_relaxed);
      anomaly("report ring full; a report is lost until the next status request");
    }
  }

  static ExecutionReport blank(ExecKind kind, ClientOrderId id) noexcept {
    return blank_report(kind, id, WallClock{}.now_ns());
  }

  // Parses an id the venue echoes. Missing is `nullopt` with no complaint; present but not ours
  // is counted and reported.
  std::optional<ClientOrderId> our_id(const FIX::FieldMap& m, int tag, bool& foreign) {
    const auto text = field(m, tag);
    if (!text) return std::nullopt;
    const auto id = ClientOrderId::parse(*text);
    if (!id) {
      foreign = true;
      stats_.unknown_orders.fetch_add(1, std::memory_order_relaxed);
      anomaly("venue names an order that is not ours: " + std::string(*text));
    }
    return id;
  }

  // Which of the order's legs a leg-level (442=2) report is about: by LegRefID when the venue
  // echoes it, else by the instrument block (55/541/202/201 or 461) and side.
  int find_leg(const FIX::Message& m, ClientOrderId id, ClientOrderId orig) {
    std::lock_guard lock(table_mutex_);
    const TrackedRequest* t = slot_for(id, false);
    if (t == nullptr && orig.valid()) t = slot_for(orig, false);
    if (t == nullptr) return -2;
    if (const auto ref = field(m, FIX::FIELD::LegRefID)) {
      const auto v = parse_fix_int(*ref);
      if (v && *v >= 1 && *v <= t->leg_count) return static_cast<int>(*v - 1);
    }
    const auto symbol = field(m, FIX::FIELD::Symbol);
    const auto maturity = field(m, FIX::FIELD::MaturityDate);
    const auto strike = field(m, FIX::FIELD::StrikePrice);
    const auto side = field(m, FIX::FIELD::Side);
    char right = 0;
    if (const auto pc = field(m, FIX::FIELD::PutOrCall)) right = *pc == "0" ? 'P' : *pc == "1" ? 'C' : 0;
    if (const auto cfi = field(m, FIX::FIELD::CFICode); right == 0 && cfi && cfi->size() >= 2) right = (*cfi)[1];
    if (!symbol || !maturity || !strike || right == 0) return -1;
    const auto day = parse_fix_date(*maturity);
    const auto k = Price::parse(*strike);
    if (!day || !k) return -1;
    for (int i = 0; i < t->leg_count; ++i) {
      const FixLeg& leg = t->legs[i];
      if (fix_root(leg) != *symbol || leg.expiry_yyyymmdd != *day || leg.strike != *k || leg.right != right) continue;
      if (side && *side != (leg.side == Side::kBuy ? "1" : "2")) continue;
      return i;
    }
    return -1;
  }

  // True when `id` (or, unknown, `orig`) is a request of a single stock order (sent as 35=D).
  bool single_order(ClientOrderId id, ClientOrderId orig) {
    std::lock_guard lock(table_mutex_);
    const TrackedRequest* t = slot_for(id, false);
    if (t == nullptr && orig.valid()) t = slot_for(orig, false);
    return t != nullptr && t->leg_count == 1 && t->legs[0].security == kFixLegStock;
  }

  void mark_seen(ClientOrderId id, std::uint64_t status_n) {
    std::lock_guard lock(table_mutex_);
    TrackedRequest* t = slot_for(id, false);
    if (t == nullptr) return;
    TrackedRequest* root = slot_for(t->root, false);
    if (root == nullptr) return;
    root->any_report = true;
    if (status_n > 0) root->seen_in = status_n;
  }

  void on_execution_report(const FIX::Message& m) {
    const auto exec_type = field(m, FIX::FIELD::ExecType);
    const auto ord_status = field(m, FIX::FIELD::OrdStatus);
    if (!exec_type || exec_type->size() != 1) return bad("35=8 without a valid 150 (ExecType)");
    if (!ord_status || ord_status->size() != 1) return bad("35=8 without a valid 39 (OrdStatus)");
    const char et = (*exec_type)[0];
    const char os = (*ord_status)[0];

    // A status answer names its request; the last one (912=Y) closes it, even if it carries no order.
    std::uint64_t status_n = 0;
    bool last_of_status = false;
    std::optional<ClientOrderId> core_req;  // an answer to the core's own status request
    if (et == 'I') {
      if (const auto req = field(m, FIX::FIELD::MassStatusReqID)) {
        core_req = ClientOrderId::parse(*req);
        if (core_req && core_req->value != core_status_req_.load(std::memory_order_acquire)) {
          anomaly("status answer for a request that is not the current one: " + std::string(*req));
          return;
        }
      }
      if (core_req) {
        on_core_status(m, *core_req);
        return;
      }
      if (const auto req = field(m, FIX::FIELD::MassStatusReqID)) {
        const std::size_t dash = req->rfind('-');
        const auto n = dash == std::string_view::npos ? std::nullopt : parse_fix_int(req->substr(dash + 1));
        if (n && *n > 0) status_n = static_cast<std::uint64_t>(*n);
        const auto last = field(m, FIX::FIELD::LastRptRequested);
        last_of_status = last && *last == "Y";
        const auto total = field(m, FIX::FIELD::TotNumReports);
        if (total && *total == "0") {
          if (last_of_status || status_n > 0) finish_status(status_n);
          return;
        }
      }
    }

    bool foreign = false;
    const auto id = our_id(m, FIX::FIELD::ClOrdID, foreign);
    const auto orig = our_id(m, FIX::FIELD::OrigClOrdID, foreign);
    if (!id) {
      if (!foreign) bad("35=8 without 11 (ClOrdID)");
      if (last_of_status) finish_status(status_n);
      return;
    }
    if (orig) mark_seen(*orig, status_n);
    mark_seen(*id, status_n);

    int reporting = 3;
    if (const auto mrt = field(m, FIX::FIELD::MultiLegReportingType)) {
      const auto v = parse_fix_int(*mrt);
      if (!v || *v < 1 || *v > 3) {
        bad("35=8 with 442 (MultilegReportingType) '" + std::string(*mrt) + "'");
        if (last_of_status) finish_status(status_n);
        return;
      }
      reporting = static_cast<int>(*v);
    }

    ExecutionReport r = blank(ExecKind::kStatus, *id);
    if (orig) r.orig_id = *orig;
    if (const auto oid = field(m, FIX::FIELD::OrderID)) r.broker_order_id = broker_id_of(*oid);
    if (const auto text = field(m, FIX::FIELD::Text)) copy_text(r.text, sizeof r.text, *text);
    // A single stock order (35=D) has one leg and every report is about it, whatever 442 says:
    // fills are booked on leg 0 in shares at the per-share price.
    const bool single = single_order(*id, r.orig_id);
    const auto cum = field(m, FIX::FIELD::CumQty);
    const auto leaves = field(m, FIX::FIELD::LeavesQty);
    const std::optional<std::uint32_t> parsed_cum = cum ? parse_fix_qty(*cum) : std::nullopt;
    // Plain values from here: GCC 12 misreads optionals passed along as maybe-uninitialized.
    const bool has_cum = parsed_cum.has_value();
    const std::uint32_t cum_qty = parsed_cum.value_or(0);
    if (cum && !has_cum) {
      bad("35=8 with unparseable 14 (CumQty) '" + std::string(*cum) + "'");
      if (last_of_status) finish_status(status_n);
      return;
    }
    if (leaves) {
      if (const auto l = parse_fix_qty(*leaves)) r.leaves_qty = *l;
    }

    auto leg_index = [&]() -> int {
      const int leg = find_leg(m, *id, r.orig_id);
      if (leg == -2) {
        stats_.unknown_orders.fetch_add(1, std::memory_order_relaxed);
        anomaly("leg report for an order this adapter never sent: " + text_of(m));
      } else if (leg < 0) {
        bad("leg report whose instrument matches no leg: " + text_of(m));
      }
      return leg;
    };

    if (et == 'I') {
      if (single) {
        on_single_status_report(m, r, os, cum_qty);
      } else {
        on_status_report(m, r, reporting, os, cum_qty, leg_index);
      }
      if (last_of_status) finish_status(status_n);
      return;
    }

    switch (et) {
      case '0':  // New
        if (reporting == 2 && !single) return;  // a leg's ack adds nothing to the strategy's
        r.kind = ExecKind::kAccepted;
        break;
      case '1':
      case '2':
      case 'F': {  // Trade (4.4), partial fill / fill (older venues)
        const auto last_qty = field(m, FIX::FIELD::LastQty);
        const auto last_px = field(m, FIX::FIELD::LastPx);
        const auto q = last_qty ? parse_fix_qty(*last_qty) : std::nullopt;
        const auto px = last_px ? Price::parse(*last_px) : std::nullopt;
        if (!q || !px || !has_cum) {
          return bad("fill without a readable 32 (LastQty), 31 (LastPx) and 14 (CumQty): " + text_of(m));
        }
        r.kind = os == '2' ? ExecKind::kFill : ExecKind::kPartialFill;
        r.last_qty = *q;
        r.last_price = *px;
        r.cum_qty = cum_qty;
        if (const auto comm = field(m, FIX::FIELD::Commission)) {
          const auto type = field(m, FIX::FIELD::CommType);
          const auto c = Price::parse(*comm);
          if (c && (!type || *type == "3")) r.commission = *c;
        }
        if (single) {
          r.leg = 0;
        } else if (reporting == 2) {
          const int leg = leg_index();
          if (leg < 0) return;
          r.leg = static_cast<std::uint8_t>(leg);
        }
        break;
      }
      case '4':  // Canceled
        if (reporting == 2 && !single) return;
        r.kind = ExecKind::kCancelled;
        break;
      case '5':  // Replaced
        if (reporting == 2 && !single) return;
        r.kind = ExecKind::kReplaced;
        break;
      case '8':  // Rejected
        if (reporting == 2 && !single) return;
        r.kind = ExecKind::kRejected;
        if (const auto reason = field(m, FIX::FIELD::OrdRejReason)) {
          const auto v = parse_fix_int(*reason);
          r.reason = v && *v >= 0 && *v < 9000 ? static_cast<std::uint16_t>(*v) : 99;
        }
        break;
      case 'C':  // Expired
        if (reporting == 2 && !single) return;
        r.kind = ExecKind::kExpired;
        break;
      case 'A':
      case '6':
      case 'E':
      case 'D':
        return;  // pending new / cancel / replace, restated: nothing for the state machine
      default:
        return bad("35=8 with unsupported 150 (ExecType) '" + std::string(*exec_type) + "'");
    }
    push(r);
  }

  // One line of the answer to the core's status request: a kStatus as the contract describes it
  // (per leg for 442=2, strategy level otherwise), the end after the last (912=Y) or an empty
  // answer (911=0). A line that names no order of ours is reported and not counted.
  void on_core_status(const FIX::Message& m, ClientOrderId req) {
    const auto last = field(m, FIX::FIELD::LastRptRequested);
    const bool last_of_status = last && *last == "Y";
    const auto total = field(m, FIX::FIELD::TotNumReports);
    if (total && *total == "0") return end_core_status(req);
    bool foreign = false;
    const auto id = our_id(m, FIX::FIELD::ClOrdID, foreign);
    ExecutionReport r = blank(ExecKind::kStatus, id.value_or(ClientOrderId{}));
    bool ok = id.has_value();
    if (!ok && !foreign) bad("status answer without 11 (ClOrdID)");
    int reporting = 3;
    if (const auto mrt = field(m, FIX::FIELD::MultiLegReportingType)) {
      const auto v = parse_fix_int(*mrt);
      if (!v || *v < 1 || *v > 3) {
        bad("status answer with 442 (MultilegReportingType) '" + std::string(*mrt) + "'");
        ok = false;
      } else {
        reporting = static_cast<int>(*v);
      }
    }
    const auto cum = field(m, FIX::FIELD::CumQty);
    const auto cum_qty = cum ? parse_fix_qty(*cum) : std::optional<std::uint32_t>(0);
    if (!cum_qty) {
      bad("status answer with unparseable 14 (CumQty): " + text_of(m));
      ok = false;
    }
    if (ok && single_order(*id, ClientOrderId{})) {
      r.leg = 0;  // a single stock order: its one leg, in shares
    } else if (ok && reporting == 2) {
      const int leg = find_leg(m, *id, ClientOrderId{});
      if (leg < 0) {
        bad("status answer for a leg that matches no leg of " + id->to_string() + ": " + text_of(m));
        ok = false;
      } else {
        r.leg = static_cast<std::uint8_t>(leg);
      }
    }
    if (ok) {
      mark_seen(*id, 0);
      r.orig_id = req;
      r.cum_qty = cum_qty.value_or(0);
      if (const auto leaves = field(m, FIX::FIELD::LeavesQty)) {
        if (const auto l = parse_fix_qty(*leaves)) r.leaves_qty = *l;
      }
      if (const auto avg = field(m, FIX::FIELD::AvgPx)) {
        if (const auto px = Price::parse(*avg)) r.last_price = *px;
      }
      if (const auto comm = field(m, FIX::FIELD::Commission)) {
        if (const auto c = Price::parse(*comm)) r.commission = *c;
      }
      if (const auto oid = field(m, FIX::FIELD::OrderID)) r.broker_order_id = broker_id_of(*oid);
      push(r);
      core_status_count_.fetch_add(1, std::memory_order_acq_rel);
    }
    if (last_of_status) end_core_status(req);
  }

  // A status answer becomes the reports the order manager de-duplicates: the venue's cumulative
  // quantity per leg as a fill (cum_qty makes it a no-op when nothing was missed), the order's
  // state as an ack/cancel/reject/expiry (a duplicate when already known), and a kStatus summary.
  template <typename LegIndex>
  void on_status_report(const FIX::Message& m, ExecutionReport r, int reporting, char os,
                        std::uint32_t cum_qty, LegIndex&& leg_index) {
    if (reporting == 2) {
      if (cum_qty == 0) return;
      const int leg = leg_index();
      if (leg < 0) return;
      const auto avg = field(m, FIX::FIELD::AvgPx);
      const auto px = avg ? Price::parse(*avg) : std::nullopt;
      if (!px) return bad("leg status with a filled quantity but no readable 6 (AvgPx): " + text_of(m));
      r.kind = os == '2' ? ExecKind::kFill : ExecKind::kPartialFill;
      r.leg = static_cast<std::uint8_t>(leg);
      r.cum_qty = cum_qty;
      r.last_price = *px;
      push(r);
      return;
    }
    r.kind = ExecKind::kStatus;
    r.cum_qty = cum_qty;
    if (const auto avg = field(m, FIX::FIELD::AvgPx)) {
      if (const auto px = Price::parse(*avg)) r.last_price = *px;
    }
    push(r);
    ExecutionReport state = r;
    state.cum_qty = 0;
    state.last_price = Price::zero();
    switch (os) {
      case '0':
      case '1':
        state.kind = ExecKind::kAccepted;
        break;
      case '4':
        state.kind = ExecKind::kCancelled;
        break;
      case '8':
        state.kind = ExecKind::kRejected;
        break;
      case 'C':
        state.kind = ExecKind::kExpired;
        break;
      default:
        return;  // filled: the leg reports carry it; pending states: nothing to say yet
    }
    push(state);
  }

  // The same for a single stock order: its filled shares as a leg-0 fill at 6 AvgPx (a no-op when
  // nothing was missed), then the summary and the state, as for a strategy-level line.
  void on_single_status_report(const FIX::Message& m, ExecutionReport r, char os, std::uint32_t cum_qty) {
    const auto avg = field(m, FIX::FIELD::AvgPx);
    const auto px = avg ? Price::parse(*avg) : std::nullopt;
    if (cum_qty > 0) {
      if (!px) return bad("stock status with a filled quantity but no readable 6 (AvgPx): " + text_of(m));
      ExecutionReport fill = r;
      fill.kind = os == '2' ? ExecKind::kFill : ExecKind::kPartialFill;
      fill.leg = 0;
      fill.cum_qty = cum_qty;
      fill.last_price = *px;
      push(fill);
    }
    on_status_report(m, r, 1, os, cum_qty, [] { return -1; });
  }

  void finish_status(std::uint64_t n) {
    if (n > 0 && settings_.unknown_after_status_is_lost) {
      // Orders we sent before this request that the venue did not mention: it never got them.
      std::lock_guard lock(table_mutex_);
      for (std::size_t i = 0; i < kTableSlots; ++i) {
        TrackedRequest& t = table_[i];
        if (!t.id.valid() || t.kind != CommandKind::kNew || t.id.day() != latest_day_) continue;
        if (t.sent_after >= n || t.seen_in >= n || t.any_report) continue;
        t.any_report = true;  // said once
        ExecutionReport r = blank(ExecKind::kRejected, t.id);
        r.reason = kFixReasonLostAtVenue;
        copy_text(r.text, sizeof r.text, "not known at venue");
        stats_.lost_orders.fetch_add(1, std::memory_order_relaxed);
        push(r);
      }
    }
    if (reconcile_pending_.exchange(false, std::memory_order_acq_rel)) {
      std::uint8_t expected = static_cast<std::uint8_t>(BrokerLinkState::kConnecting);
      link_.compare_exchange_strong(expected, static_cast<std::uint8_t>(BrokerLinkState::kUp));
      spdlog::info("fix: reconciled with the venue's mass status; link up");
    }
  }

  void on_cancel_reject(const FIX::Message& m) {
    bool foreign = false;
    const auto id = our_id(m, FIX::FIELD::ClOrdID, foreign);
    const auto orig = our_id(m, FIX::FIELD::OrigClOrdID, foreign);
    if (!id) {
      if (!foreign) bad("35=9 without 11 (ClOrdID)");
      return;
    }
    ExecutionReport r = blank(ExecKind::kCancelRejected, *id);
    if (orig) r.orig_id = *orig;
    if (const auto reason = field(m, FIX::FIELD::CxlRejReason)) {
      const auto v = parse_fix_int(*reason);
      r.reason = v && *v >= 0 && *v < 9000 ? static_cast<std::uint16_t>(*v) : 99;
    }
    if (const auto oid = field(m, FIX::FIELD::OrderID)) r.broker_order_id = broker_id_of(*oid);
    if (const auto text = field(m, FIX::FIELD::Text)) copy_text(r.text, sizeof r.text, *text);
    mark_seen(*id, 0);
    push(r);
  }

  void on_business_reject(const FIX::Message& m) {
    stats_.business_rejects.fetch_add(1, std::memory_order_relaxed);
    anomaly("venue business reject (35=j): " + text_of(m));
    const auto ref_type = field(m, FIX::FIELD::RefMsgType);
    bool foreign = false;
    const auto id = our_id(m, FIX::FIELD::BusinessRejectRefID, foreign);
    if (!ref_type || !id) return;
    const bool new_order = *ref_type == "AB" || *ref_type == "D";
    ExecutionReport r = blank(new_order ? ExecKind::kRejected : ExecKind::kCancelRejected, *id);
    r.reason = kFixReasonBusinessReject;
    if (const auto text = field(m, FIX::FIELD::Text)) copy_text(r.text, sizeof r.text, *text);
    if (new_order || *ref_type == "F" || *ref_type == "G" || *ref_type == "AC") push(r);
  }

  // ---------------------------------------------------------------- settings

  void validate() const {
    auto need = [](bool ok, const std::string& what) {
      if (!ok) throw FixConfigError(what);
    };
    need(!settings_.host.empty(), "fix.host: must not be empty");
    need(settings_.port != 0, "fix.port: must be 1-65535");
    need(!settings_.sender_comp_id.empty(), "fix.sender_comp_id: must not be empty");
    need(!settings_.target_comp_id.empty(), "fix.target_comp_id: must not be empty");
    need(!settings_.store_dir.empty(), "fix.store_dir: must not be empty (sequence numbers live there)");
    need(settings_.heartbeat_s >= 1 && settings_.heartbeat_s <= 300, "fix.heartbeat_s: must be 1-300");
    need(settings_.reconnect_s >= 1 && settings_.reconnect_s <= 300, "fix.reconnect_s: must be 1-300");
    auto hhmmss = [](const std::string& t) {
      return t.size() == 8 && t[2] == ':' && t[5] == ':' && std::isdigit(static_cast<unsigned char>(t[0])) &&
             std::isdigit(static_cast<unsigned char>(t[7]));
    };
    need(hhmmss(settings_.start_time), "fix.start_time: must be HH:MM:SS (UTC)");
    need(hhmmss(settings_.end_time), "fix.end_time: must be HH:MM:SS (UTC)");
    need(!settings_.use_tls || !settings_.tls_ca_file.empty(), "fix.tls_ca_file: required when fix.tls = true");
    need(settings_.locate_broker.empty() || valid_locate_broker(settings_.locate_broker),
         "fix.locate_broker: must be 1 to 32 letters, digits, '.', '-' or '_'");
    need(settings_.data_dictionary.empty() || std::filesystem::exists(settings_.data_dictionary),
         "fix.data_dictionary: no such file: " + settings_.data_dictionary);
  }

  void build_settings() {
    FIX::Dictionary d;
    d.setString(FIX::CONNECTION_TYPE, "initiator");
    d.setString(FIX::BEGINSTRING, "FIX.4.4");
    d.setString(FIX::SENDERCOMPID, settings_.sender_comp_id);
    d.setString(FIX::TARGETCOMPID, settings_.target_comp_id);
    d.setString(FIX::SOCKET_CONNECT_HOST, settings_.host);
    d.setInt(FIX::SOCKET_CONNECT_PORT, settings_.port);
    d.setInt(FIX::HEARTBTINT, static_cast<int>(settings_.heartbeat_s));
    d.setInt(FIX::RECONNECT_INTERVAL, static_cast<int>(settings_.reconnect_s));
    d.setString(FIX::START_TIME, settings_.start_time);
    d.setString(FIX::END_TIME, settings_.end_time);
    d.setString(FIX::FILE_STORE_PATH, settings_.store_dir);
    if (!settings_.log_dir.empty()) d.setString(FIX::FILE_LOG_PATH, settings_.log_dir);
    // By default no data dictionary: the adapter reads only flat fields of incoming messages and
    // checks them itself (docs/brokers.md), so a venue's extra tags never cost a session reject.
    if (settings_.data_dictionary.empty()) {
      d.setString(FIX::USE_DATA_DICTIONARY, "N");
    } else {
      d.setString(FIX::USE_DATA_DICTIONARY, "Y");
      d.setString(FIX::DATA_DICTIONARY, settings_.data_dictionary);
      d.setString("ValidateFieldsOutOfOrder", "N");
      d.setString("ValidateUserDefinedFields", "N");
      d.setString("AllowUnknownMsgFields", "Y");
    }
    d.setString("ResetOnLogon", "N");
    d.setString("ResetOnLogout", "N");
    d.setString("ResetOnDisconnect", "N");
    d.setString("PersistMessages", "Y");
    d.setString(FIX::SOCKET_NODELAY, "Y");
    d.setString("SendRedundantResendRequests", "N");
    d.setInt(FIX::LOGON_TIMEOUT, 10);
    if (settings_.use_tls) {
      d.setString("SSLProtocol", "+TLSv1_2 +TLSv1_3");
      d.setString("CertificationAuthoritiesFile", settings_.tls_ca_file);
      if (!settings_.tls_cert_file.empty()) d.setString("ClientCertificateFile", settings_.tls_cert_file);
      if (!settings_.tls_key_file.empty()) d.setString("ClientCertificateKeyFile", settings_.tls_key_file);
    }
    session_id_ = FIX::SessionID("FIX.4.4", settings_.sender_comp_id, settings_.target_comp_id);
    qf_settings_.set(session_id_, d);
  }

  // Why submit() refused a command: `reason` for ExecutionReport.reason, `text` (<= 23 chars, the
  // report's text) for the operator; text == nullptr: not refused.
  struct Refusal {
    std::uint16_t reason;
    const char* text;
  };

  // Core thread: the registry is read here and nowhere else. Options may be combined (35=AB); a
  // stock goes alone (35=D, ratio 1, the limit's sign matching the side). The engine never mixes
  // them (risk.cpp refuses stock in an opening spread; a hedge is exactly one stock leg), so a
  // mixed command is a caller bug or a new strategy, refused here rather than guessed at.
  Refusal resolve(const OrderCommand& c, FixOrderMessage& m) const noexcept {
    if (c.leg_count == 0 || c.leg_count > kMaxLegs) return {3, "fix: no legs"};
    int stocks = 0;
    for (int i = 0; i < c.leg_count; ++i) {
      if (!resolve_leg(c.legs[i], m.legs[i])) return {3, "fix: leg not tradable"};  // OrdRejReason 3
      stocks += m.legs[i].security == kFixLegStock ? 1 : 0;
    }
    // New and replace state the order; a cancel only names it (and goes out whatever it names).
    const bool states_order = c.kind == CommandKind::kNew || c.kind == CommandKind::kReplace;
    // The last check before a price goes on the wire: one the venue's grid does not have is never
    // sent (the engine rounds every limit onto it; this catches a caller that did not).
    const bool priced = states_order && c.limit.valid();
    const auto off_grid = [&] { return priced && !limit_on_grid(registry_, std::span<const OrderLeg>(c.legs, c.leg_count), c.limit); };
    if (stocks == 0) {
      // Reg SHO short marking is for stock; an option sale says opening or closing per leg (77).
      if (states_order && c.short_sale != 0) return {kFixReasonUnsupported, "fix: short, not stock"};
      if (off_grid()) return {kFixReasonOffGrid, "fix: price off grid"};
      return {0, nullptr};
    }
    if (stocks < c.leg_count) return {kFixReasonUnsupported, "fix: stock+option legs"};
    if (stocks > 1) return {kFixReasonUnsupported, "fix: 2+ stock legs"};
    if (m.legs[0].ratio != 1) return {kFixReasonUnsupported, "fix: stock ratio not 1"};
    if (states_order) {
      // Net price convention: a buy pays (positive), a sell receives (negative); 44 carries the
      // magnitude. A limit on the wrong side of zero has no FIX form.
      const bool buy = m.legs[0].side == Side::kBuy;
      if (c.limit.valid() && (buy ? c.limit <= Price::zero() : c.limit >= Price::zero())) {
        return {kFixReasonUnsupported, "fix: stock limit sign"};
      }
      if (c.short_sale != 0) {
        if (buy) return {kFixReasonUnsupported, "fix: short, not a sell"};
        // A short sale without a locate is one the venue must refuse (or, worse, take): say so
        // here, with a reason the operator can act on (configure broker.fix.locate_broker).
        if (settings_.locate_broker.empty()) return {kFixReasonNoLocate, "fix: short, no locate"};
      }
      if (off_grid()) return {kFixReasonOffGrid, "fix: price off grid"};
    }
    return {0, nullptr};
  }

  bool resolve_leg(const OrderLeg& in, FixLeg& out) const noexcept {
    if (in.instrument == kNoInstrument || in.instrument >= registry_.size() || in.ratio == 0) return false;
    const Instrument& inst = registry_.get(in.instrument);
    out.side = in.side;
    out.ratio = in.ratio;
    out.instrument = in.instrument;
    if (inst.info.asset == AssetClass::kStock) {
      // The symbol as the feed names it ("SPY"); longer than the field holds is refused.
      const std::string_view sym = inst.symbol_view();
      if (sym.empty() || sym.size() >= sizeof out.root) return false;
      std::memcpy(out.root, sym.data(), sym.size());
      out.root[sym.size()] = '\0';
      out.security = kFixLegStock;
      out.strike = Price::zero();
      return true;
    }
    if (inst.info.asset != AssetClass::kOption) return false;  // an index is not tradable
    const OptionFields& o = inst.info.option;
    std::memcpy(out.root, o.root, sizeof out.root);
    out.root[sizeof out.root - 1] = '\0';
    out.expiry_yyyymmdd = o.expiry_yyyymmdd;
    out.right = static_cast<char>(o.right);
    out.strike = o.strike;
    out.security = kFixLegOption;
    return out.root[0] != '\0' && o.expiry_yyyymmdd != 0;
  }

  FixSettings settings_;
  const InstrumentRegistry& registry_;
  std::unique_ptr<CommandRing> commands_;
  std::unique_ptr<ReportRing> reports_;
  std::array<ExecutionReport, kLocalRejects> local_{};
  std::size_t local_count_ = 0;

  std::mutex table_mutex_;
  std::unique_ptr<TrackedRequest[]> table_;
  std::size_t tracked_ = 0;
  std::int32_t latest_day_ = 0;

  std::atomic<std::uint8_t> link_{static_cast<std::uint8_t>(BrokerLinkState::kDown)};
  std::atomic<bool> reconcile_wanted_{false};
  std::atomic<bool> reconcile_pending_{false};
  std::chrono::steady_clock::time_point reconcile_deadline_{};
  std::atomic<std::chrono::steady_clock::time_point> down_since_{};
  std::atomic<std::uint64_t> status_seq_{0};
  std::atomic<std::uint64_t> core_status_req_{0};     // the core's current status request (R)
  std::atomic<std::uint32_t> core_status_count_{0};   // kStatus reports sent for it so far
  std::uint64_t request_seq_ = 0;
  std::uint64_t nonce_;

  FixStats stats_;
  std::atomic<std::uint64_t> anomaly_count_{0};
  mutable std::mutex anomaly_mutex_;
  std::string last_anomaly_;

  FIX::SessionID session_id_;
  FIX::SessionSettings qf_settings_;
  std::unique_ptr<FIX::FileStoreFactory> store_factory_;
  std::unique_ptr<FIX::FileLogFactory> log_factory_;
  std::unique_ptr<FIX::Initiator> initiator_;
  std::unique_ptr<SenderAgent> agent_;
  std::unique_ptr<AgentRunner<SenderAgent, BackoffIdle<100, 50, 1, 200>>> runner_;
  int order_fd_ = -1;
  bool started_ = false;
};

FixBroker::FixBroker(const FixSettings& settings, const InstrumentRegistry& registry)
    : impl_{std::make_unique<Impl>(settings, registry)} {}

FixBroker::~FixBroker() = default;

void FixBroker::start() { impl_->start(); }
void FixBroker::stop() noexcept { impl_->stop(); }

bool FixBroker::submit(const OrderCommand& command, TimestampNs now) noexcept { return impl_->submit(command, now); }

int FixBroker::poll(const MarketState&, TimestampNs, ReportSink& sink) noexcept { return impl_->poll(sink); }

BrokerLinkState FixBroker::link() const noexcept { return impl_->link(); }

const FixStats& FixBroker::stats() const noexcept { return impl_->stats(); }

std::string FixBroker::last_anomaly() const { return impl_->last_anomaly(); }

}  // namespace odte::brokers
