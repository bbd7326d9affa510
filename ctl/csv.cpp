#include "csv.h"

namespace ctl {

namespace {

// Reads the quoted field that starts at line[at] (the opening quote) into
// `field`; returns the position after the closing quote, or npos when the
// quote is never closed.
std::size_t read_quoted(std::string_view line, std::size_t at, std::string& field)
{
    for (++at; at < line.size(); ++at) {
        if (line[at] != '"') {
            field += line[at];
        } else if (at + 1 < line.size() && line[at + 1] == '"') {
            field += '"';
            ++at;
        } else {
            return at + 1;
        }
    }
    return std::string_view::npos;
}

}  // namespace

std::optional<std::vector<std::string>> split_csv_line(std::string_view line)
{
    std::vector<std::string> fields;
    std::size_t at = 0;
    for (;;) {
        std::string field;
        if (at < line.size() && line[at] == '"') {
            at = read_quoted(line, at, field);
            if (at == std::string_view::npos || (at < line.size() && line[at] != ','))
                return std::nullopt;
        } else {
            const auto comma = line.find(',', at);
            const auto end = comma == std::string_view::npos ? line.size() : comma;
            field.assign(line.substr(at, end - at));
            at = end;
        }
        fields.push_back(std::move(field));
        if (at >= line.size())
            return fields;
        ++at;  // the comma
    }
}

std::string csv_field(std::string_view field)
{
    const bool needs_quotes = field.find_first_of(",\"\r\n") != std::string_view::npos ||
                              (!field.empty() && (field.front() == ' ' || field.back() == ' '));
    if (!needs_quotes)
        return std::string(field);
    std::string quoted = "\"";
    for (const char c : field) {
        if (c == '"')
            quoted += '"';
        quoted += c;
    }
    quoted += '"';
    return quoted;
}

}  // namespace ctl
