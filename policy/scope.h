// scope.h — is this message prospecting?
//
// A message is prospecting when any configured criterion matches (the
// Postfix service it came in on, its envelope sender, its SASL login, a
// campaign header, or — where so configured — simply having an external
// recipient) AND it has at least one recipient outside the internal domains.
//
// The milter learns the facts one SMTP stage at a time. MessageScope says,
// after each stage, whether the question is settled, so the milter can
// answer "accept" for ordinary mail as early as possible: at connect for a
// service-only scope, at MAIL FROM for a sender-only scope, at DATA when all
// recipients are internal, at the end of the headers otherwise.
#pragma once

#include <string>
#include <string_view>

#include "policy.h"

namespace policy {

// SMTP stages in the order the milter sees them.
enum class Stage { connect, mail, rcpt, data, headers };

enum class ScopeState { undecided, prospecting, not_prospecting };

// Why a message is (or is not) prospecting, for the decision record.
enum class ScopeReason { none, service, sender, sasl, header, external, internal };

std::string_view to_string(ScopeReason reason);

// Whether any message on a connection to this service could be prospecting;
// false lets the milter accept the whole connection at once.
bool connection_can_be_prospecting(const ScopeSettings& scope, std::string_view service);

class MessageScope {
public:
    MessageScope(const ScopeSettings& settings, std::string_view service);

    void sender(std::string_view envelope_sender, std::string_view sasl_login);
    // Returns true when the recipient is internal (exempt from the rules).
    bool recipient(std::string_view address);
    // An external recipient counted by recipient() was refused after all.
    void external_recipient_refused() { --m_external; }
    void campaign_header_seen() { m_header = true; }

    ScopeState state(Stage reached) const;
    ScopeReason reason(Stage reached) const;
    bool is_internal(std::string_view address) const;

private:
    bool criterion_matched() const;

    const ScopeSettings& m_settings;
    bool m_service = false;       // came in on a prospecting service
    bool m_sender = false;        // envelope sender listed
    bool m_sasl = false;          // SASL login listed
    bool m_header = false;        // campaign header present
    int m_external = 0;           // recipients outside the internal domains
    int m_internal = 0;           // recipients inside them
};

}  // namespace policy
