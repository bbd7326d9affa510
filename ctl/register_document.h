// register_document.h — the GDPR art. 30 record of processing activities,
// built from the policy as a neutral document (sections of labelled items)
// that register_render.h turns into Markdown or HTML.
//
// Building is pure: the same policy and the same generation time give the
// same document. Whatever the policy leaves out is written out as missing
// ("not declared in the policy"), never left blank: the DPO must see what
// the record still lacks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "policy/policy.h"

namespace ctl {

// How a piece of text must stand out on the page.
enum class Style {
    plain,
    missing,  // what the policy does not declare
    warning,  // a compliance problem the DPO must act on
    link,     // a URL the reader may follow (only ever an https or http URL)
    command,  // a command line the DPO can type
};

struct Span {
    std::string text;  // one line, no control characters
    Style style = Style::plain;
};

// A run of spans read as one sentence or one value.
using Text = std::vector<Span>;

struct Item {
    std::string label;
    std::vector<Text> values;  // one: shown beside the label; several: a list
    Text note;                 // where the values come from, when the policy did not say
};

struct Section {
    std::string title;
    int level = 1;  // 1 = a part of the record, 2 = a part of the part before it
    std::vector<Text> paragraphs;
    std::vector<Item> items;
};

struct RecordOfProcessing {
    std::string title;
    std::vector<Item> identification;  // when, from which policy
    std::vector<Section> sections;
};

struct RecordSource {
    std::string policy_file;        // as the DPO should see it named
    std::int64_t generated_at = 0;  // seconds since 1970-01-01 UTC
};

RecordOfProcessing build_record(const policy::Policy& policy, const RecordSource& source);

}  // namespace ctl
