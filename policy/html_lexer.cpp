#include "html_lexer.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "byte_scan.h"
#include "text.h"

namespace policy::html {
namespace {


bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// The standard's white space inside tags: tab, line feed, form feed, carriage
// return (normalised to a line feed), space.
bool is_tag_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f'; }

// Bytes that end a tag name (white space, '/', '>') or an attribute name
// (those and '='), looked up rather than compared one by one: names are
// most of what a tag holds.
constexpr auto kEndsName = [] {
    std::array<unsigned char, 256> ends{};
    for (unsigned char c : {' ', '\n', '\t', '\r', '\f', '/', '>'})
        ends[c] = 1;
    ends['='] = 2;
    return ends;
}();

bool ends_tag_name(char c) { return kEndsName[static_cast<unsigned char>(c)] == 1; }
bool ends_attribute_name(char c) { return kEndsName[static_cast<unsigned char>(c)] != 0; }

constexpr std::size_t kMaxAttributes = 256;

// Elements whose content is text up to their own end tag, whatever it
// holds; RCDATA ones (title, textarea) have their references decoded.
// "plaintext" has no end: the rest of the document is its text.
bool is_raw_text(Tag tag, bool& decodes)
{
    switch (tag) {
    case Tag::script: case Tag::style: case Tag::xmp: case Tag::iframe: case Tag::noembed:
    case Tag::noframes: case Tag::noscript: case Tag::plaintext:
        decodes = false;
        return true;
    case Tag::title: case Tag::textarea:
        decodes = true;
        return true;
    default:
        return false;
    }
}

// Which of the attributes the reader always asks for `name` is, if any.
int known_attribute(std::string_view name)
{
    const auto is = [&](std::string_view wanted, Known known) {
        return iequals_ascii(name, wanted) ? static_cast<int>(known) : -1;
    };
    switch (name.size()) {
    case 3: return is("alt", Known::alt);
    case 4: return is("href", Known::href);
    case 5: return name[0] == 's' || name[0] == 'S' ? is("style", Known::style) : is("title", Known::title);
    case 6: return is("hidden", Known::hidden);
    default: return -1;
    }
}

}  // namespace

const std::string_view* Token::attribute(std::string_view name) const
{
    for (const auto& attribute : attributes)
        if (iequals_ascii(attribute.name, name))
            return &attribute.value;
    return nullptr;
}

void Lexer::next(Token& token)
{
    token.raw = false;
    token.self_closing = false;
    token.attributes.clear();
    token.known.fill(-1);
    if (!m_raw_element.empty()) {
        lex_raw_text(token);
        return;
    }
    while (m_pos < m_html.size()) {
        if (m_html[m_pos] == '<') {
            const std::size_t before = m_pos;
            if (lex_markup(token))
                return;
            if (m_pos != before)
                continue;  // a comment or the like, skipped
        }
        // Text up to the next '<' (a '<' that starts no markup is text too).
        const std::size_t start = m_pos;
        m_pos = scan::find_byte(m_html, '<', m_pos + 1);
        token.kind = Token::Kind::text;
        token.data = m_html.substr(start, m_pos - start);
        return;
    }
    token.kind = Token::Kind::end;
    token.data = {};
}

// At a '<': a tag (true, token filled), or markup skipped (false, m_pos past
// it), or a '<' that is only text (false, m_pos unchanged).
bool Lexer::lex_markup(Token& token)
{
    const std::size_t after = m_pos + 1;
    if (after >= m_html.size())
        return false;
    const char c = m_html[after];
    if (is_ascii_alpha(c)) {
        m_pos = after;
        lex_tag(token, false);
        return true;
    }
    if (c == '/') {
        if (after + 1 < m_html.size() && is_ascii_alpha(m_html[after + 1])) {
            m_pos = after + 1;
            lex_tag(token, true);
            return true;
        }
        // "</>" is dropped; "</3" and the like are bogus comments.
        m_pos = after + 1;
        if (m_pos < m_html.size() && m_html[m_pos] == '>')
            ++m_pos;
        else
            skip_to('>');
        return false;
    }
    if (c == '!') {
        m_pos = after + 1;
        if (m_html.compare(m_pos, 2, "--") == 0) {
            m_pos += 2;
            skip_comment();
        } else {
            skip_to('>');  // doctype, CDATA outside foreign content: bogus comments
        }
        return false;
    }
    if (c == '?') {
        m_pos = after;
        skip_to('>');
        return false;
    }
    return false;
}

void Lexer::skip_to(char c)
{
    const auto found = m_html.find(c, m_pos);
    m_pos = found == std::string_view::npos ? m_html.size() : found + 1;
}

// After "<!--": the comment ends at "-->" or "--!>"; "<!-->" and "<!--->"
// are empty comments; an unclosed comment runs to the end.
void Lexer::skip_comment()
{
    if (m_html.compare(m_pos, 1, ">") == 0 || m_html.compare(m_pos, 2, "->") == 0) {
        m_pos = m_html.find('>', m_pos) + 1;
        return;
    }
    for (std::size_t at = m_html.find("--", m_pos); at != std::string_view::npos; at = m_html.find("--", at + 1)) {
        if (m_html.compare(at + 2, 1, ">") == 0) {
            m_pos = at + 3;
            return;
        }
        if (m_html.compare(at + 2, 2, "!>") == 0) {
            m_pos = at + 4;
            return;
        }
    }
    m_pos = m_html.size();
}

// m_pos at the first letter of the name. A tag cut off by the end of the
// document is dropped, as the standard says.
void Lexer::lex_tag(Token& token, bool end_tag)
{
    const std::size_t start = m_pos;
    while (m_pos < m_html.size() && !ends_tag_name(m_html[m_pos]))
        ++m_pos;
    token.data = m_html.substr(start, m_pos - start);
    token.kind = end_tag ? Token::Kind::end_tag : Token::Kind::start_tag;
    lex_attributes(token);
    if (end_tag) {
        token.attributes.clear();  // end tags carry none
        token.known.fill(-1);
    }
    token.tag = tag_of(token.data);
    if (token.kind == Token::Kind::start_tag && !token.self_closing && is_raw_text(token.tag, m_raw_decodes)) {
        m_raw_element = token.data;
        m_raw_to_end = token.tag == Tag::plaintext;
    }
}

void Lexer::lex_attributes(Token& token)
{
    const auto at_end = [&] { return m_pos >= m_html.size(); };
    for (;;) {
        while (!at_end() && (is_tag_space(m_html[m_pos]) || m_html[m_pos] == '/')) {
            if (m_html[m_pos] == '/' && m_pos + 1 < m_html.size() && m_html[m_pos + 1] == '>') {
                token.self_closing = true;
                m_pos += 2;
                return;
            }
            ++m_pos;
        }
        if (at_end()) {
            token.kind = Token::Kind::end;  // end of file in a tag: no tag
            return;
        }
        if (m_html[m_pos] == '>') {
            ++m_pos;
            return;
        }
        const std::size_t name_start = m_pos++;  // a leading '=' belongs to the name
        while (!at_end() && !ends_attribute_name(m_html[m_pos]))
            ++m_pos;
        Attribute attribute{m_html.substr(name_start, m_pos - name_start), {}};
        std::size_t look = m_pos;
        while (look < m_html.size() && is_tag_space(m_html[look]))
            ++look;
        if (look < m_html.size() && m_html[look] == '=') {
            m_pos = look + 1;
            while (!at_end() && is_tag_space(m_html[m_pos]))
                ++m_pos;
            if (!at_end() && (m_html[m_pos] == '"' || m_html[m_pos] == '\'')) {
                const char quote = m_html[m_pos++];
                const auto close = scan::find_byte(m_html, quote, m_pos);
                if (close == m_html.size()) {
                    m_pos = m_html.size();
                    token.kind = Token::Kind::end;
                    return;
                }
                attribute.value = m_html.substr(m_pos, close - m_pos);
                m_pos = close + 1;
            } else {
                const std::size_t value_start = m_pos;
                while (!at_end() && !is_tag_space(m_html[m_pos]) && m_html[m_pos] != '>')
                    ++m_pos;
                attribute.value = m_html.substr(value_start, m_pos - value_start);
            }
        }
        // Duplicates are kept: Token::attribute() finds the first, the one
        // that counts. Past kMaxAttributes the rest are dropped.
        if (token.attributes.size() < kMaxAttributes) {
            if (const int known = known_attribute(attribute.name);
                known >= 0 && token.known[static_cast<std::size_t>(known)] < 0)
                token.known[static_cast<std::size_t>(known)] = static_cast<short>(token.attributes.size());
            token.attributes.push_back(attribute);
        }
    }
}

// The content of a raw-text element: up to "</name" followed by white
// space, '/' or '>', then that end tag.
void Lexer::lex_raw_text(Token& token)
{
    const std::string_view name = m_raw_element;
    const std::size_t start = m_pos;
    std::size_t end = m_html.size();
    if (!m_raw_to_end) {
        for (std::size_t at = m_html.find("</", m_pos); at != std::string_view::npos; at = m_html.find("</", at + 2)) {
            const std::size_t after = at + 2 + name.size();
            if (after <= m_html.size() && iequals_ascii(m_html.substr(at + 2, name.size()), name) &&
                (after == m_html.size() || is_tag_space(m_html[after]) || m_html[after] == '/' ||
                 m_html[after] == '>')) {
                end = at;
                break;
            }
        }
    }
    m_raw_element = {};
    m_pos = end;
    token.kind = Token::Kind::text;
    token.data = m_html.substr(start, end - start);
    token.raw = !m_raw_decodes;
    if (token.data.empty())
        next(token);
}

}  // namespace policy::html
