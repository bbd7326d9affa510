// mailed_unsubscribes.h — mail to the unsubscribe address (the mailto: link
// of List-Unsubscribe), arriving through the inbound Postfix service with
// this milter: each token verified and its recipient suppressed; without a
// valid token the sender's own address is suppressed. The mail itself is
// then discarded, so no mailbox is needed (docs/unsubscribe.md).
#pragma once

#include <string>
#include <vector>

#include "policy/policy.h"
#include "store/store.h"

namespace milter {

struct MailedUnsubscribe {
    std::vector<std::string> tokens;  // one per RCPT to the unsubscribe address ("" for the bare address)
    std::string from;                 // the From header's address, may be empty
    std::string envelope_sender;      // MAIL FROM, empty for a bounce
    std::string queue_id;
};

// Takes each one in and logs it. Throws store::StoreError (the message then
// gets the failure action, and the client sends it again).
void take_mailed_unsubscribes(store::Store& store, const policy::Policy& policy, const MailedUnsubscribe& mail);

}  // namespace milter
