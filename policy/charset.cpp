#include "charset.h"

#include <glib.h>

#include <cstring>
#include <memory>

#include "text.h"
#include "utf8.h"

namespace policy {

namespace {

struct GFreeDeleter {
    void operator()(void* p) const { g_free(p); }
};
using GCharPtr = std::unique_ptr<char, GFreeDeleter>;

std::string convert(std::string_view bytes, const char* from_charset)
{
    gsize written = 0;
    GError* error = nullptr;
    GCharPtr out(g_convert(bytes.data(), static_cast<gssize>(bytes.size()), "UTF-8", from_charset, nullptr,
                           &written, &error));
    if (error) {
        g_error_free(error);
        return {};
    }
    return std::string(out.get(), written);
}

}  // namespace

std::string to_utf8(std::string bytes, const char* declared, std::vector<std::string>& notes)
{
    // NUL bytes would end the text for GLib's converters; they show nothing.
    for (char* nul = static_cast<char*>(std::memchr(bytes.data(), 0, bytes.size())); nul != nullptr;
         nul = static_cast<char*>(std::memchr(nul, 0, bytes.data() + bytes.size() - nul)))
        *nul = ' ';
    const std::string charset = declared ? to_lower_ascii(declared) : "";
    const bool declared_utf8 = charset == "utf-8" || charset == "utf8" || charset == "us-ascii" || charset.empty();
    if (declared_utf8 && utf8::valid(bytes))
        return bytes;
    if (!declared_utf8) {
        // Straight to iconv: GMime's charset-name lookup keeps every name it
        // is ever asked about, so names chosen by a sender would grow the
        // daemon without end. (iconv knows the usual aliases itself.)
        std::string converted = convert(bytes, charset.c_str());
        if (!converted.empty() || bytes.empty())
            return converted;
        notes.push_back("text not valid in declared charset " + printable(charset, 40) + ", read as Windows-1252");
    } else if (!charset.empty()) {
        notes.push_back("text declared " + charset + " is not valid UTF-8, read as Windows-1252");
    }
    std::string converted = convert(bytes, "WINDOWS-1252");
    return converted.empty() ? convert(bytes, "ISO-8859-1") : converted;
}

}  // namespace policy
