#include "recipient_checks.h"

#include "policy/consent.h"
#include "policy/text.h"

namespace milter {

namespace {

// "since 2026-11-02, by mailto, campaign spring-2026": for the log, never
// for the SMTP reply.
std::string describe(const store::Suppression& entry)
{
    std::string text = "since " + policy::format_day(entry.when / 86400) + ", by " +
                       std::string(store::to_string(entry.source));
    if (!entry.campaign.empty())
        text += ", campaign " + policy::printable(entry.campaign, 64);
    return text;
}

}  // namespace

policy::RecipientFacts recipient_facts(const store::Store& store, const policy::Policy& policy,
                                       const store::Address& recipient, Lookups lookups,
                                       const policy::Campaign* campaign)
{
    policy::RecipientFacts facts;
    facts.address = recipient.normalised;
    if (lookups.suppression && policy.action_for(policy::Rule::suppression) != policy::Action::off)
        if (const auto refusal = store.suppressed(recipient)) {
            facts.suppression = describe(refusal->entry);
            facts.suppression_by_domain = refusal->whole_domain;
        }
    if (lookups.consent && policy.action_for(policy::Rule::consent) != policy::Action::off) {
        const auto need = policy::consent_needed(*policy.consent_rules, policy.organisation, campaign,
                                                 recipient.local_part, recipient.domain);
        facts.consent_required = need.required;
        facts.consent_reason = need.reason;
        if (need.required)
            facts.has_consent = store.consent(store::address_key(recipient)).has_value();
    }
    return facts;
}

bool known_contact(const store::Store& store, const ContactRecorder& recorder, const store::Address& recipient)
{
    const auto key = store::address_key(recipient);
    return recorder.pending(key) || store.contact(key).has_value();
}

}  // namespace milter
