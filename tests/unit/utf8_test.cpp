#include <catch2/catch.hpp>

#include <glib.h>

#include <random>
#include <string>

#include "policy/utf8.h"

using namespace std::string_literals;

namespace {

bool glib_valid(const std::string& text)
{
    return g_utf8_validate_len(text.data(), text.size(), nullptr);
}

}  // namespace

TEST_CASE("UTF-8 validation accepts what is well formed and nothing else", "[utf8]")
{
    CHECK(policy::utf8::valid(""));
    CHECK(policy::utf8::valid("plain ASCII text, longer than eight bytes"));
    CHECK(policy::utf8::valid("caf\xC3\xA9 \xE2\x80\x99 \xF0\x9F\x98\x80"));
    CHECK(policy::utf8::valid("\xEF\xBF\xBD"));  // U+FFFD itself is valid
    CHECK(policy::utf8::valid("\0"s));
    CHECK_FALSE(policy::utf8::valid("caf\xE9"));              // Latin-1
    CHECK_FALSE(policy::utf8::valid("\xC0\xAF"));             // overlong
    CHECK_FALSE(policy::utf8::valid("\xED\xA0\x80"));         // surrogate
    CHECK_FALSE(policy::utf8::valid("\xF4\x90\x80\x80"));     // beyond U+10FFFF
    CHECK_FALSE(policy::utf8::valid("abcdefgh\xE2\x80"));     // cut short at the end
    CHECK_FALSE(policy::utf8::valid("\xEF\xBF"));             // a cut U+FFFD
}

TEST_CASE("UTF-8 validation agrees with GLib's on random text", "[utf8]")
{
    std::mt19937 random(20261128);
    // Mostly ASCII with some multi-byte characters and stray bytes, the
    // mixture mail text has.
    const std::string pieces[] = {"a", "word ", "\xC3\xA9", "\xE2\x80\x99", "\xF0\x9F\x98\x80", "\x80",
                                  "\xC3",  "\xE2\x80", "\xFF", "\xEF\xBF\xBD", "\xED\xA0\x80", "0123456789"};
    for (int i = 0; i < 20000; ++i) {
        std::string text;
        const int length = static_cast<int>(random() % 12);
        for (int j = 0; j < length; ++j) {
            const auto which = random() % std::size(pieces);
            // Stray and broken pieces rarely, so that many strings are valid.
            if (which >= 5 && which != 9 && random() % 4 != 0)
                text += pieces[random() % 2];
            else
                text += pieces[which];
        }
        INFO(text);
        CHECK(policy::utf8::valid(text) == glib_valid(text));
    }
}
