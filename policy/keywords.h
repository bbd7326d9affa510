// keywords.h — the phrase lists the content rules look for, and matching
// that survives case, accents and white space.
//
// A keyword matches at the start of a word of the text (the character
// before it is not a letter or digit), after both sides are folded: Unicode
// case folding (so "ß" matches "ss"), accents removed, white space
// collapsed. Keywords are therefore written as stems: "désinscri" matches
// "désinscrire" and "Desinscription".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace policy {

// Folded form of UTF-8 text: what GLib gives for g_utf8_make_valid (each byte
// that starts no valid sequence becomes U+FFFD), then g_utf8_casefold, then
// g_utf8_normalize (NFD), with the marks (Mn, Mc, Me) dropped and every run
// of white space (g_unichar_isspace, Zs, NUL) made one space, none leading or
// trailing. Safe to call from several threads.
std::string fold(std::string_view text);
// The same into `folded`, reusing its memory: for many short texts in a row.
// `text` must not point into `folded`.
void fold(std::string_view text, std::string& folded);

// A list of folded phrases, each with the form it was written in. Built once
// per policy load; afterwards only read, so one list may serve many threads.
class KeywordList {
public:
    void add(std::string_view phrase);
    void append(const KeywordList& other);
    bool empty() const { return m_folded.empty(); }
    std::size_t size() const { return m_folded.size(); }

    // The first keyword of the list (in list order, not text order) found at
    // a word start in `folded_text`, or nullptr. The text is scanned once,
    // whatever the length of the list (a long one after a search for the
    // list's first phrase alone).
    const std::string* find_in_folded(std::string_view folded_text) const;
    const std::string* find_in(std::string_view text) const { return find_in_folded(fold(text)); }

private:
    static constexpr std::uint32_t no_phrase = UINT32_MAX;
    struct Entry {
        std::uint64_t key;     // the phrase's first m_key_length bytes
        std::uint32_t phrase;  // its number in m_folded
    };
    // What the scan reads of a bucket before anything else: its first entry,
    // and whether there are others.
    struct BucketHead {
        std::uint64_t key = 0;
        std::uint32_t phrase = no_phrase;  // no_phrase: the bucket is empty
        bool shared = false;
    };

    void index_newest();
    void file(std::uint32_t phrase);
    std::size_t first_match_at(const std::vector<Entry>& bucket, std::uint64_t key, std::string_view text,
                               std::size_t at, std::size_t below) const;

    std::vector<std::string> m_folded;
    std::vector<std::string> m_written;
    // The phrases by their first m_key_length bytes (as many as the shortest
    // phrase has, at most 8), hashed; each bucket in list order. At least
    // twice as many buckets as phrases, so most words of a text cost one look
    // at a bucket head: empty, another key, or only phrases after one found.
    std::vector<std::vector<Entry>> m_by_start;
    std::vector<BucketHead> m_heads;
    unsigned m_bucket_bits = 0;
    std::size_t m_key_length = sizeof(std::uint64_t);
    std::uint64_t m_key_mask = 0;            // keeps the first m_key_length bytes of 8 read as a number
    bool m_starts_with_punctuation = false;  // some phrase starts with ASCII punctuation
};

struct Keywords {
    KeywordList unsubscribe;        // in a link's text or sentence: an unsubscribe link
    KeywordList unsubscribe_paths;  // in a link's URL: an unsubscribe link by itself
    KeywordList reason;             // why the person receives the message
    KeywordList data_source;        // where their data came from
    KeywordList objection;          // how to object / exercise their rights
};

// True when `folded_text` contains `folded_phrase` at the start of a word.
bool contains_at_word_start(std::string_view folded_text, std::string_view folded_phrase);

}  // namespace policy
