#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "policy/consent.h"
#include "policy_file.h"

using test::PolicyFile;

namespace {

std::string read_source_file(const std::string& name)
{
    std::ifstream file(PROSPECT_SOURCE_DIR "/conf/" + name);
    REQUIRE(file);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

// The shipped data, read once.
const policy::ConsentRules& shipped()
{
    static const policy::ConsentRules rules = [] {
        policy::ConsentRules loaded;
        const auto domains = read_source_file("consumer-domains.conf");
        REQUIRE(loaded.read_consumer_domains(domains, "consumer-domains.conf").empty());
        REQUIRE(loaded.read_countries(read_source_file("countries.conf"), "countries.conf").empty());
        return loaded;
    }();
    return rules;
}

policy::Campaign campaign(policy::Audience audience, std::string country = "")
{
    policy::Campaign c;
    c.id = "spring";
    c.audience = audience;
    c.country = std::move(country);
    return c;
}

const policy::Organisation organisation{};  // default_country FR

policy::ConsentNeed need(const policy::Campaign* c, std::string_view local, std::string_view domain,
                         const policy::ConsentRules& rules = shipped())
{
    return policy::consent_needed(rules, organisation, c, local, domain);
}

bool mentions(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("a b2c campaign needs consent from everyone", "[consent]")
{
    const auto b2c = campaign(policy::Audience::b2c);
    for (const char* domain : {"gmail.com", "example.fr", "example.de", "example.com"}) {
        const auto decided = need(&b2c, "jane", domain);
        INFO(domain);
        CHECK(decided.required);
        CHECK(decided.reason == "campaign 'spring' is b2c");
    }
}

TEST_CASE("a b2b campaign needs consent at consumer mailbox providers", "[consent]")
{
    const auto b2b = campaign(policy::Audience::b2b);
    SECTION("the provider itself")
    {
        const auto decided = need(&b2b, "jane", "gmail.com");
        CHECK(decided.required);
        CHECK(decided.reason == "gmail.com is a consumer mailbox provider");
        CHECK(decided.country == "FR");
    }
    SECTION("a subdomain, in any case")
    {
        const auto decided = need(&b2b, "jane", "Nc.RR.com");
        CHECK(decided.required);
        CHECK(decided.reason == "rr.com is a consumer mailbox provider");
    }
    SECTION("even a role address there")
    {
        CHECK(need(&b2b, "info", "skynet.be").required);
    }
    SECTION("but not a domain that only ends like one")
    {
        CHECK_FALSE(need(&b2b, "jane", "notgmail.com").required);
    }
}

TEST_CASE("a b2b campaign to a business follows the recipient's country", "[consent]")
{
    const auto b2b = campaign(policy::Audience::b2b);
    SECTION("France: opt-out")
    {
        const auto decided = need(&b2b, "jane", "example.fr");
        CHECK_FALSE(decided.required);
        CHECK(decided.country == "FR");
        CHECK(mentions(decided.reason, "allows business prospecting without prior consent (from .fr)"));
    }
    SECTION("Germany from the ccTLD: consent")
    {
        const auto decided = need(&b2b, "jane", "mail.example.de");
        CHECK(decided.required);
        CHECK(decided.country == "DE");
        CHECK(decided.reason == "recipient country DE requires consent for business prospecting (from .de)");
    }
    SECTION("the United Kingdom from .uk")
    {
        const auto decided = need(&b2b, "jane", "example.co.uk");
        CHECK(decided.country == "GB");
        CHECK_FALSE(decided.required);
    }
    SECTION("a .com domain: the organisation's default country")
    {
        const auto decided = need(&b2b, "jane", "example.com");
        CHECK(decided.country == "FR");
        CHECK(mentions(decided.reason, "(organisation default)"));
        policy::Organisation german;
        german.default_country = "DE";
        CHECK(policy::consent_needed(shipped(), german, &b2b, "jane", "example.com").required);
    }
    SECTION("no campaign is judged as b2b")
    {
        CHECK(need(nullptr, "jane", "example.de").required);
        CHECK_FALSE(need(nullptr, "jane", "example.fr").required);
    }
}

TEST_CASE("the campaign's country overrides the ccTLD", "[consent]")
{
    const auto to_germany = campaign(policy::Audience::b2b, "DE");
    const auto decided = need(&to_germany, "jane", "example.fr");
    CHECK(decided.required);
    CHECK(decided.country == "DE");
    CHECK(mentions(decided.reason, "(campaign 'spring')"));
    const auto to_france = campaign(policy::Audience::b2b, "FR");
    CHECK_FALSE(need(&to_france, "jane", "example.de").required);
}

TEST_CASE("role addresses are exempt only where the country says so", "[consent]")
{
    const auto b2b = campaign(policy::Audience::b2b);
    SECTION("Belgium exempts them")
    {
        const auto decided = need(&b2b, "Info", "example.be");
        CHECK_FALSE(decided.required);
        CHECK(decided.reason == "role address info@ exempt in BE (from .be)");
        CHECK(need(&b2b, "jane", "example.be").required);
        CHECK(need(&b2b, "info.jane", "example.be").required);
    }
    SECTION("Germany and the Netherlands do not")
    {
        CHECK(need(&b2b, "info", "example.de").required);
        CHECK(need(&b2b, "contact", "example.nl").required);
    }
}

TEST_CASE("a country without a profile requires consent", "[consent]")
{
    const auto nowhere = campaign(policy::Audience::b2b, "ZZ");
    const auto decided = need(&nowhere, "jane", "example.fr");
    CHECK(decided.required);
    CHECK(mentions(decided.reason, "no consent profile for country ZZ"));
}

TEST_CASE("a country that lets private persons be prospected without consent", "[consent]")
{
    policy::ConsentRules rules;
    REQUIRE(rules.read_consumer_domains("mail.example\n", "d").empty());
    REQUIRE(rules.read_countries("XA b2b=opt-out b2c=opt-out role_exempt=no tlds=xa\n", "c").empty());
    const auto b2c = campaign(policy::Audience::b2c, "XA");
    const auto decided = need(&b2c, "jane", "mail.example", rules);
    CHECK_FALSE(decided.required);
    CHECK(mentions(decided.reason, "campaign 'spring' is b2c; recipient country XA allows"));
}

TEST_CASE("the shipped data files are complete", "[consent]")
{
    const auto& rules = shipped();
    CHECK(rules.consumer_domain_count() >= 100);
    for (const char* country : {"FR", "BE", "NL", "DE", "ES", "IT", "GB", "US", "AT", "CH"})
        CHECK(rules.profile(country) != nullptr);
    for (const char* provider : {"gmail.com", "yahoo.fr", "hotmail.co.uk", "web.de", "orange.fr", "skynet.be",
                                 "ziggo.nl", "libero.it", "telefonica.net", "btinternet.com", "comcast.net",
                                 "proton.me"})
        CHECK(rules.consumer_domain(provider) == provider);
    CHECK(rules.country_of_domain("example.uk") == "GB");
    CHECK(rules.country_of_domain("example.re") == "FR");
    CHECK(rules.country_of_domain("example.eu").empty());
    CHECK(rules.profile("DE")->b2b_consent);
    CHECK_FALSE(rules.profile("FR")->b2b_consent);
    CHECK(rules.profile("BE")->role_exempt);
    for (const char* role : {"info", "contact", "sales", "kontakt", "accueil", "bonjour"})
        CHECK(rules.is_role_address(role));
}

TEST_CASE("errors in the consumer domains file name file and line", "[consent]")
{
    policy::ConsentRules rules;
    const auto errors = rules.read_consumer_domains("# providers\ngmail.com\n\nfr\ngmail.com\nbad_domain.com\n"
                                                    "a.com b.com\nxn--bcher-kva.de # ok\nbücher.de\n",
                                                    "domains.conf");
    REQUIRE(errors.size() == 5);
    CHECK(errors[0].to_string().starts_with("domains.conf:4: \"fr\" is not a domain"));
    CHECK(errors[1].to_string() == "domains.conf:5: duplicate domain \"gmail.com\" (first on line 2)");
    CHECK(errors[2].line == 6);
    CHECK(errors[3].line == 7);
    CHECK(mentions(errors[3].message, "one domain per line"));
    CHECK(errors[4].line == 9);
    CHECK(mentions(errors[4].message, "A-labels"));
    CHECK(rules.consumer_domain("xn--bcher-kva.de") == "xn--bcher-kva.de");
}

TEST_CASE("errors in the countries file name file and line", "[consent]")
{
    policy::ConsentRules rules;
    const auto errors = rules.read_countries(
        "FR b2b=opt-out b2c=consent role_exempt=yes\n"   // 1: fine
        "de b2b=consent b2c=consent role_exempt=no\n"    // 2: lower-case code
        "DE b2b=maybe b2c=consent role_exempt=no\n"      // 3: bad value
        "NL b2b=consent b2c=consent\n"                   // 4: missing role_exempt
        "FR b2b=opt-out b2c=consent role_exempt=no\n"    // 5: duplicate country
        "GB b2b=opt-out b2c=consent role_exempt=no tlds=uk,fr\n"  // 6: .fr taken
        "BE b2b=consent b2c=consent role_exempt=yes colour=red\n" // 7: unknown setting
        "roles info Contact info\n",                     // 8: upper case, duplicate
        "countries.conf");
    std::vector<unsigned> lines;
    for (const auto& error : errors) {
        CHECK(error.file == "countries.conf");
        lines.push_back(error.line);
    }
    CHECK(lines == std::vector<unsigned>{2, 3, 4, 5, 6, 7, 8, 8});
    REQUIRE(errors.size() == 8);
    CHECK(mentions(errors[1].message, "b2b must be consent or opt-out (got \"maybe\")"));
    CHECK(mentions(errors[2].message, "country NL lacks role_exempt="));
    CHECK(mentions(errors[3].message, "duplicate country \"FR\" (first on line 1)"));
    CHECK(mentions(errors[4].message, "duplicate top-level domain \"fr\""));
    CHECK(mentions(errors[5].message, "unknown setting \"colour\""));
}

// --- The policy keys ------------------------------------------------------

namespace {

policy::ConfigError only_error(const std::string& text)
{
    PolicyFile file(text);
    const auto result = file.load();
    INFO(text);
    REQUIRE_FALSE(result.ok());
    REQUIRE(result.errors.size() == 1);
    return result.errors[0];
}

std::string data_file(const std::string& name) { return PROSPECT_SOURCE_DIR "/conf/" + name; }

// minimal_policy's four lines without its consent group, and one naming the
// given data files.
const std::string without_consent = R"(organisation: {
  name = "Exemple SAS";
  domains = [ "example.com" ];
}; content: { keywords = ")" PROSPECT_SOURCE_DIR R"(/conf/keywords.conf"; };
)";

std::string consent_group(const std::string& domains, const std::string& countries)
{
    return "consent: { consumer_domains = \"" + domains + "\"; countries = \"" + countries + "\"; };\n";
}

}  // namespace

TEST_CASE("the store, consent and one-recipient keys take their defaults", "[consent][config]")
{
    PolicyFile file(test::minimal_policy);
    const auto result = file.load();
    REQUIRE(result.ok());
    const auto& policy = *result.policy;
    CHECK(policy.store.path == "/var/lib/prospect-milter");
    CHECK(policy.store.map_size == std::size_t{4} << 30);
    CHECK_FALSE(policy.milter.one_recipient_per_transaction);
    REQUIRE(policy.consent_rules);
    CHECK(policy.consent_rules->consumer_domain_count() >= 100);
    CHECK(policy.consent.countries_file == data_file("countries.conf"));
}

TEST_CASE("the store, consent and one-recipient keys are read", "[consent][config]")
{
    PolicyFile file(test::minimal_policy + "store: { path = \"/srv/prospect\"; map_size = \"512M\"; };\n"
                                           "milter: { one_recipient_per_transaction = true; };\n");
    const auto result = file.load();
    REQUIRE(result.ok());
    CHECK(result.policy->store.path == "/srv/prospect");
    CHECK(result.policy->store.map_size == std::size_t{512} << 20);
    CHECK(result.policy->milter.one_recipient_per_transaction);

    PolicyFile exact(test::minimal_policy + "store: { map_size = 6442450944L; };\n");
    REQUIRE(exact.load().ok());
    CHECK(exact.load().policy->store.map_size == std::size_t{6} << 30);
}

TEST_CASE("bad store and consent keys are refused with their line", "[consent][config]")
{
    SECTION("a size with an unknown unit")
    {
        const auto error = only_error(test::minimal_policy + "store: {\n  map_size = \"4X\";\n};\n");
        CHECK(error.line == 6);
        CHECK(mentions(error.message, "'store.map_size' must be a size"));
    }
    SECTION("a size out of range")
    {
        CHECK(only_error(test::minimal_policy + "store: { map_size = \"2T\"; };\n").line == 5);
        CHECK(only_error(test::minimal_policy + "store: { map_size = \"512K\"; };\n").line == 5);
    }
    SECTION("a plain integer, which libconfig may have wrapped")
    {
        const auto error = only_error(test::minimal_policy + "store: { map_size = 5368709120; };\n");
        CHECK(mentions(error.message, "4294967296L"));
    }
    SECTION("a relative store path")
    {
        CHECK(mentions(only_error(test::minimal_policy + "store: { path = \"lmdb\"; };\n").message, "absolute"));
    }
    SECTION("an unknown key in store")
    {
        const auto error = only_error(test::minimal_policy + "store: {\n  mapsize = \"4G\";\n};\n");
        CHECK(error.line == 6);
        CHECK(mentions(error.message, "unknown key 'store.mapsize'"));
    }
    SECTION("an unknown key in consent")
    {
        const auto group = consent_group(data_file("consumer-domains.conf"), data_file("countries.conf"));
        CHECK(mentions(only_error(without_consent + group.substr(0, group.size() - 4) + " roles = \"x\"; };\n").message,
                       "unknown key 'consent.roles'"));
    }
    SECTION("one_recipient_per_transaction given as a string")
    {
        CHECK(mentions(only_error(test::minimal_policy + "milter: { one_recipient_per_transaction = \"yes\"; };\n")
                           .message,
                       "true or false"));
    }
}

TEST_CASE("problems in the consent data files are reported with their own name and line", "[consent][config]")
{
    PolicyFile countries("FR b2b=opt-out b2c=consent role_exempt=yes\nDE b2b=always b2c=consent role_exempt=no\n");
    const auto error =
        only_error(without_consent + consent_group(data_file("consumer-domains.conf"), countries.path()));
    CHECK(error.file == countries.path());
    CHECK(error.line == 2);

    const auto missing =
        only_error(without_consent + consent_group("/nonexistent/d.conf", data_file("countries.conf")));
    CHECK(missing.file == "/nonexistent/d.conf");
    CHECK(mentions(missing.message, "cannot read the consumer domains file"));
}

TEST_CASE("the data files are not needed when the consent rule is off", "[consent][config]")
{
    PolicyFile file(without_consent + "rules: { consent = \"off\"; };\n");
    const auto result = file.load();
    REQUIRE(result.ok());
    REQUIRE(result.policy->consent_rules);
    CHECK(result.policy->consent_rules->consumer_domain_count() == 0);
}

TEST_CASE("every country the policy names needs a profile", "[consent][config]")
{
    SECTION("the organisation's default")
    {
        const auto error = only_error("organisation: {\n name = \"X\";\n domains = [\"x.fr\"];\n"
                                      " default_country = \"JP\";\n};\n" +
                                      test::keywords_line);
        CHECK(error.line == 4);
        CHECK(mentions(error.message, "\"JP\" has no profile in " + data_file("countries.conf")));
    }
    SECTION("a campaign's")
    {
        const auto error = only_error(test::minimal_policy +
                                      "campaigns = (\n { id = \"x\"; purpose = \"p\"; audience = \"b2b\";\n"
                                      "   legal_basis = \"consent\"; start = \"2026-01-01\";\n"
                                      "   country = \"ZZ\"; }\n);\n");
        CHECK(error.line == 8);
        CHECK(mentions(error.message, "campaign country \"ZZ\""));
    }
}

TEST_CASE("the policy version changes with the consent data", "[consent][config]")
{
    PolicyFile domains("gmail.com\n");
    PolicyFile policy_file(without_consent + consent_group(domains.path(), data_file("countries.conf")));
    const auto before = policy_file.load();
    REQUIRE(before.ok());
    std::ofstream(domains.path()) << "gmail.com\nyahoo.fr\n";
    const auto after = policy_file.load();
    REQUIRE(after.ok());
    CHECK(before.policy->version != after.policy->version);
}
