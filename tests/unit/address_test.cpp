#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include "store/address.h"

namespace {

// The normalised form of `text`, failing the test with the reason when it
// is refused.
std::string normalised(std::string_view text)
{
    auto result = store::normalise_address(text);
    if (const auto* invalid = std::get_if<store::Invalid>(&result))
        FAIL("refused " << text << ": " << invalid->reason);
    return std::get<store::Address>(result).normalised;
}

// Why `text` is refused, failing the test when it is not.
std::string refusal(std::string_view text)
{
    auto result = store::normalise_address(text);
    if (const auto* address = std::get_if<store::Address>(&result))
        FAIL("accepted " << text << " as " << address->normalised);
    return std::get<store::Invalid>(result).reason;
}

std::string domain(std::string_view text)
{
    auto result = store::normalise_domain(text);
    if (const auto* invalid = std::get_if<store::Invalid>(&result))
        FAIL("refused " << text << ": " << invalid->reason);
    return std::get<store::Domain>(result).name;
}

}  // namespace

TEST_CASE("an address is lower-cased, trimmed and stripped of its angle brackets", "[address]")
{
    CHECK(normalised("Jane.Doe@Example.COM") == "jane.doe@example.com");
    CHECK(normalised("  <Jane.Doe@example.com>\r\n") == "jane.doe@example.com");
    CHECK(normalised("\t jane@example.com ") == "jane@example.com");
}

TEST_CASE("dots and plus tags are kept", "[address]")
{
    CHECK(normalised("J.Doe+News-2026@example.com") == "j.doe+news-2026@example.com");
    CHECK(normalised("jdoe@example.com") != normalised("j.doe@example.com"));
    CHECK(normalised("john..doe.@docomo.ne.jp") == "john..doe.@docomo.ne.jp");
}

TEST_CASE("the parts are given apart", "[address]")
{
    auto result = store::normalise_address("<Jane+X@Bücher.Example>");
    REQUIRE(std::holds_alternative<store::Address>(result));
    const auto& address = std::get<store::Address>(result);
    CHECK(address.local_part == "jane+x");
    CHECK(address.domain == "xn--bcher-kva.example");
    CHECK(address.normalised == "jane+x@xn--bcher-kva.example");
}

TEST_CASE("domains become IDNA A-labels", "[address]")
{
    CHECK(normalised("jane@bücher.example") == "jane@xn--bcher-kva.example");
    CHECK(normalised("jane@BÜCHER.EXAMPLE") == "jane@xn--bcher-kva.example");
    CHECK(normalised("jane@xn--bcher-kva.example") == "jane@xn--bcher-kva.example");
    CHECK(normalised("jane@XN--BCHER-KVA.example") == "jane@xn--bcher-kva.example");
    // Non-transitional: ß is a letter of its own, not "ss".
    CHECK(normalised("info@straße.de") == "info@xn--strae-oqa.de");
    // What non-transitional processing refuses, transitional may map.
    CHECK(normalised("jane@\xF0\x9F\x98\x80.example") == "jane@xn--e28h.example");
    // Full-width letters and the ideographic full stop map to ASCII.
    CHECK(normalised("jane@ＥＸＡＭＰＬＥ。com") == "jane@example.com");
}

TEST_CASE("the non-ASCII letters of a local part are kept as they are", "[address]")
{
    CHECK(normalised("JÖRG@example.de") == "jÖrg@example.de");
}

TEST_CASE("one trailing dot of the domain is removed", "[address]")
{
    CHECK(normalised("jane@example.com.") == "jane@example.com");
    CHECK_THAT(refusal("jane@example.com.."), Catch::Contains("empty label"));
}

TEST_CASE("a quoted local part keeps its quotes only when it needs them", "[address]")
{
    CHECK(normalised("\"John Doe\"@example.com") == "\"john doe\"@example.com");
    CHECK(normalised("\"john\"@example.com") == "john@example.com");
    CHECK(normalised("\"John.Doe+x\"@example.com") == "john.doe+x@example.com");
    // A quoted pair stands for its character; only '"' and '\' keep the backslash.
    CHECK(normalised("\"jo\\hn\"@example.com") == "john@example.com");
    CHECK(normalised("\"a\\\"b\"@example.com") == "\"a\\\"b\"@example.com");
    // An '@' inside the quotes is part of the local part.
    CHECK(normalised("\"a@b\"@Example.com") == "\"a@b\"@example.com");
}

TEST_CASE("the address is split at its last '@'", "[address]")
{
    CHECK_THAT(refusal("a@b@example.com"), Catch::Contains("'@'") && Catch::Contains("local part"));
    CHECK_THAT(refusal("\"a\"@b@example.com"), Catch::Contains("'@'") && Catch::Contains("domain"));
}

TEST_CASE("an address literal is kept as written", "[address]")
{
    CHECK(normalised("postmaster@[192.0.2.1]") == "postmaster@[192.0.2.1]");
    CHECK(normalised("postmaster@[IPv6:2001:DB8::1]") == "postmaster@[ipv6:2001:db8::1]");
    CHECK_THAT(refusal("postmaster@[192.0.2.1"), Catch::Contains("address literal"));
}

TEST_CASE("what is not an address is refused with the reason", "[address]")
{
    CHECK_THAT(refusal(""), Catch::Contains("empty address"));
    CHECK_THAT(refusal("  <>  "), Catch::Contains("empty address"));
    CHECK_THAT(refusal("jane.example.com"), Catch::Contains("no '@'"));
    CHECK_THAT(refusal("@example.com"), Catch::Contains("empty local part"));
    CHECK_THAT(refusal("\"\"@example.com"), Catch::Contains("empty local part"));
    CHECK_THAT(refusal("jane@"), Catch::Contains("empty domain"));
    CHECK_THAT(refusal("jane@."), Catch::Contains("empty domain"));
    CHECK_THAT(refusal("ja ne@example.com"), Catch::Contains("space") && Catch::Contains("quotes"));
    CHECK_THAT(refusal("ja\tne@example.com"), Catch::Contains("control character"));
    CHECK_THAT(refusal("\"ja\x01ne\"@example.com"), Catch::Contains("control character"));
    CHECK_THAT(refusal("\"jane@example.com"), Catch::Contains("unterminated"));
    CHECK_THAT(refusal("\"jane\"x@example.com"), Catch::Contains("quoted local part"));
    CHECK_THAT(refusal("j\xe9rome@example.com"), Catch::Contains("UTF-8"));
    CHECK_THAT(refusal(std::string(65, 'a') + "@example.com"), Catch::Contains("64 octets"));
    CHECK(normalised(std::string(64, 'a') + "@example.com").size() == 64 + 12);
}

TEST_CASE("a domain IDNA refuses is refused with libidn2's reason", "[address]")
{
    CHECK_THAT(refusal("jane@-example.com"), Catch::Contains("not valid IDNA") && Catch::Contains("hyphen"));
    CHECK_THAT(refusal("jane@xn--zz.com"), Catch::Contains("not valid IDNA") && Catch::Contains("punycode"));
    CHECK_THAT(refusal("jane@caf\xe9.com"), Catch::Contains("not valid IDNA"));
    CHECK_THAT(refusal("jane@" + std::string(64, 'a') + ".com"), Catch::Contains("63"));
    CHECK_THAT(refusal("jane@exa mple.com"), Catch::Contains("space") && Catch::Contains("domain"));
    CHECK_THAT(refusal("jane@example..com"), Catch::Contains("empty label"));
    std::string long_domain;  // 4 x 61 + 10 = 254 octets: libidn2 allows 255
    for (int i = 0; i < 4; ++i)
        long_domain += std::string(60, static_cast<char>('a' + i)) + ".";
    CHECK_THAT(refusal("jane@" + long_domain + "example.fr"), Catch::Contains("253 octets"));
    CHECK(normalised("jane@" + long_domain + "example.f").size() == 5 + 253);
}

TEST_CASE("a domain alone, with or without its '@'", "[address]")
{
    CHECK(domain("Bücher.Example") == "xn--bcher-kva.example");
    CHECK(domain(" @Example.COM. ") == "example.com");
    CHECK(std::holds_alternative<store::Invalid>(store::normalise_domain("@")));
    CHECK(std::holds_alternative<store::Invalid>(store::normalise_domain("a@b.com")));
}

TEST_CASE("keys are the SHA-256 a CRM computes with sha256sum", "[address]")
{
    // Each hex value computed outside this code: printf %s 'TEXT' | sha256sum
    auto jane = std::get<store::Address>(store::normalise_address("Jane.Doe+News@Bücher.Example"));
    CHECK(store::to_hex(store::address_key(jane)) ==
          "de894c67a94a6d5ed1a5c9e7b5e45391c92d2666b1cce14af7c847a064cf305f");  // jane.doe+news@xn--bcher-kva.example
    auto john = std::get<store::Address>(store::normalise_address("<John.Smith@Example.COM.>"));
    CHECK(store::to_hex(store::address_key(john)) ==
          "8e621e3d0368631d263d07a351fa8d34fba0d17c15fbcdec11a5f58008d022a0");  // john.smith@example.com
    auto quoted = std::get<store::Address>(store::normalise_address("\"John Doe\"@example.fr"));
    CHECK(store::to_hex(store::address_key(quoted)) ==
          "ab7a4cf669adbb0488024329c318f85f872e277fc1fb81ab845361f45ec3fc2b");  // "john doe"@example.fr
    CHECK(store::to_hex(store::domain_key(jane.domain)) ==
          "aa7417c580d60cdfe787180fcd19ee7661a541f7edc2742d25862d66b7d5c55c");  // @xn--bcher-kva.example
}

TEST_CASE("threads hash addresses at once, as one thread does", "[address][threads]")
{
    constexpr int addresses = 500;
    std::vector<store::Address> parsed;
    std::vector<store::Hash> expected;
    for (int i = 0; i < addresses; ++i) {
        parsed.push_back(std::get<store::Address>(store::normalise_address("p" + std::to_string(i) + "@client.fr")));
        expected.push_back(store::address_key(parsed.back()));
    }
    // One value computed outside this code: printf %s p0@client.fr | sha256sum
    CHECK(store::to_hex(expected[0]) == "849ae3ede281251ce2f1c2b6221941c2860441126db1364ddb9abede586a58b9");
    const auto client_fr = store::domain_key("client.fr");
    constexpr int threads = 8;
    std::vector<int> mismatches(threads, 0);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            for (int round = 0; round < 10; ++round)
                for (int i = 0; i < addresses; ++i) {
                    const int n = (i + t * 61) % addresses;
                    mismatches[t] += store::address_key(parsed[n]) != expected[n] ||
                                     store::domain_key(parsed[n].domain) != client_fr;
                }
        });
    for (auto& worker : workers)
        worker.join();
    CHECK(mismatches == std::vector<int>(threads, 0));
}

TEST_CASE("hashes go to hex and back", "[address]")
{
    const auto key = store::domain_key("example.com");
    const std::string hex = store::to_hex(key);
    CHECK(hex == "5ded7034f18daeb6f3e8a29b9cefb5084a25a289ea98e8bddb94a2e4df875afa");
    CHECK(store::hash_from_hex(hex) == key);
    std::string upper = hex;
    for (char& c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK(store::hash_from_hex(upper) == key);
    CHECK_FALSE(store::hash_from_hex(hex.substr(1)));
    CHECK_FALSE(store::hash_from_hex(hex + "0"));
    CHECK_FALSE(store::hash_from_hex("g" + hex.substr(1)));
    CHECK_FALSE(store::hash_from_hex(""));
}
