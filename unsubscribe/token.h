// token.h — the unsubscribe token: who unsubscribes from which campaign,
// signed so that nobody can unsubscribe someone else.
//
// 39 bytes, written as 52 characters of base64url, so that
// "unsubscribe+TOKEN" fits the 64 octets of an address's local part:
//
//   version (1) | key id (1) | issue day (2) | campaign tag (4) |
//   recipient (18) | HMAC-SHA256 of the 26 bytes before, first 13 bytes
//
// The recipient is the first 18 bytes (144 bits) of the SHA-256 of the
// normalised address (store/address.h); the campaign tag the first 4 bytes
// of the SHA-256 of the campaign id. Neither the address nor the campaign
// appears in clear. A token does not expire: an objection is honoured
// whenever it comes. Retiring a key retires the tokens it signed.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "policy/policy.h"
#include "store/address.h"

namespace unsubscribe {

inline constexpr std::size_t token_length = 52;
inline constexpr std::size_t recipient_prefix_length = 18;

using RecipientPrefix = std::array<unsigned char, recipient_prefix_length>;
using CampaignTag = std::array<unsigned char, 4>;

CampaignTag campaign_tag(std::string_view campaign);

// The token for one recipient of one campaign, signed by `key`.
std::string make_token(const policy::SigningKey& key, const store::Hash& recipient, std::string_view campaign,
                       policy::Day issued);

struct Token {
    int key_id = 0;
    policy::Day issued = 0;
    CampaignTag campaign{};
    RecipientPrefix recipient{};
};

// Why a token was not accepted. Only logs see this; a visitor learns
// nothing but "not valid".
enum class TokenProblem { malformed, unknown_version, unknown_key, bad_signature };
std::string_view to_string(TokenProblem problem);

// Checks the token's form and signature against every key (the signature in
// constant time).
std::variant<Token, TokenProblem> verify_token(std::string_view text, std::span<const policy::SigningKey> keys);

// The campaign a token names, among the policy's campaigns; "#" and the
// tag in hex when the policy no longer declares it.
std::string campaign_of(const Token& token, const policy::Policy& policy);

bool prefix_matches(const Token& token, const store::Hash& recipient);

}  // namespace unsubscribe
