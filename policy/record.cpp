#include "record.h"

#include "digest.h"
#include "text.h"

namespace policy {

namespace {

std::string_view stage_name(Stage stage)
{
    switch (stage) {
    case Stage::connect: return "connect";
    case Stage::mail: return "mail";
    case Stage::rcpt: return "rcpt";
    case Stage::data: return "data";
    case Stage::headers: return "headers";
    }
    return "?";
}

std::string joined_recipients(const Policy& policy, const std::vector<std::string>& recipients)
{
    std::string out;
    for (const auto& recipient : recipients)
        out += (out.empty() ? "" : ",") + log_address(policy, recipient);
    return out;
}

// Fields every record about a message carries.
DecisionRecord base_record(const Policy& policy, const MessageFacts& facts, std::string_view event)
{
    DecisionRecord record;
    record.add("PROSPECT_EVENT", std::string(event));
    record.add("PROSPECT_POLICY", policy.version);
    record.add("PROSPECT_DRY_RUN", policy.dry_run ? "1" : "0");
    if (!facts.queue_id.empty())
        record.add("PROSPECT_QUEUE_ID", printable(facts.queue_id, 64));
    if (!facts.message_id.empty())
        record.add("PROSPECT_MESSAGE_ID", printable(facts.message_id, 200));
    if (!facts.sender.empty())
        record.add("PROSPECT_SENDER", printable(facts.sender, 200));
    if (!facts.recipients.empty())
        record.add("PROSPECT_RECIPIENT", joined_recipients(policy, facts.recipients));
    if (!facts.service.empty())
        record.add("PROSPECT_SERVICE", printable(facts.service, 64));
    return record;
}

}  // namespace

const std::string* DecisionRecord::find(std::string_view name) const
{
    for (const auto& [key, value] : fields)
        if (key == name)
            return &value;
    return nullptr;
}

std::string log_address(const Policy& policy, std::string_view address)
{
    const std::string normalised = normalise_address(address);
    return policy.logging.recipients_in_clear ? printable(normalised, 200) : sha256_hex(normalised);
}

std::string_view action_taken(const Verdict& verdict)
{
    if (verdict.failed.empty())
        return "pass";
    return to_string(verdict.action);
}

DecisionRecord message_record(const Policy& policy, const MessageFacts& facts, const Verdict& verdict,
                              std::string_view taken, ScopeReason reason)
{
    DecisionRecord record = base_record(policy, facts, "message");
    record.add("PROSPECT_ACTION", std::string(taken));
    record.add("PROSPECT_SCOPE", "in");
    record.add("PROSPECT_SCOPE_REASON", std::string(to_string(reason)));
    if (!verdict.campaign.empty())
        record.add("PROSPECT_CAMPAIGN", printable(verdict.campaign, 64));
    std::string failed;
    for (Rule rule : verdict.failed)
        failed += (failed.empty() ? "" : ",") + std::string(to_string(rule));
    record.add("PROSPECT_RULES_FAILED", failed);
    record.add("PROSPECT_FIRST_CONTACT", facts.first_contact ? "1" : "0");
    std::string id = facts.queue_id.empty() ? std::string("-") : printable(facts.queue_id, 64);
    if (verdict.failed.empty()) {
        record.message = id + ": prospecting message passed";
    } else {
        record.add("PROSPECT_REASON", verdict.failure_summary());
        record.message = id + ": prospecting message, " + std::string(taken) + (policy.dry_run ? " (dry run)" : "") +
                         " [" + failed + "]: " + verdict.failure_details();
        record.priority = DecisionRecord::Priority::notice;
    }
    return record;
}

DecisionRecord recipient_record(const Policy& policy, const MessageFacts& facts, const RecipientVerdict& verdict,
                                std::string_view taken, std::string_view stage, std::string_view campaign)
{
    MessageFacts one = facts;
    one.recipients = {verdict.address};  // the record is about this recipient only
    DecisionRecord record = base_record(policy, one, "recipient");
    record.add("PROSPECT_ACTION", std::string(taken));
    record.add("PROSPECT_SCOPE", "in");
    record.add("PROSPECT_STAGE", std::string(stage));
    if (!campaign.empty())
        record.add("PROSPECT_CAMPAIGN", printable(campaign, 64));
    std::string failed;
    for (Rule rule : verdict.failed)
        failed += (failed.empty() ? "" : ",") + std::string(to_string(rule));
    record.add("PROSPECT_RULES_FAILED", failed);
    record.add("PROSPECT_REASON", printable(verdict.failure_summary(), 400));
    record.message = (facts.queue_id.empty() ? std::string("-") : printable(facts.queue_id, 64)) + ": recipient " +
                     log_address(policy, verdict.address) + " " + std::string(taken) +
                     (policy.dry_run ? " (dry run)" : "") + " at " + std::string(stage) + " [" + failed +
                     "]: " + printable(verdict.failure_summary(), 400);
    record.priority = DecisionRecord::Priority::notice;
    return record;
}

DecisionRecord out_of_scope_record(const Policy& policy, const MessageFacts& facts, ScopeReason reason,
                                   Stage stage)
{
    DecisionRecord record = base_record(policy, facts, "message");
    record.add("PROSPECT_ACTION", "accept");
    record.add("PROSPECT_SCOPE", "out");
    record.add("PROSPECT_SCOPE_REASON", std::string(to_string(reason)));
    record.add("PROSPECT_STAGE", std::string(stage_name(stage)));
    record.message = (facts.queue_id.empty() ? std::string("-") : facts.queue_id) +
                     ": not prospecting, accepted at " + std::string(stage_name(stage));
    return record;
}

DecisionRecord failure_record(const Policy& policy, const MessageFacts& facts, std::string_view taken,
                              std::string_view why)
{
    DecisionRecord record = base_record(policy, facts, "message");
    record.add("PROSPECT_ACTION", std::string(taken));
    record.add("PROSPECT_REASON", printable(why, 300));
    record.message = (facts.queue_id.empty() ? std::string("-") : facts.queue_id) + ": cannot judge message (" +
                     printable(why, 300) + "), " + std::string(taken);
    record.priority = DecisionRecord::Priority::error;
    return record;
}

DecisionRecord lifecycle_record(const Policy& policy, std::string_view event, std::string message)
{
    DecisionRecord record;
    record.message = std::move(message);
    record.priority = event == "reload_refused" ? DecisionRecord::Priority::error : DecisionRecord::Priority::notice;
    record.add("PROSPECT_EVENT", std::string(event));
    record.add("PROSPECT_POLICY", policy.version);
    record.add("PROSPECT_DRY_RUN", policy.dry_run ? "1" : "0");
    return record;
}

}  // namespace policy
