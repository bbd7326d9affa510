#include "subject.h"

#include <getopt.h>
#include <sysexits.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <variant>

#include "audit.h"
#include "open_store.h"
#include "store_keys.h"
#include "usage.h"
#include "policy/config.h"

namespace ctl {

namespace {

struct SubjectLine {
    std::string action;
    StoreLocation location;
    bool including_suppression = false;
    std::string confirmation;  // --confirm: the address typed again
    std::string address;
};

int usage_error(const std::string& message)
{
    std::fprintf(stderr, "prospectctl subject: %s\n", message.c_str());
    print_usage(stderr);
    return EX_USAGE;
}

// The person's own suppression: under the address, or under the partial
// key an unsubscribe by token may have used (store/address.h).
std::optional<store::Suppression> own_suppression(const store::Store& store, const store::Hash& key)
{
    if (auto entry = store.suppression(key))
        return entry;
    return store.suppression(store::partial_key(key));
}

void show_records_hint(const policy::Policy& policy, const store::Address& address, const store::Hash& key)
{
    const std::string hex = store::to_hex(key);
    const std::string named = policy.logging.recipients_in_clear ? address.normalised : hex;
    std::printf("decision records naming this person (journald):\n"
                "  journalctl -t prospect-milter -o json | grep -F %s   # all, also those with several recipients\n"
                "  journalctl -t prospect-milter PROSPECT_RECIPIENT=%s\n"
                "  journalctl -t prospect-milter PROSPECT_EVENT=unsubscribe PROSPECT_RECIPIENT=%s\n"
                "  journalctl -t prospect-milter PROSPECT_EVENT=unsubscribe PROSPECT_SENDER=%s\n"
                "  journalctl -t prospectctl PROSPECT_RECIPIENT=%s   # access and erasure requests\n",
                named.c_str(), named.c_str(), hex.substr(0, 2 * store::partial_key_length).c_str(), named.c_str(),
                named.c_str());
}

int show(const policy::Policy& policy, store::Store& store, const store::Address& address)
{
    const auto key = store::address_key(address);
    std::printf("subject:         %s\nhash:            %s\n", address.normalised.c_str(), store::to_hex(key).c_str());
    const auto own = own_suppression(store, key);
    const auto refusal = store.suppressed(address);
    if (own)
        std::printf("suppression:     %s\n", describe(*own).c_str());
    else if (refusal && refusal->whole_domain)
        std::printf("suppression:     none of their own; the whole domain @%s is suppressed %s\n",
                    address.domain.c_str(), describe(refusal->entry).c_str());
    else
        std::printf("suppression:     none\n");
    const auto consent = store.consent(key);
    std::printf("consent:         %s\n", consent ? describe(*consent).c_str() : "none");
    if (const auto contact = store.contact(key))
        std::printf("contact history: first %s, last %s, %llu message(s), last campaign %s\n",
                    timestamp(contact->first).c_str(), timestamp(contact->last).c_str(),
                    static_cast<unsigned long long>(contact->count),
                    contact->last_campaign.empty() ? "(none)" : contact->last_campaign.c_str());
    else
        std::printf("contact history: none\n");
    show_records_hint(policy, address, key);

    policy::DecisionRecord record;
    record.message = "subject access: what the store holds about one person was shown";
    record.priority = policy::DecisionRecord::Priority::notice;
    record.add("PROSPECT_EVENT", "subject");
    record.add("PROSPECT_ACTION", "show");
    record.add("PROSPECT_RECIPIENT", policy::log_address(policy, address.normalised));
    audit(policy, std::move(record));
    return EX_OK;
}

// Whether the operator confirmed erasing an objection: --confirm with the
// address again, or typed at the prompt.
bool objection_erasure_confirmed(const SubjectLine& line, const store::Address& address)
{
    std::string typed = line.confirmation;
    if (typed.empty() && isatty(STDIN_FILENO)) {
        std::printf("Erasing the objection lets the next prospecting mail reach %s.\n"
                    "Type the address again to confirm: ",
                    address.normalised.c_str());
        std::fflush(stdout);
        std::getline(std::cin, typed);
    }
    const auto again = store::normalise_address(typed);
    return std::holds_alternative<store::Address>(again) &&
           std::get<store::Address>(again).normalised == address.normalised;
}

int erase(const SubjectLine& line, const policy::Policy& policy, store::Store& store, const store::Address& address)
{
    const auto key = store::address_key(address);
    if (line.including_suppression && own_suppression(store, key) && !objection_erasure_confirmed(line, address)) {
        std::fprintf(stderr, "prospectctl subject erase: not confirmed: nothing erased\n");
        return EX_USAGE;
    }
    std::string erased;
    const auto note = [&](bool done, const char* what) {
        std::printf("%-16s %s\n", (std::string(what) + ":").c_str(), done ? "erased" : "none held");
        if (done)
            erased += (erased.empty() ? "" : ",") + std::string(what);
    };
    note(store.remove_consent(key), "consent");
    note(store.erase_contact(key), "contacts");
    const auto kept = own_suppression(store, key);
    if (line.including_suppression) {
        // Both forms go, whichever the unsubscribe used.
        const bool whole = store.unsuppress(key);
        const bool partial = store.unsuppress(store::partial_key(key));
        note(whole || partial, "suppression");
    } else if (kept) {
        std::printf("suppression:     kept %s\n"
                    "                 An objection must stay honoured: the next prospecting mail to this address is\n"
                    "                 still refused. Only its hash is kept, never the address.\n",
                    describe(*kept).c_str());
    }
    policy::DecisionRecord record;
    record.message = "subject erasure: " + (erased.empty() ? std::string("nothing held") : erased) + " erased";
    record.priority = policy::DecisionRecord::Priority::notice;
    record.add("PROSPECT_EVENT", "subject");
    record.add("PROSPECT_ACTION", "erase");
    record.add("PROSPECT_RECIPIENT", policy::log_address(policy, address.normalised));
    record.add("PROSPECT_ERASED", erased);
    if (kept && !line.including_suppression)
        record.add("PROSPECT_KEPT", "suppression");
    audit(policy, std::move(record));
    return EX_OK;
}

}  // namespace

int subject_command(int argc, char** argv)
{
    if (argc < 2)
        return usage_error("show or erase?");
    SubjectLine line;
    line.action = argv[1];
    line.location.command = "subject " + line.action;
    line.location.policy_path = policy::default_policy_path;
    static const option long_options[] = {
        {"config", required_argument, nullptr, 'c'},  {"store", required_argument, nullptr, 's'},
        {"including-suppression", no_argument, nullptr, 'S'}, {"confirm", required_argument, nullptr, 'y'},
        {"help", no_argument, nullptr, 'h'},          {nullptr, 0, nullptr, 0}};
    int option;
    optind = 2;
    while ((option = getopt_long(argc, argv, "c:h", long_options, nullptr)) != -1) {
        switch (option) {
        case 'c': line.location.policy_path = optarg; break;
        case 's': line.location.store_override = optarg; break;
        case 'S': line.including_suppression = true; break;
        case 'y': line.confirmation = optarg; break;
        case 'h': print_usage(stdout); return EX_OK;
        default: print_usage(stderr); return EX_USAGE;
        }
    }
    if (line.action != "show" && line.action != "erase")
        return usage_error("unknown action '" + line.action + "': show or erase");
    if (optind + 1 != argc)
        return usage_error("subject " + line.action + " takes one address");
    if (line.action == "show" && (line.including_suppression || !line.confirmation.empty()))
        return usage_error("--including-suppression and --confirm go with erase");
    auto parsed = store::normalise_address(argv[optind]);
    if (const auto* invalid = std::get_if<store::Invalid>(&parsed)) {
        std::fprintf(stderr, "prospectctl subject: %s: %s\n", argv[optind], invalid->reason.c_str());
        return EX_DATAERR;
    }
    const auto address = std::get<store::Address>(parsed);
    const Access access = line.action == "show" ? Access::read_only : Access::read_write;
    return with_policy_and_store(line.location, access, [&](const policy::Policy& policy, store::Store& store) {
        return line.action == "show" ? show(policy, store, address) : erase(line, policy, store, address);
    });
}

}  // namespace ctl
