// report_summary.h — what `prospectctl report` tells a DPO, worked out from
// the milter's decision records (policy/record.h, docs/operations.md "The
// decision records", docs/unsubscribe.md section 8): per campaign and per
// UTC day, what was done to prospecting messages and recipients, which
// unsubscribes came in and how soon the next message to that person was
// refused; and which policy versions decided. Pure: records in, numbers out.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "journal/record_reader.h"
#include "policy/policy.h"
#include "report_objections.h"

namespace ctl::report {

using journal::Microseconds;
using Count = std::uint64_t;

// Where records that name no campaign are counted.
inline constexpr std::string_view no_campaign = "(none)";

// What was done to prospecting messages (or, under dry_run, what would have been).
struct ActionCounts {
    Count pass = 0, monitor = 0, tag = 0, quarantine = 0, reject = 0;

    Count total() const { return pass + monitor + tag + quarantine + reject; }
    // The counter of a PROSPECT_ACTION value; nullptr for any other value.
    Count* counter(std::string_view action);
    void add(const ActionCounts& other);
};

// Unsubscribes taken in through one channel, by PROSPECT_OUTCOME.
struct UnsubscribeCounts {
    Count taken = 0;           // suppressed, sender-suppressed: a new objection stored
    Count repeats = 0;         // already-suppressed
    Count invalid_tokens = 0;  // invalid-token: nobody unsubscribed (one-click)
    Count nobody = 0;          // nobody: no token, no sender to suppress (mailto)

    void add(const UnsubscribeCounts& other);
};

// One campaign on one day, or added up over several.
struct Tally {
    ActionCounts enforced;  // messages judged, PROSPECT_DRY_RUN=0
    ActionCounts dry_run;   // messages judged under dry_run: nothing was done
    std::array<Count, policy::rule_count> rejects_by_rule{};  // enforced rejects, each failed rule once
    Count rejects_by_unknown_rule = 0;                         // a rule this prospectctl does not know

    // Failure records: messages the milter could not judge, and what the
    // policy's failure_action did with them.
    Count not_judged_tempfail = 0, not_judged_accepted = 0, not_judged_rejected = 0;

    Count recipients_refused = 0;        // enforced refusals
    Count refused_for_suppression = 0;   // among them, the person objected
    Count refused_for_consent = 0;       // among them, no consent on record
    Count recipients_would_refuse = 0;   // refusals under dry_run: the mail went
    Count recipients_let_through = 0;    // failed suppression or consent under monitor, tag or quarantine

    UnsubscribeCounts one_click, mailto;
    ObjectionDelays objections;  // by the day and campaign of the unsubscribe

    std::set<std::string> policies;  // PROSPECT_POLICY of the records counted here

    void add(const Tally& other);
};

// A policy version, from every record it decided in the period.
struct PolicyVersion {
    Microseconds first = 0, last = 0;
    Count records = 0;
    bool dry_run = false, enforcing = false;  // seen with PROSPECT_DRY_RUN=1, =0
};

// start, reload, reload_refused, stop.
struct LifecycleEvent {
    Microseconds time = 0;
    std::string event;
    std::string policy;
    bool dry_run = false;
};

struct Summary {
    // campaign -> UTC day (days since the epoch) -> counts
    std::map<std::string, std::map<policy::Day, Tally>> campaigns;
    Count ordinary_mail = 0;   // out of scope: never per campaign
    Count records = 0;         // decision records read in the period
    Count unrecognised = 0;    // records with an event, action or outcome this report does not know
    std::map<std::string, PolicyVersion> policies;
    std::vector<LifecycleEvent> lifecycle;  // in time order

    Tally campaign_total(const std::string& campaign) const;
    Tally total() const;
};

// Takes the records one by one (any order; entries without PROSPECT_EVENT
// are the daemon's plain log lines and are passed over), then gives the summary.
class Summariser {
public:
    // With `campaign`, only that campaign's records are counted; refusals of
    // every campaign still answer its unsubscribes (a recipient refused at
    // RCPT is logged under the default campaign: the message's is not known yet).
    explicit Summariser(std::optional<std::string> campaign = std::nullopt);

    void add(const journal::Record& record);
    Summary finish() &&;

private:
    Tally* tally_for(const journal::Record& record);
    void judged_message(const journal::Record& record);
    void unjudged_message(const journal::Record& record);
    void recipient(const journal::Record& record);
    void unsubscribe(const journal::Record& record);
    void lifecycle(const journal::Record& record);
    void note_policy(const journal::Record& record);

    std::optional<std::string> m_campaign;
    Summary m_summary;
    ObjectionTracker m_objections;
};

}  // namespace ctl::report
