#include "check.h"

#include <sysexits.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "load_policy.h"
#include "policy/config.h"
#include "policy/mime.h"
#include "policy/text.h"
#include "policy/verdict.h"

namespace ctl {

namespace {

// Exit statuses, documented in prospectctl(8).
constexpr int exit_pass = 0;
constexpr int exit_would_modify = 1;
constexpr int exit_would_reject = 2;

bool read_input(const std::string& input, std::string& bytes)
{
    if (input == "-") {
        bytes.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
        return true;
    }
    std::error_code error;
    if (!std::filesystem::is_regular_file(input, error))
        return false;
    std::ifstream file(input, std::ios::binary);
    if (!file)
        return false;
    std::ostringstream content;
    content << file.rdbuf();
    bytes = content.str();
    return true;
}

// Bytes up to and including the blank line that ends the header.
std::size_t header_block_size(std::string_view bytes)
{
    for (std::string_view end : {"\r\n\r\n", "\n\n"})
        if (const auto at = bytes.find(end); at != std::string_view::npos)
            return at + end.size();
    return bytes.size();
}

int exit_status(const policy::Policy& policy, const policy::Verdict& verdict)
{
    if (policy.dry_run)
        return exit_pass;
    switch (verdict.action) {
    case policy::Action::reject: return exit_would_reject;
    case policy::Action::quarantine:
    case policy::Action::tag: return exit_would_modify;
    case policy::Action::monitor:
    case policy::Action::off: break;
    }
    return exit_pass;
}

std::string result_line(const policy::Policy& policy, const policy::Verdict& verdict)
{
    const std::string_view taken = verdict.failed.empty() ? "pass" : to_string(verdict.action);
    std::string line = std::string(taken);
    if (verdict.action == policy::Action::reject && !verdict.failed.empty())
        line += ": 550 5.7.1 " + verdict.reject_text();
    else if (verdict.action == policy::Action::tag || verdict.action == policy::Action::quarantine)
        line += ": X-Prospect-Policy: " + verdict.tag_header(policy);
    if (policy.dry_run)
        line += " (dry run: nothing would be done)";
    return line;
}

void print_text(const CheckOptions& options, const policy::Policy& policy, const policy::MessageContent& content,
                const policy::Verdict& verdict)
{
    std::printf("message:  %s\n", options.input == "-" ? "(standard input)" : options.input.c_str());
    std::printf("policy:   %s (%s)\n", policy.version.c_str(), policy.path.c_str());
    std::printf("campaign: %s\n", verdict.campaign.empty() ? "(none)" : policy::printable(verdict.campaign).c_str());
    std::printf("from:     %s <%s>\n", policy::printable(content.from_display_name).c_str(),
                policy::printable(content.from_address).c_str());
    std::printf("\n");
    for (const auto& result : verdict.results) {
        const auto action = policy.action_for(result.rule);
        std::printf("%-14s %-8s %-10s %s\n", std::string(to_string(result.rule)).c_str(),
                    result.outcome == policy::Outcome::fail ? "FAIL" : std::string(to_string(result.outcome)).c_str(),
                    result.outcome == policy::Outcome::fail ? std::string(to_string(action)).c_str() : "",
                    result.detail.c_str());
    }
    for (const auto& note : content.notes)
        std::printf("note: %s\n", note.c_str());
    std::printf("\nresult: %s\n", result_line(policy, verdict).c_str());
}

void print_json(const CheckOptions& options, const policy::Policy& policy, const policy::MessageContent& content,
                const policy::Verdict& verdict)
{
    nlohmann::ordered_json report;
    report["message"] = options.input;
    report["policy"] = {{"version", policy.version}, {"path", policy.path}, {"dry_run", policy.dry_run}};
    report["campaign"] = verdict.campaign;
    report["from"] = {{"name", content.from_display_name}, {"address", content.from_address}};
    auto rules = nlohmann::ordered_json::array();
    for (const auto& result : verdict.results)
        rules.push_back({{"rule", to_string(result.rule)},
                         {"outcome", to_string(result.outcome)},
                         {"action", to_string(policy.action_for(result.rule))},
                         {"detail", result.detail}});
    report["rules"] = rules;
    report["notes"] = content.notes;
    report["result"] = verdict.failed.empty() ? "pass" : std::string(to_string(verdict.action));
    report["reply"] = verdict.action == policy::Action::reject && !verdict.failed.empty()
                          ? "550 5.7.1 " + verdict.reject_text()
                          : "";
    report["exit_status"] = exit_status(policy, verdict);
    std::cout << report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace

int run_check(const CheckOptions& options)
{
    const auto loaded = load_policy_or_report(options.policy_path);
    if (!loaded)
        return EX_CONFIG;
    const policy::Policy& policy = *loaded;
    std::string bytes;
    if (!read_input(options.input, bytes)) {
        std::fprintf(stderr, "prospectctl check: cannot read %s\n", options.input.c_str());
        return EX_NOINPUT;
    }

    // A message too large to inspect still has headers the milter reads
    // (the campaign, the Message-ID): read those alone.
    const bool too_large = bytes.size() > policy.content.max_message_size;
    const std::string_view readable =
        too_large ? std::string_view(bytes).substr(0, header_block_size(bytes)) : std::string_view(bytes);
    const policy::MessageContent content = policy::read_message(readable);
    policy::MessageFacts facts = policy::facts_of_message(policy, content, bytes.size());
    if (!options.sender.empty())
        facts.sender = policy::normalise_address(options.sender);
    for (const auto& recipient : options.recipients)
        facts.recipients.push_back(policy::normalise_address(recipient));
    if (!options.campaign.empty())
        facts.campaign_header = options.campaign;

    const auto verdict = policy::judge(policy, facts, facts.too_large ? nullptr : &content);
    if (options.json)
        print_json(options, policy, content, verdict);
    else
        print_text(options, policy, content, verdict);
    return exit_status(policy, verdict);
}

}  // namespace ctl
