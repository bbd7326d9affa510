#include "content_rules.h"

#include <algorithm>

#include "text.h"

namespace policy {

namespace {

std::string quoted(std::string_view text, std::size_t max = 80) { return "'" + printable(text, max) + "'"; }

RuleResult pass(Rule rule, std::string detail) { return {rule, Outcome::pass, std::move(detail)}; }
RuleResult fail(Rule rule, std::string detail) { return {rule, Outcome::fail, std::move(detail)}; }

// The parts of a URL that may say "unsubscribe" by themselves: path and
// query for http(s), local part and query (subject=...) for mailto.
std::string url_words(std::string_view url)
{
    const std::string lower = to_lower_ascii(url);
    if (lower.starts_with("mailto:")) {
        std::string_view rest = std::string_view(lower).substr(7);
        const auto at = rest.find('@');
        const auto query = rest.find('?');
        std::string words(rest.substr(0, at == std::string_view::npos ? rest.size() : at));
        if (query != std::string_view::npos)
            words += " " + std::string(rest.substr(query + 1));
        return words;
    }
    const auto scheme_end = lower.find("://");
    if (scheme_end == std::string::npos)
        return {};
    const auto path = lower.find_first_of("/?#", scheme_end + 3);
    return path == std::string::npos ? std::string() : lower.substr(path);
}

}  // namespace

RuleResult check_unsubscribe(const Keywords& keywords, const ReadableMessage& message)
{
    std::size_t links = 0;
    for (const auto& part : message.content.parts) {
        for (const auto& link : part.links) {
            ++links;
            if (const auto* keyword = keywords.unsubscribe.find_in(link.text))
                return pass(Rule::unsubscribe, "link " + quoted(link.url) + " has " + quoted(*keyword) + " in its text " +
                                                   quoted(link.text));
            if (const auto* keyword = keywords.unsubscribe.find_in(link.context))
                return pass(Rule::unsubscribe, "link " + quoted(link.url) + " has " + quoted(*keyword) +
                                                   " in its sentence " + quoted(link.context, 120));
            // Path fragments match at the start of a URL word ("/unsubscribe.php",
            // "?action=optout", "darse-de-baja"), not inside one ("/trabajo").
            const std::string words = url_words(link.url);
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
