// purge.h — `prospectctl purge`: deletes what the store may no longer keep
// (policy/retention.h): contact histories past their campaign's retention
// and consents past consent.validity_days. Suppressions stay. Run daily by
// prospect-milter-purge.timer.
#pragma once

namespace ctl {

// argv[0] is "purge"; returns the exit status.
int purge_command(int argc, char** argv);

}  // namespace ctl
