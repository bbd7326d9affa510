// listener.h — opening libmilter's listening socket the way Postfix needs it.
#pragma once

#include "policy/policy.h"

namespace milter {

// Opens the socket named in the policy (smfi_setconn + smfi_opensocket).
// A unix socket gets the configured group and mode, so that Postfix's
// unprivileged smtpd can connect; a TCP listener gets TCP_NODELAY, which
// accepted sockets inherit, to avoid a 40 ms Nagle/delayed-ACK stall per
// message. Throws std::runtime_error with a readable reason.
void open_listener(const policy::MilterSettings& settings);

}  // namespace milter
