// report.h — `prospectctl report`: the milter's decision records summed up
// per campaign and per UTC day, for the DPO who must show what was enforced
// and when (GDPR art. 5(2)), read from the local journal or from JSON lines.
#pragma once

namespace ctl {

// argv[0] is "report"; returns the exit status (prospectctl(8)).
int report_command(int argc, char** argv);

}  // namespace ctl
