// The quoted-printable fast path of PartDecoder against GMime's own decoder.
#include <catch2/catch.hpp>

#include <gmime/gmime.h>

#include <random>
#include <string>

#include "policy/mime.h"
#include "policy/part_decoder.h"

namespace {

std::string gmime_decoded(const std::string& encoded, GMimeContentEncoding encoding)
{
    GMimeEncoding state;
    g_mime_encoding_init_decode(&state, encoding);
    std::string out(g_mime_encoding_outlen(&state, encoded.size()) + 16, '\0');
    out.resize(g_mime_encoding_flush(&state, encoded.data(), encoded.size(), out.data()));
    return out;
}

// Decoded by PartDecoder, given in chunks of the sizes `random` picks.
std::string decoded(const std::string& encoded, GMimeContentEncoding encoding, std::mt19937& random)
{
    policy::PartDecoder decoder(encoding);
    std::string out;
    for (std::size_t at = 0; at < encoded.size();) {
        const std::size_t size = std::min<std::size_t>(encoded.size() - at, 1 + random() % 7);
        decoder.step(std::string_view(encoded).substr(at, size), out);
        at += size;
    }
    decoder.finish(out);
    return out;
}

}  // namespace

TEST_CASE("quoted-printable decodes as GMime decodes it", "[mime]")
{
    policy::mime_initialise();
    std::mt19937 random(20261128);
    SECTION("well-formed and odd cases")
    {
        for (const std::string encoded :
             {"caf=C3=A9 caf=c3=a9", "soft=\r\nbreak", "soft=\nbreak", "a=3Db", "x=ZZy", "end=", "end=3",
              "a= \r\nb", "a=\rb", "trailing  \r\nspace", "=g1", "a==3D", "===", "plain text only", ""}) {
            INFO(encoded);
            CHECK(decoded(encoded, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE, random) ==
                  gmime_decoded(encoded, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE));
        }
    }
    SECTION("random text of quoted-printable pieces, cut in random chunks")
    {
        const std::string pieces[] = {"word ", "=C3=A9", "=e2=80=99", "=\r\n", "=\n", "\r\n", "=3D", "=",
                                      "=Z", "=\r", " ", "x", "=0", "\t", "=20"};
        int odd = 0;
        for (int i = 0; i < 5000; ++i) {
            std::string encoded;
            const int count = static_cast<int>(random() % 20);
            for (int j = 0; j < count; ++j)
                encoded += pieces[random() % std::size(pieces)];
            const std::string expected = gmime_decoded(encoded, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
            INFO(encoded);
            CHECK(decoded(encoded, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE, random) == expected);
            odd += expected.find('=') != std::string::npos;
        }
        CHECK(odd > 100);  // the odd cases, which go to GMime, were met too
    }
}

TEST_CASE("other encodings are GMime's", "[mime]")
{
    policy::mime_initialise();
    std::mt19937 random(7);
    CHECK(decoded("Y2Fmw6k=\r\n", GMIME_CONTENT_ENCODING_BASE64, random) == "caf\xC3\xA9");
    CHECK(decoded("as =3D is\r\n", GMIME_CONTENT_ENCODING_8BIT, random) == "as =3D is\r\n");
}
