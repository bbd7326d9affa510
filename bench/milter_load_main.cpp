// milter_load_main.cpp — milter-load: a milter-protocol (version 6) load
// generator. C connections, each running messages of one .eml file through
// a milter as Postfix does (options negotiation, CONNECT with
// {daemon_name}, HELO, MAIL with {auth_authen}, RCPT, DATA, headers, end of
// headers, 64 KiB body chunks, end of message, the modifications read),
// each message to its own recipient (recipient_pattern.h). It reports
// messages/s, the end-of-message and whole-message reply times, the
// outcomes (accepted early at which step, accepted at the end, rejected,
// tempfailed), the modifications seen and the errors. bench/README.md.
//
// Exit status: 0 done, 1 connection or protocol errors, 2 usage,
// 3 an outcome other than --expect / --expect-header.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "load_report.h"
#include "message_load.h"

namespace {

using milterclient::Stage;

const char* const usage_text =
    "usage: milter-load --socket SPEC [options] FILE.eml\n"
    "  --socket SPEC            unix:/path or inet:PORT@127.0.0.1 (loopback only)\n"
    "  --connections C          concurrent milter connections, one thread each (16)\n"
    "  --messages M             messages per connection (100 unless --duration)\n"
    "  --duration SEC           send until SEC seconds have passed (and at most M a connection)\n"
    "  --warm-up W              messages per connection before the clock starts, not counted (0)\n"
    "  --rate R                 R messages a second over all connections (0: each connection\n"
    "                           sends as soon as it is answered, the milter saturated)\n"
    "  --session-messages K     open a new milter connection every K messages (0: keep one)\n"
    "  --from ADDR              envelope sender (sender@example.com; \"\" for <>)\n"
    "  --rcpt PATTERN           a recipient of each message, repeatable (rcpt{n}@example.org);\n"
    "                           {n} the message's number, {n%K} {n/K}, {c} the connection\n"
    "  --first N                the number of the first message (0)\n"
    "  --daemon-name NAME       {daemon_name} at CONNECT (smtpd)\n"
    "  --auth LOGIN             {auth_authen} (and {auth_type} PLAIN) at MAIL\n"
    "  --macro STAGE:NAME=VALUE another macro; STAGE connect|helo|mail|rcpt|data|eoh|eom\n"
    "  --timeout SEC            per reply (10)\n"
    "  --quickack               TCP: re-arm TCP_QUICKACK before each read (hides libmilter's\n"
    "                           ~40 ms Nagle stall; Postfix does not do this)\n"
    "  --wait SEC               keep trying the first connection this long (a milter starting)\n"
    "  --expect OUTCOME@STEP    e.g. accept@eom, accept@data: any other outcome is unexpected\n"
    "  --expect-header NAME     every message must get this header added\n"
    "  --json                   one JSON line instead of the text\n";

[[noreturn]] void usage_error(const std::string& message)
{
    std::cerr << "milter-load: " << message << "\n" << usage_text;
    std::exit(2);
}

double positive_number(const std::string& text, const char* option)
{
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (!end || *end || value < 0)
        usage_error(std::string("bad value for ") + option + ": " + text);
    return value;
}

long whole_number(const std::string& text, const char* option)
{
    const double value = positive_number(text, option);
    if (value != static_cast<double>(static_cast<long>(value)))
        usage_error(std::string("bad value for ") + option + ": " + text);
    return static_cast<long>(value);
}

void add_macro(milterclient::Envelope& envelope, const std::string& text)
{
    const auto colon = text.find(':');
    const auto equals = text.find('=', colon == std::string::npos ? 0 : colon);
    Stage stage{};
    if (colon == std::string::npos || equals == std::string::npos || equals == colon + 1 ||
        !milterclient::stage_from_string(text.substr(0, colon), stage))
        usage_error("bad --macro (STAGE:NAME=VALUE): " + text);
    envelope.macros[stage].emplace_back(text.substr(colon + 1, equals - colon - 1), text.substr(equals + 1));
}

// The macros Postfix sends whatever the milter asked for; a milter that
// asked for a list (smfi_setsymlist) gets only those.
milterclient::Envelope default_envelope()
{
    milterclient::Envelope envelope;
    envelope.sender = "sender@example.com";
    envelope.client_name = "client.bench.example";
    envelope.helo = "client.bench.example";
    envelope.macros[Stage::Connect] = {{"j", "mx.bench.example"}, {"_", "client.bench.example [127.0.0.1]"},
                                       {"v", "Postfix 3.7"}};
    return envelope;
}

struct Command {
    bench::MessageLoadSpec spec;
    std::string file;
    bool json = false;
};

Command parse(int argc, char** argv)
{
    Command command;
    auto& spec = command.spec;
    spec.envelope = default_envelope();
    std::string daemon_name = "smtpd";
    std::vector<std::string> recipients;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                usage_error(arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--socket") spec.socket_spec = value();
        else if (arg == "--connections") spec.connections = static_cast<int>(whole_number(value(), "--connections"));
        else if (arg == "--messages") spec.messages = whole_number(value(), "--messages");
        else if (arg == "--duration") spec.duration = positive_number(value(), "--duration");
        else if (arg == "--warm-up") spec.warm_up = whole_number(value(), "--warm-up");
        else if (arg == "--rate") spec.rate = positive_number(value(), "--rate");
        else if (arg == "--session-messages") spec.session_messages = whole_number(value(), "--session-messages");
        else if (arg == "--from") spec.envelope.sender = value();
        else if (arg == "--rcpt") recipients.push_back(value());
        else if (arg == "--first") spec.first_number = static_cast<std::uint64_t>(whole_number(value(), "--first"));
        else if (arg == "--daemon-name") daemon_name = value();
        else if (arg == "--auth") {
            const std::string login = value();
            spec.envelope.macros[Stage::Mail].emplace_back("{auth_type}", "PLAIN");
            spec.envelope.macros[Stage::Mail].emplace_back("{auth_authen}", login);
        }
        else if (arg == "--macro") add_macro(spec.envelope, value());
        else if (arg == "--timeout") spec.client.read_timeout = std::chrono::milliseconds(whole_number(value(), "--timeout") * 1000);
        else if (arg == "--quickack") spec.client.tcp_quickack = true;
        else if (arg == "--wait") spec.wait_seconds = positive_number(value(), "--wait");
        else if (arg == "--expect") spec.expected_outcome = value();
        else if (arg == "--expect-header") spec.expected_header = value();
        else if (arg == "--json") command.json = true;
        else if (arg == "-h" || arg == "--help") { std::cout << usage_text; std::exit(0); }
        else if (arg.size() > 1 && arg[0] == '-') usage_error("unknown option " + arg);
        else if (command.file.empty()) command.file = arg;
        else usage_error("more than one message file");
    }
    if (spec.socket_spec.empty() || command.file.empty())
        usage_error("--socket and a message file are required");
    if (spec.connections < 1)
        usage_error("--connections must be at least 1");
    if (spec.messages == 0 && spec.duration == 0)
        spec.messages = 100;
    spec.envelope.macros[Stage::Connect].emplace_back("{daemon_name}", daemon_name);
    for (const auto& pattern : recipients.empty() ? std::vector<std::string>{"rcpt{n}@example.org"} : recipients) {
        try {
            spec.recipients.emplace_back(pattern);
        } catch (const std::invalid_argument& e) {
            usage_error(e.what());
        }
    }
    return command;
}

std::string read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        usage_error("cannot read " + path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

int main(int argc, char** argv)
{
    Command command = parse(argc, argv);
    const std::string raw = read_file(command.file);
    command.spec.message = milterclient::parse_message(raw);
    bench::MessageLoadResult result;
    try {
        result = bench::run_message_load(command.spec);
    } catch (const milterclient::Error& e) {
        std::cerr << "milter-load: " << command.spec.socket_spec << ": " << e.what() << "\n";
        return 1;
    }
    const bench::LoadDescription load{command.spec.socket_spec, command.spec.connections, command.file, raw.size()};
    if (command.json) {
        std::cout << bench::json_report(load, result) << "\n";
        if (result.errors)
            std::cerr << "milter-load: " << result.errors << " errors, the first: " << result.first_error << "\n";
        if (result.unexpected)
            std::cerr << "milter-load: " << result.unexpected << " unexpected outcomes, the first:\n"
                      << result.first_unexpected;
    } else {
        std::cout << bench::text_report(load, result);
    }
    return result.errors ? 1 : result.unexpected ? 3 : 0;
}
