// list_unsubscribe.h — the List-Unsubscribe headers an accepted prospecting
// message leaves with (unsubscribe/links.h), added through libmilter.
#pragma once

#include <libmilter/mfapi.h>

#include <string_view>

#include "policy/policy.h"
#include "store/address.h"

namespace milter {

// The List-Unsubscribe headers the client sent, counted as they pass.
struct ClientUnsubscribeHeaders {
    int list_unsubscribe = 0;
    int list_unsubscribe_post = 0;

    // Counts `name` if it is one of them.
    void seen(const char* name);
};

// What the message's links became, for the decision record
// (PROSPECT_UNSUBSCRIBE).
enum class Links { none, personal, generic, kept };
std::string_view to_string(Links links);

// Whether the policy refuses this message: still addressed to several
// external recipients, who cannot each get their own token.
bool refuse_shared_message(const policy::Policy& policy, std::size_t external_recipients);

// Adds the headers (replacing or keeping the client's as the policy says):
// a personal token when `recipient` is the one external recipient, else the
// generic address. Throws when the MTA refuses a change.
Links add_unsubscribe_headers(SMFICTX* ctx, const policy::Policy& policy, const ClientUnsubscribeHeaders& client,
                              const store::Address* recipient, std::string_view campaign, policy::Day today);

}  // namespace milter
