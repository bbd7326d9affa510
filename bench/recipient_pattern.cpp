// recipient_pattern.cpp — parsing and expanding recipient patterns
// (recipient_pattern.h).
#include "recipient_pattern.h"

#include <charconv>
#include <stdexcept>

namespace bench {

namespace {

[[noreturn]] void bad(std::string_view text, const std::string& why)
{
    throw std::invalid_argument("recipient pattern '" + std::string(text) + "': " + why);
}

}  // namespace

RecipientPattern::RecipientPattern(std::string_view text) : m_text(text)
{
    Piece piece;
    for (std::size_t at = 0; at < text.size();) {
        if (text[at] != '{') {
            piece.literal += text[at++];
            continue;
        }
        const std::size_t close = text.find('}', at);
        if (close == std::string_view::npos)
            bad(text, "'{' without '}'");
        const std::string_view field = text.substr(at + 1, close - at - 1);
        if (field.empty() || (field[0] != 'n' && field[0] != 'c'))
            bad(text, "a field is {n}, {c}, {n%K} or {n/K}");
        piece.variable = field[0];
        if (field.size() > 1) {
            piece.operation = field[1];
            const char* end = field.data() + field.size();
            const auto [stop, error] = std::from_chars(field.data() + 2, end, piece.operand);
            if ((piece.operation != '%' && piece.operation != '/') || error != std::errc() || stop != end ||
                piece.operand == 0)
                bad(text, "'{" + std::string(field) + "}': the operation is %K or /K with K > 0");
        }
        m_pieces.push_back(std::move(piece));
        piece = Piece{};
        at = close + 1;
    }
    if (!piece.literal.empty())
        m_pieces.push_back(std::move(piece));
}

std::string RecipientPattern::expand(std::uint64_t number, int connection) const
{
    std::string out;
    for (const Piece& piece : m_pieces) {
        out += piece.literal;
        if (!piece.variable)
            continue;
        std::uint64_t value = piece.variable == 'n' ? number : static_cast<std::uint64_t>(connection);
        if (piece.operation == '%')
            value %= piece.operand;
        else if (piece.operation == '/')
            value /= piece.operand;
        out += std::to_string(value);
    }
    return out;
}

}  // namespace bench
