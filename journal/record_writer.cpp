#include "record_writer.h"

#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

namespace journal {

bool journald_reachable()
{
    return access("/run/systemd/journal/socket", W_OK) == 0;
}

void write_journald(const policy::DecisionRecord& record, std::string_view identifier)
{
    std::vector<std::string> lines;
    lines.reserve(record.fields.size() + 3);
    lines.push_back("MESSAGE=" + record.message);
    lines.push_back("PRIORITY=" + std::to_string(static_cast<int>(record.priority)));
    lines.push_back("SYSLOG_IDENTIFIER=" + std::string(identifier));
    for (const auto& [name, value] : record.fields)
        lines.push_back(name + "=" + value);
    std::vector<iovec> vectors;
    vectors.reserve(lines.size());
    for (auto& line : lines)
        vectors.push_back({line.data(), line.size()});
    if (const int rc = sd_journal_sendv(vectors.data(), static_cast<int>(vectors.size())); rc < 0)
        throw std::runtime_error(std::string("journald refused the record: ") + std::strerror(-rc));
}

std::string json_line(const policy::DecisionRecord& record, std::string_view identifier)
{
    // The time journald would have stamped, so that a report reads these
    // lines and `journalctl -o json` alike.
    const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    nlohmann::ordered_json object;
    object["MESSAGE"] = record.message;
    object["PRIORITY"] = std::to_string(static_cast<int>(record.priority));
    object["SYSLOG_IDENTIFIER"] = identifier;
    object["__REALTIME_TIMESTAMP"] = std::to_string(now.count());
    for (const auto& [name, value] : record.fields)
        object[name] = value;
    // Replace, not throw, on invalid UTF-8 from a message header.
    return object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace journal
