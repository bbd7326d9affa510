// html.cpp — what a reader sees of an HTML part: its visible text and the
// links they can click (content.h).
//
// The HTML is read in one pass over the tokens of html_lexer.h, without a
// tree: a stack of the open elements stands in for it, closed and implied as
// the HTML standard's tree construction closes and implies them where that
// changes what is seen (a <p> closed by the next block, a cell by the next
// cell, an <a> by the next <a>, end tags that do not match ignored at the
// elements that stop them). Text inside an element that is not shown
// (head, script, style, template, hidden or display: none...) is dropped,
// blocks put their text on lines of their own, and each link gets its text
// and the text of its nearest block as context.
//
// Why not a tree-building parser: Gumbo, the HTML5 parser Debian carries,
// spends about a millisecond on a 20 KB newsletter building a tree this
// reader never needs; one pass costs a few microseconds (docs/performance.md).
//
// Bounds, so that one part costs bounded time and memory whatever it holds:
//   - Only the first 4 MiB of a part are read (visible_text.h).
//   - At most kMaxDepth elements are open at once; deeper, each new element
//     first closes the innermost one, as browsers cap their tree depth.
//   - End tags search at most the open elements, and the total searching is
//     capped (kWorkPerByte): past it the part is reported as not complete
//     and yields no text and no links.
//   - At most kMaxLinks links; a link's text is cut to kMaxLinkText bytes and
//     its context to kMaxContext bytes.
//
// Nothing here throws on any input; the only exception that can escape is
// std::bad_alloc when the process itself is out of memory.
#include "content.h"
#include "byte_scan.h"
#include "html_entities.h"
#include "html_lexer.h"
#include "html_tags.h"
#include "text.h"
#include "utf8.h"
#include "visible_text.h"

#include <algorithm>
#include <array>
#include <optional>

namespace policy {
namespace {

using html::Tag;

constexpr std::size_t npos = static_cast<std::size_t>(-1);
constexpr std::size_t kMaxDepth = 512;
constexpr std::size_t kWorkPerByte = 64;
constexpr std::size_t kMaxImageAlt = 4 * kMaxLinkText;

// --- Attributes -------------------------------------------------------------

// An attribute value as the reader's client has it: references decoded,
// malformed UTF-8 and NUL replaced by U+FFFD.
std::string attribute_value(std::string_view raw)
{
    std::string out;
    out.reserve(raw.size());
    std::size_t pos = 0;
    while (pos < raw.size()) {
        const std::size_t end = scan::plain_ascii_end(raw, pos);
        out.append(raw.substr(pos, end - pos));
        pos = end;
        if (pos >= raw.size())
            break;
        if (raw[pos] == '&') {
            pos += html::decode_reference(raw.substr(pos), true, out);
        } else {
            const char32_t c = utf8::next(raw, pos);
            utf8::append(out, c == 0 ? utf8::kReplacement : c);
        }
    }
    return out;
}

// An alt or title attribute as one line of visible text.
std::string attribute_text(std::string_view raw)
{
    TextBuilder text;
    text.append_html(utf8::cut(raw, kMaxImageAlt), true);
    return one_line(text.str(), kMaxLinkText);
}

// The URL of an href a reader can follow to the web or to a mail composer:
// http:, https: or mailto: (any case). As a browser's URL parser does, leading
// and trailing spaces and control characters are dropped, and tabs and line
// breaks removed anywhere (also inside the scheme: "ht\ntps:").
std::optional<std::string> followable_url(std::string_view raw_href)
{
    // Most hrefs are plain ASCII without references: read in place.
    const bool plain = std::none_of(raw_href.begin(), raw_href.end(),
                                    [](char c) { return c == '&' || c <= 0; });
    std::string decoded;
    if (!plain)
        decoded = attribute_value(raw_href);
    std::string_view trimmed = plain ? raw_href : std::string_view(decoded);
    while (!trimmed.empty() && static_cast<unsigned char>(trimmed.front()) <= 0x20)
        trimmed.remove_prefix(1);
    while (!trimmed.empty() && static_cast<unsigned char>(trimmed.back()) <= 0x20)
        trimmed.remove_suffix(1);
    const auto tab_or_line_break = [](char c) { return c == '\t' || c == '\n' || c == '\r'; };
    std::string url(trimmed);  // copied whole: most hrefs have neither
    url.erase(std::remove_if(url.begin(), url.end(), tab_or_line_break), url.end());
    const auto colon = url.find(':');
    if (colon == std::string::npos)
        return std::nullopt;
    const std::string_view scheme = std::string_view(url).substr(0, colon);
    if (iequals_ascii(scheme, "http") || iequals_ascii(scheme, "https") || iequals_ascii(scheme, "mailto"))
        return url;
    return std::nullopt;
}

// --- Inline styles ----------------------------------------------------------

bool is_css_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string_view trim_css(std::string_view text)
{
    while (!text.empty() && is_css_space(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && is_css_space(text.back()))
        text.remove_suffix(1);
    return text;
}

// What an inline style says about visibility: display: none hides the
// element and everything in it; visibility: hidden hides its content unless
// a descendant says visibility: visible again. Later declarations win, unless
// an earlier one is !important. Names and keywords are case-insensitive.
struct InlineStyle {
    std::optional<bool> display_none;
    std::optional<bool> visibility_hidden;
};

InlineStyle parse_style(std::string_view style);

// The style without its comments, then parsed (rare: mail seldom has any).
InlineStyle parse_commented_style(std::string_view style)
{
    std::string css;
    css.reserve(style.size());
    for (std::size_t i = 0; i < style.size(); ++i) {
        if (style[i] == '/' && i + 1 < style.size() && style[i + 1] == '*') {
            const auto close = style.find("*/", i + 2);
            if (close == std::string_view::npos)
                break;
            i = close + 1;
            continue;
        }
        css += style[i];
    }
    return parse_style(css);
}

InlineStyle parse_style(std::string_view style)
{
    if (style.find("/*") != std::string_view::npos)
        return parse_commented_style(style);
    InlineStyle result;
    bool display_important = false;
    bool visibility_important = false;
    std::string_view rest = style;
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
            bang != std::string_view::npos && iequals_ascii(trim_css(value.substr(bang + 1)), "important")) {
            important = true;
            value = trim_css(value.substr(0, bang));
        }
        if (iequals_ascii(property, "display")) {
            if (important || !display_important) {
                result.display_none = iequals_ascii(value, "none");
                display_important = important;
            }
        } else if (iequals_ascii(property, "visibility")) {
            const bool hidden = iequals_ascii(value, "hidden") || iequals_ascii(value, "collapse");
            const bool shown = iequals_ascii(value, "visible") || iequals_ascii(value, "initial");
            if ((hidden || shown) && (important || !visibility_important)) {
                result.visibility_hidden = hidden;
                visibility_important = important;
            }
        }
    }
    return result;
}

// Most inline styles say nothing about visibility, and most that do say
// "display: block" (on images and buttons): only a value of "none",
// "hidden" or "collapse" can hide, so only styles with one of them after a
// ':' are parsed. A reference or an escape could spell anything: styles
// holding one are parsed too.
bool may_hide(std::string_view style)
{
    for (std::size_t i = scan::find_any(style, 0, ':', '&', '\\'); i < style.size();
         i = scan::find_any(style, i + 1, ':', '&', '\\')) {
        if (style[i] != ':')
            return true;
        std::size_t value = i + 1;
        while (value < style.size() && is_css_space(style[value]))
            ++value;
        if (value >= style.size())
            break;
        const std::string_view rest = style.substr(value);
        switch (rest[0]) {
        case 'n': case 'N': case 'h': case 'H': case 'c': case 'C':
            if (iequals_ascii(rest.substr(0, 4), "none") || iequals_ascii(rest.substr(0, 6), "hidden") ||
                iequals_ascii(rest.substr(0, 8), "collapse"))
                return true;
            break;
        default:
            break;
        }
    }
    return false;
}

bool is_table_part(Tag tag)
{
    switch (tag) {
    case Tag::caption: case Tag::col: case Tag::colgroup: case Tag::tbody: case Tag::td: case Tag::tfoot:
    case Tag::th: case Tag::thead: case Tag::tr:
        return true;
    default:
        return false;
    }
}

// HTML elements that end SVG or MathML content when they start inside it.
bool breaks_out_of_foreign(Tag tag, const html::Token& token)
{
    switch (tag) {
    case Tag::b: case Tag::big: case Tag::blockquote: case Tag::body: case Tag::br: case Tag::center:
    case Tag::code: case Tag::dd: case Tag::div: case Tag::dl: case Tag::dt: case Tag::em: case Tag::embed:
    case Tag::h1: case Tag::h2: case Tag::h3: case Tag::h4: case Tag::h5: case Tag::h6: case Tag::head:
    case Tag::hr: case Tag::i: case Tag::img: case Tag::li: case Tag::listing: case Tag::menu: case Tag::meta:
    case Tag::nobr: case Tag::ol: case Tag::p: case Tag::pre: case Tag::s: case Tag::small: case Tag::strong:
    case Tag::strike: case Tag::table: case Tag::tt: case Tag::u: case Tag::ul:
        return true;
    case Tag::font:
        return token.attribute("color") != nullptr || token.attribute("face") != nullptr ||
               token.attribute("size") != nullptr;
    case Tag::other:
        return iequals_ascii(token.data, "span") || iequals_ascii(token.data, "sub") ||
               iequals_ascii(token.data, "sup") || iequals_ascii(token.data, "var") ||
               iequals_ascii(token.data, "ruby");
    default:
        return false;
    }
}

// --- The reader -------------------------------------------------------------

class HtmlReader {
public:
    explicit HtmlReader(std::string_view html) : m_html(html), m_work_left(kWorkPerByte * html.size() + 100000)
    {
        m_text.reserve(html.size() / 2);
        m_open.reserve(64);
        m_blocks.reserve(64);
        m_links.reserve(32);
        m_anchors.reserve(32);
    }

    VisibleText read();

private:
    // An element open on the stack, with what to restore when it closes.
    struct Open {
        Tag tag;
        std::string_view name;     // as written, for elements of Tag::other
        bool hides;                // nothing inside it is shown
        bool block;                // it started a block
        std::size_t link;          // the link it starts, or npos
        std::size_t outer_anchor;  // the link being read around it, or npos
        bool outer_visible;
        bool foreign = false;      // an SVG or MathML element
    };
    struct Block {
        std::size_t start;  // in m_text
    };
    // A link whose context is the text of its nearest block, once it ends.
    struct WaitingLink {
        std::size_t link;
        std::size_t block;  // index in m_blocks
    };
    struct Anchor {
        Tag tag;                 // a or area
        std::size_t start = 0;   // the anchor's text in m_text
        std::size_t end = 0;
        std::string image_alt;   // of the first visible image with an alt inside
        std::string_view title;     // as written, read only when the link shows nothing
        std::string_view area_alt;
    };
    // Which open elements stop the search for the element an end tag closes.
    enum class Scope { any_other, element, button, list_item, table };

    bool shown() const { return m_hiding == 0; }
    bool is_open(Tag tag) const { return m_open_count[static_cast<std::size_t>(tag)] > 0; }
    static bool select_may_hold(Tag tag);
    void foreign_element(Tag tag, const html::Token& token);
    void text(const html::Token& token);
    void start_tag(const html::Token& token);
    void end_tag(const html::Token& token);
    void imply_end_tags(Tag tag);
    void void_element(Tag tag, const html::Token& token, bool displayed);
    void push(Tag tag, const html::Token& token, bool displayed, bool visible);
    std::size_t find_open(Tag tag, std::string_view name, Scope scope);
    void close_to(std::size_t index);
    void close_top();
    void close_head();
    void close_anchor(std::size_t index);
    std::size_t start_link(Tag tag, const html::Token& token);
    void finish_link(std::size_t index);
    void finish_block();

    std::string_view m_html;
    std::size_t m_work_left;
    TextBuilder m_text;
    std::vector<Link> m_links;
    std::vector<Anchor> m_anchors;  // parallel to m_links
    std::vector<Open> m_open;
    std::array<std::uint32_t, static_cast<std::size_t>(Tag::count_)> m_open_count{};
    std::vector<Block> m_blocks;
    std::vector<WaitingLink> m_waiting_for_context;  // innermost block's last
    std::size_t m_anchor = npos;  // the link being read, or npos
    std::size_t m_hiding = 0;     // open elements that hide their content
    std::size_t m_foreign = 0;    // open SVG and MathML elements
    bool m_visible = true;        // false under visibility: hidden
    bool m_head_done = false;     // a <head> was opened (and closed) or the body began
};

VisibleText HtmlReader::read()
{
    m_blocks.push_back({0});  // for links outside any block element
    html::Lexer lexer(m_html);
    html::Token token;
    for (lexer.next(token); token.kind != html::Token::Kind::end; lexer.next(token)) {
        if (token.kind == html::Token::Kind::text)
            text(token);
        else if (token.kind == html::Token::Kind::start_tag)
            start_tag(token);
        else
            end_tag(token);
        if (m_work_left == 0) {
            VisibleText unread;  // too costly: see the top of this file
            unread.complete = false;
            return unread;
        }
        --m_work_left;
    }
    close_to(0);
    while (!m_blocks.empty())
        finish_block();
    VisibleText result;
    result.text = m_text.take();
    result.links = std::move(m_links);
    return result;
}

void HtmlReader::text(const html::Token& token)
{
    if (!m_open.empty() && m_open.back().tag == Tag::head &&
        token.data.find_first_not_of(" \t\n\r\f") != std::string_view::npos)
        close_head();  // text ends the head: it belongs to the body
    if (!shown() || !m_visible)
        return;
    if (token.raw)
        m_text.append(token.data);
    else
        m_text.append_html(token.data);
}

void HtmlReader::start_tag(const html::Token& token)
{
    const Tag tag = token.tag;
    if (tag == Tag::html)
        return;  // its attributes go to the root; nothing to open
    if (tag == Tag::head) {
        if (!m_head_done && m_open.empty())
            push(tag, token, true, m_visible);
        m_head_done = true;
        return;
    }
    if (!m_open.empty() && m_open.back().tag == Tag::head && !html::has(tag, html::kHeadContent))
        close_head();
    m_head_done = true;
    if (tag == Tag::body)
        return;  // the body is the root block
    if (is_table_part(tag) && !is_open(Tag::table))
        return;  // a cell or row outside any table is ignored, as browsers do
    if (is_open(Tag::select)) {
        if (tag == Tag::select) {
            close_to(find_open(Tag::select, {}, Scope::table));  // read as </select>
            return;
        }
        if (!select_may_hold(tag) && tag != Tag::input && tag != Tag::keygen && tag != Tag::textarea)
            return;
    }
    if (m_foreign > 0) {
        if (!breaks_out_of_foreign(tag, token)) {
            foreign_element(Tag::other, token);
            return;
        }
        while (m_foreign > 0)
            close_top();
    }
    imply_end_tags(tag);
    if (tag == Tag::svg || tag == Tag::math) {
        foreign_element(tag, token);
        return;
    }

    bool displayed = true;
    bool visible = m_visible;
    if (shown()) {
        displayed = token.attribute(html::Known::hidden) == nullptr;
        // Under the hidden attribute or visibility: hidden, a style can also
        // show what would be hidden, so it is always read there.
        if (const auto* style = token.attribute(html::Known::style);
            style != nullptr && (!displayed || !m_visible || may_hide(*style))) {
            const InlineStyle css = parse_style(attribute_value(*style));
            if (css.display_none)
                displayed = !*css.display_none;  // display: block overrides hidden
            if (css.visibility_hidden)
                visible = !*css.visibility_hidden;
        }
    }
    const bool foreign_void = token.self_closing && (tag == Tag::other || tag == Tag::svg || tag == Tag::math);
    if (html::has(tag, html::kVoid) || foreign_void) {
        void_element(tag, token, displayed);
        return;
    }
    if (m_open.size() >= kMaxDepth)
        close_top();
    push(tag, token, displayed, visible);
}

// Inside a <select> only options count; a new select, an input or a
// textarea ends it. Other start tags are ignored, as browsers do.
bool HtmlReader::select_may_hold(Tag tag)
{
    switch (tag) {
    case Tag::option: case Tag::optgroup: case Tag::script: case Tag::template_: case Tag::style:
        return true;
    default:
        return false;
    }
}

// An element inside SVG or MathML: never a block or a hidden kind of its
// own, and "<x/>" closes itself.
void HtmlReader::foreign_element(Tag tag, const html::Token& token)
{
    if (token.self_closing)
        return;
    if (m_open.size() >= kMaxDepth)
        close_top();
    push(tag, token, true, m_visible);
    m_open.back().foreign = true;
    ++m_foreign;
}

// Start tags that close elements still open: a paragraph ends at the next
// block, a list item at the next item, a cell at the next cell or row, an
// anchor at the next anchor.
void HtmlReader::imply_end_tags(Tag tag)
{
    const auto close_nearest = [&](std::initializer_list<Tag> tags, Scope scope) {
        std::size_t nearest = npos;
        for (Tag candidate : tags)
            if (const std::size_t at = find_open(candidate, {}, scope); at != npos && (nearest == npos || at > nearest))
                nearest = at;
        if (nearest != npos)
            close_to(nearest);
    };
    if (html::has(tag, html::kClosesP))
        close_nearest({Tag::p}, Scope::button);
    switch (tag) {
    case Tag::li:
        close_nearest({Tag::li}, Scope::list_item);
        break;
    case Tag::dd: case Tag::dt:
        close_nearest({Tag::dd, Tag::dt}, Scope::element);
        break;
    case Tag::h1: case Tag::h2: case Tag::h3: case Tag::h4: case Tag::h5: case Tag::h6:
        if (!m_open.empty() && m_open.back().tag >= Tag::h1 && m_open.back().tag <= Tag::h6)
            close_top();
        break;
    case Tag::td: case Tag::th:
        close_nearest({Tag::td, Tag::th}, Scope::table);
        break;
    case Tag::tr:
        close_nearest({Tag::tr, Tag::td, Tag::th}, Scope::table);
        break;
    case Tag::tbody: case Tag::thead: case Tag::tfoot:
        close_nearest({Tag::tbody, Tag::thead, Tag::tfoot, Tag::tr, Tag::td, Tag::th}, Scope::table);
        break;
    case Tag::option:
        if (!m_open.empty() && m_open.back().tag == Tag::option)
            close_top();
        break;
    case Tag::select: case Tag::input: case Tag::keygen: case Tag::textarea:
        close_nearest({Tag::select}, Scope::table);
        break;
    case Tag::a:
        if (const std::size_t open = find_open(Tag::a, {}, Scope::element); open != npos)
            close_anchor(open);
        break;
    default:
        break;
    }
}

void HtmlReader::void_element(Tag tag, const html::Token& token, bool displayed)
{
    if (!shown() || !displayed)
        return;
    switch (tag) {
    case Tag::br:
        m_text.line_break();
        break;
    case Tag::hr:
        m_text.line_break();
        break;
    case Tag::img: case Tag::image:
        if (m_visible && m_anchor != npos && m_anchors[m_anchor].image_alt.empty())
            if (const auto* alt = token.attribute(html::Known::alt))
                m_anchors[m_anchor].image_alt = attribute_text(*alt);
        break;
    case Tag::area:
        if (m_visible)
            if (const std::size_t link = start_link(tag, token); link != npos)
                finish_link(link);
        break;
    default:
        break;  // input (a hidden input's value too), meta, embed...: no text
    }
}

void HtmlReader::push(Tag tag, const html::Token& token, bool displayed, bool visible)
{
    Open open{tag, tag == Tag::other ? token.data : std::string_view{}, false, false, npos, m_anchor, m_visible};
    ++m_open_count[static_cast<std::size_t>(tag)];
    if (shown() && (!displayed || html::has(tag, html::kUnseen))) {
        open.hides = true;
        ++m_hiding;
    } else if (shown()) {
        m_visible = visible;
        open.block = html::has(tag, html::kBlock);
        if (open.block) {
            m_text.line_break();
            m_blocks.push_back({m_text.size()});
        }
        if (m_visible && tag == Tag::a) {
            open.link = start_link(tag, token);
            if (open.link != npos)
                m_anchor = open.link;
        }
    }
    m_open.push_back(open);
}

void HtmlReader::end_tag(const html::Token& token)
{
    const Tag tag = token.tag;
    if (is_open(Tag::select) && tag != Tag::select && !select_may_hold(tag))
        return;  // inside a <select> other end tags are ignored
    switch (tag) {
    case Tag::html: case Tag::body:
        return;  // what follows still belongs to the body
    case Tag::head:
        if (!m_open.empty() && m_open.back().tag == Tag::head)
            close_head();
        return;
    case Tag::br:
        if (shown())
            m_text.line_break();  // "</br>" is read as "<br>"
        return;
    case Tag::p:
        if (const std::size_t open = find_open(tag, {}, Scope::button); open != npos)
            close_to(open);
        else if (shown())
            m_text.line_break();  // a stray </p> makes an empty paragraph
        return;
    case Tag::li:
        if (const std::size_t open = find_open(tag, {}, Scope::list_item); open != npos)
            close_to(open);
        return;
    case Tag::h1: case Tag::h2: case Tag::h3: case Tag::h4: case Tag::h5: case Tag::h6: {
        std::size_t nearest = npos;
        for (Tag heading : {Tag::h1, Tag::h2, Tag::h3, Tag::h4, Tag::h5, Tag::h6})
            if (const std::size_t at = find_open(heading, {}, Scope::element); at != npos && (nearest == npos || at > nearest))
                nearest = at;
        if (nearest != npos)
            close_to(nearest);
        return;
    }
    case Tag::table: case Tag::tbody: case Tag::thead: case Tag::tfoot: case Tag::tr: case Tag::td: case Tag::th:
    case Tag::caption:
        if (const std::size_t open = find_open(tag, {}, Scope::table); open != npos)
            close_to(open);
        return;
    default:
        break;
    }
    const bool special = html::has(tag, html::kSpecial) || html::has(tag, html::kFormatting);
    if (const std::size_t open = find_open(tag, token.data, special ? Scope::element : Scope::any_other); open != npos)
        close_to(open);
}

// The index in m_open of the innermost open element `tag` (for Tag::other,
// of that name) that the scope lets an end tag reach, or npos.
std::size_t HtmlReader::find_open(Tag tag, std::string_view name, Scope scope)
{
    if (m_open_count[static_cast<std::size_t>(tag)] == 0)
        return npos;
    for (std::size_t i = m_open.size(); i-- > 0;) {
        if (m_work_left == 0)
            return npos;
        --m_work_left;
        const Open& open = m_open[i];
        if (open.tag == tag && (tag != Tag::other || iequals_ascii(open.name, name)))
            return i;
        const Tag other = open.tag;
        const bool stops = [&] {
            switch (scope) {
            case Scope::any_other: return html::has(other, html::kSpecial);
            case Scope::element: return html::has(other, html::kScope);
            case Scope::button: return html::has(other, html::kScope) || other == Tag::button;
            case Scope::list_item:
                return html::has(other, html::kScope) || other == Tag::ol || other == Tag::ul;
            case Scope::table: return other == Tag::table || other == Tag::html || other == Tag::template_;
            }
            return true;
        }();
        if (stops)
            return npos;
    }
    return npos;
}

void HtmlReader::close_to(std::size_t index)
{
    while (m_open.size() > index)
        close_top();
}

void HtmlReader::close_top()
{
    const Open open = m_open.back();
    m_open.pop_back();
    --m_open_count[static_cast<std::size_t>(open.tag)];
    if (open.hides)
        --m_hiding;
    if (open.foreign)
        --m_foreign;
    if (open.link != npos)
        finish_link(open.link);
    if (open.block) {
        m_text.line_break();
        finish_block();
    }
    m_anchor = open.outer_anchor;
    m_visible = open.outer_visible;
}

void HtmlReader::close_head()
{
    close_top();
    m_head_done = true;
}

// A new <a> ends the one still open: its link ends here, the element stays
// open as plain inline content.
void HtmlReader::close_anchor(std::size_t index)
{
    Open& open = m_open[index];
    if (open.link == npos)
        return;
    finish_link(open.link);
    open.link = npos;
    m_anchor = open.outer_anchor;
}

std::size_t HtmlReader::start_link(Tag tag, const html::Token& token)
{
    if (m_links.size() >= kMaxLinks)
        return npos;
    const auto* href = token.attribute(html::Known::href);
    if (href == nullptr)
        return npos;
    auto url = followable_url(*href);
    if (!url)
        return npos;
    m_links.push_back({std::move(*url), {}, {}});
    Anchor anchor{tag, m_text.size(), m_text.size(), {}, {}, {}};
    if (const auto* title = token.attribute(html::Known::title))
        anchor.title = *title;
    if (tag == Tag::area)
        if (const auto* alt = token.attribute(html::Known::alt))
            anchor.area_alt = *alt;
    m_anchors.push_back(std::move(anchor));
    m_waiting_for_context.push_back({m_links.size() - 1, m_blocks.size() - 1});
    return m_links.size() - 1;
}

// A link's text is what it shows; an image link's, its image's alt; an
// <area>'s, its own alt; failing those, its title.
void HtmlReader::finish_link(std::size_t index)
{
    Anchor& anchor = m_anchors[index];
    anchor.end = m_text.size();
    std::string text = one_line(std::string_view(m_text.str()).substr(anchor.start, anchor.end - anchor.start),
                                kMaxLinkText);
    if (text.empty())
        text = anchor.tag == Tag::area ? attribute_text(anchor.area_alt) : std::move(anchor.image_alt);
    if (text.empty())
        text = attribute_text(anchor.title);
    m_links[index].text = std::move(text);
}

void HtmlReader::finish_block()
{
    const std::size_t block = m_blocks.size() - 1;
    const std::size_t start = m_blocks.back().start;
    while (!m_waiting_for_context.empty() && m_waiting_for_context.back().block == block) {
        const std::size_t index = m_waiting_for_context.back().link;
        m_links[index].context = context(m_text.str(), start, m_text.size(), m_anchors[index].start, m_anchors[index].end);
        m_waiting_for_context.pop_back();
    }
    m_blocks.pop_back();
}

}  // namespace

VisibleText html_to_visible(std::string_view html)
{
    return HtmlReader(cap_input(html)).read();
}

}  // namespace policy
