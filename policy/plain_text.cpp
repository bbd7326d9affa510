// plain_text.cpp — what a reader sees of a text/plain part: its paragraphs,
// and the URLs a mail client makes clickable (content.h).
#include <algorithm>

#include "content.h"
#include "text.h"
#include "utf8.h"
#include "visible_text.h"

namespace policy {
namespace {

// Length of the http://, https:// or mailto: scheme text starts with, or 0.
std::size_t scheme_length(std::string_view text)
{
    for (std::string_view scheme : {"http://", "https://", "mailto:"})
        if (istarts_with_ascii(text, scheme))
            return scheme.size();
    return 0;
}

// Characters that end a bare URL: quotes and angle brackets, typographic
// quotes included. ")" and "]" end it too unless they close a "(" or "[" in it.
bool ends_url(char32_t c)
{
    switch (c) {
    case ' ': case '<': case '>': case '"': case '\'':
    case 0xAB: case 0xBB: case 0x2018: case 0x2019: case 0x201C: case 0x201D:
    case 0x2039: case 0x203A:
        return true;
    default:
        return false;
    }
}

// Adds the URLs of a collapsed paragraph to links, the paragraph as context.
void find_urls(std::string_view paragraph, std::vector<Link>& links)
{
    std::size_t pos = 0;
    while (pos < paragraph.size() && links.size() < kMaxLinks) {
        const char first = ascii_lower(paragraph[pos]);
        const std::size_t scheme =
            first == 'h' || first == 'm' ? scheme_length(paragraph.substr(pos)) : 0;
        if (scheme == 0 || (pos > 0 && is_ascii_alnum(paragraph[pos - 1]))) {
            ++pos;
            continue;
        }
        std::size_t end = pos + scheme;
        int parentheses = 0;
        int brackets = 0;
        while (end < paragraph.size()) {
            std::size_t next = end;
            const char32_t c = utf8::next(paragraph, next);
            if (ends_url(c) || (c == ')' && parentheses == 0) || (c == ']' && brackets == 0))
                break;
            parentheses += c == '(' ? 1 : c == ')' ? -1 : 0;
            brackets += c == '[' ? 1 : c == ']' ? -1 : 0;
            end = next;
        }
        const bool in_angle_brackets =
            pos > 0 && paragraph[pos - 1] == '<' && end < paragraph.size() && paragraph[end] == '>';
        if (!in_angle_brackets)
            while (end > pos + scheme &&
                   std::string_view(".,;:!?").find(paragraph[end - 1]) != std::string_view::npos)
                --end;
        if (end > pos + scheme) {
            std::string url(paragraph.substr(pos, end - pos));
            links.push_back({url, url, context(paragraph, 0, paragraph.size(), pos, end)});
        }
        pos = std::max(end, pos + scheme);
    }
}

}  // namespace

VisibleText plain_to_visible(std::string_view text)
{
    text = cap_input(text);
    VisibleText result;
    TextBuilder paragraph;
    const auto finish_paragraph = [&] {
        const std::string line = paragraph.take();
        paragraph = TextBuilder();
        if (line.empty())
            return;
        find_urls(line, result.links);
        if (!result.text.empty())
            result.text += '\n';
        result.text += line;
    };
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto eol = std::min(text.find_first_of("\r\n", pos), text.size());
        const std::size_t before = paragraph.size();
        paragraph.append(text.substr(pos, eol - pos));
        if (paragraph.size() == before)
            finish_paragraph();  // a blank line
        else
            paragraph.append(" ");  // lines of a paragraph are joined by a space
        pos = eol + (text.compare(eol, 2, "\r\n") == 0 ? 2 : 1);
    }
    finish_paragraph();
    return result;
}

}  // namespace policy
