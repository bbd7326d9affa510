#include "content_rules.h"

#include <algorithm>

#include "text.h"

namespace policy {

namespace {

std::string quoted(std::string_view text, std::size_t max = 80) { return "'" + printable(text, max) + "'"; }

RuleResult pass(Rule rule, std::string detail) { return {rule, Outcome::pass, std::move(detail)}; }
RuleResult fail(Rule rule, std::string detail) { return {rule, Outcome::fail, std::move(detail)}; }

void append_lower_ascii(std::string& out, std::string_view text)
{
    const std::size_t start = out.size();
    out += text;
    char* const end = out.data() + out.size();  // a local: a store through char* could change out's size
    for (char* c = out.data() + start; c != end; ++c)
        *c = ascii_lower(*c);  // vectorised by the compiler
}

// The parts of a URL that may say "unsubscribe" by themselves, lower-cased:
// path and query for http(s), local part and query (subject=...) for
// mailto. Only what is kept is lowered: scheme and host are often most of
// a tracking URL. Written into `words`, whose memory is reused.
void url_words(std::string_view url, std::string& words)
{
    words.clear();
    if (istarts_with_ascii(url, "mailto:")) {
        const std::string_view rest = url.substr(7);
        const auto at = rest.find('@');
        const auto query = rest.find('?');
        append_lower_ascii(words, rest.substr(0, at == std::string_view::npos ? rest.size() : at));
        if (query != std::string_view::npos) {
            words += ' ';
            append_lower_ascii(words, rest.substr(query + 1));
        }
        return;
    }
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos)
        return;
    // Not find_first_of, which calls memchr on "/?#" for every byte of the host.
    const auto path = std::find_if(url.begin() + static_cast<std::ptrdiff_t>(scheme_end + 3), url.end(),
                                   [](char c) { return c == '/' || c == '?' || c == '#'; });
    append_lower_ascii(words, std::string_view(path, url.end()));
}

}  // namespace

RuleResult check_unsubscribe(const Keywords& keywords, const ReadableMessage& message)
{
    std::size_t links = 0;
    // The links of one block share its text as their context: a context equal
    // to the previous link's was read already and said nothing.
    const std::string* previous_context = nullptr;
    std::string folded;  // memory reused from link to link
    std::string words;
    for (const auto& part : message.content.parts) {
        for (const auto& link : part.links) {
            ++links;
            fold(link.text, folded);
            if (const auto* keyword = keywords.unsubscribe.find_in_folded(folded))
                return pass(Rule::unsubscribe, "link " + quoted(link.url) + " has " + quoted(*keyword) + " in its text " +
                                                   quoted(link.text));
            if (!previous_context || link.context != *previous_context) {
                fold(link.context, folded);
                if (const auto* keyword = keywords.unsubscribe.find_in_folded(folded))
                    return pass(Rule::unsubscribe, "link " + quoted(link.url) + " has " + quoted(*keyword) +
                                                       " in its sentence " + quoted(link.context, 120));
                previous_context = &link.context;
            }
            // Path fragments match at the start of a URL word ("/unsubscribe.php",
            // "?action=optout", "darse-de-baja"), not inside one ("/trabajo").
            url_words(link.url, words);
            if (const auto* keyword = keywords.unsubscribe_paths.find_in_folded(words))
                return pass(Rule::unsubscribe, "link " + quoted(link.url) + " has " + quoted(*keyword) + " in its URL");
        }
    }
    if (links == 0)
        return fail(Rule::unsubscribe, "no visible unsubscribe link: the message has no visible link at all");
    return fail(Rule::unsubscribe, "no visible unsubscribe link: none of the " + std::to_string(links) +
                                       " visible link(s) says unsubscribe in its text, its sentence or its URL");
}

RuleResult check_identity(const Policy& policy, const ReadableMessage& message)
{
    const auto& content = message.content;
    const auto& org = policy.organisation;
    if (content.from_address.empty())
        return fail(Rule::identity, "the From header has no address");
    if (content.from_display_name.empty())
        return fail(Rule::identity, "the From header has no display name (" + quoted(content.from_address) + ")");
    const std::string domain = domain_of(content.from_address);
    if (std::none_of(org.domains.begin(), org.domains.end(),
                     [&](const std::string& own) { return domain_within(domain, own); }))
        return fail(Rule::identity, "the From address " + quoted(content.from_address) +
                                        " is not in the organisation's domains");
    std::vector<std::string> names{org.name};
    names.insert(names.end(), org.aliases.begin(), org.aliases.end());
    const std::string* named = nullptr;
    for (const auto& name : names)
        if (contains_at_word_start(message.folded, fold(name))) {
            named = &name;
            break;
        }
    if (!named)
        return fail(Rule::identity, "the text does not name the organisation (" + quoted(org.name) + " or an alias)");
    if (!org.postal_address.empty() && org.require_postal_address &&
        !contains_at_word_start(message.folded, fold(org.postal_address)))
        return fail(Rule::identity, "the text does not give the postal address " + quoted(org.postal_address));
    return pass(Rule::identity, "From " + quoted(content.from_display_name) + " <" + content.from_address +
                                    ">, the text names " + quoted(*named));
}

RuleResult check_reason(const Keywords& keywords, const ReadableMessage& message)
{
    if (const auto* phrase = keywords.reason.find_in_folded(message.folded))
        return pass(Rule::reason, "the text says why: " + quoted(*phrase));
    return fail(Rule::reason, "the text does not say why the person receives this message");
}

RuleResult check_first_contact(const Keywords& keywords, const ReadableMessage& message)
{
    const auto* source = keywords.data_source.find_in_folded(message.folded);
    const auto* objection = keywords.objection.find_in_folded(message.folded);
    if (source && objection)
        return pass(Rule::first_contact, "the text gives the data source (" + quoted(*source) +
                                             ") and how to object (" + quoted(*objection) + ")");
    if (!source && !objection)
        return fail(Rule::first_contact, "first contact: the text neither says where the data came from nor how to object");
    if (!source)
        return fail(Rule::first_contact, "first contact: the text does not say where the data came from");
    return fail(Rule::first_contact, "first contact: the text does not say how to object");
}

}  // namespace policy
