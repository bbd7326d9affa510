#include <catch2/catch.hpp>

#include "policy/scope.h"

using policy::ScopeReason;
using policy::ScopeState;
using policy::Stage;

namespace {
policy::ScopeSettings settings()
{
    policy::ScopeSettings scope;
    scope.campaign_header = "";
    scope.internal_domains = {"example.com"};
    return scope;
}
}  // namespace

TEST_CASE("with no criterion configured nothing is prospecting, decided at connect", "[scope]")
{
    CHECK_FALSE(policy::connection_can_be_prospecting(settings(), "smtpd"));
}

TEST_CASE("service scope is decided at connect", "[scope]")
{
    auto scope = settings();
    scope.services = {"outreach"};
    CHECK(policy::connection_can_be_prospecting(scope, "outreach"));
    CHECK_FALSE(policy::connection_can_be_prospecting(scope, "smtpd"));

    policy::MessageScope message(scope, "outreach");
    message.sender("anyone@example.com", "");
    CHECK(message.state(Stage::mail) == ScopeState::undecided);  // recipients not known yet
    message.recipient("prospect@client.fr");
    CHECK(message.state(Stage::rcpt) == ScopeState::prospecting);
    CHECK(message.reason(Stage::rcpt) == ScopeReason::service);
}

TEST_CASE("sender scope accepts other senders at MAIL FROM", "[scope]")
{
    auto scope = settings();
    scope.sender_addresses = {"sales@example.com"};
    scope.sender_domains = {"outreach.example.com"};

    policy::MessageScope other(scope, "smtpd");
    other.sender("<bob@example.com>", "");
    CHECK(other.state(Stage::mail) == ScopeState::not_prospecting);

    policy::MessageScope listed(scope, "smtpd");
    listed.sender("<Sales@Example.COM>", "");
    CHECK(listed.state(Stage::mail) == ScopeState::undecided);
    listed.recipient("<jane@client.fr>");
    CHECK(listed.state(Stage::rcpt) == ScopeState::prospecting);
    CHECK(listed.reason(Stage::rcpt) == ScopeReason::sender);

    policy::MessageScope by_domain(scope, "smtpd");
    by_domain.sender("tool@outreach.example.com", "");
    by_domain.recipient("jane@client.fr");
    CHECK(by_domain.state(Stage::rcpt) == ScopeState::prospecting);
}

TEST_CASE("SASL login scope", "[scope]")
{
    auto scope = settings();
    scope.sasl_logins = {"crm"};
    policy::MessageScope message(scope, "submission");
    message.sender("noreply@example.com", "crm");
    message.recipient("jane@client.fr");
    CHECK(message.state(Stage::rcpt) == ScopeState::prospecting);
    CHECK(message.reason(Stage::rcpt) == ScopeReason::sasl);

    policy::MessageScope other(scope, "submission");
    other.sender("noreply@example.com", "alice");
    CHECK(other.state(Stage::mail) == ScopeState::not_prospecting);
}

TEST_CASE("campaign header scope waits for the end of the headers", "[scope]")
{
    auto scope = settings();
    scope.campaign_header = "X-Campaign-ID";

    policy::MessageScope plain(scope, "smtpd");
    plain.sender("bob@example.com", "");
    plain.recipient("jane@client.fr");
    CHECK(plain.state(Stage::mail) == ScopeState::undecided);
    CHECK(plain.state(Stage::data) == ScopeState::undecided);
    CHECK(plain.state(Stage::headers) == ScopeState::not_prospecting);
    CHECK(plain.reason(Stage::headers) == ScopeReason::none);

    policy::MessageScope tagged(scope, "smtpd");
    tagged.sender("bob@example.com", "");
    tagged.recipient("jane@client.fr");
    tagged.campaign_header_seen();
    CHECK(tagged.state(Stage::headers) == ScopeState::prospecting);
    CHECK(tagged.reason(Stage::headers) == ScopeReason::header);
}

TEST_CASE("mail only to internal recipients is never prospecting", "[scope]")
{
    auto scope = settings();
    scope.sender_addresses = {"sales@example.com"};
    scope.internal_domains = {"example.com", "example.org"};
    policy::MessageScope message(scope, "smtpd");
    message.sender("sales@example.com", "");
    CHECK(message.recipient("boss@example.com"));
    CHECK(message.recipient("team@lyon.example.org"));  // subdomain
    CHECK_FALSE(message.is_internal("x@notexample.com"));
    CHECK(message.state(Stage::rcpt) == ScopeState::undecided);
    CHECK(message.state(Stage::data) == ScopeState::not_prospecting);
    CHECK(message.reason(Stage::data) == ScopeReason::internal);
}

TEST_CASE("external-recipient scope", "[scope]")
{
    auto scope = settings();
    scope.external_recipients = true;
    policy::MessageScope message(scope, "smtpd");
    message.sender("bob@example.com", "");
    CHECK(message.state(Stage::mail) == ScopeState::undecided);
    message.recipient("colleague@example.com");
    CHECK(message.state(Stage::rcpt) == ScopeState::undecided);
    message.recipient("jane@client.fr");
    CHECK(message.state(Stage::rcpt) == ScopeState::prospecting);
    CHECK(message.reason(Stage::rcpt) == ScopeReason::external);
}
