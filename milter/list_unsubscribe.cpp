#include "list_unsubscribe.h"

#include <strings.h>

#include <stdexcept>
#include <string>

#include "unsubscribe/links.h"
#include "unsubscribe/token.h"

namespace milter {

namespace {

constexpr const char* list_unsubscribe_name = "List-Unsubscribe";
constexpr const char* list_unsubscribe_post_name = "List-Unsubscribe-Post";

void remove_all(SMFICTX* ctx, const char* name, int count)
{
    // Highest index first, so the indexes still to remove stay valid.
    for (int index = count; index >= 1; --index)
        if (smfi_chgheader(ctx, const_cast<char*>(name), index, nullptr) != MI_SUCCESS)
            throw std::runtime_error(std::string("the MTA refused to remove the client's ") + name + " header");
}

void add(SMFICTX* ctx, const char* name, const std::string& value)
{
    if (smfi_addheader(ctx, const_cast<char*>(name), const_cast<char*>(value.c_str())) != MI_SUCCESS)
        throw std::runtime_error(std::string("the MTA refused the ") + name + " header");
}

}  // namespace

void ClientUnsubscribeHeaders::seen(const char* name)
{
    if (strcasecmp(name, list_unsubscribe_name) == 0)
        ++list_unsubscribe;
    else if (strcasecmp(name, list_unsubscribe_post_name) == 0)
        ++list_unsubscribe_post;
}

std::string_view to_string(Links links)
{
    switch (links) {
    case Links::none: return "none";
    case Links::personal: return "personal";
    case Links::generic: return "generic";
    case Links::kept: return "kept";
    }
    return "?";
}

bool refuse_shared_message(const policy::Policy& policy, std::size_t external_recipients)
{
    return policy.unsubscribe.injects() && external_recipients > 1 &&
           policy.unsubscribe.several_recipients == policy::SharedMessage::refuse;
}

Links add_unsubscribe_headers(SMFICTX* ctx, const policy::Policy& policy, const ClientUnsubscribeHeaders& client,
                              const store::Address* recipient, std::string_view campaign, policy::Day today)
{
    const auto& settings = policy.unsubscribe;
    if (!settings.injects())
        return Links::none;
    if (client.list_unsubscribe > 0 && settings.existing_header == policy::ExistingUnsubscribeHeader::keep)
        return Links::kept;
    std::optional<unsubscribe::UnsubscribeHeaders> headers;
    if (recipient)
        headers = unsubscribe::personal_headers(
            settings, unsubscribe::make_token(*settings.signing_key(), store::address_key(*recipient), campaign, today));
    else
        headers = unsubscribe::generic_headers(settings);
    if (!headers)
        return Links::none;
    // The client's headers go whole: a client's One-Click flag must not end
    // up beside a link of ours that has none.
    remove_all(ctx, list_unsubscribe_name, client.list_unsubscribe);
    remove_all(ctx, list_unsubscribe_post_name, client.list_unsubscribe_post);
    add(ctx, list_unsubscribe_name, headers->list_unsubscribe);
    if (headers->one_click)
        add(ctx, list_unsubscribe_post_name, std::string(unsubscribe::one_click_value));
    return recipient ? Links::personal : Links::generic;
}

}  // namespace milter
