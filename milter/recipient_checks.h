// recipient_checks.h — the store looked up for one recipient, as the facts
// the per-recipient rules (policy/recipients.h) judge.
#pragma once

#include "contact_recorder.h"
#include "policy/policy.h"
#include "policy/recipients.h"
#include "store/store.h"

namespace milter {

// Which rules to look the recipient up for: at RCPT the campaign is not
// known yet, so only the suppression; at the end of the message the consent
// too (and the suppression unless it was judged at RCPT).
struct Lookups {
    bool suppression;
    bool consent;
};

// `campaign` is nullptr when the message names none the policy declares.
// Throws store::StoreError when the store cannot answer.
policy::RecipientFacts recipient_facts(const store::Store& store, const policy::Policy& policy,
                                       const store::Address& recipient, Lookups lookups,
                                       const policy::Campaign* campaign);

// Whether the store knows an earlier contact with the recipient.
bool known_contact(const store::Store& store, const ContactRecorder& recorder, const store::Address& recipient);

}  // namespace milter
