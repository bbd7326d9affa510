// config.h — reading and validating the policy file (libconfig++ syntax).
//
// load_policy() reports every problem it finds, each as "file:line: reason",
// and returns a Policy only when there is none: a policy is used whole or
// not at all.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "policy.h"

namespace policy {

struct ConfigError {
    std::string file;
    unsigned line = 0;  // 0 when the problem has no line (file unreadable)
    std::string message;

    std::string to_string() const;
};

struct LoadResult {
    std::shared_ptr<const Policy> policy;  // null when errors is not empty
    std::vector<ConfigError> errors;

    bool ok() const { return policy != nullptr; }
};

LoadResult load_policy(const std::string& path);

// Where the daemon and prospectctl look for the policy unless told.
inline constexpr const char* default_policy_path = "/etc/prospect-milter/prospect-milter.conf";

}  // namespace policy
