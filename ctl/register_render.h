// register_render.h — the record of processing (register_document.h) as a
// document the DPO can read, print and file: Markdown, or one
// self-contained HTML page (inline CSS for print, no script, no external
// resource).
//
// Both escape every piece of text, the policy's included, so that what the
// postmaster wrote is shown as written and can never become markup.
#pragma once

#include <string>

#include "register_document.h"

namespace ctl {

// CommonMark: headings and "label: value" lists, no tables. Markdown
// punctuation in the text is backslash-escaped (it renders as written).
std::string render_markdown(const RecordOfProcessing& record);

// HTML5, UTF-8, everything in one file.
std::string render_html(const RecordOfProcessing& record);

}  // namespace ctl
