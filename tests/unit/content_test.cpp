#include <catch2/catch.hpp>

#include "policy/content_rules.h"
#include "policy/keywords.h"
#include "policy/mime.h"
#include "policy_file.h"

TEST_CASE("folding ignores case, accents and spacing", "[keywords]")
{
    CHECK(policy::fold("Désinscription") == "desinscription");
    CHECK(policy::fold("STRAßE") == "strasse");
    CHECK(policy::fold("  Exemple\u00a0 Prospection\n SAS ") == "exemple prospection sas");
    CHECK(policy::fold("Abbestellen: \xff bitte") == "abbestellen: \uFFFD bitte");  // invalid byte replaced
    CHECK(policy::fold("De\u0301sinscription") == "desinscription");  // decomposed accent after ASCII
    CHECK(policy::fold("\u212Aunde") == "kunde");                      // KELVIN SIGN folds to ASCII k
    CHECK(policy::fold("a\u2003\u00a0\tb") == "a b");                 // Unicode spaces between ASCII
    CHECK(policy::fold("\u00a0 lead") == "lead");                      // no leading space
    CHECK(policy::fold("ÉCOLE Übung") == "ecole ubung");
}

TEST_CASE("a keyword matches at the start of a word only", "[keywords]")
{
    policy::KeywordList list;
    list.add("désinscri");
    list.add("baja");
    CHECK(list.find_in("Pour vous DESINSCRIRE, cliquez ici") != nullptr);
    CHECK(list.find_in("lien de désinscription") != nullptr);
    CHECK(list.find_in("trabajo en equipo") == nullptr);
    CHECK(list.find_in("darse de baja") != nullptr);
    CHECK(list.find_in("nothing here") == nullptr);
}

namespace {

std::shared_ptr<const policy::Policy> corpus_policy()
{
    static const auto loaded = policy::load_policy(PROSPECT_SOURCE_DIR "/tests/corpus/policy.conf");
    REQUIRE(loaded.ok());
    return loaded.policy;
}

policy::RuleResult unsubscribe_of(const std::string& message)
{
    const auto content = policy::read_message(message);
    const policy::ReadableMessage readable{content, content.folded_text()};
    return policy::check_unsubscribe(*corpus_policy()->keywords, readable);
}

const std::string headers = "From: Alice <alice@example.com>\r\nTo: jane@client.fr\r\nSubject: x\r\n";

}  // namespace

TEST_CASE("an unsubscribe link is recognised by its text, its sentence or its URL", "[content]")
{
    const std::string html = headers + "Content-Type: text/html; charset=utf-8\r\n\r\n";
    CHECK(unsubscribe_of(html + "<p><a href=\"https://x.example/p?id=1\">Unsubscribe</a></p>").outcome ==
          policy::Outcome::pass);
    CHECK(unsubscribe_of(html + "<p>To stop receiving our emails, <a href=\"https://x.example/p\">click here</a>.</p>")
              .outcome == policy::Outcome::pass);
    CHECK(unsubscribe_of(html + "<p><a href=\"https://x.example/darse-de-baja?u=1\">aquí</a></p>").outcome ==
          policy::Outcome::pass);
    CHECK(unsubscribe_of(html + "<p><a href=\"mailto:unsubscribe@example.com\">write to us</a></p>").outcome ==
          policy::Outcome::pass);
}

TEST_CASE("what is not a visible unsubscribe link does not count", "[content]")
{
    const std::string html = headers + "Content-Type: text/html; charset=utf-8\r\n\r\n";
    CHECK(unsubscribe_of(html + "<!-- <a href=\"https://x.example/unsubscribe\">Unsubscribe</a> --><p>Hi</p>")
              .outcome == policy::Outcome::fail);
    CHECK(unsubscribe_of(html + "<p><a href=\"https://x.example/trabajo\">ver ofertas</a></p>").outcome ==
          policy::Outcome::fail);
    CHECK(unsubscribe_of(headers + "\r\nReply STOP to unsubscribe.\r\n").outcome == policy::Outcome::fail);
}

TEST_CASE("identity needs a display name, an own domain and the organisation's name", "[content]")
{
    const auto policy = corpus_policy();
    auto identity_of = [&](const std::string& from, const std::string& body) {
        const auto content = policy::read_message("From: " + from + "\r\nSubject: x\r\n\r\n" + body);
        return policy::check_identity(*policy, {content, content.folded_text()});
    };
    CHECK(identity_of("Alice <alice@example.com>", "Exemple Prospection SAS").outcome == policy::Outcome::pass);
    CHECK(identity_of("Alice <alice@mail.example.com>", "EXPRO").outcome == policy::Outcome::pass);
    CHECK(identity_of("alice@example.com", "Exemple Prospection SAS").outcome == policy::Outcome::fail);
    CHECK(identity_of("Alice <alice@gmail.com>", "Exemple Prospection SAS").outcome == policy::Outcome::fail);
    CHECK(identity_of("Alice <alice@example.com>", "Best regards, Alice").outcome == policy::Outcome::fail);
    CHECK(identity_of("=?UTF-8?B?w4lsb2RpZQ==?= <e@example.com>", "Exemple Prospection SAS").detail.find("Élodie") !=
          std::string::npos);
}

TEST_CASE("identity can require the postal address", "[content]")
{
    test::PolicyFile file(std::string(R"(organisation: {
  name = "Exemple Prospection SAS";
  domains = [ "example.com" ];
  postal_address = "12 rue de la Paix, 75002 Paris";
  require_postal_address = true;
};
)") + test::keywords_line);
    const auto loaded = file.load();
    REQUIRE(loaded.ok());
    auto identity_of = [&](const std::string& body) {
        const auto content = policy::read_message("From: Alice <alice@example.com>\r\nSubject: x\r\n\r\n" + body);
        return policy::check_identity(*loaded.policy, {content, content.folded_text()});
    };
    const auto without = identity_of("Exemple Prospection SAS, Paris");
    CHECK(without.outcome == policy::Outcome::fail);
    CHECK(without.detail.find("postal address") != std::string::npos);
    // Matching survives case and line breaks, as for the name.
    CHECK(identity_of("Exemple Prospection SAS\r\n12 RUE DE LA PAIX,\r\n75002 Paris").outcome ==
          policy::Outcome::pass);
}
