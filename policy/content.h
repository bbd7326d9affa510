// content.h — what a recipient sees of a message: the decoded, visible text
// and the links, as the content rules read them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace policy {

// A link the reader can click.
struct Link {
    std::string url;      // href (HTML) or the URL as written (plain text), entities decoded, trimmed
    std::string text;     // the visible link text; for a bare URL in plain text, the URL itself
    std::string context;  // the visible text of the sentence or block around the link
                          // (HTML: the nearest enclosing block element: p, div, td, li, h1-h6,
                          // blockquote, body...; plain text: the paragraph, lines joined by spaces)
};

// The visible form of one text part.
struct VisibleText {
    // What a reader sees, in UTF-8: tags removed, entities decoded (&nbsp;
    // becomes a plain space), runs of white space collapsed to one space
    // inside a block, blocks separated by "\n". Comments, <script>, <style>,
    // <head>, <template>, <noscript> and hidden inputs contribute nothing.
    std::string text;
    std::vector<Link> links;  // in document order; only http:, https: and mailto: URLs
    bool complete = true;     // false: the part was too complex to read (parser budget) and is empty
};

// HTML (already decoded to UTF-8) to what a reader sees.
VisibleText html_to_visible(std::string_view html);

// Plain text (UTF-8) to what a reader sees: the text itself, white space
// collapsed per paragraph, and the http(s):// and mailto: URLs a mail client
// would make clickable, each a Link whose context is its paragraph.
VisibleText plain_to_visible(std::string_view text);

}  // namespace policy
