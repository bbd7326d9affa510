#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <fstream>
#include <iterator>

#include "policy/keywords.h"
#include "policy/text.h"
#include "policy_file.h"
#include "temp_dir.h"

using test::minimal_policy;
using test::PolicyFile;

namespace {

// Loads text and returns its only error, failing the test if there is not
// exactly one.
policy::ConfigError only_error(const std::string& text)
{
    PolicyFile file(text);
    const auto result = file.load();
    INFO(text);
    REQUIRE_FALSE(result.ok());
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].file == file.path());
    return result.errors[0];
}

}  // namespace

TEST_CASE("the shipped example policy is valid", "[config]")
{
    // Installed, it uses the installed data files; here, the source's.
    std::ifstream example(PROSPECT_SOURCE_DIR "/conf/prospect-milter.conf");
    std::string text((std::istreambuf_iterator<char>(example)), std::istreambuf_iterator<char>());
    for (const std::string file : {"keywords", "consumer_domains", "countries"}) {
        const std::string name = file == "consumer_domains" ? "consumer-domains" : file;
        const std::string installed = "# " + file + " = \"/usr/share/prospect-milter/" + name + ".conf\";";
        REQUIRE(text.find(installed) != std::string::npos);
        text.replace(text.find(installed), installed.size(),
                     file + " = \"" PROSPECT_SOURCE_DIR "/conf/" + name + ".conf\";");
    }
    // The unsubscribe group ships commented out ("#~ "), since it needs a
    // key made on the site; uncommented, with a key, it is valid.
    test::TempDir keys;
    const std::string key = keys.path() + "/1.key";
    std::ofstream(key) << std::string(48, 'k');
    ::chmod(key.c_str(), 0600);
    for (std::size_t at; (at = text.find("#~ ")) != std::string::npos;)
        text.erase(at, 3);
    for (std::size_t at; (at = text.find("#~\n")) != std::string::npos;)
        text.erase(at, 2);
    const std::string shipped_key = "/etc/prospect-milter/keys/1.key";
    REQUIRE(text.find(shipped_key) != std::string::npos);
    text.replace(text.find(shipped_key), shipped_key.size(), key);
    PolicyFile file(text);
    const auto result = file.load();
    for (const auto& error : result.errors)
        FAIL(error.to_string());
    REQUIRE(result.ok());
    const auto& policy = *result.policy;
    CHECK(policy.unsubscribe.injects());
    CHECK(policy.unsubscribe.listen == "127.0.0.1:8026");
    CHECK(policy.organisation.name == "Exemple Prospection SAS");
    CHECK(policy.campaigns.size() == 2);
    CHECK(policy.find_campaign("spring-2026")->end == policy::parse_day("2027-02-28"));
    CHECK_FALSE(policy.find_campaign("newsletter")->end.has_value());
    CHECK(policy.action_for(policy::Rule::identity) == policy::Action::tag);
    CHECK(policy.milter.socket_mode == 0660);
    CHECK(policy.scope.sender_addresses == std::vector<std::string>{"sales@example.com"});
    CHECK(policy.scope.sender_domains == std::vector<std::string>{"outreach.example.com"});
}

TEST_CASE("a minimal policy takes the documented defaults", "[config]")
{
    PolicyFile file(minimal_policy);
    const auto result = file.load();
    REQUIRE(result.ok());
    const auto& policy = *result.policy;
    CHECK_FALSE(policy.dry_run);
    CHECK(policy.failure_action == policy::FailureAction::tempfail);
    CHECK(policy.scope.campaign_header == "X-Campaign-ID");
    CHECK(policy.milter.socket == "unix:/run/prospect-milter/prospect-milter.sock");
    CHECK(policy.milter.timeout == 30);
    CHECK(policy.action_for(policy::Rule::campaign) == policy::Action::reject);
    CHECK(policy.action_for(policy::Rule::size) == policy::Action::reject);
    CHECK(policy.action_for(policy::Rule::unsubscribe) == policy::Action::reject);
    CHECK(policy.action_for(policy::Rule::identity) == policy::Action::tag);
    CHECK(policy.action_for(policy::Rule::reason) == policy::Action::monitor);
    CHECK(policy.action_for(policy::Rule::first_contact) == policy::Action::monitor);
    CHECK(policy.content.max_message_size == 10 * 1024 * 1024);
    CHECK_FALSE(policy.keywords->unsubscribe.empty());
    // The organisation's own domains are always internal.
    CHECK(policy.scope.internal_domains == std::vector<std::string>{"example.com"});
    CHECK(policy.version.size() == 12);
}

TEST_CASE("the policy version changes with the file's bytes", "[config]")
{
    PolicyFile a(minimal_policy);
    PolicyFile b(minimal_policy + "dry_run = true;\n");
    CHECK(a.load().policy->version != b.load().policy->version);
}

TEST_CASE("a syntax error names file and line", "[config]")
{
    const auto error = only_error(minimal_policy + "dry_run = true;\nfailure_action = = \"accept\";\n");
    CHECK(error.line == 6);
}

TEST_CASE("an unreadable file is reported", "[config]")
{
    const auto result = policy::load_policy("/nonexistent/prospect.conf");
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].message.find("cannot read") != std::string::npos);
}

TEST_CASE("unknown keys are refused with their line", "[config]")
{
    SECTION("at top level")
    {
        const auto error = only_error(minimal_policy + "\ndryrun = true;\n");
        CHECK(error.line == 6);
        CHECK(error.message.find("unknown key 'dryrun'") != std::string::npos);
    }
    SECTION("inside a group")
    {
        const auto error = only_error(minimal_policy + "milter: {\n  socket = \"unix:/tmp/s\";\n  timeuot = 5;\n};\n");
        CHECK(error.line == 7);
        CHECK(error.message.find("milter.timeuot") != std::string::npos);
    }
    SECTION("an unknown rule")
    {
        const auto error = only_error(minimal_policy + "rules: {\n  unsubscribe = \"tag\";\n  spam = \"reject\";\n};\n");
        CHECK(error.line == 7);
        CHECK(error.message.find("unknown rule 'spam'") != std::string::npos);
    }
}

TEST_CASE("wrong types are refused with their line", "[config]")
{
    SECTION("bool given as string")
    {
        const auto error = only_error(minimal_policy + "dry_run = \"yes\";\n");
        CHECK(error.line == 5);
        CHECK(error.message.find("true or false") != std::string::npos);
    }
    SECTION("integer given as string")
    {
        const auto error = only_error(minimal_policy + "milter: {\n  timeout = \"30\";\n};\n");
        CHECK(error.line == 6);
        CHECK(error.message.find("an integer") != std::string::npos);
    }
    SECTION("list entry of the wrong type")
    {
        const auto error = only_error(minimal_policy + "scope: {\n  services = ( \"a\",\n 5 );\n};\n");
        CHECK(error.line == 7);
    }
}

TEST_CASE("out-of-range and malformed values are refused", "[config]")
{
    SECTION("timeout too large")
    {
        const auto error = only_error(minimal_policy + "milter: {\n  timeout = 100000;\n};\n");
        CHECK(error.line == 6);
        CHECK(error.message.find("between 1 and 3600") != std::string::npos);
    }
    SECTION("action not in the list")
    {
        const auto error = only_error(minimal_policy + "rules: {\n  campaign = \"bounce\";\n};\n");
        CHECK(error.line == 6);
        CHECK(error.message.find("\"reject\"") != std::string::npos);
    }
    SECTION("a TCP socket off loopback")
    {
        const auto error = only_error(minimal_policy + "milter: {\n  socket = \"inet:8891@0.0.0.0\";\n};\n");
        CHECK(error.line == 6);
        CHECK(error.message.find("loopback") != std::string::npos);
    }
    SECTION("a socket mode that is not octal")
    {
        const auto error = only_error(minimal_policy + "milter: {\n  socket_mode = \"0990\";\n};\n");
        CHECK(error.line == 6);
    }
    SECTION("a sender that is neither address nor domain")
    {
        const auto error = only_error(minimal_policy + "scope: {\n  senders = [ \"sales\" ];\n};\n");
        CHECK(error.line == 6);
    }
    SECTION("a country code in lower case")
    {
        const auto error = only_error("organisation: {\n name = \"X\";\n domains = [\"x.fr\"];\n default_country = \"fr\";\n};\n" +
                                      test::keywords_line);
        CHECK(error.line == 4);
    }
}

TEST_CASE("missing required keys are reported at their group", "[config]")
{
    const auto error = only_error("organisation: {\n  name = \"Exemple\";\n};\n" + test::keywords_line);
    CHECK(error.line == 1);
    CHECK(error.message.find("'domains'") != std::string::npos);
}

namespace {
std::string campaign(const std::string& id, const std::string& start, const std::string& end)
{
    return "  { id = \"" + id + "\";\n    purpose = \"p\";\n    audience = \"b2b\";\n"
           "    legal_basis = \"legitimate_interest\";\n    start = \"" + start + "\";\n" +
           (end.empty() ? "" : "    end = \"" + end + "\";\n") + "  }";
}
}  // namespace

TEST_CASE("campaign declarations are validated", "[config]")
{
    SECTION("duplicate ids name both lines")
    {
        // Line 5 "campaigns = (", first campaign's id on 6, second's on 13.
        const auto text = minimal_policy + "campaigns = (\n" + campaign("spring", "2026-01-01", "2026-02-01") +
                          ",\n" + campaign("spring", "2026-03-01", "") + "\n);\n";
        const auto error = only_error(text);
        CHECK(error.line == 13);
        CHECK(error.message.find("duplicate campaign id \"spring\"") != std::string::npos);
        CHECK(error.message.find("line 6") != std::string::npos);
    }
    SECTION("an end before the start")
    {
        const auto error = only_error(minimal_policy + "campaigns = (\n" +
                                      campaign("autumn", "2026-10-01", "2026-09-30") + "\n);\n");
        CHECK(error.line == 11);
        CHECK(error.message.find("before it starts") != std::string::npos);
    }
    SECTION("an impossible date")
    {
        const auto error = only_error(minimal_policy + "campaigns = (\n" + campaign("x", "2026-02-30", "") + "\n);\n");
        CHECK(error.line == 10);
        CHECK(error.message.find("YYYY-MM-DD") != std::string::npos);
    }
    SECTION("a missing purpose")
    {
        const auto error = only_error(minimal_policy +
                                      "campaigns = (\n { id = \"x\"; audience = \"b2b\";\n"
                                      "   legal_basis = \"consent\"; start = \"2026-01-01\"; }\n);\n");
        CHECK(error.line == 6);
        CHECK(error.message.find("'purpose'") != std::string::npos);
    }
    SECTION("a default campaign that is not declared")
    {
        const auto error = only_error(minimal_policy + "scope: {\n  default_campaign = \"ghost\";\n};\n");
        CHECK(error.line == 6);
    }
}

TEST_CASE("every problem in a file is reported, not just the first", "[config]")
{
    PolicyFile file(minimal_policy + "dry_run = 1;\nmilter: {\n  timeout = 0;\n  shutdown_grace = -1;\n};\nbogus = 1;\n");
    const auto result = file.load();
    REQUIRE(result.errors.size() == 4);
    CHECK(result.errors[0].line == 5);
    CHECK(result.errors[1].line == 7);
    CHECK(result.errors[2].line == 8);
    CHECK(result.errors[3].line == 10);
    CHECK(result.errors[3].to_string() == file.path() + ":10: unknown key 'bogus'");
}
