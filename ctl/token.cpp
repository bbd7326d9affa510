#include "token.h"

#include <getopt.h>
#include <sysexits.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <variant>

#include "load_policy.h"
#include "store_keys.h"
#include "usage.h"
#include "policy/config.h"
#include "policy/text.h"
#include "policy/verdict.h"
#include "store/address.h"
#include "unsubscribe/links.h"
#include "unsubscribe/token.h"

namespace ctl {

namespace {

struct TokenLine {
    std::string action;
    std::string policy_path = policy::default_policy_path;
    std::string recipient;
    std::string campaign;
    std::string date;
    int key_id = 0;  // 0: the signing key
    std::string token;
};

int usage_error(const std::string& message)
{
    std::fprintf(stderr, "prospectctl token: %s\n", message.c_str());
    print_usage(stderr);
    return EX_USAGE;
}


int make(const TokenLine& line)
{
    auto normalised = store::normalise_address(line.recipient);
    if (const auto* invalid = std::get_if<store::Invalid>(&normalised)) {
        std::fprintf(stderr, "prospectctl token make: %s: %s\n", line.recipient.c_str(), invalid->reason.c_str());
        return EX_DATAERR;
    }
    policy::Day day = policy::today_utc();
    if (!line.date.empty()) {
        const auto given = policy::parse_day(line.date);
        if (!given)
            return usage_error("--date " + line.date + ": not a date written YYYY-MM-DD");
        day = *given;
    }
    const auto policy = load_policy_or_report(line.policy_path);
    if (!policy)
        return EX_CONFIG;
    const auto& keys = policy->unsubscribe.keys;
    const policy::SigningKey* key = policy->unsubscribe.signing_key();
    if (line.key_id != 0) {
        key = nullptr;
        for (const auto& candidate : keys)
            if (candidate.id == line.key_id)
                key = &candidate;
    }
    if (!key) {
        std::fprintf(stderr, "prospectctl token make: %s has no unsubscribe key%s\n", line.policy_path.c_str(),
                     line.key_id ? (" with id " + std::to_string(line.key_id)).c_str() : "");
        return EX_CONFIG;
    }
    if (!policy->find_campaign(line.campaign))
        std::fprintf(stderr, "prospectctl token make: note: campaign \"%s\" is not declared in %s\n",
                     line.campaign.c_str(), line.policy_path.c_str());
    const auto token = unsubscribe::make_token(*key, store::address_key(std::get<store::Address>(normalised)),
                                               line.campaign, day);
    std::printf("%s\n", token.c_str());
    if (policy->unsubscribe.injects())
        std::printf("List-Unsubscribe: %s\n",
                    unsubscribe::personal_headers(policy->unsubscribe, token).list_unsubscribe.c_str());
    return EX_OK;
}

// Exit 0 valid (and naming --rcpt when given), 1 not.
int verify(const TokenLine& line)
{
    const auto policy = load_policy_or_report(line.policy_path);
    if (!policy)
        return EX_CONFIG;
    const auto checked = unsubscribe::verify_token(line.token, policy->unsubscribe.keys);
    if (const auto* problem = std::get_if<unsubscribe::TokenProblem>(&checked)) {
        std::printf("not valid: %s\n", std::string(unsubscribe::to_string(*problem)).c_str());
        return 1;
    }
    const auto& token = std::get<unsubscribe::Token>(checked);
    store::Hash prefix{};
    std::copy(token.recipient.begin(), token.recipient.end(), prefix.begin());
    std::printf("valid: key %d, issued %s, campaign %s, recipient %s...\n", token.key_id,
                policy::format_day(token.issued).c_str(), unsubscribe::campaign_of(token, *policy).c_str(),
                store::to_hex(prefix).substr(0, 2 * store::partial_key_length).c_str());
    if (line.recipient.empty())
        return EX_OK;
    auto normalised = store::normalise_address(line.recipient);
    const auto* address = std::get_if<store::Address>(&normalised);
    const bool names = address && unsubscribe::prefix_matches(token, store::address_key(*address));
    std::printf("%s %s\n", names ? "names" : "does not name", line.recipient.c_str());
    return names ? EX_OK : 1;
}

}  // namespace

int token_command(int argc, char** argv)
{
    if (argc < 2)
        return usage_error("make or verify?");
    TokenLine line;
    line.action = argv[1];
    static const option long_options[] = {
        {"config", required_argument, nullptr, 'c'}, {"rcpt", required_argument, nullptr, 'r'},
        {"campaign", required_argument, nullptr, 'C'}, {"date", required_argument, nullptr, 'd'},
        {"key", required_argument, nullptr, 'k'},    {"help", no_argument, nullptr, 'h'},
        {nullptr, 0, nullptr, 0}};
    int option;
    optind = 2;
    while ((option = getopt_long(argc, argv, "c:h", long_options, nullptr)) != -1) {
        switch (option) {
        case 'c': line.policy_path = optarg; break;
        case 'r': line.recipient = optarg; break;
        case 'C': line.campaign = optarg; break;
        case 'd': line.date = optarg; break;
        case 'k':
            line.key_id = std::atoi(optarg);
            if (line.key_id < 1 || line.key_id > 255)
                return usage_error(std::string("--key ") + optarg + ": a key id is 1..255");
            break;
        case 'h': print_usage(stdout); return EX_OK;
        default: print_usage(stderr); return EX_USAGE;
        }
    }
    if (line.action == "make") {
        if (optind != argc || line.recipient.empty() || line.campaign.empty())
            return usage_error("token make needs --rcpt ADDR and --campaign ID, and nothing else");
        return make(line);
    }
    if (line.action == "verify") {
        if (optind + 1 != argc || !line.campaign.empty() || !line.date.empty() || line.key_id)
            return usage_error("token verify takes one TOKEN (and --rcpt ADDR to check whom it names)");
        line.token = argv[optind];
        return verify(line);
    }
    return usage_error("unknown action '" + line.action + "': make or verify");
}

}  // namespace ctl
