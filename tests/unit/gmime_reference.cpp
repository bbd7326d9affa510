// gmime_reference.cpp — how the product read messages before it had a MIME
// reader of its own: GMime's parser builds the message's object tree and the
// text parts are read from it. The MIME reader (policy/mime_reader.cpp) must
// give the same content; mime_reader_test.cpp compares both.
#include "gmime_reference.h"

#include <gmime/gmime.h>

#include <algorithm>
#include <memory>

#include "policy/charset.h"
#include "policy/part_decoder.h"
#include "policy/text.h"

namespace gmime_reference {

using namespace policy;

namespace {

template <typename T>
struct GObjectDeleter {
    void operator()(T* object) const
    {
        if (object)
            g_object_unref(object);
    }
};
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectDeleter<T>>;

// The decoded bytes of a leaf part, at most `limit` of them, read from the
// part's stream in chunks (part_decoder.h).
std::string decoded_content(GMimePart* part, std::size_t limit, bool& truncated)
{
    truncated = false;
    GMimeDataWrapper* wrapper = g_mime_part_get_content(part);
    if (!wrapper)
        return {};
    GMimeStream* raw = g_mime_data_wrapper_get_stream(wrapper);  // borrowed
    if (!raw)
        return {};
    g_mime_stream_reset(raw);
    PartDecoder decoder(g_mime_data_wrapper_get_encoding(wrapper));
    std::string out;
    if (const gint64 length = g_mime_stream_length(raw); length > 0)
        out.reserve(std::min(static_cast<std::size_t>(length), limit) + 16);
    const auto over_limit = [&] {
        if (out.size() <= limit)
            return false;
        out.resize(limit);
        truncated = true;
        return true;
    };
    char buffer[16384];
    for (;;) {
        const gssize n = g_mime_stream_read(raw, buffer, sizeof buffer);
        if (n <= 0)
            break;
        decoder.step({buffer, static_cast<std::size_t>(n)}, out);
        if (over_limit())
            return out;
    }
    decoder.finish(out);
    over_limit();
    return out;
}

bool is_attachment(GMimeObject* object)
{
    const char* disposition = g_mime_object_get_disposition(object);
    return disposition && g_ascii_strcasecmp(disposition, "attachment") == 0;
}

bool is_type(GMimeObject* object, const char* type, const char* subtype)
{
    GMimeContentType* content_type = g_mime_object_get_content_type(object);
    return content_type && g_mime_content_type_is_type(content_type, type, subtype);
}

class Reader {
public:
    Reader(const MimeLimits& limits, MessageContent& content) : m_limits(limits), m_content(content) {}

    void read(GMimeMessage* message);

private:
    bool displayable(GMimeObject* object, int depth) const;
    void walk(GMimeObject* object, int depth);
    void read_text_part(GMimePart* part);

    const MimeLimits& m_limits;
    MessageContent& m_content;
    int m_parts_seen = 0;
};

// Could a reader's client show this alternative?
bool Reader::displayable(GMimeObject* object, int depth) const
{
    if (GMIME_IS_MULTIPART(object)) {
        if (depth >= m_limits.max_depth)
            return false;
        GMimeMultipart* multipart = GMIME_MULTIPART(object);
        const int count = g_mime_multipart_get_count(multipart);
        for (int i = 0; i < count; ++i)
            if (displayable(g_mime_multipart_get_part(multipart, i), depth + 1))
                return true;
        return false;
    }
    return GMIME_IS_PART(object) && !is_attachment(object) &&
           (is_type(object, "text", "html") || is_type(object, "text", "plain"));
}

void Reader::walk(GMimeObject* object, int depth)
{
    if (!object)
        return;
    if (++m_parts_seen > m_limits.max_parts) {
        if (m_parts_seen == m_limits.max_parts + 1)
            m_content.notes.push_back("more than " + std::to_string(m_limits.max_parts) + " MIME parts: the rest not read");
        return;
    }
    if (depth > m_limits.max_depth) {
        m_content.notes.push_back("MIME nesting deeper than " + std::to_string(m_limits.max_depth) + " not read");
        return;
    }
    if (GMIME_IS_MULTIPART(object)) {
        GMimeMultipart* multipart = GMIME_MULTIPART(object);
        const int count = g_mime_multipart_get_count(multipart);
        if (is_type(object, "multipart", "alternative")) {
            for (int i = count - 1; i >= 0; --i) {
                GMimeObject* alternative = g_mime_multipart_get_part(multipart, i);
                if (displayable(alternative, depth + 1)) {
                    walk(alternative, depth + 1);
                    return;
                }
            }
            return;
        }
        for (int i = 0; i < count; ++i)
            walk(g_mime_multipart_get_part(multipart, i), depth + 1);
        return;
    }
    // Forwarded messages (message/rfc822) and other parts are not what this
    // message says to its reader.
    if (!GMIME_IS_PART(object) || is_attachment(object))
        return;
    if (is_type(object, "text", "plain") || is_type(object, "text", "html"))
        read_text_part(GMIME_PART(object));
}

void Reader::read_text_part(GMimePart* part)
{
    bool truncated = false;
    std::string bytes = decoded_content(part, m_limits.max_text_part, truncated);
    if (truncated)
        m_content.notes.push_back("a text part longer than " + std::to_string(m_limits.max_text_part) +
                                  " bytes was read in part");
    GMimeObject* object = GMIME_OBJECT(part);
    const char* charset = g_mime_object_get_content_type_parameter(object, "charset");
    const std::string text = to_utf8(std::move(bytes), charset, m_content.notes);
    m_content.parts.push_back(is_type(object, "text", "html") ? html_to_visible(text) : plain_to_visible(text));
    if (!m_content.parts.back().complete)
        m_content.notes.push_back("an HTML part too complex to read within the parser's limits");
}

void Reader::read(GMimeMessage* message)
{
    if (InternetAddressList* from = g_mime_message_get_from(message)) {
        for (int i = 0; i < internet_address_list_length(from); ++i) {
            InternetAddress* address = internet_address_list_get_address(from, i);
            if (!INTERNET_ADDRESS_IS_MAILBOX(address))
                continue;
            const char* name = internet_address_get_name(address);
            m_content.from_display_name = name ? std::string(trim(name)) : "";
            const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address));
            m_content.from_address = addr ? to_lower_ascii(trim(addr)) : "";
            break;
        }
    }
    if (const char* subject = g_mime_message_get_subject(message))
        m_content.subject = subject;
    GMimeHeaderList* headers = g_mime_object_get_header_list(GMIME_OBJECT(message));
    const int count = std::min(g_mime_header_list_get_count(headers), 500);
    for (int i = 0; i < count; ++i) {
        GMimeHeader* header = g_mime_header_list_get_header_at(headers, i);
        const char* name = g_mime_header_get_name(header);
        const char* value = g_mime_header_get_value(header);
        if (name && value)
            m_content.headers.emplace_back(name, std::string(trim(std::string_view(value).substr(0, 998))));
    }
    walk(g_mime_message_get_mime_part(message), 0);
}

GMimeParserOptions* parser_options()
{
    static GMimeParserOptions* options = [] {
        GMimeParserOptions* created = g_mime_parser_options_new();
        g_mime_parser_options_set_rfc2047_compliance_mode(created, GMIME_RFC_COMPLIANCE_LOOSE);
        g_mime_parser_options_set_address_compliance_mode(created, GMIME_RFC_COMPLIANCE_LOOSE);
        g_mime_parser_options_set_parameter_compliance_mode(created, GMIME_RFC_COMPLIANCE_LOOSE);
        static const char* fallback[] = {"UTF-8", "WINDOWS-1252", nullptr};
        g_mime_parser_options_set_fallback_charsets(created, fallback);
        return created;
    }();
    return options;
}

MessageContent read_stream(GMimeStream* stream, const MimeLimits& limits)
{
    MessageContent content;
    GObjectPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream));
    // Leave part contents in the stream instead of copying them: an
    // attachment of any size costs no memory unless it is read.
    g_mime_parser_set_persist_stream(parser.get(), TRUE);
    g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
    GObjectPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), parser_options()));
    if (!message) {
        content.notes.push_back("not a parsable message");
        return content;
    }
    Reader(limits, content).read(message.get());
    return content;
}

}  // namespace

MessageContent read_message(std::string_view bytes, const MimeLimits& limits)
{
    mime_initialise();
    GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
    return read_stream(stream.get(), limits);
}

}  // namespace gmime_reference
