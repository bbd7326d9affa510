#include "report.h"

#include <getopt.h>
#include <sysexits.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>

#include "export_file.h"
#include "journal/record_reader.h"
#include "policy/text.h"
#include "report_render.h"
#include "report_summary.h"
#include "report_tables.h"
#include "usage.h"

namespace ctl {

namespace {

constexpr journal::Microseconds microseconds_per_day = 86'400'000'000;
// Past this many, unreadable lines are counted, not each named: a wrong
// file must not bury the terminal.
constexpr std::size_t bad_lines_named = 100;

struct ReportOptions {
    std::optional<policy::Day> since, until;  // UTC days, both included
    std::optional<std::string> campaign;
    report::Format format = report::Format::text;
    std::string input;   // empty: the local journal; "-": standard input
    std::string output;  // empty or "-": standard output
    bool strict = false;
    bool help = false;
};

int usage_error(const std::string& why)
{
    std::fprintf(stderr, "prospectctl report: %s (prospectctl --help, man prospectctl)\n", why.c_str());
    return EX_USAGE;
}

int read_day(const char* text, const char* option, std::optional<policy::Day>& day)
{
    day = policy::parse_day(text);
    if (!day)
        return usage_error(std::string(option) + " " + text + ": not a date written YYYY-MM-DD");
    return EX_OK;
}

int store_option(int option, ReportOptions& options)
{
    switch (option) {
    case 's': return read_day(optarg, "--since", options.since);
    case 'u': return read_day(optarg, "--until", options.until);
    case 'C': options.campaign = optarg; return EX_OK;
    case 'f':
        if (const auto format = report::parse_format(optarg)) {
            options.format = *format;
            return EX_OK;
        }
        return usage_error(std::string("--format ") + optarg + ": not one of text, html, csv");
    case 'i': options.input = optarg; return EX_OK;
    case 'o': options.output = optarg; return EX_OK;
    case 'x': options.strict = true; return EX_OK;
    case 'h': options.help = true; return EX_OK;
    }
    return EX_OK;
}

int read_options(int argc, char** argv, ReportOptions& options)
{
    static const option long_options[] = {
        {"since", required_argument, nullptr, 's'},  {"until", required_argument, nullptr, 'u'},
        {"campaign", required_argument, nullptr, 'C'}, {"format", required_argument, nullptr, 'f'},
        {"input", required_argument, nullptr, 'i'},  {"output", required_argument, nullptr, 'o'},
        {"strict", no_argument, nullptr, 'x'},       {"help", no_argument, nullptr, 'h'},
        {nullptr, 0, nullptr, 0}};
    int option;
    optind = 1;
    opterr = 0;  // getopt would name argv[0], "report", not prospectctl
    while ((option = getopt_long(argc, argv, ":i:o:h", long_options, nullptr)) != -1) {
        if (option == ':')
            return usage_error(std::string(argv[optind - 1]) + " needs a value");
        if (option == '?')
            return usage_error("unknown option " + std::string(argv[optind - 1]));
        if (const int status = store_option(option, options); status != EX_OK)
            return status;
    }
    if (optind != argc)
        return usage_error(std::string("unexpected argument ") + argv[optind] + " (the input is --input FILE)");
    if (options.since && options.until && *options.since > *options.until)
        return usage_error("--since is after --until");
    std::error_code error;
    const bool files =
        !options.input.empty() && options.input != "-" && !options.output.empty() && options.output != "-";
    if (files && std::filesystem::equivalent(options.input, options.output, error))
        return usage_error("-o " + options.output + " is the input: it would be emptied before it is read");
    return EX_OK;
}

journal::ReadOptions reader_options(const ReportOptions& options)
{
    journal::ReadOptions read;
    read.field_prefix = "PROSPECT_";
    if (options.since)
        read.window.from = *options.since * microseconds_per_day;
    if (options.until)
        read.window.until = (*options.until + 1) * microseconds_per_day;
    return read;
}

std::string period_of(const ReportOptions& options)
{
    const auto day = [](policy::Day d) { return policy::format_day(d); };
    if (options.since && options.until)
        return day(*options.since) + " to " + day(*options.until) + " (UTC days, both included)";
    if (options.since)
        return "from " + day(*options.since) + " (UTC) to the last record";
    if (options.until)
        return "from the first record to " + day(*options.until) + " (UTC) included";
    return "every record";
}

report::ReportHeader header_of(const ReportOptions& options)
{
    report::ReportHeader header;
    header.period = period_of(options);
    header.source = options.input.empty()  ? "the local journal (SYSLOG_IDENTIFIER=prospect-milter)"
                    : options.input == "-" ? "standard input"
                                           : options.input;
    const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    header.generated = report::format_time(now.count());
    header.campaign = options.campaign;
    return header;
}

// The input, opened before the output is created: an unreadable input
// leaves no empty report behind.
struct Input {
    std::optional<journal::LocalJournal> journal;
    std::ifstream file;
    std::istream* lines = nullptr;
};

int open_input(const ReportOptions& options, Input& input)
{
    try {
        if (options.input.empty()) {
            input.journal.emplace();
            return EX_OK;
        }
    } catch (const std::runtime_error& error) {
        std::fprintf(stderr, "prospectctl report: cannot read the journal: %s\n", error.what());
        return EX_NOINPUT;
    }
    if (options.input == "-") {
        input.lines = &std::cin;
        return EX_OK;
    }
    std::error_code error;
    if (!std::filesystem::is_directory(options.input, error))
        input.file.open(options.input, std::ios::binary);
    if (!input.file.is_open()) {
        std::fprintf(stderr, "prospectctl report: cannot read %s\n", options.input.c_str());
        return EX_NOINPUT;
    }
    input.lines = &input.file;
    return EX_OK;
}

// Reads every record into `summariser`; the number of lines that were not
// records, each named on stderr as FILE:LINE.
int read_records(const ReportOptions& options, Input& input, report::Summariser& summariser, std::size_t& bad_lines)
{
    const auto add = [&](journal::Record&& record) { summariser.add(record); };
    if (input.journal) {
        try {
            input.journal->read(reader_options(options), add);
            return EX_OK;
        } catch (const std::runtime_error& error) {
            std::fprintf(stderr, "prospectctl report: %s\n", error.what());
            return EX_NOINPUT;
        }
    }
    const std::string name = options.input == "-" ? "(standard input)" : options.input;
    const auto bad = [&](std::size_t line, const std::string& why) {
        if (++bad_lines <= bad_lines_named)
            std::fprintf(stderr, "%s:%zu: %s\n", name.c_str(), line, policy::printable(why, 300).c_str());
    };
    journal::read_json_lines(*input.lines, reader_options(options), add, bad);
    if (input.lines->bad()) {
        std::fprintf(stderr, "prospectctl report: cannot read %s\n", name.c_str());
        return EX_NOINPUT;
    }
    return EX_OK;
}

int run_report(const ReportOptions& options)
{
    Input input;
    if (const int status = open_input(options, input); status != EX_OK)
        return status;
    ExportFile output(options.output);
    if (const int status = output.open("report"); status != EX_OK)
        return status;
    report::Summariser summariser(options.campaign);
    report::ReportHeader header = header_of(options);
    if (const int status = read_records(options, input, summariser, header.skipped_lines); status != EX_OK)
        return status;
    report::render(options.format, header, std::move(summariser).finish(), output.stream());
    if (const int status = output.finish("report"); status != EX_OK)
        return status;
    if (header.skipped_lines == 0)
        return EX_OK;
    std::fprintf(stderr, "prospectctl report: warning: %zu line(s) not readable as records, skipped\n",
                 header.skipped_lines);
    return options.strict ? EX_DATAERR : EX_OK;
}

}  // namespace

int report_command(int argc, char** argv)
{
    ReportOptions options;
    if (const int status = read_options(argc, argv, options); status != EX_OK)
        return status;
    if (options.help) {
        print_usage(stdout);
        return EX_OK;
    }
    return run_report(options);
}

}  // namespace ctl
