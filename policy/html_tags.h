// html_tags.h — the HTML elements whose kind changes what a reader sees or
// how the document nests, with the categories the HTML standard's tree
// construction gives them.
#pragma once

#include <cstdint>
#include <string_view>

namespace policy::html {

enum class Tag : std::uint8_t {
    other,  // any element not listed here
    a, address, applet, area, article, aside, b, base, basefont, bgsound, big, blockquote, body, br,
    button, caption, center, code, col, colgroup, datalist, dd, desc, details, dialog, dir, div, dl,
    dt, em, embed, fieldset, figcaption, figure, font, footer, form, frame, frameset, h1, h2, h3, h4,
    h5, h6, head, header, hgroup, hr, html, i, iframe, image, img, input, keygen, legend, li, link,
    listing, main, marquee, math, menu, meta, nav, nobr, noembed, noframes, noscript, object, ol,
    optgroup, option, p, param, plaintext, pre, s, script, search, section, select, small, source,
    strike, strong, style, summary, svg, table, tbody, td, template_, textarea, tfoot, th, thead,
    title, tr, track, tt, u, ul, wbr, xmp,
    count_
};

enum TagFlag : std::uint16_t {
    kVoid = 1 << 0,        // no content, no end tag (br, img...)
    kBlock = 1 << 1,       // displayed as a block: its text on lines of its own
    kUnseen = 1 << 2,      // its content is never shown (head, script, template...)
    kFormatting = 1 << 3,  // b, i, a...: closed across blocks by their end tag
    kSpecial = 1 << 4,     // the standard's "special" category: stops other end tags
    kScope = 1 << 5,       // bounds "in scope" searches (td, table, object...)
    kClosesP = 1 << 6,     // its start tag closes an open <p>
    kHeadContent = 1 << 7, // may stay in <head>
};

// The element named `name` (any case).
Tag tag_of(std::string_view name);
std::uint16_t flags_of(Tag tag);
inline bool has(Tag tag, TagFlag flag) { return (flags_of(tag) & flag) != 0; }

}  // namespace policy::html
