#include "record_reader.h"

#include <systemd/sd-journal.h>

#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

namespace journal {

namespace {

constexpr std::string_view time_field = "__REALTIME_TIMESTAMP";

std::optional<Microseconds> parse_microseconds(std::string_view text)
{
    Microseconds value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.empty() || value < 0)
        return std::nullopt;
    return value;
}

bool is_byte_array(const nlohmann::json& value)
{
    for (const auto& element : value)
        if (!element.is_number_unsigned() || element.get<unsigned>() > 255)
            return false;
    return true;
}

// journalctl -o json prints a field as a string; as an array of bytes when
// it is not UTF-8; as an array of values when the entry carries the field
// more than once (the first is kept); as null when it is over journalctl's
// size threshold (dropped: nothing to read).
std::optional<std::string> field_value(const nlohmann::json& value)
{
    if (value.is_string())
        return value.get<std::string>();
    if (value.is_number_integer())
        return value.dump();
    if (value.is_array() && !value.empty() && is_byte_array(value)) {
        std::string bytes;
        for (const auto& element : value)
            bytes += static_cast<char>(element.get<unsigned>());
        return bytes;
    }
    if (value.is_array() && !value.empty())
        return field_value(value.front());
    return std::nullopt;
}

// nlohmann's messages start with "[json.exception.parse_error.101] ".
std::string parse_problem(const nlohmann::json::exception& error)
{
    const std::string_view what = error.what();
    const auto end = what.find("] ");
    return "not JSON: " + std::string(end == std::string_view::npos ? what : what.substr(end + 2));
}

bool wanted_field(std::string_view name, const ReadOptions& options)
{
    return name.starts_with(options.field_prefix) && name != time_field;
}

std::optional<Microseconds> time_of(const nlohmann::json& object)
{
    const auto stamp = object.find(time_field);
    const auto text = stamp == object.end() ? std::nullopt : field_value(*stamp);
    return text ? parse_microseconds(*text) : std::nullopt;
}

// The record a JSON line holds, or why it is not one; neither for a record
// of another program or outside the window, which is no problem.
struct LineResult {
    std::optional<Record> record;
    std::string problem;
};

LineResult record_of_line(std::string_view line, const ReadOptions& options)
{
    nlohmann::json object;
    try {
        object = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& error) {
        return {std::nullopt, parse_problem(error)};
    }
    if (!object.is_object())
        return {std::nullopt, "not a JSON object"};
    const auto micros = time_of(object);
    if (!micros)
        return {std::nullopt, "no __REALTIME_TIMESTAMP in microseconds"};
    const auto identifier = object.find("SYSLOG_IDENTIFIER");
    if (!options.identifier.empty() &&
        (identifier == object.end() || field_value(*identifier) != options.identifier))
        return {};
    if (!options.window.contains(*micros))
        return {};
    Record record;
    record.time = *micros;
    for (const auto& [name, value] : object.items())
        if (wanted_field(name, options))
            if (auto text = field_value(value))
                record.fields.emplace(name, std::move(*text));
    return {std::move(record), {}};
}

[[noreturn]] void journal_error(const std::string& what, int rc)
{
    throw std::runtime_error(what + ": " + std::strerror(-rc));
}

Record entry_record(sd_journal* journal, Microseconds time, const ReadOptions& options)
{
    Record record;
    record.time = time;
    const void* data = nullptr;
    std::size_t length = 0;
    sd_journal_restart_data(journal);
    // "available": a field that cannot be read (a damaged file) is passed
    // over rather than ending the whole read.
    while (sd_journal_enumerate_available_data(journal, &data, &length) > 0) {
        const std::string_view field(static_cast<const char*>(data), length);
        const auto equals = field.find('=');
        if (equals == std::string_view::npos || !wanted_field(field.substr(0, equals), options))
            continue;
        record.fields.emplace(field.substr(0, equals), field.substr(equals + 1));
    }
    return record;
}

void position(sd_journal* journal, const ReadOptions& options)
{
    sd_journal_flush_matches(journal);
    if (!options.identifier.empty()) {
        const std::string match = "SYSLOG_IDENTIFIER=" + options.identifier;
        if (const int rc = sd_journal_add_match(journal, match.data(), match.size()); rc < 0)
            journal_error("cannot select " + match, rc);
    }
    const int rc = options.window.from > 0
                       ? sd_journal_seek_realtime_usec(journal, static_cast<std::uint64_t>(options.window.from))
                       : sd_journal_seek_head(journal);
    if (rc < 0)
        journal_error("cannot seek in the journal", rc);
}

}  // namespace

std::string_view Record::get(std::string_view name) const
{
    const auto found = fields.find(name);
    return found == fields.end() ? std::string_view() : std::string_view(found->second);
}

ReadCounts read_json_lines(std::istream& input, const ReadOptions& options, const RecordHandler& on_record,
                           const BadLineHandler& on_bad_line)
{
    ReadCounts counts;
    std::string line;
    for (std::size_t number = 1; std::getline(input, line); ++number) {
        if (line.empty() || line.front() != '{')
            continue;
        auto result = record_of_line(line, options);
        if (!result.problem.empty()) {
            ++counts.bad_lines;
            on_bad_line(number, result.problem);
        } else if (result.record) {
            ++counts.records;
            on_record(std::move(*result.record));
        }
    }
    return counts;
}

struct LocalJournal::Handle {
    sd_journal* journal = nullptr;
    ~Handle()
    {
        if (journal != nullptr)
            sd_journal_close(journal);
    }
};

LocalJournal::LocalJournal() : m_handle(std::make_unique<Handle>())
{
    if (const int rc = sd_journal_open(&m_handle->journal, SD_JOURNAL_LOCAL_ONLY); rc < 0)
        journal_error("cannot open the journal", rc);
    std::uint64_t bytes = 0;
    if (sd_journal_get_usage(m_handle->journal, &bytes) < 0 || bytes == 0)
        throw std::runtime_error("no journal file could be read (none on this machine, or not readable: "
                                 "run as root or as a member of the systemd-journal or adm group)");
}

LocalJournal::~LocalJournal() = default;

ReadCounts LocalJournal::read(const ReadOptions& options, const RecordHandler& on_record)
{
    sd_journal* journal = m_handle->journal;
    position(journal, options);
    ReadCounts counts;
    for (;;) {
        const int rc = sd_journal_next(journal);
        if (rc < 0)
            journal_error("cannot read the journal", rc);
        if (rc == 0)
            return counts;
        std::uint64_t time = 0;
        if (sd_journal_get_realtime_usec(journal, &time) < 0)
            continue;
        // Not a stop at the first entry past `until`: entries follow each
        // file's sequence, and a clock set back puts later ones earlier.
        if (!options.window.contains(static_cast<Microseconds>(time)))
            continue;
        on_record(entry_record(journal, static_cast<Microseconds>(time), options));
        ++counts.records;
    }
}

}  // namespace journal
