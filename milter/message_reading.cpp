#include "message_reading.h"

#include <string>

namespace milter {

MessageReading::MessageReading(const policy::ContentSettings& settings)
    : m_max_size(settings.max_message_size), m_reader(std::in_place)
{
}

bool MessageReading::append(std::string_view bytes)
{
    if (m_too_large)
        return false;
    m_size += bytes.size();
    if (m_size > m_max_size) {
        m_too_large = true;
        m_reader.reset();  // what it read goes: the message is judged without it
        return false;
    }
    m_reader->feed(bytes);
    return true;
}

void MessageReading::append_header(std::string_view name, std::string_view value)
{
    std::string line;
    line.reserve(name.size() + value.size() + 4);
    line.append(name).append(": ").append(value).append("\r\n");
    append(line);
}

policy::MessageContent MessageReading::finish()
{
    return m_reader->finish();
}

}  // namespace milter
