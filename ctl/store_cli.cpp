#include "store_cli.h"

#include <getopt.h>
#include <sysexits.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "import.h"
#include "policy/config.h"
#include "store_commands.h"
#include "store_keys.h"
#include "usage.h"

namespace ctl {

namespace {

// What `prospectctl suppress|consent ACTION` accepts.
struct ActionSpec {
    std::string_view table;    // "suppress" or "consent"
    std::string_view action;   // "add", "import"...
    std::string_view options;  // the long options it takes besides -c, --store, --help
    enum { no_arguments, one_file, keys } arguments;
};

constexpr ActionSpec action_specs[] = {
    {"suppress", "add", " campaign note source ", ActionSpec::keys},
    {"suppress", "remove", " ", ActionSpec::keys},
    {"suppress", "check", " ", ActionSpec::keys},
    {"suppress", "import", " campaign note source hashes column strict batch ", ActionSpec::one_file},
    {"suppress", "export", " output ", ActionSpec::no_arguments},
    {"suppress", "count", " ", ActionSpec::no_arguments},
    {"consent", "add", " source proof date ", ActionSpec::keys},
    {"consent", "remove", " ", ActionSpec::keys},
    {"consent", "check", " ", ActionSpec::keys},
    {"consent", "import", " source proof date hashes column proof-column strict batch ", ActionSpec::one_file},
    {"consent", "export", " output ", ActionSpec::no_arguments},
    {"consent", "count", " ", ActionSpec::no_arguments},
};

constexpr option long_options[] = {
    {"config", required_argument, nullptr, 'c'},  {"store", required_argument, nullptr, 'S'},
    {"campaign", required_argument, nullptr, 'C'}, {"note", required_argument, nullptr, 'n'},
    {"source", required_argument, nullptr, 's'},  {"proof", required_argument, nullptr, 'p'},
    {"date", required_argument, nullptr, 'd'},    {"hashes", no_argument, nullptr, 'H'},
    {"column", required_argument, nullptr, 'k'},  {"proof-column", required_argument, nullptr, 'P'},
    {"strict", no_argument, nullptr, 'x'},        {"batch", required_argument, nullptr, 'b'},
    {"output", required_argument, nullptr, 'o'},  {"help", no_argument, nullptr, 'h'},
    {nullptr, 0, nullptr, 0}};

// Everything the command line said, before it is checked against the action.
struct CommandLine {
    const ActionSpec* spec = nullptr;
    StoreLocation location;
    std::vector<std::string> arguments;
    std::set<std::string> given;  // long names of the options given
    std::string campaign, note, source, proof, date, column, proof_column, batch, output;
    bool hashes = false, strict = false, help = false;
};

const ActionSpec* find_spec(std::string_view table, std::string_view action)
{
    for (const auto& spec : action_specs)
        if (spec.table == table && spec.action == action)
            return &spec;
    return nullptr;
}

int usage_error(const CommandLine& line, const std::string& why)
{
    // The whole usage is long: name the mistake, and where the rest is.
    std::fprintf(stderr, "prospectctl %s: %s (prospectctl --help, man prospectctl)\n",
                 line.location.command.c_str(), why.c_str());
    return EX_USAGE;
}

std::string long_name(int option)
{
    for (const auto& entry : long_options)
        if (entry.name != nullptr && entry.val == option)
            return entry.name;
    return {};
}

void store_value(CommandLine& line, int option)
{
    switch (option) {
    case 'c': line.location.policy_path = optarg; break;
    case 'S': line.location.store_override = optarg; break;
    case 'C': line.campaign = optarg; break;
    case 'n': line.note = optarg; break;
    case 's': line.source = optarg; break;
    case 'p': line.proof = optarg; break;
    case 'd': line.date = optarg; break;
    case 'H': line.hashes = true; break;
    case 'k': line.column = optarg; break;
    case 'P': line.proof_column = optarg; break;
    case 'x': line.strict = true; break;
    case 'b': line.batch = optarg; break;
    case 'o': line.output = optarg; break;
    case 'h': line.help = true; break;
    }
}

// Reads the options (getopt_long: they may come before or after the
// arguments); 0, or the usage error status after saying why.
int read_options(CommandLine& line, int argc, char** argv)
{
    int option;
    optind = 1;
    opterr = 0;  // getopt would name argv[0], the action, not prospectctl
    while ((option = getopt_long(argc, argv, ":c:o:h", long_options, nullptr)) != -1) {
        if (option == ':')
            return usage_error(line, std::string(argv[optind - 1]) + " needs a value");
        if (option == '?')
            return usage_error(line, "unknown option " + std::string(argv[optind - 1]));
        store_value(line, option);
        line.given.insert(long_name(option));
    }
    line.arguments.assign(argv + optind, argv + argc);
    for (const auto& name : line.given) {
        const bool common = name == "config" || name == "store" || name == "help";
        if (!common && line.spec->options.find(" " + name + " ") == std::string_view::npos)
            return usage_error(line, "--" + name + " does not apply here");
    }
    return EX_OK;
}

int check_arguments(const CommandLine& line)
{
    const auto count = line.arguments.size();
    switch (line.spec->arguments) {
    case ActionSpec::no_arguments:
        return count == 0 ? EX_OK : usage_error(line, "takes no arguments");
    case ActionSpec::one_file:
        return count == 1 ? EX_OK : usage_error(line, "needs exactly one FILE (or - for standard input)");
    case ActionSpec::keys:
        return count > 0 ? EX_OK : usage_error(line, "needs at least one address, @domain or hash");
    }
    return EX_OK;
}

// The time a new entry records: now, or midnight UTC of --date (a consent
// collected before it is recorded here).
int entry_time(const CommandLine& line, store::Time& when)
{
    when = static_cast<store::Time>(std::time(nullptr));
    if (line.date.empty())
        return EX_OK;
    const auto day = parse_date(line.date);
    if (!day)
        return usage_error(line, "--date " + line.date + ": not a date written YYYY-MM-DD");
    if (*day > when)
        return usage_error(line, "--date " + line.date + " is in the future");
    when = *day;
    return EX_OK;
}

int read_batch(const CommandLine& line, std::size_t& batch)
{
    if (line.batch.empty())
        return EX_OK;
    char* end = nullptr;
    errno = 0;
    const unsigned long long value = std::strtoull(line.batch.c_str(), &end, 10);
    // A transaction holds the store's write lock: the daemon's writes wait
    // for it, so a batch is kept to what commits in about a second.
    if (errno != 0 || *end != '\0' || line.batch[0] == '-' || value < 1 || value > 1000000)
        return usage_error(line, "--batch " + line.batch + ": not a number from 1 to 1000000");
    batch = static_cast<std::size_t>(value);
    return EX_OK;
}

int read_import_options(const CommandLine& line, ImportOptions& options)
{
    options.input = line.arguments.front();
    options.format.hashes = line.hashes;
    options.format.column = line.column;
    options.format.proof_column = line.proof_column;
    options.strict = line.strict;
    if (!line.proof_column.empty() && line.column.empty())
        return usage_error(line, "--proof-column needs --column (a CSV file)");
    return read_batch(line, options.batch);
}

int run_suppress(const CommandLine& line)
{
    const auto& action = line.spec->action;
    if (action == "remove")
        return suppress_remove(line.location, line.arguments);
    if (action == "check")
        return suppress_check(line.location, line.arguments);
    if (action == "export")
        return suppress_export(line.location, line.output);
    if (action == "count")
        return suppress_count(line.location);

    store::Suppression entry;
    entry.when = static_cast<store::Time>(std::time(nullptr));
    entry.campaign = line.campaign;
    entry.note = line.note;
    const std::string source = line.source.empty() ? std::string(action == "add" ? "cli" : "import") : line.source;
    const auto parsed = store::parse_suppression_source(source);
    if (!parsed)
        return usage_error(line, "--source " + source + ": not one of cli, import, bounce, mailto, one-click");
    entry.source = *parsed;
    if (action == "add")
        return suppress_add(line.location, line.arguments, entry);
    ImportOptions options;
    if (const int status = read_import_options(line, options); status != EX_OK)
        return status;
    return suppress_import(line.location, options, entry);
}

int run_consent(const CommandLine& line)
{
    const auto& action = line.spec->action;
    if (action == "remove")
        return consent_remove(line.location, line.arguments);
    if (action == "check")
        return consent_check(line.location, line.arguments);
    if (action == "export")
        return consent_export(line.location, line.output);
    if (action == "count")
        return consent_count(line.location);

    store::Consent entry;
    if (const int status = entry_time(line, entry.when); status != EX_OK)
        return status;
    entry.proof = line.proof;
    entry.source = line.source.empty() && action == "import" ? "import" : line.source;
    // Consent the controller cannot say the origin of is no proof of
    // consent (GDPR art. 7(1)).
    if (entry.source.empty())
        return usage_error(line, "--source is required: where the consent was given (e.g. web-form)");
    if (action == "add")
        return consent_add(line.location, line.arguments, entry);
    ImportOptions options;
    if (const int status = read_import_options(line, options); status != EX_OK)
        return status;
    return consent_import(line.location, options, entry);
}

// argv[0] is the table ("suppress", "consent"), argv[1] the action.
int run_command(int argc, char** argv, int (*run)(const CommandLine&))
{
    CommandLine line;
    line.location.policy_path = policy::default_policy_path;
    line.location.command = argv[0];
    if (argc < 2) {
        std::fprintf(stderr, "prospectctl %s: which action? add, remove, check, import, export or count\n", argv[0]);
        return EX_USAGE;
    }
    if (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h") {
        print_usage(stdout);
        return EX_OK;
    }
    line.spec = find_spec(argv[0], argv[1]);
    line.location.command += std::string(" ") + argv[1];
    if (line.spec == nullptr)
        return usage_error(line, "unknown action");
    if (const int status = read_options(line, argc - 1, argv + 1); status != EX_OK)
        return status;
    if (line.help) {
        print_usage(stdout);
        return EX_OK;
    }
    if (const int status = check_arguments(line); status != EX_OK)
        return status;
    return run(line);
}

}  // namespace

int suppress_command(int argc, char** argv)
{
    return run_command(argc, argv, run_suppress);
}

int consent_command(int argc, char** argv)
{
    return run_command(argc, argv, run_consent);
}

}  // namespace ctl
