// Protocol-level tests: the real prospect-milter daemon on a temporary unix
// socket, driven by our own MTA-side client (tests/milterclient) exactly as
// Postfix drives it.
#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include <catch2/catch.hpp>
#include <thread>

#include "milter_session.h"
#include "running_daemon.h"

using milterclient::Envelope;
using milterclient::MilterClient;
using milterclient::ModKind;
using milterclient::Outcome;
using milterclient::Stage;
using milterclient::Transcript;
using test::RunningDaemon;

namespace {

const std::string organisation = R"(
organisation: { name = "Exemple SAS"; domains = [ "example.com" ]; };
campaigns = (
  { id = "spring"; purpose = "Payroll software for HR managers"; audience = "b2b";
    legal_basis = "legitimate_interest"; start = "2020-01-01"; },
  { id = "old"; purpose = "Past campaign"; audience = "b2b";
    legal_basis = "legitimate_interest"; start = "2020-01-01"; end = "2020-12-31"; }
);
)";

std::string content_group(const std::string& extra = "")
{
    return "content: { keywords = \"" PROSPECT_SOURCE_DIR "/conf/keywords.conf\"; " + extra + " };\n";
}

const std::string sender_scope = "scope: { senders = [ \"sales@example.com\" ]; };\n";
const std::string header_scope = organisation + content_group() + sender_scope;

Envelope envelope(const std::string& sender, std::vector<std::string> recipients, const std::string& queue_id = "QID1")
{
    Envelope env;
    env.sender = sender;
    env.recipients = std::move(recipients);
    env.macros[Stage::Connect] = {{"{daemon_name}", "smtpd"}, {"j", "mx.example.com"}};
    env.macros[Stage::Mail] = {{"{auth_authen}", ""}};
    env.macros[Stage::Data] = {{"i", queue_id}};
    env.macros[Stage::Eom] = {{"i", queue_id}};
    return env;
}

// A body that satisfies every content rule: the organisation named, the
// reason for contact, the data source and the right to object, and an
// unsubscribe link.
const std::string compliant_body =
    "Dear Jane,\r\n\r\nExemple SAS makes payroll software for HR teams.\r\n\r\n"
    "You are receiving this email because of your role as HR manager. We obtained your contact\r\n"
    "details from a rented list; you may object at any time.\r\n\r\n"
    "To unsubscribe: https://example.com/u/abc123\r\n";

std::string message(const std::string& extra_headers, const std::string& body = compliant_body)
{
    return "From: Alice Martin <sales@example.com>\r\nTo: jane@client.fr\r\nSubject: Payroll\r\n"
           "Message-ID: <m1@example.com>\r\n" + extra_headers + "\r\n" + body;
}

bool has_mod(const Transcript& t, ModKind kind, const std::string& name = "")
{
    for (const auto& mod : t.modifications)
        if (mod.kind == kind && (name.empty() || mod.name == name))
            return true;
    return false;
}

const nlohmann::json& last_message_record(const RunningDaemon& daemon, std::size_t expected_count)
{
    static std::vector<nlohmann::json> records;
    records = daemon.wait_records("message", expected_count);
    REQUIRE(records.size() == expected_count);
    return records.back();
}

}  // namespace

TEST_CASE("the milter asks only for the steps and macros it uses", "[protocol]")
{
    RunningDaemon daemon(header_scope);
    MilterClient client;
    client.open(daemon.socket_spec());
    const auto negotiated = client.negotiate();
    CHECK(negotiated.version == 6);
    CHECK(negotiated.has(SMFIP_NOHELO));
    CHECK(negotiated.has(SMFIP_NOUNKNOWN));
    CHECK(negotiated.has(SMFIP_NR_HDR));
    CHECK_FALSE(negotiated.has(SMFIP_NOHDRS));
    CHECK(negotiated.symlist(SMFIM_CONNECT) == std::vector<std::string>{"{daemon_name}"});
    CHECK(negotiated.symlist(SMFIM_ENVFROM) == std::vector<std::string>{"{auth_authen}"});
    CHECK(negotiated.symlist(SMFIM_EOM) == std::vector<std::string>{"i"});
    CHECK((negotiated.actions & SMFIF_ADDHDRS) != 0);
    CHECK((negotiated.actions & SMFIF_QUARANTINE) != 0);
    CHECK((negotiated.actions & SMFIF_CHGBODY) == 0);
    client.quit();
}

TEST_CASE("ordinary mail is accepted at the end of the headers, untouched", "[protocol][scope]")
{
    RunningDaemon daemon(header_scope);
    const auto t = daemon.send(envelope("bob@example.com", {"jane@client.fr"}), message(""));
    CHECK(t.outcome == Outcome::Accept);
    CHECK(t.final_step == "eoh");
    CHECK(t.modifications.empty());
    const auto& record = last_message_record(daemon, 1);
    CHECK(record["PROSPECT_ACTION"] == "accept");
    CHECK(record["PROSPECT_SCOPE"] == "out");
    CHECK(record["PROSPECT_STAGE"] == "headers");
    CHECK(record["PROSPECT_QUEUE_ID"] == "QID1");
}

TEST_CASE("a sender-only scope accepts other senders at MAIL FROM", "[protocol][scope]")
{
    RunningDaemon daemon(organisation + content_group() + "scope: { campaign_header = \"\"; senders = [ \"sales@example.com\" ]; };\n");
    const auto t = daemon.send(envelope("bob@example.com", {"jane@client.fr"}), message("X-Campaign-ID: spring\r\n"));
    CHECK(t.outcome == Outcome::Accept);
    CHECK(t.final_step == "mail");
}

TEST_CASE("a service-only scope accepts other services at connect", "[protocol][scope]")
{
    RunningDaemon daemon(organisation + content_group() + "scope: { campaign_header = \"\"; services = [ \"outreach\" ]; };\n");
    const auto other = daemon.send(envelope("sales@example.com", {"jane@client.fr"}), message(""));
    CHECK(other.outcome == Outcome::Accept);
    CHECK(other.final_step == "connect");

    auto env = envelope("sales@example.com", {"jane@client.fr"});
    env.macros[Stage::Connect] = {{"{daemon_name}", "outreach"}};
    const auto prospecting = daemon.send(env, message(""));
    // In scope, and it names no campaign: the campaign rule rejects it.
    CHECK(prospecting.outcome == Outcome::Reject);
    CHECK(prospecting.final_step == "eom");
    CHECK(prospecting.smtp_reply.find("no campaign") != std::string::npos);
}

TEST_CASE("mail only to colleagues is accepted at DATA", "[protocol][scope]")
{
    RunningDaemon daemon(header_scope);
    const auto t = daemon.send(envelope("sales@example.com", {"boss@example.com"}), message("X-Campaign-ID: ghost\r\n"));
    CHECK(t.outcome == Outcome::Accept);
    CHECK(t.final_step == "data");
    CHECK(last_message_record(daemon, 1)["PROSPECT_SCOPE_REASON"] == "internal");
}

TEST_CASE("a compliant prospecting message passes and is logged", "[protocol][rules]")
{
    RunningDaemon daemon(header_scope);
    const auto t = daemon.send(envelope("sales@example.com", {"jane@client.fr", "boss@example.com"}),
                        message("X-Campaign-ID: spring\r\n"));
    CHECK(t.outcome == Outcome::Accept);
    CHECK(t.final_step == "eom");
    CHECK(t.modifications.empty());
    const auto& record = last_message_record(daemon, 1);
    CHECK(record["PROSPECT_ACTION"] == "pass");
    CHECK(record["PROSPECT_SCOPE"] == "in");
    CHECK(record["PROSPECT_CAMPAIGN"] == "spring");
    CHECK(record["PROSPECT_RULES_FAILED"] == "");
    CHECK(record["PROSPECT_MESSAGE_ID"] == "<m1@example.com>");
    CHECK(record["PROSPECT_SENDER"] == "sales@example.com");
    // Only the external recipient, pseudonymised: sha256("jane@client.fr").
    CHECK(record["PROSPECT_RECIPIENT"] == "f902459d33c4bc16e72bc491ecde48598189bf99cb890929e4682a240da216ce");
}

TEST_CASE("undeclared and expired campaigns are rejected with a readable reason", "[protocol][rules]")
{
    RunningDaemon daemon(header_scope);
    const auto undeclared = daemon.send(envelope("sales@example.com", {"jane@client.fr"}),
                                 message("X-Campaign-ID: black-friday\r\n"));
    CHECK(undeclared.outcome == Outcome::Reject);
    CHECK(undeclared.smtp_reply.rfind("550 5.7.1 ", 0) == 0);
    CHECK(undeclared.smtp_reply.find("campaign 'black-friday' is not declared") != std::string::npos);

    const auto expired = daemon.send(envelope("sales@example.com", {"jane@client.fr"}, "QID2"),
                              message("X-Campaign-ID: old\r\n"));
    CHECK(expired.outcome == Outcome::Reject);
    CHECK(expired.smtp_reply.find("campaign 'old' ended on 2020-12-31") != std::string::npos);

    const auto records = daemon.wait_records("message", 2);
    REQUIRE(records.size() == 2);
    CHECK(records[0]["PROSPECT_ACTION"] == "reject");
    CHECK(records[0]["PROSPECT_RULES_FAILED"] == "campaign");
    CHECK(records[0]["PROSPECT_CAMPAIGN"] == "black-friday");
    CHECK(records[1]["PROSPECT_QUEUE_ID"] == "QID2");
}

TEST_CASE("a reply text cannot be bent by the campaign header", "[protocol][rules]")
{
    RunningDaemon daemon(header_scope);
    const auto t = daemon.send(envelope("sales@example.com", {"jane@client.fr"}),
                        message("X-Campaign-ID: 100%\xc3\xa9t\xc3\xa9\r\n"));
    CHECK(t.outcome == Outcome::Reject);
    for (unsigned char c : t.smtp_reply)
        CHECK((c >= 0x20 && c < 0x7f));
    CHECK(t.smtp_reply.find('%') == std::string::npos);
}

TEST_CASE("tag adds X-Prospect-Policy and removes the client's own", "[protocol][actions]")
{
    RunningDaemon daemon(header_scope + "rules: { campaign = \"tag\"; };\n");
    const auto t = daemon.send(envelope("sales@example.com", {"jane@client.fr"}),
                        message("X-Campaign-ID: ghost\r\nX-Prospect-Policy: result=pass\r\n"));
    CHECK(t.outcome == Outcome::Accept);
    REQUIRE(has_mod(t, ModKind::AddHeader, "X-Prospect-Policy"));
    for (const auto& mod : t.modifications) {
        if (mod.kind == ModKind::AddHeader) {
            CHECK(mod.value.find("result=fail; rules=campaign; campaign=ghost; policy=") == 0);
        }
        if (mod.kind == ModKind::ChangeHeader) {
            CHECK(mod.name == "X-Prospect-Policy");
            CHECK(mod.index == 1);
            CHECK(mod.value.empty());
        }
    }
    CHECK(has_mod(t, ModKind::ChangeHeader, "X-Prospect-Policy"));
    CHECK(last_message_record(daemon, 1)["PROSPECT_ACTION"] == "tag");
}

TEST_CASE("quarantine holds the message with the reason", "[protocol][actions]")
{
    RunningDaemon daemon(header_scope + "rules: { campaign = \"quarantine\"; };\n");
    const auto t = daemon.send(envelope("sales@example.com", {"jane@client.fr"}), message("X-Campaign-ID: ghost\r\n"));
    CHECK(t.outcome == Outcome::Accept);
    CHECK(t.quarantined);
    CHECK(t.quarantine_reason.find("campaign 'ghost' is not declared") != std::string::npos);
    CHECK(last_message_record(daemon, 1)["PROSPECT_ACTION"] == "quarantine");
}

TEST_CASE("monitor only logs", "[protocol][actions]")
{
    RunningDaemon daemon(header_scope + "rules: { campaign = \"monitor\"; };\n");
    const auto t = daemon.send(envelope("sales@example.com", {"jane@client.fr"}), message("X-Campaign-ID: ghost\r\n"));
    CHECK(t.outcome == Outcome::Accept);
    CHECK(t.modifications.empty());
    const auto& record = last_message_record(daemon, 1);
    CHECK(record["PROSPECT_ACTION"] == "monitor");
    CHECK(record["PROSPECT_RULES_FAILED"] == "campaign");
}

TEST_CASE("dry run logs what would be done and does nothing", "[protocol][actions]")
{
    RunningDaemon daemon(header_scope + "dry_run = true;\n");
    const auto t = daemon.send(envelope("sales@example.com", {"jane@client.fr"}),
                        message("X-Campaign-ID: ghost\r\nX-Prospect-Policy: forged\r\n"));
    CHECK(t.outcome == Outcome::Accept);
    CHECK(t.modifications.empty());
    const auto& record = last_message_record(daemon, 1);
    CHECK(record["PROSPECT_ACTION"] == "reject");
    CHECK(record["PROSPECT_DRY_RUN"] == "1");
}

TEST_CASE("several messages on one connection are judged independently", "[protocol]")
{
    RunningDaemon daemon(header_scope);
    MilterClient client;
    client.open(daemon.socket_spec());
    client.negotiate();
    const auto first = milterclient::run_message(client, envelope("sales@example.com", {"jane@client.fr"}, "Q1"),
                                                 message("X-Campaign-ID: ghost\r\n"));
    const auto second = milterclient::run_message(client, envelope("sales@example.com", {"jane@client.fr"}, "Q2"),
                                                  message("X-Campaign-ID: spring\r\n"));
    const auto third = milterclient::run_message(client, envelope("bob@example.com", {"jane@client.fr"}, "Q3"),
                                                 message(""));
    client.quit();
    CHECK(first.outcome == Outcome::Reject);
    CHECK(second.outcome == Outcome::Accept);
    CHECK(second.final_step == "eom");
    CHECK(third.final_step == "eoh");
}

namespace {
int free_loopback_port()
{
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    close(fd);
    return ntohs(address.sin_port);
}
}  // namespace

TEST_CASE("on an inet socket a modified message does not stall 40 ms", "[protocol][inet]")
{
    // Without TCP_NODELAY on the listener, libmilter's separate writes of a
    // header modification and the final reply meet the client's delayed
    // ACK: every tagged message would wait about 40 ms.
    const std::string spec = "inet:" + std::to_string(free_loopback_port()) + "@127.0.0.1";
    RunningDaemon daemon(header_scope + "rules: { campaign = \"tag\"; };\n", "  socket = \"" + spec + "\";\n");
    MilterClient client;
    client.open(spec);
    client.negotiate();
    std::vector<double> eom_ms;
    for (int i = 0; i < 15; ++i) {
        const auto t = milterclient::run_message(client, envelope("sales@example.com", {"jane@client.fr"}),
                                                 message("X-Campaign-ID: ghost\r\n"));
        REQUIRE(has_mod(t, ModKind::AddHeader, "X-Prospect-Policy"));
        for (const auto& step : t.steps)
            if (step.step == "eom")
                eom_ms.push_back(std::chrono::duration<double, std::milli>(step.elapsed).count());
    }
    client.quit();
    REQUIRE(eom_ms.size() == 15);
    std::sort(eom_ms.begin(), eom_ms.end());
    INFO("median end-of-message latency " << eom_ms[7] << " ms");
    CHECK(eom_ms[7] < 20.0);
}

namespace {
// An MTA that does not offer quarantine makes smfi_quarantine() fail: a real
// internal error on the milter's side, which must end in the failure action.
Transcript send_without_quarantine_support(const RunningDaemon& daemon)
{
    MilterClient client;
    client.open(daemon.socket_spec());
    client.negotiate(milterclient::action::kAll & ~SMFIF_QUARANTINE);
    auto t = milterclient::run_message(client, envelope("sales@example.com", {"jane@client.fr"}),
                                       message("X-Campaign-ID: ghost\r\n"));
    client.quit();
    return t;
}
}  // namespace

TEST_CASE("a message the milter cannot judge gets the failure action", "[protocol][failure]")
{
    const std::string quarantine = header_scope + "rules: { campaign = \"quarantine\"; };\n";
    SECTION("tempfail by default: the MTA keeps the mail")
    {
        RunningDaemon daemon(quarantine);
        const auto t = send_without_quarantine_support(daemon);
        CHECK(t.outcome == Outcome::Tempfail);
        CHECK(t.smtp_reply.rfind("451 4.7.1 ", 0) == 0);
        const auto& record = last_message_record(daemon, 1);
        CHECK(record["PROSPECT_ACTION"] == "tempfail");
        CHECK(record["PROSPECT_REASON"].get<std::string>().find("quarantine") != std::string::npos);
    }
    SECTION("reject when the policy says so")
    {
        RunningDaemon daemon(quarantine + "failure_action = \"reject\";\n");
        const auto t = send_without_quarantine_support(daemon);
        CHECK(t.outcome == Outcome::Reject);
        CHECK(t.smtp_reply.rfind("550 5.7.1 ", 0) == 0);
        CHECK(last_message_record(daemon, 1)["PROSPECT_ACTION"] == "reject");
    }
    SECTION("accept when the policy says so")
    {
        RunningDaemon daemon(quarantine + "failure_action = \"accept\";\n");
        const auto t = send_without_quarantine_support(daemon);
        CHECK(t.outcome == Outcome::Accept);
        CHECK(last_message_record(daemon, 1)["PROSPECT_ACTION"] == "accept");
    }
}

TEST_CASE("content rules read the body and give the evidence", "[protocol][content]")
{
    RunningDaemon daemon(header_scope);
    const auto without_link = daemon.send(envelope("sales@example.com", {"jane@client.fr"}),
                                   message("X-Campaign-ID: spring\r\n",
                                           "Exemple SAS. You are receiving this email because of your role.\r\n"
                                           "We obtained your details from a directory; you may object.\r\n"
                                           "Reply STOP to unsubscribe.\r\n"));
    CHECK(without_link.outcome == Outcome::Reject);
    CHECK(without_link.smtp_reply.find("no visible unsubscribe link") != std::string::npos);
    const auto& record = last_message_record(daemon, 1);
    CHECK(record["PROSPECT_RULES_FAILED"] == "unsubscribe");

    const auto compliant = daemon.send(envelope("sales@example.com", {"jane@client.fr"}, "QID2"),
                                message("X-Campaign-ID: spring\r\n"));
    CHECK(compliant.outcome == Outcome::Accept);
    CHECK(last_message_record(daemon, 2)["PROSPECT_ACTION"] == "pass");
}

TEST_CASE("a message over the size limit fails the size rule and its body is skipped", "[protocol][content]")
{
    RunningDaemon daemon(organisation + content_group("max_message_size = 4096;") + sender_scope);
    const std::string big_body = compliant_body + std::string(8000, 'x') + "\r\n";
    const auto t = daemon.send(envelope("sales@example.com", {"jane@client.fr"}), message("X-Campaign-ID: spring\r\n", big_body));
    CHECK(t.outcome == Outcome::Reject);
    CHECK(t.smtp_reply.find("too large to inspect") != std::string::npos);
    bool skipped = false;
    for (const auto& step : t.steps)
        if (step.step == "body")
            skipped = step.reply.kind == milterclient::ReplyKind::Skip;
    CHECK(skipped);
    const auto& record = last_message_record(daemon, 1);
    CHECK(record["PROSPECT_RULES_FAILED"] == "size");
}

namespace {
long status_kib(pid_t pid, const std::string& field)
{
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind(field + ":", 0) == 0)
            return std::stol(line.substr(field.size() + 1));
    return -1;
}
}  // namespace

TEST_CASE("a 50 MB message is judged without the daemon holding it in memory", "[protocol][content][memory]")
{
    // Under AddressSanitizer, freed memory sits in a quarantine (256 MB by
    // default) instead of being reused: libmilter's buffer per body chunk
    // would look like growth. Measure the daemon with the quarantine small.
    const char* previous = std::getenv("ASAN_OPTIONS");
    const std::string saved = previous ? previous : "";
    setenv("ASAN_OPTIONS", (saved + (saved.empty() ? "" : ":") + "quarantine_size_mb=1").c_str(), 1);
    RunningDaemon daemon(organisation + content_group("max_message_size = 67108864;") + sender_scope);
    if (previous)
        setenv("ASAN_OPTIONS", saved.c_str(), 1);
    else
        unsetenv("ASAN_OPTIONS");
    // Warm up (first message maps GMime's tables), then measure the peak
    // resident size from here on.
    daemon.send(envelope("sales@example.com", {"jane@client.fr"}), message("X-Campaign-ID: spring\r\n"));
    std::ofstream(("/proc/" + std::to_string(daemon.pid()) + "/clear_refs").c_str()) << "5";
    const long before = status_kib(daemon.pid(), "VmRSS");

    std::string body = "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + compliant_body +
                       "--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n"
                       "Content-Transfer-Encoding: base64\r\n\r\n";
    const std::string line = std::string(76, 'Q') + "\r\n";
    while (body.size() < 50u * 1024 * 1024)
        body += line;
    body += "--b--\r\n";
    const auto t = daemon.send(envelope("sales@example.com", {"jane@client.fr"}, "BIG"),
                        message("X-Campaign-ID: spring\r\nMIME-Version: 1.0\r\n"
                                "Content-Type: multipart/mixed; boundary=b\r\n",
                                body));
    CHECK(t.outcome == Outcome::Accept);
    const auto& record = last_message_record(daemon, 2);
    CHECK(record["PROSPECT_ACTION"] == "pass");
    const long peak = status_kib(daemon.pid(), "VmHWM");
    INFO("resident before " << before << " KiB, peak while judging " << peak << " KiB");
    REQUIRE(before > 0);
    CHECK(peak - before < 10 * 1024);
}
