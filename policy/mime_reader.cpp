#include "mime_reader.h"

#include <gmime/gmime.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "charset.h"
#include "content.h"
#include "mime_headers.h"
#include "part_decoder.h"
#include "text.h"

namespace policy {

namespace {

// Lines are assembled up to this length; a longer one is read in pieces
// (and so is never a boundary), which bounds the memory a line can take.
constexpr std::size_t max_line = 64 * 1024;

bool is_lwsp(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// `line` is `boundary` (final: followed by "--"), then only white space.
bool is_boundary(std::string_view line, std::string_view boundary, bool final)
{
    if (!line.starts_with(boundary))
        return false;
    line.remove_prefix(boundary.size());
    if (final) {
        if (!line.starts_with("--"))
            return false;
        line.remove_prefix(2);
    }
    return std::all_of(line.begin(), line.end(), is_lwsp);
}

// A line without its line ending.
std::string_view without_ending(std::string_view line)
{
    if (line.ends_with('\n')) {
        line.remove_suffix(1);
        if (line.ends_with('\r'))
            line.remove_suffix(1);
    }
    return line;
}

struct Part {
    enum class Kind { multipart, text, other };
    Kind kind = Kind::other;
    int depth = 0;
    bool alternative = false;  // multipart/alternative
    bool digest = false;       // multipart/digest
    bool html = false;         // text/html (else text/plain)
    bool in_alternative = false;  // one of a multipart/alternative's parts
    std::vector<int> children;
    std::string boundary;  // multipart: "--" and the boundary parameter, when it has one

    // A text part while its content arrives (read: not nested too deep).
    std::optional<PartDecoder> decoder;
    std::optional<std::string> charset;
    std::string decoded;
    bool truncated = false;

    // A text part once read: its text in UTF-8 until it is made visible
    // (an alternative's is made visible only if no later one replaces it).
    std::string utf8;
    VisibleText visible;
    std::vector<std::string> notes;

    // An alternative: its last displayable part so far, if a text part.
    int shown = -1;
};

}  // namespace

struct MessageReader::State {
    explicit State(const MimeLimits& given) : limits(given) { mime_initialise(); }

    const MimeLimits limits;
    MessageContent content;
    std::vector<Part> parts;     // parts[0] is the message's own part
    bool too_many_parts = false; // parts past limits.max_parts were not kept
    bool unparsable = false;
    bool fed_anything = false;  // GMime reads no message in no bytes at all

    // Where the reading is: in a block of header fields (of the message, or
    // of a part of `block_parent`) or in a body.
    bool in_headers = true;
    HeaderBlock block{true};
    int block_parent = -1;
    std::vector<int> open;  // multiparts whose boundaries are looked for, innermost last
    int text = -1;          // the text part whose content the body lines are, if any

    // Content of `text` not yet given to its decoder: `held`, then `span`
    // (consecutive lines of the bytes being fed). The last line ending before
    // a boundary belongs to the boundary, so two bytes stay held back.
    std::string held;
    std::string_view span;

    std::string partial;     // a line not ended yet
    bool mid_line = false;   // the next bytes continue a line already read in part

    void line(std::string_view line, bool line_start);
    void header_line(std::string_view line, bool line_start);
    void body_line(std::string_view line, bool line_start);
    std::optional<std::pair<std::size_t, bool>> find_boundary(std::string_view line) const;
    void take_boundary(std::string_view line, std::size_t level, bool final);
    void end_block_at_boundary();
    void open_part(bool has_content = true);
    void content_line(std::string_view line);
    void flush_content(std::size_t drop, bool keep_tail);
    void decode(Part& part, std::string_view bytes);
    void close_text();
    void make_visible(Part& part);
    void last_child_complete(int multipart);
    void end_multipart(int multipart);
    void end();
    bool displayable(int index) const;
    void walk(int index);
};

void MessageReader::State::line(std::string_view bytes, bool line_start)
{
    if (unparsable)
        return;
    if (in_headers)
        header_line(bytes, line_start);
    else
        body_line(bytes, line_start);
}

void MessageReader::State::header_line(std::string_view bytes, bool line_start)
{
    if (!line_start) {
        block.take_more(without_ending(bytes));
        return;
    }
    if (!bytes.ends_with('\n')) {
        block.take_more(bytes);  // a piece of an over-long line: never the end of the block
        return;
    }
    if (const auto boundary = find_boundary(bytes)) {
        end_block_at_boundary();
        take_boundary(bytes, boundary->first, boundary->second);
        return;
    }
    switch (block.take(without_ending(bytes))) {
    case HeaderBlock::Line::field:
        return;
    case HeaderBlock::Line::end:
        open_part();
        return;
    case HeaderBlock::Line::unparsable:
        unparsable = true;
        return;
    }
}

void MessageReader::State::body_line(std::string_view bytes, bool line_start)
{
    if (line_start)
        if (const auto boundary = find_boundary(bytes)) {
            take_boundary(bytes, boundary->first, boundary->second);
            return;
        }
    content_line(bytes);
}

// The open multipart (level in `open`) whose boundary the line is, and
// whether it is the final one.
std::optional<std::pair<std::size_t, bool>> MessageReader::State::find_boundary(std::string_view bytes) const
{
    if (open.empty() || !bytes.starts_with("--") || bytes.size() >= max_line)
        return std::nullopt;
    for (std::size_t level = open.size(); level-- > 0;) {
        const std::string& boundary = parts[static_cast<std::size_t>(open[level])].boundary;
        if (is_boundary(bytes, boundary, true))
            return std::pair{level, true};
        if (is_boundary(bytes, boundary, false))
            return std::pair{level, false};
    }
    return std::nullopt;
}

// Ends what a boundary line ends and begins what it begins.
void MessageReader::State::take_boundary(std::string_view bytes, std::size_t level, bool final)
{
    if (text >= 0) {
        // GMime takes the boundary's own line ending for the one before it.
        const std::string_view line = bytes.ends_with('\n') ? bytes.substr(0, bytes.size() - 1) : bytes;
        flush_content(line.ends_with('\r') ? 2 : 1, false);
        close_text();
    }
    const int multipart = open[level];
    while (open.size() > level + 1) {
        end_multipart(open.back());
        open.pop_back();
    }
    if (final) {
        end_multipart(multipart);
        open.pop_back();
    } else {
        last_child_complete(multipart);
    }
    in_headers = !final;
    if (!final) {
        block = HeaderBlock(false);
        block_parent = multipart;
    }
}

// A part's header block that a boundary line ends: a part with no content,
// and no part at all when the block has no fields (as GMime reads it).
void MessageReader::State::end_block_at_boundary()
{
    block.finish();
    if (block.fields.empty())
        in_headers = false;
    else
        open_part(false);
}

// A block of header fields has ended: the part it heads begins.
void MessageReader::State::open_part(bool has_content)
{
    in_headers = false;
    block.finish();
    if (block_parent < 0)
        read_message_fields(block.fields, content);
    if (parts.size() >= static_cast<std::size_t>(limits.max_parts)) {
        too_many_parts = true;  // its lines are nobody's content
        return;
    }
    const bool in_digest = block_parent >= 0 && parts[static_cast<std::size_t>(block_parent)].digest;
    const PartType type = part_type(block.fields, in_digest);
    Part part;
    part.depth = block_parent < 0 ? 0 : parts[static_cast<std::size_t>(block_parent)].depth + 1;
    part.alternative = type.alternative;
    part.digest = type.digest;
    part.in_alternative = block_parent >= 0 && parts[static_cast<std::size_t>(block_parent)].alternative;
    if (type.multipart) {
        part.kind = Part::Kind::multipart;
        // Deeper than max_depth nothing is read, so its parts need not be told apart.
        if (!type.boundary.empty() && part.depth <= limits.max_depth && has_content)
            part.boundary = "--" + type.boundary;
    } else if (type.text && !type.attachment) {
        part.kind = Part::Kind::text;
        part.html = type.html;
        if (part.depth <= limits.max_depth) {
            part.decoder.emplace(type.encoding);
            part.charset = type.charset;
        }
    }
    const int index = static_cast<int>(parts.size());
    if (block_parent >= 0)
        parts[static_cast<std::size_t>(block_parent)].children.push_back(index);
    parts.push_back(std::move(part));
    if (!parts.back().boundary.empty())
        open.push_back(index);
    if (parts.back().kind == Part::Kind::text)
        text = index;
}

void MessageReader::State::content_line(std::string_view bytes)
{
    if (text < 0)
        return;
    if (!span.empty() && span.data() + span.size() == bytes.data())
        span = std::string_view(span.data(), span.size() + bytes.size());
    else {
        flush_content(0, true);
        span = bytes;
    }
}

// Gives the decoder what is held and the span, less `drop` bytes at the end,
// and keeps the last two bytes held when `keep_tail`.
void MessageReader::State::flush_content(std::size_t drop, bool keep_tail)
{
    if (text < 0) {
        held.clear();
        span = {};
        return;
    }
    Part& part = parts[static_cast<std::size_t>(text)];
    const std::size_t total = held.size() + span.size();
    drop = std::min(drop, total);
    const std::size_t keep = keep_tail ? std::min<std::size_t>(2, total - drop) : 0;
    std::size_t out = total - drop - keep;
    std::string next_held;
    const auto pass = [&](std::string_view piece) {
        const std::size_t given = std::min(out, piece.size());
        decode(part, piece.substr(0, given));
        out -= given;
        piece.remove_prefix(given);
        const std::size_t kept = std::min(keep - next_held.size(), piece.size());
        next_held.append(piece.substr(0, kept));
    };
    pass(held);
    pass(span);
    held = std::move(next_held);
    span = {};
}

void MessageReader::State::decode(Part& part, std::string_view bytes)
{
    if (bytes.empty() || part.truncated || !part.decoder)
        return;
    part.decoder->step(bytes, part.decoded);
    if (part.decoded.size() > limits.max_text_part) {
        part.decoded.resize(limits.max_text_part);
        part.truncated = true;
    }
}

// The text part has ended: its visible text, now.
void MessageReader::State::close_text()
{
    Part& part = parts[static_cast<std::size_t>(text)];
    text = -1;
    held.clear();
    span = {};
    if (!part.decoder)
        return;
    if (!part.truncated) {
        part.decoder->finish(part.decoded);
        if (part.decoded.size() > limits.max_text_part) {
            part.decoded.resize(limits.max_text_part);
            part.truncated = true;
        }
    }
    part.decoder.reset();
    if (part.truncated)
        part.notes.push_back("a text part longer than " + std::to_string(limits.max_text_part) +
                             " bytes was read in part");
    part.utf8 = to_utf8(std::move(part.decoded), part.charset ? part.charset->c_str() : nullptr, part.notes);
    part.decoded = std::string();
    if (!part.in_alternative)
        make_visible(part);
}

void MessageReader::State::make_visible(Part& part)
{
    part.visible = part.html ? html_to_visible(part.utf8) : plain_to_visible(part.utf8);
    part.utf8 = std::string();
    if (!part.visible.complete)
        part.notes.push_back("an HTML part too complex to read within the parser's limits");
}

// A multipart's last part so far is complete. In an alternative, a text
// part is made visible only once no later part can replace it: reading
// only what the reader's client shows halves the work on the usual
// text-and-HTML message.
void MessageReader::State::last_child_complete(int index)
{
    Part& multipart = parts[static_cast<std::size_t>(index)];
    if (!multipart.alternative || multipart.children.empty())
        return;
    const int child = multipart.children.back();
    if (!displayable(child))
        return;
    if (multipart.shown >= 0 && multipart.shown != child)
        parts[static_cast<std::size_t>(multipart.shown)].utf8 = std::string();  // replaced
    multipart.shown = parts[static_cast<std::size_t>(child)].kind == Part::Kind::text ? child : -1;
}

void MessageReader::State::end_multipart(int index)
{
    last_child_complete(index);
    Part& multipart = parts[static_cast<std::size_t>(index)];
    if (multipart.shown >= 0) {
        make_visible(parts[static_cast<std::size_t>(multipart.shown)]);
        multipart.shown = -1;
    }
}

// The input has ended: what is still open ends with it.
void MessageReader::State::end()
{
    if (!partial.empty()) {
        const std::string last = std::move(partial);
        partial.clear();
        if (in_headers && !mid_line && !unparsable) {
            // GMime reads a last line without its line ending as a field
            // unless it shows it is none.
            unparsable = block.take_last(last) == HeaderBlock::Line::unparsable;
        } else {
            line(last, !mid_line);
            flush_content(0, true);  // the span is in `last`
        }
    }
    if (unparsable)
        return;
    if (in_headers) {
        // A part's header block the input ends: a part when the block had
        // lines, none when the input ended right after the boundary.
        block.finish();
        if (block_parent < 0 || block.took_lines())
            open_part();
        in_headers = false;
    }
    if (text >= 0) {
        flush_content(0, false);
        close_text();
    }
    while (!open.empty()) {
        end_multipart(open.back());
        open.pop_back();
    }
}

// Could a reader's client show this alternative?
bool MessageReader::State::displayable(int index) const
{
    const Part& part = parts[static_cast<std::size_t>(index)];
    if (part.kind == Part::Kind::multipart)
        return part.depth < limits.max_depth &&
               std::any_of(part.children.begin(), part.children.end(), [&](int child) { return displayable(child); });
    return part.kind == Part::Kind::text;
}

// The parts a reader sees, in order: of an alternative, the last one the
// client can show.
void MessageReader::State::walk(int index)
{
    Part& part = parts[static_cast<std::size_t>(index)];
    if (part.depth > limits.max_depth) {
        content.notes.push_back("MIME nesting deeper than " + std::to_string(limits.max_depth) + " not read");
        return;
    }
    if (part.kind == Part::Kind::multipart) {
        if (part.alternative) {
            for (auto child = part.children.rbegin(); child != part.children.rend(); ++child)
                if (displayable(*child)) {
                    walk(*child);
                    return;
                }
            return;
        }
        for (int child : part.children)
            walk(child);
        return;
    }
    if (part.kind != Part::Kind::text)
        return;
    for (auto& note : part.notes)
        content.notes.push_back(std::move(note));
    content.parts.push_back(std::move(part.visible));
}

MessageReader::MessageReader(const MimeLimits& limits) : m(std::make_unique<State>(limits)) {}

MessageReader::~MessageReader() = default;

void MessageReader::feed(std::string_view bytes)
{
    State& s = *m;
    s.fed_anything = s.fed_anything || !bytes.empty();
    while (!bytes.empty() && !s.unparsable) {
        const auto* newline = static_cast<const char*>(std::memchr(bytes.data(), '\n', bytes.size()));
        const std::size_t length = newline ? static_cast<std::size_t>(newline - bytes.data()) + 1 : bytes.size();
        const std::string_view piece = bytes.substr(0, length);
        bytes.remove_prefix(length);
        if (!newline && s.partial.size() + piece.size() < max_line) {
            s.partial.append(piece);
            break;
        }
        if (s.partial.empty()) {
            s.line(piece, !s.mid_line);
        } else {
            s.partial.append(piece);
            s.line(s.partial, !s.mid_line);
            s.flush_content(0, true);  // the span is in `partial`, which changes now
            s.partial.clear();
        }
        s.mid_line = !newline;  // an over-long line goes on in the next piece
    }
    s.flush_content(0, true);  // the span is in `bytes`, which the caller keeps
}

MessageContent MessageReader::finish()
{
    State& s = *m;
    s.end();
    if (s.unparsable || !s.fed_anything) {
        MessageContent unparsable;
        unparsable.notes.push_back("not a parsable message");
        return unparsable;
    }
    if (!s.parts.empty())
        s.walk(0);
    if (s.too_many_parts)
        s.content.notes.push_back("more than " + std::to_string(s.limits.max_parts) + " MIME parts: the rest not read");
    return std::move(s.content);
}

}  // namespace policy
