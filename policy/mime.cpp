#include "mime.h"

#include <gmime/gmime.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <mutex>
#include <vector>

#include "keywords.h"
#include "mime_reader.h"

namespace policy {

std::string MessageContent::folded_text() const
{
    std::string all;
    for (const auto& part : parts) {
        if (!all.empty())
            all += '\n';
        all += fold(part.text);
    }
    return all;
}

const std::string* MessageContent::header(std::string_view name) const
{
    const std::string wanted(name);
    for (const auto& [key, value] : headers)
        if (g_ascii_strcasecmp(key.c_str(), wanted.c_str()) == 0)
            return &value;
    return nullptr;
}

bool MessageContent::complete() const
{
    return std::all_of(parts.begin(), parts.end(), [](const VisibleText& part) { return part.complete; });
}

void mime_initialise()
{
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

MessageContent read_message(std::string_view bytes, const MimeLimits& limits)
{
    MessageReader reader(limits);
    reader.feed(bytes);
    return reader.finish();
}

MessageContent read_message_fd(int fd, const MimeLimits& limits)
{
    MessageReader reader(limits);
    std::vector<char> buffer(64 * 1024);
    for (off_t offset = 0;;) {
        const ssize_t got = pread(fd, buffer.data(), buffer.size(), offset);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            MessageContent unreadable;
            unreadable.notes.push_back("cannot read the spooled message");
            return unreadable;
        }
        if (got == 0)
            break;
        reader.feed({buffer.data(), static_cast<std::size_t>(got)});
        offset += got;
    }
    return reader.finish();
}

}  // namespace policy
