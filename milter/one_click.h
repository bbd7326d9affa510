// one_click.h — the daemon's one-click unsubscribe listener
// (unsubscribe/one_click_server.h), answering from the policy in force and
// writing to the daemon's store.
#pragma once

#include <memory>

#include "daemon.h"
#include "unsubscribe/one_click_server.h"

namespace milter {

// Starts the listener the policy names (unsubscribe.listen); null when it
// names none. Throws std::runtime_error when it cannot listen.
std::unique_ptr<unsubscribe::OneClickServer> start_one_click(Daemon& daemon);

}  // namespace milter
