#include "decision_log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace milter {

namespace {

constexpr const char* identifier = "prospect-milter";
std::atomic<bool> g_journald{false};
std::mutex g_stderr_mutex;

bool journald_reachable()
{
    return access("/run/systemd/journal/socket", W_OK) == 0;
}

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
    std::vector<std::string> lines;
    lines.reserve(record.fields.size() + 3);
    lines.push_back("MESSAGE=" + record.message);
    lines.push_back("PRIORITY=" + std::to_string(static_cast<int>(record.priority)));
    lines.push_back(std::string("SYSLOG_IDENTIFIER=") + identifier);
    for (const auto& [name, value] : record.fields)
        lines.push_back(name + "=" + value);
    std::vector<iovec> vectors;
    vectors.reserve(lines.size());
    for (auto& line : lines)
        vectors.push_back({line.data(), line.size()});
    if (const int rc = sd_journal_sendv(vectors.data(), static_cast<int>(vectors.size())); rc < 0)
        throw std::runtime_error(std::string("journald refused the record: ") + strerror(-rc));
}

void write_json_line(const policy::DecisionRecord& record)
{
    nlohmann::ordered_json object;
    object["MESSAGE"] = record.message;
    object["PRIORITY"] = std::to_string(static_cast<int>(record.priority));
    object["SYSLOG_IDENTIFIER"] = identifier;
    for (const auto& [name, value] : record.fields)
        object[name] = value;
    // Replace, not throw, on invalid UTF-8 from a message header.
    const std::string line = object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::lock_guard lock(g_stderr_mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

}  // namespace

void setup_logging(const policy::LoggingSettings& settings)
{
    bool journald = false;
    switch (settings.target) {
    case policy::LogTarget::automatic: journald = journald_reachable(); break;
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
