#include "consent.h"

#include <algorithm>

#include "text.h"

namespace policy {

namespace {

// One meaningful line of a data file: its number and its words, with the
// comment ('#' to the end of the line) and the blanks removed.
struct DataLine {
    unsigned number = 0;
    std::vector<std::string_view> words;
};

std::vector<std::string_view> split_words(std::string_view text)
{
    std::vector<std::string_view> words;
    std::size_t pos = 0;
    while ((pos = text.find_first_not_of(" \t\r", pos)) != std::string_view::npos) {
        const auto end = std::min(text.find_first_of(" \t\r", pos), text.size());
        words.push_back(text.substr(pos, end - pos));
        pos = end;
    }
    return words;
}

std::vector<DataLine> data_lines(std::string_view text)
{
    std::vector<DataLine> lines;
    unsigned number = 0;
    while (!text.empty() || number == 0) {
        ++number;
        const auto newline = text.find('\n');
        auto line = text.substr(0, newline);
        text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
        line = line.substr(0, line.find('#'));
        if (auto words = split_words(line); !words.empty())
            lines.push_back({number, std::move(words)});
        if (newline == std::string_view::npos)
            break;
    }
    return lines;
}

bool is_ldh_label(std::string_view label)
{
    return !label.empty() && label.size() <= 63 && label.front() != '-' && label.back() != '-' &&
           std::all_of(label.begin(), label.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
           });
}

// A lower-case domain in A-labels with at least two labels: a bare
// top-level domain would make every address under it a consumer's.
bool is_ascii_domain(std::string_view domain)
{
    if (domain.size() > 253 || domain.find('.') == std::string_view::npos)
        return false;
    std::size_t start = 0;
    for (std::size_t dot; (dot = domain.find('.', start)) != std::string_view::npos; start = dot + 1)
        if (!is_ldh_label(domain.substr(start, dot - start)))
            return false;
    return is_ldh_label(domain.substr(start));
}

bool is_local_part_word(std::string_view word)
{
    return !word.empty() && word.size() <= 64 && std::all_of(word.begin(), word.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    });
}

bool is_country_code(std::string_view code)
{
    return code.size() == 2 && std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::string quoted(std::string_view text) { return "\"" + printable(text, 60) + "\""; }

// Reads one data file, collecting every problem with its line.
class DataFileReader {
public:
    explicit DataFileReader(const std::string& file) : m_file(file) {}

    void error(unsigned line, std::string message) { m_errors.push_back({m_file, line, std::move(message)}); }
    // Records `key` as first seen on `line`; false (and an error) when it was seen before.
    bool first_time(std::map<std::string, unsigned, std::less<>>& seen, std::string_view key, unsigned line,
                    const std::string& what)
    {
        const auto [found, fresh] = seen.emplace(std::string(key), line);
        if (!fresh)
            error(line, "duplicate " + what + " " + quoted(key) + " (first on line " +
                            std::to_string(found->second) + ")");
        return fresh;
    }
    std::vector<ConfigError> take_errors() { return std::move(m_errors); }

private:
    const std::string& m_file;
    std::vector<ConfigError> m_errors;
};

// "uk,gb" into tlds (replacing the default).
void read_tlds(DataFileReader& reader, unsigned line, std::string_view list, std::vector<std::string>& tlds)
{
    tlds.clear();
    if (list.empty())
        reader.error(line, "tlds must name at least one top-level domain");
    while (!list.empty()) {
        const auto comma = list.find(',');
        const auto tld = list.substr(0, comma);
        if (is_ldh_label(tld))
            tlds.emplace_back(tld);
        else
            reader.error(line, "tlds: " + quoted(tld) + " is not a lower-case top-level domain");
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    }
}

// One "KEY=VALUE" word of a country profile applied to `profile`.
void read_profile_setting(DataFileReader& reader, unsigned line, std::string_view word, CountryProfile& profile,
                          std::vector<std::string>& tlds)
{
    const auto equals = word.find('=');
    const auto key = word.substr(0, equals);
    const auto value = equals == std::string_view::npos ? std::string_view() : word.substr(equals + 1);
    auto choice = [&](bool& out, std::string_view yes, std::string_view no) {
        if (value == yes || value == no)
            out = value == yes;
        else
            reader.error(line, std::string(key) + " must be " + std::string(yes) + " or " + std::string(no) +
                                   " (got " + quoted(value) + ")");
    };
    if (key == "b2b")
        choice(profile.b2b_consent, "consent", "opt-out");
    else if (key == "b2c")
        choice(profile.b2c_consent, "consent", "opt-out");
    else if (key == "role_exempt")
        choice(profile.role_exempt, "yes", "no");
    else if (key == "tlds")
        read_tlds(reader, line, value, tlds);
    else
        reader.error(line, "unknown setting " + quoted(key) + " (settings: b2b, b2c, role_exempt, tlds)");
}

}  // namespace

std::vector<ConfigError> ConsentRules::read_consumer_domains(std::string_view text, const std::string& file)
{
    DataFileReader reader(file);
    std::map<std::string, unsigned, std::less<>> seen;
    for (const auto& line : data_lines(text)) {
        if (line.words.size() > 1) {
            reader.error(line.number, "one domain per line (found " + quoted(line.words[1]) + " after " +
                                          quoted(line.words[0]) + ")");
            continue;
        }
        const std::string domain = to_lower_ascii(line.words[0]);
        if (!is_ascii_domain(domain)) {
            reader.error(line.number, quoted(line.words[0]) +
                                          " is not a domain with at least two labels of letters, digits and '-'"
                                          " (write internationalised names as A-labels, xn--...)");
            continue;
        }
        if (reader.first_time(seen, domain, line.number, "domain"))
            m_consumer_domains.insert(domain);
    }
    return reader.take_errors();
}

std::vector<ConfigError> ConsentRules::read_countries(std::string_view text, const std::string& file)
{
    DataFileReader reader(file);
    std::map<std::string, unsigned, std::less<>> countries_seen, tlds_seen, roles_seen;
    for (const auto& line : data_lines(text)) {
        const auto first = line.words.front();
        if (first == "roles") {
            for (std::size_t i = 1; i < line.words.size(); ++i) {
                const auto role = line.words[i];
                if (!is_local_part_word(role))
                    reader.error(line.number, "role " + quoted(role) +
                                                  " must be a lower-case local part (letters, digits, '.', '_', '-')");
                else if (reader.first_time(roles_seen, role, line.number, "role"))
                    m_role_local_parts.emplace(role);
            }
            continue;
        }
        if (!is_country_code(first)) {
            reader.error(line.number,
                         "expected a country code (two upper-case letters) or 'roles', got " + quoted(first));
            continue;
        }
        CountryProfile profile{std::string(first)};
        std::vector<std::string> tlds{to_lower_ascii(first)};
        std::map<std::string, unsigned, std::less<>> settings_seen;
        for (std::size_t i = 1; i < line.words.size(); ++i) {
            const auto key = line.words[i].substr(0, line.words[i].find('='));
            if (reader.first_time(settings_seen, key, line.number, "setting"))
                read_profile_setting(reader, line.number, line.words[i], profile, tlds);
        }
        for (const char* required : {"b2b", "b2c", "role_exempt"})
            if (!settings_seen.contains(required))
                reader.error(line.number, "country " + profile.code + " lacks " + required + "=");
        if (!reader.first_time(countries_seen, profile.code, line.number, "country"))
            continue;
        for (const auto& tld : tlds)
            if (reader.first_time(tlds_seen, tld, line.number, "top-level domain"))
                m_tld_country.emplace(tld, profile.code);
        m_countries.emplace(profile.code, std::move(profile));
    }
    return reader.take_errors();
}

std::string_view ConsentRules::consumer_domain(std::string_view domain) const
{
    // The domain itself, then each parent: "a.b.gmail.com", "b.gmail.com", ...
    for (std::size_t start = 0; start < domain.size();) {
        if (const auto found = m_consumer_domains.find(domain.substr(start)); found != m_consumer_domains.end())
            return *found;
        const auto dot = domain.find('.', start);
        if (dot == std::string_view::npos)
            break;
        start = dot + 1;
    }
    return {};
}

const CountryProfile* ConsentRules::profile(std::string_view country) const
{
    const auto found = m_countries.find(country);
    return found == m_countries.end() ? nullptr : &found->second;
}

std::string_view ConsentRules::country_of_domain(std::string_view domain) const
{
    const auto dot = domain.rfind('.');
    if (dot == std::string_view::npos)
        return {};
    const auto found = m_tld_country.find(domain.substr(dot + 1));
    return found == m_tld_country.end() ? std::string_view() : std::string_view(found->second);
}

bool ConsentRules::is_role_address(std::string_view local_part) const
{
    return m_role_local_parts.contains(to_lower_ascii(local_part));
}

namespace {

// The country whose law applies, and where that came from ("campaign
// 'spring'", "from .de", "organisation default").
struct CountryChoice {
    std::string code;
    std::string source;
};

CountryChoice choose_country(const ConsentRules& rules, const Organisation& organisation, const Campaign* campaign,
                             std::string_view domain)
{
    if (campaign && !campaign->country.empty())
        return {campaign->country, "campaign '" + campaign->id + "'"};
    if (const auto country = rules.country_of_domain(domain); !country.empty())
        return {std::string(country), "from ." + std::string(domain.substr(domain.rfind('.') + 1))};
    return {organisation.default_country, "organisation default"};
}

ConsentNeed for_private_person(const CountryProfile& profile, const CountryChoice& country, std::string why)
{
    if (profile.b2c_consent)
        return {true, country.code, std::move(why)};
    return {false, country.code,
            why + "; recipient country " + country.code +
                " allows prospecting private persons without prior consent (" + country.source + ")"};
}

ConsentNeed for_business(const ConsentRules& rules, const CountryProfile& profile, const CountryChoice& country,
                         std::string_view local_part)
{
    if (!profile.b2b_consent)
        return {false, country.code,
                "recipient country " + country.code + " allows business prospecting without prior consent (" +
                    country.source + ")"};
    if (profile.role_exempt && rules.is_role_address(local_part))
        return {false, country.code,
                "role address " + to_lower_ascii(local_part) + "@ exempt in " + country.code + " (" +
                    country.source + ")"};
    return {true, country.code,
            "recipient country " + country.code + " requires consent for business prospecting (" +
                country.source + ")"};
}

}  // namespace

ConsentNeed consent_needed(const ConsentRules& rules, const Organisation& organisation, const Campaign* campaign,
                           std::string_view recipient_local_part, std::string_view recipient_domain)
{
    std::string domain = to_lower_ascii(recipient_domain);
    if (!domain.empty() && domain.back() == '.')
        domain.pop_back();
    const auto country = choose_country(rules, organisation, campaign, domain);
    const CountryProfile* profile = rules.profile(country.code);
    if (!profile)
        return {true, country.code, "no consent profile for country " + country.code + " (" + country.source + ")"};
    if (campaign && campaign->audience == Audience::b2c)
        return for_private_person(*profile, country, "campaign '" + campaign->id + "' is b2c");
    if (const auto provider = rules.consumer_domain(domain); !provider.empty())
        return for_private_person(*profile, country, std::string(provider) + " is a consumer mailbox provider");
    return for_business(rules, *profile, country, recipient_local_part);
}

}  // namespace policy
