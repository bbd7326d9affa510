// contact_recorder.h — the daemon's contact history, written behind the
// messages. Each accepted message queues one contact per recipient; one
// thread writes whatever is queued in one transaction, so a group of
// messages costs one commit and one flush to disk instead of one each, and
// no end of message waits for the disk.
//
// What is queued but not yet written still counts (pending()): a second
// message to the same person a millisecond later is not a first contact.
// A crash of the daemon loses the contacts not yet written (milliseconds'
// worth): the next message to those people is judged a first contact
// again, the cautious side.
#pragma once

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

class ContactRecorder {
public:
    ContactRecorder();
    ~ContactRecorder();  // stop()
    ContactRecorder(const ContactRecorder&) = delete;
    ContactRecorder& operator=(const ContactRecorder&) = delete;

    // Queues one more contact with `recipient`. Waits only when the writer
    // has fallen far behind (the disk stalls), rather than grow without end.
    void record(std::shared_ptr<store::Store> store, const store::Hash& recipient, store::Time when,
                std::string campaign);
    // Whether a contact with `recipient` is queued or being written.
    bool pending(const store::Hash& recipient) const;
    // Returns once everything queued before the call is written.
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

    void run();
    static void write(const std::vector<Entry>& entries);

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;     // the writer: something queued, or stop
    std::condition_variable m_written;  // flush() and a full queue: a group written
    std::vector<Entry> m_queue;
    std::unordered_map<store::Hash, int, HashOf> m_pending;  // queued or being written, with counts
    std::uint64_t m_queued = 0;   // entries ever queued
    std::uint64_t m_done = 0;     // entries ever written (or lost to a store error)
    bool m_stopping = false;
    std::thread m_thread;
};

}  // namespace milter
