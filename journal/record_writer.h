// record_writer.h — writing a decision record (policy/record.h) where it
// belongs: journald as a structured entry, or one JSON object per line
// with the same fields, as `journalctl -o json` would print it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "policy/record.h"

namespace journal {

// Whether journald's socket is there to write to.
bool journald_reachable();

// Sends the record to journald under SYSLOG_IDENTIFIER `identifier`;
// throws std::runtime_error when journald refuses it.
void write_journald(const policy::DecisionRecord& record, std::string_view identifier);

// The record as one JSON line (with its newline): MESSAGE, PRIORITY,
// SYSLOG_IDENTIFIER, __REALTIME_TIMESTAMP (microseconds, now) and the
// PROSPECT_* fields; invalid UTF-8 replaced, never thrown on.
std::string json_line(const policy::DecisionRecord& record, std::string_view identifier);
// The same, stamped `realtime_microseconds` since the epoch.
std::string json_line(const policy::DecisionRecord& record, std::string_view identifier,
                      std::int64_t realtime_microseconds);

}  // namespace journal
