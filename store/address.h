// address.h — recipients as the store knows them: normalised, then hashed.
//
// Normalising (docs/store.md): surrounding white space and angle brackets
// removed; the local part lower-cased (ASCII) with dots and "+tag" kept; the
// domain lower-cased, a trailing dot removed, and converted to its IDNA
// A-label with libidn2 (bücher.example -> xn--bcher-kva.example; UTS #46
// non-transitional, transitional only where that refuses the name). A
// quoted local part keeps its quotes only when it needs them:
// "John Doe"@x -> "john doe"@x, but "john"@x -> john@x.
// The hash a CRM computes to match an entry: SHA-256 of the normalised
// address in UTF-8, lower-case hex; of "@" + domain for a whole domain.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace store {

// A SHA-256 digest, as keys are stored.
using Hash = std::array<unsigned char, 32>;

std::string to_hex(const Hash& hash);
// 64 hexadecimal digits (either case) to a hash.
std::optional<Hash> hash_from_hex(std::string_view hex);

struct Address {
    std::string normalised;  // "jane.doe+news@xn--bcher-kva.example"
    std::string local_part;  // "jane.doe+news"
    std::string domain;      // "xn--bcher-kva.example"
};

// Why a text is not an address or a domain, for an error message.
struct Invalid {
    std::string reason;  // "no '@'", "the domain is not valid IDNA: ..."
};

// The normalised address, or why `text` is not one (empty, no '@', an empty
// local part or domain, a domain IDNA refuses, characters not allowed...).
std::variant<Address, Invalid> normalise_address(std::string_view text);

struct Domain {
    std::string name;  // "xn--bcher-kva.example"
};
// A domain written "example.com" or "@example.com", normalised as above.
std::variant<Domain, Invalid> normalise_domain(std::string_view text);

Hash address_key(const Address& address);   // SHA-256 of address.normalised

// An unsubscribe token names a recipient by the first 18 bytes of its hash
// only (it must fit an address's local part). When the store no longer
// knows the whole hash, the suppression is kept under the "partial key":
// those 18 bytes followed by 14 zero bytes, which no real hash ends with.
inline constexpr std::size_t partial_key_length = 18;
Hash partial_key(const Hash& key);
Hash domain_key(std::string_view domain);   // SHA-256 of "@" + normalised domain

}  // namespace store
