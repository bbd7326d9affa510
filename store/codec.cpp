// codec.cpp — entries to and from the bytes of an LMDB value (codec.h).
#include "codec.h"

#include <cstdint>

namespace store::codec {

namespace {

// The numbers a suppression's source is stored as. They are part of the
// on-disk format: never renumber, only add.
unsigned char source_number(SuppressionSource source)
{
    switch (source) {
    case SuppressionSource::mailto: return 1;
    case SuppressionSource::one_click: return 2;
    case SuppressionSource::cli: return 3;
    case SuppressionSource::import: return 4;
    case SuppressionSource::bounce: return 5;
    }
    return 0;
}

std::optional<SuppressionSource> source_from_number(unsigned char number)
{
    switch (number) {
    case 1: return SuppressionSource::mailto;
    case 2: return SuppressionSource::one_click;
    case 3: return SuppressionSource::cli;
    case 4: return SuppressionSource::import;
    case 5: return SuppressionSource::bounce;
    default: return std::nullopt;
    }
}

class Writer {
public:
    Writer() { m_bytes += static_cast<char>(format_version); }

    void byte(unsigned char value) { m_bytes += static_cast<char>(value); }
    void u64(std::uint64_t value)
    {
        for (int i = 0; i < 8; ++i)
            m_bytes += static_cast<char>((value >> (8 * i)) & 0xff);
    }
    void i64(std::int64_t value) { u64(static_cast<std::uint64_t>(value)); }
    void text(std::string_view value)
    {
        const auto length = static_cast<std::uint32_t>(value.size());
        for (int i = 0; i < 4; ++i)
            m_bytes += static_cast<char>((length >> (8 * i)) & 0xff);
        m_bytes.append(value.substr(0, length));
    }
    std::string take() { return std::move(m_bytes); }

private:
    std::string m_bytes;
};

// Reads fields in order; once a read runs past the end every later read
// fails too, so a decoder checks ok() once at the end.
class Reader {
public:
    explicit Reader(std::string_view bytes) : m_bytes(bytes)
    {
        m_ok = !m_bytes.empty() && static_cast<unsigned char>(m_bytes[0]) == format_version;
        m_at = 1;
    }

    bool ok() const { return m_ok; }
    unsigned char byte() { return static_cast<unsigned char>(unsigned_le(1)); }
    std::uint64_t u64() { return unsigned_le(8); }
    std::int64_t i64() { return static_cast<std::int64_t>(unsigned_le(8)); }
    std::string text()
    {
        const auto length = static_cast<std::size_t>(unsigned_le(4));
        if (!m_ok || m_bytes.size() - m_at < length) {
            m_ok = false;
            return {};
        }
        std::string value(m_bytes.substr(m_at, length));
        m_at += length;
        return value;
    }

private:
    std::uint64_t unsigned_le(std::size_t size)
    {
        if (!m_ok || m_bytes.size() - m_at < size) {
            m_ok = false;
            return 0;
        }
        std::uint64_t value = 0;
        for (std::size_t i = 0; i < size; ++i)
            value |= std::uint64_t{static_cast<unsigned char>(m_bytes[m_at + i])} << (8 * i);
        m_at += size;
        return value;
    }

    std::string_view m_bytes;
    std::size_t m_at = 0;
    bool m_ok = false;
};

}  // namespace

std::string encode(const Suppression& entry)
{
    Writer out;
    out.i64(entry.when);
    out.byte(source_number(entry.source));
    out.text(entry.campaign);
    out.text(entry.note);
    return out.take();
}

std::string encode(const Consent& entry)
{
    Writer out;
    out.i64(entry.when);
    out.text(entry.source);
    out.text(entry.proof);
    return out.take();
}

std::string encode(const Contact& entry)
{
    Writer out;
    out.i64(entry.first);
    out.i64(entry.last);
    out.u64(entry.count);
    out.text(entry.last_campaign);
    return out.take();
}

bool decode(std::string_view value, Suppression& entry)
{
    Reader in(value);
    entry.when = in.i64();
    const auto source = source_from_number(in.byte());
    entry.campaign = in.text();
    entry.note = in.text();
    if (!in.ok() || !source)
        return false;
    entry.source = *source;
    return true;
}

bool decode(std::string_view value, Consent& entry)
{
    Reader in(value);
    entry.when = in.i64();
    entry.source = in.text();
    entry.proof = in.text();
    return in.ok();
}

bool decode(std::string_view value, Contact& entry)
{
    Reader in(value);
    entry.first = in.i64();
    entry.last = in.i64();
    entry.count = in.u64();
    entry.last_campaign = in.text();
    return in.ok();
}

}  // namespace store::codec
