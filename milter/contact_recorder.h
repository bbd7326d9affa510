// contact_recorder.h — the daemon's contact history, written behind the
// messages. Each accepted message queues one contact per recipient; one
// thread writes them in group commits: once the first contact of a group is
// queued, it waits until the window (100 ms) has passed or a group's worth
// (1,000 contacts) is queued, then writes them all in one transaction. A
// synced commit per message meant hundreds of fdatasync a second under load
// (7 % of the daemon's CPU, in the kernel); this is at most about ten a
// second, and no end of message waits for the disk. The writer is woken
// when a group starts or fills, not for every contact.
//
// What is queued but not yet written still counts (pending()): a second
// message to the same person a millisecond later is not a first contact.
// A crash of the daemon loses the contacts not yet written, at most about
// one window's worth (~100 ms of mail): the next message to those people
// is judged a first contact again, the cautious side (it must carry the
// data-source notice once more).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "store/store.h"

namespace milter {

// When the writer commits; tests shorten or stretch these.
struct ContactGrouping {
    std::chrono::milliseconds window{100};  // the longest a contact waits for its group's commit
    std::size_t group_size = 1000;          // a group this large is written at once
    // Far more than a second of mail at full speed: reached only when the
    // disk stalls, and then record() waits instead of memory growing.
    std::size_t max_queued = 100000;
};

class ContactRecorder {
public:
    explicit ContactRecorder(ContactGrouping grouping = {});
    ~ContactRecorder();  // stop()
    ContactRecorder(const ContactRecorder&) = delete;
    ContactRecorder& operator=(const ContactRecorder&) = delete;

    // Queues one more contact with `recipient`. Waits only when the writer
    // has fallen far behind (max_queued), rather than grow without end.
    void record(std::shared_ptr<store::Store> store, const store::Hash& recipient, store::Time when,
                std::string campaign);
    // Whether a contact with `recipient` is queued or being written.
    bool pending(const store::Hash& recipient) const;
    // Has the writer write now, without waiting out the window, and
    // returns once everything queued before the call is written.
    void flush();
    // Writes what is queued and ends the writer; later records are written
    // at once, on the caller's thread.
    void stop();

private:
    struct Entry {
        std::shared_ptr<store::Store> store;
        store::Hash recipient;
        store::Time when;
        std::string campaign;
    };
    struct HashOf {
        std::size_t operator()(const store::Hash& hash) const;
    };

    bool enqueue(Entry entry);
    bool group_due() const;
    std::vector<Entry> next_group(std::unique_lock<std::mutex>& lock);
    void written(const std::vector<Entry>& group);
    void run();
    static void write(const std::vector<Entry>& entries);

    const ContactGrouping m_grouping;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;     // the writer: a group started or filled, flush, or stop
    std::condition_variable m_written;  // flush() and a full queue: a group taken or written
    std::vector<Entry> m_queue;
    std::chrono::steady_clock::time_point m_group_start;  // when m_queue's first entry came
    std::unordered_map<store::Hash, int, HashOf> m_pending;  // queued or being written, with counts
    std::uint64_t m_queued = 0;      // entries ever queued
    std::uint64_t m_taken = 0;       // entries ever taken by the writer
    std::uint64_t m_done = 0;        // entries ever written (or lost to a store error)
    std::uint64_t m_flush_upto = 0;  // flush() wants entries up to this one written now
    bool m_stopping = false;
    std::thread m_thread;
};

}  // namespace milter
