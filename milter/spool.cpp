#include "spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace milter {

namespace {

void write_all(int fd, std::string_view bytes)
{
    while (!bytes.empty()) {
        const ssize_t written = write(fd, bytes.data(), bytes.size());
        if (written < 0) {
            if (errno == EINTR)
                continue;
            throw std::runtime_error(std::string("cannot write the message spool: ") + std::strerror(errno));
        }
        bytes.remove_prefix(static_cast<std::size_t>(written));
    }
}

}  // namespace

MessageSpool::MessageSpool(const policy::ContentSettings& settings) : m_settings(settings) {}

MessageSpool::~MessageSpool()
{
    if (m_fd >= 0)
        close(m_fd);
}

void MessageSpool::move_to_file()
{
    // O_TMPFILE: the file has no name, so nobody else can open it and it
    // vanishes with the descriptor, whatever happens to the daemon.
    m_fd = open(m_settings.spool_directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (m_fd < 0)
        throw std::runtime_error("cannot create a spool file in " + m_settings.spool_directory + ": " +
                                 std::strerror(errno));
    write_all(m_fd, m_memory);
    std::string().swap(m_memory);
}

bool MessageSpool::append(std::string_view bytes)
{
    if (m_too_large)
        return false;
    m_size += bytes.size();
    if (m_size > m_settings.max_message_size) {
        m_too_large = true;
        std::string().swap(m_memory);
        if (m_fd >= 0) {
            close(m_fd);
            m_fd = -1;
        }
        return false;
    }
    if (m_fd < 0 && m_memory.size() + bytes.size() > m_settings.memory_threshold)
        move_to_file();
    if (m_fd >= 0)
        write_all(m_fd, bytes);
    else
        m_memory.append(bytes);
    return true;
}

void MessageSpool::append_header(std::string_view name, std::string_view value)
{
    std::string line;
    line.reserve(name.size() + value.size() + 4);
    line.append(name).append(": ").append(value).append("\r\n");
    append(line);
}

policy::MessageContent MessageSpool::read() const
{
    if (m_fd >= 0)
        return policy::read_message_fd(m_fd);
    return policy::read_message(m_memory);
}

}  // namespace milter
