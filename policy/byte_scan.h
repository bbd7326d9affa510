// byte_scan.h — finding bytes in text 16 at a time, for the readers that
// walk HTML and text byte by byte (html_lexer.cpp, html.cpp,
// visible_text.cpp). Most distances there are short (an attribute value, a
// word), where memchr's setup costs more than the search itself.
#pragma once

#include <bit>
#include <cstddef>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace policy::scan {

// The first byte at or after `from` for which `hit` is true, or
// text.size(). `hits16` gives the same answer for 16 bytes at once as a
// bit mask (SSE2); the plain loop covers the rest.
template <typename Hits16, typename Hit>
std::size_t find_if(std::string_view text, std::size_t from, Hits16 hits16, Hit hit)
{
    std::size_t at = from;
#if defined(__SSE2__)
    for (; at + 16 <= text.size(); at += 16) {
        const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + at));
        if (const auto found = static_cast<unsigned>(_mm_movemask_epi8(hits16(bytes))); found != 0)
            return at + static_cast<std::size_t>(std::countr_zero(found));
    }
#else
    (void)hits16;
#endif
    for (; at < text.size(); ++at)
        if (hit(text[at]))
            return at;
    return text.size();
}

#if defined(__SSE2__)
inline __m128i equal(__m128i bytes, char c) { return _mm_cmpeq_epi8(bytes, _mm_set1_epi8(c)); }
#else
using __m128i = int;  // unused without SSE2
inline int equal(int, char) { return 0; }
#endif

// The first `c` at or after `from`, or text.size().
inline std::size_t find_byte(std::string_view text, char c, std::size_t from)
{
    return find_if(text, from, [c](__m128i bytes) { return equal(bytes, c); }, [c](char byte) { return byte == c; });
}

// The first of `a`, `b` or `c` at or after `from`, or text.size().
inline std::size_t find_any(std::string_view text, std::size_t from, char a, char b, char c)
{
    return find_if(
        text, from,
        [=](__m128i bytes) {
#if defined(__SSE2__)
            return _mm_or_si128(_mm_or_si128(equal(bytes, a), equal(bytes, b)), equal(bytes, c));
#else
            return bytes;
#endif
        },
        [=](char byte) { return byte == a || byte == b || byte == c; });
}

// The end of the run of printable ASCII (0x21 to 0x7E) from `from` on; with
// `stop_at_ampersand`, '&' ends it too.
inline std::size_t printable_end(std::string_view text, std::size_t from, bool stop_at_ampersand)
{
    const char ampersand = stop_at_ampersand ? '&' : '\x7F';  // 0x7F ends a run anyway
    return find_if(
        text, from,
        [=](__m128i bytes) {
#if defined(__SSE2__)
            // Signed compares: bytes of 0x80 and over are negative, so not printable.
            const __m128i printable = _mm_and_si128(_mm_cmpgt_epi8(bytes, _mm_set1_epi8(' ')),
                                                    _mm_cmplt_epi8(bytes, _mm_set1_epi8(0x7F)));
            return _mm_or_si128(_mm_andnot_si128(printable, _mm_set1_epi8(-1)), equal(bytes, ampersand));
#else
            return bytes;
#endif
        },
        [=](char byte) { return !(byte > ' ' && byte < 0x7F) || byte == ampersand; });
}

// The end of the run of ASCII other than NUL and '&' from `from` on: the
// part of an attribute value that needs no decoding.
inline std::size_t plain_ascii_end(std::string_view text, std::size_t from)
{
    return find_if(
        text, from,
        [](__m128i bytes) {
#if defined(__SSE2__)
            // Signed compare: NUL and bytes of 0x80 and over are <= 0.
            return _mm_or_si128(_mm_cmplt_epi8(bytes, _mm_set1_epi8(1)), equal(bytes, '&'));
#else
            return bytes;
#endif
        },
        [](char byte) { return byte <= 0 || byte == '&'; });
}

}  // namespace policy::scan
