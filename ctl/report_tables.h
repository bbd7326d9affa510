// report_tables.h — the report's tables, worked out once from the summary
// and laid out by the text and HTML renderers alike, so that a printed
// audit file and a terminal say the same thing.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "report_summary.h"

namespace ctl::report {

struct Table {
    Table(std::string title_, std::string note_, std::vector<std::string> headings_, std::size_t label_columns_ = 1)
        : title(std::move(title_)), note(std::move(note_)), headings(std::move(headings_)),
          label_columns(label_columns_)
    {
    }

    std::string title;
    std::string note;                   // what a reader must know to read it right; may be empty
    std::vector<std::string> headings;
    std::size_t label_columns = 1;      // leading columns of names; the others are numbers
    std::vector<std::vector<std::string>> rows;
    bool total_row = false;             // the last row adds up the others
};

// The tables that have something to show, in reading order: policy
// versions and changes, messages, rejects by rule, dry run, messages not
// judged, recipients, unsubscribes, delays, then per day.
std::vector<Table> report_tables(const Summary& summary);

// The lines after the tables: ordinary mail, skipped lines, unknown records.
std::vector<std::string> closing_notes(const Summary& summary, std::size_t skipped_lines);

// "2026-03-01T08:00:00Z".
std::string format_time(Microseconds time);
// "45 s", "12 min 05 s", "3 h 20 min", "2 d 04 h": precise enough to compare.
std::string format_duration(Microseconds duration);
// "enforcing", "dry run", or "both" when the version ran both ways.
std::string policy_mode(const PolicyVersion& version);

}  // namespace ctl::report
