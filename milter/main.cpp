// main.cpp — prospect-milter: start-up, signals and shutdown.
//
// Signals are handled deterministically. Before any thread exists, SIGHUP,
// SIGTERM, SIGINT and SIGUSR1 are blocked, so every thread inherits the
// mask, and libmilter runs in a thread of its own. The main thread sigwaits
// all four: Linux delivers a process-directed signal to the main thread
// whenever it is waiting for it, so libmilter's own signal thread (which
// stops the milter at once on SIGHUP, SIGTERM or SIGINT, dropping the
// messages in flight) does not get them. SIGUSR1 reloads; SIGHUP, SIGTERM
// and SIGINT drain: new connections and messages are refused with a
// temporary failure, messages in flight finish, then the milter stops.
// Should libmilter's thread win a signal anyway (one arriving while the main
// thread is busy), the outcome is still a stop, never a lost message: the
// MTA tempfails what was in flight.
#include <getopt.h>
#include <libmilter/mfapi.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sysexits.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <cstdio>
#include <string>
#include <thread>

#include "callbacks.h"
#include "daemon.h"
#include "decision_log.h"
#include "listener.h"
#include "one_click.h"
#include "policy/config.h"
#include "policy/mime.h"
#include "policy/record.h"

#ifndef PROSPECT_VERSION
#define PROSPECT_VERSION "0"
#endif

namespace {

void usage(std::FILE* out)
{
    std::fprintf(out,
                 "usage: prospect-milter [-c FILE] [-t] [-V] [-h]\n"
                 "  -c FILE  policy file (default %s)\n"
                 "  -t       check the policy file and exit (0 good, 78 problems)\n"
                 "  -V       print the version and exit\n"
                 "  -h       this help\n"
                 "Signals: SIGUSR1 reloads the policy; SIGTERM, SIGINT and SIGHUP stop.\n",
                 policy::default_policy_path);
}

int print_problems(const policy::LoadResult& result)
{
    for (const auto& error : result.errors)
        std::fprintf(stderr, "%s\n", error.to_string().c_str());
    std::fprintf(stderr, "prospect-milter: %zu problem(s) in the policy file\n", result.errors.size());
    return EX_CONFIG;
}

void reload(milter::Daemon& daemon)
{
    sd_notify(0, "RELOADING=1\nSTATUS=Reloading the policy");
    const bool loaded = daemon.reload();
    const std::string status = "READY=1\nSTATUS=Policy " + daemon.policy()->version +
                               (loaded ? " in force" : " kept in force: reload refused, see the log");
    sd_notify(0, status.c_str());
}

// Runs libmilter; when it returns (stopped by us, or by its own signal
// thread) the main thread is woken to finish the shutdown.
void run_libmilter(pthread_t main_thread, std::atomic<bool>& finished)
{
    const int result = smfi_main();
    if (result != MI_SUCCESS)
        spdlog::error("libmilter stopped with an error");
    finished = true;
    pthread_kill(main_thread, SIGTERM);
}

void remove_unix_socket(const std::string& spec)
{
    for (const char* scheme : {"unix:", "local:"})
        if (spec.rfind(scheme, 0) == 0)
            unlink(spec.c_str() + std::strlen(scheme));
}

int run(const std::string& path, std::shared_ptr<const policy::Policy> initial)
{
    milter::setup_logging(initial->logging);
    policy::mime_initialise();
    milter::Daemon daemon(path, initial);
    milter::set_daemon_instance(&daemon);

    sigset_t handled;
    sigemptyset(&handled);
    for (int signal : {SIGHUP, SIGTERM, SIGINT, SIGUSR1})
        sigaddset(&handled, signal);
    pthread_sigmask(SIG_BLOCK, &handled, nullptr);

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

    std::unique_ptr<unsubscribe::OneClickServer> one_click;
    try {
        one_click = milter::start_one_click(daemon);
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        return EX_UNAVAILABLE;
    }

    std::atomic<bool> libmilter_finished{false};
    std::thread(run_libmilter, pthread_self(), std::ref(libmilter_finished)).detach();

    milter::log_decision(policy::lifecycle_record(
        *initial, "start",
        std::string("prospect-milter ") + PROSPECT_VERSION + " listening on " + initial->milter.socket + ", policy " +
            initial->version + " from " + path + (initial->dry_run ? " (dry run)" : "")));
    const std::string ready = "READY=1\nSTATUS=Policy " + initial->version + " in force\nMAINPID=" +
                              std::to_string(getpid());
    sd_notify(0, ready.c_str());

    int signal = 0;
    while (sigwait(&handled, &signal) != 0 || signal == SIGUSR1)
        if (signal == SIGUSR1)
            reload(daemon);

    sd_notify(0, "STOPPING=1\nSTATUS=Letting messages in flight finish");
    daemon.start_draining();
    const int grace = daemon.policy()->milter.shutdown_grace;
    spdlog::info("stopping on {}: refusing new mail, waiting up to {} s for messages in flight", strsignal(signal),
                 grace);
    const int left = libmilter_finished ? daemon.messages_in_flight() : daemon.wait_for_messages(grace);
    if (left > 0)
        spdlog::warn("stopping with {} message(s) still in flight; the MTA will retry them", left);
    smfi_stop();
    one_click.reset();
    // The contacts of the messages just finished are written before exit.
    daemon.contacts().stop();
    remove_unix_socket(daemon.policy()->milter.socket);
    milter::log_decision(policy::lifecycle_record(*daemon.policy(), "stop", "prospect-milter stopped"));
    spdlog::default_logger()->flush();
    std::fflush(stderr);
    // libmilter's threads may still be winding down; leave without running
    // destructors under them.
    _exit(EX_OK);
}

}  // namespace

int main(int argc, char** argv)
{
    std::string path = policy::default_policy_path;
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
