// open_store.h — the store a suppress or consent command works on: the one
// the policy names (store.path, store.map_size), unless --store names
// another directory.
#pragma once

#include <functional>
#include <string>

#include "policy/policy.h"
#include "store/store.h"

namespace ctl {

struct StoreLocation {
    std::string command;         // "suppress add", for messages
    std::string policy_path;     // -c
    std::string store_override;  // --store, empty = the policy's store.path
};

enum class Access { read_only, read_write };

// Loads the policy, runs `before_open` if given (it may refuse with an exit
// status other than 0: an unreadable input file...), opens the store and
// runs `work` on it. Returns what `work` returns, or the first failure's
// status: 78 bad policy, `before_open`'s, 74 (EX_IOERR) when the store
// cannot be opened or fails while working (disk full, map full...), after
// printing why, naming the store.
int with_store(const StoreLocation& location, Access access, const std::function<int(store::Store&)>& work,
               const std::function<int()>& before_open = nullptr);
// The same, for work that also needs the policy (retention, logging).
int with_policy_and_store(const StoreLocation& location, Access access,
                          const std::function<int(const policy::Policy&, store::Store&)>& work,
                          const std::function<int()>& before_open = nullptr);

}  // namespace ctl
