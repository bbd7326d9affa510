// gumbo_reference.cpp — the reference the HTML reader (policy/html.cpp) is
// checked against: the same visible text and links, computed from the tree
// Gumbo, an HTML5-conformant parser, builds. The product once read HTML this
// way; policy/html.cpp reads it in one pass without a tree, ten times faster,
// and html_reference_test.cpp checks that both read real mail alike. It is
// self-contained on purpose (its own UTF-8 decoding, white space, contexts,
// CSS): a reference that shared the reader's helpers would share their bugs.
#include "gumbo_reference.h"

#include <gumbo.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <utility>

#include "policy/text.h"

namespace reference {
namespace {

using policy::Link;
using policy::VisibleText;
using policy::trim;

constexpr std::size_t kMaxLinks = 1000;
constexpr std::size_t kMaxLinkText = 1024;
constexpr std::size_t kMaxContext = 2048;

constexpr std::size_t npos = static_cast<std::size_t>(-1);
constexpr char32_t kReplacement = 0xFFFD;

// --- UTF-8 and characters ---------------------------------------------------

bool is_continuation(char c)
{
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Decodes the character at text[pos] and moves pos past it. A malformed
// sequence becomes U+FFFD, one per maximal ill-formed subpart (as Unicode
// recommends and browsers do).
char32_t next_char(std::string_view text, std::size_t& pos)
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
        const unsigned char next = byte(pos + taken);
        if (next < low || next > high)
            break;
        low = 0x80;
        high = 0xBF;
        c = (c << 6) | (next & 0x3Fu);
    }
    pos += taken;
    return taken == length ? c : kReplacement;
}

void append_utf8(std::string& out, char32_t c)
{
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

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

char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(),
                      [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

// --- Collapsed text ---------------------------------------------------------

// Builds visible text: runs of white space become one space, invisible
// characters vanish, malformed UTF-8 becomes U+FFFD, and line breaks asked
// for between blocks become one "\n" however many there are. Nothing is
// written at the start or the end: a space or a break is only written before
// the next visible character, so the text is always trimmed.
class TextBuilder {
public:
    void append(std::string_view utf8)
    {
        std::size_t pos = 0;
        while (pos < utf8.size()) {
            const char32_t c = next_char(utf8, pos);
            if (is_space(c))
                space_ = true;
            else if (!is_invisible(c))
                put(c);
        }
    }

    void line_break() { break_ = true; }
    std::size_t size() const { return out_.size(); }
    const std::string& str() const { return out_; }
    std::string take() { return std::move(out_); }

private:
    void put(char32_t c)
    {
        if (!out_.empty()) {
            if (break_)
                out_ += '\n';
            else if (space_)
                out_ += ' ';
        }
        break_ = space_ = false;
        append_utf8(out_, c);
    }

    std::string out_;
    bool space_ = false;
    bool break_ = false;
};

std::string collapse(std::string_view text)
{
    TextBuilder builder;
    builder.append(text);
    return builder.take();
}

// text cut to at most max bytes, before a character rather than inside one.
std::string_view cut(std::string_view text, std::size_t max)
{
    if (text.size() <= max)
        return text;
    std::size_t end = max;
    while (end > 0 && is_continuation(text[end]))
        --end;
    return text.substr(0, end);
}

// A piece of built text on one line, at most max bytes: its breaks become
// spaces, and the space or break it may start or end with goes.
std::string one_line(std::string_view text, std::size_t max = npos)
{
    const auto blank = [](char c) { return c == '\n' || c == ' '; };
    while (!text.empty() && blank(text.front()))
        text.remove_prefix(1);
    text = cut(text, max);
    while (!text.empty() && blank(text.back()))
        text.remove_suffix(1);
    std::string out(text);
    std::replace(out.begin(), out.end(), '\n', ' ');
    return out;
}

// The context of a link at text[at, at_end) in the block text[from, to): the
// block on one line, or when it is longer than kMaxContext, a window of it
// around the link, cut at characters and, where possible, between words.
std::string context(std::string_view text, std::size_t from, std::size_t to, std::size_t at,
                    std::size_t at_end)
{
    if (to - from > kMaxContext) {
        std::size_t start = at > from + kMaxContext / 2 ? at - kMaxContext / 2 : from;
        std::size_t end = std::min(to, start + kMaxContext);
        if (end - start < kMaxContext)
            start = end - kMaxContext;
        while (start < end && is_continuation(text[start]))
            ++start;
        while (end > start && end < text.size() && is_continuation(text[end]))
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

// --- HTML -------------------------------------------------------------------

const char* attribute(const GumboElement& element, const char* name)
{
    const GumboAttribute* attr = gumbo_get_attribute(&element.attributes, name);
    return attr != nullptr ? attr->value : nullptr;
}

// Elements whose content a reader never sees.
bool is_unseen(GumboTag tag)
{
    switch (tag) {
    case GUMBO_TAG_HEAD: case GUMBO_TAG_TITLE: case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE:
    case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_APPLET: case GUMBO_TAG_IFRAME: case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_NOEMBED: case GUMBO_TAG_DATALIST: case GUMBO_TAG_DESC:
        return true;
    default:
        return false;
    }
}

// Elements that start and end a block (rendered display: block, list-item,
// table parts): their text is on its own line.
bool is_block(GumboTag tag)
{
    switch (tag) {
    case GUMBO_TAG_HTML: case GUMBO_TAG_BODY: case GUMBO_TAG_ADDRESS: case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_ASIDE: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_CENTER: case GUMBO_TAG_DD: case GUMBO_TAG_DETAILS: case GUMBO_TAG_DIR:
    case GUMBO_TAG_DIV: case GUMBO_TAG_DL: case GUMBO_TAG_DT: case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_FIGURE: case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_FORM: case GUMBO_TAG_FRAMESET: case GUMBO_TAG_H1: case GUMBO_TAG_H2:
    case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6:
    case GUMBO_TAG_HEADER: case GUMBO_TAG_HGROUP: case GUMBO_TAG_HR: case GUMBO_TAG_LEGEND:
    case GUMBO_TAG_LI: case GUMBO_TAG_LISTING: case GUMBO_TAG_MAIN: case GUMBO_TAG_MENU:
    case GUMBO_TAG_NAV: case GUMBO_TAG_OL: case GUMBO_TAG_P: case GUMBO_TAG_PLAINTEXT:
    case GUMBO_TAG_PRE: case GUMBO_TAG_SECTION: case GUMBO_TAG_SUMMARY: case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TBODY: case GUMBO_TAG_TD: case GUMBO_TAG_TFOOT: case GUMBO_TAG_TH:
    case GUMBO_TAG_THEAD: case GUMBO_TAG_TR: case GUMBO_TAG_UL: case GUMBO_TAG_XMP:
        return true;
    default:
        return false;
    }
}

// CSS white space includes form feed.
std::string_view trim_css(std::string_view text) { return trim(text, " \t\r\n\f"); }

// What an inline style says about visibility: display: none hides the
// element and everything in it; visibility: hidden hides its content unless
// a descendant says visibility: visible again. Later declarations win, unless
// an earlier one is !important.
struct InlineStyle {
    std::optional<bool> display_none;
    std::optional<bool> visibility_hidden;
};

InlineStyle parse_style(std::string_view style)
{
    std::string css;  // lower-cased, comments removed
    css.reserve(style.size());
    for (std::size_t i = 0; i < style.size(); ++i) {
        if (style[i] == '/' && i + 1 < style.size() && style[i + 1] == '*') {
            const auto close = style.find("*/", i + 2);
            if (close == std::string_view::npos)
                break;
            i = close + 1;
            continue;
        }
        css += ascii_lower(style[i]);
    }

    InlineStyle result;
    bool display_important = false;
    bool visibility_important = false;
    std::string_view rest = css;
    while (!rest.empty()) {
        const auto semicolon = rest.find(';');
        const std::string_view declaration = rest.substr(0, semicolon);
        rest = semicolon == std::string_view::npos ? std::string_view{} : rest.substr(semicolon + 1);
        const auto colon = declaration.find(':');
        if (colon == std::string_view::npos)
            continue;
        const auto property = trim_css(declaration.substr(0, colon));
        auto value = trim_css(declaration.substr(colon + 1));
        bool important = false;
        if (const auto bang = value.find('!');
            bang != std::string_view::npos && trim_css(value.substr(bang + 1)) == "important") {
            important = true;
            value = trim_css(value.substr(0, bang));
        }
        if (property == "display") {
            if (important || !display_important) {
                result.display_none = value == "none";
                display_important = important;
            }
        } else if (property == "visibility") {
            const bool hidden = value == "hidden" || value == "collapse";
            const bool shown = value == "visible" || value == "initial";
            if ((hidden || shown) && (important || !visibility_important)) {
                result.visibility_hidden = hidden;
                visibility_important = important;
            }
        }
    }
    return result;
}

// The URL of an href a reader can follow to the web or to a mail composer:
// http:, https: or mailto: (any case). As a browser's URL parser does, leading
// and trailing spaces and control characters are dropped, and tabs and line
// breaks removed anywhere.
std::optional<std::string> followable_url(std::string_view href)
{
    while (!href.empty() && static_cast<unsigned char>(href.front()) <= 0x20)
        href.remove_prefix(1);
    while (!href.empty() && static_cast<unsigned char>(href.back()) <= 0x20)
        href.remove_suffix(1);
    std::string url;
    url.reserve(href.size());
    for (char c : href)
        if (c != '\t' && c != '\n' && c != '\r')
            url += c;
    const auto colon = url.find(':');
    if (colon == std::string::npos)
        return std::nullopt;
    const std::string_view scheme = std::string_view(url).substr(0, colon);
    if (iequals(scheme, "http") || iequals(scheme, "https") || iequals(scheme, "mailto"))
        return url;
    return std::nullopt;
}

class HtmlReader {
public:
    VisibleText read(const GumboNode* document)
    {
        blocks_.push_back({0, {}});  // for links outside any block element
        std::vector<Step> steps{{document, false}};
        while (!steps.empty()) {
            const Step step = steps.back();
            steps.pop_back();
            if (step.leaving)
                leave();
            else
                enter(step.node, steps);
        }
        while (!blocks_.empty())
            finish_block();
        VisibleText result;
        result.text = text_.take();
        result.links = std::move(links_);
        return result;
    }

private:
    struct Step {
        const GumboNode* node;
        bool leaving;
    };
    // An element being read, with what to restore when leaving it.
    struct Open {
        bool block;
        std::size_t link;          // the link it starts, or npos
        std::size_t outer_anchor;  // the link being read around it, or npos
        bool outer_visible;
    };
    struct Block {
        std::size_t start;               // in text_
        std::vector<std::size_t> links;  // links whose nearest block this is
    };
    struct Anchor {
        const GumboElement* element;
        std::size_t start = 0;  // the anchor's text in text_
        std::size_t end = 0;
        std::string image_alt;  // of the first visible image with an alt inside
    };

    void enter(const GumboNode* node, std::vector<Step>& steps)
    {
        switch (node->type) {
        case GUMBO_NODE_DOCUMENT:
            push_children(node->v.document.children, steps);
            return;
        case GUMBO_NODE_TEXT:
        case GUMBO_NODE_CDATA:
        case GUMBO_NODE_WHITESPACE:
            if (visible_)
                text_.append(node->v.text.text);
            return;
        case GUMBO_NODE_ELEMENT:
            enter_element(node, steps);
            return;
        default:  // comments; template contents
            return;
        }
    }

    void enter_element(const GumboNode* node, std::vector<Step>& steps)
    {
        const GumboElement& element = node->v.element;
        if (is_unseen(element.tag))
            return;
        if (element.tag == GUMBO_TAG_INPUT)
            return;  // no content; its value (a hidden input's too) is not text read
        bool displayed = attribute(element, "hidden") == nullptr;
        bool visible = visible_;
        if (const char* style = attribute(element, "style")) {
            const InlineStyle css = parse_style(style);
            if (css.display_none)
                displayed = !*css.display_none;  // display: block overrides hidden
            if (css.visibility_hidden)
                visible = !*css.visibility_hidden;
        }
        if (!displayed)
            return;
        if (element.tag == GUMBO_TAG_BR) {
            text_.line_break();
            return;
        }

        const bool block = element.tag_namespace == GUMBO_NAMESPACE_HTML && is_block(element.tag);
        Open open{block, npos, anchor_, visible_};
        visible_ = visible;
        if (block) {
            text_.line_break();
            blocks_.push_back({text_.size(), {}});
        }
        if (visible_ && (element.tag == GUMBO_TAG_A || element.tag == GUMBO_TAG_AREA))
            open.link = start_link(element);
        if (visible_ && element.tag == GUMBO_TAG_IMG && anchor_ != npos &&
            anchors_[anchor_].image_alt.empty())
            if (const char* alt = attribute(element, "alt"))
                anchors_[anchor_].image_alt =
                    one_line(collapse(cut(alt, 4 * kMaxLinkText)), kMaxLinkText);
        if (open.link != npos)
            anchor_ = open.link;
        open_.push_back(open);
        steps.push_back({node, true});
        push_children(element.children, steps);
    }

    void leave()
    {
        const Open open = open_.back();
        open_.pop_back();
        if (open.link != npos)
            finish_link(open.link);
        if (open.block) {
            text_.line_break();
            finish_block();
        }
        anchor_ = open.outer_anchor;
        visible_ = open.outer_visible;
    }

    static void push_children(const GumboVector& children, std::vector<Step>& steps)
    {
        for (unsigned i = children.length; i-- > 0;)
            steps.push_back({static_cast<const GumboNode*>(children.data[i]), false});
    }

    std::size_t start_link(const GumboElement& element)
    {
        if (links_.size() >= kMaxLinks)
            return npos;
        const char* href = attribute(element, "href");
        if (href == nullptr)
            return npos;
        auto url = followable_url(href);
        if (!url)
            return npos;
        links_.push_back({std::move(*url), {}, {}});
        anchors_.push_back({&element, text_.size(), text_.size(), {}});
        blocks_.back().links.push_back(links_.size() - 1);
        return links_.size() - 1;
    }

    void finish_link(std::size_t index)
    {
        Anchor& anchor = anchors_[index];
        anchor.end = text_.size();
        const std::string_view shown =
            std::string_view(text_.str()).substr(anchor.start, anchor.end - anchor.start);
        std::string text = one_line(shown, kMaxLinkText);
        if (text.empty()) {
            // An image link says what its image's alt says; an <area> has
            // an alt of its own; failing that, the title.
            if (anchor.element->tag == GUMBO_TAG_AREA) {
                if (const char* alt = attribute(*anchor.element, "alt"))
                    text = one_line(collapse(cut(alt, 4 * kMaxLinkText)), kMaxLinkText);
            } else {
                text = anchor.image_alt;
            }
        }
        if (text.empty())
            if (const char* title = attribute(*anchor.element, "title"))
                text = one_line(collapse(cut(title, 4 * kMaxLinkText)), kMaxLinkText);
        links_[index].text = std::move(text);
    }

    void finish_block()
    {
        const Block& block = blocks_.back();
        for (std::size_t index : block.links)
            links_[index].context = context(text_.str(), block.start, text_.size(),
                                            anchors_[index].start, anchors_[index].end);
        blocks_.pop_back();
    }

    TextBuilder text_;
    std::vector<Link> links_;
    std::vector<Anchor> anchors_;  // parallel to links_
    std::vector<Open> open_;
    std::vector<Block> blocks_;
    std::size_t anchor_ = npos;  // the link being read, or npos
    bool visible_ = true;        // false under visibility: hidden
};

}  // namespace

VisibleText gumbo_to_visible(std::string_view html)
{
    GumboOptions options = kGumboDefaultOptions;
    options.max_errors = 0;
    GumboOutput* output = gumbo_parse_with_options(&options, html.data(), html.size());
    VisibleText visible = HtmlReader().read(output->document);
    gumbo_destroy_output(&options, output);
    return visible;
}

}  // namespace reference
