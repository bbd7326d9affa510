// main.cpp — prospectctl: the command line of prospect-milter for
// postmasters, DPOs and sales teams.
#include <getopt.h>
#include <sysexits.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "check.h"
#include "policy/config.h"
#include "policy/mime.h"

#ifndef PROSPECT_VERSION
#define PROSPECT_VERSION "0"
#endif

namespace {

void usage(std::FILE* out)
{
    std::fprintf(out,
                 "usage: prospectctl check [-c POLICY] [--sender ADDR] [--rcpt ADDR]... [--campaign ID] [--json] FILE.eml|-\n"
                 "       prospectctl --version\n"
                 "\n"
                 "check    judge a message (a template before a campaign) as the milter would, with the\n"
                 "         evidence per rule. Exit: 0 passes, 1 would be tagged or quarantined,\n"
                 "         2 would be rejected, 64 usage, 66 unreadable message, 78 bad policy.\n");
}

int check_command(int argc, char** argv)
{
    ctl::CheckOptions options;
    options.policy_path = policy::default_policy_path;
    static const option long_options[] = {
        {"config", required_argument, nullptr, 'c'},  {"sender", required_argument, nullptr, 's'},
        {"rcpt", required_argument, nullptr, 'r'},    {"campaign", required_argument, nullptr, 'C'},
        {"json", no_argument, nullptr, 'j'},          {"help", no_argument, nullptr, 'h'},
        {nullptr, 0, nullptr, 0}};
    int option;
    optind = 1;
    while ((option = getopt_long(argc, argv, "c:h", long_options, nullptr)) != -1) {
        switch (option) {
        case 'c': options.policy_path = optarg; break;
        case 's': options.sender = optarg; break;
        case 'r': options.recipients.emplace_back(optarg); break;
        case 'C': options.campaign = optarg; break;
        case 'j': options.json = true; break;
        case 'h': usage(stdout); return EX_OK;
        default: usage(stderr); return EX_USAGE;
        }
    }
    if (optind + 1 != argc) {
        usage(stderr);
        return EX_USAGE;
    }
    options.input = argv[optind];
    policy::mime_initialise();
    return ctl::run_check(options);
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc >= 2 && std::strcmp(argv[1], "--version") == 0) {
        std::printf("prospectctl %s\n", PROSPECT_VERSION);
        return EX_OK;
    }
    if (argc >= 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return EX_OK;
    }
    if (argc >= 2 && std::strcmp(argv[1], "check") == 0)
        return check_command(argc - 1, argv + 1);
    usage(stderr);
    return EX_USAGE;
}
