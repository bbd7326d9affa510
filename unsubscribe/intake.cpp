#include "intake.h"

#include "policy/text.h"

namespace unsubscribe {

std::optional<std::string> intake_token(const policy::UnsubscribeSettings& settings, std::string_view rcpt)
{
    if (settings.address.empty())
        return std::nullopt;
    rcpt = policy::trim(rcpt);
    if (rcpt.size() >= 2 && rcpt.front() == '<' && rcpt.back() == '>')
        rcpt = rcpt.substr(1, rcpt.size() - 2);
    const auto at = rcpt.rfind('@');
    if (at == std::string_view::npos || !policy::iequals_ascii(rcpt.substr(at + 1), settings.address_domain()))
        return std::nullopt;
    const auto local = rcpt.substr(0, at);
    const auto name = settings.address_local_part();
    if (!policy::istarts_with_ascii(local, name))
        return std::nullopt;
    if (local.size() == name.size())
        return std::string();
    if (local[name.size()] != '+')
        return std::nullopt;
    return std::string(local.substr(name.size() + 1));
}

Unsubscribed take_unsubscribe(store::Store& store, const policy::Policy& policy, const Token& token,
                              store::SuppressionSource source, store::Time now)
{
    store::Hash prefix{};
    std::copy(token.recipient.begin(), token.recipient.end(), prefix.begin());
    Unsubscribed result;
    result.campaign = campaign_of(token, policy);
    if (const auto whole = store.contact_with_prefix(prefix)) {
        result.key = *whole;
        result.whole_key = true;
    } else {
        result.key = store::partial_key(prefix);
    }
    store::Suppression entry{now, source, result.campaign, {}};
    // Already suppressed under the other key counts as already suppressed.
    const bool known = result.whole_key && store.suppression(store::partial_key(result.key));
    result.new_entry = !known && store.suppress(result.key, entry);
    return result;
}

policy::DecisionRecord unsubscribe_record(const policy::Policy& policy, const UnsubscribeEvent& event)
{
    policy::DecisionRecord record;
    record.add("PROSPECT_EVENT", "unsubscribe");
    record.add("PROSPECT_POLICY", policy.version);
    record.add("PROSPECT_CHANNEL", std::string(event.channel));
    record.add("PROSPECT_OUTCOME", std::string(event.outcome));
    std::string about;
    if (event.unsubscribed) {
        const auto hex = store::to_hex(event.unsubscribed->key);
        // A partial key is logged as the prefix it is, not padded with zeros.
        record.add("PROSPECT_RECIPIENT", event.unsubscribed->whole_key ? hex : hex.substr(0, 2 * store::partial_key_length));
        record.add("PROSPECT_CAMPAIGN", policy::printable(event.unsubscribed->campaign, 64));
        about = " for campaign " + policy::printable(event.unsubscribed->campaign, 64);
    }
    if (event.token) {
        record.add("PROSPECT_TOKEN_KEY", std::to_string(event.token->key_id));
        record.add("PROSPECT_TOKEN_ISSUED", policy::format_day(event.token->issued));
    }
    if (event.problem)
        record.add("PROSPECT_TOKEN_PROBLEM", std::string(to_string(*event.problem)));
    if (!event.sender.empty())
        record.add("PROSPECT_SENDER", policy::log_address(policy, event.sender));
    if (!event.queue_id.empty())
        record.add("PROSPECT_QUEUE_ID", policy::printable(event.queue_id, 64));
    record.message = "unsubscribe by " + std::string(event.channel) + ": " + std::string(event.outcome) + about;
    record.priority = event.outcome == "invalid-token" || event.outcome == "nobody"
                          ? policy::DecisionRecord::Priority::warning
                          : policy::DecisionRecord::Priority::notice;
    return record;
}

}  // namespace unsubscribe
