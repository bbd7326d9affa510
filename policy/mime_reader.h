// mime_reader.h — a message read as its bytes arrive, in chunks of any
// size, with nothing kept but what the content rules need: the top-level
// headers and the decoded text parts (each turned into visible text as soon
// as its part ends). The milter feeds it the headers and body chunks as the
// MTA sends them, so a message is mostly read before its end arrives and its
// attachments cost neither memory nor time.
//
// It reads MIME structure the way GMime's parser does (header blocks, the
// boundary stack, the line ending that belongs to a boundary, headers a
// broken mailer did not end with an empty line) — mime_reader_test.cpp holds
// it to GMime's reading of the same messages — and uses GMime for what the
// header fields mean (content types and their parameters, RFC 2047 words,
// addresses). What it does not do that GMime does: it looks at the first
// MimeLimits::max_parts parts of the message only, and a boundary line of
// 64 KiB or more (a boundary followed by that much white space) is content.
#pragma once

#include <memory>
#include <string_view>

#include "mime.h"

namespace policy {

class MessageReader {
public:
    explicit MessageReader(const MimeLimits& limits = {});
    ~MessageReader();
    MessageReader(const MessageReader&) = delete;
    MessageReader& operator=(const MessageReader&) = delete;

    // The next bytes of the message (headers and body, as sent: lines end
    // in CRLF or LF).
    void feed(std::string_view bytes);
    // The end of the message: what the reader sees of it. Call once.
    MessageContent finish();

private:
    struct State;
    std::unique_ptr<State> m;
};

}  // namespace policy
