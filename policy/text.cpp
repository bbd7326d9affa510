#include "text.h"

#include <chrono>
#include <cstdio>

namespace policy {

bool iequals_ascii(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && istarts_with_ascii(a, b);
}

bool istarts_with_ascii(std::string_view text, std::string_view prefix)
{
    if (text.size() < prefix.size())
        return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (ascii_lower(text[i]) != ascii_lower(prefix[i]))
            return false;
    return true;
}

std::string to_lower_ascii(std::string_view text)
{
    std::string out(text);
    for (char& c : out)
        c = ascii_lower(c);
    return out;
}

std::string_view trim(std::string_view text, std::string_view blanks)
{
    const auto first = text.find_first_not_of(blanks);
    if (first == std::string_view::npos)
        return {};
    const auto last = text.find_last_not_of(blanks);
    return text.substr(first, last - first + 1);
}

std::optional<Day> parse_day(std::string_view text)
{
    if (text.size() != 10 || text[4] != '-' || text[7] != '-')
        return std::nullopt;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (text[i] < '0' || text[i] > '9')
            return std::nullopt;
    auto number = [&](std::size_t pos, std::size_t len) {
        int value = 0;
        for (std::size_t i = pos; i < pos + len; ++i)
            value = value * 10 + (text[i] - '0');
        return value;
    };
    using namespace std::chrono;
    const year_month_day date{year{number(0, 4)}, month{static_cast<unsigned>(number(5, 2))},
                              day{static_cast<unsigned>(number(8, 2))}};
    if (!date.ok())
        return std::nullopt;
    return sys_days{date}.time_since_epoch().count();
}

std::string format_day(Day day)
{
    using namespace std::chrono;
    const year_month_day date{sys_days{days{day}}};
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
    return buffer;
}

Day day_of(std::int64_t seconds)
{
    return seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
}

std::string domain_of(std::string_view address)
{
    const auto at = address.rfind('@');
    if (at == std::string_view::npos)
        return {};
    return to_lower_ascii(address.substr(at + 1));
}

std::string normalise_address(std::string_view address)
{
    auto bare = trim(address);
    if (bare.size() >= 2 && bare.front() == '<' && bare.back() == '>')
        bare = trim(bare.substr(1, bare.size() - 2));
    return to_lower_ascii(bare);
}

bool domain_within(std::string_view domain, std::string_view parent)
{
    if (domain.empty() || parent.empty())
        return false;
    if (domain == parent)
        return true;
    return domain.size() > parent.size() && domain.ends_with(parent) &&
           domain[domain.size() - parent.size() - 1] == '.';
}

std::string printable(std::string_view text, std::size_t max_length)
{
    std::string out;
    out.reserve(std::min(text.size(), max_length));
    for (unsigned char c : text) {
        if (out.size() >= max_length) {
            out += "...";
            break;
        }
        out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
    }
    return out;
}

}  // namespace policy
