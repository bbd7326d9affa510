// The decision record as a JSON line (journal/record_writer.h): the line is
// written by hand, and must stay byte for byte what the nlohmann::json
// implementation it replaced printed, which is kept here as the reference.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "journal/record_reader.h"
#include "journal/record_writer.h"

namespace {

constexpr std::int64_t stamp = 1780000000123456;

// The implementation before the change, unchanged but for the time, which
// it took from the clock.
std::string reference_line(const policy::DecisionRecord& record, std::string_view identifier,
                           std::int64_t realtime_microseconds)
{
    nlohmann::ordered_json object;
    object["MESSAGE"] = record.message;
    object["PRIORITY"] = std::to_string(static_cast<int>(record.priority));
    object["SYSLOG_IDENTIFIER"] = identifier;
    object["__REALTIME_TIMESTAMP"] = std::to_string(realtime_microseconds);
    for (const auto& [name, value] : record.fields)
        object[name] = value;
    return object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

policy::DecisionRecord record_of(std::string message, std::vector<std::pair<std::string, std::string>> fields)
{
    policy::DecisionRecord record;
    record.message = std::move(message);
    record.priority = policy::DecisionRecord::Priority::notice;
    record.fields = std::move(fields);
    return record;
}

// Values that have each gone wrong in some JSON writer.
const std::vector<std::string> awkward_values = {
    "",
    "plain ASCII, with / slash and ~ tilde and DEL \x7f",
    "\"quoted\" and 'single'",
    "back\\slash\\\\double",
    std::string("NUL \0 inside", 12),
    "\b\t\n\f\r\x01\x1f\x0b\x1b",
    "trailing backslash\\",
    "Société Générale — “quotes” € 😀",  // 2-, 3- and 4-byte UTF-8
    "\u2028line\u2029separators",
    "latin-1 caf\xe9 cr\xe8me",                  // invalid: a lead byte with no continuation
    "lone continuations \x80\xbf",
    "overlong \xc0\xaf \xc1\xbf \xe0\x80\xaf \xf0\x80\x80\xaf",
    "surrogate \xed\xa0\x80 and max \xf4\x8f\xbf\xbf and beyond \xf4\x90\x80\x80",
    "bytes that are never UTF-8 \xf5\xf8\xfc\xfe\xff",
    "broken in the middle \xe2\x82( \xf0\x9f\x98( \xc3(",
    "cut short at the end \xf0\x9f\x98",
    "\xe2\x82",
    "\xc3",
    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
    std::string(3000, 'x') + "\xe2\x82\xac\x01" + std::string(600, '"'),  // longer than nlohmann's buffer
};

}  // namespace

TEST_CASE("a JSON line is what the JSON library printed, for awkward values", "[journal]")
{
    for (const auto& value : awkward_values) {
        INFO("value: " << value);
        const auto record = record_of(value, {{"PROSPECT_EVENT", "message"},
                                              {"PROSPECT_SUBJECT", value},
                                              {"PROSPECT_WEIRD_\"NAME\\", value},
                                              {"PROSPECT_EMPTY", ""}});
        CHECK(journal::json_line(record, "prospect-milter", stamp) ==
              reference_line(record, "prospect-milter", stamp));
        CHECK(journal::json_line(record, value, -1) == reference_line(record, value, -1));
    }
}

TEST_CASE("a JSON line keeps the fields' order, and a repeated name its first place and last value", "[journal]")
{
    const auto record = record_of("m", {{"PROSPECT_B", "1"},
                                        {"PROSPECT_A", "2"},
                                        {"PROSPECT_B", "3"},
                                        {"MESSAGE", "replaced"},
                                        {"__REALTIME_TIMESTAMP", "42"},
                                        {"PROSPECT_A", "4"}});
    const auto line = journal::json_line(record, "prospectctl", stamp);
    CHECK(line == reference_line(record, "prospectctl", stamp));
    CHECK(line == "{\"MESSAGE\":\"replaced\",\"PRIORITY\":\"5\",\"SYSLOG_IDENTIFIER\":\"prospectctl\","
                  "\"__REALTIME_TIMESTAMP\":\"42\",\"PROSPECT_B\":\"3\",\"PROSPECT_A\":\"4\"}\n");
    const auto bare = journal::json_line(record_of("", {}), "", 0);
    CHECK(bare == reference_line(record_of("", {}), "", 0));
}

TEST_CASE("a JSON line is what the JSON library printed, for random bytes", "[journal]")
{
    // Mostly characters that matter to JSON and UTF-8, so that every
    // transition between them comes up.
    const std::string alphabet = std::string("aZ \"\\/\x7f\x01\x1f\n\t\0", 12) +
                                 "\x80\x8f\x90\x9f\xa0\xbf\xc0\xc1\xc2\xdf\xe0\xe1\xec\xed\xee\xef\xf0\xf1\xf3\xf4\xf5\xff";
    std::mt19937 random(20260528);
    std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
    std::uniform_int_distribution<int> length(0, 24);
    int differing = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string value;
        for (int n = length(random); n > 0; --n)
            value += alphabet[pick(random)];
        const auto record = record_of(value, {{"PROSPECT_SUBJECT", value + "\xe2\x82\xac" + value}});
        if (journal::json_line(record, "prospect-milter", stamp) != reference_line(record, "prospect-milter", stamp)) {
            if (++differing <= 5)
                FAIL_CHECK("differs for value of " << value.size() << " bytes: " << value);
        }
    }
    CHECK(differing == 0);
}

TEST_CASE("the record reader reads a JSON line back", "[journal]")
{
    const auto record = record_of("Refused \"x\"\n", {{"PROSPECT_EVENT", "message"},
                                                      {"PROSPECT_SUBJECT", "caf\xe9 \xe2\x82\xac \\ \x01"}});
    std::istringstream input(journal::json_line(record, "prospect-milter", stamp));
    journal::ReadOptions options;
    std::vector<journal::Record> read;
    const auto counts = journal::read_json_lines(
        input, options, [&](journal::Record&& r) { read.push_back(std::move(r)); },
        [](std::size_t, const std::string& why) { FAIL("bad line: " << why); });
    CHECK(counts.records == 1);
    REQUIRE(read.size() == 1);
    CHECK(read[0].time == stamp);
    CHECK(read[0].get("MESSAGE") == "Refused \"x\"\n");
    CHECK(read[0].get("PRIORITY") == "5");
    CHECK(read[0].get("PROSPECT_EVENT") == "message");
    CHECK(read[0].get("PROSPECT_SUBJECT") == "caf\xef\xbf\xbd \xe2\x82\xac \\ \x01");  // é in Latin-1 replaced
}
