#include "register_render.h"

#include <algorithm>
#include <string_view>

#include "html_text.h"

namespace ctl {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// --- Markdown -------------------------------------------------------------

// What CommonMark (and GitHub's tables and strikethrough) may read as
// markup anywhere in a line.
constexpr std::string_view markdown_punctuation = "\\`*_[]<>|~#";

// Whether the character at `at` would start a block (list, heading, thematic
// break, setext underline) when the text opens a list item or a paragraph.
bool opens_block(std::string_view text, std::size_t at)
{
    if (at == 0)
        return std::string_view("-+=").find(text[0]) != std::string_view::npos;
    const bool after_number = text.substr(0, at).find_first_not_of("0123456789") == std::string_view::npos;
    return after_number && (text[at] == '.' || text[at] == ')');
}

// A backslash before any ASCII punctuation makes it literal in CommonMark,
// so the reader sees the text as written, not markup made of it.
std::string markdown_escaped(std::string_view text, bool opens_line)
{
    if (opens_line)  // four leading blanks would make a code block
        text.remove_prefix(std::min(text.find_first_not_of(' '), text.size()));
    std::string out;
    for (std::size_t at = 0; at < text.size(); ++at) {
        const char c = text[at];
        const bool entity = c == '&' && at + 1 < text.size() && (is_alnum(text[at + 1]) || text[at + 1] == '#');
        if (markdown_punctuation.find(c) != std::string_view::npos || entity || (opens_line && opens_block(text, at)))
            out += '\\';
        out += c;
    }
    return out;
}

bool fits_autolink(std::string_view url)
{
    for (const char c : url)
        if (static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>' || c == 0x7f)
            return false;
    return true;
}

std::string markdown_span(const Span& span, bool opens_line)
{
    switch (span.style) {
    case Style::plain: return markdown_escaped(span.text, opens_line);
    case Style::missing: return "*" + markdown_escaped(span.text, false) + "*";
    case Style::warning: return "**Warning:** " + markdown_escaped(span.text, false);
    case Style::link:
        if (fits_autolink(span.text))
            return "<" + span.text + ">";
        break;
    case Style::command:
        if (span.text.find('`') == std::string::npos)
            return "`" + span.text + "`";
        break;
    }
    return markdown_escaped(span.text, opens_line);
}

std::string markdown_text(const Text& text, bool opens_line)
{
    std::string out;
    for (const auto& span : text)
        out += markdown_span(span, opens_line && out.empty());
    return out;
}

std::string markdown_item(const Item& item)
{
    std::string out = "- **" + markdown_escaped(item.label, false) + ":**";
    if (item.values.size() == 1)
        out += " " + markdown_text(item.values.front(), false);
    if (!item.note.empty())
        out += " (" + markdown_text(item.note, false) + ")";
    out += "\n";
    if (item.values.size() > 1)
        for (const auto& value : item.values)
            out += "  - " + markdown_text(value, true) + "\n";
    return out;
}

std::string markdown_items(const std::vector<Item>& items)
{
    std::string out;
    for (const auto& item : items)
        out += markdown_item(item);
    return out.empty() ? out : out + "\n";
}

std::string markdown_section(const Section& section)
{
    std::string out = std::string(section.level == 1 ? "## " : "### ") + markdown_escaped(section.title, false) +
                      "\n\n";
    for (const auto& paragraph : section.paragraphs)
        out += markdown_text(paragraph, true) + "\n\n";
    return out + markdown_items(section.items);
}

// --- HTML -----------------------------------------------------------------

std::string html_span(const Span& span)
{
    const std::string text = html_escape(span.text);
    switch (span.style) {
    case Style::plain: return text;
    case Style::missing: return "<em class=\"missing\">" + text + "</em>";
    case Style::warning: return "<span class=\"warning\"><strong>Warning:</strong> " + text + "</span>";
    case Style::link: return "<a href=\"" + text + "\">" + text + "</a>";
    case Style::command: return "<code>" + text + "</code>";
    }
    return text;
}

std::string html_text(const Text& text)
{
    std::string out;
    for (const auto& span : text)
        out += html_span(span);
    return out;
}

std::string html_item(const Item& item)
{
    std::string out = "<dt>" + html_escape(item.label) + "</dt>\n<dd>";
    if (item.values.size() == 1)
        out += html_text(item.values.front());
    if (!item.note.empty())
        out += std::string(item.values.size() == 1 ? " " : "") + "(" + html_text(item.note) + ")";
    if (item.values.size() > 1) {
        out += "<ul>\n";
        for (const auto& value : item.values)
            out += "<li>" + html_text(value) + "</li>\n";
        out += "</ul>";
    }
    return out + "</dd>\n";
}

std::string html_items(const std::vector<Item>& items, std::string_view css_class = {})
{
    if (items.empty())
        return {};
    std::string out = css_class.empty() ? "<dl>\n" : "<dl class=\"" + std::string(css_class) + "\">\n";
    for (const auto& item : items)
        out += html_item(item);
    return out + "</dl>\n";
}

std::string html_section(const Section& section)
{
    const bool part = section.level == 1;
    std::string out = part ? "<section>\n<h2>" : "<section class=\"activity\">\n<h3>";
    out += html_escape(section.title) + (part ? "</h2>\n" : "</h3>\n");
    for (const auto& paragraph : section.paragraphs)
        out += "<p>" + html_text(paragraph) + "</p>\n";
    return out + html_items(section.items) + "</section>\n";
}

// For print first: A4 pages, headings kept with what follows, a campaign
// kept on one page where it fits, missing entries and warnings still
// distinct on a black-and-white printer.
constexpr std::string_view stylesheet = R"(@page { size: A4; margin: 18mm 16mm; }
body { font: 10.5pt/1.45 "DejaVu Serif", Georgia, serif; color: #111;
       max-width: 52em; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.45em; margin: 0 0 .6em; }
h2 { font-size: 1.2em; border-bottom: 1px solid #777; margin: 1.6em 0 .5em;
     break-after: avoid; page-break-after: avoid; }
h3 { font-size: 1.05em; margin: 1.3em 0 .4em; break-after: avoid; page-break-after: avoid; }
section.activity { break-inside: avoid; page-break-inside: avoid; }
dl { display: grid; grid-template-columns: 13em 1fr; gap: .3em 1.2em; margin: .4em 0; }
dl.identification { grid-template-columns: 9em 1fr; border: 1px solid #777; padding: .6em .8em; }
dt { font-weight: bold; }
dd { margin: 0; }
dd ul { margin: 0; padding-left: 1.2em; }
p { margin: .4em 0; }
.missing { color: #7a4a00; font-style: italic; }
.warning { color: #a00000; }
.warning strong { text-transform: uppercase; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: .92em; }
a { color: inherit; }
@media print { body { margin: 0; max-width: none; padding: 0; } a { text-decoration: none; } }
)";

}  // namespace

std::string render_markdown(const RecordOfProcessing& record)
{
    std::string out = "# " + markdown_escaped(record.title, false) + "\n\n";
    out += markdown_items(record.identification);
    for (const auto& section : record.sections)
        out += markdown_section(section);
    while (out.ends_with("\n\n"))
        out.pop_back();
    return out;
}

std::string render_html(const RecordOfProcessing& record)
{
    std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
                      html_escape(record.title) + "</title>\n<style>\n" + std::string(stylesheet) +
                      "</style>\n</head>\n<body>\n<header>\n<h1>" + html_escape(record.title) + "</h1>\n" +
                      html_items(record.identification, "identification") + "</header>\n";
    for (const auto& section : record.sections)
        out += html_section(section);
    return out + "</body>\n</html>\n";
}

}  // namespace ctl
