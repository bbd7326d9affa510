// The HTML reader (policy/html.cpp) against the reference reading through
// Gumbo's HTML5 tree (gumbo_reference.cpp), on every HTML part of the test
// corpus: realistic mail, in six languages, malformed ones included. Both
// must give the same visible text and the same links, texts and contexts.
#include <catch2/catch.hpp>

#include <gmime/gmime.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "gumbo_reference.h"
#include "policy/content.h"
#include "policy/mime.h"

namespace {

struct HtmlPart {
    std::string message;  // file name, for the report
    std::string html;     // decoded, in UTF-8
};

template <typename T>
std::shared_ptr<T> owned(T* object)
{
    return std::shared_ptr<T>(object, [](T* o) { if (o) g_object_unref(o); });
}

std::string decoded(GMimePart* part)
{
    auto stream = owned(g_mime_stream_mem_new());
    g_mime_data_wrapper_write_to_stream(g_mime_part_get_content(part), stream.get());
    GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream.get()));
    std::string text(reinterpret_cast<const char*>(bytes->data), bytes->len);
    const char* charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
    if (charset && g_ascii_strcasecmp(charset, "utf-8") != 0 && g_ascii_strcasecmp(charset, "us-ascii") != 0) {
        gsize written = 0;
        if (gchar* utf8 = g_convert(text.data(), static_cast<gssize>(text.size()), "UTF-8", charset, nullptr,
                                    &written, nullptr)) {
            text.assign(utf8, written);
            g_free(utf8);
        }
    }
    return text;
}

void collect(const std::string& name, GMimeObject* object, std::vector<HtmlPart>& parts)
{
    if (GMIME_IS_MULTIPART(object)) {
        for (int i = 0; i < g_mime_multipart_get_count(GMIME_MULTIPART(object)); ++i)
            collect(name, g_mime_multipart_get_part(GMIME_MULTIPART(object), i), parts);
    } else if (GMIME_IS_PART(object) &&
               g_mime_content_type_is_type(g_mime_object_get_content_type(object), "text", "html")) {
        parts.push_back({name, decoded(GMIME_PART(object))});
    }
}

std::vector<HtmlPart> corpus_html_parts()
{
    policy::mime_initialise();
    std::vector<HtmlPart> parts;
    for (const auto& entry : std::filesystem::directory_iterator(PROSPECT_SOURCE_DIR "/tests/corpus")) {
        if (entry.path().extension() != ".eml")
            continue;
        std::ifstream file(entry.path(), std::ios::binary);
        std::stringstream bytes;
        bytes << file.rdbuf();
        const std::string message = bytes.str();
        auto stream = owned(g_mime_stream_mem_new_with_buffer(message.data(), message.size()));
        auto parser = owned(g_mime_parser_new_with_stream(stream.get()));
        auto parsed = owned(g_mime_parser_construct_message(parser.get(), nullptr));
        if (parsed)
            collect(entry.path().filename().string(), g_mime_message_get_mime_part(parsed.get()), parts);
    }
    return parts;
}

}  // namespace

TEST_CASE("the HTML reader reads the corpus exactly as Gumbo's HTML5 tree reads it", "[html][reference]")
{
    const auto parts = corpus_html_parts();
    REQUIRE(parts.size() >= 30);
    for (const auto& part : parts) {
        INFO(part.message);
        const auto ours = policy::html_to_visible(part.html);
        const auto reference = reference::gumbo_to_visible(part.html);
        CHECK(ours.text == reference.text);
        REQUIRE(ours.links.size() == reference.links.size());
        for (std::size_t i = 0; i < ours.links.size(); ++i) {
            INFO("link " << i);
            CHECK(ours.links[i].url == reference.links[i].url);
            CHECK(ours.links[i].text == reference.links[i].text);
            CHECK(ours.links[i].context == reference.links[i].context);
        }
    }
}
