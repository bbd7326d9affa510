// spool.h — the bytes of one message as the milter receives them (headers,
// then body chunks), kept with bounded memory: in memory up to a threshold,
// beyond it in an unlinked temporary file, and not at all past the size
// limit (the message is then judged "too large to inspect").
#pragma once

#include <string>
#include <string_view>

#include "policy/mime.h"
#include "policy/policy.h"

namespace milter {

class MessageSpool {
public:
    explicit MessageSpool(const policy::ContentSettings& settings);
    ~MessageSpool();
    MessageSpool(const MessageSpool&) = delete;
    MessageSpool& operator=(const MessageSpool&) = delete;

    // Adds bytes; returns false once the message is over the size limit
    // (what comes after is not kept). Throws std::runtime_error when the
    // spool file cannot be written.
    bool append(std::string_view bytes);
    void append_header(std::string_view name, std::string_view value);

    bool too_large() const { return m_too_large; }
    std::size_t size() const { return m_size; }

    // What the recipient sees of the spooled message.
    policy::MessageContent read() const;

private:
    void move_to_file();

    const policy::ContentSettings& m_settings;
    std::string m_memory;   // the message while it is under the threshold
    int m_fd = -1;          // the spool file once it is not
    std::size_t m_size = 0; // bytes received
    bool m_too_large = false;
};

}  // namespace milter
