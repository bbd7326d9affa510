// The per-recipient rules against the running daemon: the store seeded by
// the test (store/store.h, as prospectctl writes it) while the daemon runs.
#include <libmilter/mfapi.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <regex>
#include <thread>
#include <fstream>

#include "milter_session.h"
#include "running_daemon.h"
#include "store/store.h"

using milterclient::Envelope;
using milterclient::ModKind;
using milterclient::Outcome;
using milterclient::Stage;
using milterclient::Transcript;
using test::RunningDaemon;

namespace {

const std::string policy_head = R"(
organisation: { name = "Exemple SAS"; domains = [ "example.com" ]; };
campaigns = (
  { id = "spring"; purpose = "Payroll software for HR managers"; audience = "b2b";
    legal_basis = "legitimate_interest"; start = "2020-01-01"; }
);
content: { keywords = ")" PROSPECT_SOURCE_DIR R"(/conf/keywords.conf"; };
)";
// The sender makes mail prospecting at MAIL FROM; marketing@ only through
// the campaign header, at the end of the headers.
const std::string scope = "scope: { senders = [ \"sales@example.com\" ]; internal_domains = [ \"example.com\" ]; };\n";

const std::string body =
    "Dear Jane,\r\n\r\nExemple SAS makes payroll software for HR teams.\r\n\r\n"
    "You are receiving this email because of your role as HR manager. We obtained your contact\r\n"
    "details from a rented list; you may object at any time.\r\n\r\n"
    "To unsubscribe: https://example.com/u/abc123\r\n";

std::string message(const std::string& id)
{
    return "From: Alice Martin <sales@example.com>\r\nTo: jane@client.fr\r\nSubject: Payroll\r\n"
           "Message-ID: <" + id + ">\r\nX-Campaign-ID: spring\r\n\r\n" + body;
}

Envelope envelope(const std::string& sender, std::vector<std::string> recipients)
{
    Envelope env;
    env.sender = sender;
    env.recipients = std::move(recipients);
    env.macros[Stage::Connect] = {{"{daemon_name}", "smtpd"}};
    env.macros[Stage::Data] = {{"i", "QID1"}};
    env.macros[Stage::Eom] = {{"i", "QID1"}};
    return env;
}

std::unique_ptr<store::Store> open_store(const RunningDaemon& daemon)
{
    store::StoreOptions options;
    options.path = daemon.directory() + "/store";
    return store::Store::open(options);
}

store::Address address(const std::string& text) { return std::get<store::Address>(store::normalise_address(text)); }

void suppress(store::Store& store, const std::string& text)
{
    store::Suppression entry;
    entry.when = 1764000000;
    entry.source = store::SuppressionSource::cli;
    REQUIRE(store.suppress(store::address_key(address(text)), entry));
}

std::vector<std::string> removed_recipients(const Transcript& t)
{
    std::vector<std::string> removed;
    for (const auto& mod : t.modifications)
        if (mod.kind == ModKind::DelRcpt)
            removed.push_back(mod.value);
    return removed;
}

}  // namespace

TEST_CASE("a suppressed recipient is refused at RCPT when the sender makes the mail prospecting",
          "[protocol][store]")
{
    RunningDaemon daemon(policy_head + scope);
    auto store = open_store(daemon);
    suppress(*store, "carol@client.fr");
    const auto t = daemon.send(envelope("sales@example.com", {"carol@client.fr", "erin@client.fr"}), message("m1@x"));
    REQUIRE(t.rejected_recipients.size() == 1);
    CHECK(t.rejected_recipients[0].first == "<carol@client.fr>");
    CHECK(t.rejected_recipients[0].second.smtp_code() == 550);
    CHECK(t.rejected_recipients[0].second.text.find("5.7.1") != std::string::npos);
    CHECK(t.outcome == Outcome::Accept);  // erin gets the message
    CHECK(removed_recipients(t).empty());
    const auto records = daemon.wait_records("recipient", 1);
    REQUIRE(records.size() == 1);
    CHECK(records[0]["PROSPECT_ACTION"] == "refuse");
    CHECK(records[0]["PROSPECT_STAGE"] == "rcpt");
    CHECK(records[0]["PROSPECT_RULES_FAILED"] == "suppression");
}

TEST_CASE("when only the campaign header makes mail prospecting, suppressed recipients are removed at its end",
          "[protocol][store]")
{
    RunningDaemon daemon(policy_head + scope);
    auto store = open_store(daemon);
    suppress(*store, "carol@client.fr");
    const auto t =
        daemon.send(envelope("marketing@example.com", {"carol@client.fr", "erin@client.fr"}), message("m2@x"));
    CHECK(t.rejected_recipients.empty());
    CHECK(t.outcome == Outcome::Accept);
    CHECK(removed_recipients(t) == std::vector<std::string>{"<carol@client.fr>"});
    const auto records = daemon.wait_records("recipient", 1);
    REQUIRE(records.size() == 1);
    CHECK(records[0]["PROSPECT_STAGE"] == "eom");
}

TEST_CASE("a message whose every recipient is refused is rejected", "[protocol][store]")
{
    RunningDaemon daemon(policy_head + scope);
    // A consumer mailbox without consent, reached through the header.
    const auto t = daemon.send(envelope("marketing@example.com", {"jo@gmail.com"}), message("m3@x"));
    CHECK(t.outcome == Outcome::Reject);
    CHECK(t.final_step == "eom");
    const auto records = daemon.wait_records("message", 1);
    REQUIRE_FALSE(records.empty());
    CHECK(records.back()["PROSPECT_ACTION"] == "reject");
    CHECK(records.back()["PROSPECT_RULES_FAILED"] == "consent");
}

TEST_CASE("a store that cannot be opened gives the failure action, never a pass", "[protocol][store]")
{
    // The store path is a file: LMDB cannot make an environment there.
    RunningDaemon daemon(policy_head + scope + "store: { path = \"/dev/null/store\"; };\n");
    const auto t = daemon.send(envelope("sales@example.com", {"erin@client.fr"}), message("m4@x"));
    REQUIRE(t.rejected_recipients.size() == 1);
    CHECK(t.rejected_recipients[0].second.smtp_code() == 451);
    CHECK(daemon.running());
    const auto records = daemon.wait_records("message", 1);
    REQUIRE_FALSE(records.empty());
    CHECK(records.back()["PROSPECT_ACTION"] == "tempfail");
}

TEST_CASE("one recipient per transaction: the others are asked to come again", "[protocol][store]")
{
    RunningDaemon daemon(policy_head + scope, "  one_recipient_per_transaction = true;\n");
    const auto t = daemon.send(envelope("sales@example.com", {"erin@client.fr", "fred@client.fr", "gus@client.fr"}),
                        message("m5@x"));
    REQUIRE(t.rejected_recipients.size() == 2);
    for (const auto& [recipient, reply] : t.rejected_recipients) {
        CHECK(reply.smtp_code() == 452);
        CHECK(reply.text.find("4.5.3") != std::string::npos);
    }
    CHECK(t.outcome == Outcome::Accept);
}

TEST_CASE("delivered mail is counted in the contact history", "[protocol][store]")
{
    RunningDaemon daemon(policy_head + scope);
    auto store = open_store(daemon);
    const auto key = store::address_key(address("erin@client.fr"));
    CHECK_FALSE(store->contact(key));
    daemon.send(envelope("sales@example.com", {"erin@client.fr"}), message("m6@x"));
    daemon.send(envelope("sales@example.com", {"erin@client.fr"}), message("m7@x"));
    // The history is written behind the messages (milter/contact_recorder.h),
    // within its 100 ms group-commit window.
    std::optional<store::Contact> contact;
    for (int tries = 0; tries < 500 && !(contact && contact->count == 2); ++tries) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        contact = store->contact(key);
    }
    REQUIRE(contact);
    CHECK(contact->count == 2);
    CHECK(contact->last_campaign == "spring");
    const auto records = daemon.wait_records("message", 2);
    REQUIRE(records.size() == 2);
    CHECK(records[0]["PROSPECT_FIRST_CONTACT"] == "1");
    CHECK(records[1]["PROSPECT_FIRST_CONTACT"] == "0");
}

TEST_CASE("an unsubscribe right after the message finds the recipient's whole key", "[protocol][store]")
{
    // The contact history is written in 100 ms groups; an unsubscribe that
    // comes sooner must still find the recipient there, not fall back to
    // the token's partial key.
    std::string key_dir = (std::filesystem::temp_directory_path() / "prospect-key.XXXXXX").string();
    REQUIRE(::mkdtemp(key_dir.data()));
    const std::string key_file = key_dir + "/1.key";
    std::ofstream(key_file) << std::string(48, 'k');
    std::filesystem::permissions(key_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    const std::string unsubscribe = "unsubscribe: { keys = ( { id = 1; file = \"" + key_file +
                                    "\"; } ); address = \"unsubscribe@example.com\"; };\n";
    {
        RunningDaemon daemon(policy_head + scope + unsubscribe);
        const auto sent = daemon.send(envelope("sales@example.com", {"erin@client.fr"}), message("m8@x"));
        std::string token;
        const std::regex mailto("unsubscribe\\+([A-Za-z0-9_-]{52})@example\\.com");
        for (const auto& mod : sent.modifications) {
            std::smatch found;
            if (mod.name == "List-Unsubscribe" && std::regex_search(mod.value, found, mailto))
                token = found[1];
        }
        REQUIRE(token.size() == 52);
        const auto taken = daemon.send(envelope("erin@client.fr", {"unsubscribe+" + token + "@example.com"}),
                                       "From: erin@client.fr\r\nTo: unsubscribe+" + token +
                                           "@example.com\r\nSubject: unsubscribe\r\n\r\nunsubscribe\r\n");
        CHECK(taken.outcome == Outcome::Discard);
        const auto records = daemon.wait_records("unsubscribe", 1);
        REQUIRE(records.size() == 1);
        CHECK(records[0]["PROSPECT_OUTCOME"] == "suppressed");
        const auto whole = store::address_key(address("erin@client.fr"));
        CHECK(records[0]["PROSPECT_RECIPIENT"] == store::to_hex(whole));
        CHECK(open_store(daemon)->suppression(whole));
    }
    std::filesystem::remove_all(key_dir);
}
