#include "odte/brokers/paper_broker.hpp"

#include <cstdlib>

namespace odte::brokers {

PaperBroker::PaperBroker(const PaperBrokerConfig& config)
    : config_{config},
      pending_{std::make_unique<Pending[]>(config.max_pending)},
      refused_{std::make_unique<Pending[]>(config.max_pending)},
      working_{std::make_unique<Working[]>(config.max_working)},
      finished_{std::make_unique<ClientOrderId[]>(2 * static_cast<std::size_t>(config.max_working))},
      done_{std::make_unique<Working[]>(config.max_done == 0 ? 1 : config.max_done)} {
  if (config_.max_done == 0) config_.max_done = 1;
}

bool PaperBroker::finished(ClientOrderId id) const noexcept {
  const std::uint64_t cap = 2 * static_cast<std::uint64_t>(config_.max_working);
  const std::uint64_t n = finished_count_ < cap ? finished_count_ : cap;
  for (std::uint64_t i = 0; i < n; ++i) {
    if (finished_[(finished_count_ - 1 - i) % cap] == id) return true;
  }
  return false;
}

void PaperBroker::submit(const OrderCommand& command, TimestampNs now) noexcept {
  ++stats_.commands;
  if (pending_tail_ - pending_head_ >= config_.max_pending) {
    // Never silently lost: a command that finds the queue full is refused on the next poll.
    ++stats_.dropped_commands;
    if (refused_tail_ - refused_head_ >= config_.max_pending) std::abort();  // broken invariant
    refused_[refused_tail_ % config_.max_pending] = Pending{command, now};
    ++refused_tail_;
    return;
  }
  pending_[pending_tail_ % config_.max_pending] = Pending{command, now + config_.latency_ns};
  ++pending_tail_;
}

TimestampNs PaperBroker::next_due_ns() const noexcept {
  if (pending_head_ < pending_tail_) return pending_[pending_head_ % config_.max_pending].due_ns;
  return INT64_MAX;
}

PaperBroker::Working* PaperBroker::find(ClientOrderId id) noexcept {
  for (std::uint32_t i = 0; i < working_count_; ++i) {
    Working& w = working_[i];
    if (w.order.id == id || w.current_id == id) return &w;
  }
  return nullptr;
}

std::uint32_t PaperBroker::working() const noexcept {
  std::uint32_t n = 0;
  for (std::uint32_t i = 0; i < working_count_; ++i) n += working_[i].live ? 1u : 0u;
  return n;
}

void PaperBroker::compact() noexcept {
  // Keep arrival order (determinism) while dropping finished orders.
  std::uint32_t out = 0;
  for (std::uint32_t i = 0; i < working_count_; ++i) {
    if (working_[i].live) {
      if (out != i) working_[out] = working_[i];
      ++out;
    } else {
      const std::uint64_t cap = 2 * static_cast<std::uint64_t>(config_.max_working);
      finished_[finished_count_++ % cap] = working_[i].order.id;
      if (working_[i].current_id != working_[i].order.id) finished_[finished_count_++ % cap] = working_[i].current_id;
      done_[done_count_++ % config_.max_done] = working_[i];
    }
  }
  working_count_ = out;
}

ExecutionReport PaperBroker::blank(ExecKind kind, const Working* w, ClientOrderId id, TimestampNs now) const noexcept {
  ExecutionReport r = blank_report(kind, id, now);
  if (w != nullptr) {
    r.broker_order_id = w->broker_id;
    r.leaves_qty = w->live ? w->order.quantity - w->filled : 0;
  }
  return r;
}

}  // namespace odte::brokers
