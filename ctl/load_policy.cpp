#include "load_policy.h"

#include <cstdio>

#include "policy/config.h"

namespace ctl {

std::shared_ptr<const policy::Policy> load_policy_or_report(const std::string& path)
{
    const auto loaded = policy::load_policy(path);
    for (const auto& error : loaded.errors)
        std::fprintf(stderr, "%s\n", error.to_string().c_str());
    return loaded.policy;
}

}  // namespace ctl
