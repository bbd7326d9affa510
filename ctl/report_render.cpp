#include "report_render.h"

namespace ctl::report {

std::optional<Format> parse_format(std::string_view name)
{
    if (name == "text")
        return Format::text;
    if (name == "csv")
        return Format::csv;
    if (name == "html")
        return Format::html;
    return std::nullopt;
}

void render(Format format, const ReportHeader& header, const Summary& summary, std::FILE* out)
{
    switch (format) {
    case Format::text: render_text(header, summary, out); return;
    case Format::csv: render_csv(summary, out); return;
    case Format::html: render_html(header, summary, out); return;
    }
}

}  // namespace ctl::report
