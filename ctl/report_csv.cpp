// The report for a spreadsheet: one row per campaign and UTC day, under a
// header line whose column names stay the same from one report to the next
// (a DPO's sheet keeps its formulas). Delays are whole seconds; a campaign
// with no refused message after an unsubscribe leaves them empty.
#include <functional>

#include "csv.h"
#include "policy/text.h"
#include "report_render.h"

namespace ctl::report {

namespace {

struct Column {
    std::string name;
    std::function<std::string(const Tally&)> value;
};

std::function<std::string(const Tally&)> number(Count (*of)(const Tally&))
{
    return [of](const Tally& t) { return std::to_string(of(t)); };
}

std::string seconds(const std::optional<Microseconds>& duration)
{
    return duration ? std::to_string(*duration / 1'000'000) : std::string();
}

std::string joined(const std::set<std::string>& values)
{
    std::string out;
    for (const auto& value : values)
        out += (out.empty() ? "" : " ") + value;
    return out;
}

void add_message_columns(std::vector<Column>& columns)
{
    columns.push_back({"policies", [](const Tally& t) { return joined(t.policies); }});
    columns.push_back(
        {"messages_judged", number([](const Tally& t) { return t.enforced.total() + t.dry_run.total(); })});
    columns.push_back({"pass", number([](const Tally& t) { return t.enforced.pass; })});
    columns.push_back({"monitor", number([](const Tally& t) { return t.enforced.monitor; })});
    columns.push_back({"tag", number([](const Tally& t) { return t.enforced.tag; })});
    columns.push_back({"quarantine", number([](const Tally& t) { return t.enforced.quarantine; })});
    columns.push_back({"reject", number([](const Tally& t) { return t.enforced.reject; })});
    for (std::size_t rule = 0; rule < policy::rule_count; ++rule)
        columns.push_back({"reject_" + std::string(policy::to_string(static_cast<policy::Rule>(rule))),
                           [rule](const Tally& t) { return std::to_string(t.rejects_by_rule[rule]); }});
    columns.push_back({"reject_other_rule", number([](const Tally& t) { return t.rejects_by_unknown_rule; })});
    columns.push_back({"dry_run_pass", number([](const Tally& t) { return t.dry_run.pass; })});
    columns.push_back({"dry_run_monitor", number([](const Tally& t) { return t.dry_run.monitor; })});
    columns.push_back({"dry_run_tag", number([](const Tally& t) { return t.dry_run.tag; })});
    columns.push_back({"dry_run_quarantine", number([](const Tally& t) { return t.dry_run.quarantine; })});
    columns.push_back({"dry_run_reject", number([](const Tally& t) { return t.dry_run.reject; })});
    columns.push_back({"not_judged_tempfail", number([](const Tally& t) { return t.not_judged_tempfail; })});
    columns.push_back({"not_judged_accepted", number([](const Tally& t) { return t.not_judged_accepted; })});
    columns.push_back({"not_judged_rejected", number([](const Tally& t) { return t.not_judged_rejected; })});
}

void add_recipient_columns(std::vector<Column>& columns)
{
    columns.push_back({"recipients_refused", number([](const Tally& t) { return t.recipients_refused; })});
    columns.push_back({"refused_suppression", number([](const Tally& t) { return t.refused_for_suppression; })});
    columns.push_back({"refused_consent", number([](const Tally& t) { return t.refused_for_consent; })});
    columns.push_back({"dry_run_refused", number([](const Tally& t) { return t.recipients_would_refuse; })});
    columns.push_back({"recipients_let_through", number([](const Tally& t) { return t.recipients_let_through; })});
}

void add_unsubscribe_columns(std::vector<Column>& columns)
{
    columns.push_back({"one_click_unsubscribed", number([](const Tally& t) { return t.one_click.taken; })});
    columns.push_back({"one_click_repeats", number([](const Tally& t) { return t.one_click.repeats; })});
    columns.push_back({"one_click_invalid_tokens", number([](const Tally& t) { return t.one_click.invalid_tokens; })});
    columns.push_back({"mailto_unsubscribed", number([](const Tally& t) { return t.mailto.taken; })});
    columns.push_back({"mailto_repeats", number([](const Tally& t) { return t.mailto.repeats; })});
    columns.push_back({"mailto_nobody", number([](const Tally& t) { return t.mailto.nobody; })});
    columns.push_back({"refused_after_unsubscribe",
                       number([](const Tally& t) { return static_cast<Count>(t.objections.delays.size()); })});
    columns.push_back({"median_delay_seconds", [](const Tally& t) { return seconds(t.objections.median()); }});
    columns.push_back({"max_delay_seconds", [](const Tally& t) { return seconds(t.objections.longest()); }});
    columns.push_back({"not_attempted_since", number([](const Tally& t) { return t.objections.not_attempted; })});
}

const std::vector<Column>& columns()
{
    static const std::vector<Column> all = [] {
        std::vector<Column> columns;
        add_message_columns(columns);
        add_recipient_columns(columns);
        add_unsubscribe_columns(columns);
        return columns;
    }();
    return all;
}

void print_row(std::FILE* out, const std::vector<std::string>& fields)
{
    std::string line;
    for (const auto& field : fields)
        line += (line.empty() ? "" : ",") + csv_field(field);
    // RFC 4180: CRLF ends a record.
    std::fprintf(out, "%s\r\n", line.c_str());
}

}  // namespace

void render_csv(const Summary& summary, std::FILE* out)
{
    std::vector<std::string> header{"campaign", "day"};
    for (const auto& column : columns())
        header.push_back(column.name);
    print_row(out, header);
    for (const auto& [campaign, days] : summary.campaigns)
        for (const auto& [day, tally] : days) {
            std::vector<std::string> row{campaign, policy::format_day(day)};
            for (const auto& column : columns())
                row.push_back(column.value(tally));
            print_row(out, row);
        }
}

}  // namespace ctl::report
