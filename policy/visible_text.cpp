#include "visible_text.h"

#include <algorithm>
#include <array>

#include "byte_scan.h"
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
// How each byte value is read: most mail text is printable ASCII and ASCII
// spaces, handled without decoding; in HTML '&' starts a character reference.
constexpr TextBuilder::ByteClasses TextBuilder::byte_classes(bool references)
{
    ByteClasses classes{};
    for (int c = 0; c < 256; ++c)
        classes[c] = c >= 0x80                ? ByteClass::multibyte
                     : c > ' ' && c < 0x7F   ? ByteClass::printable
                     : c == ' ' || (c >= 0x09 && c <= 0x0D) ? ByteClass::space
                                                              : ByteClass::invisible;
    if (references)
        classes['&'] = ByteClass::reference;
    return classes;
}

constexpr TextBuilder::ByteClasses TextBuilder::kPlainText = TextBuilder::byte_classes(false);
constexpr TextBuilder::ByteClasses TextBuilder::kHtmlText = TextBuilder::byte_classes(true);

void TextBuilder::append(std::string_view utf8) { append_text(utf8, kPlainText, false); }

void TextBuilder::append_html(std::string_view html, bool in_attribute) { append_text(html, kHtmlText, in_attribute); }

void TextBuilder::append_text(std::string_view text, const ByteClasses& classes, bool in_attribute)
{
    const auto class_of = [&](char c) { return classes[static_cast<unsigned char>(c)]; };
    std::size_t pos = 0;
    while (pos < text.size()) {
        switch (class_of(text[pos])) {
        case ByteClass::printable: {
            // Words with single spaces between them go in as one run.
            const bool references = &classes == &kHtmlText;
            std::size_t end = scan::printable_end(text, pos + 1, references);
            while (end + 1 < text.size() && text[end] == ' ' && class_of(text[end + 1]) == ByteClass::printable)
                end = scan::printable_end(text, end + 2, references);
            put_ascii(text.substr(pos, end - pos));
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
        case ByteClass::multibyte:
            put_character(utf8::next(text, pos));
            break;
        case ByteClass::reference: {
            std::string decoded;  // short: no allocation
            pos += html::decode_reference(text.substr(pos), in_attribute, decoded);
            append_text(decoded, kPlainText, false);
            break;
        }
        }
    }
}

void TextBuilder::put_character(char32_t c)
{
    if (is_space(c))
        m_space = true;
    else if (!is_invisible(c))
        put(c);
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
