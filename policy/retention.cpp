#include "retention.h"

namespace policy {

namespace {

constexpr int default_retention_days = 1095;

}  // namespace

int contact_retention_days(const Policy& policy, std::string_view campaign)
{
    const Campaign* declared = policy.find_campaign(campaign);
    return declared ? declared->retention_days : default_retention_days;
}

bool contact_expired(const Policy& policy, Day last_contact, std::string_view campaign, Day today)
{
    return today > last_contact + contact_retention_days(policy, campaign);
}

bool consent_expired(const Policy& policy, Day given, Day today)
{
    const int validity = policy.consent.validity_days;
    return validity > 0 && today > given + validity;
}

}  // namespace policy
