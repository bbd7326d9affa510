#include "contact_recorder.h"

#include <spdlog/spdlog.h>

#include <cstring>
#include <map>

namespace milter {

namespace {

// Far more than a second of mail at full speed: reached only when the disk
// stalls, and then the messages wait instead of memory growing.
constexpr std::size_t max_queued = 100000;

}  // namespace

std::size_t ContactRecorder::HashOf::operator()(const store::Hash& hash) const
{
    std::size_t value = 0;
    std::memcpy(&value, hash.data(), sizeof value);  // a SHA-256 is evenly spread already
    return value;
}

ContactRecorder::ContactRecorder() : m_thread([this] { run(); }) {}

ContactRecorder::~ContactRecorder()
{
    stop();
}

void ContactRecorder::record(std::shared_ptr<store::Store> store, const store::Hash& recipient, store::Time when,
                             std::string campaign)
{
    std::unique_lock lock(m_mutex);
    if (m_stopping) {
        lock.unlock();
        write({{std::move(store), recipient, when, std::move(campaign)}});
        return;
    }
    m_written.wait(lock, [&] { return m_queue.size() < max_queued || m_stopping; });
    m_queue.push_back({std::move(store), recipient, when, std::move(campaign)});
    ++m_pending[recipient];
    ++m_queued;
    m_wake.notify_one();
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

void ContactRecorder::run()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [&] { return !m_queue.empty() || m_stopping; });
        if (m_queue.empty())
            return;  // stopping, and everything written
        std::vector<Entry> group;
        group.swap(m_queue);
        lock.unlock();
        m_written.notify_all();  // room in the queue again
        write(group);
        lock.lock();
        for (const auto& entry : group)
            if (--m_pending[entry.recipient] == 0)
                m_pending.erase(entry.recipient);
        m_done += group.size();
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
