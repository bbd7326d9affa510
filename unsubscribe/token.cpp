#include "token.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>

#include "policy/digest.h"

namespace unsubscribe {

namespace {

constexpr unsigned char token_version = 1;
constexpr std::size_t signed_length = 1 + 1 + 2 + 4 + recipient_prefix_length;  // 26
constexpr std::size_t mac_length = 13;
constexpr std::size_t token_bytes = signed_length + mac_length;  // 39 = 52 base64 characters
static_assert(token_bytes * 4 == token_length * 3);

// Issue days count from 2020-01-01 so that two bytes last until 2199.
constexpr policy::Day day_zero = 18262;

using TokenBytes = std::array<unsigned char, token_bytes>;

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(const TokenBytes& bytes)
{
    std::string out;
    out.reserve(token_length);
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const unsigned group = unsigned(bytes[i]) << 16 | unsigned(bytes[i + 1]) << 8 | bytes[i + 2];
        for (int shift = 18; shift >= 0; shift -= 6)
            out += alphabet[(group >> shift) & 63];
    }
    return out;
}

std::optional<TokenBytes> from_base64url(std::string_view text)
{
    if (text.size() != token_length)
        return std::nullopt;
    TokenBytes bytes{};
    for (std::size_t i = 0, o = 0; i < text.size(); i += 4, o += 3) {
        unsigned group = 0;
        for (std::size_t j = 0; j < 4; ++j) {
            const auto value = alphabet.find(text[i + j]);
            if (value == std::string_view::npos)
                return std::nullopt;
            group = group << 6 | static_cast<unsigned>(value);
        }
        bytes[o] = static_cast<unsigned char>(group >> 16);
        bytes[o + 1] = static_cast<unsigned char>(group >> 8);
        bytes[o + 2] = static_cast<unsigned char>(group);
    }
    return bytes;
}

policy::Sha256Digest signature(const policy::SigningKey& key, const unsigned char* data)
{
    const std::span<const unsigned char> signed_bytes(data, signed_length);
    if (key.hmac)
        return key.hmac->sign(signed_bytes);
    return policy::HmacSha256(key.secret).sign(signed_bytes);
}

}  // namespace

CampaignTag campaign_tag(std::string_view campaign)
{
    const auto digest = policy::sha256(campaign);
    CampaignTag tag{};
    std::copy_n(digest.begin(), tag.size(), tag.begin());
    return tag;
}

std::string make_token(const policy::SigningKey& key, const store::Hash& recipient, std::string_view campaign,
                       policy::Day issued)
{
    TokenBytes bytes{};
    const auto day = static_cast<unsigned>(std::clamp<policy::Day>(issued - day_zero, 0, 0xffff));
    bytes[0] = token_version;
    bytes[1] = static_cast<unsigned char>(key.id);
    bytes[2] = static_cast<unsigned char>(day >> 8);
    bytes[3] = static_cast<unsigned char>(day);
    const auto tag = campaign_tag(campaign);
    std::copy(tag.begin(), tag.end(), bytes.begin() + 4);
    std::copy_n(recipient.begin(), recipient_prefix_length, bytes.begin() + 8);
    const auto mac = signature(key, bytes.data());
    std::copy_n(mac.begin(), mac_length, bytes.begin() + signed_length);
    return base64url(bytes);
}

std::string_view to_string(TokenProblem problem)
{
    switch (problem) {
    case TokenProblem::malformed: return "malformed";
    case TokenProblem::unknown_version: return "unknown version";
    case TokenProblem::unknown_key: return "unknown key";
    case TokenProblem::bad_signature: return "bad signature";
    }
    return "?";
}

std::variant<Token, TokenProblem> verify_token(std::string_view text, std::span<const policy::SigningKey> keys)
{
    const auto bytes = from_base64url(text);
    if (!bytes)
        return TokenProblem::malformed;
    if ((*bytes)[0] != token_version)
        return TokenProblem::unknown_version;
    const auto key = std::find_if(keys.begin(), keys.end(), [&](const auto& k) { return k.id == (*bytes)[1]; });
    if (key == keys.end())
        return TokenProblem::unknown_key;
    const auto mac = signature(*key, bytes->data());
    if (CRYPTO_memcmp(mac.data(), bytes->data() + signed_length, mac_length) != 0)
        return TokenProblem::bad_signature;
    Token token;
    token.key_id = key->id;
    token.issued = day_zero + ((*bytes)[2] << 8 | (*bytes)[3]);
    std::copy_n(bytes->begin() + 4, token.campaign.size(), token.campaign.begin());
    std::copy_n(bytes->begin() + 8, token.recipient.size(), token.recipient.begin());
    return token;
}

std::string campaign_of(const Token& token, const policy::Policy& policy)
{
    for (const auto& campaign : policy.campaigns)
        if (campaign_tag(campaign.id) == token.campaign)
            return campaign.id;
    if (campaign_tag(policy.scope.default_campaign) == token.campaign)
        return policy.scope.default_campaign;
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "#";
    for (unsigned char byte : token.campaign) {
        out += hex[byte >> 4];
        out += hex[byte & 15];
    }
    return out;
}

bool prefix_matches(const Token& token, const store::Hash& recipient)
{
    return std::equal(token.recipient.begin(), token.recipient.end(), recipient.begin());
}

}  // namespace unsubscribe
