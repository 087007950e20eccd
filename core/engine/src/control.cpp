#include "odte/core/engine/control.hpp"

namespace odte {

std::string_view to_string(ControlKind k) noexcept {
  switch (k) {
    case ControlKind::kPause: return "pause";
    case ControlKind::kResume: return "resume";
    case ControlKind::kFlatten: return "flatten";
    case ControlKind::kKill: return "kill";
    case ControlKind::kUnkill: return "unkill";
    case ControlKind::kSetRiskLimits: return "risk_set";
    case ControlKind::kEnableStrategy: return "strategy_enable";
    case ControlKind::kDisableStrategy: return "strategy_disable";
  }
  return "unknown";
}

std::string_view to_string(CoreState s) noexcept {
  switch (s) {
    case CoreState::kStarting: return "starting";
    case CoreState::kReconciling: return "reconciling";
    case CoreState::kRunning: return "running";
    case CoreState::kHalted: return "halted";
    case CoreState::kStopping: return "stopping";
    case CoreState::kIdle: return "idle";
  }
  return "unknown";
}

std::string_view to_string(LifecycleState s) noexcept {
  switch (s) {
    case LifecycleState::kNone: return "none";
    case LifecycleState::kIdle: return "idle";
    case LifecycleState::kConnecting: return "connecting";
    case LifecycleState::kReconciling: return "reconciling";
    case LifecycleState::kTrading: return "trading";
    case LifecycleState::kClosing: return "closing";
    case LifecycleState::kReporting: return "reporting";
  }
  return "unknown";
}

}  // namespace odte
