// message_load.h — milter-load's engine: C connections of our MTA-side
// client (tests/milterclient), each running whole messages through a milter
// as Postfix does, timed as the MTA sees them.
//
// The client honours what the milter negotiated (steps it declined are not
// sent, steps it does not answer are not waited for) and stops a message
// where the milter decides it, as an MTA does: a milter that accepts at
// MAIL FROM is sent neither the headers nor the body.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "milter_session.h"
#include "recipient_pattern.h"

namespace bench {

struct MessageLoadSpec {
    std::string socket_spec;                  // "unix:/path" or "inet:PORT@127.0.0.1"
    int connections = 16;                     // threads, each with its own milter connection
    long messages = 0;                        // per connection; 0: until `duration`
    double duration = 0;                      // seconds; 0: until `messages`
    long warm_up = 0;                         // per connection, before the clock starts, not counted
    long session_messages = 0;                // messages per milter connection; 0: one connection throughout
    // Messages a second over all connections, each connection keeping its
    // share of the schedule; 0: each sends its next message as soon as the
    // last is answered (the milter saturated).
    double rate = 0;
    std::uint64_t first_number = 0;           // the {n} of the first message
    milterclient::Envelope envelope;          // all but the recipients
    std::vector<RecipientPattern> recipients; // one RCPT each, per message
    milterclient::ParsedMessage message;
    milterclient::Options client;
    double wait_seconds = 0;                  // keep trying the first connection this long
    std::string expected_outcome;             // e.g. "accept@eom": anything else is counted as unexpected
    std::string expected_header;              // a header the milter must add to every message
};

struct MessageLoadResult {
    double seconds = 0;              // from the start to the last reply
    double client_cpu_seconds = 0;   // this process meanwhile: the load generator's share of the CPUs
    std::size_t messages = 0;        // run to their end (whatever the milter decided)
    std::vector<double> eom_us;      // end-of-message reply: from sending it to the final answer
    std::vector<double> message_us;  // whole message: from MAIL FROM (or CONNECT) to the final answer
    // "<outcome>@<step>": "accept@eom", "accept@data", "reject@rcpt", "tempfail@eom"...
    std::map<std::string, std::size_t> outcomes;
    std::size_t recipients_refused = 0;               // refused at RCPT, the message going on
    std::map<std::string, std::size_t> modifications; // "addheader" -> how many, over all messages
    std::size_t modified_messages = 0;
    std::size_t errors = 0;          // connection or protocol errors (the connection is opened again)
    std::string first_error;
    std::size_t unexpected = 0;      // not the expected outcome or header
    std::string first_unexpected;    // its transcript

    // How many messages ended in `kind` ("accept", "reject"...) at any step,
    // or at `step` only.
    std::size_t outcome_total(const std::string& kind) const;
    std::size_t outcome_at(const std::string& kind, const std::string& step) const;
};

// Opens every connection, then runs the messages; returns when every
// connection is done. Throws milterclient::Error when a connection cannot
// be opened at all.
MessageLoadResult run_message_load(const MessageLoadSpec& spec);

}  // namespace bench
