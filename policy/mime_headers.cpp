#include "mime_headers.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "text.h"

namespace policy {

namespace {

// Bounds on what one block may hold; far beyond any real mail.
constexpr std::size_t max_field_bytes = 64 * 1024;
constexpr std::size_t max_fields = 1000;
constexpr std::size_t max_message_fields = 500;  // kept in MessageContent::headers
constexpr std::size_t max_header_value = 998;    // RFC 5322 line limit

// What cannot be part of a field name (GMime: space or control).
bool space_or_control(char c)
{
    const auto byte = static_cast<unsigned char>(c);
    return byte <= 0x20 || byte == 0x7f;
}

bool named(const HeaderField& field, std::string_view name)
{
    return iequals_ascii(field.name, name);
}

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

struct GFreeDeleter {
    void operator()(void* p) const { g_free(p); }
};

// A field value as its reader sees it: RFC 2047 words decoded, 8-bit text
// read as UTF-8 or else Windows-1252. Plain ASCII is already that.
std::string decoded(const std::string& value)
{
    const bool plain = value.find("=?") == std::string::npos &&
                       std::all_of(value.begin(), value.end(), [](char c) {
                           const auto byte = static_cast<unsigned char>(c);
                           return (byte >= 0x20 && byte < 0x7f) || byte == '\t';
                       });
    if (plain)
        return value;
    std::unique_ptr<char, GFreeDeleter> text(g_mime_utils_header_decode_text(mime_parser_options(), value.c_str()));
    return text ? std::string(text.get()) : std::string();
}

struct MediaType {
    std::string type;     // lower case
    std::string subtype;  // lower case
    std::optional<std::string> charset;
    std::string boundary;
};

// RFC 2045 token characters.
bool is_token_char(char c)
{
    const auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte < 0x7f && std::strchr("()<>@,;:\\\"/[]?=", c) == nullptr;
}

// The usual spelling of a Content-Type value (type/subtype, then parameters
// that are tokens or plain quoted strings), read without GMime's parser:
// most of a part's header cost otherwise. Anything else — comments, RFC 2231
// parameters, encoded words, escapes, 8-bit text, a parameter given twice —
// is left to GMime (nullopt).
std::optional<MediaType> plain_media_type(std::string_view value)
{
    if (value.find("=?") != std::string_view::npos)
        return std::nullopt;
    std::size_t at = 0;
    const auto token = [&] {
        const std::size_t start = at;
        while (at < value.size() && is_token_char(value[at]))
            ++at;
        return value.substr(start, at - start);
    };
    const auto skip_blanks = [&] {
        while (at < value.size() && (value[at] == ' ' || value[at] == '\t'))
            ++at;
    };
    MediaType media;
    const std::string_view type = token();
    if (type.empty() || at == value.size() || value[at] != '/')
        return std::nullopt;
    ++at;
    const std::string_view subtype = token();
    if (subtype.empty())
        return std::nullopt;
    media.type = to_lower_ascii(type);
    media.subtype = to_lower_ascii(subtype);
    bool has_boundary = false;
    for (;;) {
        skip_blanks();
        if (at == value.size())
            return media;
        if (value[at] != ';')
            return std::nullopt;
        ++at;
        skip_blanks();
        const std::string_view name = token();
        if (name.empty() || name.find('*') != std::string_view::npos || at == value.size() || value[at] != '=')
            return std::nullopt;
        ++at;
        std::string_view parameter;
        if (at < value.size() && value[at] == '"') {
            const std::size_t end = value.find('"', at + 1);
            if (end == std::string_view::npos)
                return std::nullopt;
            parameter = value.substr(at + 1, end - at - 1);
            const bool plain = std::all_of(parameter.begin(), parameter.end(), [](char c) {
                const auto byte = static_cast<unsigned char>(c);
                return byte >= 0x20 && byte < 0x7f && c != '\\';
            });
            if (!plain)
                return std::nullopt;
            at = end + 1;
        } else if ((parameter = token()).empty()) {
            return std::nullopt;
        }
        if (iequals_ascii(name, "charset")) {
            if (media.charset)
                return std::nullopt;
            media.charset = std::string(parameter);
        } else if (iequals_ascii(name, "boundary")) {
            if (has_boundary)
                return std::nullopt;
            has_boundary = true;
            media.boundary = std::string(parameter);
        }
    }
}

MediaType media_type(const std::string& value)
{
    if (auto plain = plain_media_type(value))
        return std::move(*plain);
    MediaType media;
    GObjectPtr<GMimeContentType> parsed(g_mime_content_type_parse(mime_parser_options(), value.c_str()));
    if (!parsed)
        return media;
    if (const char* type = g_mime_content_type_get_media_type(parsed.get()))
        media.type = to_lower_ascii(type);
    if (const char* subtype = g_mime_content_type_get_media_subtype(parsed.get()))
        media.subtype = to_lower_ascii(subtype);
    if (const char* charset = g_mime_content_type_get_parameter(parsed.get(), "charset"))
        media.charset = charset;
    if (const char* boundary = g_mime_content_type_get_parameter(parsed.get(), "boundary"))
        media.boundary = boundary;
    return media;
}

bool is_attachment(const std::string& value)
{
    GObjectPtr<GMimeContentDisposition> parsed(g_mime_content_disposition_parse(mime_parser_options(), value.c_str()));
    const char* disposition = parsed ? g_mime_content_disposition_get_disposition(parsed.get()) : nullptr;
    return disposition && iequals_ascii(disposition, "attachment");
}

}  // namespace

GMimeParserOptions* mime_parser_options()
{
    static GMimeParserOptions* options = [] {
        mime_initialise();
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

HeaderBlock::Line HeaderBlock::take(std::string_view line)
{
    if (m_has_pending && (line.empty() || (line.front() != ' ' && line.front() != '\t')))
        read_pending();
    if (line.empty())
        return Line::end;
    if (m_field_start && m_message && fields.empty() && !m_has_pending) {
        std::size_t colon = 0;
        while (colon < line.size() && line[colon] != ':' && !space_or_control(line[colon]))
            ++colon;
        const bool field = colon > 0 && colon < line.size() && line[colon] == ':';
        if (!field && !(colon == 4 && line.starts_with("From ")))
            return Line::unparsable;
    }
    m_field_start = false;
    take_more(line);
    return Line::field;
}

void HeaderBlock::take_more(std::string_view piece)
{
    m_has_pending = true;
    m_took_lines = true;
    m_pending.append(piece.substr(0, max_field_bytes - std::min(max_field_bytes, m_pending.size())));
}

HeaderBlock::Line HeaderBlock::take_last(std::string_view line)
{
    if (line.ends_with('\r'))
        line.remove_suffix(1);
    return line.empty() ? Line::field : take(line);
}

void HeaderBlock::finish()
{
    if (m_has_pending)
        read_pending();
}

void HeaderBlock::read_pending()
{
    std::string_view pending = m_pending;
    std::size_t colon = 0;
    while (colon < pending.size() && pending[colon] != ':' && !space_or_control(pending[colon]))
        ++colon;
    if (colon < pending.size() && pending[colon] == ':' && fields.size() < max_fields) {
        std::string_view value = pending.substr(colon + 1);
        value = value.substr(0, value.find('\0'));  // GMime reads the value as a C string
        fields.push_back({std::string(pending.substr(0, colon)), std::string(trim(value, " \t\r\n\v\f"))});
    }
    m_pending.clear();
    m_has_pending = false;
    m_field_start = true;
}

PartType part_type(const std::vector<HeaderField>& fields, bool in_digest)
{
    const HeaderField* content_type = nullptr;  // the last one, as GMime keeps each as it comes
    const HeaderField* disposition = nullptr;
    const HeaderField* encoding = nullptr;
    for (const auto& field : fields) {
        if (named(field, "Content-Type"))
            content_type = &field;
        else if (named(field, "Content-Disposition"))
            disposition = &field;
        else if (named(field, "Content-Transfer-Encoding"))
            encoding = &field;
    }
    PartType part;
    if (!content_type) {
        part.text = !in_digest;  // text/plain, or in a digest message/rfc822
    } else {
        const MediaType media = media_type(content_type->value);
        part.multipart = media.type == "multipart";
        part.alternative = part.multipart && media.subtype == "alternative";
        part.digest = part.multipart && media.subtype == "digest";
        part.text = media.type == "text" && (media.subtype == "plain" || media.subtype == "html");
        part.html = part.text && media.subtype == "html";
        part.boundary = part.multipart ? media.boundary : std::string();
        part.charset = media.charset;
    }
    part.attachment = disposition && is_attachment(disposition->value);
    if (encoding)
        part.encoding = g_mime_content_encoding_from_string(encoding->value.c_str());
    return part;
}

void read_message_fields(const std::vector<HeaderField>& fields, MessageContent& content)
{
    bool from_found = false;
    for (const auto& field : fields) {
        if (istarts_with_ascii(field.name, "Content-"))
            continue;  // the message's own part has those
        if (content.headers.size() < max_message_fields) {
            const std::string value = decoded(field.value);
            content.headers.emplace_back(field.name,
                                         std::string(trim(std::string_view(value).substr(0, max_header_value))));
        }
        if (named(field, "Subject"))
            content.subject = decoded(field.value);
        if (named(field, "From") && !from_found) {
            GObjectPtr<InternetAddressList> list(internet_address_list_parse(mime_parser_options(), field.value.c_str()));
            for (int i = 0; list && i < internet_address_list_length(list.get()); ++i) {
                InternetAddress* address = internet_address_list_get_address(list.get(), i);
                if (!INTERNET_ADDRESS_IS_MAILBOX(address))
                    continue;
                const char* name = internet_address_get_name(address);
                content.from_display_name = name ? std::string(trim(name)) : "";
                const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address));
                content.from_address = addr ? to_lower_ascii(trim(addr)) : "";
                from_found = true;
                break;
            }
        }
    }
}

}  // namespace policy
