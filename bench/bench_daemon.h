// bench_daemon.h — a real prospect-milter process for store_bench: started
// on a unix socket in a directory of the build tree with a given policy, its
// log in a file there, read through /proc while it runs, stopped by its PID.
//
// The benchmark's twin of tests/protocol/running_daemon.h, without the test
// framework and without /tmp: everything it writes stays in `directory`.
#pragma once

#include <sys/types.h>

#include <string>

namespace bench {

// What the kernel says about the daemon's memory, in KiB.
struct DaemonMemory {
    long anonymous = -1;      // smaps_rollup "Anonymous": private anonymous pages (heap, stacks)
    long private_dirty = -1;  // smaps_rollup "Private_Dirty": anonymous plus written private file pages
    long rss_anon = -1;       // status "RssAnon"
    long rss_file = -1;       // status "RssFile": program, libraries and the LMDB map
    long store_map = -1;      // smaps "Rss" of the data.mdb mapping alone
    long rss = -1;            // status "VmRSS"
};

class BenchDaemon {
public:
    // Writes `directory`/policy.conf: `policy` (everything but the milter
    // and logging groups) and those two groups, the socket being
    // `directory`/milter.sock and decision records going to
    // `directory`/daemon.log. Starts `binary` on it and waits for the
    // socket; throws std::runtime_error (with the log) when it does not come.
    BenchDaemon(const std::string& binary, const std::string& directory, const std::string& policy);
    ~BenchDaemon();
    BenchDaemon(const BenchDaemon&) = delete;
    BenchDaemon& operator=(const BenchDaemon&) = delete;

    const std::string& socket_spec() const { return m_socket_spec; }
    pid_t pid() const { return m_pid; }

    DaemonMemory memory() const;
    // User plus system CPU time of all its threads so far, in seconds.
    double cpu_seconds() const;
    // Bytes it has handed to write calls so far (/proc/PID/io wchar): the
    // store's pages, the log's lines, its few bytes of replies. Not
    // write_bytes, which counts each dirtied page cache folio whole: on
    // kernels with large folios (ext4, Linux 6.18) one 4 KiB page rewritten
    // in a big file counts as up to 128 KiB that never reach the disk.
    double bytes_written() const;

    // SIGTERM (the daemon drains and stops), SIGKILL after 10 s.
    void stop();

private:
    void wait_for_socket();
    std::string log_tail() const;

    std::string m_directory;
    std::string m_socket_path;
    std::string m_socket_spec;
    pid_t m_pid = -1;
};

}  // namespace bench
