#include "report_charts.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "policy/text.h"

namespace ctl::report {

namespace {

struct Segment {
    std::string_view name;
    std::string_view colour;
};

// Green to red by severity; distinct in greyscale print too.
constexpr std::array<Segment, 5> action_segments{{{"pass", "#3d8c40"},
                                                  {"monitor", "#8a9bb8"},
                                                  {"tag", "#e0b030"},
                                                  {"quarantine", "#e07020"},
                                                  {"reject", "#b02020"}}};
constexpr std::array<Segment, 4> unsubscribe_segments{{{"unsubscribed", "#2c5d8f"},
                                                       {"repeats", "#8fb3d9"},
                                                       {"invalid tokens", "#b0b0b0"},
                                                       {"nobody", "#d8d8d8"}}};

constexpr double chart_width = 720, plot_left = 48, plot_right = 712, plot_top = 12, plot_bottom = 190;

std::string number(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", value);
    return text;
}

std::string rect(double x, double y, double width, double height, std::string_view colour, const std::string& title)
{
    return "<rect x=\"" + number(x) + "\" y=\"" + number(y) + "\" width=\"" + number(width) + "\" height=\"" +
           number(height) + "\" fill=\"" + std::string(colour) + "\"><title>" + html_escape(title) +
           "</title></rect>\n";
}

std::string text(double x, double y, std::string_view anchor, const std::string& content)
{
    return "<text x=\"" + number(x) + "\" y=\"" + number(y) + "\" text-anchor=\"" + std::string(anchor) + "\">" +
           html_escape(content) + "</text>\n";
}

template <std::size_t N>
std::string legend(const std::array<Segment, N>& segments, double y)
{
    std::string out;
    double x = plot_left;
    for (const auto& segment : segments) {
        out += "<rect x=\"" + number(x) + "\" y=\"" + number(y - 9) + "\" width=\"10\" height=\"10\" fill=\"" +
               std::string(segment.colour) + "\"/>\n" + text(x + 14, y, "start", std::string(segment.name));
        x += 24 + 7.0 * static_cast<double>(segment.name.size());
    }
    return out;
}

std::array<Count, 5> in_order(const ActionCounts& counts)
{
    return {counts.pass, counts.monitor, counts.tag, counts.quarantine, counts.reject};
}

std::string day_bar(policy::Day day, const ActionCounts& counts, double x, double width, double scale)
{
    std::string out;
    double y = plot_bottom;
    const auto values = in_order(counts);
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (values[i] == 0)
            continue;
        const double height = static_cast<double>(values[i]) * scale;
        y -= height;
        out += rect(x, y, width, height, action_segments[i].colour,
                    policy::format_day(day) + " " + std::string(action_segments[i].name) + ": " +
                        std::to_string(values[i]));
    }
    return out;
}

std::string axes(Count highest)
{
    return "<line x1=\"" + number(plot_left) + "\" y1=\"" + number(plot_bottom) + "\" x2=\"" + number(plot_right) +
           "\" y2=\"" + number(plot_bottom) + "\" stroke=\"#444\"/>\n" +
           text(plot_left - 6, plot_top + 10, "end", std::to_string(highest)) +
           text(plot_left - 6, plot_bottom, "end", "0");
}

}  // namespace


std::string daily_actions_chart(const std::map<policy::Day, ActionCounts>& days)
{
    if (days.empty())
        return {};
    const policy::Day first = days.begin()->first, last = days.rbegin()->first;
    const auto count = static_cast<double>(last - first + 1);
    Count highest = 1;
    for (const auto& [day, counts] : days)
        highest = std::max(highest, counts.total());
    const double slot = (plot_right - plot_left) / count;
    const double scale = (plot_bottom - plot_top) / static_cast<double>(highest);
    // About a dozen dates under the axis, whatever the length of the period.
    const auto label_every = std::max<policy::Day>(1, (last - first + 12) / 12);
    std::string svg = "<svg class=\"chart\" viewBox=\"0 0 720 240\" role=\"img\" aria-label=\"messages per day\">\n" +
                      axes(highest);
    for (const auto& [day, counts] : days)
        svg += day_bar(day, counts, plot_left + slot * (static_cast<double>(day - first) + 0.1), slot * 0.8, scale);
    for (policy::Day day = first; day <= last; day += label_every)
        svg += text(plot_left + slot * (static_cast<double>(day - first) + 0.5), plot_bottom + 14, "middle",
                    policy::format_day(day).substr(5));
    return svg + legend(action_segments, 230) + "</svg>\n";
}

std::string unsubscribe_chart(const UnsubscribeCounts& one_click, const UnsubscribeCounts& mailto)
{
    const auto values = [](const UnsubscribeCounts& c) {
        return std::array<Count, 4>{c.taken, c.repeats, c.invalid_tokens, c.nobody};
    };
    const auto sum = [&](const UnsubscribeCounts& c) {
        const auto v = values(c);
        return v[0] + v[1] + v[2] + v[3];
    };
    const Count highest = std::max<Count>({1, sum(one_click), sum(mailto)});
    // Room on the right of the longest bar for its count.
    const double scale = (chart_width - 100 - 130) / static_cast<double>(highest);
    std::string svg =
        "<svg class=\"chart\" viewBox=\"0 0 720 110\" role=\"img\" aria-label=\"unsubscribes by channel\">\n";
    double y = 10;
    for (const auto& [name, counts] : {std::pair{"one-click", one_click}, std::pair{"mailto", mailto}}) {
        svg += text(90, y + 15, "end", name);
        double x = 100;
        const auto v = values(counts);
        for (std::size_t i = 0; i < v.size(); ++i) {
            const double width = static_cast<double>(v[i]) * scale;
            if (v[i] > 0)
                svg += rect(x, y, width, 22, unsubscribe_segments[i].colour,
                            std::string(name) + " " + std::string(unsubscribe_segments[i].name) + ": " +
                                std::to_string(v[i]));
            x += width;
        }
        svg += text(x + 6, y + 15, "start", std::to_string(v[0]) + " unsubscribed");
        y += 32;
    }
    return svg + legend(unsubscribe_segments, 100) + "</svg>\n";
}

}  // namespace ctl::report
