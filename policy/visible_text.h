// visible_text.h — building the text a reader sees, shared by the HTML and
// the plain-text readers (html.cpp, plain_text.cpp): white space collapsed,
// invisible characters dropped, block breaks, and the one-line excerpts
// (link texts, contexts) the content rules quote.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace policy {

constexpr std::size_t kMaxVisibleInput = 4u << 20;  // bytes of a part read
constexpr std::size_t kMaxLinks = 1000;
constexpr std::size_t kMaxLinkText = 1024;
constexpr std::size_t kMaxContext = 2048;

// The first kMaxVisibleInput bytes of text, cut before a character.
std::string_view cap_input(std::string_view text);

// Builds visible text: runs of white space become one space, invisible
// characters vanish, malformed UTF-8 becomes U+FFFD, and line breaks asked
// for between blocks become one "\n" however many there are. Nothing is
// written at the start or the end: a space or a break is only written before
// the next visible character, so the text is always trimmed.
class TextBuilder {
public:
    void reserve(std::size_t bytes) { m_out.reserve(bytes); }
    void append(std::string_view utf8);
    // HTML text: character references (&amp; &#233;...) decoded as well.
    void append_html(std::string_view html, bool in_attribute = false);
    void line_break() { m_break = true; }
    std::size_t size() const { return m_out.size(); }
    const std::string& str() const { return m_out; }
    std::string take();

private:
    enum class ByteClass : unsigned char { printable, space, invisible, multibyte, reference };
    using ByteClasses = std::array<ByteClass, 256>;
    static constexpr ByteClasses byte_classes(bool references);
    static const ByteClasses kPlainText;
    static const ByteClasses kHtmlText;

    void append_text(std::string_view text, const ByteClasses& classes, bool in_attribute);
    void put(char32_t c);
    void put_character(char32_t c);
    void put_ascii(std::string_view run);

    std::string m_out;
    bool m_space = false;
    bool m_break = false;
};

// text collapsed as a TextBuilder collapses it.
std::string collapse(std::string_view text);

// A piece of built text on one line, at most max bytes: its breaks become
// spaces, and the space or break it may start or end with goes.
std::string one_line(std::string_view text, std::size_t max = static_cast<std::size_t>(-1));

// The context of a link at text[at, at_end) in the block text[from, to): the
// block on one line, or when it is longer than kMaxContext, a window of it
// around the link, cut at characters and, where possible, between words.
std::string context(std::string_view text, std::size_t from, std::size_t to, std::size_t at, std::size_t at_end);

}  // namespace policy
