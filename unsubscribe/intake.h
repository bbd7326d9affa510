// intake.h — taking an unsubscribe in, whichever way it comes (mail to the
// unsubscribe address, the one-click POST): the token checked, the
// recipient it names suppressed, the decision recorded.
//
// A token carries only the first bytes of the recipient's hash (token.h).
// The contact history holds the whole hash of everyone who was sent a
// token, so the suppression is normally stored under it like any other;
// when the history no longer has it (erased, purged), under the partial key
// (store/address.h), which the recipient checks honour too.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "policy/policy.h"
#include "policy/record.h"
#include "store/store.h"
#include "token.h"

namespace unsubscribe {

// Whether `rcpt` (an RCPT argument as the client wrote it) is the policy's
// unsubscribe address: the token from "unsubscribe+TOKEN@domain" (as
// written: tokens are case-sensitive), or an empty string for the bare
// address. nullopt for any other recipient.
std::optional<std::string> intake_token(const policy::UnsubscribeSettings& settings, std::string_view rcpt);

struct Unsubscribed {
    store::Hash key{};          // the suppression's key, whole or partial
    bool whole_key = false;     // the whole hash was found in the contact history
    bool new_entry = false;     // false: the recipient was already suppressed
    std::string campaign;       // the campaign the token was issued for
};

// Suppresses the recipient a verified token names. Throws store::StoreError.
Unsubscribed take_unsubscribe(store::Store& store, const policy::Policy& policy, const Token& token,
                              store::SuppressionSource source, store::Time now);

// The decision record of one unsubscribe taken in (PROSPECT_EVENT=unsubscribe).
// `outcome`: suppressed, already-suppressed, invalid-token, sender-suppressed,
// nobody (no valid token and no sender to suppress).
struct UnsubscribeEvent {
    std::string_view channel;   // "mailto", "one-click"
    std::string_view outcome;
    const Token* token = nullptr;             // when verified
    const Unsubscribed* unsubscribed = nullptr;
    std::optional<TokenProblem> problem;      // when not
    std::string sender;                       // mailto: the address suppressed instead, or the sender
    std::string queue_id;                     // mailto
};
policy::DecisionRecord unsubscribe_record(const policy::Policy& policy, const UnsubscribeEvent& event);

}  // namespace unsubscribe
