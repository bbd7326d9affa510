// recipients.h — the rules that are judged per recipient: `suppression`
// (the person objected) and `consent` (the person had to opt in first).
//
// Pure, like verdict.h: the milter looks the recipient up in the store and
// hands the facts in; the decision and its wording come out. What a failed
// rule does is the rule's action: reject refuses the recipient (550 5.7.1 at
// RCPT, or removed from the message at its end), monitor only logs it, tag
// and quarantine mark the whole message (verdict.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "policy.h"
#include "verdict.h"

namespace policy {

// What is known about one recipient when it is judged.
struct RecipientFacts {
    std::string address;  // normalised as the store keys it
    // The store's suppression entry, if any: its description ("since
    // 2026-11-02 by mailto, campaign spring-2026") and whether it is one
    // for the whole domain.
    std::optional<std::string> suppression;
    bool suppression_by_domain = false;
    // Whether consent is needed (nullopt: not known yet, the campaign is
    // only known at the end of the message) and why, and whether the store
    // holds a consent record.
    std::optional<bool> consent_required;
    std::string consent_reason;
    bool has_consent = false;
};

struct RecipientVerdict {
    std::string address;
    RuleResult suppression{Rule::suppression, Outcome::skipped, {}};
    RuleResult consent{Rule::consent, Outcome::skipped, {}};
    Action action = Action::off;  // most severe action among the failed rules
    std::vector<Rule> failed;     // failed rules whose action is not off

    bool refused() const { return action == Action::reject; }
    // "suppression: ...; consent: ..." over the failed rules.
    std::string failure_summary() const;
    // Text after "550 5.7.1 " when the recipient is refused.
    std::string reject_text() const;
};

RecipientVerdict judge_recipient(const Policy& policy, const RecipientFacts& facts);

}  // namespace policy
