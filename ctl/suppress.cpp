// suppress.cpp — `prospectctl suppress add|remove|check|export|count`: the
// objections the milter honours, one entry at a time.
#include <sysexits.h>

#include <cstdio>

#include "csv.h"
#include "export_file.h"
#include "key_arguments.h"
#include "store_commands.h"

namespace ctl {

namespace {

int status_after(bool all_valid, int status = EX_OK)
{
    return all_valid ? status : EX_DATAERR;
}

void add_one(store::Store& store, const StoreKey& key, const store::Suppression& entry)
{
    if (store.suppress(key.hash, entry)) {
        std::printf("suppressed %s\n", key.label().c_str());
        return;
    }
    const auto earlier = store.suppression(key.hash);
    std::printf("already suppressed %s: %s\n", earlier ? describe(*earlier).c_str() : "", key.label().c_str());
}

// Removing an address leaves its domain's suppression in force: the
// postmaster should not believe the person can now be written to.
void report_domain_still_suppressed(const store::Store& store, const StoreKey& key)
{
    if (key.kind != StoreKey::Kind::address)
        return;
    if (const auto refusal = store.suppressed(key.address); refusal && refusal->whole_domain)
        std::printf("note: %s stays suppressed by its whole domain @%s %s\n", key.text.c_str(),
                    key.address.domain.c_str(), describe(refusal->entry).c_str());
}

void remove_one(store::Store& store, const StoreKey& key)
{
    // An unsubscribe by token may sit under the address's partial key
    // (store/address.h): both go.
    bool removed = store.unsuppress(key.hash);
    if (key.kind != StoreKey::Kind::domain)
        removed = store.unsuppress(store::partial_key(key.hash)) || removed;
    std::printf("%s %s\n", removed ? "removed" : "not suppressed", key.label().c_str());
    report_domain_still_suppressed(store, key);
}

// Whether the key is suppressed; prints the answer. An address is checked
// against its whole domain too, as the milter checks it; a hash only as
// itself, since the domain it belongs to is unknown.
bool check_one(const store::Store& store, const StoreKey& key)
{
    std::optional<store::Refusal> refusal;
    if (key.kind == StoreKey::Kind::address)
        refusal = store.suppressed(key.address);
    else if (const auto entry = store.suppression(key.hash))
        refusal = store::Refusal{false, *entry};
    if (!refusal) {
        std::printf("not suppressed %s\n", key.label().c_str());
        return false;
    }
    if (refusal->whole_domain)
        std::printf("suppressed %s by its whole domain @%s %s\n", key.label().c_str(), key.address.domain.c_str(),
                    describe(refusal->entry).c_str());
    else
        std::printf("suppressed %s %s\n", key.label().c_str(), describe(refusal->entry).c_str());
    return true;
}

void export_row(std::FILE* out, const store::Hash& hash, const store::Suppression& entry)
{
    std::fprintf(out, "%s,%s,%s,%s,%s\n", store::to_hex(hash).c_str(), date_of(entry.when).c_str(),
                 std::string(store::to_string(entry.source)).c_str(), csv_field(entry.campaign).c_str(),
                 csv_field(entry.note).c_str());
}

}  // namespace

int suppress_add(const StoreLocation& location, const std::vector<std::string>& arguments,
                 const store::Suppression& entry)
{
    return with_store(location, Access::read_write, [&](store::Store& store) {
        return status_after(for_each_key(location, arguments, parse_key,
                                         [&](const StoreKey& key) { add_one(store, key, entry); }));
    });
}

int suppress_remove(const StoreLocation& location, const std::vector<std::string>& arguments)
{
    return with_store(location, Access::read_write, [&](store::Store& store) {
        return status_after(
            for_each_key(location, arguments, parse_key, [&](const StoreKey& key) { remove_one(store, key); }));
    });
}

int suppress_check(const StoreLocation& location, const std::vector<std::string>& arguments)
{
    return with_store(location, Access::read_only, [&](store::Store& store) {
        bool any_suppressed = false;
        const bool all_valid = for_each_key(location, arguments, parse_key, [&](const StoreKey& key) {
            any_suppressed = check_one(store, key) || any_suppressed;
        });
        return status_after(all_valid, any_suppressed ? exit_found : EX_OK);
    });
}

int suppress_export(const StoreLocation& location, const std::string& output)
{
    ExportFile file(output);
    return with_store(location, Access::read_only, [&](store::Store& store) {
        if (const int status = file.open(location.command); status != EX_OK)
            return status;
        std::fprintf(file.stream(), "hash,date,source,campaign,note\n");
        store.for_each_suppression([&](const store::Hash& hash, const store::Suppression& entry) {
            export_row(file.stream(), hash, entry);
            return std::ferror(file.stream()) == 0;  // the disk is full: stop, finish() says so
        });
        return file.finish(location.command);
    });
}

int suppress_count(const StoreLocation& location)
{
    return with_store(location, Access::read_only, [&](store::Store& store) {
        std::printf("%llu\n", static_cast<unsigned long long>(store.count(store::Table::suppression)));
        return EX_OK;
    });
}

}  // namespace ctl
