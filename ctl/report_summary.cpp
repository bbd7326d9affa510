#include "report_summary.h"

#include <algorithm>

#include "policy/text.h"

namespace ctl::report {

namespace {

constexpr Microseconds microseconds_per_day = 86'400'000'000;

policy::Day day_of(Microseconds time)
{
    // Floor, not truncation: a record before 1970 is not on day 0.
    const Microseconds day = time / microseconds_per_day;
    return time % microseconds_per_day < 0 ? day - 1 : day;
}

// The rules of a comma-separated PROSPECT_RULES_FAILED, each once.
std::set<std::string_view> rules_of(std::string_view list)
{
    std::set<std::string_view> rules;
    while (!list.empty()) {
        const auto comma = list.find(',');
        const auto rule = policy::trim(list.substr(0, comma));
        if (!rule.empty())
            rules.insert(rule);
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    }
    return rules;
}

bool is_message_action(std::string_view action)
{
    return action == "pass" || action == "monitor" || action == "tag" || action == "quarantine" || action == "reject";
}

bool is_dry_run(const journal::Record& record)
{
    return record.get("PROSPECT_DRY_RUN") == "1";
}

}  // namespace

Count* ActionCounts::counter(std::string_view action)
{
    if (action == "pass")
        return &pass;
    if (action == "monitor")
        return &monitor;
    if (action == "tag")
        return &tag;
    if (action == "quarantine")
        return &quarantine;
    if (action == "reject")
        return &reject;
    return nullptr;
}

void ActionCounts::add(const ActionCounts& other)
{
    pass += other.pass;
    monitor += other.monitor;
    tag += other.tag;
    quarantine += other.quarantine;
    reject += other.reject;
}

void UnsubscribeCounts::add(const UnsubscribeCounts& other)
{
    taken += other.taken;
    repeats += other.repeats;
    invalid_tokens += other.invalid_tokens;
    nobody += other.nobody;
}

void Tally::add(const Tally& other)
{
    enforced.add(other.enforced);
    dry_run.add(other.dry_run);
    for (std::size_t rule = 0; rule < rejects_by_rule.size(); ++rule)
        rejects_by_rule[rule] += other.rejects_by_rule[rule];
    rejects_by_unknown_rule += other.rejects_by_unknown_rule;
    not_judged_tempfail += other.not_judged_tempfail;
    not_judged_accepted += other.not_judged_accepted;
    not_judged_rejected += other.not_judged_rejected;
    recipients_refused += other.recipients_refused;
    refused_for_suppression += other.refused_for_suppression;
    refused_for_consent += other.refused_for_consent;
    recipients_would_refuse += other.recipients_would_refuse;
    recipients_let_through += other.recipients_let_through;
    one_click.add(other.one_click);
    mailto.add(other.mailto);
    objections.add(other.objections);
    policies.insert(other.policies.begin(), other.policies.end());
}

Tally Summary::campaign_total(const std::string& campaign) const
{
    Tally total;
    if (const auto found = campaigns.find(campaign); found != campaigns.end())
        for (const auto& [day, tally] : found->second)
            total.add(tally);
    return total;
}

Tally Summary::total() const
{
    Tally total;
    for (const auto& [campaign, days] : campaigns)
        total.add(campaign_total(campaign));
    return total;
}

Summariser::Summariser(std::optional<std::string> campaign) : m_campaign(std::move(campaign)) {}

void Summariser::add(const journal::Record& record)
{
    // The daemon's plain log lines reach the journal under the same
    // identifier, without PROSPECT_* fields: not decisions.
    if (!record.has("PROSPECT_EVENT"))
        return;
    ++m_summary.records;
    note_policy(record);
    const auto event = record.get("PROSPECT_EVENT");
    const auto scope = record.get("PROSPECT_SCOPE");
    if (event == "message" && scope == "out")
        ++m_summary.ordinary_mail;
    else if (event == "message" && scope == "in")
        judged_message(record);
    else if (event == "message" && !record.has("PROSPECT_SCOPE"))
        unjudged_message(record);  // failure_record() writes no scope
    else if (event == "recipient")
        recipient(record);
    else if (event == "unsubscribe")
        unsubscribe(record);
    else if (event == "start" || event == "reload" || event == "reload_refused" || event == "stop")
        lifecycle(record);
    else
        ++m_summary.unrecognised;
}

Tally* Summariser::tally_for(const journal::Record& record)
{
    std::string campaign(record.get("PROSPECT_CAMPAIGN"));
    if (campaign.empty())
        campaign = no_campaign;
    if (m_campaign && campaign != *m_campaign)
        return nullptr;
    Tally& tally = m_summary.campaigns[campaign][day_of(record.time)];
    if (const auto version = record.get("PROSPECT_POLICY"); !version.empty())
        tally.policies.emplace(version);
    return &tally;
}

void Summariser::judged_message(const journal::Record& record)
{
    if (!is_message_action(record.get("PROSPECT_ACTION"))) {
        ++m_summary.unrecognised;
        return;
    }
    Tally* tally = tally_for(record);
    if (tally == nullptr)
        return;
    const bool dry_run = is_dry_run(record);
    ++*(dry_run ? tally->dry_run : tally->enforced).counter(record.get("PROSPECT_ACTION"));
    if (dry_run || record.get("PROSPECT_ACTION") != "reject")
        return;
    for (const auto rule : rules_of(record.get("PROSPECT_RULES_FAILED"))) {
        if (const auto known = policy::parse_rule(rule))
            ++tally->rejects_by_rule[static_cast<std::size_t>(*known)];
        else
            ++tally->rejects_by_unknown_rule;
    }
}

void Summariser::unjudged_message(const journal::Record& record)
{
    const auto action = record.get("PROSPECT_ACTION");
    if (action != "tempfail" && action != "accept" && action != "reject") {
        ++m_summary.unrecognised;
        return;
    }
    Tally* tally = tally_for(record);
    if (tally == nullptr)
        return;
    ++(action == "tempfail" ? tally->not_judged_tempfail
       : action == "accept" ? tally->not_judged_accepted
                            : tally->not_judged_rejected);
}

void Summariser::recipient(const journal::Record& record)
{
    const auto action = record.get("PROSPECT_ACTION");
    const bool refused = action == "refuse";
    if (!refused && action != "monitor" && action != "tag" && action != "quarantine") {
        ++m_summary.unrecognised;
        return;
    }
    const auto rules = rules_of(record.get("PROSPECT_RULES_FAILED"));
    const bool dry_run = is_dry_run(record);
    // Every refusal answers the unsubscribes, whatever campaign is reported.
    if (refused && !dry_run && rules.contains("suppression"))
        m_objections.refusal(record.time, recipient_key(record.get("PROSPECT_RECIPIENT")));
    Tally* tally = tally_for(record);
    if (tally == nullptr)
        return;
    if (!refused) {
        ++tally->recipients_let_through;
    } else if (dry_run) {
        ++tally->recipients_would_refuse;
    } else {
        ++tally->recipients_refused;
        tally->refused_for_suppression += rules.contains("suppression") ? 1 : 0;
        tally->refused_for_consent += rules.contains("consent") ? 1 : 0;
    }
}

void Summariser::unsubscribe(const journal::Record& record)
{
    const auto channel = record.get("PROSPECT_CHANNEL");
    const auto outcome = record.get("PROSPECT_OUTCOME");
    const bool known_outcome = outcome == "suppressed" || outcome == "sender-suppressed" ||
                               outcome == "already-suppressed" || outcome == "invalid-token" || outcome == "nobody";
    if ((channel != "one-click" && channel != "mailto") || !known_outcome) {
        ++m_summary.unrecognised;
        return;
    }
    Tally* tally = tally_for(record);
    if (tally == nullptr)
        return;
    UnsubscribeCounts& counts = channel == "one-click" ? tally->one_click : tally->mailto;
    if (outcome == "already-suppressed") {
        ++counts.repeats;
    } else if (outcome == "invalid-token") {
        ++counts.invalid_tokens;
    } else if (outcome == "nobody") {
        ++counts.nobody;
    } else {
        ++counts.taken;
        // Without a valid token the writer of the mail is the one suppressed.
        const auto who = record.get(outcome == "suppressed" ? "PROSPECT_RECIPIENT" : "PROSPECT_SENDER");
        const auto campaign = record.get("PROSPECT_CAMPAIGN");
        m_objections.objection(record.time, recipient_key(who),
                               campaign.empty() ? std::string(no_campaign) : std::string(campaign));
    }
}

void Summariser::lifecycle(const journal::Record& record)
{
    m_summary.lifecycle.push_back({record.time, std::string(record.get("PROSPECT_EVENT")),
                                   std::string(record.get("PROSPECT_POLICY")), is_dry_run(record)});
}

void Summariser::note_policy(const journal::Record& record)
{
    const auto version = record.get("PROSPECT_POLICY");
    if (version.empty())
        return;
    auto [it, first] = m_summary.policies.try_emplace(std::string(version));
    PolicyVersion& seen = it->second;
    seen.first = first ? record.time : std::min(seen.first, record.time);
    seen.last = first ? record.time : std::max(seen.last, record.time);
    ++seen.records;
    // Unsubscribe records carry no PROSPECT_DRY_RUN: they say nothing of it.
    if (record.has("PROSPECT_DRY_RUN"))
        (is_dry_run(record) ? seen.dry_run : seen.enforcing) = true;
}

Summary Summariser::finish() &&
{
    for (auto& outcome : std::move(m_objections).outcomes()) {
        ObjectionDelays& delays = m_summary.campaigns[outcome.campaign][day_of(outcome.objected)].objections;
        if (outcome.delay)
            delays.delays.push_back(*outcome.delay);
        else
            ++delays.not_attempted;
    }
    std::stable_sort(m_summary.lifecycle.begin(), m_summary.lifecycle.end(),
                     [](const LifecycleEvent& a, const LifecycleEvent& b) { return a.time < b.time; });
    return std::move(m_summary);
}

}  // namespace ctl::report
