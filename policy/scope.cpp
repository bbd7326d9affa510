#include "scope.h"

#include <algorithm>

#include "text.h"

namespace policy {

namespace {
bool contains(const std::vector<std::string>& list, std::string_view value)
{
    return std::find(list.begin(), list.end(), value) != list.end();
}
}  // namespace

std::string_view to_string(ScopeReason reason)
{
    switch (reason) {
    case ScopeReason::none: return "none";
    case ScopeReason::service: return "service";
    case ScopeReason::sender: return "sender";
    case ScopeReason::sasl: return "sasl";
    case ScopeReason::header: return "header";
    case ScopeReason::external: return "external";
    case ScopeReason::internal: return "internal";
    }
    return "?";
}

bool connection_can_be_prospecting(const ScopeSettings& scope, std::string_view service)
{
    return contains(scope.services, service) || !scope.sender_addresses.empty() ||
           !scope.sender_domains.empty() || !scope.sasl_logins.empty() || !scope.campaign_header.empty() ||
           scope.external_recipients;
}

MessageScope::MessageScope(const ScopeSettings& settings, std::string_view service)
    : m_settings(settings), m_service(contains(settings.services, service))
{
}

void MessageScope::sender(std::string_view envelope_sender, std::string_view sasl_login)
{
    const std::string address = normalise_address(envelope_sender);
    const std::string domain = domain_of(address);
    m_sender = contains(m_settings.sender_addresses, address) ||
               (!domain.empty() && contains(m_settings.sender_domains, domain));
    m_sasl = !sasl_login.empty() && contains(m_settings.sasl_logins, sasl_login);
}

bool MessageScope::is_internal(std::string_view address) const
{
    const std::string domain = domain_of(normalise_address(address));
    return std::any_of(m_settings.internal_domains.begin(), m_settings.internal_domains.end(),
                       [&](const std::string& internal) { return domain_within(domain, internal); });
}

bool MessageScope::recipient(std::string_view address)
{
    const bool internal = is_internal(address);
    ++(internal ? m_internal : m_external);
    return internal;
}

bool MessageScope::criterion_matched() const
{
    return m_service || m_sender || m_sasl || m_header || (m_settings.external_recipients && m_external > 0);
}

ScopeState MessageScope::state(Stage reached) const
{
    const bool external = m_external > 0;
    if (reached >= Stage::data && !external)
        return ScopeState::not_prospecting;
    if (criterion_matched())
        return external ? ScopeState::prospecting : ScopeState::undecided;
    const bool header_possible = !m_settings.campaign_header.empty() && reached < Stage::headers;
    const bool external_possible = m_settings.external_recipients && reached < Stage::data;
    return header_possible || external_possible ? ScopeState::undecided : ScopeState::not_prospecting;
}

ScopeReason MessageScope::reason(Stage reached) const
{
    if (reached >= Stage::data && m_external == 0 && m_internal > 0) return ScopeReason::internal;
    if (m_service) return ScopeReason::service;
    if (m_sasl) return ScopeReason::sasl;
    if (m_sender) return ScopeReason::sender;
    if (m_header) return ScopeReason::header;
    if (m_settings.external_recipients && m_external > 0) return ScopeReason::external;
    return ScopeReason::none;
}

}  // namespace policy
