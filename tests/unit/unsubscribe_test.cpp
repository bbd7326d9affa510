// The unsubscribe loop's parts that need no daemon: tokens, the policy's
// `unsubscribe` group, the header values, recognising the unsubscribe
// address, and taking an unsubscribe into a real store.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <set>
#include <thread>
#include <variant>
#include <vector>

#include "policy_file.h"
#include "temp_dir.h"
#include "policy/digest.h"
#include "store/store.h"
#include "unsubscribe/intake.h"
#include "unsubscribe/links.h"
#include "unsubscribe/token.h"

using unsubscribe::TokenProblem;

namespace {

policy::SigningKey key(int id, std::string secret = "")
{
    if (secret.empty())
        secret = "key-" + std::to_string(id) + "-0123456789abcdefghijklmnopqrstuvwxyz";
    return {id, "", secret, {}};
}

// The key as the policy loader makes it: its secret prepared once.
policy::SigningKey prepared(policy::SigningKey key)
{
    key.hmac = std::make_shared<const policy::HmacSha256>(key.secret);
    return key;
}

std::string hex(const policy::Sha256Digest& digest)
{
    return store::to_hex(digest);
}

store::Hash recipient(std::string_view address)
{
    return store::address_key(std::get<store::Address>(store::normalise_address(address)));
}

constexpr policy::Day nov_28_2026 = 20785;

const std::string spring_campaign = R"(campaigns = ( { id = "spring"; purpose = "p"; audience = "b2b";
      legal_basis = "legitimate_interest"; start = "2026-01-01"; } );)";

std::variant<unsubscribe::Token, TokenProblem> verify(std::string_view token, std::vector<policy::SigningKey> keys)
{
    return unsubscribe::verify_token(token, keys);
}

TokenProblem problem_of(std::string_view token, std::vector<policy::SigningKey> keys)
{
    const auto result = verify(token, keys);
    REQUIRE(std::holds_alternative<TokenProblem>(result));
    return std::get<TokenProblem>(result);
}

// Writes a key file with the given mode; returns its path.
std::string key_file(const test::TempDir& dir, const std::string& name, const std::string& content, mode_t mode)
{
    const std::string path = dir.path() + "/" + name;
    std::ofstream(path) << content;
    ::chmod(path.c_str(), mode);
    return path;
}

}  // namespace

TEST_CASE("a token fits an address local part and says who, which campaign and when", "[unsubscribe]")
{
    const auto token = unsubscribe::make_token(key(1), recipient("jane@client.fr"), "spring", nov_28_2026);
    CHECK(token.size() == 52);
    CHECK(("unsubscribe+" + token).size() == 64);
    CHECK(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos);
    const auto verified = verify(token, {key(1)});
    REQUIRE(std::holds_alternative<unsubscribe::Token>(verified));
    const auto& contents = std::get<unsubscribe::Token>(verified);
    CHECK(contents.key_id == 1);
    CHECK(contents.issued == nov_28_2026);
    CHECK(contents.campaign == unsubscribe::campaign_tag("spring"));
    CHECK(unsubscribe::prefix_matches(contents, recipient("jane@client.fr")));
    CHECK(unsubscribe::prefix_matches(contents, recipient("Jane@CLIENT.fr")));
    CHECK_FALSE(unsubscribe::prefix_matches(contents, recipient("john@client.fr")));
}

TEST_CASE("a token is the known answer computed with sha256sum and openssl dgst", "[unsubscribe]")
{
    // Computed outside this code, from the layout in token.h:
    //   tag=$(printf %s spring | sha256sum | cut -c1-8)
    //   rcpt=$(printf %s jane@client.fr | sha256sum | cut -c1-36)
    //   signed="0101$(printf %04x $((20785 - 18262)))$tag$rcpt"
    //   mac=$(printf %s "$signed" | xxd -r -p |
    //         openssl dgst -sha256 -hmac 'key-1-0123456789abcdefghijklmnopqrstuvwxyz' -r | cut -c1-26)
    //   printf %s "$signed$mac" | xxd -r -p | basenc --base64url
    const std::string known = "AQEJ22IqSU35AkWdM8S8FucrxJHs3khZgYmGPjspDgsQhCwoBHBL";
    CHECK(unsubscribe::make_token(key(1), recipient("jane@client.fr"), "spring", nov_28_2026) == known);
    CHECK(std::holds_alternative<unsubscribe::Token>(verify(known, {key(1)})));
}

TEST_CASE("HMAC-SHA256 and SHA-256 are the known answers of openssl dgst", "[unsubscribe][digest]")
{
    // RFC 4231 test case 2; the same value from
    //   printf %s 'what do ya want for nothing?' | openssl dgst -sha256 -hmac Jefe
    const std::string_view jefe = "what do ya want for nothing?";
    const auto* bytes = reinterpret_cast<const unsigned char*>(jefe.data());
    const policy::HmacSha256 key("Jefe");
    CHECK(hex(key.sign({bytes, jefe.size()})) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    // The prepared key does not change with use: the same answer again.
    CHECK(hex(key.sign({bytes, jefe.size()})) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    // printf '' | openssl dgst -sha256 -hmac 'key-1-0123456789abcdefghijklmnopqrstuvwxyz'
    CHECK(hex(policy::HmacSha256("key-1-0123456789abcdefghijklmnopqrstuvwxyz").sign({})) ==
          "4d46469d7593e2e8bb0a1b498297cf0f3c84af43f35c613758ce17d6f1adb551");
    // printf %s spring | sha256sum
    CHECK(policy::sha256_hex("spring") == "622a494d3ea8c7ba2fed4f37909f14d9b50ab412322de39be62c8d6c2418bfca");
    CHECK(hex(policy::sha256("spring")) == policy::sha256_hex("spring"));
}

TEST_CASE("a key read from the policy signs as its secret does", "[unsubscribe]")
{
    const auto token = unsubscribe::make_token(prepared(key(1)), recipient("jane@client.fr"), "spring", nov_28_2026);
    CHECK(token == "AQEJ22IqSU35AkWdM8S8FucrxJHs3khZgYmGPjspDgsQhCwoBHBL");  // the known answer above
    CHECK(std::holds_alternative<unsubscribe::Token>(verify(token, {prepared(key(1))})));
    CHECK(std::holds_alternative<unsubscribe::Token>(verify(token, {key(1)})));
    const auto forged = unsubscribe::make_token(prepared(key(1, "an attacker's own secret of 32 bytes or more!!")),
                                                recipient("jane@client.fr"), "spring", nov_28_2026);
    CHECK(problem_of(forged, {prepared(key(1))}) == TokenProblem::bad_signature);
}

TEST_CASE("threads sign and verify with one shared key at once, as one thread does", "[unsubscribe][threads]")
{
    const std::vector<policy::SigningKey> keys{prepared(key(1)), prepared(key(2))};
    constexpr int recipients = 200;
    std::vector<store::Hash> hashes;
    std::vector<std::string> expected;
    for (int i = 0; i < recipients; ++i) {
        hashes.push_back(recipient("prospect-" + std::to_string(i) + "@client.fr"));
        expected.push_back(unsubscribe::make_token(keys[i % 2], hashes.back(), "spring", nov_28_2026 + i));
    }
    constexpr int threads = 8;
    std::vector<int> mismatches(threads, 0);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            for (int round = 0; round < 5; ++round)
                for (int i = (t * 7) % recipients, n = 0; n < recipients; ++n, i = (i + 1) % recipients) {
                    const auto token = unsubscribe::make_token(keys[i % 2], hashes[i], "spring", nov_28_2026 + i);
                    const auto checked = unsubscribe::verify_token(token, keys);
                    const auto* contents = std::get_if<unsubscribe::Token>(&checked);
                    if (token != expected[i] || !contents || contents->issued != nov_28_2026 + i ||
                        contents->campaign != unsubscribe::campaign_tag("spring") ||
                        !unsubscribe::prefix_matches(*contents, hashes[i]))
                        ++mismatches[t];
                }
        });
    for (auto& worker : workers)
        worker.join();
    CHECK(mismatches == std::vector<int>(threads, 0));
}

TEST_CASE("tokens differ by recipient, campaign, day and key", "[unsubscribe]")
{
    std::set<std::string> tokens{
        unsubscribe::make_token(key(1), recipient("jane@client.fr"), "spring", nov_28_2026),
        unsubscribe::make_token(key(1), recipient("john@client.fr"), "spring", nov_28_2026),
        unsubscribe::make_token(key(1), recipient("jane@client.fr"), "autumn", nov_28_2026),
        unsubscribe::make_token(key(1), recipient("jane@client.fr"), "spring", nov_28_2026 + 1),
        unsubscribe::make_token(key(2), recipient("jane@client.fr"), "spring", nov_28_2026),
    };
    CHECK(tokens.size() == 5);
}

TEST_CASE("a key rotation keeps the tokens the old key signed", "[unsubscribe]")
{
    const auto old_token = unsubscribe::make_token(key(1), recipient("jane@client.fr"), "spring", nov_28_2026);
    // Key 2 added and signing now; key 1 still listed: old links work.
    CHECK(std::holds_alternative<unsubscribe::Token>(verify(old_token, {key(1), key(2)})));
    // Key 1 retired: its tokens stop working, and say why in the log.
    CHECK(problem_of(old_token, {key(2)}) == TokenProblem::unknown_key);
}

TEST_CASE("no altered, truncated or forged token is accepted", "[unsubscribe]")
{
    const auto token = unsubscribe::make_token(key(1), recipient("jane@client.fr"), "spring", nov_28_2026);
    const std::vector<policy::SigningKey> keys{key(1)};
    SECTION("every single character changed")
    {
        int refused = 0;
        for (std::size_t i = 0; i < token.size(); ++i) {
            std::string altered = token;
            altered[i] = altered[i] == 'A' ? 'B' : 'A';
            refused += std::holds_alternative<TokenProblem>(verify(altered, keys));
        }
        CHECK(refused == static_cast<int>(token.size()));
    }
    SECTION("truncated or lengthened")
    {
        CHECK(problem_of(token.substr(0, 51), keys) == TokenProblem::malformed);
        CHECK(problem_of(token + "A", keys) == TokenProblem::malformed);
        CHECK(problem_of("", keys) == TokenProblem::malformed);
    }
    SECTION("characters outside base64url")
    {
        std::string altered = token;
        altered[10] = '+';
        CHECK(problem_of(altered, keys) == TokenProblem::malformed);
        altered[10] = '=';
        CHECK(problem_of(altered, keys) == TokenProblem::malformed);
    }
    SECTION("signed by a key of the same id that is not ours")
    {
        const auto forged = unsubscribe::make_token(key(1, "an attacker's own secret of 32 bytes or more!!"),
                                                    recipient("jane@client.fr"), "spring", nov_28_2026);
        CHECK(problem_of(forged, keys) == TokenProblem::bad_signature);
    }
    SECTION("signed by a key id we do not have")
    {
        const auto foreign = unsubscribe::make_token(key(9), recipient("jane@client.fr"), "spring", nov_28_2026);
        CHECK(problem_of(foreign, keys) == TokenProblem::unknown_key);
    }
}

TEST_CASE("the campaign a token names is found among the declared ones", "[unsubscribe]")
{
    test::PolicyFile file(test::minimal_policy + spring_campaign);
    const auto loaded = file.load();
    REQUIRE(loaded.ok());
    auto token = std::get<unsubscribe::Token>(
        verify(unsubscribe::make_token(key(1), recipient("a@b.fr"), "spring", nov_28_2026), {key(1)}));
    CHECK(unsubscribe::campaign_of(token, *loaded.policy) == "spring");
    token.campaign = unsubscribe::campaign_tag("withdrawn");
    const auto tag = unsubscribe::campaign_tag("withdrawn");
    char hex[16];
    std::snprintf(hex, sizeof hex, "#%02x%02x%02x%02x", tag[0], tag[1], tag[2], tag[3]);
    CHECK(unsubscribe::campaign_of(token, *loaded.policy) == hex);
}

TEST_CASE("the unsubscribe group of the policy is read and checked", "[unsubscribe][config]")
{
    test::TempDir dir;
    const std::string secret(48, 'k');
    const auto good = key_file(dir, "k1.key", secret + "\n", 0640);
    const auto group = [&](const std::string& body) {
        return test::minimal_policy + "unsubscribe: {\n" + body + "\n};\n";
    };
    SECTION("a complete group")
    {
        const auto second = key_file(dir, "k2.key", std::string(40, 'z'), 0600);
        test::PolicyFile file(group("keys = ( { id = 1; file = \"" + good + "\"; }, { id = 2; file = \"" + second +
                                    "\"; } );\n url = \"https://www.example.com/u/\"; address = \"Unsubscribe@Example.com\";"
                                    " existing_header = \"keep\"; several_recipients = \"refuse\"; listen = \"127.0.0.1:8026\";"));
        const auto loaded = file.load();
        INFO((loaded.errors.empty() ? "" : loaded.errors.front().to_string()));
        REQUIRE(loaded.ok());
        const auto& settings = loaded.policy->unsubscribe;
        CHECK(settings.keys.size() == 2);
        CHECK(settings.signing_key()->id == 2);
        CHECK(settings.keys[0].secret == secret);  // the newline is not part of the key
        CHECK(settings.address == "unsubscribe@example.com");
        CHECK(settings.address_local_part() == "unsubscribe");
        CHECK(settings.address_domain() == "example.com");
        CHECK(settings.existing_header == policy::ExistingUnsubscribeHeader::keep);
        CHECK(settings.several_recipients == policy::SharedMessage::refuse);
        CHECK(settings.injects());
    }
    const auto single_error = [&](const std::string& body, const std::string& expected, unsigned line) {
        test::PolicyFile file(group(body));
        const auto loaded = file.load();
        REQUIRE_FALSE(loaded.ok());
        REQUIRE(loaded.errors.size() >= 1);
        INFO(loaded.errors.front().to_string());
        CHECK(loaded.errors.front().file == file.path());
        CHECK(loaded.errors.front().line == line);
        CHECK_THAT(loaded.errors.front().message, Catch::Contains(expected));
    };
    // The group starts on line 5 of the file (minimal_policy is 4 lines).
    SECTION("a key file anyone can read")
    {
        const auto open = key_file(dir, "open.key", secret, 0644);
        single_error("keys = ( { id = 1; file = \"" + open + "\"; } );", "accessible to all users", 6);
    }
    SECTION("a key too short")
    {
        const auto shortkey = key_file(dir, "short.key", "tooshort", 0600);
        single_error("keys = ( { id = 1; file = \"" + shortkey + "\"; } );", "fewer than 32 bytes", 6);
    }
    SECTION("a missing key file")
    {
        single_error("keys = ( { id = 1; file = \"" + dir.path() + "/none.key\"; } );", "cannot read", 6);
    }
    SECTION("the same id twice")
    {
        single_error("keys = ( { id = 1; file = \"" + good + "\"; },\n { id = 1; file = \"" + good + "\"; } );",
                     "used twice", 7);
    }
    SECTION("a url that is not https")
    {
        single_error("keys = ( { id = 1; file = \"" + good + "\"; } );\nurl = \"http://www.example.com/u/\";",
                     "https://", 7);
    }
    SECTION("an address whose local part leaves no room for the token")
    {
        single_error("keys = ( { id = 1; file = \"" + good + "\"; } );\naddress = \"desinscription@example.com\";",
                     "longer than 11", 7);
    }
    SECTION("a listener off loopback")
    {
        single_error("keys = ( { id = 1; file = \"" + good + "\"; } );\nlisten = \"0.0.0.0:8026\";", "loopback", 7);
    }
    SECTION("links without keys")
    {
        single_error("url = \"https://www.example.com/u/\";", "no keys", 5);
    }
}

TEST_CASE("the List-Unsubscribe values", "[unsubscribe]")
{
    policy::UnsubscribeSettings settings;
    settings.url = "https://www.example.com/u/";
    settings.address = "unsubscribe@example.com";
    const auto personal = unsubscribe::personal_headers(settings, "TOKEN");
    CHECK(personal.list_unsubscribe ==
          "<https://www.example.com/u/TOKEN>, <mailto:unsubscribe+TOKEN@example.com?subject=unsubscribe>");
    CHECK(personal.one_click);
    const auto generic = unsubscribe::generic_headers(settings);
    REQUIRE(generic);
    CHECK(generic->list_unsubscribe == "<mailto:unsubscribe@example.com?subject=unsubscribe>");
    CHECK_FALSE(generic->one_click);
    settings.url.clear();
    CHECK_FALSE(unsubscribe::personal_headers(settings, "T").one_click);  // no one-click without https
    settings.address.clear();
    CHECK_FALSE(unsubscribe::generic_headers(settings));
}

TEST_CASE("the unsubscribe address is recognised, its token kept as written", "[unsubscribe]")
{
    policy::UnsubscribeSettings settings;
    settings.address = "unsubscribe@example.com";
    CHECK(unsubscribe::intake_token(settings, "<unsubscribe+AbC-_9@example.com>") == std::optional<std::string>("AbC-_9"));
    CHECK(unsubscribe::intake_token(settings, "Unsubscribe+AbC@EXAMPLE.COM") == std::optional<std::string>("AbC"));
    CHECK(unsubscribe::intake_token(settings, "<unsubscribe@example.com>") == std::optional<std::string>(""));
    CHECK_FALSE(unsubscribe::intake_token(settings, "<unsubscribed@example.com>"));
    CHECK_FALSE(unsubscribe::intake_token(settings, "<unsubscribe+x@example.org>"));
    CHECK_FALSE(unsubscribe::intake_token(settings, "<sales@example.com>"));
    settings.address.clear();
    CHECK_FALSE(unsubscribe::intake_token(settings, "<unsubscribe@example.com>"));
}

TEST_CASE("an unsubscribe suppresses the recipient the token names", "[unsubscribe][store]")
{
    test::TempDir dir;
    store::StoreOptions options;
    options.path = dir.store_path();
    options.map_size = 16ull << 20;
    auto store = store::Store::open(options);
    test::PolicyFile file(test::minimal_policy + spring_campaign);
    const auto policy = file.load().policy;
    REQUIRE(policy);
    const auto jane = std::get<store::Address>(store::normalise_address("jane@client.fr"));
    const auto token_for = [&](std::string_view address) {
        return std::get<unsubscribe::Token>(
            verify(unsubscribe::make_token(key(1), recipient(address), "spring", nov_28_2026), {key(1)}));
    };

    SECTION("known from the contact history: under the whole hash")
    {
        store->record_contact(store::address_key(jane), 1000, "spring");
        store->record_contact(recipient("zoe@client.fr"), 1000, "spring");  // a neighbour in key order
        const auto taken = unsubscribe::take_unsubscribe(*store, *policy, token_for("jane@client.fr"),
                                                         store::SuppressionSource::one_click, 2000);
        CHECK(taken.whole_key);
        CHECK(taken.new_entry);
        CHECK(taken.key == store::address_key(jane));
        const auto entry = store->suppression(store::address_key(jane));
        REQUIRE(entry);
        CHECK(entry->source == store::SuppressionSource::one_click);
        CHECK(entry->campaign == "spring");
        CHECK(store->suppressed(jane));
        CHECK_FALSE(store->suppressed(std::get<store::Address>(store::normalise_address("zoe@client.fr"))));
        const auto again = unsubscribe::take_unsubscribe(*store, *policy, token_for("jane@client.fr"),
                                                         store::SuppressionSource::mailto, 3000);
        CHECK_FALSE(again.new_entry);
        CHECK(store->suppression(store::address_key(jane))->when == 2000);  // the first one stays
    }
    SECTION("unknown to the contact history: under the partial key, still honoured")
    {
        const auto taken = unsubscribe::take_unsubscribe(*store, *policy, token_for("jane@client.fr"),
                                                         store::SuppressionSource::mailto, 2000);
        CHECK_FALSE(taken.whole_key);
        CHECK(taken.key == store::partial_key(store::address_key(jane)));
        CHECK_FALSE(store->suppression(store::address_key(jane)));
        const auto refusal = store->suppressed(jane);
        REQUIRE(refusal);
        CHECK_FALSE(refusal->whole_domain);
        CHECK(refusal->entry.source == store::SuppressionSource::mailto);
        CHECK_FALSE(store->suppressed(std::get<store::Address>(store::normalise_address("john@client.fr"))));
        // Once the history knows the whole hash again, a second unsubscribe
        // finds the partial entry and adds nothing.
        store->record_contact(store::address_key(jane), 2500, "spring");
        CHECK_FALSE(unsubscribe::take_unsubscribe(*store, *policy, token_for("jane@client.fr"),
                                                  store::SuppressionSource::mailto, 3000)
                        .new_entry);
    }
}

TEST_CASE("an unsubscribe record names the channel, outcome and token, never the token itself", "[unsubscribe]")
{
    test::PolicyFile file(test::minimal_policy);
    const auto policy = file.load().policy;
    REQUIRE(policy);
    const auto text = unsubscribe::make_token(key(3), recipient("jane@client.fr"), "spring", nov_28_2026);
    const auto token = std::get<unsubscribe::Token>(verify(text, {key(3)}));
    unsubscribe::Unsubscribed taken{store::address_key(std::get<store::Address>(store::normalise_address("jane@client.fr"))),
                                    true, true, "spring"};
    unsubscribe::UnsubscribeEvent event{"one-click", "suppressed", &token, &taken, std::nullopt, "", ""};
    const auto record = unsubscribe::unsubscribe_record(*policy, event);
    CHECK(*record.find("PROSPECT_EVENT") == "unsubscribe");
    CHECK(*record.find("PROSPECT_CHANNEL") == "one-click");
    CHECK(*record.find("PROSPECT_OUTCOME") == "suppressed");
    CHECK(*record.find("PROSPECT_RECIPIENT") == store::to_hex(taken.key));
    CHECK(*record.find("PROSPECT_CAMPAIGN") == "spring");
    CHECK(*record.find("PROSPECT_TOKEN_KEY") == "3");
    CHECK(*record.find("PROSPECT_TOKEN_ISSUED") == "2026-11-28");
    for (const auto& [name, value] : record.fields)
        CHECK(value.find(text) == std::string::npos);
}
