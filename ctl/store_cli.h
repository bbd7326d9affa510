// store_cli.h — the command lines of `prospectctl suppress ...` and
// `prospectctl consent ...`: options checked against the action, then
// handed to store_commands.h and import.h.
#pragma once

namespace ctl {

// argv[0] is "suppress" or "consent"; returns the exit status.
int suppress_command(int argc, char** argv);
int consent_command(int argc, char** argv);

}  // namespace ctl
