// mime_headers.h — blocks of header fields as GMime's parser reads them, and
// what the fields mean to the MIME reader (mime_reader.h): a part's type,
// charset, boundary, disposition and transfer encoding; the message's From,
// Subject and header list. Field values are interpreted with GMime.
#pragma once

#include <gmime/gmime.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mime.h"

namespace policy {

struct HeaderField {
    std::string name;
    std::string value;  // unfolded and trimmed, not decoded
};

// One block of header fields, line by line, up to the empty line that ends
// it. Lines a field name cannot start are skipped, as GMime (3.2) skips
// them: a block a broken mailer did not end with an empty line takes the
// body's lines for broken fields, up to the first empty line.
class HeaderBlock {
public:
    enum class Line {
        field,       // taken as (part of) a field, or skipped
        end,         // the empty line that ends the block
        unparsable,  // the message's first line is no field: not a message
    };

    explicit HeaderBlock(bool message) : m_message(message) {}

    // A whole line, without its line ending.
    Line take(std::string_view line);
    // More of the line last taken (an over-long line read in pieces).
    void take_more(std::string_view piece);
    // A last line the input ends in before its line ending (never `end`).
    Line take_last(std::string_view line);
    // The block ends (or the input does): its last field read.
    void finish();
    // Whether the block has had any line but the one that ended it.
    bool took_lines() const { return m_took_lines; }

    std::vector<HeaderField> fields;

private:
    void read_pending();

    bool m_message;
    std::string m_pending;     // the field being read, its lines joined without their endings
    bool m_has_pending = false;
    bool m_took_lines = false;
    bool m_field_start = true;  // the next line that is no continuation starts a field
};

// What a part's header fields say about it.
struct PartType {
    bool multipart = false;
    bool alternative = false;  // multipart/alternative
    bool digest = false;       // multipart/digest: its parts are messages by default
    bool text = false;         // text/plain or text/html
    bool html = false;         // text/html
    bool attachment = false;   // Content-Disposition: attachment
    std::string boundary;      // a multipart's boundary parameter; empty: none
    std::optional<std::string> charset;
    GMimeContentEncoding encoding = GMIME_CONTENT_ENCODING_DEFAULT;
};

// `in_digest`: the part is one of a multipart/digest's.
PartType part_type(const std::vector<HeaderField>& fields, bool in_digest);

// The message's From (first mailbox), Subject and its header fields other
// than Content-*, into `content`.
void read_message_fields(const std::vector<HeaderField>& fields, MessageContent& content);

// GMime's parser options as the reader uses them (lenient, UTF-8 then
// Windows-1252 for undeclared 8-bit header text).
GMimeParserOptions* mime_parser_options();

}  // namespace policy
