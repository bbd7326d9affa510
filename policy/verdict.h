// verdict.h — judging one prospecting message against the policy.
//
// judge() is pure: facts in, verdict out. The milter gathers the facts
// (envelope, headers) and carries out the verdict; prospectctl will run the
// same function offline.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "policy.h"

namespace policy {

struct MessageContent;

// How a per-recipient rule (recipients.h) went for a message's recipients,
// summed up by the milter.
struct RecipientRuleSummary {
    int judged = 0;        // recipients the rule was judged for
    int refused = 0;       // of them, refused at RCPT or removed at the end
    int kept_failing = 0;  // failed but kept (action monitor, tag or quarantine)
    std::string example;   // the detail of one failure
};

// What is known about one message when it is judged.
struct MessageFacts {
    std::string service;                         // Postfix {daemon_name}
    std::string sender;                          // envelope sender, normalised
    std::string sasl_login;                      // {auth_authen}, empty when none
    std::vector<std::string> recipients;         // external recipients, normalised
    std::optional<std::string> campaign_header;  // value of the campaign header, trimmed
    std::string message_id;                      // Message-ID header, as found
    std::string queue_id;                        // MTA queue id, empty when not known
    Day today = 0;                               // the day the message is judged (UTC)
    std::size_t size = 0;                        // bytes of header and body seen
    bool too_large = false;                      // over content.max_message_size: not inspected
    bool first_contact = true;                   // no recipient known from an earlier contact
    RecipientRuleSummary suppression;            // per-recipient rules, summed up
    RecipientRuleSummary consent;
    bool every_recipient_refused = false;        // no external recipient left: the message is refused
};

enum class Outcome { pass, fail, skipped };
std::string_view to_string(Outcome outcome);

struct RuleResult {
    Rule rule;
    Outcome outcome = Outcome::skipped;
    std::string detail;  // what was found or missing, readable by a sales person
};

struct Verdict {
    std::string campaign;             // campaign id judged against, "" when none named
    std::vector<RuleResult> results;  // one per rule, in Rule order
    Action action = Action::off;      // most severe action among the failed rules
    std::vector<Rule> failed;         // failed rules whose action is not off

    // "rule: detail; rule: detail" over the failed rules.
    std::string failure_summary() const;
    // The failed rules' details, "; "-separated.
    std::string failure_details() const;
    // Text after "550 5.7.1 " when the message is rejected.
    std::string reject_text() const;
    // Value of the X-Prospect-Policy header for a tagged message.
    std::string tag_header(const Policy& policy) const;
};

// `content` is what the recipient sees (mime.h); without it the content
// rules are skipped.
Verdict judge(const Policy& policy, const MessageFacts& facts, const MessageContent* content = nullptr);

// The facts of a whole message read at once (prospectctl check, the
// benchmark, the fuzz target; the milter gathers them step by step): size
// and whether it is too large to inspect, the campaign header and
// Message-ID from its headers, its From address as sender, today's date.
MessageFacts facts_of_message(const Policy& policy, const MessageContent& content, std::size_t size);

// Today's day number (UTC) from the system clock.
Day today_utc();

}  // namespace policy
