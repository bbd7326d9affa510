#include "decision_log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

#include "journal/record_writer.h"

namespace milter {

namespace {

constexpr const char* identifier = "prospect-milter";
std::atomic<bool> g_journald{false};
std::mutex g_stderr_mutex;

spdlog::level::level_enum spdlog_level(policy::LogLevel level)
{
    switch (level) {
    case policy::LogLevel::debug: return spdlog::level::debug;
    case policy::LogLevel::info: return spdlog::level::info;
    case policy::LogLevel::warning: return spdlog::level::warn;
    case policy::LogLevel::error: return spdlog::level::err;
    }
    return spdlog::level::info;
}

void write_journald(const policy::DecisionRecord& record)
{
    journal::write_journald(record, identifier);
}

void write_json_line(const policy::DecisionRecord& record)
{
    const std::string line = journal::json_line(record, identifier);
    std::lock_guard lock(g_stderr_mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

}  // namespace

void setup_logging(const policy::LoggingSettings& settings)
{
    bool journald = false;
    switch (settings.target) {
    case policy::LogTarget::automatic: journald = journal::journald_reachable(); break;
    case policy::LogTarget::journald: journald = true; break;
    case policy::LogTarget::stderr_json: journald = false; break;
    }
    spdlog::sink_ptr sink;
    if (journald)
        sink = std::make_shared<spdlog::sinks::systemd_sink_mt>(identifier);
    else
        sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto logger = std::make_shared<spdlog::logger>(identifier, sink);
    logger->set_level(spdlog_level(settings.level));
    logger->flush_on(spdlog::level::info);
    if (!journald)
        logger->set_pattern("%Y-%m-%dT%H:%M:%S%z prospect-milter[%P] %l: %v");
    spdlog::set_default_logger(logger);
    g_journald = journald;
}

bool logging_to_journald() { return g_journald; }

void log_decision(const policy::DecisionRecord& record) noexcept
{
    try {
        if (g_journald)
            write_journald(record);
        else
            write_json_line(record);
    } catch (const std::exception& e) {
        // The record must survive somewhere: stderr reaches the journal's
        // stdout stream or the service manager's log.
        try {
            {
                std::lock_guard lock(g_stderr_mutex);
                std::fprintf(stderr, "prospect-milter: cannot write decision record to journald: %s\n", e.what());
            }
            write_json_line(record);
        } catch (...) {
        }
    }
}

}  // namespace milter
