// language.h — which of the page languages a visitor reads, from the
// Accept-Language header their browser sends (RFC 9110 §12.5.4).
#pragma once

#include <string_view>

namespace unsubscribe {

// The languages of the prospecting markets the product serves; a page is
// never shown in a language that is not here.
enum class Language { fr, nl, de, en, es, it };

// The best supported language for the header, English when the header is
// absent, unparseable or accepts none of them. A range counts for its
// primary language ("fr-BE" asks for French, which is what we have);
// "lang;q=0" excludes that language; "*" stands for the languages the
// header does not name. Malformed elements are skipped, not fatal.
Language choose_language(std::string_view accept_language);

// "fr", "nl", …: for Content-Language and <html lang>.
std::string_view language_tag(Language language);

}  // namespace unsubscribe
