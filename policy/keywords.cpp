// keywords.cpp — folding text the way keyword matching needs it, and finding
// the first keyword of a list at a word start.
//
// Folding is defined by GLib (keywords.h says how). Calling GLib for every
// run of accented text, three allocating calls each time, was most of the
// cost of judging a message, so the work is split by how common it is:
//   - ASCII is folded inline, 16 bytes at a time where SSE2 is available;
//   - the characters of alphabetic scripts, punctuation and symbols are
//     looked up in a table built once per process with the same GLib calls;
//   - the others (CJK ideographs, Hangul, emoji...) still go through GLib.
// One character at a time gives what a whole run gave: case folding and
// decomposition work per character, and canonical reordering only moves
// characters of non-zero combining class, which are all marks and dropped
// (tests/unit/keywords_test.cpp checks this of the GLib in use).
//
// Matching reads the text once per list, whatever the length of the list:
// at each position after a byte that is not an ASCII letter or digit, the
// next bytes (as many as the list's shortest phrase has, up to 8) are looked
// up in a small hash table of the phrases, built when the list is.
#include "keywords.h"

#include <glib.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <memory>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace policy {

namespace {

struct GFreeDeleter {
    void operator()(gchar* p) const { g_free(p); }
};
using GString_ptr = std::unique_ptr<gchar, GFreeDeleter>;

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

bool is_ascii_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// How a character of casefolded, decomposed text shows in folded text.
enum class Shown { dropped, space, itself };

Shown shown_as(gunichar c)
{
    const GUnicodeType type = g_unichar_type(c);
    if (type == G_UNICODE_NON_SPACING_MARK || type == G_UNICODE_ENCLOSING_MARK || type == G_UNICODE_SPACING_MARK)
        return Shown::dropped;  // accents, once decomposed
    if (g_unichar_isspace(c) || type == G_UNICODE_SPACE_SEPARATOR)
        return Shown::space;
    return Shown::itself;
}

// --- What each character folds to ------------------------------------------

// The characters whose folded form is kept in a table: the scripts written
// with letters and marks (Latin, Greek, Cyrillic, Arabic, Indic...), the
// punctuation and symbols, kana and CJK punctuation, the Latin and Cyrillic
// extensions, and the compatibility, presentation and fullwidth forms. Each
// range is whole 128-code-point blocks. Left to GLib, one call per run of
// them as ever: CJK ideographs, Yi, Hangul syllables, private use, and all
// beyond the Basic Multilingual Plane (emoji). Building the table for the
// whole plane would take four times as long at start.
constexpr std::pair<char32_t, char32_t> tabled_ranges[] = {{0x0080, 0x3400}, {0xA600, 0xAC00}, {0xF900, 0x10000}};

// The folded form of each character of tabled_ranges, computed once per
// process in one pass of g_utf8_casefold and g_utf8_normalize over all of
// them with a separator after each: the separator is ASCII, so neither call
// changes it or lets a character's result spill into the next one's.
class CharacterFolds {
public:
    enum class Kind { itself, dropped, space, bytes, glib };
    struct Fold {
        Kind kind;
        std::string_view bytes;  // for Kind::bytes
    };

    static const CharacterFolds& instance()
    {
        static const CharacterFolds folds;  // thread-safe initialisation
        return folds;
    }

    Fold of(char32_t c) const
    {
        if (c >= plane_end)
            return {Kind::glib, {}};
        const std::uint32_t entry = m_entries[m_block_start[c >> block_bits] + (c & (block_size - 1))];
        switch (entry & tag_mask) {
        case tag_itself: return {Kind::itself, {}};
        case tag_space: return {Kind::space, {}};
        case tag_glib: return {Kind::glib, {}};
        case 0: return {Kind::dropped, {}};
        default: return {Kind::bytes, std::string_view(m_bytes).substr(entry >> 4, entry & tag_mask)};
        }
    }

private:
    static constexpr char32_t plane_end = 0x10000;
    // An entry: (offset in m_bytes << 4) | length, length 1..12; 0 for a
    // character that folds to nothing (a mark); or one of these tags.
    static constexpr std::uint32_t tag_mask = 0xF;
    static constexpr std::uint32_t max_length = 12;
    static constexpr std::uint32_t tag_space = 13;
    static constexpr std::uint32_t tag_itself = 14;
    static constexpr std::uint32_t tag_glib = 15;
    // Blocks of 128 code points; blocks with identical entries (all "glib",
    // or all "itself") are stored once: 87 blocks, 52 KB in all with GLib 2.74.
    static constexpr unsigned block_bits = 7;
    static constexpr char32_t block_size = 1u << block_bits;
    static constexpr char separator = '\x1F';

    CharacterFolds();
    static std::uint32_t entry_for(char32_t c, std::string_view folded, std::string& bytes);
    void store_deduplicated(const std::vector<std::uint32_t>& entries);

    std::vector<std::uint32_t> m_block_start;  // per block: its first entry in m_entries
    std::vector<std::uint32_t> m_entries;
    std::string m_bytes;  // the folded forms that are not the character itself
};

void append_utf8(std::string& out, char32_t c)
{
    char buffer[6];
    out.append(buffer, static_cast<std::size_t>(g_unichar_to_utf8(c, buffer)));
}

CharacterFolds::CharacterFolds()
{
    std::vector<char32_t> tabled;
    std::string all;
    for (const auto& [first, end] : tabled_ranges)
        for (char32_t c = first; c < end; ++c) {
            tabled.push_back(c);
            append_utf8(all, c);
            all += separator;
        }
    GString_ptr folded(g_utf8_casefold(all.data(), static_cast<gssize>(all.size())));
    GString_ptr decomposed(g_utf8_normalize(folded.get(), -1, G_NORMALIZE_NFD));

    std::vector<std::uint32_t> entries(plane_end, tag_glib);
    std::string one;  // the folded form of the current character, white space as ' '
    std::size_t done = 0;
    for (const gchar* p = decomposed ? decomposed.get() : ""; *p && done < tabled.size(); p = g_utf8_next_char(p)) {
        const gunichar u = g_utf8_get_char(p);
        if (u != static_cast<gunichar>(separator)) {
            if (const Shown shown = shown_as(u); shown == Shown::space)
                one += ' ';
            else if (shown == Shown::itself)
                append_utf8(one, u);
            continue;
        }
        entries[tabled[done]] = entry_for(tabled[done], one, m_bytes);
        one.clear();
        ++done;
    }
    if (done != tabled.size())  // not one result per character: let GLib fold each at use
        std::fill(entries.begin(), entries.end(), tag_glib);
    store_deduplicated(entries);
}

std::uint32_t CharacterFolds::entry_for(char32_t c, std::string_view folded, std::string& bytes)
{
    std::string itself;
    append_utf8(itself, c);
    if (folded == itself)
        return tag_itself;
    if (folded == " ")
        return tag_space;
    // A space among other characters, or a long form: none in Unicode 15,
    // and GLib at each use keeps them exact if a later version has some.
    if (folded.find(' ') != std::string_view::npos || folded.size() > max_length)
        return tag_glib;
    if (folded.empty())
        return 0;
    const auto offset = static_cast<std::uint32_t>(bytes.size());
    bytes += folded;
    return offset << 4 | static_cast<std::uint32_t>(folded.size());
}

void CharacterFolds::store_deduplicated(const std::vector<std::uint32_t>& entries)
{
    for (std::size_t block = 0; block < entries.size(); block += block_size) {
        const auto begin = entries.begin() + static_cast<std::ptrdiff_t>(block);
        std::size_t start = 0;
        while (start < m_entries.size() &&
               !std::equal(begin, begin + block_size, m_entries.begin() + static_cast<std::ptrdiff_t>(start)))
            start += block_size;
        if (start == m_entries.size())
            m_entries.insert(m_entries.end(), begin, begin + block_size);
        m_block_start.push_back(static_cast<std::uint32_t>(start));
    }
}

// --- Reading UTF-8 as g_utf8_make_valid does ---------------------------------

// One character of the text: a sequence g_utf8_validate accepts (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF), or a single byte
// that starts none, which g_utf8_make_valid replaces with U+FFFD. (Not
// utf8::next, which replaces a whole ill-formed subpart with one U+FFFD, as
// browsers do: "\xE2\x82" is one U+FFFD there, two here.)
struct Character {
    char32_t code;
    std::size_t length;  // bytes of the text it takes
    bool valid;
};

Character next_character(const char* text, const char* end)
{
    const auto* p = reinterpret_cast<const unsigned char*>(text);
    const auto continues = [&](std::size_t i, unsigned char low = 0x80, unsigned char high = 0xBF) {
        return end - text > static_cast<std::ptrdiff_t>(i) && p[i] >= low && p[i] <= high;
    };
    const char32_t lead = p[0];
    if (lead >= 0xC2 && lead <= 0xDF && continues(1))
        return {(lead & 0x1F) << 6 | (p[1] & 0x3Fu), 2, true};
    if (lead >= 0xE0 && lead <= 0xEF && continues(1, lead == 0xE0 ? 0xA0 : 0x80, lead == 0xED ? 0x9F : 0xBF) &&
        continues(2))
        return {(lead & 0x0F) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu), 3, true};
    if (lead >= 0xF0 && lead <= 0xF4 && continues(1, lead == 0xF0 ? 0x90 : 0x80, lead == 0xF4 ? 0x8F : 0xBF) &&
        continues(2) && continues(3))
        return {(lead & 0x07) << 18 | (p[1] & 0x3Fu) << 12 | (p[2] & 0x3Fu) << 6 | (p[3] & 0x3Fu), 4, true};
    return {0xFFFD, 1, false};
}

// --- Folding ---------------------------------------------------------------

bool is_white_ascii(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == '\0';
}

// Builds folded text. A white space is written at once unless the text is
// empty or already ends with one; take() drops a trailing one. Nothing else
// ever writes a space, so this is "runs collapsed, none leading or trailing".
//
// Room: there are always at least 16 bytes more than the text still to fold.
// ASCII never grows when folded, so the ASCII loop writes (16 bytes at a
// time) without checking; only non-ASCII characters, which may grow ("ß" is
// "ss", an invalid byte is three), make room.
class FoldedText {
public:
    // Writes into `memory`, whose contents are dropped and capacity reused.
    FoldedText(std::size_t text_size, std::string memory) : m_out(std::move(memory)) { m_out.resize(text_size + 16); }

    const char* ascii_run(const char* p, const char* end);
    const char* character(const char* p, const char* end);

    std::string take()
    {
        if (m_length > 0 && m_out[m_length - 1] == ' ')
            --m_length;
        m_out.resize(m_length);
        return std::move(m_out);
    }

private:
    // Writes bytes, `rest` bytes of text being still to fold.
    void put(std::string_view bytes, std::size_t rest)
    {
        if (const std::size_t needed = m_length + bytes.size() + rest + 16; needed > m_out.size())
            m_out.resize(std::max(m_out.size() * 2, needed));
        std::copy(bytes.begin(), bytes.end(), m_out.data() + m_length);
        m_length += bytes.size();
    }
    void space(std::size_t rest)
    {
        if (m_length > 0 && m_out[m_length - 1] != ' ')
            put(" ", rest);
    }
    static std::string_view glib_run(const char* p, std::size_t length, const char* end);
    void glib_fold(std::string_view utf8, std::size_t rest);

    std::string m_out;  // the folded text is m_out[0, m_length); the rest is room
    std::size_t m_length = 0;
};

#if defined(__SSE2__)
// Bit i set when bytes[i] is in [low, high]; non-ASCII bytes never are.
__m128i in_range(__m128i bytes, char low, char high)
{
    return _mm_and_si128(_mm_cmpgt_epi8(bytes, _mm_set1_epi8(static_cast<char>(low - 1))),
                         _mm_cmplt_epi8(bytes, _mm_set1_epi8(static_cast<char>(high + 1))));
}

unsigned bits_of(__m128i mask) { return static_cast<unsigned>(_mm_movemask_epi8(mask)); }
#endif

// Folds the ASCII from p on and returns where the first non-ASCII byte is (or
// end). Works on a local pointer: a store through char* could change any
// member, so members would be read again after every store.
const char* FoldedText::ascii_run(const char* p, const char* end)
{
    char* const begin = m_out.data();
    char* out = begin + m_length;
#if defined(__SSE2__)
    // 16 bytes at a time: letters lowered, white space made ' ', stored
    // whole; what counts is up to the first non-ASCII byte or the first white
    // space that collapses (after another one, or at the start).
    while (end - p >= 16) {
        const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i spaces = _mm_set1_epi8(' ');
        const __m128i white = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, spaces),
                                                        _mm_cmpeq_epi8(bytes, _mm_setzero_si128())),
                                           in_range(bytes, '\t', '\r'));
        const __m128i lower = _mm_or_si128(bytes, _mm_and_si128(in_range(bytes, 'A', 'Z'), _mm_set1_epi8(0x20)));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out),
                         _mm_or_si128(_mm_andnot_si128(white, lower), _mm_and_si128(white, spaces)));
        const unsigned white_bits = bits_of(white);
        const unsigned after_space = (out == begin || out[-1] == ' ') ? 1u : 0u;
        const unsigned stop_bits = bits_of(bytes) | (white_bits & (white_bits << 1 | after_space));
        if (stop_bits == 0) {
            p += 16;
            out += 16;
            continue;
        }
        const auto folded = static_cast<std::size_t>(std::countr_zero(stop_bits));
        p += folded;
        out += folded;
        if (static_cast<unsigned char>(*p) >= 0x80)
            break;
        ++p;  // a white space that collapses: nothing to write
    }
#endif
    for (; p < end && static_cast<unsigned char>(*p) < 0x80; ++p) {
        const auto c = static_cast<unsigned char>(*p);
        if (!is_white_ascii(c))
            *out++ = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        else if (out != begin && out[-1] != ' ')
            *out++ = ' ';
    }
    m_length = static_cast<std::size_t>(out - begin);
    return p;
}

// Folds the non-ASCII character (or invalid byte) at p, or the run of
// characters GLib folds that starts there; returns what follows.
const char* FoldedText::character(const char* p, const char* end)
{
    const Character c = next_character(p, end);
    const std::string_view utf8 = c.valid ? std::string_view(p, c.length) : replacement_character;
    const std::size_t rest = static_cast<std::size_t>(end - p) - c.length;
    const CharacterFolds::Fold fold = CharacterFolds::instance().of(c.code);
    switch (fold.kind) {
    case CharacterFolds::Kind::itself: put(utf8, rest); break;
    case CharacterFolds::Kind::dropped: break;
    case CharacterFolds::Kind::space: space(rest); break;
    case CharacterFolds::Kind::bytes: put(fold.bytes, rest); break;
    case CharacterFolds::Kind::glib: {
        const std::string_view run = glib_run(p, c.length, end);
        glib_fold(run, static_cast<std::size_t>(end - p) - run.size());
        return p + run.size();
    }
    }
    return p + c.length;
}

// The character at p (`length` bytes) and those after it that the table
// also leaves to GLib (a line of Chinese, an emoji or two): folded by one
// call, as they always were.
std::string_view FoldedText::glib_run(const char* p, std::size_t length, const char* end)
{
    const char* run_end = p + length;
    while (run_end < end && static_cast<unsigned char>(*run_end) >= 0x80) {
        const Character c = next_character(run_end, end);
        if (!c.valid || CharacterFolds::instance().of(c.code).kind != CharacterFolds::Kind::glib)
            break;
        run_end += c.length;
    }
    return {p, static_cast<std::size_t>(run_end - p)};
}

// The definition itself: Unicode case folding (so "ß" becomes "ss"),
// decomposition, and the accents dropped. Used for the characters the table
// does not hold.
void FoldedText::glib_fold(std::string_view utf8, std::size_t rest)
{
    GString_ptr valid(g_utf8_make_valid(utf8.data(), static_cast<gssize>(utf8.size())));
    GString_ptr folded(g_utf8_casefold(valid.get(), -1));
    GString_ptr decomposed(g_utf8_normalize(folded.get(), -1, G_NORMALIZE_NFD));
    if (!decomposed)
        return;
    for (const gchar* p = decomposed.get(); *p; p = g_utf8_next_char(p)) {
        const gunichar c = g_utf8_get_char(p);
        if (const Shown shown = shown_as(c); shown == Shown::space) {
            space(rest);
        } else if (shown == Shown::itself) {
            char buffer[6];
            put(std::string_view(buffer, static_cast<std::size_t>(g_unichar_to_utf8(c, buffer))), rest);
        }
    }
}

// --- Word starts -------------------------------------------------------------

// True when `at` starts a word of the text: it is the start, or the
// character before is not a letter or digit (g_unichar_isalnum). The
// character before is read as GLib reads it, so text that is not valid
// UTF-8 (a URL) is judged as it always was.
bool starts_word(std::string_view text, std::size_t at)
{
    if (at == 0)
        return true;
    if (const auto before = static_cast<unsigned char>(text[at - 1]); before < 0x80)
        return !is_ascii_alnum(before);
    const gchar* before = g_utf8_find_prev_char(text.data(), text.data() + at);
    return !before || !g_unichar_isalnum(g_utf8_get_char(before));
}

// Calls visit(at, next_8_bytes), in increasing order, for the positions of
// the text that may start a phrase, until visit returns true: the start,
// and the positions after a byte that is not an ASCII letter or digit (white
// space, punctuation, a byte of a non-ASCII character), except those inside
// a UTF-8 character and, if no phrase starts with ASCII punctuation, those
// at punctuation. Inside a word nothing is looked at. next_8_bytes holds the
// 8 bytes from `at` on as a number, zeros past the end of the text.
template <typename Visit>
void visit_possible_starts(std::string_view text, bool phrases_start_with_punctuation, Visit visit);

#if defined(__SSE2__)
// The positions of one block of 16 bytes (`in_text` of them in the text)
// for visit_possible_starts; `block` may be read 8 bytes past its end.
// `word_before`: whether the byte before the block is a letter or digit.
// Always inlined: called from two places, but the scan lives in this loop.
template <typename Visit>
[[gnu::always_inline]] inline bool visit_block(const char* block, std::size_t at, unsigned in_text,
                                               bool phrases_start_with_punctuation, unsigned& word_before,
                                               Visit& visit)
{
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block));
    const __m128i letters = in_range(_mm_or_si128(bytes, _mm_set1_epi8(0x20)), 'a', 'z');
    const unsigned word = bits_of(_mm_or_si128(letters, in_range(bytes, '0', '9')));
    const unsigned non_ascii = bits_of(bytes);
    const unsigned inside_character = bits_of(_mm_cmplt_epi8(bytes, _mm_set1_epi8(static_cast<char>(0xC0))));
    const unsigned punctuation = phrases_start_with_punctuation ? 0 : ~(word | non_ascii);
    const unsigned after_non_word = ~(word << 1 | word_before);
    word_before = word >> 15;
    for (unsigned bits = after_non_word & ~(inside_character | punctuation) & in_text; bits != 0; bits &= bits - 1) {
        const auto i = static_cast<std::size_t>(std::countr_zero(bits));
        std::uint64_t next_8_bytes;
        std::memcpy(&next_8_bytes, block + i, sizeof next_8_bytes);
        if (visit(at + i, next_8_bytes))
            return true;
    }
    return false;
}

template <typename Visit>
void visit_possible_starts(std::string_view text, bool phrases_start_with_punctuation, Visit visit)
{
    unsigned word_before = 0;  // the start of the text is a possible start
    // Blocks of 16 read in place while 8 more bytes follow them...
    std::size_t at = 0;
    for (; at + 16 + 8 <= text.size(); at += 16)
        if (visit_block(text.data() + at, at, 0xFFFF, phrases_start_with_punctuation, word_before, visit))
            return;
    // ...and the last bytes (fewer than 24) from a copy followed by zeros.
    char last[48] = {};
    std::memcpy(last, text.data() + at, text.size() - at);
    for (std::size_t i = 0; at + i < text.size(); i += 16) {
        const std::size_t left = text.size() - at - i;
        const unsigned in_text = left < 16 ? (1u << left) - 1 : 0xFFFF;
        if (visit_block(last + i, at + i, in_text, phrases_start_with_punctuation, word_before, visit))
            return;
    }
}
#else
template <typename Visit>
void visit_possible_starts(std::string_view text, bool, Visit visit)
{
    for (std::size_t at = 0; at < text.size(); ++at) {
        if (at > 0 && is_ascii_alnum(static_cast<unsigned char>(text[at - 1])))
            continue;
        std::uint64_t next_8_bytes = 0;
        std::memcpy(&next_8_bytes, text.data() + at, std::min<std::size_t>(text.size() - at, 8));
        if (visit(at, next_8_bytes))
            return;
    }
}
#endif

}  // namespace

void fold(std::string_view text, std::string& folded)
{
    FoldedText out(text.size(), std::move(folded));
    const char* p = text.data();
    const char* const end = p + text.size();
    while (p < end) {
        p = out.ascii_run(p, end);
        if (p < end)
            p = out.character(p, end);
    }
    folded = out.take();
}

std::string fold(std::string_view text)
{
    std::string folded;
    fold(text, folded);
    return folded;
}

bool contains_at_word_start(std::string_view folded_text, std::string_view folded_phrase)
{
    if (folded_phrase.empty())
        return false;
    // glibc's memmem skips through the text by pairs of bytes, where
    // string_view::find stops at every occurrence of the first byte (every
    // few bytes for "e" or "d").
    for (std::size_t from = 0; from + folded_phrase.size() <= folded_text.size();) {
        const void* found = memmem(folded_text.data() + from, folded_text.size() - from, folded_phrase.data(),
                                   folded_phrase.size());
        if (!found)
            return false;
        const auto at = static_cast<std::size_t>(static_cast<const char*>(found) - folded_text.data());
        if (starts_word(folded_text, at))
            return true;
        from = at + 1;
    }
    return false;
}

// --- KeywordList -----------------------------------------------------------

namespace {

constexpr std::uint64_t fibonacci = 0x9E3779B97F4A7C15u;  // 2^64 / golden ratio: Fibonacci hashing

// From this length on, a text is first searched for the list's first phrase
// alone (see find_in_folded); below, memmem costs more to set up than the
// scan of the whole text (a link's text or URL).
constexpr std::size_t long_text = 256;

std::size_t bucket_of(std::uint64_t key, unsigned shift)
{
    return static_cast<std::size_t>((key * fibonacci) >> shift);
}

// The first `length` bytes of `bytes` (fewer at its end), zero-padded, as a
// number. Phrases hold no NUL byte, so a key cut short by the end of the
// text equals no phrase's key.
std::uint64_t key_of(std::string_view bytes, std::size_t length)
{
    std::uint64_t key = 0;
    std::memcpy(&key, bytes.data(), std::min(bytes.size(), length));
    return key;
}

}  // namespace

void KeywordList::add(std::string_view phrase)
{
    std::string folded = fold(phrase);
    if (folded.empty())
        return;
    m_folded.push_back(std::move(folded));
    m_written.emplace_back(phrase);
    index_newest();
}

void KeywordList::append(const KeywordList& other)
{
    const std::size_t count = other.m_folded.size();  // fixed: other may be this list
    for (std::size_t i = 0; i < count; ++i) {
        m_folded.push_back(other.m_folded[i]);
        m_written.push_back(other.m_written[i]);
        index_newest();
    }
}

// Files the newest phrase. The table is rebuilt when it would be more than
// half full, or when the new phrase is shorter than the key.
void KeywordList::index_newest()
{
    const std::string& newest = m_folded.back();
    if (m_folded.size() * 2 <= m_by_start.size() && newest.size() >= m_key_length) {
        file(static_cast<std::uint32_t>(m_folded.size() - 1));
        return;
    }
    m_key_length = std::min<std::size_t>({m_key_length, newest.size(), sizeof(std::uint64_t)});
    m_key_mask = key_of(std::string(m_key_length, '\xFF'), m_key_length);
    m_bucket_bits = 6;
    while ((std::size_t{1} << m_bucket_bits) < m_folded.size() * 2)
        ++m_bucket_bits;
    m_by_start.assign(std::size_t{1} << m_bucket_bits, {});
    m_heads.assign(m_by_start.size(), {});
    m_starts_with_punctuation = false;
    for (std::uint32_t phrase = 0; phrase < m_folded.size(); ++phrase)
        file(phrase);
}

// Phrases are filed in list order, so each bucket stays in list order.
void KeywordList::file(std::uint32_t phrase)
{
    const std::string& folded = m_folded[phrase];
    const std::uint64_t key = key_of(folded, m_key_length);
    const std::size_t bucket = bucket_of(key, 64 - m_bucket_bits);
    m_by_start[bucket].push_back({key, phrase});
    BucketHead& head = m_heads[bucket];
    if (head.phrase == no_phrase)
        head = {key, phrase, false};
    else
        head.shared = true;
    const auto first = static_cast<unsigned char>(folded[0]);
    m_starts_with_punctuation = m_starts_with_punctuation || (first < 0x80 && !is_ascii_alnum(first));
}

// The lowest phrase number under `below` in `bucket` that occurs at `at`,
// if `at` starts a word; otherwise `below`.
std::size_t KeywordList::first_match_at(const std::vector<Entry>& bucket, std::uint64_t key, std::string_view text,
                                        std::size_t at, std::size_t below) const
{
    const std::string_view here = text.substr(at);
    for (const Entry& entry : bucket) {
        if (entry.phrase >= below)
            break;
        if (entry.key != key || !here.starts_with(m_folded[entry.phrase]))
            continue;  // another phrase of the bucket
        // Every phrase found here starts at `at`: if it is not a word start, none counts.
        return starts_word(text, at) ? entry.phrase : below;
    }
    return below;
}

const std::string* KeywordList::find_in_folded(std::string_view folded_text) const
{
    if (m_folded.empty() || folded_text.empty())
        return nullptr;
    // The list's first phrase wins wherever it is, and a search for it alone
    // skips through a long text: when it is there (the phrase a list starts
    // with is its most common one) the text need not be read word by word.
    if (folded_text.size() >= long_text && contains_at_word_start(folded_text, m_folded[0]))
        return &m_written[0];
    // Locals, so that they stay in registers through the scan.
    const std::uint64_t key_mask = m_key_mask;
    const unsigned shift = 64 - m_bucket_bits;
    const BucketHead* const heads = m_heads.data();
    std::size_t first = m_folded.size();  // none found yet
    // Most positions start words no phrase starts with: the bucket's head
    // says so (empty, another key, or only phrases after one already found).
    // Only the others are compared.
    visit_possible_starts(folded_text, m_starts_with_punctuation, [&](std::size_t at, std::uint64_t next_8_bytes) {
        const std::uint64_t key = next_8_bytes & key_mask;
        const std::size_t bucket = bucket_of(key, shift);
        const BucketHead& head = heads[bucket];
        if ((head.key != key && !head.shared) || head.phrase >= first)
            return false;
        first = first_match_at(m_by_start[bucket], key, folded_text, at, first);
        return first == 0;  // nothing comes before the list's first phrase
    });
    return first < m_folded.size() ? &m_written[first] : nullptr;
}

}  // namespace policy
