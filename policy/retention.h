// retention.h — how long what the store holds about a person may be kept
// (GDPR art. 5(1)(e); the CNIL: prospect data three years after the last
// contact). Suppressions are not here: an objection is kept for as long as
// it must be honoured.
#pragma once

#include <optional>
#include <string_view>

#include "policy.h"

namespace policy {

// Days the contact history of a person last contacted for `campaign` is
// kept: that campaign's retention_days where the policy declares it, else
// the default three years.
int contact_retention_days(const Policy& policy, std::string_view campaign);

// Whether a contact history whose last contact was on `last_contact` is
// past its retention on `today`.
bool contact_expired(const Policy& policy, Day last_contact, std::string_view campaign, Day today);

// Whether a consent given on `given` is past consent.validity_days on
// `today`; never when the policy sets no validity.
bool consent_expired(const Policy& policy, Day given, Day today);

}  // namespace policy
