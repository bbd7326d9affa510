// part_decoder.h — a MIME part's content transfer encoding (base64,
// quoted-printable, uuencode) decoded chunk by chunk, with GMime's decoder.
//
// Quoted-printable, what most mail text is sent in, has a fast path of its
// own: the runs between '=' signs are copied whole, and "=XX" and soft line
// breaks are decoded in place, where GMime's decoder takes each byte through
// its state machine (it was the costliest single step of reading a typical
// message). At the first '=' that is anything else the rest of the part goes
// to GMime, so odd input decodes exactly as GMime decodes it; the unit tests
// compare both on random input. Uuencoded parts are decoded whole, so that
// no encoding depends on where the chunks end.
#pragma once

#include <gmime/gmime.h>

#include <string>
#include <string_view>

namespace policy {

class PartDecoder {
public:
    explicit PartDecoder(GMimeContentEncoding encoding);

    // Appends to `out` what `chunk`, the next bytes of the part, decodes to.
    void step(std::string_view chunk, std::string& out);
    // Appends what is left once the whole part has been given to step().
    void finish(std::string& out);

private:
    void step_quoted_printable(std::string_view chunk, std::string& out);
    void gmime(std::string_view bytes, std::string& out, bool last);

    GMimeEncoding m_gmime;
    bool m_fast;          // quoted-printable still read by the fast path
    std::string m_carry;  // an '=' sequence the last chunk ended in the middle of
    // uuencode: GMime's decoder reads each chunk's first byte as the start
    // of a line, so the part is decoded at once when it ends (a legacy
    // encoding, bounded by the message size limit).
    bool m_whole;
    std::string m_part;
};

}  // namespace policy
