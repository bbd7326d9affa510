#include "store_keys.h"

#include <ctime>

#include "policy/text.h"

namespace ctl {

namespace {

bool looks_like_hash(std::string_view text)
{
    return text.size() == 64 && text.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
}

StoreKey hash_key(std::string_view hex)
{
    StoreKey key;
    key.kind = StoreKey::Kind::hash;
    key.hash = *store::hash_from_hex(hex);
    key.text = store::to_hex(key.hash);
    return key;
}

std::string format_utc(store::Time when, const char* format)
{
    const std::time_t seconds = static_cast<std::time_t>(when);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, format, &utc);
    return text;
}

// `, name "value"` when there is a value; quotes so a note with commas or
// spaces still reads as one thing. Notes and proofs come from import files
// and the intake: no control character reaches the terminal.
std::string detail(std::string_view name, const std::string& value)
{
    return value.empty() ? std::string() : ", " + std::string(name) + " \"" + policy::printable(value) + "\"";
}

}  // namespace

std::string StoreKey::label() const
{
    return kind == Kind::hash ? text : text + " (" + store::to_hex(hash) + ")";
}

std::variant<StoreKey, store::Invalid> parse_key(std::string_view text)
{
    text = policy::trim(text);
    if (looks_like_hash(text))
        return hash_key(text);
    if (text.starts_with('@')) {
        auto domain = store::normalise_domain(text);
        if (auto* invalid = std::get_if<store::Invalid>(&domain))
            return *invalid;
        StoreKey key;
        key.kind = StoreKey::Kind::domain;
        key.text = "@" + std::get<store::Domain>(domain).name;
        key.hash = store::domain_key(std::get<store::Domain>(domain).name);
        return key;
    }
    auto address = store::normalise_address(text);
    if (auto* invalid = std::get_if<store::Invalid>(&address))
        return *invalid;
    StoreKey key;
    key.address = std::get<store::Address>(std::move(address));
    key.text = key.address.normalised;
    key.hash = store::address_key(key.address);
    return key;
}

std::variant<StoreKey, store::Invalid> parse_consent_key(std::string_view text)
{
    if (policy::trim(text).starts_with('@'))
        return store::Invalid{"consent is given for an address, not for a whole domain"};
    return parse_key(text);
}

std::variant<StoreKey, store::Invalid> parse_hash_key(std::string_view text)
{
    text = policy::trim(text);
    if (!looks_like_hash(text))
        return store::Invalid{"not a SHA-256 hash (64 hexadecimal digits)"};
    return hash_key(text);
}

std::string timestamp(store::Time when)
{
    return format_utc(when, "%Y-%m-%dT%H:%M:%SZ");
}

std::string date_of(store::Time when)
{
    return format_utc(when, "%Y-%m-%d");
}

std::optional<store::Time> parse_date(std::string_view text)
{
    const auto day = policy::parse_day(text);
    if (!day)
        return std::nullopt;
    return *day * 86400;
}

std::string describe(const store::Suppression& entry)
{
    return "since " + timestamp(entry.when) + " (source " + std::string(store::to_string(entry.source)) +
           detail("campaign", entry.campaign) + detail("note", entry.note) + ")";
}

std::string describe(const store::Consent& entry)
{
    return "since " + timestamp(entry.when) + " (source \"" + policy::printable(entry.source) + "\"" +
           detail("proof", entry.proof) + ")";
}

}  // namespace ctl
