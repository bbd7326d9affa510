// address.cpp — normalising recipients and domains, and hashing them into
// the store's keys. docs/store.md states the same rules for a CRM that has
// to compute identical hashes; a change here is a change of every key.
#include "address.h"

#include <idn2.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <stdexcept>

namespace store {

namespace {

constexpr std::size_t max_local_part = 64;  // octets, RFC 5321 4.5.3.1.1
constexpr std::size_t max_domain = 253;     // octets, without a trailing dot

bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view text)
{
    while (!text.empty() && is_blank(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && is_blank(text.back()))
        text.remove_suffix(1);
    return text;
}

bool is_control(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string to_lower_ascii(std::string_view text)
{
    std::string out(text);
    for (char& c : out)
        c = lower(c);
    return out;
}

// Characters a local part may hold without quotes: RFC 5322 atext, the dot,
// and any non-ASCII byte (SMTPUTF8). Where the dots stand is not checked:
// "john..doe" exists in the wild and Postfix delivers to it.
bool needs_no_quotes(unsigned char c)
{
    if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    static constexpr std::string_view atext_specials = "!#$%&'*+-/=?^_`{|}~.";
    return atext_specials.find(static_cast<char>(c)) != std::string_view::npos;
}

bool valid_utf8(std::string_view text)
{
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        if (length == 0 || i + length > text.size())
            return false;
        std::uint32_t code = length == 1 ? c : c & (0x7f >> length);
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xc0) != 0x80)
                return false;
            code = (code << 6) | (next & 0x3f);
        }
        // Overlong forms, surrogates and code points beyond Unicode.
        static constexpr std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
        if (code < smallest[length] || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff)
            return false;
        i += length;
    }
    return true;
}

// A local part as the text between its quotes means it: "a\"b" is a"b.
struct LocalPart {
    std::string content;  // unescaped
    bool quoted = false;  // it was written in quotes
};

// The local part and domain of an address: split at the '@' after a quoted
// local part, or else at the last '@'.
struct Split {
    LocalPart local;
    std::string_view domain;
};

std::variant<Split, Invalid> split_quoted(std::string_view text)
{
    Split split;
    split.local.quoted = true;
    std::size_t i = 1;
    for (; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\' && i + 1 < text.size())
            ++i;  // a quoted pair: the next character as itself
        split.local.content += text[i];
    }
    if (i >= text.size())
        return Invalid{"unterminated quoted local part"};
    const std::string_view rest = text.substr(i + 1);
    if (rest.empty())
        return Invalid{"no '@'"};
    if (rest.front() != '@')
        return Invalid{"text between the quoted local part and the '@'"};
    split.domain = rest.substr(1);
    return split;
}

std::variant<Split, Invalid> split_address(std::string_view text)
{
    if (text.front() == '"')
        return split_quoted(text);
    const std::size_t at = text.rfind('@');
    if (at == std::string_view::npos)
        return Invalid{"no '@'"};
    return Split{LocalPart{std::string(text.substr(0, at)), false}, text.substr(at + 1)};
}

std::string printable(unsigned char c)
{
    return c == ' ' ? std::string("a space") : "'" + std::string(1, static_cast<char>(c)) + "'";
}

// The local part lower-cased (ASCII), in quotes only when it needs them.
std::variant<std::string, Invalid> normalise_local_part(const LocalPart& local)
{
    if (local.content.empty())
        return Invalid{"empty local part"};
    bool quotes_needed = false;
    for (const char c : local.content) {
        const auto byte = static_cast<unsigned char>(c);
        if (is_control(byte))
            return Invalid{"a control character in the local part"};
        if (needs_no_quotes(byte))
            continue;
        if (!local.quoted)
            return Invalid{printable(byte) + " in the local part, which would need quotes"};
        quotes_needed = true;
    }
    if (!valid_utf8(local.content))
        return Invalid{"the local part is not valid UTF-8"};
    std::string out = to_lower_ascii(local.content);
    if (quotes_needed) {
        std::string quoted = "\"";
        for (const char c : out) {
            if (c == '"' || c == '\\')
                quoted += '\\';
            quoted += c;
        }
        out = quoted + '"';
    }
    if (out.size() > max_local_part)
        return Invalid{"the local part is longer than 64 octets"};
    return out;
}

// [192.0.2.1] or [IPv6:2001:db8::1]: kept as written (lower-cased), the
// characters checked against RFC 5321 dtext, the address itself not.
std::variant<std::string, Invalid> normalise_address_literal(const std::string& literal)
{
    if (literal.size() < 3 || literal.back() != ']')
        return Invalid{"an unterminated address literal"};
    if (literal.size() > max_domain)
        return Invalid{"the domain is longer than 253 octets"};
    for (std::size_t i = 1; i + 1 < literal.size(); ++i) {
        const auto c = static_cast<unsigned char>(literal[i]);
        if (c <= ' ' || c >= 0x7f || c == '[' || c == ']' || c == '\\')
            return Invalid{"a character not allowed in an address literal"};
    }
    return literal;
}

// libidn2's conversion to an A-label: UTS #46 non-transitional first (ß
// stays ß), then transitional where that refuses the name (as curl and
// wget do), which maps a few names IDNA2008 alone rejects, such as emoji
// domains some registries sell. The same input always takes the same path,
// so the key never depends on anything but the name.
std::variant<std::string, Invalid> to_a_label(const std::string& domain)
{
    char* out = nullptr;
    int rc = idn2_to_ascii_8z(domain.c_str(), &out, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    if (rc != IDN2_OK) {
        const int strict = rc;
        rc = idn2_to_ascii_8z(domain.c_str(), &out, IDN2_NFC_INPUT | IDN2_TRANSITIONAL);
        // (libidn2 words its limit of 253 octets "longer than 255 characters".)
        if (rc != IDN2_OK)
            return Invalid{strict == IDN2_TOO_BIG_DOMAIN
                               ? std::string("the domain is longer than 253 octets")
                               : std::string("the domain is not valid IDNA: ") + idn2_strerror(strict)};
    }
    const std::unique_ptr<char, void (*)(void*)> owned(out, idn2_free);
    return std::string(out);
}

// libidn2 lets through ASCII that is no host name ("a b", "a..b", "x@y"):
// what it returns must still be labels of letters, digits, hyphens (and
// underscores, which DNS allows and some mail domains use).
std::optional<Invalid> check_host_name(std::string_view name)
{
    if (name.size() > max_domain)
        return Invalid{"the domain is longer than 253 octets"};
    char previous = '.';
    for (const char c : name) {
        if (c == '.' && previous == '.')
            return Invalid{"an empty label in the domain"};
        if (c != '.' && c != '-' && c != '_' && !(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9'))
            return Invalid{printable(static_cast<unsigned char>(c)) + " in the domain"};
        previous = c;
    }
    if (previous == '.')
        return Invalid{"an empty label in the domain"};
    return std::nullopt;
}

std::variant<std::string, Invalid> normalise_domain_name(std::string_view text)
{
    if (text.empty())
        return Invalid{"empty domain"};
    std::string domain = to_lower_ascii(text);
    if (domain.front() == '[')
        return normalise_address_literal(domain);
    if (domain.back() == '.')
        domain.pop_back();  // the root: "example.com." is example.com
    if (domain.empty())
        return Invalid{"empty domain"};
    for (const char c : domain)
        if (is_control(static_cast<unsigned char>(c)))
            return Invalid{"a control character in the domain"};
    auto a_label = to_a_label(domain);
    if (const auto* name = std::get_if<std::string>(&a_label))
        if (auto invalid = check_host_name(*name))
            return *invalid;
    return a_label;
}

// Fetched on first use and kept for the process: EVP_sha256() would have
// OpenSSL 3 look the algorithm up (locks, allocations) on every digest. A
// fetched algorithm is immutable and shared by threads (openssl-threads(7)).
const EVP_MD* sha256_algorithm()
{
    static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (md == nullptr)
        throw std::runtime_error("SHA-256 is not available from libcrypto");
    return md;
}

Hash sha256(std::string_view data)
{
    Hash hash{};
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), hash.data(), &length, sha256_algorithm(), nullptr) != 1 ||
        length != hash.size())
        throw std::runtime_error("SHA-256 failed");  // only without memory or a usable libcrypto
    return hash;
}

int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string to_hex(const Hash& hash)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(hash.size() * 2);
    for (const unsigned char byte : hash) {
        out += digits[byte >> 4];
        out += digits[byte & 0x0f];
    }
    return out;
}

std::optional<Hash> hash_from_hex(std::string_view hex)
{
    Hash hash{};
    if (hex.size() != hash.size() * 2)
        return std::nullopt;
    for (std::size_t i = 0; i < hash.size(); ++i) {
        const int high = hex_value(hex[2 * i]);
        const int low = hex_value(hex[2 * i + 1]);
        if (high < 0 || low < 0)
            return std::nullopt;
        hash[i] = static_cast<unsigned char>(high << 4 | low);
    }
    return hash;
}

std::variant<Address, Invalid> normalise_address(std::string_view text)
{
    text = trim(text);
    if (text.size() >= 2 && text.front() == '<' && text.back() == '>')
        text = trim(text.substr(1, text.size() - 2));
    if (text.empty())
        return Invalid{"empty address"};

    auto split = split_address(text);
    if (auto* invalid = std::get_if<Invalid>(&split))
        return std::move(*invalid);
    const Split& parts = std::get<Split>(split);
    auto local = normalise_local_part(parts.local);
    if (auto* invalid = std::get_if<Invalid>(&local))
        return std::move(*invalid);
    auto domain = normalise_domain_name(parts.domain);
    if (auto* invalid = std::get_if<Invalid>(&domain))
        return std::move(*invalid);

    Address address;
    address.local_part = std::get<std::string>(std::move(local));
    address.domain = std::get<std::string>(std::move(domain));
    address.normalised = address.local_part + '@' + address.domain;
    return address;
}

std::variant<Domain, Invalid> normalise_domain(std::string_view text)
{
    text = trim(text);
    if (!text.empty() && text.front() == '@')
        text.remove_prefix(1);
    auto domain = normalise_domain_name(text);
    if (auto* invalid = std::get_if<Invalid>(&domain))
        return std::move(*invalid);
    return Domain{std::get<std::string>(std::move(domain))};
}

Hash address_key(const Address& address)
{
    return sha256(address.normalised);
}

Hash domain_key(std::string_view domain)
{
    std::string text;
    text.reserve(domain.size() + 1);
    text += '@';
    text += domain;
    return sha256(text);
}

Hash partial_key(const Hash& key)
{
    Hash partial{};
    std::copy_n(key.begin(), partial_key_length, partial.begin());
    return partial;
}

}  // namespace store
