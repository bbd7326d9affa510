// record.h — the decision record: what the milter decided about one message
// or recipient, as the named fields that go to journald (PROSPECT_*) or, where
// journald is absent, into one JSON object per line.
//
// The field names are an interface: ops query them with journalctl and the
// DPO's reports read them. docs/operations.md lists them.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy.h"
#include "scope.h"
#include "recipients.h"
#include "verdict.h"

namespace policy {

struct DecisionRecord {
    enum class Priority { error = 3, warning = 4, notice = 5, info = 6, debug = 7 };

    std::string message;  // one human-readable line (journald MESSAGE)
    Priority priority = Priority::info;
    std::vector<std::pair<std::string, std::string>> fields;

    void add(std::string name, std::string value) { fields.emplace_back(std::move(name), std::move(value)); }
    const std::string* find(std::string_view name) const;
};

// How a recipient appears in the log: SHA-256 of the normalised address
// unless the policy asks for addresses in clear.
std::string log_address(const Policy& policy, std::string_view address);

// The record of a judged prospecting message; `taken` is what the milter did
// (pass, monitor, tag, quarantine, reject).
DecisionRecord message_record(const Policy& policy, const MessageFacts& facts, const Verdict& verdict,
                              std::string_view taken, ScopeReason reason);

// The record of one recipient that failed a per-recipient rule
// (recipients.h): refused at `stage` (rcpt, or eom when removed at the end
// of the message) or, with a lesser action, only logged. `taken` is what was
// done to the recipient: refuse, monitor, tag, quarantine.
DecisionRecord recipient_record(const Policy& policy, const MessageFacts& facts, const RecipientVerdict& verdict,
                                std::string_view taken, std::string_view stage, std::string_view campaign);

// The record of mail found not to be prospecting.
DecisionRecord out_of_scope_record(const Policy& policy, const MessageFacts& facts, ScopeReason reason,
                                   Stage stage);

// The record of a message the milter could not judge.
DecisionRecord failure_record(const Policy& policy, const MessageFacts& facts, std::string_view taken,
                              std::string_view why);

// The record of a change of the policy in force: start, reload,
// reload_refused, stop. Shows which policy version decided what, and when.
DecisionRecord lifecycle_record(const Policy& policy, std::string_view event, std::string message);

// What the milter does for a verdict: the verdict's action, except that a
// verdict with no failed rule passes.
std::string_view action_taken(const Verdict& verdict);

}  // namespace policy
