#include "register_document.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string_view>

#include "policy/consent.h"
#include "policy/text.h"

namespace ctl {

namespace {

// Policy strings may hold line breaks or control characters (libconfig
// accepts escapes); either would break a list item or a heading.
std::string one_line(std::string_view text)
{
    std::string line(text);
    std::replace_if(
        line.begin(), line.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }, ' ');
    return line;
}

Span span(std::string_view text, Style style = Style::plain) { return Span{one_line(text), style}; }
Text said(std::string_view text) { return {span(text)}; }
Text warning(std::string_view text) { return {span(text, Style::warning)}; }
Text not_declared(std::string_view key)
{
    return {span("not declared in the policy (" + std::string(key) + ")", Style::missing)};
}
Text declared_or_missing(const std::string& value, std::string_view key)
{
    return policy::trim(value).empty() ? not_declared(key) : said(value);
}

// Only a web address becomes a link: a "javascript:" or "data:" URL in the
// policy must not turn into something a click runs.
Text web_address_or_missing(const std::string& value, std::string_view key)
{
    Text text = declared_or_missing(value, key);
    if (policy::istarts_with_ascii(value, "https://") || policy::istarts_with_ascii(value, "http://"))
        text.front().style = Style::link;
    return text;
}

Item item(std::string label, std::vector<Text> values, Text note = {})
{
    return Item{std::move(label), std::move(values), std::move(note)};
}

std::vector<Text> each_said(const std::vector<std::string>& values)
{
    std::vector<Text> texts;
    for (const auto& value : values)
        texts.push_back(said(value));
    return texts;
}

std::vector<Text> each_said_or(const std::vector<std::string>& values, Text otherwise)
{
    return values.empty() ? std::vector<Text>{std::move(otherwise)} : each_said(values);
}

std::string joined(const std::vector<std::string>& values)
{
    std::string text;
    for (const auto& value : values)
        text += (text.empty() ? "" : ", ") + value;
    return text;
}

std::string plural(long count, std::string_view unit)
{
    return std::to_string(count) + " " + std::string(unit) + (count == 1 ? "" : "s");
}

// Retention periods are declared in days; a DPO reads them in years.
std::string in_years_and_days(int days)
{
    const long years = days / 365, rest = days % 365;
    if (years == 0)
        return plural(days, "day");
    std::string words = plural(years, "year");
    if (rest != 0)
        words += " and " + plural(rest, "day");
    return words + " (" + plural(days, "day") + ")";
}

std::string utc_timestamp(std::int64_t seconds)
{
    const std::int64_t day = policy::day_of(seconds);
    const std::int64_t in_day = seconds - day * 86400;
    char clock[16];
    std::snprintf(clock, sizeof clock, "%02d:%02d", static_cast<int>(in_day / 3600),
                  static_cast<int>(in_day % 3600 / 60));
    return policy::format_day(day) + " " + clock + " UTC";
}

// --- the controller -------------------------------------------------------

Section controller(const policy::Organisation& organisation)
{
    Section section{"Controller", 1, {}, {}};
    section.items = {
        item("Name", {declared_or_missing(organisation.name, "organisation.name")}),
        item("Postal address", {declared_or_missing(organisation.postal_address, "organisation.postal_address")}),
        item("Data protection officer", {declared_or_missing(organisation.dpo, "organisation.dpo")}),
        item("Privacy notice", {web_address_or_missing(organisation.privacy_url, "organisation.privacy_url")}),
        item("Sending domains", {organisation.domains.empty() ? not_declared("organisation.domains")
                                                               : said(joined(organisation.domains))}),
    };
    if (!organisation.aliases.empty())
        section.items.push_back(item("Also known as", {said(joined(organisation.aliases))}));
    return section;
}

// --- one processing activity per campaign ---------------------------------

bool needs_consent(const policy::Campaign& campaign)
{
    return campaign.legal_basis == policy::LegalBasis::consent || campaign.audience == policy::Audience::b2c;
}

// A b2b campaign under a law that asks consent of businesses too.
std::optional<Text> national_consent_warning(const policy::Campaign& campaign, const policy::Policy& policy)
{
    if (needs_consent(campaign) || campaign.country.empty() || !policy.consent_rules)
        return std::nullopt;
    const auto* profile = policy.consent_rules->profile(campaign.country);
    if (!profile || !profile->b2b_consent)
        return std::nullopt;
    return warning("The law of " + campaign.country + " requires prior consent even for business addresses" +
                   (profile->role_exempt ? " (role addresses such as info@ excepted)" : "") +
                   ": the consent rule refuses recipients without a recorded consent.");
}

std::vector<Text> legal_basis(const policy::Campaign& campaign, const policy::Policy& policy)
{
    const bool legitimate_interest = campaign.legal_basis == policy::LegalBasis::legitimate_interest;
    std::vector<Text> values{said(legitimate_interest ? "legitimate interest of the controller (GDPR art. 6(1)(f))"
                                                      : "consent of the person (GDPR art. 6(1)(a))")};
    if (legitimate_interest && campaign.audience == policy::Audience::b2c)
        values.push_back(warning("The CNIL requires the prior consent of private persons for prospecting by "
                                 "e-mail (CPCE art. L34-5): legitimate interest covers B2C mail only to existing "
                                 "customers about similar products. Declare legal_basis = \"consent\" and record "
                                 "the consents."));
    if (auto national = national_consent_warning(campaign, policy))
        values.push_back(std::move(*national));
    const auto consent_rule = policy.action_for(policy::Rule::consent);
    if (needs_consent(campaign) && consent_rule != policy::Action::reject && consent_rule != policy::Action::quarantine)
        values.push_back(warning("The consent rule is \"" + std::string(to_string(consent_rule)) +
                                 "\": mail to persons without a recorded consent still leaves."));
    return values;
}

Text audience(policy::Audience audience)
{
    return said(audience == policy::Audience::b2b ? "B2B: business contacts, about their profession"
                                                   : "B2C: private persons");
}

Item people(const policy::Campaign& campaign)
{
    if (!policy::trim(campaign.people).empty())
        return item("Categories of persons", {said(campaign.people)});
    return item("Categories of persons",
                {said(campaign.audience == policy::Audience::b2b ? "professional contacts" : "private persons")},
                {span("from the audience: the campaign declares no people", Style::missing)});
}

// Without a declaration, the record lists what prospect-milter itself
// keeps about every recipient: that much is processed in any case.
Item data_categories(const policy::Campaign& campaign, const policy::Policy& policy)
{
    if (!campaign.data_categories.empty())
        return item("Categories of data", each_said(campaign.data_categories));
    const std::string recipient = policy.logging.recipients_in_clear ? "in clear" : "pseudonymised";
    return item("Categories of data",
                {said("e-mail address, kept in the store only as a SHA-256 hash"),
                 said("dates of first and last contact, number of contacts, campaign of the last contact"),
                 said("objections (unsubscribes): date, channel, campaign"),
                 said("consents: date, source, proof"),
                 said("decision records in the journal: date, campaign, rules failed, action taken, recipient " +
                      recipient)},
                {span("what prospect-milter itself processes: the campaign declares no data_categories",
                      Style::missing)});
}

std::vector<Text> retention(const policy::Campaign& campaign, const policy::ConsentSettings& consent)
{
    const std::string purged = ", then deleted by the daily purge (prospectctl purge)";
    return {
        said("contact history: " + in_years_and_days(campaign.retention_days) + " after the last contact" + purged),
        said(consent.validity_days > 0
                 ? "consents: " + in_years_and_days(consent.validity_days) + " after they were given" + purged
                 : "consents: until withdrawn (consent.validity_days is 0)"),
        said("objections (suppression list): kept as long as the objection must be honoured, as hashes used "
             "for nothing else"),
        said("decision records: as long as the journal keeps them (the journal's settings, not the policy)"),
    };
}

Text period(const policy::Campaign& campaign)
{
    return said("from " + policy::format_day(campaign.start) +
                (campaign.end ? " to " + policy::format_day(*campaign.end) : ", no end date"));
}

Text applicable_law(const policy::Campaign& campaign, const policy::Organisation& organisation)
{
    if (!campaign.country.empty())
        return said(campaign.country + ", for every recipient");
    return said("per recipient: the country of the recipient's domain, else " + organisation.default_country +
                " (organisation.default_country)");
}

// The identifier is what the sending tool writes in the campaign header:
// name the header, so the DPO can find a campaign's mail.
std::string identifier_label(const policy::ScopeSettings& scope)
{
    return scope.campaign_header.empty() ? "Identifier" : "Identifier (" + one_line(scope.campaign_header) + " header)";
}

Section activity(const policy::Campaign& campaign, const policy::Policy& policy)
{
    Section section{"Campaign " + one_line(campaign.id), 2, {}, {}};
    section.items = {
        item(identifier_label(policy.scope), {said(campaign.id)}),
        item("Purpose", {declared_or_missing(campaign.purpose, "campaign purpose")}),
        item("Legal basis", legal_basis(campaign, policy)),
        item("Audience", {audience(campaign.audience)}),
        people(campaign),
        data_categories(campaign, policy),
        item("Data source", {declared_or_missing(campaign.data_source, "campaign data_source")}),
        item("Recipients of the data", each_said_or(campaign.recipients, not_declared("campaign recipients"))),
        item("Transfers outside the EU/EEA", each_said_or(campaign.transfers, said("none declared"))),
        item("Retention", retention(campaign, policy.consent)),
        item("Period of the campaign", {period(campaign)}),
        item("Applicable law", {applicable_law(campaign, policy.organisation)}),
    };
    return section;
}

Section activities_part(const policy::Policy& policy)
{
    Section section{"Processing activities", 1, {}, {}};
    section.paragraphs.push_back(said(
        "One processing activity per campaign declared in the policy: prospecting by e-mail, as prospect-milter "
        "enforces it for all outgoing mail. Processing elsewhere (the CRM, the sending tools) belongs in the "
        "controller's other records."));
    if (policy.campaigns.empty())
        section.paragraphs.push_back({span("No campaign is declared in the policy (campaigns): every prospecting "
                                           "message is refused.",
                                           Style::missing)});
    return section;
}

// --- security measures ----------------------------------------------------

std::string journal_target(policy::LogTarget target)
{
    switch (target) {
    case policy::LogTarget::journald: return "in the systemd journal";
    case policy::LogTarget::stderr_json: return "on standard error as JSON lines (logging.target = \"stderr\")";
    case policy::LogTarget::automatic: break;
    }
    return "in the systemd journal (on standard error where no journal runs)";
}

Text decision_log(const policy::LoggingSettings& logging)
{
    if (logging.recipients_in_clear)
        return warning("Every decision is recorded " + journal_target(logging.target) +
                       " with the recipient's address in clear (logging.recipients = \"clear\"): whoever reads "
                       "the logs reads the addresses. \"pseudonymised\" records a SHA-256 hash instead.");
    return said("Every decision is recorded " + journal_target(logging.target) +
                " with the recipient pseudonymised (SHA-256 of the address).");
}

std::vector<Text> unsubscribe_measures(const policy::UnsubscribeSettings& unsubscribe)
{
    if (!unsubscribe.injects())
        return {warning("No unsubscribe group in the policy: prospect-milter adds no List-Unsubscribe header and "
                        "takes no unsubscribe in; objections made through the messages' own links must be "
                        "imported into the store.")};
    const auto keys = static_cast<long>(unsubscribe.keys.size());
    std::vector<Text> measures{said("Unsubscribe links carry a token signed with HMAC-SHA256 (key " +
                                    std::to_string(unsubscribe.signing_key()->id) + " signs, " +
                                    plural(keys, "key") + (keys == 1 ? " verifies" : " verify") +
                                    ") that names the recipient by a truncated hash, never the address in clear; "
                                    "a forged or altered token unsubscribes nobody.")};
    if (!unsubscribe.listen.empty())
        measures.push_back(said("The one-click unsubscribe listener listens on loopback only (" +
                                unsubscribe.listen + "), behind the site's TLS reverse proxy; a GET never "
                                "unsubscribes."));
    return measures;
}

Text milter_socket(const policy::MilterSettings& milter)
{
    if (milter.socket.starts_with("unix:") || milter.socket.starts_with("local:")) {
        char mode[16];
        std::snprintf(mode, sizeof mode, "%04o", milter.socket_mode);
        return said("Postfix talks to prospect-milter over a unix socket (" + milter.socket + ", mode " + mode +
                    (milter.socket_group.empty() ? "" : ", group " + milter.socket_group) +
                    "), never over the network.");
    }
    return said("Postfix talks to prospect-milter over TCP on loopback only (" + milter.socket +
                "): the unencrypted milter protocol never leaves the machine.");
}

Text failure_handling(policy::FailureAction action)
{
    const std::string cannot_judge = "A message prospect-milter cannot judge (store unavailable, internal error) ";
    switch (action) {
    case policy::FailureAction::tempfail: return said(cannot_judge + "is deferred, never sent unchecked.");
    case policy::FailureAction::reject: return said(cannot_judge + "is refused, never sent unchecked.");
    case policy::FailureAction::accept: break;
    }
    return warning(cannot_judge + "is sent unchecked (failure_action = \"accept\").");
}

std::vector<Text> product_measures(const policy::Policy& policy)
{
    std::vector<Text> measures;
    if (policy.dry_run)
        measures.push_back(warning("Dry run (dry_run = true): decisions are only logged; nothing is enforced, no "
                                   "message is refused, held or modified."));
    measures.push_back(said("E-mail addresses are stored only as SHA-256 hashes of the normalised address: the "
                            "store answers whether a given address objected or consented, and nobody can list "
                            "the addresses in it."));
    measures.push_back(said("The store (" + policy.store.path +
                            ") is readable by the service user only (directory 0700 under systemd, files 0600); "
                            "its backups are to be kept as protected, and no longer."));
    measures.push_back(decision_log(policy.logging));
    for (auto& measure : unsubscribe_measures(policy.unsubscribe))
        measures.push_back(std::move(measure));
    measures.push_back(milter_socket(policy.milter));
    measures.push_back(failure_handling(policy.failure_action));
    return measures;
}

Section security(const policy::Policy& policy)
{
    Section section{"Security measures", 1, {}, {}};
    section.items = {
        item("Taken by prospect-milter", product_measures(policy)),
        item("Taken by the site", each_said_or(policy.organisation.security_measures,
                                               not_declared("organisation.security_measures"))),
    };
    return section;
}

// --- what every message is checked for ------------------------------------

std::string_view check_of(policy::Rule rule)
{
    using policy::Rule;
    switch (rule) {
    case Rule::campaign: return "Declared campaign, within its period";
    case Rule::suppression: return "No recipient who objected";
    case Rule::consent: return "No recipient lacking a required consent";
    case Rule::size: return "Small enough to be read";
    case Rule::unsubscribe: return "Visible unsubscribe link";
    case Rule::identity: return "Sender's identity (the controller)";
    case Rule::reason: return "Reason for the contact";
    case Rule::first_contact: return "On first contact: data source and right to object";
    }
    return "";
}

Text enforcement(policy::Action action)
{
    using policy::Action;
    switch (action) {
    case Action::reject: return said("refused (reject)");
    case Action::quarantine: return said("held for review in the mail queue (quarantine)");
    case Action::tag: return said("sent with a header naming what failed (tag)");
    case Action::monitor: return warning("only logged (monitor)");
    case Action::off: break;
    }
    return warning("not checked (off)");
}

Section checks(const policy::Policy& policy)
{
    Section section{"Checks on every prospecting message", 1, {}, {}};
    section.paragraphs.push_back(said("What prospect-milter does to a prospecting message that fails each check. A "
                                      "recipient who objected or lacks a required consent is refused alone; the "
                                      "others still get the message."));
    if (policy.dry_run)
        section.paragraphs.push_back(warning("Dry run: none of these actions is taken, every decision is only "
                                             "logged."));
    for (std::size_t index = 0; index < policy::rule_count; ++index) {
        const auto rule = static_cast<policy::Rule>(index);
        section.items.push_back(item(std::string(check_of(rule)), {enforcement(policy.action_for(rule))}));
    }
    return section;
}

// --- rights ---------------------------------------------------------------

Section rights(const policy::Policy& policy)
{
    Section section{"Rights of the persons", 1, {}, {}};
    section.paragraphs = {
        said("Objection: an objection made by any channel (the unsubscribe link, mail to the unsubscribe address, "
             "prospectctl suppress, an import from the CRM) goes into the suppression list, which prospect-milter "
             "reads for every recipient of every message: the very next message to that person is refused."),
        {span("Access and erasure: the store holds hashes, so a request is answered from the address the person "
              "gives: "),
         span("prospectctl subject show ADDRESS", Style::command), span(" shows what is kept about it, and "),
         span("prospectctl subject erase ADDRESS", Style::command),
         span(" erases its consent and contact history; an objection is kept, so that it stays honoured.")},
        {span("Withdrawal of consent: "), span("prospectctl consent remove ADDRESS", Style::command), span(".")},
    };
    const auto suppression = policy.action_for(policy::Rule::suppression);
    if (suppression != policy::Action::reject)
        section.paragraphs.push_back(warning("The suppression rule is \"" + std::string(to_string(suppression)) +
                                             "\": objections are recorded but mail to those persons still "
                                             "leaves."));
    return section;
}

}  // namespace

RecordOfProcessing build_record(const policy::Policy& policy, const RecordSource& source)
{
    RecordOfProcessing record;
    record.title = "Record of processing activities (GDPR art. 30): prospecting by e-mail";
    record.identification = {
        item("Controller", {declared_or_missing(policy.organisation.name, "organisation.name")}),
        item("Generated", {said(utc_timestamp(source.generated_at))}),
        item("Policy file", {said(source.policy_file)}),
        item("Policy version", {said(policy.version)}),
    };
    record.sections.push_back(controller(policy.organisation));
    record.sections.push_back(activities_part(policy));
    for (const auto& campaign : policy.campaigns)
        record.sections.push_back(activity(campaign, policy));
    record.sections.push_back(security(policy));
    record.sections.push_back(checks(policy));
    record.sections.push_back(rights(policy));
    return record;
}

}  // namespace ctl
