// policy.h — the policy in force: what the postmaster wrote in the policy
// file, validated and frozen.
//
// A Policy is built once by load_policy() (config.h) and never changed
// afterwards; the daemon swaps whole Policy objects on reload and every
// message keeps the one it started with.
#pragma once

#include <array>
#include <memory>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace policy {

struct Keywords;
class ConsentRules;

// What a failed rule does to the message, in increasing severity: when
// several rules fail, the most severe action is taken.
enum class Action { off, monitor, tag, quarantine, reject };

// The rules a prospecting message is judged by. The order is the order in
// which results are reported.
// `size` fails when a message is too large to inspect (content.max_message_size).
enum class Rule { campaign, suppression, consent, size, unsubscribe, identity, reason, first_contact };
inline constexpr std::size_t rule_count = 8;

// What a message the milter cannot judge gets.
enum class FailureAction { tempfail, accept, reject };

enum class Audience { b2b, b2c };
enum class LegalBasis { legitimate_interest, consent };

std::string_view to_string(Action action);
std::string_view to_string(Rule rule);
std::string_view to_string(FailureAction action);
std::string_view to_string(Audience audience);
std::string_view to_string(LegalBasis basis);
std::optional<Action> parse_action(std::string_view text);
std::optional<Rule> parse_rule(std::string_view text);

// Days since 1970-01-01 (UTC); campaign windows are whole days.
using Day = std::int64_t;

// A declared processing activity (GDPR art. 30).
struct Campaign {
    std::string id;                 // what the campaign header carries
    std::string purpose;            // why the people are contacted
    Audience audience = Audience::b2b;
    LegalBasis legal_basis = LegalBasis::legitimate_interest;
    std::string data_source;        // where the addresses came from
    Day start = 0;                  // first valid day
    std::optional<Day> end;         // last valid day, none = open-ended
    int retention_days = 1095;      // contact history kept this long after the last contact (CNIL: 3 years)
    std::string country;            // ISO code whose law applies, empty = per recipient
    // For the record of processing (art. 30, prospectctl register); empty =
    // what the product itself knows (see ctl/register.cpp).
    std::vector<std::string> data_categories;  // "name", "professional e-mail address", "job title"
    std::string people;                        // categories of people, e.g. "HR managers of companies"
    std::vector<std::string> recipients;       // who receives the data, e.g. "sales team", "CRM provider"
    std::vector<std::string> transfers;        // transfers outside the EU/EEA, with their safeguards; empty = none
};

// The controller, as recipients must see it.
struct Organisation {
    std::string name;                  // legal name
    std::vector<std::string> aliases;  // other names the text may use
    std::vector<std::string> domains;  // domains prospecting From addresses belong to
    std::string postal_address;
    std::string privacy_url;
    std::string dpo;
    std::string default_country = "FR";
    bool require_postal_address = false;  // identity also needs postal_address in the text
    // Measures of the site's own, listed in the record of processing after
    // those the product takes itself (prospectctl register).
    std::vector<std::string> security_measures;
};

// How message content is read (see mime.h).
struct ContentSettings {
    std::string keywords_file;                       // the shipped phrase lists (keywords.conf)
    std::size_t max_message_size = 10 * 1024 * 1024; // larger messages fail the `size` rule
};

// What makes a message prospecting (see scope.h for how it is decided).
struct ScopeSettings {
    std::string campaign_header = "X-Campaign-ID";  // empty = not used
    std::vector<std::string> sender_addresses;      // lower-case full addresses
    std::vector<std::string> sender_domains;        // lower-case, from "@domain"
    std::vector<std::string> sasl_logins;
    std::vector<std::string> services;              // Postfix {daemon_name} values
    bool external_recipients = false;
    std::vector<std::string> internal_domains;      // lower-case; includes organisation.domains
    std::string default_campaign;                   // empty = none
};

// Settings of the libmilter listener; only read at start.
struct MilterSettings {
    std::string socket = "unix:/run/prospect-milter/prospect-milter.sock";
    std::string socket_group;        // empty = keep the process's group
    unsigned socket_mode = 0660;
    int timeout = 30;                // seconds libmilter waits for the MTA
    int shutdown_grace = 30;         // seconds SIGTERM waits for messages in flight
    // Applies on reload, unlike the keys above: accept the first recipient of
    // a transaction and answer 452 4.5.3 to the others, so that each message
    // carries one recipient and can carry that recipient's own unsubscribe
    // token (the client retries the others in new transactions).
    bool one_recipient_per_transaction = false;
};

// Where the suppression, consent and contact records live (one LMDB
// environment); only read at start.
struct StoreSettings {
    std::string path = "/var/lib/prospect-milter";  // directory of the environment
    std::size_t map_size = std::size_t{4} << 30;    // the most the store may grow to, bytes
};

// The data the consent rule decides from (consent.h); read with the policy.
struct ConsentSettings {
    std::string consumer_domains_file;  // mailbox providers serving private persons
    std::string countries_file;         // per-country profiles and role local parts
    int validity_days = 0;              // a consent older than this is purged; 0 = kept until withdrawn
};

class HmacSha256;  // digest.h

// A key that signs and verifies unsubscribe tokens (unsubscribe/token.h).
struct SigningKey {
    int id = 0;          // 1..255, carried in every token it signs
    std::string file;    // where it was read from
    std::string secret;  // the file's contents, at least 32 bytes
    // `secret` made ready to sign with, once, when the policy is read, so
    // that no token pays for it; shared read-only by every thread and copy.
    // A key built otherwise (tests, tools) may leave it empty: tokens are
    // then signed with `secret` prepared on the spot, to the same result.
    std::shared_ptr<const HmacSha256> hmac;
};

// What happens to a List-Unsubscribe header the message already has.
enum class ExistingUnsubscribeHeader { replace, keep };
// What happens to a prospecting message still addressed to several external
// recipients at the end of the message: one header cannot carry a token per
// recipient.
enum class SharedMessage { generic, refuse };

// The unsubscribe loop: tokens, the injected headers, the mailto intake and
// the one-click listener (docs/unsubscribe.md).
struct UnsubscribeSettings {
    std::vector<SigningKey> keys;  // all verify; the last one signs
    std::string url;               // "https://www.example.com/u/": the token is appended; empty = no link
    std::string address;           // "unsubscribe@example.com": tokens go in "unsubscribe+TOKEN@"; empty = none
    ExistingUnsubscribeHeader existing_header = ExistingUnsubscribeHeader::replace;
    SharedMessage several_recipients = SharedMessage::generic;
    std::string listen;            // one-click listener, "127.0.0.1:8026"; empty = none; read at start only

    // Whether accepted prospecting mail gets List-Unsubscribe headers.
    bool injects() const { return !keys.empty() && (!url.empty() || !address.empty()); }
    const SigningKey* signing_key() const { return keys.empty() ? nullptr : &keys.back(); }
    // The local part and domain of `address`, split at the last '@'.
    std::string_view address_local_part() const;
    std::string_view address_domain() const;
};

enum class LogTarget { automatic, journald, stderr_json };
enum class LogLevel { debug, info, warning, error };

struct LoggingSettings {
    LogTarget target = LogTarget::automatic;
    LogLevel level = LogLevel::info;
    bool recipients_in_clear = false;  // default: pseudonymised (SHA-256)
    bool out_of_scope = true;          // log a record for non-prospecting mail too
};

struct Policy {
    std::string path;      // file it was read from
    std::string version;   // short hash of the file's bytes, names the policy in logs
    bool dry_run = false;
    FailureAction failure_action = FailureAction::tempfail;
    MilterSettings milter;
    Organisation organisation;
    ScopeSettings scope;
    std::vector<Campaign> campaigns;
    std::array<Action, rule_count> rule_actions{
        Action::reject, Action::reject, Action::reject, Action::reject, Action::reject,
        Action::tag, Action::monitor, Action::monitor};
    ContentSettings content;
    std::shared_ptr<const Keywords> keywords;  // never null in a loaded policy
    StoreSettings store;
    ConsentSettings consent;
    std::shared_ptr<const ConsentRules> consent_rules;  // never null in a loaded policy
    LoggingSettings logging;
    UnsubscribeSettings unsubscribe;

    Action action_for(Rule rule) const { return rule_actions[static_cast<std::size_t>(rule)]; }
    const Campaign* find_campaign(std::string_view id) const;
};

}  // namespace policy
