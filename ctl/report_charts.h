// report_charts.h — the HTML report's charts as inline SVG: drawn by the
// file itself, so the audit file needs no script, no network and no other
// file to show them, on screen or printed.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "html_text.h"
#include "report_summary.h"

namespace ctl::report {

// Messages per UTC day as stacked bars of pass, monitor, tag, quarantine and
// reject, every day from the first to the last shown (an empty day is a gap,
// not left out). Dry runs are not drawn: nothing was done.
std::string daily_actions_chart(const std::map<policy::Day, ActionCounts>& days);

// One bar per channel: unsubscribes taken in, then repeats, invalid tokens
// and mail that suppressed nobody.
std::string unsubscribe_chart(const UnsubscribeCounts& one_click, const UnsubscribeCounts& mailto);

}  // namespace ctl::report
