// consent.h — does this recipient have to have opted in before we may
// prospect them?
//
// The answer depends on the campaign's audience, on the law of the
// recipient's country, on whether the recipient's domain is a mailbox
// provider for private persons, and on whether the address is a business's
// impersonal role address (info@, contact@). The national rules are data,
// not code: ConsentRules is read from two files in conf/ at policy load
// (consumer-domains.conf, countries.conf; formats in those files and in
// prospect-milter.conf(5)) and never changes afterwards, so one object may
// serve every milter thread.
//
// consent_needed() is pure: the milter calls it per recipient and, when
// consent is required, looks for a consent record in the store.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config.h"
#include "policy.h"

namespace policy {

// What one country's law asks before prospecting by e-mail.
struct CountryProfile {
    std::string code;          // ISO 3166-1 alpha-2, upper case
    bool b2b_consent = true;   // business addresses need prior consent
    bool b2c_consent = true;   // private persons need prior consent
    bool role_exempt = false;  // where b2b needs consent: a business's role address does not
};

class ConsentRules {
public:
    // Add the entries of a consumer-domains or countries file, given its
    // text; `file` names it in the errors ("file:line: reason"). The rules
    // are only meant to be used when both returned no error.
    std::vector<ConfigError> read_consumer_domains(std::string_view text, const std::string& file);
    std::vector<ConfigError> read_countries(std::string_view text, const std::string& file);

    // The list entry `domain` (lower-case A-labels) is or is under, or "".
    std::string_view consumer_domain(std::string_view domain) const;
    // The profile of an upper-case country code, or nullptr.
    const CountryProfile* profile(std::string_view country) const;
    // The country whose top-level domain ends `domain` ("example.co.uk" →
    // "GB"), or "" when no profile claims it (.com, .eu, ...).
    std::string_view country_of_domain(std::string_view domain) const;
    // Whether a local part (compared in ASCII lower case) is a role address.
    bool is_role_address(std::string_view local_part) const;

    std::size_t consumer_domain_count() const { return m_consumer_domains.size(); }
    std::size_t country_count() const { return m_countries.size(); }

private:
    std::set<std::string, std::less<>> m_consumer_domains;
    std::map<std::string, CountryProfile, std::less<>> m_countries;  // by code
    std::map<std::string, std::string, std::less<>> m_tld_country;   // "uk" → "GB"
    std::set<std::string, std::less<>> m_role_local_parts;
};

// Whether a recipient must have given consent, and why, in words a
// postmaster can read in a log or an SMTP reply. `reason` names no more of
// the recipient than the list entry, country and role that decided.
struct ConsentNeed {
    bool required = true;
    std::string country;  // whose law decided
    std::string reason;   // e.g. "gmail.com is a consumer mailbox provider"
};

// Decides in this order: a b2c campaign; a consumer mailbox domain; the
// country's rule for business addresses, with its role-address exemption.
// The country is the campaign's declared one, else the one whose ccTLD ends
// the domain, else the organisation's default. `campaign` may be null (no
// campaign named: judged as b2b; the campaign rule refuses such mail anyway).
// `recipient_domain` is the domain in IDNA A-labels; case does not matter.
// A country without a profile requires consent (load_policy refuses a
// policy whose campaigns or default country have none).
ConsentNeed consent_needed(const ConsentRules& rules, const Organisation& organisation, const Campaign* campaign,
                           std::string_view recipient_local_part, std::string_view recipient_domain);

}  // namespace policy
