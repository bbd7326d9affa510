// load_report.cpp — milter-load's text and JSON output (load_report.h).
#include "load_report.h"

#include <cstdio>
#include <sstream>

#include "stats.h"

namespace bench {

namespace {

std::string fixed(double value, int decimals = 1)
{
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

std::string json_string(const std::string& text)
{
    std::string out = "\"";
    for (const unsigned char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
            out += escaped;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

double rate(const MessageLoadResult& result)
{
    return result.seconds > 0 ? static_cast<double>(result.messages) / result.seconds : 0;
}

// The figures both outputs give, in the order the JSON gives them.
struct Figures {
    double eom_p50, eom_p99, eom_max, message_p50, message_p99;
    std::size_t accepted_eom, accepted_early, rejected, tempfailed, discarded, shutdown;
};

Figures figures_of(const MessageLoadResult& result)
{
    return {percentile(result.eom_us, 50),
            percentile(result.eom_us, 99),
            percentile(result.eom_us, 100),
            percentile(result.message_us, 50),
            percentile(result.message_us, 99),
            result.outcome_at("accept", "eom"),
            result.outcome_total("accept") - result.outcome_at("accept", "eom"),
            result.outcome_total("reject"),
            result.outcome_total("tempfail"),
            result.outcome_total("discard"),
            result.outcome_total("shutdown")};
}

std::string counts(const std::map<std::string, std::size_t>& by_name)
{
    std::string out;
    for (const auto& [name, count] : by_name) {
        if (!out.empty())
            out += ", ";
        out += name;
        out += ' ';
        out += std::to_string(count);
    }
    return out.empty() ? "none" : out;
}

std::string json_counts(const std::map<std::string, std::size_t>& by_name)
{
    std::string out = "{";
    for (const auto& [name, count] : by_name) {
        if (out.size() > 1)
            out += ',';
        out += json_string(name);
        out += ':';
        out += std::to_string(count);
    }
    out += '}';
    return out;
}

}  // namespace

std::string text_report(const LoadDescription& load, const MessageLoadResult& result)
{
    const Figures f = figures_of(result);
    std::ostringstream out;
    out << "milter-load: " << load.socket_spec << ", " << load.connections << " connections, " << load.message_file
        << " (" << load.message_bytes << " bytes)\n"
        << "messages        " << result.messages << " in " << fixed(result.seconds, 3) << " s: " << fixed(rate(result))
        << " messages/s (load generator CPU " << fixed(result.client_cpu_seconds, 2) << " s)\n"
        << "eom reply       p50 " << fixed(f.eom_p50) << " us, p99 " << fixed(f.eom_p99) << " us, max "
        << fixed(f.eom_max) << " us (" << result.eom_us.size() << " messages reached it)\n"
        << "whole message   p50 " << fixed(f.message_p50) << " us, p99 " << fixed(f.message_p99) << " us\n"
        << "outcomes        " << counts(result.outcomes) << " (accepted at eom " << f.accepted_eom
        << ", accepted early " << f.accepted_early << ", rejected " << f.rejected << ", tempfailed "
        << f.tempfailed << ")\n"
        << "modifications   " << counts(result.modifications) << " (on " << result.modified_messages
        << " messages); recipients refused at RCPT " << result.recipients_refused << "\n"
        << "errors          " << result.errors << (result.errors ? " (first: " + result.first_error + ")" : "")
        << "\n";
    if (result.unexpected)
        out << "unexpected      " << result.unexpected << "; the first:\n" << result.first_unexpected;
    return out.str();
}

std::string json_report(const LoadDescription& load, const MessageLoadResult& result)
{
    const Figures f = figures_of(result);
    std::ostringstream out;
    out << "{\"socket\":" << json_string(load.socket_spec) << ",\"connections\":" << load.connections
        << ",\"message_bytes\":" << load.message_bytes << ",\"messages\":" << result.messages
        << ",\"seconds\":" << fixed(result.seconds, 4) << ",\"msgs_per_s\":" << fixed(rate(result), 2)
        << ",\"client_cpu_s\":" << fixed(result.client_cpu_seconds, 3) << ",\"eom_n\":" << result.eom_us.size()
        << ",\"eom_p50_us\":" << fixed(f.eom_p50) << ",\"eom_p99_us\":" << fixed(f.eom_p99)
        << ",\"eom_max_us\":" << fixed(f.eom_max) << ",\"msg_p50_us\":" << fixed(f.message_p50)
        << ",\"msg_p99_us\":" << fixed(f.message_p99) << ",\"accepted_eom\":" << f.accepted_eom
        << ",\"accepted_early\":" << f.accepted_early << ",\"rejected\":" << f.rejected
        << ",\"tempfailed\":" << f.tempfailed << ",\"discarded\":" << f.discarded << ",\"shutdown\":" << f.shutdown
        << ",\"recipients_refused\":" << result.recipients_refused << ",\"modified_messages\":"
        << result.modified_messages << ",\"errors\":" << result.errors << ",\"unexpected\":" << result.unexpected
        << ",\"outcomes\":" << json_counts(result.outcomes) << ",\"modifications\":"
        << json_counts(result.modifications) << "}";
    return out.str();
}

}  // namespace bench
