// decision_log.h — where the daemon's records and messages go.
//
// Decision records go to journald as structured entries (PROSPECT_* fields)
// when its socket exists, else to stderr as one JSON object per line with the
// same field names. Operational messages (start, reload, errors) go through
// spdlog to the same place.
#pragma once

#include <string_view>

#include "policy/policy.h"
#include "policy/record.h"

namespace milter {

// (Re)configures the destination; called at start and after each reload.
void setup_logging(const policy::LoggingSettings& settings);

// Writes one decision record. Never throws: a record that cannot be written
// is reported on stderr.
void log_decision(const policy::DecisionRecord& record) noexcept;

// True when records go to journald.
bool logging_to_journald();

}  // namespace milter
