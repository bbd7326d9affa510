// message_load.cpp — the connections of milter-load (message_load.h).
#include "message_load.h"

#include <sys/resource.h>
#include <strings.h>

#include <chrono>
#include <cstdio>
#include <latch>
#include <thread>

namespace bench {

namespace {

using milterclient::MilterClient;
using milterclient::ModKind;
using milterclient::Transcript;
using Clock = std::chrono::steady_clock;

double microseconds(Clock::duration elapsed)
{
    return std::chrono::duration<double, std::micro>(elapsed).count();
}

double cpu_seconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::string outcome_name(const Transcript& transcript)
{
    return std::string(milterclient::to_string(transcript.outcome)) + "@" + transcript.final_step;
}

bool adds_header(const Transcript& transcript, const std::string& name)
{
    for (const auto& modification : transcript.modifications)
        if ((modification.kind == ModKind::AddHeader || modification.kind == ModKind::InsertHeader) &&
            strcasecmp(modification.name.c_str(), name.c_str()) == 0)
            return true;
    return false;
}

bool has_macro(const milterclient::MacroList& macros, const std::string& name)
{
    for (const auto& [key, value] : macros)
        if (milterclient::macro_key(key) == name)
            return true;
    return false;
}

// A connection gives up after this many errors in a row: a milter that is
// gone would otherwise be retried until the end of the run.
constexpr int max_failures_in_a_row = 3;

// One thread's connection and its share of the messages; results in `out`.
class Worker {
public:
    Worker(const MessageLoadSpec& spec, int index, MessageLoadResult& out)
        : m_spec(spec), m_index(index), m_client(spec.client), m_out(out)
    {
    }

    // Before the clock: open and negotiate, trying again until `give_up`
    // (the milter may still be starting).
    void open(Clock::time_point give_up)
    {
        for (;;) {
            try {
                reopen();
                return;
            } catch (const milterclient::Error&) {
                if (Clock::now() >= give_up)
                    throw;
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        }
    }

    // Messages not counted: libmilter's threads made, code paged in.
    void warm_up()
    {
        MessageLoadResult ignored;
        for (long n = 0; n < m_spec.warm_up && m_failures < max_failures_in_a_row; ++n)
            send(ignored);
    }

    void run(Clock::time_point start, Clock::time_point deadline)
    {
        for (long n = 0; (!m_spec.messages || n < m_spec.messages) && m_failures < max_failures_in_a_row; ++n) {
            wait_turn(start, n);
            if (m_spec.duration > 0 && Clock::now() >= deadline)
                break;
            send(m_out);
        }
        if (m_client.is_open())
            m_client.quit();
    }

private:
    // Paced: the connections' messages interleave evenly, this one's n-th
    // at start + (n * connections + index) / rate. The schedule is kept,
    // not shifted: a connection that falls behind sends at once until it is
    // back on time, as mail waiting in an MTA's queue would.
    void wait_turn(Clock::time_point start, long n) const
    {
        if (m_spec.rate <= 0)
            return;
        const double at = (static_cast<double>(n) * m_spec.connections + m_index) / m_spec.rate;
        std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(at)));
    }

    void reopen()
    {
        if (m_client.is_open())
            m_client.quit();
        m_client.open(m_spec.socket_spec);
        m_client.negotiate();
        m_in_session = 0;
    }

    milterclient::Envelope envelope()
    {
        // Numbers interleave over the connections: unique in the run.
        const std::uint64_t number = m_spec.first_number + m_sequence++ * static_cast<std::uint64_t>(m_spec.connections) +
                                     static_cast<std::uint64_t>(m_index);
        milterclient::Envelope envelope = m_spec.envelope;
        for (const auto& pattern : m_spec.recipients)
            envelope.recipients.push_back(pattern.expand(number, m_index));
        // Postfix's queue id, one per message, unless the command line gave one.
        char queue_id[24];
        std::snprintf(queue_id, sizeof queue_id, "B%llX", static_cast<unsigned long long>(number));
        for (const auto stage : {milterclient::Stage::Data, milterclient::Stage::Eom})
            if (!has_macro(envelope.macros[stage], "i"))
                envelope.macros[stage].emplace_back("i", queue_id);
        return envelope;
    }

    void send(MessageLoadResult& out)
    {
        try {
            const bool session_full = m_spec.session_messages > 0 && m_in_session >= m_spec.session_messages;
            if (!m_client.is_open() || m_client.connection_finished() || session_full)
                reopen();
            const auto env = envelope();
            const auto start = Clock::now();
            const Transcript transcript = milterclient::run_message(m_client, env, m_spec.message);
            const auto end = Clock::now();
            ++m_in_session;
            m_failures = 0;
            record(out, transcript, end - start);
        } catch (const milterclient::Error& e) {
            if (out.errors++ == 0)
                out.first_error = e.what();
            ++m_failures;
            m_client.close();
        }
    }

    void record(MessageLoadResult& out, const Transcript& transcript, Clock::duration whole)
    {
        ++out.messages;
        out.message_us.push_back(microseconds(whole));
        for (const auto& step : transcript.steps)
            if (step.step == "eom")
                out.eom_us.push_back(microseconds(step.elapsed));
        const std::string outcome = outcome_name(transcript);
        ++out.outcomes[outcome];
        out.recipients_refused += transcript.final_step == "rcpt" ? 0 : transcript.rejected_recipients.size();
        for (const auto& modification : transcript.modifications)
            ++out.modifications[milterclient::to_string(modification.kind)];
        out.modified_messages += transcript.modifications.empty() ? 0 : 1;
        const bool expected = (m_spec.expected_outcome.empty() || outcome == m_spec.expected_outcome) &&
                              (m_spec.expected_header.empty() || adds_header(transcript, m_spec.expected_header));
        if (!expected && out.unexpected++ == 0)
            out.first_unexpected = milterclient::format_transcript(transcript);
    }

    const MessageLoadSpec& m_spec;
    int m_index;
    MilterClient m_client;
    MessageLoadResult& m_out;
    std::uint64_t m_sequence = 0;
    long m_in_session = 0;
    int m_failures = 0;
};

void merge(MessageLoadResult& into, const MessageLoadResult& part)
{
    into.messages += part.messages;
    into.eom_us.insert(into.eom_us.end(), part.eom_us.begin(), part.eom_us.end());
    into.message_us.insert(into.message_us.end(), part.message_us.begin(), part.message_us.end());
    for (const auto& [name, count] : part.outcomes)
        into.outcomes[name] += count;
    into.recipients_refused += part.recipients_refused;
    for (const auto& [name, count] : part.modifications)
        into.modifications[name] += count;
    into.modified_messages += part.modified_messages;
    if (into.errors == 0 && part.errors)
        into.first_error = part.first_error;
    into.errors += part.errors;
    if (into.unexpected == 0 && part.unexpected)
        into.first_unexpected = part.first_unexpected;
    into.unexpected += part.unexpected;
}

}  // namespace

std::size_t MessageLoadResult::outcome_total(const std::string& kind) const
{
    std::size_t total = 0;
    for (const auto& [name, count] : outcomes)
        if (name.compare(0, kind.size() + 1, kind + "@") == 0)
            total += count;
    return total;
}

std::size_t MessageLoadResult::outcome_at(const std::string& kind, const std::string& step) const
{
    const auto found = outcomes.find(kind + "@" + step);
    return found == outcomes.end() ? 0 : found->second;
}

MessageLoadResult run_message_load(const MessageLoadSpec& spec)
{
    const auto n = static_cast<std::size_t>(spec.connections);
    std::vector<MessageLoadResult> parts(n);
    std::vector<Worker> workers;
    workers.reserve(n);
    for (int index = 0; index < spec.connections; ++index)
        workers.emplace_back(spec, index, parts[static_cast<std::size_t>(index)]);

    // Every connection open, negotiated and warmed up before the clock
    // starts: the figures are of messages, not of connection set-up.
    const auto give_up = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(spec.wait_seconds));
    for (auto& worker : workers)
        worker.open(give_up);
    std::latch ready(spec.connections);
    std::latch go(1);
    Clock::time_point start, deadline;
    std::vector<std::thread> threads;
    for (auto& worker : workers)
        threads.emplace_back([&] {
            worker.warm_up();
            ready.count_down();
            go.wait();
            worker.run(start, deadline);
        });
    ready.wait();
    const double cpu_before = cpu_seconds();
    start = Clock::now();
    deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(spec.duration));
    go.count_down();
    for (auto& thread : threads)
        thread.join();

    MessageLoadResult result;
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    result.client_cpu_seconds = cpu_seconds() - cpu_before;
    for (const auto& part : parts)
        merge(result, part);
    return result;
}

}  // namespace bench
