// consent.cpp — `prospectctl consent add|remove|check|export|count`: the
// prior consents the consent rule asks for (consumers, and business
// addresses in opt-in countries), one entry at a time.
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

// `consent add` states the consent now in force: it replaces an earlier
// one, which is shown so that nothing is replaced unseen.
void add_one(store::Store& store, const StoreKey& key, const store::Consent& entry)
{
    const auto earlier = store.consent(key.hash);
    store.add_consent(key.hash, entry);
    if (earlier)
        std::printf("consent replaced %s, was %s\n", key.label().c_str(), describe(*earlier).c_str());
    else
        std::printf("consent recorded %s\n", key.label().c_str());
}

void remove_one(store::Store& store, const StoreKey& key)
{
    std::printf("%s %s\n", store.remove_consent(key.hash) ? "consent removed" : "no consent", key.label().c_str());
}

bool check_one(const store::Store& store, const StoreKey& key)
{
    const auto entry = store.consent(key.hash);
    if (entry)
        std::printf("consent %s %s\n", key.label().c_str(), describe(*entry).c_str());
    else
        std::printf("no consent %s\n", key.label().c_str());
    return entry.has_value();
}

void export_row(std::FILE* out, const store::Hash& hash, const store::Consent& entry)
{
    std::fprintf(out, "%s,%s,%s,%s\n", store::to_hex(hash).c_str(), date_of(entry.when).c_str(),
                 csv_field(entry.source).c_str(), csv_field(entry.proof).c_str());
}

}  // namespace

int consent_add(const StoreLocation& location, const std::vector<std::string>& arguments,
                const store::Consent& entry)
{
    return with_store(location, Access::read_write, [&](store::Store& store) {
        return status_after(for_each_key(location, arguments, parse_consent_key,
                                         [&](const StoreKey& key) { add_one(store, key, entry); }));
    });
}

int consent_remove(const StoreLocation& location, const std::vector<std::string>& arguments)
{
    return with_store(location, Access::read_write, [&](store::Store& store) {
        return status_after(for_each_key(location, arguments, parse_consent_key,
                                         [&](const StoreKey& key) { remove_one(store, key); }));
    });
}

int consent_check(const StoreLocation& location, const std::vector<std::string>& arguments)
{
    return with_store(location, Access::read_only, [&](store::Store& store) {
        bool any_lacking = false;
        const bool all_valid = for_each_key(location, arguments, parse_consent_key, [&](const StoreKey& key) {
            any_lacking = !check_one(store, key) || any_lacking;
        });
        return status_after(all_valid, any_lacking ? exit_found : EX_OK);
    });
}

int consent_export(const StoreLocation& location, const std::string& output)
{
    ExportFile file(output);
    return with_store(location, Access::read_only, [&](store::Store& store) {
        if (const int status = file.open(location.command); status != EX_OK)
            return status;
        std::fprintf(file.stream(), "hash,date,source,proof\n");
        store.for_each_consent([&](const store::Hash& hash, const store::Consent& entry) {
            export_row(file.stream(), hash, entry);
            return std::ferror(file.stream()) == 0;  // the disk is full: stop, finish() says so
        });
        return file.finish(location.command);
    });
}

int consent_count(const StoreLocation& location)
{
    return with_store(location, Access::read_only, [&](store::Store& store) {
        std::printf("%llu\n", static_cast<unsigned long long>(store.count(store::Table::consent)));
        return EX_OK;
    });
}

}  // namespace ctl
