#include "recipients.h"

#include <algorithm>

#include "text.h"

namespace policy {

namespace {

RuleResult judge_suppression(const RecipientFacts& facts)
{
    if (!facts.suppression)
        return {Rule::suppression, Outcome::pass, "the recipient has not objected"};
    const std::string whose = facts.suppression_by_domain ? "the recipient's domain objected" : "the recipient objected";
    return {Rule::suppression, Outcome::fail, whose + " (" + *facts.suppression + ")"};
}

RuleResult judge_consent(const RecipientFacts& facts)
{
    if (!facts.consent_required)
        return {Rule::consent, Outcome::skipped, "judged at the end of the message"};
    if (!*facts.consent_required)
        return {Rule::consent, Outcome::pass, "no prior consent needed: " + facts.consent_reason};
    if (facts.has_consent)
        return {Rule::consent, Outcome::pass, "consent on record (" + facts.consent_reason + ")"};
    return {Rule::consent, Outcome::fail, "no consent on record, and it is needed: " + facts.consent_reason};
}

}  // namespace

RecipientVerdict judge_recipient(const Policy& policy, const RecipientFacts& facts)
{
    RecipientVerdict verdict;
    verdict.address = facts.address;
    const auto judge = [&](RuleResult& slot, RuleResult result) {
        if (policy.action_for(result.rule) == Action::off)
            result = {result.rule, Outcome::skipped, "rule is off"};
        if (result.outcome == Outcome::fail) {
            verdict.failed.push_back(result.rule);
            verdict.action = std::max(verdict.action, policy.action_for(result.rule));
        }
        slot = std::move(result);
    };
    judge(verdict.suppression, judge_suppression(facts));
    judge(verdict.consent, judge_consent(facts));
    return verdict;
}

std::string RecipientVerdict::failure_summary() const
{
    std::string summary;
    for (const RuleResult* result : {&suppression, &consent})
        if (result->outcome == Outcome::fail)
            summary += (summary.empty() ? "" : "; ") + std::string(to_string(result->rule)) + ": " + result->detail;
    return summary;
}

std::string RecipientVerdict::reject_text() const
{
    // The objection's details (when, by which channel) stay in the log: the
    // sender learns that this recipient may not be prospected, and why in
    // general terms.
    if (suppression.outcome == Outcome::fail)
        return "Prospecting policy: this recipient objected to prospecting mail";
    return "Prospecting policy: this recipient has not consented to prospecting mail";
}

}  // namespace policy
