// fuzz_message.cpp — libFuzzer target: the whole message inspection on
// arbitrary bytes (tests/fuzz/README.md).
//
// Each input goes through what the milter does with a message (the MIME
// reader, fed at once here; the unit tests show chunks change nothing):
//   read_message() -> MessageFacts as prospectctl check builds them ->
//   judge() -> the verdict's texts and the decision record;
// and, directly, through html_to_visible() and plain_to_visible(), so that
// the HTML and plain-text readers see the raw bytes too, not only what
// survived MIME decoding.
//
// The policy is tests/corpus/policy.conf (every rule "reject"), loaded once.
// The day is fixed so that a run is reproducible whatever the date.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "policy/config.h"
#include "policy/content.h"
#include "policy/mime.h"
#include "policy/mime_reader.h"
#include "policy/record.h"
#include "policy/text.h"
#include "policy/verdict.h"

#ifndef PROSPECT_SOURCE_DIR
#error "PROSPECT_SOURCE_DIR must name the source tree (tests/fuzz/CMakeLists.txt defines it)"
#endif

namespace {

const policy::Policy* g_policy = nullptr;
policy::Day g_today = 0;

// A failed invariant is a finding like a crash: libFuzzer saves the input.
void check(bool condition, const char* what)
{
    if (!condition) {
        std::fprintf(stderr, "fuzz_message: invariant broken: %s\n", what);
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    policy::mime_initialise();
    const std::string path = PROSPECT_SOURCE_DIR "/tests/corpus/policy.conf";
    auto loaded = policy::load_policy(path);
    if (!loaded.ok()) {
        for (const auto& error : loaded.errors)
            std::fprintf(stderr, "%s\n", error.to_string().c_str());
        std::fprintf(stderr, "fuzz_message: cannot load %s\n", path.c_str());
        std::exit(1);
    }
    // Kept for the life of the process (never freed: not a leak, a global).
    static std::shared_ptr<const policy::Policy> keep = std::move(loaded.policy);
    g_policy = keep.get();
    const auto day = policy::parse_day("2026-03-05");
    check(day.has_value(), "fixed day parses");
    g_today = *day;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const policy::Policy& policy = *g_policy;

    // The message, as the milter and prospectctl check read and judge it.
    policy::MessageContent content;
    if (size <= policy.content.max_message_size)
        content = policy::read_message(bytes);
    policy::MessageFacts facts = policy::facts_of_message(policy, content, size);
    facts.today = g_today;
    facts.recipients.push_back("prospect@client.example.net");
    // Half the inputs (by their first byte) are not a first contact, so the
    // rule's "skipped" path runs too; deterministic, as libFuzzer needs.
    facts.first_contact = size == 0 || (data[0] & 1) == 0;

    const auto verdict = policy::judge(policy, facts, facts.too_large ? nullptr : &content);
    check(verdict.results.size() == policy::rule_count, "one result per rule");
    check(verdict.failed.empty() == (policy::action_taken(verdict) == "pass"), "pass exactly when nothing failed");
    const std::string summary = verdict.failure_summary();
    const std::string reject = verdict.reject_text();
    const std::string tag = verdict.tag_header(policy);
    const auto record = policy::message_record(policy, facts, verdict, policy::action_taken(verdict),
                                               policy::ScopeReason::header);
    check(!record.message.empty(), "a record has a message");
    (void)content.folded_text();

    // The milter feeds the reader chunk by chunk as the MTA sends them: the
    // same message in chunks (sizes from the input's last byte, 1 to 64)
    // must read exactly as in one piece.
    if (size > 0 && size <= policy.content.max_message_size) {
        const std::size_t chunk = 1 + data[size - 1] % 64;
        policy::MessageReader reader;
        for (std::size_t at = 0; at < size; at += chunk)
            reader.feed(bytes.substr(at, chunk));
        const auto chunked = reader.finish();
        check(chunked.parts.size() == content.parts.size(), "chunks change nothing: parts");
        for (std::size_t i = 0; i < chunked.parts.size(); ++i)
            check(chunked.parts[i].text == content.parts[i].text &&
                      chunked.parts[i].links.size() == content.parts[i].links.size(),
                  "chunks change nothing: text and links");
        check(chunked.notes == content.notes && chunked.headers == content.headers &&
                  chunked.subject == content.subject && chunked.from_address == content.from_address,
              "chunks change nothing: notes, headers, subject, From");
    }

    // The text readers straight on the bytes.
    const auto html = policy::html_to_visible(bytes);
    const auto plain = policy::plain_to_visible(bytes);
    check(html.links.size() <= 1000 && plain.links.size() <= 1000, "links are bounded");
    return 0;
}
