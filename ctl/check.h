// check.h — `prospectctl check`: the daemon's verdict on a message file,
// offline, with the evidence per rule.
#pragma once

#include <string>
#include <vector>

namespace ctl {

struct CheckOptions {
    std::string policy_path;
    std::string sender;                   // envelope sender; default: the From address
    std::vector<std::string> recipients;  // envelope recipients
    std::string campaign;                 // overrides the campaign header
    bool json = false;
    std::string input;                    // file name, or "-" for standard input
};

// Runs the check and prints the report; returns the exit status
// (0 pass, 1 would be tagged or quarantined, 2 would be rejected, 64+ errors).
int run_check(const CheckOptions& options);

}  // namespace ctl
