#include "odte/core/market/events.hpp"

namespace odte {

std::string_view to_string(EventKind kind) noexcept {
  switch (kind) {
    case EventKind::kTrade: return "trade";
    case EventKind::kQuote: return "quote";
    case EventKind::kBar: return "bar";
    case EventKind::kIndexValue: return "index";
    case EventKind::kStatus: return "status";
  }
  return "unknown";
}

std::string_view to_string(StreamId stream) noexcept {
  switch (stream) {
    case StreamId::kStocks: return "stocks";
    case StreamId::kOptions: return "options";
    case StreamId::kIndices: return "indices";
    case StreamId::kReplay: return "replay";
  }
  return "unknown";
}

std::string_view to_string(StatusCode code) noexcept {
  switch (code) {
    case StatusCode::kConnected: return "connected";
    case StatusCode::kAuthSuccess: return "auth_success";
    case StatusCode::kAuthFailed: return "auth_failed";
    case StatusCode::kAuthTimeout: return "auth_timeout";
    case StatusCode::kMaxConnections: return "max_connections";
    case StatusCode::kSubscribed: return "success";
    case StatusCode::kError: return "error";
    case StatusCode::kDisconnected: return "disconnected";
    case StatusCode::kStale: return "stale";
    case StatusCode::kUnknown: return "unknown";
  }
  return "unknown";
}

}  // namespace odte
