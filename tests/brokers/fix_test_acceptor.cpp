// TEST CODE: the broker-playing FIX acceptor (see fix_test_acceptor.hpp).

#include "fix_test_acceptor.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

namespace odte::testing {

using brokers::fix_price;
using brokers::parse_fix_date;
using brokers::parse_fix_qty;

namespace {

constexpr std::uint32_t kBookMagic = 0x4b4f4f42;  // "BOOK"

struct BookRecord {
  std::uint32_t magic;
  std::uint32_t pad_;
  AcceptorOrder order;
};

void copy_id(char (&dst)[24], const std::string& src) {
  std::memset(dst, 0, sizeof dst);
  std::memcpy(dst, src.data(), std::min(src.size(), sizeof dst - 1));
}

constexpr int kTagLocateBroker = 5700;  // LocateBroker, as US brokers read it with 54=5

std::string get(const FIX::Message& m, int tag) { return m.isSetField(tag) ? m.getField(tag) : std::string(); }

// Scripted leg prices: deterministic, distinct per leg.
Price leg_price(int leg) { return Price::from_cents(100 + 5 * leg); }

}  // namespace

std::uint16_t pick_free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

FixTestAcceptor::FixTestAcceptor(AcceptorSettings settings) : settings_{std::move(settings)} {
  rule_ = [](const AcceptorOrder&) { return FillPlan{}; };
  exec_seq_ = static_cast<std::uint64_t>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                      .count())
              * 1000;
}

FixTestAcceptor::~FixTestAcceptor() { stop(); }

void FixTestAcceptor::start() {
  std::filesystem::create_directories(settings_.dir + "/store");
  std::filesystem::create_directories(settings_.dir + "/log");
  load_book();
  book_fd_ = ::open((settings_.dir + "/book.bin").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  FIX::Dictionary d;
  d.setString(FIX::CONNECTION_TYPE, "acceptor");
  d.setString(FIX::BEGINSTRING, "FIX.4.4");
  d.setString(FIX::SENDERCOMPID, settings_.sender_comp_id);
  d.setString(FIX::TARGETCOMPID, settings_.target_comp_id);
  d.setInt(FIX::SOCKET_ACCEPT_PORT, settings_.port);
  d.setString(FIX::SOCKET_REUSE_ADDRESS, "Y");
  d.setString(FIX::START_TIME, "00:00:00");
  d.setString(FIX::END_TIME, "00:00:00");
  d.setString(FIX::FILE_STORE_PATH, settings_.dir + "/store");
  d.setString(FIX::FILE_LOG_PATH, settings_.dir + "/log");
  // The acceptor reads NoLegs groups, so it needs a dictionary (without one QuickFIX refuses a
  // repeated tag); odte's FIX 4.4 subset is enough for what FixBroker sends.
  d.setString(FIX::USE_DATA_DICTIONARY, "Y");
  d.setString(FIX::DATA_DICTIONARY, ODTE_FIX44_DICTIONARY);
  d.setString("ValidateFieldsOutOfOrder", "N");
  d.setString("ValidateUserDefinedFields", "N");
  d.setString("AllowUnknownMsgFields", "Y");
  d.setString("ResetOnLogon", "N");
  d.setString("ResetOnDisconnect", "N");
  session_ = FIX::SessionID("FIX.4.4", settings_.sender_comp_id, settings_.target_comp_id);
  qf_settings_.set(session_, d);
  store_ = std::make_unique<FIX::FileStoreFactory>(settings_.dir + "/store");
  log_ = std::make_unique<FIX::FileLogFactory>(settings_.dir + "/log");
  acceptor_ = std::make_unique<FIX::SocketAcceptor>(*this, *store_, qf_settings_, *log_);
  acceptor_->start();
}

void FixTestAcceptor::stop() {
  if (acceptor_) {
    acceptor_->stop(true);
    acceptor_.reset();
  }
  logged_on_ = false;
  if (book_fd_ >= 0) ::close(book_fd_);
  book_fd_ = -1;
}

void FixTestAcceptor::set_rule(Rule rule) {
  std::lock_guard lock(mutex_);
  rule_ = std::move(rule);
}

void FixTestAcceptor::onLogon(const FIX::SessionID&) {
  logons_.fetch_add(1);
  logged_on_ = true;
}

bool FixTestAcceptor::send(FIX::Message& m) {
  try {
    return FIX::Session::sendToTarget(m, session_);
  } catch (...) {
    return false;
  }
}

void FixTestAcceptor::disconnect() {
  if (FIX::Session* s = FIX::Session::lookupSession(session_)) s->disconnect();
  logged_on_ = false;
}

std::vector<AcceptorOrder> FixTestAcceptor::orders() const {
  std::lock_guard lock(mutex_);
  return book_;
}

std::uint64_t FixTestAcceptor::received(const std::string& msg_type) const {
  std::lock_guard lock(mutex_);
  const auto it = received_.find(msg_type);
  return it == received_.end() ? 0 : it->second;
}

void FixTestAcceptor::persist_locked(const AcceptorOrder& o) {
  BookRecord rec{};
  rec.magic = kBookMagic;
  rec.order = o;
  if (book_fd_ >= 0) (void)!::write(book_fd_, &rec, sizeof rec);
}

void FixTestAcceptor::load_book() {
  std::lock_guard lock(mutex_);
  book_.clear();
  by_id_.clear();
  const int fd = ::open((settings_.dir + "/book.bin").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  BookRecord rec{};
  while (::read(fd, &rec, sizeof rec) == static_cast<ssize_t>(sizeof rec) && rec.magic == kBookMagic) {
    const std::string first = rec.order.first_id;
    const auto it = by_id_.find(first);
    if (it == by_id_.end()) {
      by_id_[first] = book_.size();
      book_.push_back(rec.order);
    } else {
      book_[it->second] = rec.order;
    }
    by_id_[rec.order.current_id] = by_id_[first];
  }
  ::close(fd);
}

AcceptorOrder* FixTestAcceptor::find_locked(const std::string& any_id) {
  const auto it = by_id_.find(any_id);
  return it == by_id_.end() ? nullptr : &book_[it->second];
}

void FixTestAcceptor::fromApp(const FIX::Message& m, const FIX::SessionID&) {
  std::lock_guard lock(mutex_);
  const std::string type = m.getHeader().getField(FIX::FIELD::MsgType);
  ++received_[type];
  if (type == "AB" || type == "D") {
    on_new(m, type == "D");
  } else if (type == "F") {
    on_cancel(m);
  } else if (type == "AC" || type == "G") {
    on_replace(m);
  } else if (type == "q") {
    on_mass_cancel(m);
  } else if (type == "AF") {
    on_mass_status(m);
  }
}

void FixTestAcceptor::on_new(const FIX::Message& m, bool single) {
  const std::string id = get(m, FIX::FIELD::ClOrdID);
  const bool possdup = m.getHeader().isSetField(FIX::FIELD::PossDupFlag) &&
                       m.getHeader().getField(FIX::FIELD::PossDupFlag) == "Y";
  if (possdup) possdup_.fetch_add(1);
  if (find_locked(id) != nullptr) {
    // A resend of an order we already have is recognised by its ClOrdID; anything else is a
    // duplicate the adapter must never produce.
    if (!possdup) duplicate_new_.fetch_add(1);
    return;
  }
  new_orders_.fetch_add(1);
  AcceptorOrder o{};
  copy_id(o.first_id, id);
  copy_id(o.current_id, id);
  o.seq = static_cast<std::uint32_t>(book_.size() + 1);
  o.quantity = parse_fix_qty(get(m, FIX::FIELD::OrderQty)).value_or(0);
  o.limit = Price::parse(get(m, FIX::FIELD::Price)).value_or(Price::zero());
  o.status = '0';
  o.single = single ? 1 : 0;
  const std::size_t legs = single ? 0 : m.groupCount(FIX::FIELD::NoLegs);
  o.leg_count = static_cast<std::uint8_t>(std::min<std::size_t>(legs, kMaxLegs));
  std::vector<FIX44::NewOrderMultileg::NoLegs> groups(o.leg_count);
  for (std::size_t i = 0; i < o.leg_count; ++i) m.getGroup(static_cast<unsigned>(i + 1), groups[i]);
  auto at = [&](int tag, std::size_t i) { return groups[i].isSetField(tag) ? groups[i].getField(tag) : std::string(); };
  for (std::size_t i = 0; i < o.leg_count; ++i) {
    AcceptorLeg& l = o.legs[i];
    const std::string root = at(FIX::FIELD::LegSymbol, i);
    std::memcpy(l.root, root.data(), std::min<std::size_t>(root.size(), 7));
    l.expiry = parse_fix_date(at(FIX::FIELD::LegMaturityDate, i)).value_or(0);
    const std::string cfi = at(FIX::FIELD::LegCFICode, i);
    l.right = cfi.size() >= 2 ? cfi[1] : '?';
    const std::string side = at(FIX::FIELD::LegSide, i);
    l.side = side.empty() ? '?' : side[0];
    l.ratio = static_cast<std::uint16_t>(parse_fix_qty(at(FIX::FIELD::LegRatioQty, i)).value_or(1));
    l.strike = Price::parse(at(FIX::FIELD::LegStrikePrice, i)).value_or(Price::zero());
  }
  if (single) {
    o.leg_count = 1;
    AcceptorLeg& l = o.legs[0];
    const std::string symbol = get(m, FIX::FIELD::Symbol);
    std::memcpy(l.root, symbol.data(), std::min<std::size_t>(symbol.size(), 7));
    l.right = 'S';
    const std::string side = get(m, FIX::FIELD::Side);
    l.side = side.empty() ? '?' : side[0];
    l.ratio = 1;
    l.strike = Price::zero();
    if (get(m, FIX::FIELD::OrdType) != "2" || o.limit <= Price::zero()) o.quantity = 0;  // rejected below
    const std::string reqd = get(m, FIX::FIELD::LocateReqd);
    o.locate_reqd = reqd.empty() ? '\0' : reqd[0];
    const std::string locate = get(m, kTagLocateBroker);
    std::memcpy(o.locate_broker, locate.data(), std::min<std::size_t>(locate.size(), sizeof o.locate_broker - 1));
  }
  const FillPlan plan = rule_(o);
  by_id_[id] = book_.size();
  // Reg SHO: a short sale is taken only with a locate, ours (114=Y) or the sender's (114=N, 5700).
  const bool unlocated = single && o.legs[0].side == '5' &&
                         !(o.locate_reqd == 'Y' || (o.locate_reqd == 'N' && o.locate_broker[0] != '\0'));
  if (plan.reject || o.quantity == 0 || o.leg_count == 0 || unlocated) {
    o.status = '8';
    book_.push_back(o);
    persist_locked(o);
    strategy_report(o, '8', id, "", unlocated ? "short sale without locate" : "scripted reject");
    return;
  }
  o.planned = std::min(plan.fill_units, o.quantity);
  o.chunk = plan.chunk == 0 ? o.planned : plan.chunk;
  book_.push_back(o);
  persist_locked(o);  // the plan is durable before anything is said about it
  strategy_report(book_.back(), '0', id, "", "");
  run_plan_locked(book_.back());
}

void FixTestAcceptor::run_plan_locked(AcceptorOrder& o) {
  while (o.planned > 0 && (o.status == '0' || o.status == '1')) {
    const std::uint32_t step = std::min(o.chunk == 0 ? o.planned : o.chunk, o.planned);
    fill_locked(o, step);
  }
}

bool FixTestAcceptor::fill(const std::string& clordid, std::uint32_t units) {
  std::lock_guard lock(mutex_);
  AcceptorOrder* o = find_locked(clordid);
  if (o == nullptr || (o->status != '0' && o->status != '1')) return false;
  fill_locked(*o, std::min(units, o->quantity - o->filled));
  return true;
}

void FixTestAcceptor::fill_locked(AcceptorOrder& o, std::uint32_t units) {
  if (units == 0) return;
  o.filled += units;
  o.planned = o.planned > units ? o.planned - units : 0;
  o.status = o.filled >= o.quantity ? '2' : '1';
  persist_locked(o);
  // One fill report for leg `l`: quantities times its ratio, at `price`, commission per unit.
  auto fill_report = [&](const AcceptorLeg& l, std::uint32_t ratio, Price price, Price commission) {
    FIX44::ExecutionReport r;
    r.setField(FIX::FIELD::OrderID, std::string("B-") + o.first_id);
    r.setField(FIX::FIELD::ExecID, "X" + std::to_string(++exec_seq_));
    r.setField(FIX::FIELD::ExecType, "F");
    r.setField(FIX::FIELD::OrdStatus, std::string(1, o.status));
    r.setField(FIX::FIELD::ClOrdID, o.current_id);
    r.setField(FIX::FIELD::Symbol, l.root);
    r.setField(FIX::FIELD::Side, std::string(1, l.side));
    r.setField(FIX::FIELD::LastQty, std::to_string(units * ratio));
    r.setField(FIX::FIELD::LastPx, fix_price(price));
    r.setField(FIX::FIELD::CumQty, std::to_string(o.filled * ratio));
    r.setField(FIX::FIELD::LeavesQty, std::to_string((o.quantity - o.filled) * ratio));
    r.setField(FIX::FIELD::AvgPx, fix_price(price));
    r.setField(FIX::FIELD::Commission, fix_price(commission * static_cast<std::int64_t>(units * ratio)));
    r.setField(FIX::FIELD::CommType, "3");
    return r;
  };
  if (o.single != 0) {
    // A single order's fill: no 442, shares, at the order's limit (a scripted stock price).
    FIX44::ExecutionReport r = fill_report(o.legs[0], 1, o.limit, Price::from_cents(1));
    echo_locate(o, r);
    send(r);
    return;
  }
  for (int i = 0; i < o.leg_count; ++i) {
    const AcceptorLeg& l = o.legs[i];
    FIX44::ExecutionReport r = fill_report(l, l.ratio, leg_price(i), Price::from_cents(65));
    r.setField(FIX::FIELD::MultiLegReportingType, "2");
    r.setField(FIX::FIELD::MaturityDate, std::to_string(l.expiry));
    r.setField(FIX::FIELD::StrikePrice, fix_price(l.strike));
    r.setField(FIX::FIELD::PutOrCall, l.right == 'P' ? "0" : "1");
    send(r);
  }
}

void FixTestAcceptor::strategy_report(const AcceptorOrder& o, char exec_type, const std::string& clordid,
                                      const std::string& orig, const std::string& text) {
  FIX44::ExecutionReport r;
  r.setField(FIX::FIELD::OrderID, std::string("B-") + o.first_id);
  r.setField(FIX::FIELD::ExecID, "X" + std::to_string(++exec_seq_));
  r.setField(FIX::FIELD::ExecType, std::string(1, exec_type));
  r.setField(FIX::FIELD::OrdStatus, std::string(1, o.status));
  r.setField(FIX::FIELD::ClOrdID, clordid);
  if (!orig.empty()) r.setField(FIX::FIELD::OrigClOrdID, orig);
  if (o.single == 0) r.setField(FIX::FIELD::MultiLegReportingType, "3");
  r.setField(FIX::FIELD::Symbol, o.legs[0].root);
  r.setField(FIX::FIELD::Side, o.single != 0 ? std::string(1, o.legs[0].side) : std::string("1"));
  r.setField(FIX::FIELD::OrderQty, std::to_string(o.quantity));
  r.setField(FIX::FIELD::Price, fix_price(o.limit));
  r.setField(FIX::FIELD::CumQty, std::to_string(o.filled));
  r.setField(FIX::FIELD::LeavesQty,
             std::to_string(o.status == '0' || o.status == '1' ? o.quantity - o.filled : 0));
  r.setField(FIX::FIELD::AvgPx, fix_price(o.limit));
  if (exec_type == '8') r.setField(FIX::FIELD::OrdRejReason, "0");
  if (!text.empty()) r.setField(FIX::FIELD::Text, text);
  echo_locate(o, r);
  send(r);
}

void FixTestAcceptor::echo_locate(const AcceptorOrder& o, FIX::Message& r) {
  if (o.single == 0) return;
  if (o.locate_reqd != '\0') r.setField(FIX::FIELD::LocateReqd, std::string(1, o.locate_reqd));
  if (o.locate_broker[0] != '\0') r.setField(kTagLocateBroker, o.locate_broker);
}

void FixTestAcceptor::cancel_reject(const std::string& clordid, const std::string& orig, int reason,
                                    char response_to) {
  FIX44::OrderCancelReject r;
  r.setField(FIX::FIELD::OrderID, "NONE");
  r.setField(FIX::FIELD::ClOrdID, clordid);
  r.setField(FIX::FIELD::OrigClOrdID, orig);
  r.setField(FIX::FIELD::OrdStatus, "8");
  r.setField(FIX::FIELD::CxlRejResponseTo, std::string(1, response_to));
  r.setField(FIX::FIELD::CxlRejReason, std::to_string(reason));
  send(r);
}

void FixTestAcceptor::on_cancel(const FIX::Message& m) {
  const std::string id = get(m, FIX::FIELD::ClOrdID);
  const std::string orig = get(m, FIX::FIELD::OrigClOrdID);
  AcceptorOrder* o = find_locked(orig);
  if (o == nullptr || (o->status != '0' && o->status != '1') || !same_side(*o, m)) {
    cancel_reject(id, orig, o == nullptr ? 1 : 0, '1');
    return;
  }
  o->status = '4';
  o->planned = 0;
  by_id_[id] = by_id_[o->first_id];
  persist_locked(*o);
  strategy_report(*o, '4', id, orig, "");
}

// A request about a single order names the side it was entered with (a short sale stays 54=5).
bool FixTestAcceptor::same_side(const AcceptorOrder& o, const FIX::Message& m) {
  if (o.single == 0) return true;
  if (get(m, FIX::FIELD::Side) == std::string(1, o.legs[0].side)) return true;
  side_mismatches_.fetch_add(1);
  return false;
}

void FixTestAcceptor::on_replace(const FIX::Message& m) {
  const std::string id = get(m, FIX::FIELD::ClOrdID);
  const std::string orig = get(m, FIX::FIELD::OrigClOrdID);
  AcceptorOrder* o = find_locked(orig);
  const auto qty = parse_fix_qty(get(m, FIX::FIELD::OrderQty));
  const auto limit = Price::parse(get(m, FIX::FIELD::Price));
  if (o == nullptr || (o->status != '0' && o->status != '1') || !qty || !limit || *qty < o->filled ||
      !same_side(*o, m)) {
    cancel_reject(id, orig, o == nullptr ? 1 : 0, '2');
    return;
  }
  o->quantity = *qty;
  o->limit = *limit;
  copy_id(o->current_id, id);
  o->status = o->filled >= o->quantity ? '2' : o->filled > 0 ? '1' : '0';
  by_id_[id] = by_id_[o->first_id];
  persist_locked(*o);
  strategy_report(*o, '5', id, orig, "");
}

void FixTestAcceptor::on_mass_cancel(const FIX::Message& m) {
  int cancelled = 0;
  for (AcceptorOrder& o : book_) {
    if (o.status != '0' && o.status != '1') continue;
    o.status = '4';
    o.planned = 0;
    persist_locked(o);
    strategy_report(o, '4', o.current_id, "", "mass cancel");
    ++cancelled;
  }
  FIX::Message r;
  r.getHeader().setField(FIX::FIELD::MsgType, "r");
  r.setField(FIX::FIELD::ClOrdID, get(m, FIX::FIELD::ClOrdID));
  r.setField(FIX::FIELD::OrderID, "MC");
  r.setField(FIX::FIELD::MassCancelRequestType, "7");
  r.setField(FIX::FIELD::MassCancelResponse, "7");
  r.setField(FIX::FIELD::TotalAffectedOrders, std::to_string(cancelled));
  send(r);
}

void FixTestAcceptor::on_mass_status(const FIX::Message& m) {
  // Fills still owed from before a restart are made first, as a venue would keep matching.
  for (AcceptorOrder& o : book_) run_plan_locked(o);
  const std::string req = get(m, FIX::FIELD::MassStatusReqID);
  std::size_t total = 0;
  for (const AcceptorOrder& o : book_) {
    ++total;
    if (o.filled > 0 && o.single == 0) total += o.leg_count;
  }
  std::size_t sent = 0;
  auto tail = [&](FIX::Message& r) {
    r.setField(FIX::FIELD::MassStatusReqID, req);
    r.setField(FIX::FIELD::TotNumReports, std::to_string(total));
    r.setField(FIX::FIELD::LastRptRequested, ++sent == total ? "Y" : "N");
  };
  if (total == 0) {
    FIX44::ExecutionReport r;
    r.setField(FIX::FIELD::OrderID, "NONE");
    r.setField(FIX::FIELD::ExecID, "X" + std::to_string(++exec_seq_));
    r.setField(FIX::FIELD::ExecType, "I");
    r.setField(FIX::FIELD::OrdStatus, "8");
    r.setField(FIX::FIELD::Side, "1");
    r.setField(FIX::FIELD::Symbol, "NONE");
    r.setField(FIX::FIELD::CumQty, "0");
    r.setField(FIX::FIELD::LeavesQty, "0");
    r.setField(FIX::FIELD::AvgPx, "0");
    r.setField(FIX::FIELD::MassStatusReqID, req);
    r.setField(FIX::FIELD::TotNumReports, "0");
    r.setField(FIX::FIELD::LastRptRequested, "Y");
    send(r);
    return;
  }
  for (const AcceptorOrder& o : book_) {
    FIX44::ExecutionReport r;
    r.setField(FIX::FIELD::OrderID, std::string("B-") + o.first_id);
    r.setField(FIX::FIELD::ExecID, "X" + std::to_string(++exec_seq_));
    r.setField(FIX::FIELD::ExecType, "I");
    r.setField(FIX::FIELD::OrdStatus, std::string(1, o.status));
    r.setField(FIX::FIELD::ClOrdID, o.current_id);
    if (o.single == 0) r.setField(FIX::FIELD::MultiLegReportingType, "3");
    r.setField(FIX::FIELD::Symbol, o.legs[0].root);
    r.setField(FIX::FIELD::Side, o.single != 0 ? std::string(1, o.legs[0].side) : std::string("1"));
    r.setField(FIX::FIELD::CumQty, std::to_string(o.filled));
    r.setField(FIX::FIELD::LeavesQty, std::to_string(o.status == '0' || o.status == '1' ? o.quantity - o.filled : 0));
    r.setField(FIX::FIELD::AvgPx, fix_price(o.limit));
    tail(r);
    send(r);
    if (o.filled == 0 || o.single != 0) continue;  // a single order's one line says it all
    for (int i = 0; i < o.leg_count; ++i) {
      const AcceptorLeg& l = o.legs[i];
      FIX44::ExecutionReport g;
      g.setField(FIX::FIELD::OrderID, std::string("B-") + o.first_id);
      g.setField(FIX::FIELD::ExecID, "X" + std::to_string(++exec_seq_));
      g.setField(FIX::FIELD::ExecType, "I");
      g.setField(FIX::FIELD::OrdStatus, std::string(1, o.status));
      g.setField(FIX::FIELD::ClOrdID, o.current_id);
      g.setField(FIX::FIELD::MultiLegReportingType, "2");
      g.setField(FIX::FIELD::Symbol, l.root);
      g.setField(FIX::FIELD::MaturityDate, std::to_string(l.expiry));
      g.setField(FIX::FIELD::StrikePrice, fix_price(l.strike));
      g.setField(FIX::FIELD::PutOrCall, l.right == 'P' ? "0" : "1");
      g.setField(FIX::FIELD::Side, std::string(1, l.side));
      g.setField(FIX::FIELD::CumQty, std::to_string(o.filled * l.ratio));
      g.setField(FIX::FIELD::LeavesQty, std::to_string((o.quantity - o.filled) * l.ratio));
      g.setField(FIX::FIELD::AvgPx, fix_price(leg_price(i)));
      tail(g);
      send(g);
    }
  }
}

bool FixTestAcceptor::send_raw(const std::string& msg_type, const std::vector<std::pair<int, std::string>>& fields) {
  FIX::Message m;
  m.getHeader().setField(FIX::FIELD::MsgType, msg_type);
  for (const auto& [tag, value] : fields) m.setField(tag, value);
  std::lock_guard lock(mutex_);
  return send(m);
}

}  // namespace odte::testing
