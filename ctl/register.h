// register.h — `prospectctl register`: the GDPR art. 30 record of
// processing activities of the policy's campaigns, for the DPO, as
// Markdown or printable HTML.
#pragma once

namespace ctl {

// argv[0] is "register"; returns the exit status: 0 written, 64 usage,
// 73 cannot create the output file, 74 cannot write it, 78 bad policy.
int register_command(int argc, char** argv);

}  // namespace ctl
