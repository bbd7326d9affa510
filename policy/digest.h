// digest.h — SHA-256 and HMAC-SHA256 (OpenSSL's libcrypto).
//
// OpenSSL 3 looks an algorithm up (locks, allocations) on every one-shot
// call such as SHA256(), HMAC() or EVP_Digest(..., EVP_sha256(), ...). Here
// the algorithms are fetched once for the process, and an HMAC key is
// prepared once: both are immutable afterwards, so any number of threads
// use them at once.
#pragma once

#include <openssl/types.h>

#include <array>
#include <span>
#include <string>
#include <string_view>

namespace policy {

using Sha256Digest = std::array<unsigned char, 32>;

// Both throw std::runtime_error, only without memory or a usable libcrypto.
Sha256Digest sha256(std::string_view data);
std::string sha256_hex(std::string_view data);  // lower-case

// An HMAC-SHA256 key made ready once (the algorithm fetched, the key's
// padded blocks hashed); each signature works on a copy of that keyed
// state, so the key itself never changes after construction.
class HmacSha256 {
public:
    explicit HmacSha256(std::string_view secret);  // throws std::runtime_error
    ~HmacSha256();
    HmacSha256(const HmacSha256&) = delete;
    HmacSha256& operator=(const HmacSha256&) = delete;

    Sha256Digest sign(std::span<const unsigned char> data) const;  // throws std::runtime_error

private:
    EVP_MAC_CTX* m_keyed = nullptr;  // only ever EVP_MAC_CTX_dup()ed, never updated
};

}  // namespace policy
