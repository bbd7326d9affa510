// Reload and stop, against the real daemon: SIGUSR1 reloads atomically,
// SIGTERM and SIGHUP stop after messages in flight have finished.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "milter_client.h"
#include "running_daemon.h"

using milterclient::MilterClient;
using milterclient::ReplyKind;
using test::RunningDaemon;

namespace {

std::string policy_with(const std::string& campaign_id)
{
    return R"(
organisation: { name = "Exemple SAS"; domains = [ "example.com" ]; };
scope: { senders = [ "sales@example.com" ]; };
rules: { unsubscribe = "off"; identity = "off"; reason = "off"; first_contact = "off"; };
campaigns = (
  { id = ")" + campaign_id + R"("; purpose = "p"; audience = "b2b";
    legal_basis = "legitimate_interest"; start = "2020-01-01"; }
);
)";
}

// A message driven step by step, left open before its end so a test can do
// something while it is in flight.
class OpenMessage {
public:
    OpenMessage(const RunningDaemon& daemon, const std::string& campaign)
    {
        m_client.open(daemon.socket_spec());
        m_client.negotiate();
        m_client.macros('C', milterclient::MacroList{{"{daemon_name}", "smtpd"}});
        REQUIRE(m_client.connect("client.test", milterclient::kFamilyInet, 40000, "127.0.0.1").kind ==
                ReplyKind::Continue);
        REQUIRE(m_client.mail({"<sales@example.com>"}).kind == ReplyKind::Continue);
        REQUIRE(m_client.rcpt({"<jane@client.fr>"}).kind == ReplyKind::Continue);
        m_client.macros('T', milterclient::MacroList{{"i", "INFLIGHT"}});
        REQUIRE(m_client.data().kind == ReplyKind::Continue);
        m_client.header("From", "Alice <sales@example.com>");
        m_client.header("X-Campaign-ID", campaign);
        REQUIRE(m_client.eoh().kind == ReplyKind::Continue);
    }

    milterclient::Reply finish() { return m_client.eom(); }

private:
    MilterClient m_client;
};

milterclient::Reply judge_campaign(const RunningDaemon& daemon, const std::string& campaign)
{
    OpenMessage message(daemon, campaign);
    return message.finish();
}

}  // namespace

TEST_CASE("SIGUSR1 reloads the policy; messages in flight keep the policy they started with", "[signals]")
{
    RunningDaemon daemon(policy_with("spring"));
    REQUIRE(judge_campaign(daemon, "summer").is_reject());

    OpenMessage in_flight(daemon, "spring");  // valid under the old policy only
    daemon.rewrite_policy(policy_with("summer"));
    daemon.send_signal(SIGUSR1);
    REQUIRE(daemon.wait_records("reload", 1).size() == 1);

    CHECK(in_flight.finish().kind == ReplyKind::Accept);
    CHECK_FALSE(judge_campaign(daemon, "summer").is_reject());
    CHECK(judge_campaign(daemon, "spring").is_reject());

    const auto messages = daemon.wait_records("message", 4);
    REQUIRE(messages.size() == 4);
    // The in-flight message was logged under the old policy version.
    CHECK(messages[1]["PROSPECT_QUEUE_ID"] == "INFLIGHT");
    CHECK(messages[1]["PROSPECT_POLICY"] == messages[0]["PROSPECT_POLICY"]);
    CHECK(messages[2]["PROSPECT_POLICY"] != messages[0]["PROSPECT_POLICY"]);
    CHECK(daemon.wait_records("reload", 1)[0]["PROSPECT_POLICY"] == messages[2]["PROSPECT_POLICY"]);
}

TEST_CASE("a reload with a bad file keeps the running policy and logs every problem", "[signals]")
{
    RunningDaemon daemon(policy_with("spring"));
    daemon.rewrite_policy(policy_with("spring") + "bogus = 1;\ndry_run = \"yes\";\n");
    daemon.send_signal(SIGUSR1);
    const auto refused = daemon.wait_records("reload_refused", 1);
    REQUIRE(refused.size() == 1);
    const std::string log = daemon.log_text();
    CHECK(log.find(daemon.policy_path() + ":9: unknown key 'bogus'") != std::string::npos);
    CHECK(log.find(daemon.policy_path() + ":10: 'dry_run' must be true or false") != std::string::npos);
    CHECK(judge_campaign(daemon, "spring").kind == ReplyKind::Accept);
    CHECK(daemon.running());
}

TEST_CASE("SIGTERM lets the message in flight finish, then exits 0", "[signals]")
{
    RunningDaemon daemon(policy_with("spring"));
    OpenMessage in_flight(daemon, "spring");
    daemon.send_signal(SIGTERM);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));

    // While draining, new mail is deferred, not judged and not lost.
    MilterClient late;
    late.open(daemon.socket_spec());
    late.negotiate();
    const auto refused = late.connect("client.test", milterclient::kFamilyInet, 40001, "127.0.0.1");
    CHECK(refused.is_tempfail());
    CHECK(refused.text.rfind("451 4.7.1", 0) == 0);

    CHECK(in_flight.finish().kind == ReplyKind::Accept);
    CHECK(daemon.wait_exit(15000) == 0);
    CHECK(daemon.wait_records("stop", 1).size() == 1);
    CHECK(daemon.wait_records("message", 1).size() == 1);
}

TEST_CASE("SIGHUP stops the daemon like SIGTERM; it is not a reload", "[signals]")
{
    RunningDaemon daemon(policy_with("spring"));
    OpenMessage in_flight(daemon, "spring");
    daemon.rewrite_policy(policy_with("summer"));
    daemon.send_signal(SIGHUP);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(in_flight.finish().kind == ReplyKind::Accept);
    CHECK(daemon.wait_exit(15000) == 0);
    CHECK(daemon.wait_records("reload", 1, 100).empty());
    CHECK(daemon.wait_records("stop", 1).size() == 1);
}
