#include "import_reader.h"

#include <algorithm>
#include <cctype>

#include "csv.h"
#include "policy/text.h"

namespace ctl {

namespace {

bool same_name(std::string_view a, std::string_view b)
{
    a = policy::trim(a);
    b = policy::trim(b);
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

std::optional<std::size_t> find_column(const std::vector<std::string>& header, std::string_view name)
{
    for (std::size_t i = 0; i < header.size(); ++i)
        if (same_name(header[i], name))
            return i;
    return std::nullopt;
}

std::string column_list(const std::vector<std::string>& header)
{
    std::string list;
    for (const auto& name : header)
        list += (list.empty() ? "" : ", ") + policy::printable(name, 40);
    return list;
}

store::Invalid missing_column(std::string_view name, const std::vector<std::string>& header)
{
    return {"no column \"" + std::string(name) + "\" in the header (columns: " + column_list(header) + ")"};
}

}  // namespace

ImportReader::ImportReader(std::string_view bytes, ImportFormat format, KeyParser parse)
    : m_rest(bytes), m_format(std::move(format)), m_parse(m_format.hashes ? parse_hash_key : parse)
{
    if (m_rest.starts_with("\xEF\xBB\xBF"))
        m_rest.remove_prefix(3);
}

std::optional<std::string_view> ImportReader::next_content_line()
{
    while (!m_rest.empty()) {
        const auto end = m_rest.find('\n');
        std::string_view line = m_rest.substr(0, end);
        m_rest.remove_prefix(end == std::string_view::npos ? m_rest.size() : end + 1);
        ++m_number;
        if (line.ends_with('\r'))
            line.remove_suffix(1);
        const auto content = policy::trim(line);
        if (!content.empty() && content.front() != '#')
            return line;
    }
    return std::nullopt;
}

bool ImportReader::read_header(ImportLine& why)
{
    if (m_format.column.empty())
        return true;
    const auto line = next_content_line();
    why.number = m_number;
    const auto header = line ? split_csv_line(*line) : std::nullopt;
    if (!header) {
        why.key = store::Invalid{line ? "the header line is not valid CSV" : "no header line"};
        return false;
    }
    const auto column = find_column(*header, m_format.column);
    if (!column) {
        why.key = missing_column(m_format.column, *header);
        return false;
    }
    m_column = *column;
    if (!m_format.proof_column.empty()) {
        m_proof = find_column(*header, m_format.proof_column);
        if (!m_proof) {
            why.key = missing_column(m_format.proof_column, *header);
            return false;
        }
    }
    return true;
}

bool ImportReader::next(ImportLine& line)
{
    const auto text = next_content_line();
    if (!text)
        return false;
    line = ImportLine{};
    line.number = m_number;
    if (m_format.column.empty()) {
        line.value = std::string(policy::trim(*text));
        line.key = m_parse(line.value);
    } else {
        read_csv_fields(*text, line);
    }
    return true;
}

void ImportReader::read_csv_fields(std::string_view text, ImportLine& line) const
{
    const auto fields = split_csv_line(text);
    line.value = std::string(text);
    if (!fields) {
        line.key = store::Invalid{"not valid CSV (a quote is not closed, or text follows a closing quote)"};
        return;
    }
    const std::size_t needed = std::max(m_column, m_proof.value_or(0)) + 1;
    if (fields->size() < needed) {
        line.key = store::Invalid{"only " + std::to_string(fields->size()) + " field(s), the header has more"};
        return;
    }
    line.value = std::string(policy::trim((*fields)[m_column]));
    if (line.value.empty()) {
        line.key = store::Invalid{"column \"" + m_format.column + "\" is empty"};
        return;
    }
    line.key = m_parse(line.value);
    if (m_proof)
        line.proof = (*fields)[*m_proof];
}

}  // namespace ctl
