#include "store_access.h"

#include <spdlog/spdlog.h>

namespace milter {

std::shared_ptr<store::Store> StoreAccess::get(const policy::Policy& policy)
{
    // Every message asks, several times: the open store is answered without
    // the lock.
    if (const auto open = m_open.load(std::memory_order_acquire); open && open->path == policy.store.path)
        return open->store;
    std::lock_guard lock(m_mutex);
    const std::string& path = policy.store.path;
    if (m_store && m_path == path)
        return m_store;
    const auto now = std::chrono::steady_clock::now();
    if (!m_store && m_path == path && !m_error.empty() && now < m_retry_after)
        throw store::StoreError(m_error);
    try {
        store::StoreOptions options;
        options.path = path;
        options.map_size = policy.store.map_size;
        // The daemon writes only contact history: a machine crash may lose
        // its last commits, never the store's consistency (store.h).
        options.durable = false;
        m_store = store::Store::open(options);
        m_path = path;
        m_error.clear();
        m_open.store(std::make_shared<const Open>(Open{m_store, m_path}), std::memory_order_release);
        spdlog::info("store {} opened", path);
        return m_store;
    } catch (const store::StoreError& e) {
        m_store.reset();
        m_open.store(nullptr, std::memory_order_release);
        m_path = path;
        m_error = e.what();
        m_retry_after = now + kRetry;
        spdlog::error("store unavailable: {}", m_error);
        throw;
    }
}

}  // namespace milter
