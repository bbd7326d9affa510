#include "listener.h"

#include <grp.h>
#include <libmilter/mfapi.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace milter {

namespace {

std::string unix_path(const std::string& spec)
{
    for (const char* scheme : {"unix:", "local:"})
        if (spec.rfind(scheme, 0) == 0)
            return spec.substr(std::strlen(scheme));
    return {};
}

void set_unix_permissions(const std::string& path, const policy::MilterSettings& settings)
{
    if (!settings.socket_group.empty()) {
        const group* found = getgrnam(settings.socket_group.c_str());
        if (!found)
            throw std::runtime_error("socket group '" + settings.socket_group + "' does not exist");
        if (chown(path.c_str(), static_cast<uid_t>(-1), found->gr_gid) != 0)
            throw std::runtime_error("cannot give " + path + " to group " + settings.socket_group + ": " +
                                     std::strerror(errno));
    }
    if (chmod(path.c_str(), settings.socket_mode) != 0)
        throw std::runtime_error("cannot set the mode of " + path + ": " + std::strerror(errno));
}

// libmilter keeps its listening descriptor to itself; find it among ours.
int set_nodelay_on_listeners()
{
    int count = 0;
    const long max_fd = sysconf(_SC_OPEN_MAX);
    for (int fd = 3; fd < max_fd && fd < 4096; ++fd) {
        int listening = 0;
        socklen_t length = sizeof listening;
        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) != 0 || !listening)
            continue;
        sockaddr_storage address{};
        socklen_t address_length = sizeof address;
        if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &address_length) != 0)
            continue;
        if (address.ss_family != AF_INET && address.ss_family != AF_INET6)
            continue;
        const int on = 1;
        if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0)
            throw std::runtime_error(std::string("cannot set TCP_NODELAY: ") + std::strerror(errno));
        ++count;
    }
    return count;
}

}  // namespace

void open_listener(const policy::MilterSettings& settings)
{
    if (smfi_setconn(const_cast<char*>(settings.socket.c_str())) != MI_SUCCESS)
        throw std::runtime_error("libmilter refused socket " + settings.socket);
    if (smfi_settimeout(settings.timeout) != MI_SUCCESS)
        throw std::runtime_error("libmilter refused timeout");
    const std::string path = unix_path(settings.socket);
    // Create the socket with no access beyond the configured mode, so there
    // is no moment when it is open to everyone.
    const mode_t previous = umask(path.empty() ? 022 : (~settings.socket_mode & 0777));
    const int opened = smfi_opensocket(true);
    umask(previous);
    if (opened != MI_SUCCESS)
        throw std::runtime_error("cannot open milter socket " + settings.socket);
    if (!path.empty())
        set_unix_permissions(path, settings);
    else if (set_nodelay_on_listeners() == 0)
        throw std::runtime_error("no TCP listener found to set TCP_NODELAY on");
}

}  // namespace milter
