// recipient_pattern.h — milter-load's recipient addresses: a pattern with a
// message counter, so that each message goes to its own recipient, as a
// campaign's messages do (a milter that keeps a contact history, or looks
// each recipient up, must not see the same address again and again).
//
//   "prospect{n}@client{n%50}.fr"   n: the message's number, unique over
//                                   every connection of a run
//   "{c}"                           the connection's index (0..C-1)
//   "{n/K}", "{n%K}"                the number divided by K, or modulo K
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

class RecipientPattern {
public:
    // Throws std::invalid_argument naming what is wrong with `text`.
    explicit RecipientPattern(std::string_view text);

    std::string expand(std::uint64_t number, int connection) const;
    const std::string& text() const { return m_text; }

private:
    struct Piece {
        std::string literal;       // copied as is, before the field
        char variable = 0;         // 'n', 'c', or 0 for no field
        char operation = 0;        // '%', '/', or 0
        std::uint64_t operand = 0;
    };

    std::string m_text;
    std::vector<Piece> m_pieces;
};

}  // namespace bench
