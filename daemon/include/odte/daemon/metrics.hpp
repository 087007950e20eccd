#pragma once

// Prometheus text exposition (version 0.0.4) of the core's snapshot and the admin counters:
// served on 127.0.0.1:admin.metrics_port at GET /metrics by the admin thread, and the same
// numbers `odtectl metrics` shows.

#include <string>

#include "odte/core/engine/control.hpp"
#include "odte/daemon/admin_server.hpp"

namespace odte::daemon {

[[nodiscard]] std::string prometheus_text(const CoreSnapshot& snapshot, const AdminStats& admin);

}  // namespace odte::daemon
