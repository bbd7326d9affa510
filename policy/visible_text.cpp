#include "visible_text.h"

#include <algorithm>
#include <array>

#include "html_entities.h"
#include "utf8.h"

namespace policy {
namespace {

// White space as a reader perceives it: ASCII white space, NEL, the no-break
// space and the other Unicode space separators, line and paragraph separators.
bool is_space(char32_t c)
{
    switch (c) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20:
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
    case 0x202F: case 0x205F: case 0x3000:
        return true;
    default:
        return c >= 0x2000 && c <= 0x200A;
    }
}

// Characters that show nothing: control characters (NUL included), the soft
// hyphen, zero-width and bidirectional formatting characters, the BOM. They
// are dropped, so "unsub<U+200B>scribe" reads as the "unsubscribe" it shows.
bool is_invisible(char32_t c)
{
    return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0xAD || c == 0x180E ||
           (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2060 && c <= 0x206F) || c == 0xFEFF;
}

}  // namespace

std::string_view cap_input(std::string_view text)
{
    if (text.size() <= kMaxVisibleInput)
        return text;
    std::size_t cut = kMaxVisibleInput;
    for (int i = 0; i < 3 && cut > 0 && utf8::is_continuation(text[cut]); ++i)
        --cut;
    return text.substr(0, cut);
}

void TextBuilder::put(char32_t c)
{
    if (!m_out.empty()) {
        if (m_break)
            m_out += '\n';
        else if (m_space)
            m_out += ' ';
    }
    m_break = m_space = false;
    utf8::append(m_out, c);
}

// A run of printable ASCII, the bulk of most mail: no decoding, no tables.
void TextBuilder::put_ascii(std::string_view run)
{
    if (m_break || m_space) {
        if (!m_out.empty())
            m_out += m_break ? '\n' : ' ';
        m_break = m_space = false;
    }
    m_out.append(run);
}

// How append() treats each byte value: most mail text is printable ASCII
// and ASCII spaces, handled without decoding.
enum class ByteClass : unsigned char { printable, space, invisible, multibyte };

constexpr auto kByteClasses = [] {
    std::array<ByteClass, 256> classes{};
    for (int c = 0; c < 256; ++c)
        classes[c] = c >= 0x80                ? ByteClass::multibyte
                     : c > ' ' && c < 0x7F   ? ByteClass::printable
                     : c == ' ' || (c >= 0x09 && c <= 0x0D) ? ByteClass::space
                                                              : ByteClass::invisible;
    return classes;
}();

ByteClass class_of(char c) { return kByteClasses[static_cast<unsigned char>(c)]; }

void TextBuilder::append(std::string_view utf8)
{
    std::size_t pos = 0;
    while (pos < utf8.size()) {
        switch (class_of(utf8[pos])) {
        case ByteClass::printable: {
            // Words with single spaces between them go in as one run.
            std::size_t end = pos + 1;
            for (;;) {
                while (end < utf8.size() && class_of(utf8[end]) == ByteClass::printable)
                    ++end;
                if (end + 1 < utf8.size() && utf8[end] == ' ' && class_of(utf8[end + 1]) == ByteClass::printable)
                    end += 2;
                else
                    break;
            }
            put_ascii(utf8.substr(pos, end - pos));
            pos = end;
            break;
        }
        case ByteClass::space:
            m_space = true;
            ++pos;
            break;
        case ByteClass::invisible:
            ++pos;
            break;
        case ByteClass::multibyte: {
            const char32_t c = utf8::next(utf8, pos);
            if (is_space(c))
                m_space = true;
            else if (!is_invisible(c))
                put(c);
            break;
        }
        }
    }
}

void TextBuilder::append_html(std::string_view html, bool in_attribute)
{
    std::string decoded;
    while (!html.empty()) {
        const auto ampersand = html.find('&');
        append(html.substr(0, ampersand));
        if (ampersand == std::string_view::npos)
            return;
        html.remove_prefix(ampersand);
        decoded.clear();
        html.remove_prefix(html::decode_reference(html, in_attribute, decoded));
        append(decoded);
    }
}

std::string TextBuilder::take()
{
    m_space = m_break = false;
    return std::move(m_out);
}

std::string collapse(std::string_view text)
{
    TextBuilder builder;
    builder.append(text);
    return builder.take();
}

std::string one_line(std::string_view text, std::size_t max)
{
    const auto blank = [](char c) { return c == '\n' || c == ' '; };
    while (!text.empty() && blank(text.front()))
        text.remove_prefix(1);
    text = utf8::cut(text, max);
    while (!text.empty() && blank(text.back()))
        text.remove_suffix(1);
    std::string out(text);
    std::replace(out.begin(), out.end(), '\n', ' ');
    return out;
}

std::string context(std::string_view text, std::size_t from, std::size_t to, std::size_t at, std::size_t at_end)
{
    if (to - from > kMaxContext) {
        std::size_t start = at > from + kMaxContext / 2 ? at - kMaxContext / 2 : from;
        std::size_t end = std::min(to, start + kMaxContext);
        if (end - start < kMaxContext)
            start = end - kMaxContext;
        while (start < end && utf8::is_continuation(text[start]))
            ++start;
        while (end > start && end < text.size() && utf8::is_continuation(text[end]))
            --end;
        if (start > from) {
            const auto blank = text.find_first_of(" \n", start);
            if (blank != std::string_view::npos && blank < at)
                start = blank + 1;
        }
        if (end < to && end > start) {
            const auto blank = text.substr(0, end).find_last_of(" \n");
            if (blank != std::string_view::npos && blank >= at_end && blank > start)
                end = blank;
        }
        from = start;
        to = end;
    }
    return one_line(text.substr(from, to - from));
}

}  // namespace policy
