// main.cpp — prospectctl: the command line of prospect-milter for
// postmasters, DPOs and sales teams: `check` (check.h), `suppress` and
// `consent` (store_cli.h), `token` (token.h), `subject`
// (subject.h), `purge` (purge.h), `register` (register.h), `report`
// (report.h).
#include <getopt.h>
#include <sysexits.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "check.h"
#include "purge.h"
#include "register.h"
#include "report.h"
#include "store_cli.h"
#include "subject.h"
#include "token.h"
#include "usage.h"
#include "policy/config.h"
#include "policy/mime.h"

#ifndef PROSPECT_VERSION
#define PROSPECT_VERSION "0"
#endif

namespace {

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
        case 'h': ctl::print_usage(stdout); return EX_OK;
        default: ctl::print_usage(stderr); return EX_USAGE;
        }
    }
    if (optind + 1 != argc) {
        ctl::print_usage(stderr);
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
        ctl::print_usage(stdout);
        return EX_OK;
    }
    if (argc >= 2 && std::strcmp(argv[1], "check") == 0)
        return check_command(argc - 1, argv + 1);
    if (argc >= 2 && std::strcmp(argv[1], "suppress") == 0)
        return ctl::suppress_command(argc - 1, argv + 1);
    if (argc >= 2 && std::strcmp(argv[1], "consent") == 0)
        return ctl::consent_command(argc - 1, argv + 1);
    if (argc >= 2 && std::strcmp(argv[1], "subject") == 0)
        return ctl::subject_command(argc - 1, argv + 1);
    if (argc >= 2 && std::strcmp(argv[1], "purge") == 0)
        return ctl::purge_command(argc - 1, argv + 1);
    if (argc >= 2 && std::strcmp(argv[1], "register") == 0)
        return ctl::register_command(argc - 1, argv + 1);
    if (argc >= 2 && std::strcmp(argv[1], "report") == 0)
        return ctl::report_command(argc - 1, argv + 1);
    if (argc >= 2 && std::strcmp(argv[1], "token") == 0)
        return ctl::token_command(argc - 1, argv + 1);
    ctl::print_usage(stderr);
    return EX_USAGE;
}
