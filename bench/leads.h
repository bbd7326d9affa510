// leads.h — the addresses store_bench works with, generated from a number so
// that the import and the load agree without sharing a list.
//
//   listed(i)    "lead-<i>@company-<i % 50000>.example", i in [0, N): the
//                suppression list the benchmark imports
//   unlisted(j)  "prospect-<j>@company-<j % 50000>.example": never in the
//                list (another local part), on the same 50,000 domains, so
//                a lookup of it misses both on the address and on the
//                domain, as most recipients of a campaign do
//
// Each is normalised and hashed as the daemon does it (store/address.h), so
// a listed address the daemon looks up finds the key the import wrote.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <variant>

#include "store/address.h"

namespace bench {

inline constexpr std::uint64_t company_count = 50000;

inline std::string listed_address(std::uint64_t i)
{
    return "lead-" + std::to_string(i) + "@company-" + std::to_string(i % company_count) + ".example";
}

inline std::string unlisted_address(std::uint64_t j)
{
    return "prospect-" + std::to_string(j) + "@company-" + std::to_string(j % company_count) + ".example";
}

inline store::Address normalised(const std::string& text)
{
    auto result = store::normalise_address(text);
    if (const auto* invalid = std::get_if<store::Invalid>(&result))
        throw std::runtime_error(text + ": " + invalid->reason);
    return std::get<store::Address>(std::move(result));
}

}  // namespace bench
