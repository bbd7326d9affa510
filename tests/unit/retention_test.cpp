// How long the store may keep what it holds about a person.
#include <catch2/catch.hpp>

#include "policy_file.h"
#include "policy/retention.h"

namespace {

std::shared_ptr<const policy::Policy> policy_with(const std::string& extra, const std::string& consent = "")
{
    // The minimal policy has its consent group already: keys go into it.
    std::string text = test::minimal_policy;
    text.insert(text.find("consent: {") + 10, consent);
    test::PolicyFile file(text + extra);
    auto loaded = file.load();
    INFO((loaded.errors.empty() ? "" : loaded.errors.front().to_string()));
    REQUIRE(loaded.ok());
    return loaded.policy;
}

const std::string campaigns = R"(campaigns = (
  { id = "fair"; purpose = "p"; audience = "b2b"; legal_basis = "legitimate_interest"; start = "2026-01-01";
    retention_days = 30; },
  { id = "spring"; purpose = "p"; audience = "b2b"; legal_basis = "legitimate_interest"; start = "2026-01-01"; }
);
)";

}  // namespace

TEST_CASE("a contact history is kept for its campaign's retention after the last contact", "[retention]")
{
    const auto policy = policy_with(campaigns);
    const policy::Day last = 20000;
    CHECK(policy::contact_retention_days(*policy, "fair") == 30);
    CHECK_FALSE(policy::contact_expired(*policy, last, "fair", last + 30));
    CHECK(policy::contact_expired(*policy, last, "fair", last + 31));
    // Declared without retention_days: the CNIL's three years.
    CHECK(policy::contact_retention_days(*policy, "spring") == 1095);
    CHECK_FALSE(policy::contact_expired(*policy, last, "spring", last + 1095));
    CHECK(policy::contact_expired(*policy, last, "spring", last + 1096));
    // A campaign the policy no longer declares, or none: three years too.
    CHECK(policy::contact_retention_days(*policy, "withdrawn") == 1095);
    CHECK(policy::contact_retention_days(*policy, "") == 1095);
}

TEST_CASE("a consent expires only where the policy gives it a validity", "[retention]")
{
    const policy::Day given = 20000;
    const auto forever = policy_with("");
    CHECK(forever->consent.validity_days == 0);
    CHECK_FALSE(policy::consent_expired(*forever, given, given + 100000));
    const auto year = policy_with(campaigns, " validity_days = 365; ");
    CHECK_FALSE(policy::consent_expired(*year, given, given + 365));
    CHECK(policy::consent_expired(*year, given, given + 366));
}
