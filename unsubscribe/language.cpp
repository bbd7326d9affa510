#include "language.h"

#include <array>
#include <cstddef>
#include <optional>

namespace unsubscribe {

namespace {

// English first: among languages the header ranks equally (all of them
// reached through "*"), the default wins.
constexpr std::array candidates{Language::en, Language::fr, Language::nl,
                                Language::de, Language::es, Language::it};

constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_alnum(char c) { return is_digit(c) || (ascii_lower(c) >= 'a' && ascii_lower(c) <= 'z'); }

bool iequals(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i]))
            return false;
    return true;
}

std::string_view trim_ows(std::string_view text)
{
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos)
        return {};
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in
// thousandths so that comparisons are exact.
std::optional<int> parse_qvalue(std::string_view text)
{
    if (text.empty() || (text[0] != '0' && text[0] != '1'))
        return std::nullopt;
    const int whole = text[0] - '0';
    if (text.size() == 1)
        return whole * 1000;
    if (text[1] != '.' || text.size() > 5)
        return std::nullopt;
    int fraction = 0;
    int scale = 100;
    for (char c : text.substr(2)) {
        if (!is_digit(c))
            return std::nullopt;
        fraction += (c - '0') * scale;
        scale /= 10;
    }
    if (whole == 1 && fraction != 0)
        return std::nullopt;
    return whole * 1000 + fraction;
}

struct Preference {
    std::string_view range;  // "fr-BE", "*"
    int q = 1000;
};

std::optional<Preference> parse_element(std::string_view element)
{
    Preference preference;
    const auto semicolon = element.find(';');
    preference.range = trim_ows(element.substr(0, semicolon));
    if (preference.range.empty())
        return std::nullopt;
    if (preference.range != "*")
        for (char c : preference.range)
            if (!is_alnum(c) && c != '-')
                return std::nullopt;
    std::string_view parameters = semicolon == std::string_view::npos ? std::string_view{} : element.substr(semicolon);
    while (!parameters.empty()) {
        parameters.remove_prefix(1);  // the ';'
        const auto next = parameters.find(';');
        const std::string_view parameter = trim_ows(parameters.substr(0, next));
        parameters = next == std::string_view::npos ? std::string_view{} : parameters.substr(next);
        if (parameter.size() >= 2 && ascii_lower(parameter[0]) == 'q' && parameter[1] == '=') {
            const auto q = parse_qvalue(trim_ows(parameter.substr(2)));
            if (!q)
                return std::nullopt;
            preference.q = *q;
        }
        // Accept-Language defines no other parameter; one that appears is
        // somebody's extension and does not change the ranking.
    }
    return preference;
}

struct Rank {
    int q = -1;  // -1: the header does not name the language
    std::size_t position = 0;
    bool excluded = false;
};

bool better(const Rank& a, const Rank& b)
{
    return a.q > b.q || (a.q == b.q && a.position < b.position);
}

}  // namespace

std::string_view language_tag(Language language)
{
    switch (language) {
    case Language::fr: return "fr";
    case Language::nl: return "nl";
    case Language::de: return "de";
    case Language::en: return "en";
    case Language::es: return "es";
    case Language::it: return "it";
    }
    return "en";
}

Language choose_language(std::string_view accept_language)
{
    std::array<Rank, candidates.size()> ranks{};
    Rank wildcard;
    std::size_t position = 0;
    while (!accept_language.empty()) {
        const auto comma = accept_language.find(',');
        const auto preference = parse_element(accept_language.substr(0, comma));
        accept_language = comma == std::string_view::npos ? std::string_view{} : accept_language.substr(comma + 1);
        ++position;
        if (!preference)
            continue;
        if (preference->range == "*") {
            if (wildcard.q < 0)
                wildcard = {preference->q, position, false};
            continue;
        }
        const std::string_view primary = preference->range.substr(0, preference->range.find('-'));
        for (std::size_t i = 0; i < candidates.size(); ++i) {
            if (!iequals(primary, language_tag(candidates[i])))
                continue;
            Rank& rank = ranks[i];
            // Only the bare language refuses it: "fr-CA;q=0" says nothing
            // against the French page.
            if (preference->q == 0 && primary.size() == preference->range.size())
                rank.excluded = true;
            if (preference->q > rank.q)
                rank = {preference->q, position, rank.excluded};
        }
    }

    Language chosen = Language::en;
    Rank best{0, 0, false};
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        Rank rank = ranks[i].q >= 0 ? ranks[i] : wildcard;
        if (ranks[i].excluded || rank.q <= 0)
            continue;
        if (better(rank, best)) {
            best = rank;
            chosen = candidates[i];
        }
    }
    return chosen;
}

}  // namespace unsubscribe
