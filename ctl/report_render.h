// report_render.h — the report of `prospectctl report` written out: text
// for a terminal, CSV (one row per campaign and day) for a spreadsheet,
// HTML (one self-contained, printable file) for the audit file.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "report_summary.h"

namespace ctl::report {

enum class Format { text, csv, html };

std::optional<Format> parse_format(std::string_view name);

// What the report is about, said at its top.
struct ReportHeader {
    std::string period;     // "2026-03-01 to 2026-03-31 (UTC days, both included)"
    std::string source;     // "the local journal (SYSLOG_IDENTIFIER=prospect-milter)", a file name
    std::string generated;  // "2026-11-28T14:03:12Z"
    std::optional<std::string> campaign;  // --campaign
    std::size_t skipped_lines = 0;        // input lines that looked like records and were not
};

void render(Format format, const ReportHeader& header, const Summary& summary, std::FILE* out);

void render_text(const ReportHeader& header, const Summary& summary, std::FILE* out);
void render_csv(const Summary& summary, std::FILE* out);
void render_html(const ReportHeader& header, const Summary& summary, std::FILE* out);

}  // namespace ctl::report
