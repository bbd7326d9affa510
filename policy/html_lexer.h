// html_lexer.h — HTML split into text and tags, one token at a time, as the
// HTML standard's tokenizer splits it (comments, doctypes and processing
// instructions skipped; script, style and the other raw-text elements read
// as text up to their end tag), without building a tree. html.cpp reads the
// tokens; everything the standard's tree construction does that matters to
// what a reader sees is there.
#pragma once

#include <array>
#include <string_view>
#include <vector>

#include "html_tags.h"

namespace policy::html {

struct Attribute {
    std::string_view name;   // as written; compare case-insensitively
    std::string_view value;  // as written: character references not decoded
};

// The attributes the reader asks of almost every tag, found while lexing.
enum class Known { hidden, style, href, title, alt, count_ };

struct Token {
    enum class Kind { text, start_tag, end_tag, end };
    Kind kind = Kind::end;
    // text: the characters, references not decoded; tags: the name as written.
    std::string_view data;
    Tag tag = Tag::other;       // tags: the element named
    bool raw = false;           // text of a raw-text element: no references in it
    bool self_closing = false;  // "<x/>"
    std::vector<Attribute> attributes;  // start tags, in order; of duplicates the first counts

    // The value of the attribute `name` (lower-case), or nullptr.
    const std::string_view* attribute(std::string_view name) const;
    const std::string_view* attribute(Known name) const
    {
        const int at = known[static_cast<std::size_t>(name)];
        return at < 0 ? nullptr : &attributes[static_cast<std::size_t>(at)].value;
    }
    std::array<short, static_cast<std::size_t>(Known::count_)> known{};  // index in attributes, or -1
};

class Lexer {
public:
    explicit Lexer(std::string_view html) : m_html(html) {}

    // The next token into `token` (its attribute vector is reused).
    void next(Token& token);

private:
    bool lex_markup(Token& token);
    void lex_tag(Token& token, bool end_tag);
    void lex_attributes(Token& token);
    void skip_comment();
    void skip_to(char c);
    void lex_raw_text(Token& token);

    std::string_view m_html;
    std::size_t m_pos = 0;
    // After the start tag of a raw-text element (script, style, title...):
    // the element's name, whose end tag ends the text.
    std::string_view m_raw_element;
    bool m_raw_decodes = false;  // title and textarea: references are decoded
    bool m_raw_to_end = false;   // plaintext: no end tag ends it
};


}  // namespace policy::html
