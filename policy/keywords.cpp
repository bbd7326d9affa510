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

namespace {

// Builds folded text: white space collapsed to single spaces, none leading.
class FoldedText {
public:
    explicit FoldedText(std::size_t capacity) { m_out.reserve(capacity); }

    void space() { m_pending_space = !m_out.empty(); }
    void put(const char* bytes, std::size_t length)
    {
        if (m_pending_space) {
            m_out += ' ';
            m_pending_space = false;
        }
        m_out.append(bytes, length);
    }

    // Most text is ASCII: lower-cased here, without GLib.
    void ascii(char c)
    {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == '\0') {
            space();
            return;
        }
        const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        put(&lower, 1);
    }

    // A run of non-ASCII bytes: Unicode case folding (so "ß" becomes "ss"),
    // decomposition, and the accents dropped.
    void unicode(std::string_view run)
    {
        GString_ptr valid(g_utf8_make_valid(run.data(), static_cast<gssize>(run.size())));
        GString_ptr folded(g_utf8_casefold(valid.get(), -1));
        GString_ptr decomposed(g_utf8_normalize(folded.get(), -1, G_NORMALIZE_NFD));
        if (!decomposed)
            return;
        for (const gchar* p = decomposed.get(); *p; p = g_utf8_next_char(p)) {
            const gunichar c = g_utf8_get_char(p);
            const GUnicodeType type = g_unichar_type(c);
            if (type == G_UNICODE_NON_SPACING_MARK || type == G_UNICODE_ENCLOSING_MARK ||
                type == G_UNICODE_SPACING_MARK)
                continue;  // accents, once decomposed
            if (g_unichar_isspace(c) || type == G_UNICODE_SPACE_SEPARATOR) {
                space();
                continue;
            }
            char buffer[6];
            put(buffer, static_cast<std::size_t>(g_unichar_to_utf8(c, buffer)));
        }
    }

    std::string take() { return std::move(m_out); }

private:
    std::string m_out;
    bool m_pending_space = false;
};

}  // namespace

std::string fold(std::string_view text)
{
    FoldedText folded(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        if (static_cast<unsigned char>(text[i]) < 0x80) {
            folded.ascii(text[i++]);
            continue;
        }
        std::size_t end = i;
        while (end < text.size() && static_cast<unsigned char>(text[end]) >= 0x80)
            ++end;
        folded.unicode(text.substr(i, end - i));
        i = end;
    }
    return folded.take();
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
