#include "running_daemon.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#ifndef PROSPECT_MILTER_BINARY
#error "PROSPECT_MILTER_BINARY must name the daemon under test"
#endif

namespace test {

namespace {

void write_file(const std::string& path, const std::string& text)
{
    const std::string temporary = path + ".new";
    std::ofstream(temporary, std::ios::binary | std::ios::trunc) << text;
    std::filesystem::rename(temporary, path);
}

// Probes "unix:/path" or "inet:PORT@127.0.0.1" without speaking the protocol.
bool can_connect(const std::string& spec)
{
    if (spec.rfind("inet:", 0) == 0) {
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<uint16_t>(std::stoi(spec.substr(5))));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
        close(fd);
        return ok;
    }
    const std::string path = spec.substr(spec.find(':') + 1);
    const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path.copy(address.sun_path, sizeof address.sun_path - 1);
    const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    close(fd);
    return ok;
}

}  // namespace

RunningDaemon::RunningDaemon(const std::string& policy, const std::string& milter_extra)
    : m_milter_extra(milter_extra)
{
    char pattern[] = "/tmp/prospect-protocol-XXXXXX";
    if (!mkdtemp(pattern))
        throw std::runtime_error("mkdtemp failed");
    m_dir = pattern;
    m_policy_path = m_dir + "/policy.conf";
    m_log_path = m_dir + "/daemon.log";
    m_socket_spec = "unix:" + m_dir + "/milter.sock";
    if (const auto at = milter_extra.find("socket = \""); at != std::string::npos) {
        const auto start = at + 10;
        m_socket_spec = milter_extra.substr(start, milter_extra.find('"', start) - start);
    }
    write_file(m_policy_path, full_policy(policy));

    m_pid = fork();
    if (m_pid < 0)
        throw std::runtime_error("fork failed");
    if (m_pid == 0) {
        const int log = open(m_log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        dup2(log, STDERR_FILENO);
        dup2(log, STDOUT_FILENO);
        execl(PROSPECT_MILTER_BINARY, "prospect-milter", "-c", m_policy_path.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    try {
        wait_for_socket();
    } catch (...) {
        // The destructor does not run for a constructor that throws: stop
        // the daemon here, or it would outlive the test.
        if (m_pid > 0) {
            kill(m_pid, SIGKILL);
            waitpid(m_pid, nullptr, 0);
        }
        throw;
    }
}

RunningDaemon::~RunningDaemon()
{
    if (m_pid > 0) {
        kill(m_pid, SIGKILL);
        waitpid(m_pid, nullptr, 0);
    }
    std::error_code ignored;
    if (!getenv("PROSPECT_KEEP_TEST_DIRS"))
        std::filesystem::remove_all(m_dir, ignored);
}

milterclient::Transcript RunningDaemon::send(const milterclient::Envelope& env, const std::string& raw) const
{
    milterclient::MilterClient client;
    client.open(m_socket_spec);
    client.negotiate();
    auto transcript = milterclient::run_message(client, env, raw);
    client.quit();
    return transcript;
}

std::string RunningDaemon::full_policy(const std::string& policy) const
{
    const std::string socket = m_milter_extra.find("socket = ") == std::string::npos
                                   ? "  socket = \"" + m_socket_spec + "\";\n"
                                   : "";
    // A store of the test's own, unless the policy names one.
    const std::string store =
        policy.find("store:") == std::string::npos ? "store: { path = \"" + m_dir + "/store\"; };\n" : "";
    // The consent data of the source tree, not of an installation.
    const std::string consent = policy.find("consent:") == std::string::npos
                                    ? "consent: { consumer_domains = \"" PROSPECT_SOURCE_DIR
                                      "/conf/consumer-domains.conf\"; countries = \"" PROSPECT_SOURCE_DIR
                                      "/conf/countries.conf\"; };\n"
                                    : "";
    return policy + "\n" + store + consent + "milter: {\n" + socket + "  shutdown_grace = 10;\n" + m_milter_extra +
           "};\nlogging: {\n  target = \"stderr\";\n  level = \"debug\";\n};\n";
}

void RunningDaemon::rewrite_policy(const std::string& policy) { write_file(m_policy_path, full_policy(policy)); }

void RunningDaemon::wait_for_socket()
{
    for (int i = 0; i < 500; ++i) {
        if (can_connect(m_socket_spec))
            return;
        int status = 0;
        if (waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            throw std::runtime_error("prospect-milter exited at start:\n" + log_text());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("prospect-milter did not open its socket:\n" + log_text());
}

void RunningDaemon::send_signal(int signal) const
{
    if (m_pid > 0)
        kill(m_pid, signal);
}

int RunningDaemon::wait_exit(int timeout_ms)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
}

std::string RunningDaemon::log_text() const
{
    std::ifstream file(m_log_path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

std::vector<nlohmann::json> RunningDaemon::records() const
{
    std::vector<nlohmann::json> found;
    std::istringstream lines(log_text());
    for (std::string line; std::getline(lines, line);)
        if (!line.empty() && line.front() == '{')
            found.push_back(nlohmann::json::parse(line));
    return found;
}

std::vector<nlohmann::json> RunningDaemon::wait_records(const std::string& event, std::size_t count,
                                                        int timeout_ms) const
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        std::vector<nlohmann::json> matching;
        for (auto& record : records())
            if (record.value("PROSPECT_EVENT", "") == event)
                matching.push_back(std::move(record));
        if (matching.size() >= count || std::chrono::steady_clock::now() >= deadline)
            return matching;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

}  // namespace test
