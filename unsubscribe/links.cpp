#include "links.h"

namespace unsubscribe {

UnsubscribeHeaders personal_headers(const policy::UnsubscribeSettings& settings, std::string_view token)
{
    UnsubscribeHeaders headers;
    auto& value = headers.list_unsubscribe;
    // RFC 2369: the client takes the first method it supports, so the
    // one-click https link goes first.
    if (!settings.url.empty()) {
        value = "<" + settings.url + std::string(token) + ">";
        headers.one_click = true;
    }
    if (!settings.address.empty()) {
        if (!value.empty())
            value += ", ";
        value += "<mailto:" + std::string(settings.address_local_part()) + "+" + std::string(token) + "@" +
                 std::string(settings.address_domain()) + "?subject=unsubscribe>";
    }
    return headers;
}

std::optional<UnsubscribeHeaders> generic_headers(const policy::UnsubscribeSettings& settings)
{
    if (settings.address.empty())
        return std::nullopt;
    return UnsubscribeHeaders{"<mailto:" + settings.address + "?subject=unsubscribe>", false};
}

}  // namespace unsubscribe
