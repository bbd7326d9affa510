// links.h — the List-Unsubscribe header a prospecting message leaves with
// (RFC 2369), and the List-Unsubscribe-Post header that makes its https
// link one-click (RFC 8058).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "policy/policy.h"

namespace unsubscribe {

struct UnsubscribeHeaders {
    std::string list_unsubscribe;  // "<https://.../u/TOKEN>, <mailto:unsubscribe+TOKEN@...>"
    bool one_click = false;        // add "List-Unsubscribe-Post: List-Unsubscribe=One-Click"
};

inline constexpr std::string_view one_click_value = "List-Unsubscribe=One-Click";

// The personal links for the one recipient `token` names. One-click needs
// the https link: RFC 8058 has no one-click over mail.
UnsubscribeHeaders personal_headers(const policy::UnsubscribeSettings& settings, std::string_view token);

// The shared link of a message to several recipients: the bare unsubscribe
// address, which suppresses whoever writes to it. None without an address.
std::optional<UnsubscribeHeaders> generic_headers(const policy::UnsubscribeSettings& settings);

}  // namespace unsubscribe
