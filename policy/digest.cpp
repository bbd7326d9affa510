#include "digest.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>
#include <stdexcept>

namespace policy {

namespace {

// Fetched on first use and kept for the process: a fetched algorithm is
// immutable and may be shared by threads (openssl-threads(7)). A failed
// fetch stays null and every use throws, as the one-shot calls did.
const EVP_MD* sha256_algorithm()
{
    static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (md == nullptr)
        throw std::runtime_error("SHA-256 is not available from libcrypto");
    return md;
}

EVP_MAC* hmac_algorithm()
{
    static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac == nullptr)
        throw std::runtime_error("HMAC is not available from libcrypto");
    return mac;
}

using MacContext = std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)>;

}  // namespace

Sha256Digest sha256(std::string_view data)
{
    Sha256Digest digest{};
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), digest.data(), &length, sha256_algorithm(), nullptr) != 1 ||
        length != digest.size())
        throw std::runtime_error("SHA-256 failed");
    return digest;
}

std::string sha256_hex(std::string_view data)
{
    const auto digest = sha256(data);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(digest.size() * 2);
    for (const unsigned char byte : digest) {
        out += hex[byte >> 4];
        out += hex[byte & 0x0f];
    }
    return out;
}

HmacSha256::HmacSha256(std::string_view secret)
{
    MacContext keyed(EVP_MAC_CTX_new(hmac_algorithm()), EVP_MAC_CTX_free);
    char digest_name[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                                 OSSL_PARAM_construct_end()};
    // A null key would mean "keep the previous key": an empty one must
    // still be an (empty) key, as HMAC() takes it.
    static const unsigned char no_bytes[1] = {};
    const auto* key = secret.empty() ? no_bytes : reinterpret_cast<const unsigned char*>(secret.data());
    if (!keyed || EVP_MAC_init(keyed.get(), key, secret.size(), params) != 1)
        throw std::runtime_error("HMAC-SHA256 key setup failed");
    m_keyed = keyed.release();
}

HmacSha256::~HmacSha256()
{
    EVP_MAC_CTX_free(m_keyed);
}

Sha256Digest HmacSha256::sign(std::span<const unsigned char> data) const
{
    // EVP_MAC_CTX_dup() only reads its source: threads share m_keyed.
    const MacContext mac(EVP_MAC_CTX_dup(m_keyed), EVP_MAC_CTX_free);
    Sha256Digest out{};
    std::size_t length = 0;
    if (!mac || EVP_MAC_update(mac.get(), data.data(), data.size()) != 1 ||
        EVP_MAC_final(mac.get(), out.data(), &length, out.size()) != 1 || length != out.size())
        throw std::runtime_error("HMAC-SHA256 failed");
    return out;
}

}  // namespace policy
