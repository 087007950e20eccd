#pragma once

// TEST CODE: a FIX 4.4 counterparty that plays the broker for FixBroker's tests. It is a real
// QuickFIX SocketAcceptor on 127.0.0.1 with its own FileStore, so logon, heartbeats, sequence
// numbers and resend are QuickFIX's on both sides. It is not a venue simulator: it accepts
// NewOrderMultileg (35=AB), fills by a scripted rule with leg-level reports (442=2), accepts
// NewOrderSingle (35=D, a stock) and fills it with plain reports (no 442) at its limit, rejects on
// request, rejects a short sale (54=5) that names no locate (114=N with 5700, or 114=Y) as a US
// broker would and echoes 54=5 and the locate on its reports, cancels (35=F), replaces (35=AC / 35=G), mass-cancels (35=q), answers mass status
// (35=AF), and can be told to send malformed messages.
//
// Its order book is appended to `<dir>/book.bin` on every change and read back at start, and
// scripted fills still owed are completed before the next status answer, so a kill -9 of the
// acceptor process loses nothing a real broker would keep.
//
// Thread contract: QuickFIX calls the callbacks on its own thread; the test thread's calls
// (fill, send_raw, orders, ...) take the same mutex.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "odte/brokers/fix_fields.hpp"
#include "odte/brokers/quickfix.hpp"

namespace odte::testing {

struct AcceptorLeg {
  char root[8];     // option root, or the stock symbol of a 35=D
  std::int32_t expiry;
  char right;       // 'C' / 'P'; 'S' for the stock of a 35=D
  char side;        // '1' buy / '2' sell / '5' sell short
  std::uint16_t ratio;
  Price strike;
};

// One order as the acceptor keeps it (plain data; appended to book.bin).
struct AcceptorOrder {
  char first_id[24];     // ClOrdID of the 35=AB (or 35=D)
  char current_id[24];   // ClOrdID of the latest accepted replace (or first_id)
  std::uint32_t seq;     // arrival order, 1-based
  std::uint32_t quantity;
  std::uint32_t filled;  // spread units (shares for a 35=D)
  std::uint32_t planned; // units the scripted rule still means to fill (survives a restart)
  std::uint32_t chunk;   // units per fill step
  Price limit;
  char status;           // FIX OrdStatus: '0' new, '1' partial, '2' filled, '4' cancelled, '8' rejected
  std::uint8_t leg_count;
  std::uint8_t single;   // 1: arrived as 35=D (one stock leg, plain reports, fills at the limit)
  char locate_reqd;      // 114 LocateReqd of a 35=D ('Y' / 'N'), 0 when absent
  AcceptorLeg legs[kMaxLegs];
  char locate_broker[24];  // 5700 LocateBroker of a 35=D, NUL-terminated; empty when absent
};

// What the rule decides for a new order.
struct FillPlan {
  bool reject = false;
  std::uint32_t fill_units = 0;  // filled right away after the ack (capped at the quantity)
  std::uint32_t chunk = 0;       // units per fill report round; 0 = all at once
};

struct AcceptorSettings {
  std::uint16_t port = 0;
  std::string dir;                   // store, log, book
  std::string sender_comp_id = "BROKER";
  std::string target_comp_id = "ODTE";
};

class FixTestAcceptor final : public FIX::Application {
 public:
  using Rule = std::function<FillPlan(const AcceptorOrder&)>;

  explicit FixTestAcceptor(AcceptorSettings settings);
  ~FixTestAcceptor() override;

  void start();
  void stop();

  // The default rule acknowledges and leaves the order working.
  void set_rule(Rule rule);

  // Fills `units` of a working order now (leg-level reports). False when not working.
  bool fill(const std::string& clordid, std::uint32_t units);
  // Sends an application message made of exactly these body fields (35 = msg_type).
  bool send_raw(const std::string& msg_type, const std::vector<std::pair<int, std::string>>& fields);
  // Drops the TCP connection (the initiator reconnects by itself).
  void disconnect();

  [[nodiscard]] bool logged_on() const noexcept { return logged_on_.load(); }
  [[nodiscard]] std::vector<AcceptorOrder> orders() const;
  [[nodiscard]] std::uint64_t new_orders() const noexcept { return new_orders_.load(); }
  [[nodiscard]] std::uint64_t duplicate_new_orders() const noexcept { return duplicate_new_.load(); }
  [[nodiscard]] std::uint64_t possdup_orders() const noexcept { return possdup_.load(); }
  [[nodiscard]] std::uint64_t received(const std::string& msg_type) const;
  [[nodiscard]] std::uint64_t logons() const noexcept { return logons_.load(); }
  // Cancels and replaces of a single order whose 54 was not the order's (refused with 35=9).
  [[nodiscard]] std::uint64_t side_mismatches() const noexcept { return side_mismatches_.load(); }

  // QuickFIX callbacks.
  void onCreate(const FIX::SessionID& id) override { session_ = id; }
  void onLogon(const FIX::SessionID&) override;
  void onLogout(const FIX::SessionID&) override { logged_on_ = false; }
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) override {}
  void fromAdmin(const FIX::Message&, const FIX::SessionID&) override {}
  void fromApp(const FIX::Message& message, const FIX::SessionID&) override;

 private:
  void on_new(const FIX::Message& m, bool single);
  void on_cancel(const FIX::Message& m);
  void on_replace(const FIX::Message& m);
  void on_mass_cancel(const FIX::Message& m);
  void on_mass_status(const FIX::Message& m);
  void fill_locked(AcceptorOrder& o, std::uint32_t units);
  void run_plan_locked(AcceptorOrder& o);
  void strategy_report(const AcceptorOrder& o, char exec_type, const std::string& clordid,
                       const std::string& orig, const std::string& text);
  static void echo_locate(const AcceptorOrder& o, FIX::Message& r);
  bool same_side(const AcceptorOrder& o, const FIX::Message& m);
  void cancel_reject(const std::string& clordid, const std::string& orig, int reason, char response_to);
  void persist_locked(const AcceptorOrder& o);
  void load_book();
  AcceptorOrder* find_locked(const std::string& any_id);
  bool send(FIX::Message& m);

  AcceptorSettings settings_;
  Rule rule_;
  mutable std::recursive_mutex mutex_;
  std::vector<AcceptorOrder> book_;
  std::map<std::string, std::size_t> by_id_;   // every ClOrdID of a chain -> book index
  std::map<std::string, std::uint64_t> received_;
  std::uint64_t exec_seq_ = 0;
  int book_fd_ = -1;
  FIX::SessionID session_;
  FIX::SessionSettings qf_settings_;
  std::unique_ptr<FIX::FileStoreFactory> store_;
  std::unique_ptr<FIX::FileLogFactory> log_;
  std::unique_ptr<FIX::SocketAcceptor> acceptor_;
  std::atomic<bool> logged_on_{false};
  std::atomic<std::uint64_t> new_orders_{0};
  std::atomic<std::uint64_t> duplicate_new_{0};
  std::atomic<std::uint64_t> possdup_{0};
  std::atomic<std::uint64_t> logons_{0};
  std::atomic<std::uint64_t> side_mismatches_{0};
};

// A free TCP port on 127.0.0.1 (bound and released; good enough for tests).
[[nodiscard]] std::uint16_t pick_free_port();

}  // namespace odte::testing
