// digest.h — SHA-256 as lower-case hex (OpenSSL's libcrypto).
#pragma once

#include <string>
#include <string_view>

namespace policy {

std::string sha256_hex(std::string_view data);

}  // namespace policy
