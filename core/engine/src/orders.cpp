#include "odte/core/engine/orders.hpp"

#include <array>
#include <cstdio>

namespace odte {

std::size_t ClientOrderId::format(char* buf, std::size_t size) const noexcept {
  const int n = std::snprintf(buf, size, "OD%08d-%06u", day(), seq());
  return n < 0 ? 0 : static_cast<std::size_t>(n);
}

std::string ClientOrderId::to_string() const {
  std::array<char, 32> buf{};
  const std::size_t n = format(buf.data(), buf.size());
  return std::string(buf.data(), n);
}

std::optional<ClientOrderId> ClientOrderId::parse(std::string_view text) noexcept {
  // OD + 8 digit day + '-' + at least 6 digit sequence (more digits once past 999,999).
  if (text.size() < 17 || text.size() > 21 || text.substr(0, 2) != "OD" || text[10] != '-') {
    return std::nullopt;
  }
  std::uint64_t day = 0;
  for (std::size_t i = 2; i < 10; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    day = day * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  std::uint64_t seq = 0;
  for (std::size_t i = 11; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    seq = seq * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  if (day < 19000101 || day > 29991231 || seq == 0 || seq > 0xFFFF'FFFFu) return std::nullopt;
  return ClientOrderId::make(static_cast<std::int32_t>(day), static_cast<std::uint32_t>(seq));
}

std::string_view to_string(Side s) noexcept { return s == Side::kBuy ? "buy" : "sell"; }

std::string_view to_string(CommandKind k) noexcept {
  switch (k) {
    case CommandKind::kNew: return "new";
    case CommandKind::kCancel: return "cancel";
    case CommandKind::kReplace: return "replace";
    case CommandKind::kCancelAll: return "cancel_all";
    case CommandKind::kStatusRequest: return "status_request";
  }
  return "unknown";
}

std::string_view to_string(ExecKind k) noexcept {
  switch (k) {
    case ExecKind::kAccepted: return "accepted";
    case ExecKind::kPartialFill: return "partial_fill";
    case ExecKind::kFill: return "fill";
    case ExecKind::kCancelled: return "cancelled";
    case ExecKind::kReplaced: return "replaced";
    case ExecKind::kRejected: return "rejected";
    case ExecKind::kExpired: return "expired";
    case ExecKind::kCancelRejected: return "cancel_rejected";
    case ExecKind::kStatus: return "status";
    case ExecKind::kStatusEnd: return "status_end";
  }
  return "unknown";
}

std::string_view to_string(OrderState s) noexcept {
  switch (s) {
    case OrderState::kPendingNew: return "pending_new";
    case OrderState::kNew: return "new";
    case OrderState::kPartiallyFilled: return "partially_filled";
    case OrderState::kFilled: return "filled";
    case OrderState::kPendingCancel: return "pending_cancel";
    case OrderState::kPendingReplace: return "pending_replace";
    case OrderState::kCancelled: return "cancelled";
    case OrderState::kRejected: return "rejected";
    case OrderState::kExpired: return "expired";
  }
  return "unknown";
}

}  // namespace odte
