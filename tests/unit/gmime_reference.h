// gmime_reference.h — the reference the MIME reader is tested against:
// the message read through GMime's object tree (see the .cpp).
#pragma once

#include <string_view>

#include "policy/mime.h"

namespace gmime_reference {

policy::MessageContent read_message(std::string_view bytes, const policy::MimeLimits& limits = {});

}  // namespace gmime_reference
