// record_reader.h — decision records read back: from the local journal
// (sd-journal), or from JSON lines as the daemon writes them where journald
// is absent and as `journalctl -o json` prints them. Each record comes out
// as its time and its fields, one at a time, so a year of records never has
// to fit in memory.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace journal {

// Microseconds since the epoch, as journald stamps an entry.
using Microseconds = std::int64_t;

struct Record {
    Microseconds time = 0;  // __REALTIME_TIMESTAMP
    std::map<std::string, std::string, std::less<>> fields;

    // The field's value, or "" when the record does not carry it (the
    // daemon leaves out a field that does not apply).
    std::string_view get(std::string_view name) const;
    bool has(std::string_view name) const { return fields.find(name) != fields.end(); }
};

// [from, until): both ends in microseconds.
struct TimeWindow {
    Microseconds from = std::numeric_limits<Microseconds>::min();
    Microseconds until = std::numeric_limits<Microseconds>::max();

    bool contains(Microseconds when) const { return when >= from && when < until; }
};

struct ReadOptions {
    std::string identifier = "prospect-milter";  // SYSLOG_IDENTIFIER of the records wanted
    TimeWindow window;
    // Only fields whose names start with this are kept ("" keeps all): a
    // journal entry carries some twenty trusted fields a report never reads.
    std::string field_prefix;
};

using RecordHandler = std::function<void(Record&&)>;
// A line that starts like a record but is not one: its number (from 1) and why.
using BadLineHandler = std::function<void(std::size_t line, const std::string& why)>;

struct ReadCounts {
    std::size_t records = 0;    // handed to the RecordHandler
    std::size_t bad_lines = 0;  // handed to the BadLineHandler
};

// Reads JSON lines. Lines that do not start with '{' are the daemon's plain
// log lines, skipped in silence; a line that starts with '{' and is not a
// record (not JSON, no __REALTIME_TIMESTAMP) goes to `on_bad_line`.
ReadCounts read_json_lines(std::istream& input, const ReadOptions& options, const RecordHandler& on_record,
                           const BadLineHandler& on_bad_line);

// The journal of this machine (SD_JOURNAL_LOCAL_ONLY), opened before it is
// read so that a command can tell "cannot read the journal" from an empty
// period before it creates its output.
class LocalJournal {
public:
    // Throws std::runtime_error when the journal cannot be opened, or when
    // no journal file could be read (none there, or not in the
    // systemd-journal or adm group): an empty report would say nothing
    // happened when the records were only out of reach.
    LocalJournal();
    ~LocalJournal();
    LocalJournal(const LocalJournal&) = delete;
    LocalJournal& operator=(const LocalJournal&) = delete;

    // Throws std::runtime_error when the journal cannot be read on.
    ReadCounts read(const ReadOptions& options, const RecordHandler& on_record);

private:
    struct Handle;
    std::unique_ptr<Handle> m_handle;
};

}  // namespace journal
