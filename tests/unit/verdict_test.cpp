#include <catch2/catch.hpp>

#include "policy/record.h"
#include "policy/text.h"
#include "policy/verdict.h"
#include "policy_file.h"

namespace {

std::shared_ptr<const policy::Policy> load(const std::string& extra)
{
    test::PolicyFile file(test::minimal_policy + R"(
campaigns = (
  { id = "spring"; purpose = "p"; audience = "b2b"; legal_basis = "legitimate_interest";
    start = "2026-03-01"; end = "2026-06-30"; }
);
)" + extra);
    auto result = file.load();
    for (const auto& error : result.errors)
        FAIL(error.to_string());
    return result.policy;
}

policy::MessageFacts facts_for(std::optional<std::string> campaign, const std::string& day = "2026-04-15")
{
    policy::MessageFacts facts;
    facts.sender = "sales@example.com";
    facts.recipients = {"jane@client.fr"};
    facts.campaign_header = std::move(campaign);
    facts.today = *policy::parse_day(day);
    return facts;
}

const policy::RuleResult& result_of(const policy::Verdict& verdict, policy::Rule rule)
{
    return verdict.results.at(static_cast<std::size_t>(rule));
}

}  // namespace

TEST_CASE("a declared, running campaign passes", "[verdict]")
{
    const auto policy = load("");
    const auto verdict = policy::judge(*policy, facts_for("spring"));
    CHECK(result_of(verdict, policy::Rule::campaign).outcome == policy::Outcome::pass);
    CHECK(verdict.failed.empty());
    CHECK(policy::action_taken(verdict) == "pass");
}

TEST_CASE("the campaign rule fails undeclared, early, expired and missing campaigns", "[verdict]")
{
    const auto policy = load("");
    struct Case {
        std::optional<std::string> campaign;
        std::string day;
        std::string expected;
    };
    for (const auto& c : {Case{"autumn", "2026-04-15", "campaign 'autumn' is not declared"},
                          Case{"spring", "2026-02-28", "campaign 'spring' starts on 2026-03-01"},
                          Case{"spring", "2026-07-01", "campaign 'spring' ended on 2026-06-30"},
                          Case{std::nullopt, "2026-04-15", "no X-Campaign-ID header"}}) {
        const auto verdict = policy::judge(*policy, facts_for(c.campaign, c.day));
        INFO(c.expected);
        CHECK(result_of(verdict, policy::Rule::campaign).outcome == policy::Outcome::fail);
        CHECK(result_of(verdict, policy::Rule::campaign).detail.find(c.expected) != std::string::npos);
        CHECK(verdict.action == policy::Action::reject);
        CHECK(verdict.reject_text().find(c.expected) != std::string::npos);
    }
}

TEST_CASE("the first and last valid days are inside the window", "[verdict]")
{
    const auto policy = load("");
    CHECK(policy::judge(*policy, facts_for("spring", "2026-03-01")).failed.empty());
    CHECK(policy::judge(*policy, facts_for("spring", "2026-06-30")).failed.empty());
}

TEST_CASE("the rule's action decides what happens", "[verdict]")
{
    SECTION("tag")
    {
        const auto policy = load("rules: { campaign = \"tag\"; };\n");
        const auto verdict = policy::judge(*policy, facts_for("ghost"));
        CHECK(verdict.action == policy::Action::tag);
        CHECK(policy::action_taken(verdict) == "tag");
        CHECK(verdict.tag_header(*policy) ==
              "result=fail; rules=campaign; campaign=ghost; policy=" + policy->version);
    }
    SECTION("off: the rule is not evaluated")
    {
        const auto policy = load("rules: { campaign = \"off\"; };\n");
        const auto verdict = policy::judge(*policy, facts_for("ghost"));
        CHECK(result_of(verdict, policy::Rule::campaign).outcome == policy::Outcome::skipped);
        CHECK(verdict.failed.empty());
    }
}

TEST_CASE("a default campaign stands in for a missing header", "[verdict]")
{
    const auto policy = load("scope: { default_campaign = \"spring\"; };\n");
    const auto verdict = policy::judge(*policy, facts_for(std::nullopt));
    CHECK(verdict.campaign == "spring");
    CHECK(verdict.failed.empty());
}

TEST_CASE("the decision record carries the fields ops query", "[record]")
{
    const auto policy = load("");
    auto facts = facts_for("ghost");
    facts.queue_id = "4Xyz";
    facts.message_id = "<m1@example.com>";
    const auto verdict = policy::judge(*policy, facts);
    const auto record = policy::message_record(*policy, facts, verdict, "reject", policy::ScopeReason::header);
    CHECK(*record.find("PROSPECT_ACTION") == "reject");
    CHECK(*record.find("PROSPECT_RULES_FAILED") == "campaign");
    CHECK(*record.find("PROSPECT_CAMPAIGN") == "ghost");
    CHECK(*record.find("PROSPECT_QUEUE_ID") == "4Xyz");
    CHECK(*record.find("PROSPECT_MESSAGE_ID") == "<m1@example.com>");
    CHECK(*record.find("PROSPECT_SENDER") == "sales@example.com");
    CHECK(*record.find("PROSPECT_POLICY") == policy->version);
    CHECK(*record.find("PROSPECT_SCOPE_REASON") == "header");
    // Pseudonymised: SHA-256 of "jane@client.fr", as `printf %s jane@client.fr | sha256sum` prints.
    CHECK(*record.find("PROSPECT_RECIPIENT") ==
          "f902459d33c4bc16e72bc491ecde48598189bf99cb890929e4682a240da216ce");
}

TEST_CASE("recipients can be logged in clear when the policy says so", "[record]")
{
    const auto policy = load("logging: { recipients = \"clear\"; };\n");
    auto facts = facts_for("spring");
    facts.recipients = {"jane@client.fr", "max@kunde.de"};
    const auto record = policy::message_record(*policy, facts, policy::judge(*policy, facts), "pass",
                                               policy::ScopeReason::sender);
    CHECK(*record.find("PROSPECT_RECIPIENT") == "jane@client.fr,max@kunde.de");
}
