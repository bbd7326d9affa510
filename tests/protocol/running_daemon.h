// running_daemon.h — a real prospect-milter process for protocol tests.
//
// Writes a policy file into a private temporary directory, starts the daemon
// on a unix socket there with its records going to a file (JSON lines), and
// stops it by PID when the test ends.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "milter_session.h"

namespace test {

class RunningDaemon {
public:
    // `policy` is the whole policy file except the milter and logging groups,
    // which the fixture writes itself; `milter_extra` adds lines to the milter
    // group (a "socket = ..." line there replaces the temporary unix socket
    // and becomes socket_spec()).
    explicit RunningDaemon(const std::string& policy, const std::string& milter_extra = "");
    ~RunningDaemon();
    RunningDaemon(const RunningDaemon&) = delete;
    RunningDaemon& operator=(const RunningDaemon&) = delete;

    const std::string& socket_spec() const { return m_socket_spec; }
    const std::string& policy_path() const { return m_policy_path; }
    const std::string& directory() const { return m_dir; }
    pid_t pid() const { return m_pid; }

    // Replaces the policy file (same milter and logging groups).
    void rewrite_policy(const std::string& policy);
    void send_signal(int signal) const;
    // Waits for the process to end; returns its exit status, or -1 on
    // timeout, or 128+N if killed by signal N.
    int wait_exit(int timeout_ms);
    bool running() const { return m_pid > 0; }

    // Every decision record written so far (lines of stderr that are JSON).
    std::vector<nlohmann::json> records() const;
    // Waits until at least `count` records match `event`; returns them all.
    std::vector<nlohmann::json> wait_records(const std::string& event, std::size_t count, int timeout_ms = 5000) const;
    std::string log_text() const;

    // One message through a fresh connection, negotiated as Postfix does.
    milterclient::Transcript send(const milterclient::Envelope& env, const std::string& raw) const;

private:
    std::string full_policy(const std::string& policy) const;
    void wait_for_socket();

    std::string m_dir;
    std::string m_policy_path;
    std::string m_log_path;
    std::string m_socket_spec;
    std::string m_milter_extra;
    pid_t m_pid = -1;
};

}  // namespace test
