#include "contact_recorder.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <map>

namespace milter {

std::size_t ContactRecorder::HashOf::operator()(const store::Hash& hash) const
{
    std::size_t value = 0;
    std::memcpy(&value, hash.data(), sizeof value);  // a SHA-256 is evenly spread already
    return value;
}

// The thread starts last: it reads the members initialised before it.
ContactRecorder::ContactRecorder(ContactGrouping grouping) : m_grouping(grouping), m_thread([this] { run(); }) {}

ContactRecorder::~ContactRecorder()
{
    stop();
}

void ContactRecorder::record(std::shared_ptr<store::Store> store, const store::Hash& recipient, store::Time when,
                             std::string campaign)
{
    Entry entry{std::move(store), recipient, when, std::move(campaign)};
    std::unique_lock lock(m_mutex);
    m_written.wait(lock, [&] { return m_queue.size() < m_grouping.max_queued || m_stopping; });
    if (m_stopping) {
        // The writer may be gone already: queued now, this would never be written.
        lock.unlock();
        std::vector<Entry> alone;
        alone.push_back(std::move(entry));
        write(alone);
        return;
    }
    const bool wake = enqueue(std::move(entry));
    lock.unlock();
    if (wake)
        m_wake.notify_one();
}

// With m_mutex held. Whether the writer must be woken: it sleeps through a
// group's window, and needs waking only to start it, or to end it early
// when the group is full.
bool ContactRecorder::enqueue(Entry entry)
{
    if (m_queue.empty())
        m_group_start = std::chrono::steady_clock::now();
    ++m_pending[entry.recipient];
    m_queue.push_back(std::move(entry));
    ++m_queued;
    return m_queue.size() == 1 || m_queue.size() == m_grouping.group_size;
}

bool ContactRecorder::pending(const store::Hash& recipient) const
{
    std::lock_guard lock(m_mutex);
    return m_pending.contains(recipient);
}

void ContactRecorder::flush()
{
    std::unique_lock lock(m_mutex);
    const std::uint64_t target = m_queued;
    if (m_done >= target)
        return;
    // Whoever flushes wants the contacts on disk now, not at the window's end.
    m_flush_upto = std::max(m_flush_upto, target);
    m_wake.notify_one();
    m_written.wait(lock, [&] { return m_done >= target; });
}

void ContactRecorder::stop()
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping)
            return;
        m_stopping = true;
    }
    m_wake.notify_one();
    m_written.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

// With m_mutex held: the group is written before its window ends.
bool ContactRecorder::group_due() const
{
    return m_stopping || m_queue.size() >= m_grouping.group_size || m_flush_upto > m_taken;
}

// Waits for a group to start, then for its window to end (or for it to be
// due sooner); empty when stopping with nothing left to write.
std::vector<ContactRecorder::Entry> ContactRecorder::next_group(std::unique_lock<std::mutex>& lock)
{
    m_wake.wait(lock, [&] { return !m_queue.empty() || m_stopping; });
    if (!m_queue.empty())
        m_wake.wait_until(lock, m_group_start + m_grouping.window, [&] { return group_due(); });
    std::vector<Entry> group;
    group.swap(m_queue);
    m_taken += group.size();
    return group;
}

// With m_mutex held, after `group` is on disk.
void ContactRecorder::written(const std::vector<Entry>& group)
{
    for (const auto& entry : group)
        if (--m_pending[entry.recipient] == 0)
            m_pending.erase(entry.recipient);
    m_done += group.size();
}

void ContactRecorder::run()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        const auto group = next_group(lock);
        if (group.empty())
            return;  // stopping, and everything written
        lock.unlock();
        m_written.notify_all();  // room in the queue again
        write(group);
        lock.lock();
        written(group);
        m_written.notify_all();
    }
}

void ContactRecorder::write(const std::vector<Entry>& entries)
{
    // Nearly always one store; a reload that moves it leaves two for a moment.
    std::map<store::Store*, std::vector<const Entry*>> by_store;
    for (const auto& entry : entries)
        by_store[entry.store.get()].push_back(&entry);
    for (const auto& [store, group] : by_store) {
        try {
            const auto batch = store->batch(group.size());
            for (const Entry* entry : group)
                batch->record_contact(entry->recipient, entry->when, entry->campaign);
            batch->commit();
        } catch (const std::exception& e) {
            // The mail has gone already; what is lost is the count, and
            // the next message to these people is judged a first contact.
            spdlog::error("contact history: {} contact(s) not recorded: {}", group.size(), e.what());
        }
    }
}

}  // namespace milter
