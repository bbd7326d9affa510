// csv.h — the simple CSV that CRMs and spreadsheets export, for `prospectctl
// suppress|consent import --column` and the `export` commands.
//
// One record per line (a quoted field may not span lines), fields separated
// by commas, a field optionally in double quotes with "" for a quote inside.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ctl {

// The fields of one line, or nullopt when a quote is not closed or a closing
// quote is followed by something other than a comma.
std::optional<std::vector<std::string>> split_csv_line(std::string_view line);

// `field` as a CSV field: quoted (quotes doubled) when it holds a comma, a
// quote, a line end or surrounding spaces, as is otherwise.
std::string csv_field(std::string_view field);

}  // namespace ctl
