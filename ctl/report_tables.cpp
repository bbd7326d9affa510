#include "report_tables.h"

#include <algorithm>
#include <ctime>
#include <functional>

#include "policy/text.h"

namespace ctl::report {

namespace {

using Numbers = std::function<std::vector<Count>(const Tally&)>;

std::vector<std::string> as_cells(std::string label, const std::vector<Count>& numbers)
{
    std::vector<std::string> cells{std::move(label)};
    for (const Count number : numbers)
        cells.push_back(std::to_string(number));
    return cells;
}

bool any(const std::vector<Count>& numbers)
{
    return std::any_of(numbers.begin(), numbers.end(), [](Count n) { return n != 0; });
}

// One row per campaign that has something to count here, and a total row
// when there are several.
Table per_campaign(Table table, const Summary& summary, const Numbers& numbers)
{
    for (const auto& [campaign, days] : summary.campaigns)
        if (const auto values = numbers(summary.campaign_total(campaign)); any(values))
            table.rows.push_back(as_cells(policy::printable(campaign), values));
    if (table.rows.size() > 1) {
        table.rows.push_back(as_cells("total", numbers(summary.total())));
        table.total_row = true;
    }
    return table;
}

Table policy_versions(const Summary& summary)
{
    Table table{"Policy versions that decided",
                "the versions of the records read, with the time of their first and last record",
                {"version", "first record", "last record", "mode", "records"}, 4};
    // In the order they came into force, as an audit reads them.
    std::vector<const std::pair<const std::string, PolicyVersion>*> versions;
    for (const auto& entry : summary.policies)
        versions.push_back(&entry);
    std::stable_sort(versions.begin(), versions.end(),
                     [](const auto* a, const auto* b) { return a->second.first < b->second.first; });
    for (const auto* entry : versions)
        table.rows.push_back({policy::printable(entry->first), format_time(entry->second.first),
                              format_time(entry->second.last), policy_mode(entry->second),
                              std::to_string(entry->second.records)});
    return table;
}

Table policy_changes(const Summary& summary)
{
    Table table{"Policy changes", "start, reload, reload_refused (the version in force stayed), stop",
                {"time", "event", "version", "mode"}, 4};
    for (const auto& change : summary.lifecycle)
        table.rows.push_back({format_time(change.time), policy::printable(change.event),
                              policy::printable(change.policy), change.dry_run ? "dry run" : "enforcing"});
    return table;
}

Table messages(const Summary& summary)
{
    return per_campaign({"Prospecting messages judged", "what was done; dry run: judged, nothing done",
                         {"campaign", "judged", "pass", "monitor", "tag", "quarantine", "reject", "dry run"}},
                        summary, [](const Tally& t) {
                            const auto& e = t.enforced;
                            return std::vector<Count>{e.total() + t.dry_run.total(), e.pass, e.monitor, e.tag,
                                                      e.quarantine, e.reject, t.dry_run.total()};
                        });
}

Table rejects_by_rule(const Summary& summary)
{
    Table table{"Messages rejected, by rule", "a message rejected for several rules counts once for each",
                {"campaign"}};
    for (std::size_t rule = 0; rule < policy::rule_count; ++rule)
        table.headings.emplace_back(policy::to_string(static_cast<policy::Rule>(rule)));
    const bool unknown = summary.total().rejects_by_unknown_rule > 0;
    if (unknown)
        table.headings.emplace_back("other");
    return per_campaign(std::move(table), summary, [unknown](const Tally& t) {
        std::vector<Count> values(t.rejects_by_rule.begin(), t.rejects_by_rule.end());
        if (unknown)
            values.push_back(t.rejects_by_unknown_rule);
        return values;
    });
}

Table dry_run(const Summary& summary)
{
    return per_campaign({"Dry run: what would have been done", "nothing was done to these messages",
                         {"campaign", "pass", "monitor", "tag", "quarantine", "reject"}},
                        summary, [](const Tally& t) {
                            const auto& d = t.dry_run;
                            return std::vector<Count>{d.pass, d.monitor, d.tag, d.quarantine, d.reject};
                        });
}

Table not_judged(const Summary& summary)
{
    return per_campaign({"Messages the milter could not judge",
                         "the policy's failure_action applied; these records name no campaign",
                         {"campaign", "deferred (tempfail)", "accepted", "rejected"}},
                        summary, [](const Tally& t) {
                            return std::vector<Count>{t.not_judged_tempfail, t.not_judged_accepted,
                                                      t.not_judged_rejected};
                        });
}

Table recipients(const Summary& summary)
{
    return per_campaign(
        {"Recipients refused",
         "refused at RCPT: counted under the default campaign (the message's is not known yet); "
         "let through: failed suppression or consent under monitor, tag or quarantine",
         {"campaign", "refused", "objected (suppression)", "no consent", "dry run", "let through"}},
        summary, [](const Tally& t) {
            return std::vector<Count>{t.recipients_refused, t.refused_for_suppression, t.refused_for_consent,
                                      t.recipients_would_refuse, t.recipients_let_through};
        });
}

Table unsubscribes(const Summary& summary)
{
    return per_campaign(
        {"Unsubscribes taken in",
         "by the campaign of the token; mail without a valid token suppresses its sender, under (none)",
         {"campaign", "one-click", "mailto", "repeats", "invalid tokens", "nobody (mailto)"}},
        summary, [](const Tally& t) {
            return std::vector<Count>{t.one_click.taken, t.mailto.taken, t.one_click.repeats + t.mailto.repeats,
                                      t.one_click.invalid_tokens + t.mailto.invalid_tokens,
                                      t.one_click.nobody + t.mailto.nobody};
        });
}

std::vector<std::string> delay_row(std::string label, const ObjectionDelays& d)
{
    const auto median = d.median(), longest = d.longest();
    return {std::move(label), std::to_string(d.delays.size() + d.not_attempted), std::to_string(d.delays.size()),
            median ? format_duration(*median) : "-", longest ? format_duration(*longest) : "-",
            std::to_string(d.not_attempted)};
}

Table objection_delays(const Summary& summary)
{
    Table table{"From unsubscribe to the first refused message",
                "new suppressions, and the first message to that person refused for it within the period",
                {"campaign", "unsubscribed", "refused since", "median", "longest", "not attempted since"}};
    for (const auto& [campaign, days] : summary.campaigns)
        if (const auto d = summary.campaign_total(campaign).objections; !d.delays.empty() || d.not_attempted > 0)
            table.rows.push_back(delay_row(policy::printable(campaign), d));
    if (table.rows.size() > 1) {
        table.rows.push_back(delay_row("total", summary.total().objections));
        table.total_row = true;
    }
    return table;
}

Table per_day(const Summary& summary)
{
    Table table{"Per day", "UTC days",
                {"campaign", "day", "judged", "pass", "monitor", "tag", "quarantine", "reject", "dry run",
                 "refused rcpt", "unsubscribed"}, 2};
    for (const auto& [campaign, days] : summary.campaigns)
        for (const auto& [day, t] : days) {
            const auto& e = t.enforced;
            const std::vector<Count> values{e.total() + t.dry_run.total(), e.pass, e.monitor, e.tag, e.quarantine,
                                            e.reject, t.dry_run.total(), t.recipients_refused,
                                            t.one_click.taken + t.mailto.taken};
            if (!any(values))
                continue;
            auto row = as_cells(policy::printable(campaign), values);
            row.insert(row.begin() + 1, policy::format_day(day));
            table.rows.push_back(std::move(row));
        }
    return table;
}

}  // namespace

std::vector<Table> report_tables(const Summary& summary)
{
    std::vector<Table> tables{policy_versions(summary), policy_changes(summary), messages(summary),
                              rejects_by_rule(summary), dry_run(summary),        not_judged(summary),
                              recipients(summary),      unsubscribes(summary),   objection_delays(summary),
                              per_day(summary)};
    std::erase_if(tables, [](const Table& table) { return table.rows.empty(); });
    return tables;
}

std::vector<std::string> closing_notes(const Summary& summary, std::size_t skipped_lines)
{
    std::vector<std::string> notes{"ordinary mail accepted (not prospecting): " +
                                   std::to_string(summary.ordinary_mail)};
    if (skipped_lines > 0)
        notes.push_back("input lines skipped, not readable as records: " + std::to_string(skipped_lines));
    if (summary.unrecognised > 0)
        notes.push_back("records of a kind this report does not know (not counted): " +
                        std::to_string(summary.unrecognised));
    return notes;
}

std::string format_time(Microseconds time)
{
    const auto seconds = static_cast<std::time_t>(time / 1'000'000 - (time % 1'000'000 < 0 ? 1 : 0));
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

std::string format_duration(Microseconds duration)
{
    const auto seconds = duration / 1'000'000;
    char text[48];
    if (seconds < 60)
        std::snprintf(text, sizeof text, "%lld s", static_cast<long long>(seconds));
    else if (seconds < 3600)
        std::snprintf(text, sizeof text, "%lld min %02lld s", static_cast<long long>(seconds / 60),
                      static_cast<long long>(seconds % 60));
    else if (seconds < 86400)
        std::snprintf(text, sizeof text, "%lld h %02lld min", static_cast<long long>(seconds / 3600),
                      static_cast<long long>(seconds % 3600 / 60));
    else
        std::snprintf(text, sizeof text, "%lld d %02lld h", static_cast<long long>(seconds / 86400),
                      static_cast<long long>(seconds % 86400 / 3600));
    return text;
}

std::string policy_mode(const PolicyVersion& version)
{
    if (version.dry_run && version.enforcing)
        return "both";
    return version.dry_run ? "dry run" : version.enforcing ? "enforcing" : "-";
}

}  // namespace ctl::report
