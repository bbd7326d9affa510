#include "report_objections.h"

#include <algorithm>

#include "policy/digest.h"
#include "policy/text.h"
#include "store/address.h"

namespace ctl::report {

namespace {

constexpr std::size_t partial_key_digits = 2 * store::partial_key_length;

}  // namespace

std::optional<journal::Microseconds> ObjectionDelays::median() const
{
    if (delays.empty())
        return std::nullopt;
    std::vector<journal::Microseconds> sorted = delays;
    const auto middle = sorted.begin() + static_cast<std::ptrdiff_t>((sorted.size() - 1) / 2);
    std::nth_element(sorted.begin(), middle, sorted.end());
    return *middle;
}

std::optional<journal::Microseconds> ObjectionDelays::longest() const
{
    if (delays.empty())
        return std::nullopt;
    return *std::max_element(delays.begin(), delays.end());
}

void ObjectionDelays::add(const ObjectionDelays& other)
{
    delays.insert(delays.end(), other.delays.begin(), other.delays.end());
    not_attempted += other.not_attempted;
}

std::string recipient_key(std::string_view logged)
{
    const std::string lower = policy::to_lower_ascii(policy::trim(logged));
    return lower.find('@') == std::string::npos ? lower : policy::sha256_hex(lower);
}

void ObjectionTracker::objection(journal::Microseconds when, std::string key, std::string campaign)
{
    m_objections.push_back({when, std::move(key), std::move(campaign)});
}

void ObjectionTracker::refusal(journal::Microseconds when, std::string key)
{
    m_refusals[std::move(key)].push_back(when);
}

std::optional<journal::Microseconds> ObjectionTracker::first_refusal_after(std::string_view key,
                                                                          journal::Microseconds when) const
{
    std::optional<journal::Microseconds> first;
    const auto consider = [&](const std::vector<journal::Microseconds>& times) {
        const auto later = std::upper_bound(times.begin(), times.end(), when);
        if (later != times.end() && (!first || *later < *first))
            first = *later;
    };
    if (key.size() != partial_key_digits) {
        if (const auto found = m_refusals.find(key); found != m_refusals.end())
            consider(found->second);
        return first;
    }
    for (auto it = m_refusals.lower_bound(key); it != m_refusals.end() && it->first.starts_with(key); ++it)
        consider(it->second);
    return first;
}

std::vector<ObjectionTracker::Outcome> ObjectionTracker::outcomes() &&
{
    for (auto& [key, times] : m_refusals)
        std::sort(times.begin(), times.end());
    std::vector<Outcome> outcomes;
    outcomes.reserve(m_objections.size());
    for (auto& objection : m_objections) {
        Outcome outcome{objection.when, std::move(objection.campaign), std::nullopt};
        if (const auto refused = first_refusal_after(objection.key, objection.when))
            outcome.delay = *refused - objection.when;
        outcomes.push_back(std::move(outcome));
    }
    return outcomes;
}

}  // namespace ctl::report
