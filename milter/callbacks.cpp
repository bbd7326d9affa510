// callbacks.cpp — libmilter's callbacks: they translate what the MTA tells
// into policy facts and the policy's verdict into smfi_* calls, nothing more.
//
// One Connection per SMTP connection (smfi_setpriv), one Message inside it
// from MAIL FROM to end of message or abort. No exception leaves a callback:
// guarded() turns any into the policy's failure action.
#include "callbacks.h"

#include <libmilter/mfapi.h>
#include <spdlog/spdlog.h>
#include <strings.h>

#include <ctime>
#include <memory>
#include <optional>
#include <string>

#include "daemon.h"
#include "decision_log.h"
#include "list_unsubscribe.h"
#include "mailed_unsubscribes.h"
#include "message_reading.h"
#include "recipient_checks.h"
#include "policy/recipients.h"
#include "policy/record.h"
#include "policy/scope.h"
#include "policy/text.h"
#include "policy/verdict.h"
#include "unsubscribe/intake.h"

namespace milter {

namespace {

constexpr const char* tag_header_name = "X-Prospect-Policy";
constexpr std::size_t max_header_value = 998;  // RFC 5322 line limit

struct Message {
    explicit Message(std::shared_ptr<const policy::Policy> pinned, const std::string& service)
        : policy(std::move(pinned)), scope(policy->scope, service), reading(policy->content)
    {
        facts.service = service;
    }

    MessageInFlight in_flight;
    std::shared_ptr<const policy::Policy> policy;  // the policy this message is judged by
    policy::MessageScope scope;
    policy::MessageFacts facts;
    MessageReading reading;     // the message read as it arrives, for the content rules
    int tag_headers_seen = 0;  // X-Prospect-Policy headers the client sent (removed, never trusted)

    // An external recipient still in the message.
    struct Recipient {
        std::string as_given;  // the RCPT argument, which smfi_delrcpt wants back
        store::Address address;
        bool suppression_judged = false;  // at RCPT already
    };
    std::vector<Recipient> recipients;
    int internal_recipients = 0;
    // Recipients that are the unsubscribe address (mailed_unsubscribes.h):
    // such a message is read to its end whatever its scope.
    struct UnsubscribeRecipient {
        std::string as_given;
        std::string token;  // empty for the bare address
    };
    std::vector<UnsubscribeRecipient> unsubscribe_recipients;
    ClientUnsubscribeHeaders client_unsubscribe_headers;

    bool mails_an_unsubscribe() const { return !unsubscribe_recipients.empty(); }
};

// Mail to the unsubscribe address can come from anyone on any service, so
// where the policy has one, no mail is accepted before its recipients are
// known.
bool takes_mailed_unsubscribes(const policy::Policy& policy)
{
    return !policy.unsubscribe.address.empty();
}

struct Connection {
    std::string service;              // {daemon_name}
    bool header_no_reply = false;     // MTA agreed not to wait for a reply per header
    bool can_skip_body = false;       // MTA understands "skip the rest of the body"
    std::unique_ptr<Message> message;
};

Connection* connection_of(SMFICTX* ctx)
{
    auto* connection = static_cast<Connection*>(smfi_getpriv(ctx));
    if (!connection) {
        // An MTA that skips negotiation still gets a connection object.
        connection = new Connection;
        smfi_setpriv(ctx, connection);
    }
    return connection;
}

std::string macro(SMFICTX* ctx, const char* name)
{
    const char* value = smfi_getsymval(ctx, const_cast<char*>(name));
    return value ? value : "";
}

// Reply text may carry a campaign name taken from the message. Sendmail
// treats '%' as a format character and anything but printable ASCII could
// break the SMTP reply, so both become '?'.
std::string reply_safe(std::string_view text)
{
    std::string out;
    for (unsigned char c : text.substr(0, 900))
        out += (c < 0x20 || c >= 0x7f || c == '%') ? '?' : static_cast<char>(c);
    return out;
}

sfsistat failure(SMFICTX* ctx, const policy::Policy& policy, const policy::MessageFacts& facts,
                 const std::string& why)
{
    switch (policy.failure_action) {
    case policy::FailureAction::accept:
        log_decision(policy::failure_record(policy, facts, "accept", why));
        return SMFIS_ACCEPT;
    case policy::FailureAction::reject:
        log_decision(policy::failure_record(policy, facts, "reject", why));
        smfi_setreply(ctx, const_cast<char*>("550"), const_cast<char*>("5.7.1"),
                      const_cast<char*>("Prospecting policy could not judge this message"));
        return SMFIS_REJECT;
    case policy::FailureAction::tempfail:
        break;
    }
    log_decision(policy::failure_record(policy, facts, "tempfail", why));
    smfi_setreply(ctx, const_cast<char*>("451"), const_cast<char*>("4.7.1"),
                  const_cast<char*>("Prospecting policy temporarily unavailable, try again later"));
    return SMFIS_TEMPFAIL;
}

// Runs a callback body; any exception becomes the failure action, so no
// exception ever unwinds into libmilter's C code.
template <typename Body>
sfsistat guarded(SMFICTX* ctx, const char* stage, Body body) noexcept
{
    try {
        return body();
    } catch (const std::exception& e) {
        try {
            spdlog::error("{}: {}", stage, e.what());
            auto* connection = static_cast<Connection*>(smfi_getpriv(ctx));
            std::shared_ptr<const policy::Policy> policy =
                connection && connection->message ? connection->message->policy : daemon_instance().policy();
            policy::MessageFacts facts = connection && connection->message ? connection->message->facts
                                                                           : policy::MessageFacts{};
            if (connection)
                connection->message.reset();
            return failure(ctx, *policy, facts, std::string(stage) + ": " + e.what());
        } catch (...) {
        }
    } catch (...) {
    }
    return SMFIS_TEMPFAIL;
}

// Ends the message as not prospecting: logged (if the policy asks) and
// accepted, so the MTA sends nothing more of it.
sfsistat accept_out_of_scope(Connection& connection, policy::Stage stage)
{
    Message& message = *connection.message;
    if (message.policy->logging.out_of_scope)
        log_decision(policy::out_of_scope_record(*message.policy, message.facts, message.scope.reason(stage), stage));
    connection.message.reset();
    return SMFIS_ACCEPT;
}

sfsistat on_negotiate(SMFICTX* ctx, unsigned long offered_actions, unsigned long offered_steps, unsigned long,
                      unsigned long, unsigned long* actions, unsigned long* steps, unsigned long* f2,
                      unsigned long* f3)
{
    return guarded(ctx, "negotiate", [&] {
        auto* connection = connection_of(ctx);
        *actions = offered_actions &
                   (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE | SMFIF_DELRCPT | SMFIF_SETSYMLIST);
        // Ask only for the steps the policy reads: no HELO, no unknown
        // commands, no reply per header; SKIP lets an oversized body stop early.
        const unsigned long wanted = SMFIP_NOHELO | SMFIP_NOUNKNOWN | SMFIP_NR_HDR | SMFIP_SKIP;
        *steps = offered_steps & wanted;
        *f2 = 0;
        *f3 = 0;
        connection->header_no_reply = (*steps & SMFIP_NR_HDR) != 0;
        connection->can_skip_body = (*steps & SMFIP_SKIP) != 0;
        if (offered_actions & SMFIF_SETSYMLIST) {
            smfi_setsymlist(ctx, SMFIM_CONNECT, const_cast<char*>("{daemon_name}"));
            smfi_setsymlist(ctx, SMFIM_ENVFROM, const_cast<char*>("{auth_authen}"));
            smfi_setsymlist(ctx, SMFIM_DATA, const_cast<char*>("i"));
            smfi_setsymlist(ctx, SMFIM_EOM, const_cast<char*>("i"));
        }
        return SMFIS_CONTINUE;
    });
}

// While the daemon drains for a stop, new work is refused for now: the MTA
// keeps the mail and retries.
sfsistat refuse_while_draining(SMFICTX* ctx)
{
    smfi_setreply(ctx, const_cast<char*>("451"), const_cast<char*>("4.7.1"),
                  const_cast<char*>("Prospecting policy is restarting, try again later"));
    return SMFIS_TEMPFAIL;
}

sfsistat on_connect(SMFICTX* ctx, char*, _SOCK_ADDR*)
{
    return guarded(ctx, "connect", [&] {
        if (daemon_instance().draining())
            return refuse_while_draining(ctx);
        auto* connection = connection_of(ctx);
        connection->service = macro(ctx, "{daemon_name}");
        const auto policy = daemon_instance().policy();
        if (!policy::connection_can_be_prospecting(policy->scope, connection->service) &&
            !takes_mailed_unsubscribes(*policy)) {
            spdlog::debug("connection on service '{}' cannot carry prospecting mail: accepted",
                          policy::printable(connection->service, 64));
            return SMFIS_ACCEPT;
        }
        return SMFIS_CONTINUE;
    });
}

sfsistat on_mail(SMFICTX* ctx, char** argv)
{
    return guarded(ctx, "mail", [&] {
        if (daemon_instance().draining())
            return refuse_while_draining(ctx);
        auto* connection = connection_of(ctx);
        connection->message = std::make_unique<Message>(daemon_instance().policy(), connection->service);
        Message& message = *connection->message;
        message.facts.sender = policy::normalise_address(argv && argv[0] ? argv[0] : "");
        message.facts.sasl_login = macro(ctx, "{auth_authen}");
        message.scope.sender(message.facts.sender, message.facts.sasl_login);
        if (message.scope.state(policy::Stage::mail) == policy::ScopeState::not_prospecting &&
            !takes_mailed_unsubscribes(*message.policy))
            return accept_out_of_scope(*connection, policy::Stage::mail);
        return SMFIS_CONTINUE;
    });
}

// Adds one recipient's tallies to the message's facts.
void tally(policy::MessageFacts& facts, const policy::RecipientVerdict& verdict)
{
    const auto add = [&](policy::RecipientRuleSummary& summary, const policy::RuleResult& result) {
        if (result.outcome == policy::Outcome::skipped)
            return;
        ++summary.judged;
        if (result.outcome != policy::Outcome::fail)
            return;
        ++(verdict.refused() ? summary.refused : summary.kept_failing);
        if (summary.example.empty())
            summary.example = result.detail;
    };
    add(facts.suppression, verdict.suppression);
    add(facts.consent, verdict.consent);
}

sfsistat set_reply(SMFICTX* ctx, const char* code, const char* status, const std::string& text)
{
    const std::string safe = reply_safe(text);
    if (smfi_setreply(ctx, const_cast<char*>(code), const_cast<char*>(status), const_cast<char*>(safe.c_str())) !=
        MI_SUCCESS)
        throw std::runtime_error("libmilter refused the reply text");
    return code[0] == '4' ? SMFIS_TEMPFAIL : SMFIS_REJECT;
}

// A recipient of a message already known to be prospecting: refused here
// when it objected (the campaign, and so the consent rule, is only known at
// the end of the message), or when the policy allows one recipient per
// transaction and this is not the first.
sfsistat judge_recipient_at_rcpt(SMFICTX* ctx, Message& message, Message::Recipient& recipient)
{
    const policy::Policy& policy = *message.policy;
    if (policy.milter.one_recipient_per_transaction && !message.recipients.empty()) {
        message.scope.external_recipient_refused();
        return set_reply(ctx, "452", "4.5.3", "Prospecting policy: one recipient per message, send to this one in another transaction");
    }
    const auto store = daemon_instance().store().get(policy);
    const auto verdict = policy::judge_recipient(policy, recipient_facts(*store, policy, recipient.address, {true, false}, nullptr));
    recipient.suppression_judged = true;
    tally(message.facts, verdict);
    if (verdict.failed.empty())
        return SMFIS_CONTINUE;
    const bool refuse = verdict.refused() && !policy.dry_run;
    log_decision(policy::recipient_record(policy, message.facts, verdict,
                                          verdict.refused() ? "refuse" : policy::to_string(verdict.action), "rcpt",
                                          policy.scope.default_campaign));
    if (!refuse)
        return SMFIS_CONTINUE;
    message.scope.external_recipient_refused();
    return set_reply(ctx, "550", "5.7.1", verdict.reject_text());
}

sfsistat on_rcpt(SMFICTX* ctx, char** argv)
{
    return guarded(ctx, "rcpt", [&] {
        auto* connection = connection_of(ctx);
        if (!connection->message || !argv || !argv[0])
            return SMFIS_CONTINUE;
        Message& message = *connection->message;
        if (auto token = unsubscribe::intake_token(message.policy->unsubscribe, argv[0])) {
            message.unsubscribe_recipients.push_back({argv[0], std::move(*token)});
            return SMFIS_CONTINUE;
        }
        if (message.scope.recipient(argv[0])) {
            ++message.internal_recipients;
            return SMFIS_CONTINUE;
        }
        auto normalised = store::normalise_address(argv[0]);
        if (const auto* invalid = std::get_if<store::Invalid>(&normalised)) {
            message.scope.external_recipient_refused();
            return failure(ctx, *message.policy, message.facts,
                           "recipient " + policy::printable(argv[0], 100) + " cannot be read: " + invalid->reason);
        }
        Message::Recipient recipient{argv[0], std::get<store::Address>(std::move(normalised)), false};
        if (message.scope.state(policy::Stage::rcpt) == policy::ScopeState::prospecting) {
            sfsistat reply = SMFIS_CONTINUE;
            try {
                reply = judge_recipient_at_rcpt(ctx, message, recipient);
            } catch (const store::StoreError& e) {
                // This recipient gets the failure action; the message and
                // its other recipients go on being judged.
                message.scope.external_recipient_refused();
                return failure(ctx, *message.policy, message.facts, e.what());
            }
            if (reply != SMFIS_CONTINUE)
                return reply;
        }
        message.facts.recipients.push_back(recipient.address.normalised);
        message.recipients.push_back(std::move(recipient));
        return SMFIS_CONTINUE;
    });
}

sfsistat on_data(SMFICTX* ctx)
{
    return guarded(ctx, "data", [&] {
        auto* connection = connection_of(ctx);
        if (!connection->message)
            return SMFIS_CONTINUE;
        connection->message->facts.queue_id = macro(ctx, "i");
        if (connection->message->scope.state(policy::Stage::data) == policy::ScopeState::not_prospecting &&
            !connection->message->mails_an_unsubscribe())
            return accept_out_of_scope(*connection, policy::Stage::data);
        return SMFIS_CONTINUE;
    });
}

sfsistat on_header(SMFICTX* ctx, char* name, char* value)
{
    return guarded(ctx, "header", [&] {
        auto* connection = connection_of(ctx);
        const sfsistat next = connection->header_no_reply ? SMFIS_NOREPLY : SMFIS_CONTINUE;
        if (!connection->message || !name || !value)
            return next;
        Message& message = *connection->message;
        message.reading.append_header(name, value);
        const std::string_view campaign_header = message.policy->scope.campaign_header;
        if (!campaign_header.empty() && strcasecmp(name, campaign_header.data()) == 0 &&
            !message.facts.campaign_header) {
            message.facts.campaign_header = std::string(policy::trim(std::string_view(value).substr(0, max_header_value)));
            message.scope.campaign_header_seen();
        } else if (strcasecmp(name, "Message-ID") == 0 && message.facts.message_id.empty()) {
            message.facts.message_id = std::string(policy::trim(std::string_view(value).substr(0, max_header_value)));
        } else if (strcasecmp(name, tag_header_name) == 0) {
            ++message.tag_headers_seen;
        } else {
            message.client_unsubscribe_headers.seen(name);
        }
        return next;
    });
}

sfsistat on_end_of_headers(SMFICTX* ctx)
{
    return guarded(ctx, "eoh", [&] {
        auto* connection = connection_of(ctx);
        if (!connection->message)
            return SMFIS_CONTINUE;
        if (connection->message->scope.state(policy::Stage::headers) == policy::ScopeState::not_prospecting &&
            !connection->message->mails_an_unsubscribe())
            return accept_out_of_scope(*connection, policy::Stage::headers);
        connection->message->reading.append("\r\n");
        return SMFIS_CONTINUE;
    });
}

sfsistat on_body(SMFICTX* ctx, unsigned char* chunk, size_t length)
{
    return guarded(ctx, "body", [&] {
        auto* connection = connection_of(ctx);
        if (!connection->message || !chunk)
            return SMFIS_CONTINUE;
        const bool kept = connection->message->reading.append({reinterpret_cast<const char*>(chunk), length});
        return !kept && connection->can_skip_body ? SMFIS_SKIP : SMFIS_CONTINUE;
    });
}

// Applies the verdict's modifications to the message; throws when the MTA
// refuses one, so that the message gets the failure action instead.
void modify(SMFICTX* ctx, const Message& message, const policy::Verdict& verdict)
{
    // A client's own X-Prospect-Policy header would pass for ours downstream.
    for (int index = message.tag_headers_seen; index >= 1; --index)
        if (smfi_chgheader(ctx, const_cast<char*>(tag_header_name), index, nullptr) != MI_SUCCESS)
            throw std::runtime_error("the MTA refused to remove a client's X-Prospect-Policy header");
    if (verdict.action == policy::Action::quarantine) {
        const std::string reason = reply_safe("prospecting policy: " + verdict.failure_summary());
        if (smfi_quarantine(ctx, const_cast<char*>(reason.c_str())) != MI_SUCCESS)
            throw std::runtime_error("the MTA refused to quarantine the message");
    }
    if (verdict.action == policy::Action::quarantine || verdict.action == policy::Action::tag) {
        const std::string value = reply_safe(verdict.tag_header(*message.policy));
        if (smfi_addheader(ctx, const_cast<char*>(tag_header_name), const_cast<char*>(value.c_str())) != MI_SUCCESS)
            throw std::runtime_error("the MTA refused the X-Prospect-Policy header");
    }
}

// Carries out the verdict on a prospecting message and logs it once it is
// carried out; returns the reply. `shared_refused`: the message passed the
// rules but the policy refuses it for going to several recipients
// (list_unsubscribe.h).
sfsistat enforce(SMFICTX* ctx, Message& message, const policy::Verdict& verdict, const std::string& campaign_id,
                 bool shared_refused)
{
    const policy::Policy& policy = *message.policy;
    sfsistat reply = SMFIS_ACCEPT;
    std::string_view taken = policy::action_taken(verdict);
    std::string_view links = to_string(Links::none);
    if (policy.dry_run) {
        // Computed and logged, nothing done.
    } else if (verdict.action == policy::Action::reject) {
        reply = set_reply(ctx, "550", "5.7.1", verdict.reject_text());
    } else if (shared_refused) {
        reply = set_reply(ctx, "550", "5.7.1", "Prospecting policy: a message to several recipients cannot carry "
                                               "each one's unsubscribe link, send one message per recipient");
        taken = "reject";
        links = "refused-several-recipients";
    } else {
        modify(ctx, message, verdict);
        const auto* only = message.recipients.size() == 1 ? &message.recipients.front().address : nullptr;
        links = to_string(add_unsubscribe_headers(ctx, policy, message.client_unsubscribe_headers, only, campaign_id,
                                                  message.facts.today));
    }
    auto record = policy::message_record(policy, message.facts, verdict, taken,
                                         message.scope.reason(policy::Stage::headers));
    if (policy.unsubscribe.injects())
        record.add("PROSPECT_UNSUBSCRIBE", std::string(links));
    log_decision(record);
    return reply;
}

// Mail to the unsubscribe address: the unsubscribes taken in, the address
// removed from the recipients; the message discarded when nobody else is
// left, else judged as any other. nullopt: go on judging.
std::optional<sfsistat> take_unsubscribe_mail(SMFICTX* ctx, Message& message,
                                              const policy::MessageContent* content)
{
    MailedUnsubscribe mail{{}, content ? content->from_address : std::string{}, message.facts.sender,
                           message.facts.queue_id};
    for (const auto& recipient : message.unsubscribe_recipients)
        mail.tokens.push_back(recipient.token);
    take_mailed_unsubscribes(*daemon_instance().store().get(*message.policy), *message.policy, mail);
    if (message.recipients.empty() && message.internal_recipients == 0)
        return SMFIS_DISCARD;
    for (auto& recipient : message.unsubscribe_recipients)
        if (smfi_delrcpt(ctx, recipient.as_given.data()) != MI_SUCCESS)
            throw std::runtime_error("the MTA refused to remove the unsubscribe address from the recipients");
    return std::nullopt;
}

// The per-recipient rules at the end of the message, now that the campaign
// is known: a recipient that objected (when not judged at RCPT already) or
// lacks a consent it needs is removed from the message; the contact history
// says whether the message is a first contact for any recipient.
void judge_recipients_at_end(SMFICTX* ctx, Message& message, const std::string& campaign_id)
{
    const policy::Policy& policy = *message.policy;
    if (message.recipients.empty())
        return;
    const auto store = daemon_instance().store().get(policy);
    const policy::Campaign* campaign = policy.find_campaign(campaign_id);
    bool first_contact = false;
    std::vector<Message::Recipient> kept;
    for (auto& recipient : message.recipients) {
        // A recipient judged at RCPT (and kept there) is not judged again on
        // its suppression.
        const bool suppression = !recipient.suppression_judged;
        auto verdict = policy::judge_recipient(
            policy, recipient_facts(*store, policy, recipient.address, {suppression, true}, campaign));
        if (!suppression)
            verdict.suppression = {policy::Rule::suppression, policy::Outcome::skipped, "judged at RCPT"};
        tally(message.facts, verdict);
        if (!verdict.failed.empty())
            log_decision(policy::recipient_record(policy, message.facts, verdict,
                                                  verdict.refused() ? "refuse" : policy::to_string(verdict.action),
                                                  "eom", campaign_id));
        if (verdict.refused() && !policy.dry_run) {
            if (smfi_delrcpt(ctx, recipient.as_given.data()) != MI_SUCCESS)
                throw std::runtime_error("the MTA refused to remove a refused recipient");
            continue;
        }
        first_contact = first_contact || !known_contact(*store, daemon_instance().contacts(), recipient.address);
        kept.push_back(std::move(recipient));
    }
    message.recipients = std::move(kept);
    message.facts.recipients.clear();
    for (const auto& recipient : message.recipients)
        message.facts.recipients.push_back(recipient.address.normalised);
    message.facts.first_contact = first_contact;
    message.facts.every_recipient_refused = message.recipients.empty() && message.internal_recipients == 0;
}

// One more contact with each recipient the message goes to.
void record_contacts(const Message& message, const std::string& campaign_id)
{
    if (message.recipients.empty())
        return;
    const auto store = daemon_instance().store().get(*message.policy);
    const auto now = static_cast<store::Time>(std::time(nullptr));
    for (const auto& recipient : message.recipients)
        daemon_instance().contacts().record(store, store::address_key(recipient.address), now, campaign_id);
}

sfsistat on_end_of_message(SMFICTX* ctx)
{
    return guarded(ctx, "eom", [&] {
        auto* connection = connection_of(ctx);
        if (!connection->message)
            return SMFIS_CONTINUE;
        Message& message = *connection->message;
        if (const auto queue_id = macro(ctx, "i"); !queue_id.empty())
            message.facts.queue_id = queue_id;
        message.facts.today = policy::today_utc();
        message.facts.size = message.reading.size();
        message.facts.too_large = message.reading.too_large();
        std::optional<policy::MessageContent> content;
        if (!message.facts.too_large)
            content = message.reading.finish();
        if (message.mails_an_unsubscribe()) {
            if (const auto reply = take_unsubscribe_mail(ctx, message, content ? &*content : nullptr)) {
                connection->message.reset();
                return *reply;
            }
            if (message.scope.state(policy::Stage::headers) != policy::ScopeState::prospecting)
                return accept_out_of_scope(*connection, policy::Stage::headers);
        }
        const std::string campaign_id = message.facts.campaign_header.value_or(message.policy->scope.default_campaign);
        judge_recipients_at_end(ctx, message, campaign_id);
        const auto verdict = policy::judge(*message.policy, message.facts, content ? &*content : nullptr);
        const bool shared_refused = !message.policy->dry_run && verdict.action != policy::Action::reject &&
                                    refuse_shared_message(*message.policy, message.recipients.size());
        if ((verdict.action != policy::Action::reject && !shared_refused) || message.policy->dry_run)
            record_contacts(message, campaign_id);
        const sfsistat reply = enforce(ctx, message, verdict, campaign_id, shared_refused);
        connection->message.reset();
        return reply;
    });
}

sfsistat on_abort(SMFICTX* ctx)
{
    return guarded(ctx, "abort", [&] {
        connection_of(ctx)->message.reset();
        return SMFIS_CONTINUE;
    });
}

sfsistat on_close(SMFICTX* ctx)
{
    return guarded(ctx, "close", [&] {
        delete static_cast<Connection*>(smfi_getpriv(ctx));
        smfi_setpriv(ctx, nullptr);
        return SMFIS_CONTINUE;
    });
}

}  // namespace

smfiDesc filter_description()
{
    smfiDesc description{};
    description.xxfi_name = const_cast<char*>("prospect-milter");
    description.xxfi_version = SMFI_VERSION;
    description.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE | SMFIF_DELRCPT;
    description.xxfi_connect = on_connect;
    description.xxfi_envfrom = on_mail;
    description.xxfi_envrcpt = on_rcpt;
    description.xxfi_header = on_header;
    description.xxfi_eoh = on_end_of_headers;
    description.xxfi_body = on_body;
    description.xxfi_eom = on_end_of_message;
    description.xxfi_abort = on_abort;
    description.xxfi_close = on_close;
    description.xxfi_data = on_data;
    description.xxfi_negotiate = on_negotiate;
    return description;
}

}  // namespace milter
