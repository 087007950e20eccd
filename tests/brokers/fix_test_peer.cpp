// TEST CODE: the processes the crash tests kill with SIGKILL.
//
//   fix_test_peer acceptor  PORT DIR           the broker-playing acceptor (PORT 0: a free one, printed
//                                              as "READY <port>"); fills every order in one-unit rounds;
//                                              duplicates are appended to DIR/dups.log
//   fix_test_peer initiator PORT DIR ORDERS    a scripted core (spreads and single SPY stock orders,
//                                              35=AB and 35=D): journals every intent and report to
//                                              DIR/journal.bin (write(2), survives kill -9), restores
//                                              its OrderManager from it on start, lets FixBroker
//                                              reconcile, re-sends what the venue never got, and
//                                              when every scripted order is filled prints
//                                              "POS a b c d e" (net contracts per option, shares of SPY)

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "fix_harness.hpp"
#include "fix_test_acceptor.hpp"
#include "odte/brokers/fix_broker.hpp"

namespace {

using namespace odte;
using namespace odte::testing;

volatile std::sig_atomic_t g_stop = 0;
void on_term(int) { g_stop = 1; }

int run_acceptor(std::uint16_t port, const std::string& dir) {
  ::signal(SIGTERM, on_term);
  if (port == 0) port = pick_free_port();
  FixTestAcceptor acceptor(AcceptorSettings{port, dir});
  acceptor.set_rule([](const AcceptorOrder& o) { return FillPlan{false, o.quantity, 1}; });
  acceptor.start();
  std::printf("READY %u\n", static_cast<unsigned>(port));
  std::fflush(stdout);
  std::uint64_t dups = 0;
  while (g_stop == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (acceptor.duplicate_new_orders() != dups) {
      dups = acceptor.duplicate_new_orders();
      FILE* f = std::fopen((dir + "/dups.log").c_str(), "a");
      if (f != nullptr) {
        std::fprintf(f, "duplicate new orders: %llu\n", static_cast<unsigned long long>(dups));
        std::fclose(f);
      }
    }
  }
  acceptor.stop();
  return 0;
}

struct JournalRecord {
  std::uint32_t type;     // 1 intent, 2 report
  std::uint32_t logical;  // scripted order index (intents)
  OrderCommand command;
  ExecutionReport report;
};

class ScriptedCore final : public ReportSink {
 public:
  ScriptedCore(const std::string& dir, std::uint32_t orders)
      : dir_{dir}, orders_{orders}, current_(orders), filled_(orders, false) {
    intern_options(registry_, ids_);
    ids_.push_back(intern_stock(registry_, "SPY"));
  }

  void restore() {
    std::filesystem::create_directories(dir_);
    const int fd = ::open((dir_ + "/journal.bin").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      JournalRecord rec{};
      while (::read(fd, &rec, sizeof rec) == static_cast<ssize_t>(sizeof rec)) {
        if (rec.type == 1) {
          OrderCommand c;
          if (om_.create(request(rec.logical), 0, c) != RequestStatus::kOk || c.id != rec.command.id) {
            std::fprintf(stderr, "journal replay diverged\n");
            std::exit(3);
          }
          current_[rec.logical] = c.id;
        } else if (rec.type == 2) {
          (void)om_.apply(rec.report, 0);
        }
      }
      ::close(fd);
    }
    journal_fd_ = ::open((dir_ + "/journal.bin").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  }

  void on_report(const ExecutionReport& r) noexcept override {
    JournalRecord rec{};
    rec.type = 2;
    rec.report = r;
    (void)!::write(journal_fd_, &rec, sizeof rec);  // journaled before it is applied, like the engine
    (void)om_.apply(r, 0);
    if (r.kind == ExecKind::kRejected && r.reason == brokers::kFixReasonLostAtVenue) lost_.push_back(r.id);
  }

  int run(std::uint16_t port) {
    brokers::FixSettings s;
    s.port = port;
    s.sender_comp_id = "ODTE";
    s.target_comp_id = "BROKER";
    s.store_dir = dir_ + "/store";
    s.log_dir = dir_ + "/log";
    s.heartbeat_s = 5;
    s.reconnect_s = 1;
    s.start_time = "00:00:00";
    s.end_time = "00:00:00";
    brokers::FixBroker broker(s, registry_);
    broker.start();
    MarketState market(64);
    auto pump = [&] { broker.poll(market, 0, *this); };
    if (!wait_for([&] { return broker.link() == BrokerLinkState::kUp; }, pump, std::chrono::milliseconds(20000))) {
      return 4;
    }
    pump();
    // After reconciliation: a scripted order whose latest request the venue never acknowledged in
    // any way is re-sent under a new id (the same ClOrdID is never sent twice).
    std::vector<std::uint32_t> todo;
    for (std::uint32_t l = 0; l < orders_; ++l) {
      const Order* o = current_[l].valid() ? om_.find(current_[l]) : nullptr;
      if (o == nullptr || o->state == OrderState::kPendingNew ||
          (o->state == OrderState::kRejected && o->reject_reason == brokers::kFixReasonLostAtVenue)) {
        todo.push_back(l);
      }
    }
    lost_.clear();
    std::size_t next = 0;
    OrderCommand pending{};
    bool have_pending = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(50);
    while (std::chrono::steady_clock::now() < deadline) {
      pump();
      for (const ClientOrderId id : lost_) {
        for (std::uint32_t l = 0; l < orders_; ++l) {
          if (current_[l] == id) todo.push_back(l);
        }
      }
      lost_.clear();
      if (!have_pending && next < todo.size()) {
        const std::uint32_t l = todo[next++];
        if (om_.create(request(l), 0, pending) != RequestStatus::kOk) return 5;
        pending.opening = 1;
        JournalRecord rec{};
        rec.type = 1;
        rec.logical = l;
        rec.command = pending;
        (void)!::write(journal_fd_, &rec, sizeof rec);  // the intent is journaled before it is sent
        current_[l] = pending.id;
        have_pending = true;
      }
      if (have_pending && broker.submit(pending, 0)) have_pending = false;
      if (!have_pending && next >= todo.size() && all_filled()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(15));
    }
    if (!all_filled()) return 6;
    const std::vector<std::int64_t> pos = positions(om_, registry_.size());
    std::printf("POS");
    for (const std::int64_t p : pos) std::printf(" %lld", static_cast<long long>(p));
    std::printf("\n");
    std::fflush(stdout);
    broker.stop();
    return 0;
  }

 private:
  NewOrder request(std::uint32_t l) {
    // Verticals and condors, 1-3 units, alternating debit and credit; every fourth a single SPY
    // order (1-3 shares, bought and sold in turn) that goes out as 35=D.
    legs_.clear();
    if (l % 4 == 3) {
      const bool buy = l % 8 == 3;
      legs_ = {OrderLeg{ids_[4], buy ? Side::kBuy : Side::kSell, kLegShares, 1}};
      return NewOrder{0, 1 + l % 3, buy ? Price::from_dollars(500) : -Price::from_dollars(499), legs_};
    }
    if (l % 2 == 0) {
      legs_ = {OrderLeg{ids_[0], Side::kBuy, 0, 1}, OrderLeg{ids_[1], Side::kSell, 0, 1}};
    } else {
      legs_ = {OrderLeg{ids_[2], Side::kSell, 0, 1}, OrderLeg{ids_[3], Side::kBuy, 0, 1},
               OrderLeg{ids_[0], Side::kSell, 0, 1}, OrderLeg{ids_[1], Side::kBuy, 0, 2}};
    }
    return NewOrder{0, 1 + l % 3, Price::from_cents(l % 2 == 0 ? 120 : -80), legs_};
  }

  bool all_filled() const {
    for (std::uint32_t l = 0; l < orders_; ++l) {
      const Order* o = current_[l].valid() ? om_.find(current_[l]) : nullptr;
      if (o == nullptr || o->state != OrderState::kFilled) return false;
    }
    return true;
  }

  std::string dir_;
  std::uint32_t orders_;
  InstrumentRegistry registry_{64};
  std::vector<InstrumentId> ids_;
  std::vector<OrderLeg> legs_;
  OrderManager om_{OrderManagerConfig{kFixTestDay, 1, 1024, 4096, 2'000'000'000, 2'000'000'000}};
  std::vector<ClientOrderId> current_;
  std::vector<bool> filled_;
  std::vector<ClientOrderId> lost_;
  int journal_fd_ = -1;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 4 && std::strcmp(argv[1], "acceptor") == 0) {
    return run_acceptor(static_cast<std::uint16_t>(std::atoi(argv[2])), argv[3]);
  }
  if (argc >= 5 && std::strcmp(argv[1], "initiator") == 0) {
    ScriptedCore core(argv[3], static_cast<std::uint32_t>(std::atoi(argv[4])));
    core.restore();
    return core.run(static_cast<std::uint16_t>(std::atoi(argv[2])));
  }
  std::fprintf(stderr, "usage: fix_test_peer acceptor PORT DIR | initiator PORT DIR ORDERS\n");
  return 2;
}
