#include "record_writer.h"

#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "policy/utf8.h"

namespace journal {

namespace {

// A JSON line is written straight into one string: building a JSON tree
// (nlohmann::ordered_json, as this did before) and serialising it was 5 %
// of the daemon's instructions per message. The output is byte for byte
// what nlohmann's dump(-1, ' ', false, error_handler_t::replace) printed:
// tests/unit/record_writer_test.cpp keeps that implementation to compare.

struct Member {
    std::string_view name;
    std::string_view value;
};

// As in the JSON object this replaced, a name given twice keeps its first
// place and takes its last value.
void set_member(std::vector<Member>& members, std::string_view name, std::string_view value)
{
    for (auto& member : members)
        if (member.name == name) {
            member.value = value;
            return;
        }
    members.push_back({name, value});
}

// Bytes that go into a JSON string as they are; the rest is escaped, or is
// the start of a UTF-8 sequence.
bool is_plain(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

void append_escape(std::string& out, unsigned char c)
{
    static constexpr char hex[] = "0123456789abcdef";
    switch (c) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\b': out += "\\b"; return;
    case '\t': out += "\\t"; return;
    case '\n': out += "\\n"; return;
    case '\f': out += "\\f"; return;
    case '\r': out += "\\r"; return;
    }
    const char escape[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0x0f]};
    out.append(escape, sizeof escape);
}

void append_string(std::string& out, std::string_view text)
{
    out += '"';
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t end = i;
        while (end < text.size() && is_plain(static_cast<unsigned char>(text[end])))
            ++end;
        out.append(text.substr(i, end - i));
        if (end == text.size())
            break;
        i = end;
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            append_escape(out, c);
            ++i;
            continue;
        }
        // Invalid UTF-8 becomes U+FFFD, one per maximal ill-formed subpart,
        // as nlohmann's replace handler did (and policy::utf8 reads it).
        const std::size_t start = i;
        if (policy::utf8::next(text, i) == policy::utf8::kReplacement)
            out.append("\xEF\xBF\xBD");
        else
            out.append(text.substr(start, i - start));
    }
    out += '"';
}

std::string object_line(const std::vector<Member>& members)
{
    std::size_t size = 3;  // {}\n
    for (const auto& member : members)
        size += member.name.size() + member.value.size() + 6;  // "":"",
    std::string out;
    out.reserve(size + size / 8);  // room for a few escapes
    out += '{';
    for (const auto& member : members) {
        if (&member != &members.front())
            out += ',';
        append_string(out, member.name);
        out += ':';
        append_string(out, member.value);
    }
    out += "}\n";
    return out;
}

}  // namespace

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
    return json_line(record, identifier, now.count());
}

std::string json_line(const policy::DecisionRecord& record, std::string_view identifier,
                      std::int64_t realtime_microseconds)
{
    const std::string priority = std::to_string(static_cast<int>(record.priority));
    const std::string stamp = std::to_string(realtime_microseconds);
    std::vector<Member> members;
    members.reserve(record.fields.size() + 4);
    set_member(members, "MESSAGE", record.message);
    set_member(members, "PRIORITY", priority);
    set_member(members, "SYSLOG_IDENTIFIER", identifier);
    set_member(members, "__REALTIME_TIMESTAMP", stamp);
    for (const auto& [name, value] : record.fields)
        set_member(members, name, value);
    return object_line(members);
}

}  // namespace journal
