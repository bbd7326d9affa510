// mime.h — reading a message the way the recipient's client shows it: the
// From header, the subject, and the visible text and links of the text
// parts a reader sees. The reading is the MIME reader's (mime_reader.h, which
// the milter feeds chunk by chunk); these read a whole message at once.
//
// Which parts count: text/plain and text/html that are not attachments; in
// a multipart/alternative only the last alternative the reader's client
// would display (text/html, text/plain, or a multipart holding text/html).
// Transfer encodings are decoded; a declared charset is converted to UTF-8,
// and bytes that are not valid in it (or undeclared non-UTF-8 bytes) are read
// as Windows-1252. Malformed MIME still gives a result, never an exception.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "content.h"

namespace policy {

struct MessageContent {
    std::string from_display_name;  // decoded (RFC 2047), trimmed; empty when none
    std::string from_address;       // lower-cased addr-spec of the first From mailbox
    std::string subject;            // decoded
    std::vector<VisibleText> parts; // the text parts a reader sees, in order
    std::vector<std::string> notes; // what was odd (undecodable charset, truncated part...)
    std::vector<std::pair<std::string, std::string>> headers;  // top-level headers, values unfolded and trimmed

    // The first header of that name (case-insensitive), if any.
    const std::string* header(std::string_view name) const;

    // All visible text, folded (keywords.h), parts separated by "\n".
    std::string folded_text() const;
    // False when a part could not be read in full (too complex to parse).
    bool complete() const;
};

// Limits that keep memory per message bounded.
struct MimeLimits {
    std::size_t max_text_part = 4 * 1024 * 1024;  // decoded bytes read per text part
    int max_depth = 32;                             // multipart nesting followed
    int max_parts = 500;                            // MIME parts looked at
};

// Must be called once per process before any other function here.
void mime_initialise();

// Reads a whole message held in memory.
MessageContent read_message(std::string_view bytes, const MimeLimits& limits = {});

// Reads a message from a file descriptor, from its start, in 64 KiB chunks;
// the file is never loaded into memory whole. The descriptor stays open and
// owned by the caller.
MessageContent read_message_fd(int fd, const MimeLimits& limits = {});

}  // namespace policy
