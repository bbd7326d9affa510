// The report for a terminal: a header, then each table with its columns
// aligned (names to the left, numbers to the right).
#include <algorithm>

#include "policy/text.h"
#include "report_render.h"
#include "report_tables.h"

namespace ctl::report {

namespace {

// Width as a terminal shows it: UTF-8 continuation bytes take no column.
std::size_t columns_of(const std::string& text)
{
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::vector<std::size_t> column_widths(const Table& table)
{
    std::vector<std::size_t> widths(table.headings.size(), 0);
    const auto widen = [&](const std::vector<std::string>& cells) {
        for (std::size_t i = 0; i < cells.size() && i < widths.size(); ++i)
            widths[i] = std::max(widths[i], columns_of(cells[i]));
    };
    widen(table.headings);
    for (const auto& row : table.rows)
        widen(row);
    return widths;
}

void print_cells(std::FILE* out, const Table& table, const std::vector<std::size_t>& widths,
                 const std::vector<std::string>& cells)
{
    std::string line;
    for (std::size_t i = 0; i < cells.size() && i < widths.size(); ++i) {
        const std::string padding(widths[i] - columns_of(cells[i]), ' ');
        const bool label = i < table.label_columns;
        line += (i == 0 ? "" : "  ") + (label ? cells[i] + padding : padding + cells[i]);
    }
    while (!line.empty() && line.back() == ' ')
        line.pop_back();
    std::fprintf(out, "%s\n", line.c_str());
}

void print_table(std::FILE* out, const Table& table)
{
    std::fprintf(out, "\n%s\n", table.title.c_str());
    if (!table.note.empty())
        std::fprintf(out, "(%s)\n", table.note.c_str());
    const auto widths = column_widths(table);
    print_cells(out, table, widths, table.headings);
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        if (table.total_row && i + 1 == table.rows.size()) {
            std::size_t rule = 0;
            for (const auto width : widths)
                rule += width + 2;
            std::fprintf(out, "%s\n", std::string(rule - 2, '-').c_str());
        }
        print_cells(out, table, widths, table.rows[i]);
    }
}

void print_header(std::FILE* out, const ReportHeader& header, const Summary& summary)
{
    std::fprintf(out, "prospect-milter decision records: report per campaign and day\n");
    std::fprintf(out, "period:    %s\n", header.period.c_str());
    std::fprintf(out, "source:    %s\n", policy::printable(header.source, 400).c_str());
    std::fprintf(out, "generated: %s\n", header.generated.c_str());
    if (header.campaign)
        std::fprintf(out, "campaign:  %s (this campaign only)\n", policy::printable(*header.campaign).c_str());
    std::fprintf(out, "records:   %llu\n", static_cast<unsigned long long>(summary.records));
}

}  // namespace

void render_text(const ReportHeader& header, const Summary& summary, std::FILE* out)
{
    print_header(out, header, summary);
    if (summary.records == 0)
        std::fprintf(out, "\nNo decision record in this period.\n");
    else if (header.campaign && summary.campaigns.empty())
        std::fprintf(out, "\nNo record of this campaign in this period.\n");
    for (const auto& table : report_tables(summary))
        print_table(out, table);
    std::fprintf(out, "\n");
    for (const auto& note : closing_notes(summary, header.skipped_lines))
        std::fprintf(out, "%s\n", note.c_str());
}

}  // namespace ctl::report
