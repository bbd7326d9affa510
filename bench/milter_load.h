// milter_load.h — store_bench's load: concurrent MTA-side milter connections
// (tests/milterclient) each sending small prospecting messages with one
// recipient, timing the daemon's reply to RCPT (where it looks the recipient
// up in the suppression list) and to the end of the message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bench {

struct LoadSpec {
    std::string socket_spec;       // the daemon's socket, "unix:/path"
    int connections = 16;          // threads, each with one connection kept open
    int messages = 500;            // per connection
    std::uint64_t listed = 0;      // how many listed addresses exist (leads.h)
    double listed_share = 0.10;    // share of messages addressed to a listed one
    bool list_in_store = false;    // whether the daemon's store holds them (refused at RCPT)
    std::uint64_t seed = 1;        // the same seed draws the same recipients
    // Messages a second over all connections, each connection keeping its
    // share of the schedule; 0: each sends its next message as soon as the
    // last is answered (the daemon saturated).
    double rate = 0;
};

struct LoadResult {
    std::vector<double> rcpt_unlisted_us;  // RCPT reply time, recipients never listed
    std::vector<double> rcpt_listed_us;    // RCPT reply time, listed recipients
    std::vector<double> eom_us;            // end-of-message reply time (accepted messages)
    double seconds = 0;                    // wall time from the first message to the last reply
    std::size_t messages = 0;              // messages run to their end
    std::size_t refused_at_rcpt = 0;       // listed recipient refused, no DATA
    std::size_t accepted = 0;              // accepted at end of message
    std::size_t unexpected = 0;            // an outcome the workload does not expect
    std::string first_unexpected;          // its transcript, to say what went wrong
    std::size_t errors = 0;                // connection or protocol errors (the thread reconnects)

    std::vector<double> rcpt_us() const;   // both kinds of RCPT
};

// Runs the load and returns when every connection has sent its messages.
LoadResult run_load(const LoadSpec& spec);

}  // namespace bench
