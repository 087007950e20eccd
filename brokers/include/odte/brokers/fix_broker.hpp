#pragma once

// The FIX 4.4 broker adapter on QuickFIX, behind the BrokerPort interface.
//
//   core thread                       broker thread                QuickFIX session thread
//   submit(cmd) -> registry lookup -> FixOrderMessage ring -> pop, build 35=AB/D/F/AC/G/q/AF,
//                                                             Session::sendToTarget -> venue
//   poll(sink)  <- ExecutionReport ring <------------------------ fromApp(35=8/9/r/j/3) parses
//
// Thread contract: submit(), poll(), link() and name() are called on the core thread only; they
// never block, allocate or make system calls. Everything QuickFIX does (sockets, store, logon,
// heartbeats, resend) happens on QuickFIX's own thread; the broker thread only turns commands into
// FIX messages. The two sides of the adapter share one mutex-protected order table (ClOrdID ->
// legs, needed to name the leg of a leg-level fill) that the core thread never touches.
//
// Sessions are crash-safe: QuickFIX's FileStore keeps sequence numbers and every sent message
// (never ResetOnLogon during the trading day), and the adapter appends each order it sends to
// `<store_dir>/odte-orders.bin` before handing it to QuickFIX, so after a kill -9 a restarted
// adapter still knows the legs of orders the venue reports. After every logon the adapter asks for
// a mass status (35=AF) and reports link kConnecting until the answer is complete; see
// docs/brokers.md for the reconciliation flow.
//
// Option spreads go out as NewOrderMultileg (35=AB); a command whose only leg is a stock or ETF
// (the short strangle's delta hedge, its flattening) as NewOrderSingle (35=D) in shares, with
// 35=F/35=G for it. A command mixing stock and option legs is refused (docs/brokers.md). A stock
// sell the engine marked short (OrderCommand::short_sale) goes as Side 54=5 with the configured
// locate (114=N, 5700), and is refused when none is configured.
//
// QuickFIX stays inside brokers/src (pimpl): including this header needs no QuickFIX headers.

#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "odte/core/engine/broker_port.hpp"
#include "odte/core/market/instrument_registry.hpp"

namespace odte::brokers {

enum class FixReplaceMessage : std::uint8_t {
  kMultilegCancelReplace = 1,  // 35=AC, legs restated (FIX 4.4's message for multileg orders)
  kCancelReplace,              // 35=G, for venues that take the single-instrument message
};

struct FixSettings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string sender_comp_id;
  std::string target_comp_id;
  std::string store_dir;            // QuickFIX FileStore + the adapter's order file (required)
  std::string log_dir;              // QuickFIX message/event log; empty: no log files
  std::uint32_t heartbeat_s = 30;
  std::uint32_t reconnect_s = 5;
  // Session window in UTC. Sequence numbers reset only when a new window starts (after the
  // close), never at logon. Equal times mean one window per UTC day starting at that time.
  std::string start_time = "21:30:00";
  std::string end_time = "21:15:00";
  std::string account;              // tag 1 when not empty
  // Reg SHO locate for short sales (single stock orders the engine marked short): sent as
  // 114 LocateReqd=N and 5700 LocateBroker=<this> with Side 54=5. Empty: no locate arranged, so a
  // short sale is refused by the adapter (kFixReasonNoLocate) instead of going out unlocated.
  // At most 32 letters, digits, '.', '-' or '_'.
  std::string locate_broker;
  // QuickFIX data dictionary (XML). Empty: none (UseDataDictionary=N): incoming messages are read
  // as flat fields, which is all the adapter needs, but a venue that sends repeating groups then
  // has those messages refused by QuickFIX ("Tag appears more than once"). Point this at the
  // venue's FIX 4.4 dictionary in that case (docs/brokers.md).
  std::string data_dictionary;
  FixReplaceMessage replace_message = FixReplaceMessage::kMultilegCancelReplace;
  // After the reconciliation status request, orders we sent that the venue does not report are
  // answered with a kRejected (reason kLostAtVenue). Turn off for venues whose mass status lists
  // only working orders.
  bool unknown_after_status_is_lost = true;
  std::uint32_t status_timeout_ms = 5000;  // link goes kUp anyway after this (counted)
  bool use_tls = false;             // QuickFIX SSLSocketInitiator (Debian's build has OpenSSL)
  std::string tls_ca_file;          // CertificationAuthoritiesFile
  std::string tls_cert_file;        // ClientCertificateFile (optional)
  std::string tls_key_file;         // ClientCertificateKeyFile (optional)
};

class FixConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reasons put in ExecutionReport.reason by the adapter itself (venue reasons pass through as the
// numbers the venue sent: OrdRejReason 103, CxlRejReason 102).
enum FixReason : std::uint16_t {
  kFixReasonLostAtVenue = 9001,        // sent, but the venue's mass status does not know it
  kFixReasonBusinessReject = 9002,     // 35=j naming the order
  kFixReasonSessionReject = 9003,      // 35=3 for the message that carried the order
  kFixReasonUnsupported = 9004,        // refused by the adapter: no FIX message says it (mixed
                                       // stock and option legs, a stock ratio other than 1, ...)
  kFixReasonNoLocate = 9005,           // refused by the adapter: a short sale (54=5) and no
                                       // locate_broker configured
  kFixReasonOffGrid = 9006,            // refused by the adapter: a new or replace whose limit is not
                                       // on the venue's price grid (odte/core/engine/tick_table.hpp)
};

// True when `text` is a locate_broker value the adapter sends as is: 1 to 32 letters, digits,
// '.', '-' or '_' (no SOH, no '=', nothing a venue could read as another tag).
[[nodiscard]] inline bool valid_locate_broker(std::string_view text) noexcept {
  if (text.empty() || text.size() > 32) return false;
  for (const char ch : text) {
    const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' ||
                    ch == '-' || ch == '_';
    if (!ok) return false;
  }
  return true;
}

// Counters, readable from any thread (relaxed; for metrics and tests).
struct FixStats {
  std::atomic<std::uint64_t> commands_sent{0};
  std::atomic<std::uint64_t> refused_link_down{0};
  std::atomic<std::uint64_t> refused_ring_full{0};
  std::atomic<std::uint64_t> refused_bad_command{0};  // unknown/untradable instrument, mixed legs
  std::atomic<std::uint64_t> duplicate_ids{0};        // kNew with a ClOrdID already sent: not sent
  std::atomic<std::uint64_t> send_failures{0};        // sendToTarget returned false / threw
  std::atomic<std::uint64_t> messages_received{0};    // application messages
  std::atomic<std::uint64_t> reports{0};              // ExecutionReports pushed to the core
  std::atomic<std::uint64_t> report_ring_full{0};     // reports that could not be queued
  std::atomic<std::uint64_t> bad_messages{0};         // missing tag, unparseable value, unknown leg
  std::atomic<std::uint64_t> unknown_orders{0};       // ClOrdID not ours (wrong form or day)
  std::atomic<std::uint64_t> session_rejects{0};      // 35=3 received or sent
  std::atomic<std::uint64_t> business_rejects{0};     // 35=j received
  std::atomic<std::uint64_t> logons{0};
  std::atomic<std::uint64_t> disconnects{0};
  std::atomic<std::uint64_t> reconnects{0};           // initiator rebuilt after a long outage
  std::atomic<std::uint64_t> status_requests{0};
  std::atomic<std::uint64_t> status_timeouts{0};
  std::atomic<std::uint64_t> lost_orders{0};
  std::atomic<std::uint64_t> resent_messages{0};      // our messages resent on the venue's request
};

class FixBroker final : public BrokerPort {
 public:
  // Validates settings (throws FixConfigError naming the setting). Does not connect yet.
  // `registry` must outlive the broker; it is read only on the core thread (in submit()).
  FixBroker(const FixSettings& settings, const InstrumentRegistry& registry);
  ~FixBroker() override;
  FixBroker(const FixBroker&) = delete;
  FixBroker& operator=(const FixBroker&) = delete;

  // Starts QuickFIX (connects, logs on, reconnects on its own) and the broker thread. Throws
  // FixConfigError when QuickFIX refuses the settings or the store cannot be opened.
  void start();
  // Logs out (bounded wait), stops both threads. Idempotent; the destructor calls it.
  void stop() noexcept;

  bool submit(const OrderCommand& command, TimestampNs now) noexcept override;
  int poll(const MarketState& market, TimestampNs now, ReportSink& sink) noexcept override;
  [[nodiscard]] BrokerLinkState link() const noexcept override;
  [[nodiscard]] const char* name() const noexcept override { return "fix"; }

  [[nodiscard]] const FixStats& stats() const noexcept;
  // The last anomaly in words ("35=8 without 11 (ClOrdID)"), for status output. Any thread.
  [[nodiscard]] std::string last_anomaly() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace odte::brokers
