#include "html_entities.h"

#include <algorithm>
#include <iterator>

#include "text.h"
#include "utf8.h"

namespace policy::html {
namespace {

struct NamedReference {
    std::string_view name;  // without '&', with ';' where the standard has one
    std::string_view text;  // UTF-8
};

constexpr NamedReference kNamed[] = {
#include "html_entities.inc"
};

constexpr std::size_t kLongestName = 32;   // "CounterClockwiseContourIntegral;"
constexpr std::size_t kLongestLegacy = 6;  // of the names allowed without ';'

const NamedReference* find_named(std::string_view name)
{
    const auto* found = std::lower_bound(std::begin(kNamed), std::end(kNamed), name,
                                         [](const NamedReference& entry, std::string_view wanted) {
                                             return entry.name < wanted;
                                         });
    return found != std::end(kNamed) && found->name == name ? found : nullptr;
}

int digit_value(char c, bool hex)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (hex && c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (hex && c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// What a numeric reference to `code` stands for: the standard maps the C1
// range as Windows-1252 (pages written in it say &#146; for ’) and replaces
// NUL, surrogates and values beyond Unicode.
char32_t numeric_character(char32_t code)
{
    static constexpr char16_t kWindows1252[32] = {
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};
    if (code == 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
        return utf8::kReplacement;
    if (code >= 0x80 && code <= 0x9F)
        return kWindows1252[code - 0x80];
    return code;
}

// text starts with "&#".
std::size_t decode_numeric(std::string_view text, std::string& out)
{
    std::size_t pos = 2;
    const bool hex = pos < text.size() && (text[pos] == 'x' || text[pos] == 'X');
    if (hex)
        ++pos;
    const std::size_t digits_start = pos;
    char32_t code = 0;
    for (int digit; pos < text.size() && (digit = digit_value(text[pos], hex)) >= 0; ++pos)
        code = std::min<char32_t>(code * (hex ? 16 : 10) + static_cast<char32_t>(digit), 0x110000);
    if (pos == digits_start) {
        out += '&';
        return 1;
    }
    if (pos < text.size() && text[pos] == ';')
        ++pos;
    utf8::append(out, numeric_character(code));
    return pos;
}

}  // namespace

std::size_t decode_reference(std::string_view text, bool in_attribute, std::string& out)
{
    if (text.size() > 1 && text[1] == '#')
        return decode_numeric(text, out);
    std::size_t end = 1;
    while (end < text.size() && end <= kLongestName && is_ascii_alnum(text[end]))
        ++end;
    if (end > 1 && end < text.size() && text[end] == ';')
        if (const auto* named = find_named(text.substr(1, end)); named != nullptr) {
            out += named->text;
            return end + 1;
        }
    // The longest legacy name the text starts with, written without ';'.
    for (std::size_t length = std::min(end - 1, kLongestLegacy); length >= 2; --length) {
        const auto* named = find_named(text.substr(1, length));
        if (named == nullptr)
            continue;
        const std::size_t after = 1 + length;
        if (in_attribute && after < text.size() && (text[after] == '=' || is_ascii_alnum(text[after])))
            break;
        out += named->text;
        return after;
    }
    out += '&';
    return 1;
}

}  // namespace policy::html
