// pages.h — the HTML the one-click endpoint answers with, in each page
// language: small, self-contained pages (inline style, no script, no
// external resource, so the strict Content-Security-Policy holds).
#pragma once

#include <string>
#include <string_view>

#include "language.h"
#include "one_click_server.h"

namespace unsubscribe {

// & < > " ' as character references, which makes text safe both between
// tags and inside a quoted attribute value.
std::string html_escape(std::string_view text);

// The page the link in the message opens: names the organisation and has
// the button whose POST unsubscribes (the GET itself never does).
std::string confirm_page(Language language, const PageIdentity& identity, std::string_view token);

// The answer to that POST, also to a repeated one.
std::string done_page(Language language, const PageIdentity& identity);

// The answers that need no identity: refusals and failures, deliberately
// without any detail on what was wrong with the request.
enum class Notice { bad_link, retry_later, not_found, method_not_allowed, too_large };
std::string notice_page(Language language, Notice notice);

}  // namespace unsubscribe
