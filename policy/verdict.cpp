#include "verdict.h"

#include <chrono>

#include "content_rules.h"
#include "keywords.h"
#include "mime.h"
#include "text.h"

namespace policy {

std::string_view to_string(Outcome outcome)
{
    switch (outcome) {
    case Outcome::pass: return "pass";
    case Outcome::fail: return "fail";
    case Outcome::skipped: return "skipped";
    }
    return "?";
}

Day today_utc()
{
    using namespace std::chrono;
    return floor<days>(system_clock::now()).time_since_epoch().count();
}

namespace {

RuleResult judge_campaign(const Policy& policy, const std::string& id, const MessageFacts& facts)
{
    RuleResult result{Rule::campaign, Outcome::fail, {}};
    const std::string& header = policy.scope.campaign_header;
    if (id.empty()) {
        result.detail = header.empty() ? "the message names no campaign"
                                       : "the message names no campaign (no " + header + " header)";
        return result;
    }
    const Campaign* campaign = policy.find_campaign(id);
    if (!campaign) {
        result.detail = "campaign '" + printable(id, 64) + "' is not declared in the policy";
    } else if (facts.today < campaign->start) {
        result.detail = "campaign '" + id + "' starts on " + format_day(campaign->start);
    } else if (campaign->end && facts.today > *campaign->end) {
        result.detail = "campaign '" + id + "' ended on " + format_day(*campaign->end);
    } else {
        result.outcome = Outcome::pass;
        result.detail = "campaign '" + id + "' is declared and running";
    }
    return result;
}

RuleResult judge_size(const Policy& policy, const MessageFacts& facts, const MessageContent* content)
{
    if (content && !content->complete())
        return {Rule::size, Outcome::fail, "an HTML part is too complex to inspect within the parser's limits"};
    if (!facts.too_large)
        return {Rule::size, Outcome::pass, "the message was inspected"};
    return {Rule::size, Outcome::fail,
            "the message is too large to inspect (over " + std::to_string(policy.content.max_message_size) +
                " bytes)"};
}

// A per-recipient rule for the message as a whole: each recipient was
// judged on its own (recipients.h); the message fails the rule when a
// recipient failing it stays (its action is not reject), or when every
// recipient was refused.
RuleResult judge_per_recipient(Rule rule, const RecipientRuleSummary& summary, bool every_recipient_refused)
{
    if (summary.judged == 0)
        return {rule, Outcome::skipped, "no recipient was judged (no store lookup)"};
    if (every_recipient_refused && summary.refused > 0)
        return {rule, Outcome::fail, "every recipient was refused: " + summary.example};
    if (summary.kept_failing > 0)
        return {rule, Outcome::fail,
                std::to_string(summary.kept_failing) + " recipient(s) fail this rule: " + summary.example};
    if (summary.refused > 0)
        return {rule, Outcome::pass,
                std::to_string(summary.refused) + " refused recipient(s) removed, the other(s) pass"};
    return {rule, Outcome::pass, "every recipient passes (" + std::to_string(summary.judged) + ")"};
}

RuleResult judge_content(const Policy& policy, Rule rule, const MessageFacts& facts, const ReadableMessage* message)
{
    if (facts.too_large)
        return {rule, Outcome::skipped, "the message was too large to inspect"};
    if (!message)
        return {rule, Outcome::skipped, "no content to inspect"};
    switch (rule) {
    case Rule::unsubscribe: return check_unsubscribe(*policy.keywords, *message);
    case Rule::identity: return check_identity(policy, *message);
    case Rule::reason: return check_reason(*policy.keywords, *message);
    case Rule::first_contact:
        if (!facts.first_contact)
            return {rule, Outcome::skipped, "not a first contact"};
        return check_first_contact(*policy.keywords, *message);
    default: break;
    }
    return {rule, Outcome::skipped, "not evaluated by this version"};
}

}  // namespace

Verdict judge(const Policy& policy, const MessageFacts& facts, const MessageContent* content)
{
    Verdict verdict;
    verdict.campaign = facts.campaign_header.value_or(policy.scope.default_campaign);
    std::optional<ReadableMessage> readable;
    if (content)
        readable.emplace(ReadableMessage{*content, content->folded_text()});
    for (std::size_t i = 0; i < rule_count; ++i) {
        const auto rule = static_cast<Rule>(i);
        RuleResult result{rule, Outcome::skipped, {}};
        if (policy.action_for(rule) == Action::off)
            result.detail = "rule is off";
        else if (rule == Rule::campaign)
            result = judge_campaign(policy, verdict.campaign, facts);
        else if (rule == Rule::size)
            result = judge_size(policy, facts, content);
        else if (rule == Rule::suppression)
            result = judge_per_recipient(rule, facts.suppression, facts.every_recipient_refused);
        else if (rule == Rule::consent)
            result = judge_per_recipient(rule, facts.consent, facts.every_recipient_refused);
        else
            result = judge_content(policy, rule, facts, readable ? &*readable : nullptr);
        if (result.outcome == Outcome::fail) {
            verdict.failed.push_back(rule);
            verdict.action = std::max(verdict.action, policy.action_for(rule));
        }
        verdict.results.push_back(std::move(result));
    }
    return verdict;
}

MessageFacts facts_of_message(const Policy& policy, const MessageContent& content, std::size_t size)
{
    MessageFacts facts;
    facts.today = today_utc();
    facts.size = size;
    facts.too_large = size > policy.content.max_message_size;
    facts.sender = normalise_address(content.from_address);
    if (const auto* header = policy.scope.campaign_header.empty() ? nullptr : content.header(policy.scope.campaign_header))
        facts.campaign_header = *header;
    if (const auto* id = content.header("Message-ID"))
        facts.message_id = *id;
    return facts;
}

std::string Verdict::failure_summary() const
{
    std::string summary;
    for (const auto& result : results) {
        if (result.outcome != Outcome::fail)
            continue;
        if (!summary.empty())
            summary += "; ";
        summary += std::string(to_string(result.rule)) + ": " + result.detail;
    }
    return summary;
}

std::string Verdict::failure_details() const
{
    std::string details;
    for (const auto& result : results)
        if (result.outcome == Outcome::fail)
            details += (details.empty() ? "" : "; ") + result.detail;
    return details;
}

std::string Verdict::reject_text() const
{
    return "Prospecting policy: " + failure_details();
}

std::string Verdict::tag_header(const Policy& policy) const
{
    std::string rules;
    for (Rule rule : failed)
        rules += (rules.empty() ? "" : ",") + std::string(to_string(rule));
    std::string value = failed.empty() ? "result=pass" : "result=fail; rules=" + rules;
    if (!campaign.empty())
        value += "; campaign=" + printable(campaign, 64);
    return value + "; policy=" + policy.version;
}

}  // namespace policy
