// load_policy.h — the policy a prospectctl command works under.
#pragma once

#include <memory>
#include <string>

#include "policy/policy.h"

namespace ctl {

// The policy at `path`, or null after printing each problem on stderr as
// "file:line: reason" (the command then exits 78, EX_CONFIG).
std::shared_ptr<const policy::Policy> load_policy_or_report(const std::string& path);

}  // namespace ctl
