// content_rules.h — the rules that read what the recipient sees:
// unsubscribe, identity, reason and first_contact.
//
// Each returns a RuleResult whose detail is the evidence: which link and
// keyword satisfied the rule, or what is missing, in words a sales person
// understands.
#pragma once

#include "keywords.h"
#include "mime.h"
#include "policy.h"
#include "verdict.h"

namespace policy {

// The message's visible text, folded once for all rules.
struct ReadableMessage {
    const MessageContent& content;
    std::string folded;  // content.folded_text()
};

RuleResult check_unsubscribe(const Keywords& keywords, const ReadableMessage& message);
RuleResult check_identity(const Policy& policy, const ReadableMessage& message);
RuleResult check_reason(const Keywords& keywords, const ReadableMessage& message);
RuleResult check_first_contact(const Keywords& keywords, const ReadableMessage& message);

}  // namespace policy
