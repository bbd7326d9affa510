// keywords_test.cpp — fold() and KeywordList against what they replaced:
// GLib folding whole runs of non-ASCII text (g_utf8_make_valid,
// g_utf8_casefold, g_utf8_normalize NFD, marks dropped), and every keyword
// of a list searched in list order with std::string_view::find. Both are
// written out plainly below as the reference; the new code must give the
// same bytes and the same keyword for hand-picked texts, for every character
// of the Basic Multilingual Plane, and for a few thousand pseudo-random
// texts.
#include <glib.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "policy/content_rules.h"
#include "policy/keywords.h"
#include "policy/mime.h"
#include "policy_file.h"

using namespace std::string_view_literals;

namespace {

// --- The reference: the code as it was ---------------------------------------

struct GFree {
    void operator()(gchar* p) const { g_free(p); }
};
using GChars = std::unique_ptr<gchar, GFree>;

bool is_mark(gunichar c)
{
    const GUnicodeType type = g_unichar_type(c);
    return type == G_UNICODE_NON_SPACING_MARK || type == G_UNICODE_ENCLOSING_MARK || type == G_UNICODE_SPACING_MARK;
}

std::string reference_fold(std::string_view text)
{
    std::string out;
    bool pending_space = false;
    const auto space = [&] { pending_space = !out.empty(); };
    const auto put = [&](std::string_view bytes) {
        if (pending_space)
            out += ' ';
        pending_space = false;
        out += bytes;
    };
    std::size_t i = 0;
    while (i < text.size()) {
        if (static_cast<unsigned char>(text[i]) < 0x80) {
            const char c = text[i++];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == '\0') {
                space();
            } else {
                const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
                put({&lower, 1});
            }
            continue;
        }
        std::size_t end = i;
        while (end < text.size() && static_cast<unsigned char>(text[end]) >= 0x80)
            ++end;
        GChars valid(g_utf8_make_valid(text.data() + i, static_cast<gssize>(end - i)));
        GChars folded(g_utf8_casefold(valid.get(), -1));
        GChars decomposed(g_utf8_normalize(folded.get(), -1, G_NORMALIZE_NFD));
        for (const gchar* p = decomposed.get(); p && *p; p = g_utf8_next_char(p)) {
            const gunichar c = g_utf8_get_char(p);
            if (is_mark(c))
                continue;
            if (g_unichar_isspace(c) || g_unichar_type(c) == G_UNICODE_SPACE_SEPARATOR) {
                space();
                continue;
            }
            char buffer[6];
            put({buffer, static_cast<std::size_t>(g_unichar_to_utf8(c, buffer))});
        }
        i = end;
    }
    return out;
}

bool reference_contains_at_word_start(std::string_view text, std::string_view phrase)
{
    if (phrase.empty())
        return false;
    for (std::size_t at = text.find(phrase); at != std::string_view::npos; at = text.find(phrase, at + 1)) {
        if (at == 0)
            return true;
        const gchar* before = g_utf8_find_prev_char(text.data(), text.data() + at);
        if (!before || !g_unichar_isalnum(g_utf8_get_char(before)))
            return true;
    }
    return false;
}

// The first phrase, in list order, found at a word start; "" for none.
std::string reference_find(const std::vector<std::string>& phrases, std::string_view text)
{
    for (const auto& phrase : phrases) {
        const std::string folded = reference_fold(phrase);
        if (!folded.empty() && reference_contains_at_word_start(text, folded))
            return phrase;
    }
    return {};
}

std::string found(const std::string* phrase) { return phrase ? *phrase : std::string(); }

policy::KeywordList list_of(const std::vector<std::string>& phrases)
{
    policy::KeywordList list;
    for (const auto& phrase : phrases)
        list.add(phrase);
    return list;
}

// "é\xff" as "\xC3\xA9\xFF": readable in a failure message.
std::string escaped(std::string_view bytes)
{
    std::string out;
    for (const char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte < 0x7F) {
            out += c;
        } else {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02X", byte);
            out += hex;
        }
    }
    return out;
}

std::string utf8_of(gunichar c)
{
    char buffer[6];
    return std::string(buffer, static_cast<std::size_t>(g_unichar_to_utf8(c, buffer)));
}

}  // namespace

// --- fold --------------------------------------------------------------------

TEST_CASE("folding gives what GLib gives on whole runs: chosen texts", "[keywords]")
{
    const std::vector<std::pair<std::string_view, std::string_view>> cases = {
        {"STRAẞE Straße", "strasse strasse"},                    // ẞ and ß both fold to ss
        {"Désinscription ÉCOLE Übung ñ", "desinscription ecole ubung n"},
        {"De\u0301sinscription", "desinscription"},               // a mark after an ASCII letter
        {"a\u0301\u0302\u0303b", "ab"},                           // several marks in a row
        {"\u0301 leading mark", "leading mark"},
        {"İstanbul ıi", "istanbul ıi"},                           // dotted capital I: i + dot, the dot dropped
        {"ΟΔΟΣ οδος", "οδοσ οδοσ"},                               // final sigma folds to σ
        {"\uFB01nance \uFB00", "finance ff"},                     // ligatures
        {"\uFF21\uFF22\uFF23 \uFF41", "\uFF41\uFF42\uFF43 \uFF41"}, // fullwidth: case folded, not narrowed
        {"\u212Aunde \u2126 \u212B", "kunde ω a"},                // Kelvin, Ohm and Angstrom signs
        {"a\u00A0b\u2009c\u3000d\u2003\u00A0\te", "a b c d e"},   // Unicode spaces, one space for a run
        {"\u00A0 lead\u2009", "lead"},                            // none leading or trailing
        {"zero\u200Bwidth", "zero\u200Bwidth"},                   // U+200B is not a space: kept
        {"中文 Ｍａｉｌ", "中文 ｍａｉｌ"},                        // ideographs: GLib, by runs
        {"한국어", "\u1112\u1161\u11AB\u1100\u116E\u11A8\u110B\u1165"}, // Hangul: decomposed
        {"中é中ü한", "中e中u\u1112\u1161\u11AB"},                  // runs alternating table and GLib
        {"mail 😀 \U0001F1EB\U0001F1F7!", "mail 😀 \U0001F1EB\U0001F1F7!"}, // emoji, four bytes
        {"\U00010400\U0001D15E", "\U00010428\U0001D157"},         // astral: Deseret case, a decomposed note
        {"ǅ ǰ ΐ", "ǆ j ι"},
        {"Abbestellen: \xff bitte", "abbestellen: \uFFFD bitte"},  // an invalid byte
        {"a\0b\0\0c"sv, "a b c"},                                 // NUL is white space
        {"  \t\r\n  ", ""},
        {"", ""},
    };
    for (const auto& [text, expected] : cases) {
        INFO(escaped(text));
        CHECK(policy::fold(text) == reference_fold(text));
        CHECK(policy::fold(text) == expected);
    }
}

TEST_CASE("folding replaces each byte that starts no character with U+FFFD, as g_utf8_make_valid does",
          "[keywords]")
{
    for (const std::string_view invalid :
         {"\x80"sv, "\xBF"sv, "\xC0\xAF"sv, "\xC1\xBF"sv, "\xC3"sv, "\xC3x"sv, "\xE2\x82"sv, "\xE2\x82x"sv,
          "\xE0\x80\xAF"sv, "\xE0\x83\xA9"sv, "\xF0\x80\x83\xA9"sv, "\xED\xA0\x80"sv, "\xF0\x9F\x98"sv,
          "\xF0\x80\x80\x80"sv, "\xF4\x90\x80\x80"sv, "\xF5\x80\x80\x80"sv, "\xF8\x88\x80\x80\x80"sv,
          "\xFE\xFF"sv, "\xC3\xA9\xFF\xC3"sv, "é\x80é"sv}) {
        INFO(escaped(invalid));
        CHECK(policy::fold(invalid) == reference_fold(invalid));
        const std::string in_text = "Ab " + std::string(invalid) + "Cd";
        CHECK(policy::fold(in_text) == reference_fold(in_text));
    }
    CHECK(policy::fold("\xE2\x82") == "\uFFFD\uFFFD");          // a cut three-byte sequence: two bytes, two
    CHECK(policy::fold("\xED\xA0\x80") == "\uFFFD\uFFFD\uFFFD");  // a surrogate is not a character
    CHECK(policy::fold("\xE0\x83\xA9") == "\uFFFD\uFFFD\uFFFD");  // nor an overlong é
}

TEST_CASE("folding gives what GLib gives for every character of the Basic Multilingual Plane", "[keywords]")
{
    // Alone, and between ASCII letters with a mark after it, so that what
    // comes out is checked in place too.
    std::size_t different = 0;
    for (gunichar c = 0x80; c < 0x10000; ++c) {
        if (c >= 0xD800 && c <= 0xDFFF)
            continue;
        const std::string alone = utf8_of(c);
        const std::string in_place = "A" + alone + "\u0301b";
        if (policy::fold(alone) != reference_fold(alone) || policy::fold(in_place) != reference_fold(in_place)) {
            if (++different <= 10)
                FAIL_CHECK("U+" << std::hex << c << ": " << escaped(policy::fold(alone)) << " instead of "
                                << escaped(reference_fold(alone)));
        }
    }
    CHECK(different == 0);
}

TEST_CASE("folding gives what GLib gives beyond the Basic Multilingual Plane", "[keywords]")
{
    std::size_t different = 0;
    for (gunichar c = 0x10000; c <= 0x10FFFF; c += (c < 0x20000 ? 1 : 61)) {
        const std::string text = utf8_of(c) + "x" + utf8_of(c) + utf8_of(c);
        if (policy::fold(text) != reference_fold(text) && ++different <= 10)
            FAIL_CHECK("U+" << std::hex << c);
    }
    CHECK(different == 0);
}

TEST_CASE("folding a character at a time is folding a run: only marks have a combining class", "[keywords]")
{
    // Canonical reordering (the one step of NFD that looks past a character)
    // only moves characters of non-zero combining class; if they are all
    // marks, which folding drops, no result depends on its neighbours.
    std::size_t not_marks = 0;
    for (gunichar c = 0; c <= 0x10FFFF; ++c)
        if (g_unichar_combining_class(c) != 0 && !is_mark(c) && ++not_marks <= 10)
            FAIL_CHECK("U+" << std::hex << c << " has a combining class and is not a mark");
    CHECK(not_marks == 0);
}

TEST_CASE("folding into a buffer gives the same text and reuses it", "[keywords]")
{
    std::string folded = "left over from before, much longer than what comes next";
    policy::fold("Désinscription", folded);
    CHECK(folded == "desinscription");
    policy::fold("", folded);
    CHECK(folded.empty());
    policy::fold("ÉCOLE\xff \u00A0", folded);
    CHECK(folded == "ecole\uFFFD");
}

// --- Keyword lists ------------------------------------------------------------

TEST_CASE("a keyword list reports its first phrase in list order, not in text order", "[keywords]")
{
    const auto list = list_of({"opt out", "unsubscri", "désinscri"});
    CHECK(found(list.find_in("Unsubscribe here, or opt out there")) == "opt out");
    CHECK(found(list.find_in("Désinscription, unsubscribe")) == "unsubscri");
    CHECK(found(list.find_in("désinscrivez-vous")) == "désinscri");
    CHECK(list.find_in("nothing to see") == nullptr);

    // Two ways of writing one phrase: the first written is the one reported.
    const auto same = list_of({"Dese de baja", "dése de baja"});
    CHECK(found(same.find_in("DÉSE DE BAJA")) == "Dese de baja");

    // A long text, where the first phrase is searched for on its own first.
    const std::string filler(300, 'x');
    const auto two = list_of({"receiving this", "because"});
    CHECK(found(two.find_in("because " + filler + " receiving this")) == "receiving this");
    CHECK(found(two.find_in(filler + " because " + filler)) == "because");
    CHECK(found(two.find_in(filler + "receiving this " + filler + " because")) == "because");
}

TEST_CASE("a keyword matches at the start of a word, after anything but a letter or digit", "[keywords]")
{
    const auto list = list_of({"unsub"});
    CHECK(list.find_in("unsubscribe") != nullptr);              // at the start of the text
    CHECK(list.find_in("to unsubscribe") != nullptr);
    CHECK(list.find_in("(unsubscribe)") != nullptr);
    CHECK(list.find_in("e-mail-unsub") != nullptr);
    CHECK(list.find_in("«unsubscribe»") != nullptr);            // after non-ASCII punctuation
    CHECK(list.find_in("l’unsubscribe") != nullptr);
    CHECK(list.find_in("中unsub") == nullptr);                   // an ideograph is a letter...
    CHECK(list.find_in("éunsub") == nullptr);                   // ...and so is é
    CHECK(list.find_in("xunsub") == nullptr);
    CHECK(list.find_in("2unsub") == nullptr);
    CHECK(list.find_in("xunsub unsub") != nullptr);             // the second occurrence counts
    CHECK(policy::contains_at_word_start("a\xC3unsub", "unsub")); // a cut character is no letter
    CHECK(!policy::contains_at_word_start("ab", ""));
}

TEST_CASE("keyword lists of every shape: short phrases, punctuation, growth, append", "[keywords]")
{
    // A one-byte phrase, a two-byte one added after longer ones (the key
    // shrinks), a phrase starting with punctuation, and enough phrases for
    // the table to grow several times.
    std::vector<std::string> phrases = {"receiving this", "you may object", "é", "-x", "by", "(stop"};
    for (int i = 0; i < 150; ++i)
        phrases.push_back("phrase" + std::to_string(i) + " end");
    const auto list = list_of(phrases);
    REQUIRE(list.size() == phrases.size());
    for (const std::string_view text : {"he said by the way", "x é", "e-x", "un-xed", "now (stop)", "(stop",
                                        "phrase149 end phrase7 end", "phrase1 ending", "nothing", "b", "y", ""}) {
        INFO(text);
        CHECK(found(list.find_in(text)) == reference_find(phrases, policy::fold(text)));
    }

    // append and copy keep the order and the index.
    policy::KeywordList first = list_of({"alpha", "beta"});
    const policy::KeywordList second = list_of({"gamma", "b", "alpha beta"});
    first.append(second);
    const std::vector<std::string> all = {"alpha", "beta", "gamma", "b", "alpha beta"};
    policy::KeywordList copy;
    copy = first;
    for (const std::string_view text : {"gamma alpha", "b beta", "bx", "alphabet", "x"}) {
        INFO(text);
        CHECK(found(first.find_in(text)) == reference_find(all, policy::fold(text)));
        CHECK(found(copy.find_in(text)) == reference_find(all, policy::fold(text)));
    }
}

TEST_CASE("folding and keyword lists agree with the reference on pseudo-random texts", "[keywords]")
{
    // Pieces of text: ASCII words and punctuation, accented and decomposed
    // letters, marks alone, cased letters whose folding is special, spaces,
    // characters left to GLib, and bytes that are not UTF-8.
    const std::vector<std::string_view> pieces = {
        "unsub", "scri", "opt", "Out", "de", "BAJA", "stop", "re", "ceive", "a", "e", "x1", "e-mail", "d'", "IN",
        " ", " ", " ", "  ", "\t", "\n", "\r\n", ",", ".", "-", "/", "?", "=", "'", "(", "\0"sv,
        "é", "É", "e\u0301", "\u0301", "\u0308", "\u0345", "ß", "ẞ", "İ", "ı", "Σ", "ς", "ǅ", "ΐ", "\uFB01",
        "\uFF21", "’", "«", "»", "\u00A0", "\u2009", "\u3000", "\u200B", "\u2126", "中", "한", "😀", "\U00010400",
        "\U0001D15E", "\x80", "\xBF", "\xC3", "\xE2\x82", "\xF0\x9F", "\xED\xA0\x80", "\xC0\xAF", "\xFF",
        "\xE0\x83\xA9", "\xF4\x90\x80\x80"};  // the last two: an overlong é, a code point above U+10FFFF
    std::mt19937 random(20261128);
    const auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(random); };
    const auto text_of = [&](std::size_t length) {
        std::string text;
        for (std::size_t i = 0; i < length; ++i)
            text += pieces[pick(pieces.size())];
        return text;
    };

    std::size_t matched = 0;
    for (int round = 0; round < 3000; ++round) {
        // Mostly short texts (a link's), some over 256 bytes (a message's).
        const std::string text = text_of(pick(10) == 0 ? 80 + pick(120) : pick(40));
        std::vector<std::string> phrases;
        for (std::size_t i = 1 + pick(12); i > 0; --i) {
            if (pick(3) == 0 && !text.empty()) {  // a piece of the text itself, maybe cut inside a character
                const std::size_t from = pick(text.size());
                phrases.push_back(text.substr(from, 1 + pick(12)));
            } else {
                phrases.push_back(text_of(1 + pick(3)));
            }
        }
        const auto list = list_of(phrases);
        const std::string folded = policy::fold(text);

        INFO("text: " << escaped(text));
        REQUIRE(folded == reference_fold(text));
        const std::string expected = reference_find(phrases, folded);
        CHECK(found(list.find_in_folded(folded)) == expected);
        CHECK(found(list.find_in(text)) == expected);
        // Unfolded text too, as for a URL: invalid bytes and capitals.
        CHECK(found(list.find_in_folded(text)) == reference_find(phrases, text));
        for (const auto& phrase : phrases) {
            const std::string folded_phrase = reference_fold(phrase);
            CHECK(policy::contains_at_word_start(folded, folded_phrase) ==
                  reference_contains_at_word_start(folded, folded_phrase));
        }
        matched += expected.empty() ? 0 : 1;
    }
    CHECK(matched > 500);  // the texts do hold phrases: the test compares matches, not only misses
}

// --- The unsubscribe rule, links sharing a sentence ------------------------------

TEST_CASE("links sharing a sentence are judged as before, the sentence read once", "[keywords][content]")
{
    const auto loaded = policy::load_policy(PROSPECT_SOURCE_DIR "/tests/corpus/policy.conf");
    REQUIRE(loaded.ok());
    const auto unsubscribe_of = [&](const std::string& html) {
        const auto content = policy::read_message(
            "From: Alice <alice@example.com>\r\nSubject: x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html);
        return policy::check_unsubscribe(*loaded.policy->keywords, {content, content.folded_text()});
    };
    // The third link of the block says it in its URL; its sentence was read for the first.
    const auto by_url = unsubscribe_of(
        "<p>Read <a href=\"https://x.example/a\">one</a>, <a href=\"https://x.example/b\">two</a> or "
        "<a href=\"https://x.example/optout?id=1\">three</a>.</p>");
    CHECK(by_url.outcome == policy::Outcome::pass);
    CHECK(by_url.detail == "link 'https://x.example/optout?id=1' has 'optout' in its URL");
    // The sentence says it: the first link of the block is the evidence.
    const auto by_sentence = unsubscribe_of(
        "<p>To stop receiving our emails, <a href=\"https://x.example/a\">click</a> or "
        "<a href=\"https://x.example/b\">here</a>.</p>");
    CHECK(by_sentence.outcome == policy::Outcome::pass);
    CHECK(by_sentence.detail.starts_with("link 'https://x.example/a' has 'stop receiving' in its sentence"));
    // None does.
    const auto none =
        unsubscribe_of("<p><a href=\"https://x.example/a\">one</a> <a href=\"https://x.example/b\">two</a></p>");
    CHECK(none.outcome == policy::Outcome::fail);
    CHECK(none.detail.find("none of the 2 visible link(s)") != std::string::npos);
}
