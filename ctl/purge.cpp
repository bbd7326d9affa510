#include "purge.h"

#include <getopt.h>
#include <sysexits.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "audit.h"
#include "open_store.h"
#include "store_keys.h"
#include "usage.h"
#include "policy/config.h"
#include "policy/retention.h"
#include "policy/text.h"
#include "policy/verdict.h"

namespace ctl {

namespace {

struct PurgeLine {
    StoreLocation location;
    bool dry_run = false;
    std::string now;  // --now YYYY-MM-DD: judge as on that day (tests, planning)
};

struct Expired {
    std::vector<store::Hash> contacts;
    std::map<std::string, std::uint64_t> contacts_by_campaign;
    std::uint64_t contacts_seen = 0;
    std::vector<store::Hash> consents;
    std::uint64_t consents_seen = 0;
};

// Walks first, erases after: a walk holds a read transaction, and space
// freed meanwhile would not be reused.
Expired find_expired(const policy::Policy& policy, const store::Store& store, policy::Day today)
{
    Expired expired;
    store.for_each_contact([&](const store::Hash& key, const store::Contact& contact) {
        ++expired.contacts_seen;
        if (policy::contact_expired(policy, policy::day_of(contact.last), contact.last_campaign, today)) {
            expired.contacts.push_back(key);
            ++expired.contacts_by_campaign[contact.last_campaign.empty() ? "(none)" : contact.last_campaign];
        }
        return true;
    });
    store.for_each_consent([&](const store::Hash& key, const store::Consent& consent) {
        ++expired.consents_seen;
        if (policy::consent_expired(policy, policy::day_of(consent.when), today))
            expired.consents.push_back(key);
        return true;
    });
    return expired;
}

void erase(store::Store& store, const Expired& expired)
{
    const auto batch = store.batch();
    for (const auto& key : expired.contacts)
        batch->erase_contact(key);
    for (const auto& key : expired.consents)
        batch->remove_consent(key);
    batch->commit();
}

void report(const policy::Policy& policy, const Expired& expired, policy::Day today, bool dry_run)
{
    const char* verb = dry_run ? "would be deleted" : "deleted";
    std::printf("purge as of %s%s\n", policy::format_day(today).c_str(), dry_run ? " (dry run: nothing deleted)" : "");
    std::printf("contact histories: %zu of %llu past retention, %s\n", expired.contacts.size(),
                static_cast<unsigned long long>(expired.contacts_seen), verb);
    for (const auto& [campaign, count] : expired.contacts_by_campaign)
        std::printf("  last campaign %-20s %llu (kept %d days after the last contact)\n", campaign.c_str(),
                    static_cast<unsigned long long>(count), policy::contact_retention_days(policy, campaign));
    if (policy.consent.validity_days > 0)
        std::printf("consents: %zu of %llu older than %d days, %s\n", expired.consents.size(),
                    static_cast<unsigned long long>(expired.consents_seen), policy.consent.validity_days, verb);
    else
        std::printf("consents: kept until withdrawn (consent.validity_days is 0)\n");
    std::printf("suppressions: kept (an objection is honoured for as long as it stands)\n");
}

void record(const policy::Policy& policy, const Expired& expired, policy::Day today)
{
    policy::DecisionRecord entry;
    entry.message = "purge: " + std::to_string(expired.contacts.size()) + " contact histories and " +
                    std::to_string(expired.consents.size()) + " consents past retention deleted";
    entry.priority = policy::DecisionRecord::Priority::notice;
    entry.add("PROSPECT_EVENT", "purge");
    entry.add("PROSPECT_PURGE_DAY", policy::format_day(today));
    entry.add("PROSPECT_CONTACTS_DELETED", std::to_string(expired.contacts.size()));
    entry.add("PROSPECT_CONSENTS_DELETED", std::to_string(expired.consents.size()));
    audit(policy, std::move(entry));
}

int usage_error(const std::string& message)
{
    std::fprintf(stderr, "prospectctl purge: %s\n", message.c_str());
    print_usage(stderr);
    return EX_USAGE;
}

}  // namespace

int purge_command(int argc, char** argv)
{
    PurgeLine line;
    line.location.command = "purge";
    line.location.policy_path = policy::default_policy_path;
    static const option long_options[] = {
        {"config", required_argument, nullptr, 'c'}, {"store", required_argument, nullptr, 's'},
        {"dry-run", no_argument, nullptr, 'n'},      {"now", required_argument, nullptr, 'N'},
        {"help", no_argument, nullptr, 'h'},         {nullptr, 0, nullptr, 0}};
    int option;
    optind = 1;
    while ((option = getopt_long(argc, argv, "c:h", long_options, nullptr)) != -1) {
        switch (option) {
        case 'c': line.location.policy_path = optarg; break;
        case 's': line.location.store_override = optarg; break;
        case 'n': line.dry_run = true; break;
        case 'N': line.now = optarg; break;
        case 'h': print_usage(stdout); return EX_OK;
        default: print_usage(stderr); return EX_USAGE;
        }
    }
    if (optind != argc)
        return usage_error("purge takes no arguments");
    policy::Day today = policy::today_utc();
    if (!line.now.empty()) {
        const auto day = policy::parse_day(line.now);
        if (!day)
            return usage_error("--now " + line.now + ": not a date written YYYY-MM-DD");
        today = *day;
    }
    const Access access = line.dry_run ? Access::read_only : Access::read_write;
    return with_policy_and_store(line.location, access, [&](const policy::Policy& policy, store::Store& store) {
        const Expired expired = find_expired(policy, store, today);
        if (!line.dry_run) {
            erase(store, expired);
            record(policy, expired, today);
        }
        report(policy, expired, today, line.dry_run);
        return EX_OK;
    });
}

}  // namespace ctl
