#include "config.h"

#include <libconfig.h++>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <cctype>
#include <functional>
#include <map>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <optional>
#include <sstream>

#include "consent.h"
#include "digest.h"
#include "keywords.h"
#include "text.h"

namespace policy {

std::string ConfigError::to_string() const
{
    return file + ":" + std::to_string(line) + ": " + message;
}

namespace {

using libconfig::Setting;

// Reads one policy file into a Policy, collecting every problem instead of
// stopping at the first: the postmaster fixes them all in one go.
class Loader {
public:
    explicit Loader(std::string path) : m_path(std::move(path)) {}

    std::vector<ConfigError> read(const Setting& root, Policy& policy);

private:
    using KeyReader = std::function<void(const Setting&)>;

    void error(const Setting& setting, const std::string& message);
    void read_group(const Setting& group, const std::map<std::string, KeyReader>& keys,
                    std::initializer_list<const char*> required = {});
    bool expect_type(const Setting& setting, bool ok, const char* what);

    void read_string(const Setting& s, std::string& out);
    void read_bool(const Setting& s, bool& out);
    // An integer setting within [min, max]; `unit` ("" or e.g. "bytes") names it in errors.
    std::optional<long long> read_integer(const Setting& s, long long min, long long max, const char* unit);
    void read_int(const Setting& s, int& out, int min, int max);
    void read_strings(const Setting& s, std::vector<std::string>& out);
    template <typename T>
    void read_choice(const Setting& s, T& out, std::initializer_list<std::pair<const char*, T>> choices);

    void read_milter(const Setting& group, MilterSettings& milter);
    void read_store(const Setting& group, StoreSettings& store);
    void read_map_size(const Setting& s, std::size_t& out);
    void read_consent(const Setting& group, ConsentSettings& consent);
    void read_organisation(const Setting& group, Organisation& organisation);
    void read_scope(const Setting& group, ScopeSettings& scope);
    void read_senders(const Setting& s, ScopeSettings& scope);
    void read_campaigns(const Setting& list, std::vector<Campaign>& campaigns);
    void read_campaign(const Setting& group, Campaign& campaign);
    void read_day(const Setting& s, Day& out);
    void read_rules(const Setting& group, Policy& policy);
    void read_logging(const Setting& group, LoggingSettings& logging);
    void read_unsubscribe(const Setting& group, UnsubscribeSettings& unsubscribe);
    void read_signing_keys(const Setting& list, std::vector<SigningKey>& keys);
    void read_content(const Setting& group, ContentSettings& content);
    void read_size(const Setting& s, std::size_t& out, std::size_t min, std::size_t max);
    void read_keyword_list(const Setting& s, KeywordList& list);
    void read_policy_keywords(const Setting& group, Keywords& keywords, bool& replace);
    void cross_check(const Setting& root, Policy& policy);

public:
    // Reads a keywords file (conf/keywords.conf) into `keywords`.
    std::vector<ConfigError> read_keywords_file(const Setting& root, Keywords& keywords);
    // Reads the policy's own `keywords` group.
    std::vector<ConfigError> read_own_keywords(const Setting& group, Keywords& keywords, bool& replace)
    {
        read_policy_keywords(group, keywords, replace);
        return std::move(m_errors);
    }
    // Every country the policy names needs a profile in the countries file,
    // or the consent rule could not decide for its recipients.
    std::vector<ConfigError> check_countries(const Setting& root, const Policy& policy);

private:

    std::string m_path;
    std::vector<ConfigError> m_errors;
};

std::string setting_name(const Setting& s)
{
    const std::string path = s.getPath();
    return path.empty() ? "setting" : "'" + path + "'";
}

bool is_country_code(std::string_view code)
{
    return code.size() == 2 && std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool is_domain(std::string_view domain)
{
    if (domain.empty() || domain.size() > 253 || domain.front() == '.' || domain.back() == '.' ||
        domain.find("..") != std::string_view::npos)
        return false;
    return std::all_of(domain.begin(), domain.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '.' || c >= 0x80;
    });
}

bool is_campaign_id(std::string_view id)
{
    return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '.' || c == '_' || c == '-';
    });
}

// "unix:/path", "local:/path", "inet:PORT@HOST", "inet6:PORT@HOST"; TCP only
// on loopback, since the milter protocol is neither authenticated nor
// encrypted.
std::string check_socket_spec(std::string_view spec)
{
    if (spec.starts_with("unix:") || spec.starts_with("local:")) {
        const auto path = spec.substr(spec.find(':') + 1);
        if (path.empty() || path.front() != '/')
            return "unix socket path must be absolute";
        if (path.size() >= 108)
            return "unix socket path is too long";
        return {};
    }
    for (std::string_view scheme : {"inet:", "inet6:"}) {
        if (!spec.starts_with(scheme))
            continue;
        const auto rest = spec.substr(scheme.size());
        const auto at = rest.find('@');
        const auto port_text = rest.substr(0, at);
        if (port_text.empty() || port_text.size() > 5 ||
            !std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
            std::stoi(std::string(port_text)) < 1 || std::stoi(std::string(port_text)) > 65535)
            return "port must be 1..65535";
        if (at == std::string_view::npos)
            return "inet socket must name a loopback address (inet:PORT@127.0.0.1)";
        const auto host = rest.substr(at + 1);
        const bool loopback = host == "localhost" || host.starts_with("127.") || host == "::1" ||
                              host == "[::1]";
        if (!loopback)
            return "inet socket must listen on loopback only (127.0.0.0/8, ::1, localhost)";
        return {};
    }
    return "socket must start with unix:, local:, inet: or inet6:";
}

void Loader::error(const Setting& setting, const std::string& message)
{
    m_errors.push_back({m_path, setting.getSourceLine(), message});
}

bool Loader::expect_type(const Setting& s, bool ok, const char* what)
{
    if (!ok)
        error(s, setting_name(s) + " must be " + what);
    return ok;
}

void Loader::read_group(const Setting& group, const std::map<std::string, KeyReader>& keys,
                        std::initializer_list<const char*> required)
{
    if (!expect_type(group, group.isGroup(), "a group { ... }"))
        return;
    for (const Setting& child : group) {
        const auto reader = keys.find(child.getName());
        if (reader == keys.end())
            error(child, "unknown key " + setting_name(child));
        else
            reader->second(child);
    }
    for (const char* key : required)
        if (!group.exists(key))
            error(group, "missing required key '" + std::string(key) + "' in " + setting_name(group));
}

void Loader::read_string(const Setting& s, std::string& out)
{
    if (expect_type(s, s.getType() == Setting::TypeString, "a string"))
        out = static_cast<const char*>(s);
}

void Loader::read_bool(const Setting& s, bool& out)
{
    if (expect_type(s, s.getType() == Setting::TypeBoolean, "true or false"))
        out = static_cast<bool>(s);
}

std::optional<long long> Loader::read_integer(const Setting& s, long long min, long long max, const char* unit)
{
    const std::string in_units = *unit ? std::string(" ") + unit : "";
    const std::string kind = *unit ? "an integer (" + std::string(unit) + ")" : "an integer";
    if (!expect_type(s, s.getType() == Setting::TypeInt || s.getType() == Setting::TypeInt64, kind.c_str()))
        return std::nullopt;
    const long long value = s.getType() == Setting::TypeInt ? static_cast<int>(s) : static_cast<long long>(s);
    if (value < min || value > max) {
        error(s, setting_name(s) + " must be between " + std::to_string(min) + " and " + std::to_string(max) +
                     in_units + " (got " + std::to_string(value) + ")");
        return std::nullopt;
    }
    return value;
}

void Loader::read_int(const Setting& s, int& out, int min, int max)
{
    if (const auto value = read_integer(s, min, max, ""))
        out = static_cast<int>(*value);
}

void Loader::read_strings(const Setting& s, std::vector<std::string>& out)
{
    if (!expect_type(s, s.isArray() || s.isList(), "a list of strings [ \"...\", ... ]"))
        return;
    out.clear();
    for (const Setting& item : s) {
        if (item.getType() != Setting::TypeString) {
            error(item, "every entry of " + setting_name(s) + " must be a string");
            continue;
        }
        out.emplace_back(static_cast<const char*>(item));
    }
}

template <typename T>
void Loader::read_choice(const Setting& s, T& out, std::initializer_list<std::pair<const char*, T>> choices)
{
    std::string text;
    if (s.getType() != Setting::TypeString) {
        read_string(s, text);
        return;
    }
    text = static_cast<const char*>(s);
    std::string allowed;
    for (const auto& [name, value] : choices) {
        if (text == name) {
            out = value;
            return;
        }
        allowed += (allowed.empty() ? "\"" : ", \"") + std::string(name) + "\"";
    }
    error(s, setting_name(s) + " must be one of " + allowed + " (got \"" + printable(text, 60) + "\")");
}

void Loader::read_milter(const Setting& group, MilterSettings& milter)
{
    read_group(group, {
        {"socket", [&](const Setting& s) {
            read_string(s, milter.socket);
            if (const auto problem = check_socket_spec(milter.socket); !problem.empty())
                error(s, "'milter.socket': " + problem);
        }},
        {"socket_group", [&](const Setting& s) { read_string(s, milter.socket_group); }},
        {"socket_mode", [&](const Setting& s) {
            std::string text;
            read_string(s, text);
            char* end = nullptr;
            const unsigned long mode = text.empty() ? 01000 : std::strtoul(text.c_str(), &end, 8);
            if (s.getType() == Setting::TypeString && (mode > 0777 || (end && *end != '\0')))
                error(s, "'milter.socket_mode' must be an octal mode such as \"0660\"");
            else if (s.getType() == Setting::TypeString)
                milter.socket_mode = static_cast<unsigned>(mode);
        }},
        {"timeout", [&](const Setting& s) { read_int(s, milter.timeout, 1, 3600); }},
        {"shutdown_grace", [&](const Setting& s) { read_int(s, milter.shutdown_grace, 0, 3600); }},
        {"one_recipient_per_transaction", [&](const Setting& s) {
            read_bool(s, milter.one_recipient_per_transaction);
        }},
    });
}

// "4G", "512M", "65536K" or "1073741824" (powers of 1024); nullopt when
// malformed or past `max`.
std::optional<std::uint64_t> parse_byte_size(std::string_view text, std::uint64_t max)
{
    std::uint64_t multiplier = 1;
    if (!text.empty()) {
        const char last = static_cast<char>(std::toupper(static_cast<unsigned char>(text.back())));
        if (const auto unit = std::string_view("KMGT").find(last); unit != std::string_view::npos) {
            multiplier = std::uint64_t{1} << (10 * (unit + 1));
            text.remove_suffix(1);
        }
    }
    const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    if (text.empty() || text.size() > 15 || !std::all_of(text.begin(), text.end(), is_digit))
        return std::nullopt;
    const std::uint64_t number = std::stoull(std::string(text));
    if (number > max / multiplier)
        return std::nullopt;
    return number * multiplier;
}

// A size too large for 32 bits is written as a string with a unit: libconfig
// 1.5 silently wraps an unquoted integer past 2147483647 (4294967297 reads
// as 1), so a plain integer is refused rather than trusted; an explicit
// 64-bit integer (4294967296L) is exact and accepted.
void Loader::read_map_size(const Setting& s, std::size_t& out)
{
    constexpr std::uint64_t min = std::uint64_t{1} << 20, max = std::uint64_t{1} << 40;
    const std::string how = setting_name(s) + " must be a size between 1M and 1T such as \"4G\" or \"512M\" "
                            "(K, M, G, T are powers of 1024), or a 64-bit integer such as 4294967296L";
    std::optional<std::uint64_t> value;
    if (s.getType() == Setting::TypeString)
        value = parse_byte_size(static_cast<const char*>(s), max);
    else if (s.getType() == Setting::TypeInt64 && static_cast<long long>(s) >= 0)
        value = static_cast<std::uint64_t>(static_cast<long long>(s));
    if (!value || *value < min || *value > max) {
        error(s, how);
        return;
    }
    out = static_cast<std::size_t>(*value);
}

void Loader::read_store(const Setting& group, StoreSettings& store)
{
    read_group(group, {
        {"path", [&](const Setting& s) {
            read_string(s, store.path);
            if (s.getType() == Setting::TypeString && !store.path.starts_with("/"))
                error(s, "'store.path' must be an absolute path");
        }},
        {"map_size", [&](const Setting& s) { read_map_size(s, store.map_size); }},
    });
}

void Loader::read_consent(const Setting& group, ConsentSettings& consent)
{
    read_group(group, {
        {"consumer_domains", [&](const Setting& s) { read_string(s, consent.consumer_domains_file); }},
        {"countries", [&](const Setting& s) { read_string(s, consent.countries_file); }},
        {"validity_days", [&](const Setting& s) { read_int(s, consent.validity_days, 0, 36500); }},
    });
}

void Loader::read_organisation(const Setting& group, Organisation& org)
{
    read_group(group, {
        {"name", [&](const Setting& s) {
            read_string(s, org.name);
            if (s.getType() == Setting::TypeString && trim(org.name).empty())
                error(s, "'organisation.name' must not be empty");
        }},
        {"aliases", [&](const Setting& s) { read_strings(s, org.aliases); }},
        {"domains", [&](const Setting& s) {
            read_strings(s, org.domains);
            if ((s.isArray() || s.isList()) && s.getLength() == 0)
                error(s, "'organisation.domains' must name at least one domain");
            for (auto& domain : org.domains) {
                domain = to_lower_ascii(domain);
                if (!is_domain(domain))
                    error(s, "'organisation.domains': \"" + printable(domain, 60) + "\" is not a domain");
            }
        }},
        {"postal_address", [&](const Setting& s) { read_string(s, org.postal_address); }},
        {"privacy_url", [&](const Setting& s) { read_string(s, org.privacy_url); }},
        {"dpo", [&](const Setting& s) { read_string(s, org.dpo); }},
        {"require_postal_address", [&](const Setting& s) { read_bool(s, org.require_postal_address); }},
        {"security_measures", [&](const Setting& s) { read_strings(s, org.security_measures); }},
        {"default_country", [&](const Setting& s) {
            read_string(s, org.default_country);
            if (s.getType() == Setting::TypeString && !is_country_code(org.default_country))
                error(s, "'organisation.default_country' must be a two-letter upper-case country code");
        }},
    }, {"name", "domains"});
}

void Loader::read_senders(const Setting& s, ScopeSettings& scope)
{
    std::vector<std::string> senders;
    read_strings(s, senders);
    for (const auto& entry : senders) {
        const std::string sender = to_lower_ascii(trim(entry));
        const auto at = sender.find('@');
        if (at == 0 && is_domain(std::string_view(sender).substr(1)))
            scope.sender_domains.push_back(sender.substr(1));
        else if (at != std::string::npos && at > 0 && is_domain(std::string_view(sender).substr(at + 1)))
            scope.sender_addresses.push_back(sender);
        else
            error(s, "'scope.senders': \"" + printable(entry, 60) +
                         "\" is neither an address nor \"@domain\"");
    }
}

void Loader::read_scope(const Setting& group, ScopeSettings& scope)
{
    read_group(group, {
        {"campaign_header", [&](const Setting& s) {
            read_string(s, scope.campaign_header);
            const auto& name = scope.campaign_header;
            if (!std::all_of(name.begin(), name.end(), [](unsigned char c) { return c > 32 && c < 127 && c != ':'; }))
                error(s, "'scope.campaign_header' must be a header field name");
        }},
        {"senders", [&](const Setting& s) { read_senders(s, scope); }},
        {"sasl_logins", [&](const Setting& s) { read_strings(s, scope.sasl_logins); }},
        {"services", [&](const Setting& s) { read_strings(s, scope.services); }},
        {"external_recipients", [&](const Setting& s) { read_bool(s, scope.external_recipients); }},
        {"internal_domains", [&](const Setting& s) {
            read_strings(s, scope.internal_domains);
            for (auto& domain : scope.internal_domains) {
                domain = to_lower_ascii(domain);
                if (!is_domain(domain))
                    error(s, "'scope.internal_domains': \"" + printable(domain, 60) + "\" is not a domain");
            }
        }},
        {"default_campaign", [&](const Setting& s) { read_string(s, scope.default_campaign); }},
    });
}

void Loader::read_day(const Setting& s, Day& out)
{
    std::string text;
    read_string(s, text);
    if (s.getType() != Setting::TypeString)
        return;
    if (const auto day = parse_day(text))
        out = *day;
    else
        error(s, setting_name(s) + " must be a date YYYY-MM-DD (got \"" + printable(text, 40) + "\")");
}

void Loader::read_campaign(const Setting& group, Campaign& c)
{
    read_group(group, {
        {"id", [&](const Setting& s) {
            read_string(s, c.id);
            if (s.getType() == Setting::TypeString && !is_campaign_id(c.id))
                error(s, "campaign id \"" + printable(c.id, 80) +
                             "\" must be 1 to 64 letters, digits, '.', '_' or '-'");
        }},
        {"purpose", [&](const Setting& s) {
            read_string(s, c.purpose);
            if (s.getType() == Setting::TypeString && trim(c.purpose).empty())
                error(s, "campaign purpose must not be empty");
        }},
        {"audience", [&](const Setting& s) {
            read_choice<Audience>(s, c.audience, {{"b2b", Audience::b2b}, {"b2c", Audience::b2c}});
        }},
        {"legal_basis", [&](const Setting& s) {
            read_choice<LegalBasis>(s, c.legal_basis, {{"legitimate_interest", LegalBasis::legitimate_interest},
                                                       {"consent", LegalBasis::consent}});
        }},
        {"data_source", [&](const Setting& s) { read_string(s, c.data_source); }},
        {"start", [&](const Setting& s) { read_day(s, c.start); }},
        {"end", [&](const Setting& s) {
            Day end = 0;
            const auto before = m_errors.size();
            read_day(s, end);
            if (m_errors.size() == before)
                c.end = end;
        }},
        {"retention_days", [&](const Setting& s) { read_int(s, c.retention_days, 1, 3650); }},
        {"country", [&](const Setting& s) {
            read_string(s, c.country);
            if (s.getType() == Setting::TypeString && !is_country_code(c.country))
                error(s, "campaign country must be a two-letter upper-case country code");
        }},
        {"data_categories", [&](const Setting& s) { read_strings(s, c.data_categories); }},
        {"people", [&](const Setting& s) { read_string(s, c.people); }},
        {"recipients", [&](const Setting& s) { read_strings(s, c.recipients); }},
        {"transfers", [&](const Setting& s) { read_strings(s, c.transfers); }},
    }, {"id", "purpose", "audience", "legal_basis", "start"});
    if (c.end && group.exists("start") && *c.end < c.start)
        error(group["end"], "campaign \"" + c.id + "\" ends (" + format_day(*c.end) + ") before it starts (" +
                                format_day(c.start) + ")");
}

void Loader::read_campaigns(const Setting& list, std::vector<Campaign>& campaigns)
{
    if (!expect_type(list, list.isList(), "a list of campaign groups ( { ... }, { ... } )"))
        return;
    std::map<std::string, unsigned> first_line;
    for (const Setting& group : list) {
        Campaign campaign;
        read_campaign(group, campaign);
        if (campaign.id.empty())
            continue;
        const auto [seen, fresh] = first_line.emplace(campaign.id, group.getSourceLine());
        if (!fresh) {
            error(group.exists("id") ? group["id"] : group,
                  "duplicate campaign id \"" + campaign.id + "\" (first declared on line " +
                      std::to_string(seen->second) + ")");
            continue;
        }
        campaigns.push_back(std::move(campaign));
    }
}

void Loader::read_rules(const Setting& group, Policy& policy)
{
    if (!expect_type(group, group.isGroup(), "a group { ... }"))
        return;
    for (const Setting& s : group) {
        const auto rule = parse_rule(s.getName());
        if (!rule) {
            error(s, "unknown rule '" + std::string(s.getName()) +
                         "' (rules: campaign, suppression, consent, size, unsubscribe, identity, reason, first_contact)");
            continue;
        }
        auto& action = policy.rule_actions[static_cast<std::size_t>(*rule)];
        read_choice<Action>(s, action, {{"reject", Action::reject}, {"quarantine", Action::quarantine},
                                        {"tag", Action::tag}, {"monitor", Action::monitor}, {"off", Action::off}});
    }
}

// The local part that carries a token ("unsubscribe+TOKEN") must stay within
// RFC 5321's 64 octets: a 52-character token leaves 11 for the name.
constexpr std::size_t max_unsubscribe_local_part = 64 - 1 - 52;

// "127.0.0.1:8026", "[::1]:8026": the one-click listener serves the
// site's reverse proxy on the same machine, nothing else.
std::string check_listen_address(std::string_view listen)
{
    const auto colon = listen.rfind(':');
    if (colon == std::string_view::npos)
        return "must be ADDRESS:PORT, e.g. \"127.0.0.1:8026\"";
    const auto host = listen.substr(0, colon), port = listen.substr(colon + 1);
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoi(std::string(port)) > 65535)
        return "port must be 0..65535";
    in_addr ipv4{};
    const bool loopback = host == "[::1]" ||
                          (inet_pton(AF_INET, std::string(host).c_str(), &ipv4) == 1 && (ntohl(ipv4.s_addr) >> 24) == 127);
    if (!loopback)
        return "must be a numeric loopback address (127.0.0.0/8 or [::1]): put the site's TLS reverse proxy in front";
    return {};
}

void Loader::read_signing_keys(const Setting& list, std::vector<SigningKey>& keys)
{
    if (!expect_type(list, list.isList(), "a list of keys ( { id = 1; file = \"...\"; }, ... )"))
        return;
    for (const Setting& entry : list) {
        SigningKey key;
        read_group(entry, {
            {"id", [&](const Setting& s) { read_int(s, key.id, 1, 255); }},
            {"file", [&](const Setting& s) { read_string(s, key.file); }},
        }, {"id", "file"});
        if (key.id == 0 || key.file.empty())
            continue;
        if (std::any_of(keys.begin(), keys.end(), [&](const SigningKey& other) { return other.id == key.id; }))
            error(entry, "unsubscribe key id " + std::to_string(key.id) + " is used twice");
        struct stat status{};
        std::ifstream file(key.file, std::ios::binary);
        if (!file || ::stat(key.file.c_str(), &status) != 0) {
            error(entry, "cannot read the unsubscribe key file " + key.file + ": " + std::strerror(errno));
            continue;
        }
        // A key anyone on the machine can read lets anyone unsubscribe anyone.
        if (status.st_mode & 0007) {
            error(entry, "the unsubscribe key file " + key.file + " is accessible to all users: chmod o-rwx");
            continue;
        }
        std::ostringstream bytes;
        bytes << file.rdbuf();
        key.secret = std::string(trim(bytes.str()));
        if (key.secret.size() < 32) {
            error(entry, "the unsubscribe key file " + key.file +
                             " holds fewer than 32 bytes (make one with: openssl rand -base64 48)");
            continue;
        }
        key.hmac = std::make_shared<const HmacSha256>(key.secret);
        keys.push_back(std::move(key));
    }
}

void Loader::read_unsubscribe(const Setting& group, UnsubscribeSettings& unsubscribe)
{
    read_group(group, {
        {"keys", [&](const Setting& s) { read_signing_keys(s, unsubscribe.keys); }},
        {"url", [&](const Setting& s) {
            read_string(s, unsubscribe.url);
            if (!unsubscribe.url.empty() && (!unsubscribe.url.starts_with("https://") || !unsubscribe.url.ends_with("/") ||
                                             unsubscribe.url.find_first_of(" <>,\"\\") != std::string::npos))
                error(s, "'unsubscribe.url' must be an https:// URL ending in '/', the token is appended to it "
                         "(RFC 8058 one-click needs HTTPS)");
        }},
        {"address", [&](const Setting& s) {
            read_string(s, unsubscribe.address);
            unsubscribe.address = to_lower_ascii(unsubscribe.address);
            const auto local = unsubscribe.address_local_part();
            if (unsubscribe.address.empty())
                return;
            if (local.empty() || !is_domain(unsubscribe.address_domain()) || local.find_first_of("+\"<>, ") != std::string_view::npos)
                error(s, "'unsubscribe.address' must be a plain address such as \"unsubscribe@example.com\"");
            else if (local.size() > max_unsubscribe_local_part)
                error(s, "'unsubscribe.address': the local part \"" + std::string(local) + "\" is longer than " +
                             std::to_string(max_unsubscribe_local_part) + " characters, so \"" + std::string(local) +
                             "+TOKEN\" would pass the 64 allowed in an address");
        }},
        {"existing_header", [&](const Setting& s) {
            read_choice<ExistingUnsubscribeHeader>(s, unsubscribe.existing_header,
                {{"replace", ExistingUnsubscribeHeader::replace}, {"keep", ExistingUnsubscribeHeader::keep}});
        }},
        {"several_recipients", [&](const Setting& s) {
            read_choice<SharedMessage>(s, unsubscribe.several_recipients,
                {{"generic", SharedMessage::generic}, {"refuse", SharedMessage::refuse}});
        }},
        {"listen", [&](const Setting& s) {
            read_string(s, unsubscribe.listen);
            if (!unsubscribe.listen.empty())
                if (const auto problem = check_listen_address(unsubscribe.listen); !problem.empty())
                    error(s, "'unsubscribe.listen' " + problem);
        }},
    });
    const bool links = !unsubscribe.url.empty() || !unsubscribe.address.empty();
    if (links && unsubscribe.keys.empty() && m_errors.empty())
        error(group, "'unsubscribe' names a url or an address but no keys to sign the tokens with");
    if (unsubscribe.several_recipients == SharedMessage::generic && !unsubscribe.url.empty() &&
        unsubscribe.address.empty() && m_errors.empty())
        error(group, "'unsubscribe.several_recipients' = \"generic\" needs an 'address': a link without a token "
                     "cannot say who unsubscribes");
}

void Loader::read_logging(const Setting& group, LoggingSettings& logging)
{
    read_group(group, {
        {"target", [&](const Setting& s) {
            read_choice<LogTarget>(s, logging.target, {{"auto", LogTarget::automatic},
                                                       {"journald", LogTarget::journald},
                                                       {"stderr", LogTarget::stderr_json}});
        }},
        {"level", [&](const Setting& s) {
            read_choice<LogLevel>(s, logging.level, {{"debug", LogLevel::debug}, {"info", LogLevel::info},
                                                     {"warning", LogLevel::warning}, {"error", LogLevel::error}});
        }},
        {"recipients", [&](const Setting& s) {
            read_choice<bool>(s, logging.recipients_in_clear, {{"pseudonymised", false}, {"clear", true}});
        }},
        {"out_of_scope", [&](const Setting& s) { read_bool(s, logging.out_of_scope); }},
    });
}

void Loader::read_size(const Setting& s, std::size_t& out, std::size_t min, std::size_t max)
{
    if (const auto value =
            read_integer(s, static_cast<long long>(min), static_cast<long long>(max), "bytes"))
        out = static_cast<std::size_t>(*value);
}

void Loader::read_content(const Setting& group, ContentSettings& content)
{
    read_group(group, {
        {"keywords", [&](const Setting& s) { read_string(s, content.keywords_file); }},
        {"max_message_size", [&](const Setting& s) { read_size(s, content.max_message_size, 1024, 1024ull << 20); }},
    });
}

void Loader::read_keyword_list(const Setting& s, KeywordList& list)
{
    std::vector<std::string> phrases;
    read_strings(s, phrases);
    for (const auto& phrase : phrases) {
        if (fold(phrase).empty())
            error(s, "empty keyword in " + setting_name(s));
        else
            list.add(phrase);
    }
}

void Loader::read_policy_keywords(const Setting& group, Keywords& keywords, bool& replace)
{
    read_group(group, {
        {"replace", [&](const Setting& s) { read_bool(s, replace); }},
        {"unsubscribe", [&](const Setting& s) { read_keyword_list(s, keywords.unsubscribe); }},
        {"unsubscribe_paths", [&](const Setting& s) { read_keyword_list(s, keywords.unsubscribe_paths); }},
        {"reason", [&](const Setting& s) { read_keyword_list(s, keywords.reason); }},
        {"data_source", [&](const Setting& s) { read_keyword_list(s, keywords.data_source); }},
        {"objection", [&](const Setting& s) { read_keyword_list(s, keywords.objection); }},
    });
}

std::vector<ConfigError> Loader::read_keywords_file(const Setting& root, Keywords& keywords)
{
    // Per-language lists: unsubscribe: { en = [...]; fr = [...]; ... };
    auto per_language = [&](KeywordList& list) {
        return [this, &list](const Setting& group) {
            if (!expect_type(group, group.isGroup(), "a group of language lists { en = [...]; fr = [...]; }"))
                return;
            for (const Setting& language : group) {
                const std::string code = language.getName();
                if (code.size() != 2 || !std::islower(static_cast<unsigned char>(code[0])) ||
                    !std::islower(static_cast<unsigned char>(code[1])))
                    error(language, "'" + code + "' is not a two-letter language code");
                read_keyword_list(language, list);
            }
        };
    };
    read_group(root, {
        {"unsubscribe", per_language(keywords.unsubscribe)},
        {"unsubscribe_paths", [&](const Setting& s) { read_keyword_list(s, keywords.unsubscribe_paths); }},
        {"reason", per_language(keywords.reason)},
        {"data_source", per_language(keywords.data_source)},
        {"objection", per_language(keywords.objection)},
    }, {"unsubscribe", "unsubscribe_paths", "reason", "data_source", "objection"});
    return std::move(m_errors);
}

std::vector<ConfigError> Loader::check_countries(const Setting& root, const Policy& policy)
{
    const auto& rules = *policy.consent_rules;
    const auto where = " has no profile in " + policy.consent.countries_file;
    const Setting& organisation = root["organisation"];
    const auto& fallback = policy.organisation.default_country;
    if (!rules.profile(fallback))
        error(organisation.exists("default_country") ? organisation["default_country"] : organisation,
              "'organisation.default_country' \"" + fallback + "\"" + where);
    if (!root.exists("campaigns"))
        return std::move(m_errors);
    for (const Setting& campaign : root["campaigns"]) {
        if (!campaign.exists("country"))
            continue;
        const std::string country = static_cast<const char*>(campaign["country"]);
        if (!rules.profile(country))
            error(campaign["country"], "campaign country \"" + country + "\"" + where);
    }
    return std::move(m_errors);
}

void Loader::cross_check(const Setting& root, Policy& policy)
{
    auto& scope = policy.scope;
    if (!scope.default_campaign.empty() && !policy.find_campaign(scope.default_campaign))
        error(root["scope"]["default_campaign"],
              "'scope.default_campaign' names \"" + scope.default_campaign + "\", which is not a declared campaign");
    for (const auto& domain : policy.organisation.domains)
        if (std::find(scope.internal_domains.begin(), scope.internal_domains.end(), domain) ==
            scope.internal_domains.end())
            scope.internal_domains.push_back(domain);
}

std::vector<ConfigError> Loader::read(const Setting& root, Policy& policy)
{
    read_group(root, {
        {"dry_run", [&](const Setting& s) { read_bool(s, policy.dry_run); }},
        {"failure_action", [&](const Setting& s) {
            read_choice<FailureAction>(s, policy.failure_action, {{"tempfail", FailureAction::tempfail},
                                                                  {"accept", FailureAction::accept},
                                                                  {"reject", FailureAction::reject}});
        }},
        {"milter", [&](const Setting& s) { read_milter(s, policy.milter); }},
        {"organisation", [&](const Setting& s) { read_organisation(s, policy.organisation); }},
        {"scope", [&](const Setting& s) { read_scope(s, policy.scope); }},
        {"campaigns", [&](const Setting& s) { read_campaigns(s, policy.campaigns); }},
        {"rules", [&](const Setting& s) { read_rules(s, policy); }},
        {"logging", [&](const Setting& s) { read_logging(s, policy.logging); }},
        {"content", [&](const Setting& s) { read_content(s, policy.content); }},
        {"store", [&](const Setting& s) { read_store(s, policy.store); }},
        {"consent", [&](const Setting& s) { read_consent(s, policy.consent); }},
        {"unsubscribe", [&](const Setting& s) { read_unsubscribe(s, policy.unsubscribe); }},
        {"keywords", [&](const Setting&) {}},  // read after the keywords file, see load_policy()
    }, {"organisation"});
    if (m_errors.empty())
        cross_check(root, policy);
    return std::move(m_errors);
}

}  // namespace

namespace {

// Reads a whole file into bytes; on failure adds the problem to errors.
bool read_file(const std::string& path, const char* what, std::string& bytes, std::vector<ConfigError>& errors)
{
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        errors.push_back({path, 0, std::string("cannot read the ") + what + ": " + std::strerror(errno)});
        return false;
    }
    std::ostringstream content;
    content << file.rdbuf();
    bytes = content.str();
    return true;
}

// Reads and parses one libconfig file; on failure adds the problem to errors.
bool parse_file(const std::string& path, const char* what, std::string& bytes, libconfig::Config& config,
                std::vector<ConfigError>& errors)
{
    if (!read_file(path, what, bytes, errors))
        return false;
    try {
        config.readString(bytes);
    } catch (const libconfig::ParseException& e) {
        errors.push_back({path, static_cast<unsigned>(e.getLine()), e.getError()});
        return false;
    }
    return true;
}

// A data file the policy names: the installed one when it names none, and a
// relative name relative to the policy file's directory.
std::string resolve_data_path(const std::string& policy_path, const std::string& configured, const char* installed)
{
    if (configured.empty())
        return installed;
    if (configured.front() == '/')
        return configured;
    const auto slash = policy_path.rfind('/');
    return slash == std::string::npos ? configured : policy_path.substr(0, slash + 1) + configured;
}

void append_errors(std::vector<ConfigError>& to, std::vector<ConfigError> from)
{
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

// Reads both consent data files into policy.consent_rules (empty rules when
// the consent rule is off: the files are then not needed, and need not
// exist). `bytes` gets their contents for the policy version.
void load_consent_rules(Policy& policy, std::string& bytes, std::vector<ConfigError>& errors)
{
    auto rules = std::make_shared<ConsentRules>();
    auto& files = policy.consent;
    files.consumer_domains_file =
        resolve_data_path(policy.path, files.consumer_domains_file, PROSPECT_CONSUMER_DOMAINS_FILE);
    files.countries_file = resolve_data_path(policy.path, files.countries_file, PROSPECT_COUNTRIES_FILE);
    if (policy.action_for(Rule::consent) != Action::off) {
        std::string domains, countries;
        if (read_file(files.consumer_domains_file, "consumer domains file (consent.consumer_domains)", domains, errors))
            append_errors(errors, rules->read_consumer_domains(domains, files.consumer_domains_file));
        if (read_file(files.countries_file, "countries file (consent.countries)", countries, errors))
            append_errors(errors, rules->read_countries(countries, files.countries_file));
        bytes = domains + '\0' + countries;
    }
    policy.consent_rules = std::move(rules);
}

bool needs_keywords(const Policy& policy)
{
    for (Rule rule : {Rule::unsubscribe, Rule::reason, Rule::first_contact})
        if (policy.action_for(rule) != Action::off)
            return true;
    return false;
}

// The shipped lists, then the policy's own: added, or replacing the lists
// it names when keywords.replace is true.
void merge_keywords(Keywords& base, const Keywords& own, bool replace)
{
    auto merge = [replace](KeywordList& into, const KeywordList& from) {
        if (replace && !from.empty())
            into = from;
        else
            into.append(from);
    };
    merge(base.unsubscribe, own.unsubscribe);
    merge(base.unsubscribe_paths, own.unsubscribe_paths);
    merge(base.reason, own.reason);
    merge(base.data_source, own.data_source);
    merge(base.objection, own.objection);
}

}  // namespace

LoadResult load_policy(const std::string& path)
{
    LoadResult result;
    std::string bytes;
    libconfig::Config config;
    if (!parse_file(path, "policy file", bytes, config, result.errors))
        return result;
    auto loaded = std::make_shared<Policy>();
    loaded->path = path;
    result.errors = Loader(path).read(config.getRoot(), *loaded);

    auto keywords = std::make_shared<Keywords>();
    std::string keyword_bytes;
    loaded->content.keywords_file = resolve_data_path(path, loaded->content.keywords_file, PROSPECT_KEYWORDS_FILE);
    if (needs_keywords(*loaded)) {
        libconfig::Config keyword_config;
        if (parse_file(loaded->content.keywords_file, "keywords file (content.keywords)", keyword_bytes,
                       keyword_config, result.errors)) {
            auto errors = Loader(loaded->content.keywords_file).read_keywords_file(keyword_config.getRoot(), *keywords);
            result.errors.insert(result.errors.end(), errors.begin(), errors.end());
        }
    }
    if (config.getRoot().exists("keywords")) {
        Keywords own;
        bool replace = false;
        Loader own_loader(path);
        auto errors = own_loader.read_own_keywords(config.getRoot()["keywords"], own, replace);
        result.errors.insert(result.errors.end(), errors.begin(), errors.end());
        merge_keywords(*keywords, own, replace);
    }
    loaded->keywords = std::move(keywords);

    std::string consent_bytes;
    const bool sound_so_far = result.errors.empty();
    load_consent_rules(*loaded, consent_bytes, result.errors);
    // Only a sound policy and sound data files can be checked against each other.
    if (sound_so_far && result.errors.empty() && loaded->action_for(Rule::consent) != Action::off)
        append_errors(result.errors, Loader(path).check_countries(config.getRoot(), *loaded));

    // The version names everything that decides: the policy, its phrase
    // lists and its consent data.
    loaded->version = sha256_hex(bytes + '\0' + keyword_bytes + '\0' + consent_bytes).substr(0, 12);
    if (result.errors.empty())
        result.policy = std::move(loaded);
    return result;
}

}  // namespace policy
