// main.cpp — prospect-milter: start-up, signals and shutdown.
//
// Signals are handled deterministically: before any thread exists, SIGHUP,
// SIGTERM, SIGINT and SIGUSR1 are blocked, so every thread inherits the mask.
// libmilter's own signal thread then is the only one waiting for SIGHUP,
// SIGTERM and SIGINT (it stops the milter on each: SIGHUP is NOT a reload,
// see prospect-milter(8)); our reload thread is the only one waiting for
// SIGUSR1. Nobody races anybody for a signal.
#include <getopt.h>
#include <libmilter/mfapi.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sysexits.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <string>
#include <thread>

#include "callbacks.h"
#include "daemon.h"
#include "decision_log.h"
#include "listener.h"
#include "policy/config.h"
#include "policy/record.h"

#ifndef PROSPECT_VERSION
#define PROSPECT_VERSION "0"
#endif

namespace {

constexpr const char* default_policy = "/etc/prospect-milter/prospect-milter.conf";

void usage(std::FILE* out)
{
    std::fprintf(out,
                 "usage: prospect-milter [-c FILE] [-t] [-V] [-h]\n"
                 "  -c FILE  policy file (default %s)\n"
                 "  -t       check the policy file and exit (0 good, 78 problems)\n"
                 "  -V       print the version and exit\n"
                 "  -h       this help\n"
                 "Signals: SIGUSR1 reloads the policy; SIGTERM, SIGINT and SIGHUP stop.\n",
                 default_policy);
}

int print_problems(const policy::LoadResult& result)
{
    for (const auto& error : result.errors)
        std::fprintf(stderr, "%s\n", error.to_string().c_str());
    std::fprintf(stderr, "prospect-milter: %zu problem(s) in the policy file\n", result.errors.size());
    return EX_CONFIG;
}

void reload_loop(sigset_t reload_signals)
{
    for (;;) {
        int signal = 0;
        if (sigwait(&reload_signals, &signal) != 0)
            continue;
        sd_notify(0, "RELOADING=1\nSTATUS=Reloading the policy");
        const bool loaded = milter::daemon_instance().reload();
        const auto policy = milter::daemon_instance().policy();
        const std::string status = "READY=1\nSTATUS=Policy " + policy->version +
                                   (loaded ? " in force" : " kept in force: reload refused, see the log");
        sd_notify(0, status.c_str());
    }
}

int run(const std::string& path, std::shared_ptr<const policy::Policy> initial)
{
    milter::setup_logging(initial->logging);
    milter::Daemon daemon(path, initial);
    milter::set_daemon_instance(&daemon);

    sigset_t stop_and_reload;
    sigemptyset(&stop_and_reload);
    for (int signal : {SIGHUP, SIGTERM, SIGINT, SIGUSR1})
        sigaddset(&stop_and_reload, signal);
    pthread_sigmask(SIG_BLOCK, &stop_and_reload, nullptr);

    smfiDesc description = milter::filter_description();
    if (smfi_register(description) != MI_SUCCESS) {
        spdlog::critical("libmilter refused to register the filter");
        return EX_SOFTWARE;
    }
    try {
        milter::open_listener(initial->milter);
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        return EX_UNAVAILABLE;
    }

    sigset_t reload_signals;
    sigemptyset(&reload_signals);
    sigaddset(&reload_signals, SIGUSR1);
    std::thread(reload_loop, reload_signals).detach();

    milter::log_decision(policy::lifecycle_record(
        *initial, "start",
        std::string("prospect-milter ") + PROSPECT_VERSION + " listening on " + initial->milter.socket + ", policy " +
            initial->version + " from " + path + (initial->dry_run ? " (dry run)" : "")));
    const std::string ready = "READY=1\nSTATUS=Policy " + initial->version + " in force\nMAINPID=" +
                              std::to_string(getpid());
    sd_notify(0, ready.c_str());

    const int result = smfi_main();

    sd_notify(0, "STOPPING=1\nSTATUS=Letting messages in flight finish");
    const int grace = daemon.policy()->milter.shutdown_grace;
    spdlog::info("stopping: waiting up to {} s for messages in flight", grace);
    const int left = daemon.wait_for_messages(grace);
    if (left > 0)
        spdlog::warn("stopping with {} message(s) still in flight; the MTA will retry them", left);
    milter::log_decision(policy::lifecycle_record(*daemon.policy(), "stop", "prospect-milter stopped"));
    spdlog::default_logger()->flush();
    std::fflush(stderr);
    // Worker threads may still sit in libmilter; leave without running
    // destructors under them.
    _exit(result == MI_SUCCESS ? EX_OK : EX_SOFTWARE);
}

}  // namespace

int main(int argc, char** argv)
{
    std::string path = default_policy;
    bool check_only = false;
    int option;
    while ((option = getopt(argc, argv, "c:tVh")) != -1) {
        switch (option) {
        case 'c': path = optarg; break;
        case 't': check_only = true; break;
        case 'V': std::printf("prospect-milter %s\n", PROSPECT_VERSION); return EX_OK;
        case 'h': usage(stdout); return EX_OK;
        default: usage(stderr); return EX_USAGE;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return EX_USAGE;
    }
    const auto result = policy::load_policy(path);
    if (!result.ok())
        return print_problems(result);
    if (check_only) {
        std::printf("%s: policy %s is valid\n", path.c_str(), result.policy->version.c_str());
        return EX_OK;
    }
    return run(path, result.policy);
}
