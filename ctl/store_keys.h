// store_keys.h — what the suppress and consent commands are given (an
// address, "@domain" or a 64-hex hash), resolved to the store key it names,
// and how entries are shown back.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "store/address.h"
#include "store/store.h"

namespace ctl {

// One argument or import line, resolved.
struct StoreKey {
    enum class Kind { address, domain, hash };
    Kind kind = Kind::address;
    store::Hash hash{};
    store::Address address;  // for Kind::address
    std::string text;        // the normalised address, "@" + domain, or the hash in hex

    // "jane@example.com (<hash>)", "@example.com (<hash>)", or "<hash>".
    std::string label() const;
};

// "@..." is a domain, 64 hexadecimal digits a hash (as a CRM may hold),
// anything else an address; the reason when it is none of them.
std::variant<StoreKey, store::Invalid> parse_key(std::string_view text);

// A key for a consent, which a person gives for an address: a domain is
// refused.
std::variant<StoreKey, store::Invalid> parse_consent_key(std::string_view text);

// A key that must be a hash (import --hashes).
std::variant<StoreKey, store::Invalid> parse_hash_key(std::string_view text);

// "2026-11-28T14:03:12Z", for people.
std::string timestamp(store::Time when);
// "2026-11-28" (UTC), for exports.
std::string date_of(store::Time when);
// Midnight UTC of a "YYYY-MM-DD" date; nullopt when it is not a real date.
std::optional<store::Time> parse_date(std::string_view text);

// "since 2026-11-28T14:03:12Z (source cli, campaign spring, note "...")".
std::string describe(const store::Suppression& entry);
// "since 2026-11-28T14:03:12Z (source web-form, proof "...")".
std::string describe(const store::Consent& entry);

}  // namespace ctl
