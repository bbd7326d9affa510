// text.h — small string and date helpers shared by the policy code.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "policy.h"

namespace policy {

// ASCII case, for the words of protocols and markup (URL schemes, tag and
// attribute names, CSS keywords): other bytes are left as they are.
constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr bool is_ascii_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool iequals_ascii(std::string_view a, std::string_view b);
bool istarts_with_ascii(std::string_view text, std::string_view prefix);
std::string to_lower_ascii(std::string_view text);
// Without leading and trailing blanks (by default space, tab, CR, LF).
std::string_view trim(std::string_view text, std::string_view blanks = " \t\r\n");

// "YYYY-MM-DD" (a real calendar date) to days since the epoch.
std::optional<Day> parse_day(std::string_view text);
std::string format_day(Day day);
// The UTC day a time (seconds since the epoch) falls on; before 1970 too.
Day day_of(std::int64_t seconds);

// The domain part of an address ("" when there is none), lower-cased.
std::string domain_of(std::string_view address);

// An envelope address as the MTA gives it ("<a@b>", "a@b", " <A@B> ") reduced
// to the bare, lower-cased address. IDNA normalisation comes with the store.
std::string normalise_address(std::string_view address);

// True when domain equals parent or is a subdomain of it (both lower-case).
bool domain_within(std::string_view domain, std::string_view parent);

// Replaces control characters and caps the length, so text from a message
// can go into a log field or an SMTP reply without breaking either.
std::string printable(std::string_view text, std::size_t max_length = 200);

}  // namespace policy
