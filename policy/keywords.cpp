#include "keywords.h"

#include <glib.h>

#include <memory>

namespace policy {

namespace {

struct GFreeDeleter {
    void operator()(gchar* p) const { g_free(p); }
};
using GString_ptr = std::unique_ptr<gchar, GFreeDeleter>;

bool is_word_character(gunichar c) { return g_unichar_isalnum(c); }

}  // namespace

std::string fold(std::string_view text)
{
    // Keep only valid UTF-8: GLib's functions require it.
    GString_ptr valid(g_utf8_make_valid(text.data(), static_cast<gssize>(text.size())));
    GString_ptr folded(g_utf8_casefold(valid.get(), -1));
    GString_ptr decomposed(g_utf8_normalize(folded.get(), -1, G_NORMALIZE_NFD));
    if (!decomposed)
        return {};
    std::string out;
    out.reserve(text.size());
    bool pending_space = false;
    for (const gchar* p = decomposed.get(); *p; p = g_utf8_next_char(p)) {
        const gunichar c = g_utf8_get_char(p);
        const GUnicodeType type = g_unichar_type(c);
        if (type == G_UNICODE_NON_SPACING_MARK || type == G_UNICODE_ENCLOSING_MARK ||
            type == G_UNICODE_SPACING_MARK)
            continue;  // accents, once decomposed
        if (g_unichar_isspace(c) || type == G_UNICODE_SPACE_SEPARATOR || c == 0) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) {
            out += ' ';
            pending_space = false;
        }
        char buffer[6];
        out.append(buffer, static_cast<std::size_t>(g_unichar_to_utf8(c, buffer)));
    }
    return out;
}

bool contains_at_word_start(std::string_view folded_text, std::string_view folded_phrase)
{
    if (folded_phrase.empty())
        return false;
    for (std::size_t at = folded_text.find(folded_phrase); at != std::string_view::npos;
         at = folded_text.find(folded_phrase, at + 1)) {
        if (at == 0)
            return true;
        const gchar* before = g_utf8_find_prev_char(folded_text.data(), folded_text.data() + at);
        if (!before || !is_word_character(g_utf8_get_char(before)))
            return true;
    }
    return false;
}

void KeywordList::add(std::string_view phrase)
{
    std::string folded = fold(phrase);
    if (folded.empty())
        return;
    m_folded.push_back(std::move(folded));
    m_written.emplace_back(phrase);
}

const std::string* KeywordList::find_in_folded(std::string_view folded_text) const
{
    for (std::size_t i = 0; i < m_folded.size(); ++i)
        if (contains_at_word_start(folded_text, m_folded[i]))
            return &m_written[i];
    return nullptr;
}

void KeywordList::append(const KeywordList& other)
{
    m_folded.insert(m_folded.end(), other.m_folded.begin(), other.m_folded.end());
    m_written.insert(m_written.end(), other.m_written.begin(), other.m_written.end());
}

}  // namespace policy
