#include "one_click.h"

#include <spdlog/spdlog.h>

#include <ctime>
#include <variant>

#include "decision_log.h"
#include "unsubscribe/intake.h"
#include "unsubscribe/token.h"

namespace milter {

namespace {

unsubscribe::UnsubscribeResult unsubscribe_by_token(Daemon& daemon, std::string_view text)
{
    const auto policy = daemon.policy();
    unsubscribe::UnsubscribeEvent event;
    event.channel = "one-click";
    const auto checked = unsubscribe::verify_token(text, policy->unsubscribe.keys);
    if (const auto* problem = std::get_if<unsubscribe::TokenProblem>(&checked)) {
        event.outcome = "invalid-token";
        event.problem = *problem;
        log_decision(unsubscribe::unsubscribe_record(*policy, event));
        return unsubscribe::UnsubscribeResult::invalid_token;
    }
    const auto& token = std::get<unsubscribe::Token>(checked);
    try {
        // The token's recipient prefix is completed from the contact
        // history: contacts still waiting for their group commit must be
        // in it, or the objection is kept under the partial key.
        daemon.contacts().flush();
        const auto store = daemon.store().get(*policy);
        const auto taken = unsubscribe::take_unsubscribe(*store, *policy, token, store::SuppressionSource::one_click,
                                                         static_cast<store::Time>(std::time(nullptr)));
        event.token = &token;
        event.unsubscribed = &taken;
        event.outcome = taken.new_entry ? "suppressed" : "already-suppressed";
        log_decision(unsubscribe::unsubscribe_record(*policy, event));
        return unsubscribe::UnsubscribeResult::done;
    } catch (const store::StoreError& e) {
        // The visitor is asked to come back; nothing was promised.
        spdlog::error("one-click unsubscribe not taken, store unavailable: {}", e.what());
        return unsubscribe::UnsubscribeResult::unavailable;
    }
}

}  // namespace

std::unique_ptr<unsubscribe::OneClickServer> start_one_click(Daemon& daemon)
{
    const auto policy = daemon.policy();
    if (policy->unsubscribe.listen.empty())
        return nullptr;
    unsubscribe::Handlers handlers;
    handlers.check = [&daemon](std::string_view text) {
        const bool valid = std::holds_alternative<unsubscribe::Token>(
            unsubscribe::verify_token(text, daemon.policy()->unsubscribe.keys));
        return valid ? unsubscribe::TokenCheck::valid : unsubscribe::TokenCheck::invalid;
    };
    handlers.unsubscribe = [&daemon](std::string_view text) { return unsubscribe_by_token(daemon, text); };
    handlers.identity = [&daemon] {
        const auto current = daemon.policy();
        return unsubscribe::PageIdentity{current->organisation.name, current->organisation.privacy_url};
    };
    unsubscribe::ServerSettings settings;
    settings.listen = policy->unsubscribe.listen;
    auto server = std::make_unique<unsubscribe::OneClickServer>(settings, std::move(handlers));
    spdlog::info("one-click unsubscribe listening on {} (port {})", policy->unsubscribe.listen, server->port());
    return server;
}

}  // namespace milter
