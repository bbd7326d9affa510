// bench_daemon.cpp — starting, watching and stopping the daemon under
// benchmark (bench_daemon.h).
#include "bench_daemon.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace bench {

namespace {

// The value of a "Name:   1234 kB" line, in KiB; -1 when absent.
long kib_field(const std::string& line, const char* name)
{
    const std::size_t length = std::strlen(name);
    if (line.compare(0, length, name) != 0 || line.size() <= length || line[length] != ':')
        return -1;
    return std::strtol(line.c_str() + length + 1, nullptr, 10);
}

// Every "Name: N kB" field of a /proc file, summed where the name repeats.
long sum_field(const std::string& path, const char* name)
{
    std::ifstream file(path);
    long total = -1;
    for (std::string line; std::getline(file, line);)
        if (const long value = kib_field(line, name); value >= 0)
            total = (total < 0 ? 0 : total) + value;
    return total;
}

// The Rss of the mappings of files whose path ends in `suffix`
// (/proc/PID/smaps: a header line per mapping, then its fields).
long mapping_rss(const std::string& smaps_path, const std::string& suffix)
{
    std::ifstream file(smaps_path);
    long total = 0;
    bool in_mapping = false;
    for (std::string line; std::getline(file, line);) {
        if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) && line.find('-') < 17) {
            in_mapping = line.size() >= suffix.size() && line.compare(line.size() - suffix.size(), suffix.size(), suffix) == 0;
            continue;
        }
        if (in_mapping)
            if (const long value = kib_field(line, "Rss"); value >= 0)
                total += value;
    }
    return total;
}

bool can_connect(const std::string& path)
{
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path.copy(address.sun_path, sizeof address.sun_path - 1);
    const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    close(fd);
    return ok;
}

}  // namespace

BenchDaemon::BenchDaemon(const std::string& binary, const std::string& directory, const std::string& policy)
    : m_directory(directory), m_socket_path(directory + "/milter.sock"), m_socket_spec("unix:" + m_socket_path)
{
    if (m_socket_path.size() >= sizeof(sockaddr_un::sun_path))
        throw std::runtime_error(m_socket_path + ": too long for a unix socket; use a shorter build directory");
    const std::string policy_path = directory + "/policy.conf";
    // Decision records at "info", as in production; "stderr" is one JSON
    // object per line, and stderr is the log file.
    std::ofstream(policy_path, std::ios::trunc) << policy << "\nmilter: {\n  socket = \"" << m_socket_spec
                                                << "\";\n  shutdown_grace = 10;\n};\n"
                                                << "logging: {\n  target = \"stderr\";\n  level = \"info\";\n};\n";
    const std::string log_path = directory + "/daemon.log";
    m_pid = fork();
    if (m_pid < 0)
        throw std::runtime_error("fork failed");
    if (m_pid == 0) {
        // Should the benchmark die without stopping it, so does the daemon.
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(log, STDERR_FILENO);
        dup2(log, STDOUT_FILENO);
        execl(binary.c_str(), "prospect-milter", "-c", policy_path.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    try {
        wait_for_socket();
    } catch (...) {
        stop();
        throw;
    }
}

BenchDaemon::~BenchDaemon()
{
    stop();
}

void BenchDaemon::wait_for_socket()
{
    for (int i = 0; i < 500; ++i) {
        if (can_connect(m_socket_path))
            return;
        int status = 0;
        if (waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            throw std::runtime_error("prospect-milter exited at start:\n" + log_tail());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("prospect-milter did not open its socket:\n" + log_tail());
}

void BenchDaemon::stop()
{
    if (m_pid <= 0)
        return;
    kill(m_pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int status = 0;
    while (waitpid(m_pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() >= deadline) {
            kill(m_pid, SIGKILL);
            waitpid(m_pid, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    m_pid = -1;
}

DaemonMemory BenchDaemon::memory() const
{
    const std::string proc = "/proc/" + std::to_string(m_pid);
    DaemonMemory memory;
    memory.anonymous = sum_field(proc + "/smaps_rollup", "Anonymous");
    memory.private_dirty = sum_field(proc + "/smaps_rollup", "Private_Dirty");
    memory.rss_anon = sum_field(proc + "/status", "RssAnon");
    memory.rss_file = sum_field(proc + "/status", "RssFile");
    memory.rss = sum_field(proc + "/status", "VmRSS");
    memory.store_map = mapping_rss(proc + "/smaps", "/data.mdb");
    return memory;
}

double BenchDaemon::cpu_seconds() const
{
    // /proc/PID/stat: "pid (comm) state ..." then utime and stime, fields 14
    // and 15, in clock ticks, counting every thread, exited ones included.
    std::ifstream file("/proc/" + std::to_string(m_pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int index = 3; fields >> field; ++index) {
        if (index == 14)
            utime = std::stoull(field);
        else if (index == 15) {
            stime = std::stoull(field);
            break;
        }
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double BenchDaemon::bytes_written() const
{
    std::ifstream file("/proc/" + std::to_string(m_pid) + "/io");
    for (std::string line; std::getline(file, line);)
        if (line.rfind("wchar:", 0) == 0)
            return std::stod(line.substr(6));
    return 0;
}

std::string BenchDaemon::log_tail() const
{
    std::ifstream file(m_directory + "/daemon.log");
    std::ostringstream text;
    text << file.rdbuf();
    const std::string all = text.str();
    return all.size() > 4000 ? all.substr(all.size() - 4000) : all;
}

}  // namespace bench
