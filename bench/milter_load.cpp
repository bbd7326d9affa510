// milter_load.cpp — the connections of store_bench's load (milter_load.h).
#include "milter_load.h"

#include <chrono>
#include <latch>
#include <random>
#include <thread>

#include "leads.h"
#include "milter_session.h"

namespace bench {

namespace {

using milterclient::Envelope;
using milterclient::MilterClient;
using milterclient::Outcome;
using milterclient::Stage;
using milterclient::Transcript;

// The compliant message of tests/protocol/store_test.cpp: it passes every
// content rule under store_bench's policy, so the end of the message does
// the whole inspection and records the contact.
milterclient::ParsedMessage compliant_message()
{
    return milterclient::parse_message(
        "From: Alice Martin <sales@example.com>\r\nTo: jane@client.fr\r\nSubject: Payroll\r\n"
        "Message-ID: <bench@example.com>\r\nX-Campaign-ID: spring\r\n\r\n"
        "Dear Jane,\r\n\r\nExemple SAS makes payroll software for HR teams.\r\n\r\n"
        "You are receiving this email because of your role as HR manager. We obtained your contact\r\n"
        "details from a rented list; you may object at any time.\r\n\r\n"
        "To unsubscribe: https://example.com/u/abc123\r\n");
}

// The sender makes the mail prospecting at MAIL FROM (store_bench's policy),
// so the daemon looks every recipient up at RCPT.
Envelope envelope(const std::string& recipient)
{
    Envelope env;
    env.sender = "sales@example.com";
    env.recipients = {recipient};
    env.macros[Stage::Connect] = {{"{daemon_name}", "smtpd"}};
    env.macros[Stage::Data] = {{"i", "BENCH1"}};
    env.macros[Stage::Eom] = {{"i", "BENCH1"}};
    return env;
}

double step_us(const Transcript& transcript, const char* step)
{
    for (const auto& record : transcript.steps)
        if (record.step == step)
            return std::chrono::duration<double, std::micro>(record.elapsed).count();
    return -1;
}

void connect(MilterClient& client, const std::string& spec)
{
    client = MilterClient();
    client.open(spec);
    client.negotiate();
}

// One connection's share of the load, its results in `out`.
class Connection {
public:
    Connection(const LoadSpec& spec, int index, LoadResult& out)
        : m_spec(spec), m_index(index), m_random(spec.seed * 1000003 + static_cast<std::uint64_t>(index)), m_out(out)
    {
    }

    void open() { connect(m_client, m_spec.socket_spec); }

    // `start`: when the load began, for the pacing.
    void run(const milterclient::ParsedMessage& message, std::chrono::steady_clock::time_point start)
    {
        for (int n = 0; n < m_spec.messages; ++n) {
            wait_turn(start, n);
            const bool listed = std::bernoulli_distribution(m_spec.listed_share)(m_random);
            const std::string recipient = listed ? listed_address(draw(m_spec.listed)) : unlisted_address(draw(1ull << 40));
            try {
                if (!m_client.is_open() || m_client.connection_finished())
                    open();
                record(listed, milterclient::run_message(m_client, envelope(recipient), message));
            } catch (const milterclient::Error&) {
                ++m_out.errors;
                m_client.close();
            }
        }
        if (m_client.is_open())
            m_client.quit();
    }

private:
    // Paced: the connections' messages interleave evenly, this one's n-th at
    // start + (n * connections + index) / rate. The schedule is kept, not
    // shifted: a connection that falls behind sends at once until it is back
    // on time, as mail waiting in an MTA's queue would.
    void wait_turn(std::chrono::steady_clock::time_point start, int n) const
    {
        if (m_spec.rate <= 0)
            return;
        const double at = (double(n) * m_spec.connections + m_index) / m_spec.rate;
        std::this_thread::sleep_until(start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                  std::chrono::duration<double>(at)));
    }

    std::uint64_t draw(std::uint64_t bound) { return std::uniform_int_distribution<std::uint64_t>(0, bound - 1)(m_random); }

    void record(bool listed, const Transcript& transcript)
    {
        ++m_out.messages;
        (listed ? m_out.rcpt_listed_us : m_out.rcpt_unlisted_us).push_back(step_us(transcript, "rcpt"));
        const bool refused = transcript.final_step == "rcpt" && transcript.outcome == Outcome::Reject &&
                             transcript.rejected_recipients.size() == 1 &&
                             transcript.rejected_recipients[0].second.smtp_code() == 550;
        const bool accepted = transcript.final_step == "eom" && transcript.outcome == Outcome::Accept &&
                              transcript.rejected_recipients.empty();
        if ((listed && m_spec.list_in_store) ? refused : accepted) {
            ++(refused ? m_out.refused_at_rcpt : m_out.accepted);
            if (accepted)
                m_out.eom_us.push_back(step_us(transcript, "eom"));
            return;
        }
        if (m_out.unexpected++ == 0)
            m_out.first_unexpected = milterclient::format_transcript(transcript);
    }

    const LoadSpec& m_spec;
    int m_index;
    std::mt19937_64 m_random;
    LoadResult& m_out;
    MilterClient m_client;
};

void merge(LoadResult& into, const LoadResult& part)
{
    const auto append = [](std::vector<double>& to, const std::vector<double>& from) {
        to.insert(to.end(), from.begin(), from.end());
    };
    append(into.rcpt_unlisted_us, part.rcpt_unlisted_us);
    append(into.rcpt_listed_us, part.rcpt_listed_us);
    append(into.eom_us, part.eom_us);
    into.messages += part.messages;
    into.refused_at_rcpt += part.refused_at_rcpt;
    into.accepted += part.accepted;
    into.errors += part.errors;
    if (into.unexpected == 0 && part.unexpected)
        into.first_unexpected = part.first_unexpected;
    into.unexpected += part.unexpected;
}

}  // namespace

std::vector<double> LoadResult::rcpt_us() const
{
    std::vector<double> all = rcpt_unlisted_us;
    all.insert(all.end(), rcpt_listed_us.begin(), rcpt_listed_us.end());
    return all;
}

LoadResult run_load(const LoadSpec& spec)
{
    const auto message = compliant_message();
    std::vector<LoadResult> parts(static_cast<std::size_t>(spec.connections));
    // Every connection is open and negotiated before the clock starts: the
    // figures are of messages, not of connection set-up.
    std::latch ready(spec.connections);
    std::latch go(1);
    std::chrono::steady_clock::time_point start;
    std::vector<std::thread> threads;
    for (int index = 0; index < spec.connections; ++index)
        threads.emplace_back([&, index] {
            Connection connection(spec, index, parts[static_cast<std::size_t>(index)]);
            try {
                connection.open();
            } catch (const milterclient::Error&) {
                ++parts[static_cast<std::size_t>(index)].errors;  // run() tries again
            }
            ready.count_down();
            go.wait();
            connection.run(message, start);
        });
    ready.wait();
    start = std::chrono::steady_clock::now();
    go.count_down();
    for (auto& thread : threads)
        thread.join();
    LoadResult result;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (const auto& part : parts)
        merge(result, part);
    return result;
}

}  // namespace bench
