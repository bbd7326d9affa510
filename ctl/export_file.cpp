#include "export_file.h"

#include <fcntl.h>
#include <sysexits.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ctl {

ExportFile::ExportFile(std::string path) : m_path(std::move(path)) {}

ExportFile::~ExportFile()
{
    if (m_stream != nullptr && m_stream != stdout)
        std::fclose(m_stream);
}

int ExportFile::open(const std::string& command)
{
    if (m_path.empty() || m_path == "-") {
        m_stream = stdout;
        return EX_OK;
    }
    const int fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0)
        m_stream = fdopen(fd, "w");
    if (m_stream == nullptr) {
        std::fprintf(stderr, "prospectctl %s: cannot create %s: %s\n", command.c_str(), m_path.c_str(),
                     std::strerror(errno));
        if (fd >= 0)
            ::close(fd);
        return EX_CANTCREAT;
    }
    return EX_OK;
}

int ExportFile::finish(const std::string& command)
{
    errno = 0;
    int error = 0;
    if (std::fflush(m_stream) != 0 || std::ferror(m_stream) != 0)
        error = errno != 0 ? errno : EIO;
    if (m_stream != stdout && std::fclose(m_stream) != 0 && error == 0)
        error = errno;
    m_stream = nullptr;
    if (error == 0)
        return EX_OK;
    std::fprintf(stderr, "prospectctl %s: cannot write %s: %s\n", command.c_str(),
                 m_path.empty() || m_path == "-" ? "standard output" : m_path.c_str(), std::strerror(error));
    return EX_IOERR;
}

}  // namespace ctl
