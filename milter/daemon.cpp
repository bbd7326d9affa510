#include "daemon.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "decision_log.h"
#include "policy/config.h"
#include "policy/record.h"

namespace milter {

namespace {
Daemon* g_daemon = nullptr;

bool listener_settings_differ(const policy::MilterSettings& a, const policy::MilterSettings& b)
{
    return a.socket != b.socket || a.socket_group != b.socket_group || a.socket_mode != b.socket_mode ||
           a.timeout != b.timeout;
}
}  // namespace

Daemon& daemon_instance() { return *g_daemon; }
void set_daemon_instance(Daemon* daemon) { g_daemon = daemon; }

Daemon::Daemon(std::string policy_path, std::shared_ptr<const policy::Policy> initial)
    : m_path(std::move(policy_path)), m_policy(std::move(initial))
{
}

std::shared_ptr<const policy::Policy> Daemon::policy() const
{
    return m_policy.load(std::memory_order_acquire);
}

bool Daemon::reload()
{
    auto result = policy::load_policy(m_path);
    const auto running = policy();
    if (!result.ok()) {
        for (const auto& error : result.errors)
            spdlog::error("reload refused: {}", error.to_string());
        log_decision(policy::lifecycle_record(
            *running, "reload_refused",
            "reload refused: " + std::to_string(result.errors.size()) + " problem(s) in " + m_path + "; policy " +
                running->version + " stays in force"));
        return false;
    }
    if (listener_settings_differ(running->milter, result.policy->milter))
        spdlog::warn("reload: milter.socket, socket_group, socket_mode and timeout apply at the next restart");
    if (running->unsubscribe.listen != result.policy->unsubscribe.listen)
        spdlog::warn("reload: unsubscribe.listen applies at the next restart");
    m_policy.store(result.policy, std::memory_order_release);
    setup_logging(result.policy->logging);
    log_decision(policy::lifecycle_record(*result.policy, "reload",
                                          "policy " + result.policy->version + " loaded from " + m_path + " (was " +
                                              running->version + ")"));
    return true;
}

void Daemon::message_started()
{
    std::lock_guard lock(m_flight_mutex);
    ++m_in_flight;
}

void Daemon::message_finished()
{
    std::lock_guard lock(m_flight_mutex);
    if (--m_in_flight == 0)
        m_flight_done.notify_all();
}

int Daemon::wait_for_messages(int grace_seconds)
{
    std::unique_lock lock(m_flight_mutex);
    m_flight_done.wait_for(lock, std::chrono::seconds(grace_seconds), [this] { return m_in_flight == 0; });
    return m_in_flight;
}

int Daemon::messages_in_flight()
{
    std::lock_guard lock(m_flight_mutex);
    return m_in_flight;
}

}  // namespace milter
