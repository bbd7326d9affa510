// utf8.h — decoding and encoding UTF-8 one character at a time, for the
// readers that walk text byte by byte (html.cpp, html_entities.cpp).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace policy::utf8 {

constexpr char32_t kReplacement = 0xFFFD;

inline bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Decodes the character at text[pos] and moves pos past it. A malformed
// sequence becomes U+FFFD, one per maximal ill-formed subpart (as Unicode
// recommends and browsers do).
inline char32_t next(std::string_view text, std::size_t& pos)
{
    const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
    const unsigned char lead = byte(pos);
    if (lead < 0x80) {
        ++pos;
        return lead;
    }
    std::size_t length = 0;
    char32_t c = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
        c = lead & 0x1Fu;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        c = lead & 0x0Fu;
        if (lead == 0xE0)
            low = 0xA0;  // no overlong forms
        else if (lead == 0xED)
            high = 0x9F;  // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        c = lead & 0x07u;
        if (lead == 0xF0)
            low = 0x90;  // no overlong forms
        else if (lead == 0xF4)
            high = 0x8F;  // nothing above U+10FFFF
    } else {
        ++pos;
        return kReplacement;
    }
    std::size_t taken = 1;
    for (; taken < length; ++taken) {
        if (pos + taken >= text.size())
            break;
        const unsigned char next_byte = byte(pos + taken);
        if (next_byte < low || next_byte > high)
            break;
        low = 0x80;
        high = 0xBF;
        c = (c << 6) | (next_byte & 0x3Fu);
    }
    pos += taken;
    return taken == length ? c : kReplacement;
}

inline void append(std::string& out, char32_t c)
{
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        const char bytes[] = {static_cast<char>(0xC0 | (c >> 6)), static_cast<char>(0x80 | (c & 0x3F))};
        out.append(bytes, 2);
    } else if (c < 0x10000) {
        const char bytes[] = {static_cast<char>(0xE0 | (c >> 12)), static_cast<char>(0x80 | ((c >> 6) & 0x3F)),
                              static_cast<char>(0x80 | (c & 0x3F))};
        out.append(bytes, 3);
    } else {
        const char bytes[] = {static_cast<char>(0xF0 | (c >> 18)), static_cast<char>(0x80 | ((c >> 12) & 0x3F)),
                              static_cast<char>(0x80 | ((c >> 6) & 0x3F)), static_cast<char>(0x80 | (c & 0x3F))};
        out.append(bytes, 4);
    }
}

// True when text is well-formed UTF-8. Most mail text is ASCII, checked
// eight bytes at a time; GLib's g_utf8_validate goes byte by byte.
inline bool valid(std::string_view text)
{
    std::size_t pos = 0;
    while (pos < text.size()) {
        if (pos + 8 <= text.size()) {
            std::uint64_t chunk;
            std::memcpy(&chunk, text.data() + pos, 8);
            if ((chunk & 0x8080808080808080ull) == 0) {
                pos += 8;
                continue;
            }
        }
        if (static_cast<unsigned char>(text[pos]) < 0x80) {
            ++pos;
            continue;
        }
        // next() gives U+FFFD for a malformed sequence, but also for a
        // well-formed U+FFFD (EF BF BD), which is valid.
        const std::size_t start = pos;
        if (next(text, pos) == kReplacement && text.compare(start, 3, "\xEF\xBF\xBD") != 0)
            return false;
    }
    return true;
}

// text cut to at most max bytes, before a character rather than inside one.
inline std::string_view cut(std::string_view text, std::size_t max)
{
    if (text.size() <= max)
        return text;
    std::size_t end = max;
    while (end > 0 && is_continuation(text[end]))
        --end;
    return text.substr(0, end);
}

}  // namespace policy::utf8
