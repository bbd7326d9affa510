#include "audit.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "journal/record_writer.h"

namespace ctl {

namespace {

constexpr const char* identifier = "prospectctl";

bool to_journald(const policy::LoggingSettings& logging)
{
    switch (logging.target) {
    case policy::LogTarget::automatic: return journal::journald_reachable();
    case policy::LogTarget::journald: return true;
    case policy::LogTarget::stderr_json: return false;
    }
    return false;
}

}  // namespace

std::string operator_name()
{
    if (const char* sudo_user = std::getenv("SUDO_USER"); sudo_user && *sudo_user)
        return sudo_user;
    if (const passwd* entry = getpwuid(geteuid()))
        return entry->pw_name;
    return "uid " + std::to_string(geteuid());
}

void audit(const policy::Policy& policy, policy::DecisionRecord record)
{
    record.add("PROSPECT_POLICY", policy.version);
    record.add("PROSPECT_OPERATOR", operator_name());
    try {
        if (to_journald(policy.logging)) {
            journal::write_journald(record, identifier);
            return;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "prospectctl: cannot write the record to journald (%s); here it is:\n", e.what());
    }
    const std::string line = journal::json_line(record, identifier);
    std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace ctl
