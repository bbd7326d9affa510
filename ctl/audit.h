// audit.h — the record prospectctl leaves of what it did to a person's
// data (subject access, erasure, purge): the DPO must be able to show that
// a request was answered, and when. Written as the daemon writes its
// decisions (journal/record_writer.h), under SYSLOG_IDENTIFIER=prospectctl.
#pragma once

#include "policy/policy.h"
#include "policy/record.h"

namespace ctl {

// To journald where the policy's logging target says so (and it is
// there), else as one JSON line on stderr; never throws.
void audit(const policy::Policy& policy, policy::DecisionRecord record);

// Who ran the command: the user behind sudo, else the process's user.
std::string operator_name();

}  // namespace ctl
