// store_bench.cpp — the store at scale: a suppression list of N entries
// (default 10 million) imported through store::Store::batch, its size on
// disk, and the real daemon serving concurrent milter connections with that
// list, against the same daemon with an empty store in the same run
// (bench/README.md says why and how to read the output).
//
//   store_bench --dir DIR [--entries N] [--batch N] [--connections C]
//               [--messages M] [--rounds R] [--ctl-lines L] [--map-size BYTES]
//               [--import-only] [--reuse-list] [--sorted-import]
//
// Everything it writes is under DIR (bench/store_run.sh gives
// build-bench/store-bench): its subdirectories are deleted at the start.
// Not a test: it exits 0 whatever the figures, unless the workload itself
// goes wrong (a recipient not refused or not accepted as it should be, a
// connection error), which would make the figures meaningless.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_daemon.h"
#include "leads.h"
#include "milter_load.h"
#include "stats.h"
#include "store/store.h"

#if !defined(PROSPECT_SOURCE_DIR) || !defined(PROSPECT_MILTER_BINARY) || !defined(PROSPECTCTL_BINARY)
#error "bench/CMakeLists.txt defines PROSPECT_SOURCE_DIR, PROSPECT_MILTER_BINARY and PROSPECTCTL_BINARY"
#endif

namespace {

namespace fs = std::filesystem;
using bench::BenchDaemon;
using bench::DaemonMemory;
using bench::LoadResult;
using bench::LoadSpec;

struct Options {
    std::string dir;                         // the work directory
    std::uint64_t entries = 10'000'000;      // suppressions in the list
    std::size_t batch = 10'000;              // entries per write transaction
    int connections = 16;
    int messages = 500;                      // per connection and round
    int rounds = 5;                          // of each store, interleaved
    std::optional<std::uint64_t> ctl_lines;  // prospectctl comparison (default min(1M, entries); 0: none)
    std::size_t map_size = 4ull << 30;       // as the policy's store.map_size default
    bool import_only = false;                // stop after the import and its size
    bool reuse_list = false;                 // keep the list of an earlier run
    bool sorted_import = false;              // write the keys in key order
};

// --- clocks, files, output ----------------------------------------------------

double cpu_seconds()
{
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

double wall_seconds()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Wall and CPU time of this process around a piece of work.
struct Timing {
    double wall = 0;
    double cpu = 0;
};

Timing timed(const std::function<void()>& work)
{
    const double wall = wall_seconds(), cpu = cpu_seconds();
    work();
    return {wall_seconds() - wall, cpu_seconds() - cpu};
}

// "12,345,678": figures of this size are read more easily grouped.
std::string grouped(double value, int decimals = 0)
{
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    const std::string digits = text;
    const std::size_t sign = digits[0] == '-' ? 1 : 0;
    const std::size_t end = std::min(digits.find('.'), digits.size());
    std::string out = digits.substr(0, sign);
    for (std::size_t at = sign; at < end; ++at) {
        if (at > sign && (end - at) % 3 == 0)
            out += ',';
        out += digits[at];
    }
    return out + digits.substr(end);
}

// "  label        12.3 s wall     10.1 s CPU     123,456 entries/s"
void print_timing(const std::string& label, const Timing& time, std::uint64_t entries)
{
    std::printf("  %-44s %8.1f s wall %8.1f s CPU", label.c_str(), time.wall, time.cpu);
    if (entries)
        std::printf("  %10s entries/s", grouped(double(entries) / time.wall).c_str());
    std::printf("\n");
}

struct DiskSize {
    std::uintmax_t allocated = 0;  // st_blocks * 512: what the disk holds
    std::uintmax_t apparent = 0;   // st_size
};

DiskSize disk_size(const std::string& path)
{
    struct stat status {};
    if (stat(path.c_str(), &status) != 0)
        return {};
    return {static_cast<std::uintmax_t>(status.st_blocks) * 512, static_cast<std::uintmax_t>(status.st_size)};
}

// Runs a program with its output in `log`; returns its wall and CPU time
// (the child's, from wait4), or nothing when it fails.
std::optional<Timing> run_program(const std::vector<std::string>& argv, const std::string& log)
{
    const double start = wall_seconds();
    const pid_t pid = fork();
    if (pid < 0)
        return std::nullopt;
    if (pid == 0) {
        const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        std::vector<char*> args;
        for (const auto& arg : argv)
            args.push_back(const_cast<char*>(arg.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
    int status = 0;
    rusage usage{};
    if (wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return std::nullopt;
    const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; };
    return Timing{wall_seconds() - start, seconds(usage.ru_utime) + seconds(usage.ru_stime)};
}

// A fresh, empty directory (the work directory's own subdirectories only).
std::string fresh_directory(const Options& options, const std::string& name)
{
    const std::string path = options.dir + "/" + name;
    fs::remove_all(path);
    fs::create_directories(path);
    return path;
}

// --- the policy ---------------------------------------------------------------

// The policy of tests/protocol/store_test.cpp: mail from sales@example.com
// is prospecting from MAIL FROM on, so each recipient is looked up at RCPT;
// the message passes every content rule. The consent data of the source tree.
std::string policy_text(const std::string& store_path, std::size_t map_size)
{
    return R"(
organisation: { name = "Exemple SAS"; domains = [ "example.com" ]; };
campaigns = (
  { id = "spring"; purpose = "Payroll software for HR managers"; audience = "b2b";
    legal_basis = "legitimate_interest"; start = "2020-01-01"; }
);
content: { keywords = ")" PROSPECT_SOURCE_DIR R"(/conf/keywords.conf"; };
scope: { senders = [ "sales@example.com" ]; internal_domains = [ "example.com" ]; };
consent: { consumer_domains = ")" PROSPECT_SOURCE_DIR R"(/conf/consumer-domains.conf"; countries = ")"
        PROSPECT_SOURCE_DIR R"(/conf/countries.conf"; };
store: { path = ")" + store_path + R"("; map_size = ")" + std::to_string(map_size) + R"("; };
)";
}

// --- the import ---------------------------------------------------------------

// The keys of listed addresses [0, count), normalised and hashed as the
// daemon does, on every CPU (the work is the same as prospectctl's per line,
// and doing it apart keeps it out of the figure of the writes).
std::vector<store::Hash> listed_keys(std::uint64_t count)
{
    std::vector<store::Hash> keys(count);
    const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            for (std::uint64_t i = t; i < count; i += threads)
                keys[i] = store::address_key(bench::normalised(bench::listed_address(i)));
        });
    for (auto& worker : workers)
        worker.join();
    return keys;
}

store::Suppression imported_entry()
{
    store::Suppression entry;
    entry.when = 1764000000;  // 2025-11-24
    entry.source = store::SuppressionSource::import;
    entry.campaign = "spring";
    return entry;
}

std::unique_ptr<store::Store> open_store(const std::string& path, std::size_t map_size)
{
    store::StoreOptions options;
    options.path = path;
    options.map_size = map_size;
    return store::Store::open(options);  // durable, as prospectctl opens it
}

struct ImportFigures {
    Timing time;
    std::vector<double> rate_by_step;      // entries/s of each tenth of the import
    std::vector<double> transaction_s;     // wall time of each write transaction: the
                                           // time it held the store's write lock
};

// Writes the keys in the order given (the hashes of addresses in the order
// of the addresses: random, as a CRM export's are), `per_transaction` to a
// transaction, as prospectctl's import does.
ImportFigures import_keys(store::Store& store, const std::vector<store::Hash>& keys, std::size_t per_transaction,
                          bool progress)
{
    ImportFigures figures;
    const auto entry = imported_entry();
    const std::size_t step = std::max<std::size_t>(keys.size() / 10, 1);
    figures.time = timed([&] {
        auto batch = store.batch(per_transaction);
        double step_start = wall_seconds();
        double transaction_start = step_start;
        for (std::size_t i = 0; i < keys.size(); ++i) {
            batch->suppress(keys[i], entry);
            // The batch commits inside the suppress() that fills a transaction.
            if ((i + 1) % per_transaction == 0) {
                const double now = wall_seconds();
                figures.transaction_s.push_back(now - transaction_start);
                transaction_start = now;
            }
            if ((i + 1) % step == 0 || i + 1 == keys.size()) {
                const double now = wall_seconds();
                const std::size_t done_in_step = (i % step) + 1;
                figures.rate_by_step.push_back(static_cast<double>(done_in_step) / (now - step_start));
                step_start = now;
                if (progress)
                    std::fprintf(stderr, "  imported %s (%s entries/s over the last %s)\n", grouped(double(i + 1)).c_str(),
                                 grouped(figures.rate_by_step.back()).c_str(), grouped(double(done_in_step)).c_str());
            }
        }
        batch->commit();
    });
    return figures;
}

// --- the lookup probe -----------------------------------------------------------

// Store::suppressed() timed in this process while the daemon serves the
// load: the lookup alone, without the protocol around it. A few lookups a
// millisecond (about 5% of a CPU), so as not to become the load itself.
class LookupProbe {
public:
    LookupProbe(const store::Store& store, std::uint64_t listed, double listed_share, std::uint64_t seed)
        : m_store(store), m_random(seed), m_listed(listed), m_share(listed_share)
    {
        m_thread = std::thread([this] { run(); });
    }
    ~LookupProbe() { stop(); }

    std::vector<double> stop()
    {
        m_stop = true;
        if (m_thread.joinable())
            m_thread.join();
        return m_samples;
    }

private:
    void run()
    {
        while (!m_stop) {
            for (int n = 0; n < 10; ++n) {
                const bool listed = std::bernoulli_distribution(m_share)(m_random);
                const auto number = std::uniform_int_distribution<std::uint64_t>(0, listed ? m_listed - 1 : (1ull << 40))(m_random);
                const auto address = bench::normalised(listed ? bench::listed_address(number) : bench::unlisted_address(number));
                const auto start = std::chrono::steady_clock::now();
                const auto refusal = m_store.suppressed(address);
                m_samples.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
                (void)refusal;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }

    const store::Store& m_store;
    std::mt19937_64 m_random;
    std::uint64_t m_listed;
    double m_share;
    std::atomic<bool> m_stop{false};
    std::vector<double> m_samples;
    std::thread m_thread;
};

// --- the load, round by round ---------------------------------------------------

// The paced rounds send at this share of the rate the empty-store daemon
// reached saturated: busy, but with the CPU to answer each step as it comes,
// so that their latencies show the work of a step rather than the queue
// in front of it (a saturated daemon's latencies mostly measure the queue,
// which any difference in throughput lengthens or shortens).
constexpr double paced_share = 0.5;

// One load against one daemon.
struct Round {
    LoadResult load;
    std::vector<double> probe_us;  // in-process lookups meanwhile
    double daemon_cpu = 0;         // seconds of the daemon's CPU during the load
    double daemon_written = 0;     // bytes the daemon handed to write calls meanwhile
};

// The daemon under load with one store, and that store opened in this
// process for the probe.
struct Subject {
    std::string name;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<BenchDaemon> daemon;
    bool list_in_store = false;
    std::vector<Round> saturated;  // each connection sending as fast as answered
    std::vector<Round> paced;      // at a fixed rate, the same for both stores
    DaemonMemory memory_warm;      // after the warm-up load
    DaemonMemory memory_end;       // after every round
};

Round run_round(Subject& subject, const Options& options, std::uint64_t seed, int messages, double rate)
{
    LoadSpec spec;
    spec.socket_spec = subject.daemon->socket_spec();
    spec.connections = options.connections;
    spec.messages = messages;
    spec.listed = options.entries;
    spec.list_in_store = subject.list_in_store;
    spec.seed = seed;
    spec.rate = rate;
    Round round;
    const double cpu_before = subject.daemon->cpu_seconds();
    const double written_before = subject.daemon->bytes_written();
    LookupProbe probe(*subject.store, options.entries, spec.listed_share, seed);
    round.load = bench::run_load(spec);
    round.probe_us = probe.stop();
    round.daemon_cpu = subject.daemon->cpu_seconds() - cpu_before;
    round.daemon_written = subject.daemon->bytes_written() - written_before;
    if (round.load.unexpected || round.load.errors) {
        std::fprintf(stderr, "store_bench: %s store: %zu unexpected outcomes, %zu connection errors; the first:\n%s",
                     subject.name.c_str(), round.load.unexpected, round.load.errors, round.load.first_unexpected.c_str());
        std::exit(1);
    }
    return round;
}

double messages_per_second(const Round& round)
{
    return double(round.load.messages) / round.load.seconds;
}

// A warm-up of each daemon, not measured (the store opened, libmilter's
// threads made, the code paged in); the saturated rounds, interleaved
// (empty, list, empty, list...); then the paced rounds, likewise. The same
// seed in a round of each store draws the same recipients. Returns the
// paced rate.
double run_rounds(const Options& options, Subject& empty, Subject& list)
{
    const int warm_up = std::max(1, options.messages / 10);
    for (Subject* subject : {&empty, &list}) {
        run_round(*subject, options, 0, warm_up, 0);
        subject->memory_warm = subject->daemon->memory();
    }
    for (int r = 1; r <= options.rounds; ++r)
        for (Subject* subject : {&empty, &list}) {
            subject->saturated.push_back(run_round(*subject, options, std::uint64_t(r), options.messages, 0));
            std::fprintf(stderr, "  saturated round %d, %s store: %.1f s\n", r, subject->name.c_str(),
                         subject->saturated.back().load.seconds);
        }
    std::vector<double> capacity;
    for (const auto& round : empty.saturated)
        capacity.push_back(messages_per_second(round));
    const double rate = paced_share * bench::median(capacity);
    for (int r = 1; r <= options.rounds; ++r)
        for (Subject* subject : {&empty, &list}) {
            subject->paced.push_back(run_round(*subject, options, std::uint64_t(100 + r), options.messages, rate));
            std::fprintf(stderr, "  paced round %d, %s store: %.1f s\n", r, subject->name.c_str(),
                         subject->paced.back().load.seconds);
        }
    for (Subject* subject : {&empty, &list})
        subject->memory_end = subject->daemon->memory();
    return rate;
}

// A figure of a round, for the table.
struct Metric {
    const char* name;
    std::function<double(const Round&)> of;
    bool saturated_only = false;  // meaningless when the rate is fixed
};

std::vector<Metric> metrics()
{
    using bench::percentile;
    return {
        {"RCPT reply p50 us, all", [](const Round& r) { return percentile(r.load.rcpt_us(), 50); }},
        {"RCPT reply p99 us, all", [](const Round& r) { return percentile(r.load.rcpt_us(), 99); }},
        {"RCPT reply p50 us, never listed (90%)", [](const Round& r) { return percentile(r.load.rcpt_unlisted_us, 50); }},
        {"RCPT reply p99 us, never listed (90%)", [](const Round& r) { return percentile(r.load.rcpt_unlisted_us, 99); }},
        {"RCPT reply p50 us, listed (10%)", [](const Round& r) { return percentile(r.load.rcpt_listed_us, 50); }},
        {"RCPT reply p99 us, listed (10%)", [](const Round& r) { return percentile(r.load.rcpt_listed_us, 99); }},
        {"end-of-message reply p50 us", [](const Round& r) { return percentile(r.load.eom_us, 50); }},
        {"end-of-message reply p99 us", [](const Round& r) { return percentile(r.load.eom_us, 99); }},
        {"messages/s", messages_per_second, true},
        {"daemon CPU us per message", [](const Round& r) { return r.daemon_cpu * 1e6 / double(r.load.messages); }},
        {"daemon KiB written per message", [](const Round& r) { return r.daemon_written / 1024 / double(r.load.messages); }},
        {"in-process lookup p50 us", [](const Round& r) { return percentile(r.probe_us, 50); }},
        {"in-process lookup p99 us", [](const Round& r) { return percentile(r.probe_us, 99); }},
    };
}

// One block of the table: each metric's median over the rounds for each
// store, and the median and range of the per-round ratios list/empty.
void print_rounds(const std::vector<Round>& empty, const std::vector<Round>& list, bool saturated)
{
    std::printf("%-40s %12s %12s %8s   %s\n", "median over the rounds", "empty store", "list", "ratio",
                "ratio range");
    for (const auto& metric : metrics()) {
        if (metric.saturated_only && !saturated)
            continue;
        std::vector<double> a, b, ratios;
        for (std::size_t r = 0; r < empty.size(); ++r) {
            a.push_back(metric.of(empty[r]));
            b.push_back(metric.of(list[r]));
            ratios.push_back(a.back() > 0 ? b.back() / a.back() : 0);
        }
        const auto [low, high] = std::minmax_element(ratios.begin(), ratios.end());
        std::printf("%-40s %12s %12s %8.2f   %.2f-%.2f\n", metric.name, grouped(bench::median(a), 1).c_str(),
                    grouped(bench::median(b), 1).c_str(), bench::median(ratios), *low, *high);
    }
}

void print_load_table(const Subject& empty, const Subject& list, const Options& options, double paced_rate)
{
    std::printf("\nload: %d connections x %d messages a round, 1 recipient each, 10%% of them listed; %d rounds of "
                "each store, interleaved (empty, list, empty, list...); a fresh daemon per store\n",
                options.connections, options.messages, options.rounds);
    std::printf("\nsaturated: each connection sends its next message as soon as the last is answered\n");
    print_rounds(empty.saturated, list.saturated, true);
    std::printf("\npaced: %s messages/s over the connections (%.0f%% of the empty store's saturated rate)\n",
                grouped(paced_rate).c_str(), paced_share * 100);
    print_rounds(empty.paced, list.paced, false);
    const auto& last = list.saturated.back().load;
    std::printf("(list store, a round: %zu messages, %zu refused at RCPT, %zu accepted; with the empty store every "
                "message is accepted, so it has %zu more ends of message a round)\n",
                last.messages, last.refused_at_rcpt, last.accepted, last.refused_at_rcpt);
}

void print_memory_table(const Subject& empty, const Subject& list)
{
    std::printf("\ndaemon memory, KiB (fresh daemon per store; after the warm-up -> after every round)\n");
    std::printf("%-42s %22s %22s %12s\n", "", "empty store", "list", "list - empty");
    const auto row = [&](const char* name, long DaemonMemory::*field) {
        const auto pair = [](const Subject& s, long DaemonMemory::*f) {
            return grouped(double(s.memory_warm.*f)) + " -> " + grouped(double(s.memory_end.*f));
        };
        std::printf("%-42s %22s %22s %12s\n", name, pair(empty, field).c_str(), pair(list, field).c_str(),
                    grouped(double(list.memory_end.*field - empty.memory_end.*field)).c_str());
    };
    row("Anonymous (smaps_rollup): private anon", &DaemonMemory::anonymous);
    row("RssAnon (status)", &DaemonMemory::rss_anon);
    row("Private_Dirty (smaps_rollup)", &DaemonMemory::private_dirty);
    row("RssFile (status): file-backed", &DaemonMemory::rss_file);
    row("  of which the data.mdb map (smaps Rss)", &DaemonMemory::store_map);
    row("VmRSS (status)", &DaemonMemory::rss);
}

// --- the phases ---------------------------------------------------------------

void print_machine()
{
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string model;
    for (std::string line; std::getline(cpuinfo, line);)
        if (line.rfind("model name", 0) == 0) {
            model = line.substr(line.find(':') + 2);
            break;
        }
    std::printf("machine: %u CPUs, %s\n", std::thread::hardware_concurrency(), model.c_str());
}

void print_sizes(const std::string& path, const store::Store& store)
{
    const auto entries = store.count(store::Table::suppression);
    std::printf("\nsize on disk of %s (%s suppressions)\n", path.c_str(), grouped(double(entries)).c_str());
    std::uintmax_t total = 0;
    for (const char* file : {"data.mdb", "lock.mdb"}) {
        const auto size = disk_size(path + "/" + file);
        total += size.allocated;
        std::printf("  %-9s %14s bytes on disk (st_blocks*512), %14s apparent (st_size)\n", file,
                    grouped(double(size.allocated)).c_str(), grouped(double(size.apparent)).c_str());
    }
    std::printf("  total     %14s bytes on disk, %.1f bytes an entry\n", grouped(double(total)).c_str(),
                entries ? double(total) / double(entries) : 0.0);
}

// The live file keeps LMDB's free pages; a compacted copy (mdb_copy -c, how
// docs/store.md measures an entry) drops them, though not the room left in
// pages that random inserts split (about 30%: the same keys written in key
// order take 69 bytes an entry, not 99).
void print_compacted(const Options& options, const std::string& path, std::uint64_t entries)
{
    const std::string copy = fresh_directory(options, "compacted");
    const auto time = run_program({"mdb_copy", "-c", path, copy}, options.dir + "/mdb_copy.log");
    if (time) {
        const auto size = disk_size(copy + "/data.mdb");
        std::printf("  compacted copy (mdb_copy -c): %s bytes, %.1f bytes an entry (%.1f s)\n",
                    grouped(double(size.apparent)).c_str(), entries ? double(size.apparent) / double(entries) : 0.0,
                    time->wall);
    } else {
        std::printf("  compacted copy: mdb_copy failed or is missing (Debian: lmdb-utils); see %s/mdb_copy.log\n",
                    options.dir.c_str());
    }
    fs::remove_all(copy);
}

// prospectctl reading, normalising, hashing and writing L lines, beside the
// same work done here (keys, then Store::batch) into another fresh store.
void compare_prospectctl(const Options& options, std::uint64_t lines)
{
    const std::string file = options.dir + "/ctl-leads.txt";
    {
        std::ofstream out(file, std::ios::trunc);
        for (std::uint64_t i = 0; i < lines; ++i)
            out << bench::listed_address(i) << '\n';
    }
    const std::string ctl_store = fresh_directory(options, "ctl-store");
    const std::string policy = options.dir + "/ctl-policy.conf";
    std::ofstream(policy, std::ios::trunc) << policy_text(ctl_store, options.map_size);
    const auto ctl = run_program({PROSPECTCTL_BINARY, "suppress", "import", "-c", policy, "--store", ctl_store,
                                  "--batch", std::to_string(options.batch), "--campaign", "spring", file},
                                 options.dir + "/ctl-import.log");
    fs::remove_all(ctl_store);

    const std::string direct_store = fresh_directory(options, "direct-store");
    std::vector<store::Hash> keys;
    Timing direct = timed([&] {
        keys = listed_keys(lines);
        auto store = open_store(direct_store, options.map_size);
        import_keys(*store, keys, options.batch, false);
    });
    fs::remove_all(direct_store);
    fs::remove(file);

    std::printf("\nprospectctl suppress import of %s lines (fresh store, --batch %zu)\n", grouped(double(lines)).c_str(),
                options.batch);
    if (!ctl) {
        std::printf("  prospectctl failed: see %s/ctl-import.log\n", options.dir.c_str());
        return;
    }
    print_timing("prospectctl suppress import", *ctl, lines);
    print_timing("keys (every CPU) + Store::batch, this program", direct, lines);
    std::printf("  prospectctl / this program: %.2f wall, %.2f CPU\n", ctl->wall / direct.wall, ctl->cpu / direct.cpu);
}

Subject start_subject(const Options& options, const std::string& name, const std::string& store_path, bool list_in_store,
                      std::unique_ptr<store::Store> store)
{
    Subject subject;
    subject.name = name;
    subject.list_in_store = list_in_store;
    subject.store = store ? std::move(store) : open_store(store_path, options.map_size);
    const std::string dir = fresh_directory(options, "daemon-" + name);
    subject.daemon = std::make_unique<BenchDaemon>(PROSPECT_MILTER_BINARY, dir, policy_text(store_path, options.map_size));
    return subject;
}

void usage_error(const char* message)
{
    std::fprintf(stderr,
                 "store_bench: %s\nusage: store_bench --dir DIR [--entries N] [--batch N] [--connections C] "
                 "[--messages M] [--rounds R] [--ctl-lines L] [--map-size BYTES] [--import-only] [--reuse-list] [--sorted-import]\n",
                 message);
    std::exit(2);
}

Options parse_options(int argc, char** argv)
{
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string name = argv[i];
        if (name == "--import-only" || name == "--reuse-list" || name == "--sorted-import") {
            (name == "--import-only"  ? options.import_only
             : name == "--reuse-list" ? options.reuse_list
                                      : options.sorted_import) = true;
            continue;
        }
        if (i + 1 >= argc)
            usage_error(("missing value after " + name).c_str());
        const std::string value = argv[++i];
        const auto number = [&] {
            char* end = nullptr;
            const unsigned long long n = std::strtoull(value.c_str(), &end, 10);
            if (*end || value.empty() || value[0] == '-')
                usage_error((name + " " + value + ": not a number").c_str());
            return n;
        };
        if (name == "--dir") options.dir = value;
        else if (name == "--entries") options.entries = number();
        else if (name == "--batch") options.batch = number();
        else if (name == "--connections") options.connections = static_cast<int>(number());
        else if (name == "--messages") options.messages = static_cast<int>(number());
        else if (name == "--rounds") options.rounds = static_cast<int>(number());
        else if (name == "--ctl-lines") options.ctl_lines = number();
        else if (name == "--map-size") options.map_size = number();
        else usage_error(("unknown option " + name).c_str());
    }
    if (options.dir.empty())
        usage_error("--dir is required");
    // The daemon's policy wants absolute paths (store.path, the socket).
    options.dir = fs::absolute(options.dir).lexically_normal().string();
    if (options.entries < 1 || options.batch < 1 || options.connections < 1 || options.messages < 1 ||
        options.rounds < 1)
        usage_error("--entries, --batch, --connections, --messages and --rounds must be at least 1");
    return options;
}

// The list: keys, then the import, with its figures.
std::unique_ptr<store::Store> import_list(const Options& options, const std::string& path)
{
    std::vector<store::Hash> keys;
    // Sorted: what an importer that sorts its whole input before writing
    // would do; each transaction then fills a few pages at the end of the
    // tree instead of rewriting pages all over it.
    const Timing preparing = timed([&] {
        keys = listed_keys(options.entries);
        if (options.sorted_import)
            std::sort(keys.begin(), keys.end());
    });
    std::printf("\nimport of %s suppressions, %zu entries per transaction%s\n", grouped(double(options.entries)).c_str(),
                options.batch, options.sorted_import ? ", in key order" : "");
    print_timing(std::string("keys (normalise + SHA-256") + (options.sorted_import ? ", sort" : "") + ", " +
                     std::to_string(std::thread::hardware_concurrency()) + " threads)",
                 preparing, 0);
    fs::remove_all(path);
    auto store = open_store(path, options.map_size);
    const auto import = import_keys(*store, keys, options.batch, true);
    print_timing("Store::batch writes", import.time, options.entries);
    print_timing("total", {preparing.wall + import.time.wall, preparing.cpu + import.time.cpu}, options.entries);
    std::printf("  entries/s by tenth of the import:");
    for (double rate : import.rate_by_step)
        std::printf(" %s", grouped(rate).c_str());
    std::printf("\n");
    if (!import.transaction_s.empty())
        std::printf("  a transaction (write lock held) took %.3f s median, %.3f s p99, %.3f s at most\n",
                    bench::median(import.transaction_s), bench::percentile(import.transaction_s, 99),
                    *std::max_element(import.transaction_s.begin(), import.transaction_s.end()));
    return store;
}

// The list an earlier run imported, as it is now (with the contacts its
// loads recorded): to try the load again without waiting for an import.
std::unique_ptr<store::Store> reuse_list(const Options& options, const std::string& path)
{
    if (!fs::exists(path + "/data.mdb"))
        usage_error(("--reuse-list: no store in " + path + " (run once without it)").c_str());
    auto store = open_store(path, options.map_size);
    if (store->count(store::Table::suppression) != options.entries)
        usage_error(("--reuse-list: " + path + " does not hold --entries suppressions").c_str());
    std::printf("\nreusing the list of an earlier run (%s suppressions, %s contacts)\n",
                grouped(double(options.entries)).c_str(), grouped(double(store->count(store::Table::contacts))).c_str());
    return store;
}

}  // namespace

int main(int argc, char** argv)
{
    const Options options = parse_options(argc, argv);
    fs::create_directories(options.dir);
    print_machine();

    // 1-2. The list and its size.
    const std::string list_path = options.dir + "/list";
    auto list_store = options.reuse_list ? reuse_list(options, list_path) : import_list(options, list_path);
    print_sizes(list_path, *list_store);
    print_compacted(options, list_path, options.entries);
    std::fflush(stdout);
    if (options.import_only)
        return 0;

    // Optional: prospectctl on a file of the same addresses.
    const std::uint64_t ctl_lines = options.ctl_lines.value_or(std::min<std::uint64_t>(1'000'000, options.entries));
    if (ctl_lines)
        compare_prospectctl(options, ctl_lines);
    std::fflush(stdout);

    // 3-5. The daemons, a fresh one per store, and the interleaved rounds.
    Subject empty = start_subject(options, "empty", fresh_directory(options, "empty"), false, nullptr);
    Subject list = start_subject(options, "list", list_path, true, std::move(list_store));
    const double paced_rate = run_rounds(options, empty, list);
    print_load_table(empty, list, options, paced_rate);
    print_memory_table(empty, list);
    empty.daemon->stop();
    list.daemon->stop();
    return 0;
}
