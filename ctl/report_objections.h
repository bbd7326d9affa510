// report_objections.h — how soon an objection was honoured: from an
// unsubscribe taken in (a new suppression) to the first message refused to
// that person because of it (a `recipient` record, PROSPECT_ACTION=refuse,
// `suppression` among its failed rules). The person is matched by the key
// the records name: the store's key of the unsubscribe, the logged
// recipient of the refusal.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "journal/record_reader.h"

namespace ctl::report {

// The delays of a group of objections (one campaign, one day, or more).
struct ObjectionDelays {
    std::vector<journal::Microseconds> delays;  // one per objection followed by a refusal
    std::uint64_t not_attempted = 0;            // no message to that person refused since, in the period

    // The lower median: a delay that was observed, never the mean of two.
    std::optional<journal::Microseconds> median() const;
    std::optional<journal::Microseconds> longest() const;
    void add(const ObjectionDelays& other);
};

// A recipient as the records name it, as a key both kinds of record share:
// hex in lower case; an address in clear (logging.recipients = "clear")
// becomes the SHA-256 the store and the hashed records use.
std::string recipient_key(std::string_view logged);

class ObjectionTracker {
public:
    // A new suppression under `key`: 64 hex digits, or the 36 of a partial
    // key, which stands for every recipient whose key starts with them.
    void objection(journal::Microseconds when, std::string key, std::string campaign);
    void refusal(journal::Microseconds when, std::string key);

    struct Outcome {
        journal::Microseconds objected = 0;
        std::string campaign;
        std::optional<journal::Microseconds> delay;  // to the first refusal after it
    };
    // Every objection, whatever order the records came in.
    std::vector<Outcome> outcomes() &&;

private:
    std::optional<journal::Microseconds> first_refusal_after(std::string_view key, journal::Microseconds when) const;

    struct Objection {
        journal::Microseconds when = 0;
        std::string key, campaign;
    };
    std::vector<Objection> m_objections;
    std::map<std::string, std::vector<journal::Microseconds>, std::less<>> m_refusals;  // by key
};

}  // namespace ctl::report
