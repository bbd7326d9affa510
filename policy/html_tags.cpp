#include "html_tags.h"

#include "text.h"

#include <array>
#include <iterator>

namespace policy::html {
namespace {

struct Element {
    std::string_view name;
    Tag tag;
    std::uint16_t flags;
};

constexpr std::uint16_t kVoidSpecial = kVoid | kSpecial;
constexpr std::uint16_t kBlockSpecial = kBlock | kSpecial;
constexpr std::uint16_t kParagraphBlock = kBlock | kSpecial | kClosesP;
constexpr std::uint16_t kHidden = kUnseen | kSpecial;

constexpr Element kElements[] = {
    {"a", Tag::a, kFormatting},
    {"address", Tag::address, kParagraphBlock},
    {"applet", Tag::applet, kHidden | kScope},
    {"area", Tag::area, kVoidSpecial},
    {"article", Tag::article, kParagraphBlock},
    {"aside", Tag::aside, kParagraphBlock},
    {"b", Tag::b, kFormatting},
    {"base", Tag::base, kVoidSpecial | kHeadContent},
    {"basefont", Tag::basefont, kVoidSpecial | kHeadContent},
    {"bgsound", Tag::bgsound, kVoidSpecial | kHeadContent},
    {"big", Tag::big, kFormatting},
    {"blockquote", Tag::blockquote, kParagraphBlock},
    {"body", Tag::body, kBlockSpecial},
    {"br", Tag::br, kVoidSpecial},
    {"button", Tag::button, kSpecial},
    {"caption", Tag::caption, kBlockSpecial | kScope},
    {"center", Tag::center, kParagraphBlock},
    {"code", Tag::code, kFormatting},
    {"col", Tag::col, kVoidSpecial},
    {"colgroup", Tag::colgroup, kSpecial},
    {"datalist", Tag::datalist, kUnseen},
    {"dd", Tag::dd, kParagraphBlock},
    {"desc", Tag::desc, kUnseen},
    {"details", Tag::details, kParagraphBlock},
    {"dialog", Tag::dialog, kSpecial | kClosesP},
    {"dir", Tag::dir, kParagraphBlock},
    {"div", Tag::div, kParagraphBlock},
    {"dl", Tag::dl, kParagraphBlock},
    {"dt", Tag::dt, kParagraphBlock},
    {"em", Tag::em, kFormatting},
    {"embed", Tag::embed, kVoidSpecial},
    {"fieldset", Tag::fieldset, kParagraphBlock},
    {"figcaption", Tag::figcaption, kParagraphBlock},
    {"figure", Tag::figure, kParagraphBlock},
    {"font", Tag::font, kFormatting},
    {"footer", Tag::footer, kParagraphBlock},
    {"form", Tag::form, kParagraphBlock},
    {"frame", Tag::frame, kVoidSpecial},
    {"frameset", Tag::frameset, kBlockSpecial},
    {"h1", Tag::h1, kParagraphBlock},
    {"h2", Tag::h2, kParagraphBlock},
    {"h3", Tag::h3, kParagraphBlock},
    {"h4", Tag::h4, kParagraphBlock},
    {"h5", Tag::h5, kParagraphBlock},
    {"h6", Tag::h6, kParagraphBlock},
    {"head", Tag::head, kHidden},
    {"header", Tag::header, kParagraphBlock},
    {"hgroup", Tag::hgroup, kParagraphBlock},
    {"hr", Tag::hr, kVoidSpecial | kBlock | kClosesP},
    {"html", Tag::html, kBlockSpecial | kScope},
    {"i", Tag::i, kFormatting},
    {"iframe", Tag::iframe, kHidden},
    {"image", Tag::image, kVoidSpecial},
    {"img", Tag::img, kVoidSpecial},
    {"input", Tag::input, kVoidSpecial},
    {"keygen", Tag::keygen, kVoidSpecial},
    {"legend", Tag::legend, kBlock},
    {"li", Tag::li, kParagraphBlock},
    {"link", Tag::link, kVoidSpecial | kHeadContent},
    {"listing", Tag::listing, kParagraphBlock},
    {"main", Tag::main, kParagraphBlock},
    {"marquee", Tag::marquee, kSpecial | kScope},
    {"math", Tag::math, 0},
    {"menu", Tag::menu, kParagraphBlock},
    {"meta", Tag::meta, kVoidSpecial | kHeadContent},
    {"nav", Tag::nav, kParagraphBlock},
    {"nobr", Tag::nobr, kFormatting},
    {"noembed", Tag::noembed, kHidden},
    {"noframes", Tag::noframes, kHidden | kHeadContent},
    {"noscript", Tag::noscript, kHidden | kHeadContent},
    {"object", Tag::object, kHidden | kScope},
    {"ol", Tag::ol, kParagraphBlock},
    {"optgroup", Tag::optgroup, 0},
    {"option", Tag::option, 0},
    {"p", Tag::p, kParagraphBlock},
    {"param", Tag::param, kVoidSpecial},
    {"plaintext", Tag::plaintext, kParagraphBlock},
    {"pre", Tag::pre, kParagraphBlock},
    {"s", Tag::s, kFormatting},
    {"script", Tag::script, kHidden | kHeadContent},
    {"search", Tag::search, kSpecial | kClosesP},
    {"section", Tag::section, kParagraphBlock},
    {"select", Tag::select, kSpecial},
    {"small", Tag::small, kFormatting},
    {"source", Tag::source, kVoidSpecial},
    {"strike", Tag::strike, kFormatting},
    {"strong", Tag::strong, kFormatting},
    {"style", Tag::style, kHidden | kHeadContent},
    {"summary", Tag::summary, kParagraphBlock},
    {"svg", Tag::svg, 0},
    {"table", Tag::table, kParagraphBlock | kScope},
    {"tbody", Tag::tbody, kBlockSpecial},
    {"td", Tag::td, kBlockSpecial | kScope},
    {"template", Tag::template_, kHidden | kScope | kHeadContent},
    {"textarea", Tag::textarea, kSpecial},
    {"tfoot", Tag::tfoot, kBlockSpecial},
    {"th", Tag::th, kBlockSpecial | kScope},
    {"thead", Tag::thead, kBlockSpecial},
    {"title", Tag::title, kHidden | kHeadContent},
    {"tr", Tag::tr, kBlockSpecial},
    {"track", Tag::track, kVoidSpecial},
    {"tt", Tag::tt, kFormatting},
    {"u", Tag::u, kFormatting},
    {"ul", Tag::ul, kParagraphBlock},
    {"wbr", Tag::wbr, kVoidSpecial},
    {"xmp", Tag::xmp, kParagraphBlock},
};

static_assert(std::size(kElements) == static_cast<std::size_t>(Tag::count_) - 1);

constexpr std::array<std::uint16_t, static_cast<std::size_t>(Tag::count_)> flags_by_tag()
{
    std::array<std::uint16_t, static_cast<std::size_t>(Tag::count_)> flags{};
    for (const auto& element : kElements)
        flags[static_cast<std::size_t>(element.tag)] = element.flags;
    return flags;
}
constexpr auto kFlags = flags_by_tag();

constexpr std::size_t kLongestName = 10;  // "blockquote", "figcaption"

// Names are looked up once per tag of every message: an open-addressing
// table, built at compile time, over a cheap hash of the length and the
// first and last letters (lower-cased), then one comparison.
constexpr std::size_t kSlots = 512;  // a power of two, over 4 x the elements


constexpr std::size_t slot_of(std::string_view name)
{
    return (name.size() * 61u + static_cast<unsigned char>(ascii_lower(name.front())) * 7u +
            static_cast<unsigned char>(ascii_lower(name.back())) * 131u) &
           (kSlots - 1);
}

constexpr std::array<std::int16_t, kSlots> slots_by_name()
{
    std::array<std::int16_t, kSlots> slots{};
    for (auto& slot : slots)
        slot = -1;
    for (std::size_t i = 0; i < std::size(kElements); ++i) {
        std::size_t at = slot_of(kElements[i].name);
        while (slots[at] >= 0)
            at = (at + 1) & (kSlots - 1);
        slots[at] = static_cast<std::int16_t>(i);
    }
    return slots;
}
constexpr auto kSlotsByName = slots_by_name();

// name (any case) equals element (lower case).
bool same_name(std::string_view name, std::string_view element)
{
    if (name.size() != element.size())
        return false;
    for (std::size_t i = 0; i < name.size(); ++i)
        if (ascii_lower(name[i]) != element[i])
            return false;
    return true;
}

}  // namespace

Tag tag_of(std::string_view name)
{
    if (name.empty() || name.size() > kLongestName)
        return Tag::other;
    for (std::size_t at = slot_of(name); kSlotsByName[at] >= 0; at = (at + 1) & (kSlots - 1))
        if (same_name(name, kElements[kSlotsByName[at]].name))
            return kElements[kSlotsByName[at]].tag;
    return Tag::other;
}

std::uint16_t flags_of(Tag tag) { return kFlags[static_cast<std::size_t>(tag)]; }

}  // namespace policy::html
