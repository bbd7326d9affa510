#include "part_decoder.h"

#include "byte_scan.h"

namespace policy {
namespace {

int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

}  // namespace

PartDecoder::PartDecoder(GMimeContentEncoding encoding)
    : m_fast(encoding == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE), m_whole(encoding == GMIME_CONTENT_ENCODING_UUENCODE)
{
    g_mime_encoding_init_decode(&m_gmime, encoding);
}

void PartDecoder::step(std::string_view chunk, std::string& out)
{
    if (m_whole)
        m_part.append(chunk);
    else if (m_fast)
        step_quoted_printable(chunk, out);
    else
        gmime(chunk, out, false);
}

void PartDecoder::finish(std::string& out)
{
    if (m_whole) {
        gmime(m_part, out, false);
        std::string().swap(m_part);
    }
    // A cut "=X" at the very end: GMime says what it is (it drops it).
    gmime(m_fast ? std::string_view(m_carry) : std::string_view(), out, true);
    m_carry.clear();
}

void PartDecoder::step_quoted_printable(std::string_view chunk, std::string& out)
{
    std::string joined;
    std::string_view in = chunk;
    if (!m_carry.empty()) {
        joined = m_carry;
        joined += chunk;
        in = joined;
        m_carry.clear();
    }
    std::size_t pos = 0;
    while (pos < in.size()) {
        const std::size_t equals = scan::find_byte(in, '=', pos);
        out.append(in.substr(pos, equals - pos));
        if (equals == in.size())
            return;
        const std::size_t left = in.size() - equals;
        if (left >= 2 && in[equals + 1] == '\n') {  // soft line break, LF only
            pos = equals + 2;
            continue;
        }
        if (left < 3) {  // "=", "=X" or "=\r" cut by the chunk's end
            m_carry.assign(in.substr(equals));
            return;
        }
        const int high = hex_value(in[equals + 1]);
        const int low = hex_value(in[equals + 2]);
        if (high >= 0 && low >= 0) {
            out += static_cast<char>(high << 4 | low);
            pos = equals + 3;
        } else if (in[equals + 1] == '\r' && in[equals + 2] == '\n') {
            pos = equals + 3;  // soft line break
        } else {
            // Not quoted-printable as written: GMime reads the rest, from a
            // state with nothing pending, as it would have here.
            m_fast = false;
            gmime(in.substr(equals), out, false);
            return;
        }
    }
}

void PartDecoder::gmime(std::string_view bytes, std::string& out, bool last)
{
    const std::size_t at = out.size();
    out.resize(at + g_mime_encoding_outlen(&m_gmime, bytes.size()));
    const std::size_t written = last ? g_mime_encoding_flush(&m_gmime, bytes.data(), bytes.size(), out.data() + at)
                                     : g_mime_encoding_step(&m_gmime, bytes.data(), bytes.size(), out.data() + at);
    out.resize(at + written);
}

}  // namespace policy
