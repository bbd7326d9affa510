#include "mailed_unsubscribes.h"

#include <ctime>
#include <variant>

#include "daemon.h"
#include "decision_log.h"
#include "unsubscribe/intake.h"
#include "unsubscribe/token.h"

namespace milter {

namespace {

// Without a valid token the person writing is the one who objects: the
// From address (what their mail client shows as them), else the envelope
// sender. A bounce (null sender) suppresses nobody.
void suppress_sender(store::Store& store, const policy::Policy& policy, const MailedUnsubscribe& mail,
                     unsubscribe::UnsubscribeEvent& event, store::Time now)
{
    const std::string& who = !mail.from.empty() ? mail.from : mail.envelope_sender;
    auto address = store::normalise_address(who);
    if (who.empty() || std::holds_alternative<store::Invalid>(address)) {
        event.outcome = "nobody";
        log_decision(unsubscribe::unsubscribe_record(policy, event));
        return;
    }
    const auto& sender = std::get<store::Address>(address);
    const bool added = store.suppress(store::address_key(sender), {now, store::SuppressionSource::mailto, {},
                                                                   "mail to the unsubscribe address without a valid token"});
    event.outcome = added ? "sender-suppressed" : "already-suppressed";
    event.sender = sender.normalised;
    log_decision(unsubscribe::unsubscribe_record(policy, event));
}

}  // namespace

void take_mailed_unsubscribes(store::Store& store, const policy::Policy& policy, const MailedUnsubscribe& mail)
{
    const auto now = static_cast<store::Time>(std::time(nullptr));
    for (const auto& text : mail.tokens) {
        unsubscribe::UnsubscribeEvent event;
        event.channel = "mailto";
        event.queue_id = mail.queue_id;
        const auto checked = unsubscribe::verify_token(text, policy.unsubscribe.keys);
        if (const auto* token = std::get_if<unsubscribe::Token>(&checked)) {
            // The token's recipient prefix is completed from the contact
            // history: contacts still waiting for their group commit must
            // be in it, or the objection is kept under the partial key.
            daemon_instance().contacts().flush();
            const auto taken = unsubscribe::take_unsubscribe(store, policy, *token, store::SuppressionSource::mailto, now);
            event.token = token;
            event.unsubscribed = &taken;
            event.outcome = taken.new_entry ? "suppressed" : "already-suppressed";
            log_decision(unsubscribe::unsubscribe_record(policy, event));
            continue;
        }
        if (!text.empty())
            event.problem = std::get<unsubscribe::TokenProblem>(checked);
        suppress_sender(store, policy, mail, event, now);
    }
}

}  // namespace milter
