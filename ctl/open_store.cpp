#include "open_store.h"

#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <cstdio>

#include "load_policy.h"
#include "policy/config.h"

namespace ctl {

namespace {

bool exists(const std::string& path)
{
    struct stat status {};
    return stat(path.c_str(), &status) == 0;
}

// LMDB files root creates belong to root, and the daemon, which runs as
// prospect-milter, can then not open the store: say so while it is easy to
// fix. Opening read-only creates a missing lock.mdb too (and fails without
// data.mdb).
void warn_if_root_creates(const StoreLocation& location, const std::string& path, Access access)
{
    if (geteuid() != 0)
        return;
    const bool data = exists(path + "/data.mdb"), lock = exists(path + "/lock.mdb");
    if (access == Access::read_write ? data && lock : !data || lock)
        return;
    std::fprintf(stderr,
                 "prospectctl %s: warning: running as root, creating the store's files in %s: they will belong to "
                 "root, and the daemon (user prospect-milter) cannot open them; run prospectctl as that user: "
                 "sudo -u prospect-milter prospectctl ...\n",
                 location.command.c_str(), path.c_str());
}

int report_store_error(const StoreLocation& location, const std::string& path, const store::StoreError& error)
{
    const std::string why = error.what();
    if (why.find(path) != std::string::npos)
        std::fprintf(stderr, "prospectctl %s: %s\n", location.command.c_str(), why.c_str());
    else
        std::fprintf(stderr, "prospectctl %s: store %s: %s\n", location.command.c_str(), path.c_str(), why.c_str());
    return EX_IOERR;
}

// The opened store, or null with `status` set after printing why.
std::unique_ptr<store::Store> open_store(const StoreLocation& location, Access access,
                                         const std::function<int()>& before_open, int& status,
                                         std::shared_ptr<const policy::Policy>& policy)
{
    policy = load_policy_or_report(location.policy_path);
    if (!policy) {
        status = EX_CONFIG;
        return nullptr;
    }
    if (before_open && (status = before_open()) != EX_OK)
        return nullptr;
    store::StoreOptions options;
    options.path = location.store_override.empty() ? policy->store.path : location.store_override;
    options.map_size = policy->store.map_size;
    options.read_only = access == Access::read_only;
    warn_if_root_creates(location, options.path, access);
    try {
        return store::Store::open(options);
    } catch (const store::StoreError& error) {
        status = report_store_error(location, options.path, error);
        return nullptr;
    }
}

}  // namespace

int with_store(const StoreLocation& location, Access access, const std::function<int(store::Store&)>& work,
               const std::function<int()>& before_open)
{
    return with_policy_and_store(
        location, access, [&](const policy::Policy&, store::Store& store) { return work(store); }, before_open);
}

int with_policy_and_store(const StoreLocation& location, Access access,
                          const std::function<int(const policy::Policy&, store::Store&)>& work,
                          const std::function<int()>& before_open)
{
    int status = EX_OK;
    std::shared_ptr<const policy::Policy> policy;
    const auto opened = open_store(location, access, before_open, status, policy);
    if (!opened)
        return status;
    try {
        return work(*policy, *opened);
    } catch (const store::StoreError& error) {
        return report_store_error(location, opened->path(), error);
    }
}

}  // namespace ctl
