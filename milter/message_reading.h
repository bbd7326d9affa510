// message_reading.h — one message read as the MTA sends it: each header and
// body chunk goes straight to the MIME reader (policy/mime_reader.h), so
// the message is mostly read by the time its end arrives and none of its
// bytes are kept, only the decoded text parts the content rules read (at
// most 4 MiB each). Past content.max_message_size nothing more is read and
// the message is "too large to inspect".
#pragma once

#include <optional>
#include <string_view>

#include "policy/mime.h"
#include "policy/mime_reader.h"
#include "policy/policy.h"

namespace milter {

class MessageReading {
public:
    explicit MessageReading(const policy::ContentSettings& settings);

    // Reads the next bytes; returns false once the message is over the size
    // limit (what comes after is not read).
    bool append(std::string_view bytes);
    void append_header(std::string_view name, std::string_view value);

    bool too_large() const { return m_too_large; }
    std::size_t size() const { return m_size; }

    // What the recipient sees of the message. Call once, unless too_large().
    policy::MessageContent finish();

private:
    std::size_t m_max_size;
    std::optional<policy::MessageReader> m_reader;
    std::size_t m_size = 0;  // bytes received
    bool m_too_large = false;
};

}  // namespace milter
