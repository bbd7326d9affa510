// keywords.h — the phrase lists the content rules look for, and matching
// that survives case, accents and white space.
//
// A keyword matches at the start of a word of the text (the character
// before it is not a letter or digit), after both sides are folded: Unicode
// case folding (so "ß" matches "ss"), accents removed, white space
// collapsed. Keywords are therefore written as stems: "désinscri" matches
// "désinscrire" and "Desinscription".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace policy {

// Folded form of UTF-8 text (invalid sequences become U+FFFD).
std::string fold(std::string_view text);

// A list of folded phrases, each with the form it was written in.
class KeywordList {
public:
    void add(std::string_view phrase);
    void append(const KeywordList& other);
    bool empty() const { return m_folded.empty(); }
    std::size_t size() const { return m_folded.size(); }

    // The first keyword found in already folded text, or nullptr.
    const std::string* find_in_folded(std::string_view folded_text) const;
    const std::string* find_in(std::string_view text) const { return find_in_folded(fold(text)); }

private:
    std::vector<std::string> m_folded;
    std::vector<std::string> m_written;
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
