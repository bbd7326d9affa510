// The report for the audit file: one HTML file that holds everything it
// shows (inline CSS, charts as inline SVG), with no script and no address
// to fetch, so that it opens and prints the same in ten years. Every string
// that came from a record is escaped.
#include <cstdio>
#include <string>

#include "policy/text.h"
#include "report_charts.h"
#include "report_render.h"
#include "report_tables.h"

namespace ctl::report {

namespace {

constexpr const char* style = R"(
body { font: 13px/1.45 system-ui, "DejaVu Sans", sans-serif; color: #111; margin: 2em auto; max-width: 60em; }
h1 { font-size: 1.5em; margin-bottom: .2em; }
h2 { font-size: 1.2em; border-bottom: 1px solid #999; margin-top: 1.8em; }
h3 { font-size: 1em; margin: 1.2em 0 .2em; }
dl.about { display: grid; grid-template-columns: max-content auto; gap: .1em 1em; }
dl.about dt { font-weight: bold; }
dl.about dd { margin: 0; }
p.note { color: #444; margin: 0 0 .4em; font-size: .92em; }
table { border-collapse: collapse; margin-bottom: .8em; }
th, td { border: 1px solid #bbb; padding: .15em .5em; vertical-align: top; white-space: nowrap; }
th { background: #eee; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; border-top: 2px solid #666; }
svg.chart { width: 100%; max-width: 720px; height: auto; font-size: 10px; }
.empty { font-weight: bold; }
@page { size: A4; margin: 15mm; }
@media print {
  body { margin: 0; max-width: none; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  section, table, svg { break-inside: avoid; }
}
)";

void put(std::FILE* out, const std::string& text)
{
    std::fputs(text.c_str(), out);
}

std::string about_row(std::string_view name, const std::string& value)
{
    return "<dt>" + std::string(name) + "</dt><dd>" + html_escape(value) + "</dd>\n";
}

void head(std::FILE* out, const ReportHeader& header, const Summary& summary)
{
    put(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Prospecting report, " +
                 html_escape(header.period) + "</title>\n<style>" + style + "</style>\n</head>\n<body>\n");
    put(out, "<h1>Prospecting mail: decision records of prospect-milter</h1>\n<dl class=\"about\">\n");
    put(out, about_row("period", header.period) + about_row("source", header.source) +
                 about_row("generated", header.generated));
    if (header.campaign)
        put(out, about_row("campaign", *header.campaign + " (this campaign only)"));
    put(out, about_row("records", std::to_string(summary.records)) + "</dl>\n");
}

std::string cell(const Table& table, std::size_t column, const std::string& value)
{
    return column < table.label_columns ? "<td>" + html_escape(value) + "</td>"
                                        : "<td class=\"n\">" + html_escape(value) + "</td>";
}

void table_html(std::FILE* out, const Table& table)
{
    put(out, "<section>\n<h2>" + html_escape(table.title) + "</h2>\n");
    if (!table.note.empty())
        put(out, "<p class=\"note\">" + html_escape(table.note) + "</p>\n");
    std::string html = "<table>\n<thead><tr>";
    for (const auto& heading : table.headings)
        html += "<th>" + html_escape(heading) + "</th>";
    html += "</tr></thead>\n<tbody>\n";
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        const bool total = table.total_row && i + 1 == table.rows.size();
        html += total ? "<tr class=\"total\">" : "<tr>";
        for (std::size_t column = 0; column < table.rows[i].size(); ++column)
            html += cell(table, column, table.rows[i][column]);
        html += "</tr>\n";
    }
    put(out, html + "</tbody>\n</table>\n</section>\n");
}

std::map<policy::Day, ActionCounts> daily_actions(const std::map<policy::Day, Tally>& days)
{
    std::map<policy::Day, ActionCounts> actions;
    for (const auto& [day, tally] : days)
        if (tally.enforced.total() > 0)
            actions[day] = tally.enforced;
    return actions;
}

// The chart of all campaigns together, then one per campaign when there are several.
void charts(std::FILE* out, const Summary& summary)
{
    std::map<policy::Day, Tally> all_days;
    std::size_t campaigns_with_messages = 0;
    for (const auto& [campaign, days] : summary.campaigns) {
        campaigns_with_messages += daily_actions(days).empty() ? 0 : 1;
        for (const auto& [day, tally] : days)
            all_days[day].add(tally);
    }
    if (const auto chart = daily_actions_chart(daily_actions(all_days)); !chart.empty())
        put(out, "<section>\n<h2>Prospecting messages per day</h2>\n<p class=\"note\">what was done, all campaigns "
                 "shown; dry runs are not drawn</p>\n" + chart + "</section>\n");
    const Tally total = summary.total();
    if (total.one_click.taken + total.one_click.repeats + total.one_click.invalid_tokens + total.mailto.taken +
            total.mailto.repeats + total.mailto.nobody > 0)
        put(out, "<section>\n<h2>Unsubscribes by channel</h2>\n" + unsubscribe_chart(total.one_click, total.mailto) +
                     "</section>\n");
    if (campaigns_with_messages < 2)
        return;
    put(out, "<section>\n<h2>Messages per day, by campaign</h2>\n");
    for (const auto& [campaign, days] : summary.campaigns)
        if (const auto chart = daily_actions_chart(daily_actions(days)); !chart.empty())
            put(out, "<h3>" + html_escape(policy::printable(campaign)) + "</h3>\n" + chart);
    put(out, "</section>\n");
}

}  // namespace

void render_html(const ReportHeader& header, const Summary& summary, std::FILE* out)
{
    head(out, header, summary);
    if (summary.records == 0)
        put(out, "<p class=\"empty\">No decision record in this period.</p>\n");
    else if (header.campaign && summary.campaigns.empty())
        put(out, "<p class=\"empty\">No record of this campaign in this period.</p>\n");
    charts(out, summary);
    for (const auto& table : report_tables(summary))
        table_html(out, table);
    put(out, "<section>\n<h2>Other records</h2>\n<ul>\n");
    for (const auto& note : closing_notes(summary, header.skipped_lines))
        put(out, "<li>" + html_escape(note) + "</li>\n");
    put(out, "</ul>\n</section>\n</body>\n</html>\n");
}

}  // namespace ctl::report
