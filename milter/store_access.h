// store_access.h — the daemon's handle on the store (store/store.h): opened
// on first use from the policy's `store` settings, opened again when a
// reload names another path, and, when it cannot be opened, tried again at
// most every few seconds while each message gets the failure action.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "policy/policy.h"
#include "store/store.h"

namespace milter {

class StoreAccess {
public:
    // The store the policy names; throws store::StoreError when it cannot
    // be opened (now, or at the last try less than kRetry ago).
    std::shared_ptr<store::Store> get(const policy::Policy& policy);

private:
    static constexpr std::chrono::seconds kRetry{5};

    std::mutex m_mutex;
    std::shared_ptr<store::Store> m_store;
    std::string m_path;  // of m_store, or of the last failed attempt
    std::string m_error;  // why the last attempt failed
    std::chrono::steady_clock::time_point m_retry_after{};

    // The store in use and its path, published for the lock-free fast path.
    struct Open {
        std::shared_ptr<store::Store> store;
        std::string path;
    };
    std::atomic<std::shared_ptr<const Open>> m_open;
};

}  // namespace milter
