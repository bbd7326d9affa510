#include "policy.h"

#include <algorithm>

namespace policy {

namespace {
constexpr std::array<std::string_view, 5> action_names{"off", "monitor", "tag", "quarantine", "reject"};
constexpr std::array<std::string_view, rule_count> rule_names{
    "campaign", "suppression", "consent", "size", "unsubscribe", "identity", "reason", "first_contact"};
}  // namespace

std::string_view to_string(Action action) { return action_names[static_cast<std::size_t>(action)]; }
std::string_view to_string(Rule rule) { return rule_names[static_cast<std::size_t>(rule)]; }

std::string_view to_string(FailureAction action)
{
    switch (action) {
    case FailureAction::tempfail: return "tempfail";
    case FailureAction::accept: return "accept";
    case FailureAction::reject: return "reject";
    }
    return "?";
}

std::string_view to_string(Audience audience) { return audience == Audience::b2b ? "b2b" : "b2c"; }

std::string_view to_string(LegalBasis basis)
{
    return basis == LegalBasis::consent ? "consent" : "legitimate_interest";
}

std::optional<Action> parse_action(std::string_view text)
{
    const auto found = std::find(action_names.begin(), action_names.end(), text);
    if (found == action_names.end())
        return std::nullopt;
    return static_cast<Action>(found - action_names.begin());
}

std::optional<Rule> parse_rule(std::string_view text)
{
    const auto found = std::find(rule_names.begin(), rule_names.end(), text);
    if (found == rule_names.end())
        return std::nullopt;
    return static_cast<Rule>(found - rule_names.begin());
}

const Campaign* Policy::find_campaign(std::string_view id) const
{
    for (const auto& campaign : campaigns)
        if (campaign.id == id)
            return &campaign;
    return nullptr;
}

std::string_view UnsubscribeSettings::address_local_part() const
{
    const auto at = address.rfind('@');
    return at == std::string::npos ? std::string_view{} : std::string_view(address).substr(0, at);
}

std::string_view UnsubscribeSettings::address_domain() const
{
    const auto at = address.rfind('@');
    return at == std::string::npos ? std::string_view{} : std::string_view(address).substr(at + 1);
}

}  // namespace policy
