#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>
#include <vector>

#include "temp_dir.h"
#include "store/codec.h"
#include "store/store.h"

using store::Hash;
using store::Store;
using store::StoreError;
using store::StoreOptions;
using store::Suppression;
using store::SuppressionSource;
using store::Table;
using test::TempDir;

namespace {

StoreOptions options_for(const TempDir& dir)
{
    StoreOptions options;
    options.path = dir.store_path();
    options.map_size = 64ull << 20;
    return options;
}

store::Address address(std::string_view text)
{
    return std::get<store::Address>(store::normalise_address(text));
}

Hash key_of(std::string_view text)
{
    return store::address_key(address(text));
}

// The key of the n-th prospect of a bulk test.
Hash numbered(std::size_t n)
{
    return key_of("prospect-" + std::to_string(n) + "@example.com");
}

Suppression objection(store::Time when, SuppressionSource source = SuppressionSource::cli,
                      std::string campaign = "spring-2026")
{
    Suppression entry;
    entry.when = when;
    entry.source = source;
    entry.campaign = std::move(campaign);
    entry.note = "asked by phone";
    return entry;
}

}  // namespace

TEST_CASE("a store is created in its directory, not in missing parents", "[store]")
{
    TempDir dir;
    auto options = options_for(dir);
    {
        auto db = Store::open(options);
        CHECK(db->path() == options.path);
    }
    struct stat status {};
    REQUIRE(::stat(options.path.c_str(), &status) == 0);
    const mode_t mask = ::umask(0);
    ::umask(mask);
    CHECK((status.st_mode & 0777) == (0750 & ~mask));
    CHECK(std::filesystem::exists(options.path + "/data.mdb"));

    options.path = dir.path() + "/missing/store";
    CHECK_THROWS_WITH(Store::open(options), Catch::Contains(options.path) && Catch::Contains("No such file"));

    options.path = dir.path() + "/file";
    std::fclose(std::fopen(options.path.c_str(), "w"));
    CHECK_THROWS_WITH(Store::open(options), Catch::Contains(options.path) && Catch::Contains("Not a directory"));
}

TEST_CASE("suppressions are added, found and removed", "[store]")
{
    TempDir dir;
    auto db = Store::open(options_for(dir));
    const auto jane = address("Jane.Doe@Example.com");

    CHECK_FALSE(db->suppressed(jane));
    CHECK(db->suppress(store::address_key(jane), objection(1000, SuppressionSource::one_click)));
    const auto refusal = db->suppressed(address("<jane.doe@EXAMPLE.COM>"));
    REQUIRE(refusal);
    CHECK_FALSE(refusal->whole_domain);
    CHECK(refusal->entry.when == 1000);
    CHECK(refusal->entry.source == SuppressionSource::one_click);
    CHECK(refusal->entry.campaign == "spring-2026");
    CHECK(refusal->entry.note == "asked by phone");
    CHECK(db->count(Table::suppression) == 1);

    CHECK(db->unsuppress(store::address_key(jane)));
    CHECK_FALSE(db->unsuppress(store::address_key(jane)));
    CHECK_FALSE(db->suppressed(jane));
    CHECK(db->count(Table::suppression) == 0);
}

TEST_CASE("a second suppression of the same recipient keeps the first", "[store]")
{
    TempDir dir;
    auto db = Store::open(options_for(dir));
    const Hash key = key_of("jane@example.com");
    CHECK(db->suppress(key, objection(1000, SuppressionSource::mailto, "first")));
    CHECK_FALSE(db->suppress(key, objection(2000, SuppressionSource::import, "second")));
    const auto entry = db->suppression(key);
    REQUIRE(entry);
    CHECK(entry->when == 1000);
    CHECK(entry->source == SuppressionSource::mailto);
    CHECK(entry->campaign == "first");
}

TEST_CASE("a suppressed domain refuses every address in it, not its subdomains", "[store]")
{
    TempDir dir;
    auto db = Store::open(options_for(dir));
    const auto domain = std::get<store::Domain>(store::normalise_domain("@Client.Example"));
    CHECK(db->suppress(store::domain_key(domain.name), objection(500, SuppressionSource::cli, "")));

    for (const auto* text : {"jane@client.example", "<Bob+x@CLIENT.example.>", "\"a b\"@client.example"}) {
        const auto refusal = db->suppressed(address(text));
        INFO(text);
        REQUIRE(refusal);
        CHECK(refusal->whole_domain);
        CHECK(refusal->entry.when == 500);
    }
    CHECK_FALSE(db->suppressed(address("jane@sales.client.example")));
    CHECK_FALSE(db->suppressed(address("jane@client.example.org")));

    // The recipient's own objection is the one reported.
    db->suppress(key_of("jane@client.example"), objection(900));
    const auto own = db->suppressed(address("jane@client.example"));
    REQUIRE(own);
    CHECK_FALSE(own->whole_domain);
    CHECK(own->entry.when == 900);
}

TEST_CASE("consents are added, replaced and removed", "[store]")
{
    TempDir dir;
    auto db = Store::open(options_for(dir));
    const Hash key = key_of("jane@example.com");
    CHECK_FALSE(db->consent(key));
    CHECK(db->add_consent(key, {1000, "web-form", "form /newsletter from 192.0.2.7"}));
    CHECK_FALSE(db->add_consent(key, {2000, "import", "crm export 2026-03"}));
    const auto consent = db->consent(key);
    REQUIRE(consent);
    CHECK(consent->when == 2000);
    CHECK(consent->source == "import");
    CHECK(consent->proof == "crm export 2026-03");
    CHECK(db->count(Table::consent) == 1);
    CHECK(db->remove_consent(key));
    CHECK_FALSE(db->remove_consent(key));
    CHECK_FALSE(db->consent(key));
}

TEST_CASE("the contact history counts contacts and keeps the first", "[store]")
{
    TempDir dir;
    auto db = Store::open(options_for(dir));
    const Hash key = key_of("jane@example.com");
    CHECK_FALSE(db->contact(key));
    db->record_contact(key, 1000, "spring");
    db->record_contact(key, 3000, "summer");
    db->record_contact(key, 2000, "late-spring");  // held in a queue
    const auto contact = db->contact(key);
    REQUIRE(contact);
    CHECK(contact->first == 1000);
    CHECK(contact->last == 3000);
    CHECK(contact->count == 3);
    CHECK(contact->last_campaign == "summer");
    CHECK(db->count(Table::contacts) == 1);
    CHECK(db->erase_contact(key));
    CHECK_FALSE(db->erase_contact(key));
    CHECK_FALSE(db->contact(key));
}

TEST_CASE("a batch writes many entries in transactions of N", "[store]")
{
    TempDir dir;
    auto db = Store::open(options_for(dir));
    CHECK(db->suppress(numbered(7), objection(1)));
    auto batch = db->batch(1000);
    std::size_t added = 0;
    for (std::size_t n = 0; n < 25000; ++n)
        added += batch->suppress(numbered(n), objection(static_cast<store::Time>(n)));
    // 25,000 entries are 25 whole transactions, each committed when full.
    CHECK(db->count(Table::suppression) == 25000);
    batch->commit();
    CHECK(added == 24999);
    CHECK(db->count(Table::suppression) == 25000);
    CHECK(db->suppression(numbered(7))->when == 1);
    CHECK(db->suppression(numbered(24999))->when == 24999);

    auto consents = db->batch(3);
    CHECK(consents->add_consent(numbered(1), {10, "import", "a"}));
    CHECK_FALSE(consents->add_consent(numbered(1), {20, "import", "b"}));
    consents->commit();
    CHECK(db->consent(numbered(1))->proof == "b");
}

TEST_CASE("a batch erases contact histories and consents", "[store]")
{
    TempDir dir;
    auto store = Store::open(options_for(dir));
    for (int i = 0; i < 50; ++i) {
        store->record_contact(key_of("c" + std::to_string(i) + "@x.fr"), 1000, "spring");
        store->add_consent(key_of("c" + std::to_string(i) + "@x.fr"), {1000, "form", ""});
    }
    auto batch = store->batch(7);
    for (int i = 0; i < 20; ++i) {
        CHECK(batch->erase_contact(key_of("c" + std::to_string(i) + "@x.fr")));
        CHECK(batch->remove_consent(key_of("c" + std::to_string(i) + "@x.fr")));
    }
    CHECK_FALSE(batch->erase_contact(key_of("nobody@x.fr")));
    batch->commit();
    CHECK(store->count(Table::contacts) == 30);
    CHECK(store->count(Table::consent) == 30);
    CHECK_FALSE(store->contact(key_of("c0@x.fr")));
    CHECK(store->contact(key_of("c20@x.fr")));
}

TEST_CASE("a batch destroyed without commit drops only its open transaction", "[store]")
{
    TempDir dir;
    auto db = Store::open(options_for(dir));
    {
        auto batch = db->batch(10);
        for (std::size_t n = 0; n < 25; ++n)
            batch->suppress(numbered(n), objection(1));
    }
    CHECK(db->count(Table::suppression) == 20);
    CHECK(db->suppress(numbered(99), objection(1)));  // the write lock was released
}

TEST_CASE("a write from the thread holding a batch's transaction is refused, not a hang", "[store]")
{
    TempDir dir;
    auto db = Store::open(options_for(dir));
    auto batch = db->batch(100);
    batch->suppress(numbered(1), objection(1));
    CHECK_THROWS_WITH(db->suppress(numbered(2), objection(1)), Catch::Contains("batch"));
    CHECK_THROWS_AS(db->record_contact(numbered(2), 1, ""), StoreError);
    CHECK(db->count(Table::suppression) == 0);  // reads go on
    batch->commit();
    CHECK(db->suppress(numbered(2), objection(1)));
    CHECK(db->count(Table::suppression) == 2);
}

TEST_CASE("for_each visits a table in key order and stops when asked", "[store]")
{
    TempDir dir;
    auto options = options_for(dir);
    options.durable = false;  // a flush per contact would make the test slow, not better
    auto db = Store::open(options);
    auto batch = db->batch(1000);
    for (std::size_t n = 0; n < 100; ++n) {
        batch->suppress(numbered(n), objection(static_cast<store::Time>(n)));
        batch->add_consent(numbered(n), {static_cast<store::Time>(n), "cli", ""});
    }
    batch->commit();
    for (std::size_t n = 0; n < 100; ++n)
        db->record_contact(numbered(n), static_cast<store::Time>(n), "c");
    std::vector<Hash> keys;
    db->for_each_suppression([&](const Hash& key, const Suppression& entry) {
        CHECK(db->suppression(key)->when == entry.when);
        keys.push_back(key);
        return true;
    });
    CHECK(keys.size() == 100);
    CHECK(std::is_sorted(keys.begin(), keys.end()));

    int visited = 0;
    db->for_each_consent([&](const Hash&, const store::Consent&) { return ++visited < 10; });
    CHECK(visited == 10);
    visited = 0;
    db->for_each_contact([&](const Hash&, const store::Contact& contact) {
        CHECK(contact.count == 1);
        return ++visited > 0;
    });
    CHECK(visited == 100);

    CHECK_THROWS_AS(db->for_each_contact([](const Hash&, const store::Contact&) -> bool {
        throw std::runtime_error("visitor");
    }),
                    std::runtime_error);
    CHECK(db->suppress(numbered(1000), objection(1)));
}

TEST_CASE("a store reopened holds what was written", "[store]")
{
    TempDir dir;
    for (const bool durable : {true, false}) {
        auto options = options_for(dir);
        options.durable = durable;
        {
            auto db = Store::open(options);
            db->suppress(key_of("jane@example.com"), objection(42));
            db->add_consent(key_of("bob@example.com"), {43, "web-form", "ip"});
            db->record_contact(key_of("eve@example.com"), 44, "c");
        }
        auto db = Store::open(options);
        CHECK(db->suppression(key_of("jane@example.com"))->when == 42);
        CHECK(db->consent(key_of("bob@example.com"))->when == 43);
        CHECK(db->contact(key_of("eve@example.com"))->count == (durable ? 1 : 2));
    }
}

TEST_CASE("a read-only store reads and refuses every write", "[store]")
{
    TempDir dir;
    auto options = options_for(dir);
    options.read_only = true;
    CHECK_THROWS_AS(Store::open(options), StoreError);  // nothing to read yet
    CHECK_FALSE(std::filesystem::exists(options.path));

    options.read_only = false;
    Store::open(options)->suppress(key_of("jane@example.com"), objection(42));
    options.read_only = true;
    auto db = Store::open(options);
    CHECK(db->suppressed(address("jane@example.com")));
    CHECK(db->count(Table::suppression) == 1);
    CHECK_THROWS_WITH(db->suppress(numbered(1), objection(1)), Catch::Contains("read-only"));
    CHECK_THROWS_AS(db->unsuppress(key_of("jane@example.com")), StoreError);
    CHECK_THROWS_AS(db->add_consent(numbered(1), {}), StoreError);
    CHECK_THROWS_AS(db->remove_consent(numbered(1)), StoreError);
    CHECK_THROWS_AS(db->record_contact(numbered(1), 1, ""), StoreError);
    CHECK_THROWS_AS(db->erase_contact(numbered(1)), StoreError);
    CHECK_THROWS_AS(db->batch(), StoreError);
    CHECK(db->count(Table::suppression) == 1);
}

TEST_CASE("a full map is a StoreError, and the store still answers", "[store]")
{
    TempDir dir;
    auto options = options_for(dir);
    options.map_size = 128 << 10;
    auto db = Store::open(options);

    // In batches first (fast), then one by one into what is left.
    auto batch = db->batch(100);
    std::size_t tried = 0;
    CHECK_THROWS_WITH(
        [&] {
            for (; tried < 100000; ++tried)
                batch->suppress(numbered(tried), objection(1));
        }(),
        Catch::Contains(options.path) && Catch::Contains("MDB_MAP_FULL") && Catch::Contains("lost"));
    const std::uint64_t in_batches = db->count(Table::suppression);
    CHECK(in_batches >= 100);
    CHECK(in_batches % 100 == 0);
    CHECK(in_batches == tried - tried % 100);

    std::size_t single = 0;
    CHECK_THROWS_WITH(
        [&] {
            for (; single < 1000; ++single)
                db->suppress(numbered(tried + single), objection(1));
        }(),
        Catch::Contains(options.path) && Catch::Contains("MDB_MAP_FULL"));
    CHECK(db->count(Table::suppression) == in_batches + single);
    CHECK(db->suppression(numbered(0)));
    CHECK(db->suppressed(address("prospect-1@example.com")));
}

TEST_CASE("values carry a format version and survive a round trip", "[store]")
{
    const Suppression entry = objection(0x0102030405060708, SuppressionSource::one_click, "c");
    const std::string bytes = store::codec::encode(entry);
    // 01 | when, 8 bytes little-endian | source 2 | 4-byte length + "c" | 4-byte length + note
    CHECK(bytes.substr(0, 14) == std::string("\x01\x08\x07\x06\x05\x04\x03\x02\x01\x02\x01\x00\x00\x00", 14));
    Suppression back;
    REQUIRE(store::codec::decode(bytes, back));
    CHECK(back.when == entry.when);
    CHECK(back.source == entry.source);
    CHECK(back.campaign == "c");
    CHECK(back.note == entry.note);
    CHECK(store::codec::decode(bytes + "appended by a later version", back));
    CHECK_FALSE(store::codec::decode(bytes.substr(0, bytes.size() - 1), back));
    CHECK_FALSE(store::codec::decode("\x02" + bytes.substr(1), back));
    CHECK_FALSE(store::codec::decode("", back));
    std::string unknown_source = bytes;
    unknown_source[9] = 9;
    CHECK_FALSE(store::codec::decode(unknown_source, back));

    store::Contact contact{-5, 7, 1ull << 40, "summer"};
    store::Contact contact_back;
    REQUIRE(store::codec::decode(store::codec::encode(contact), contact_back));
    CHECK(contact_back.first == -5);
    CHECK(contact_back.last == 7);
    CHECK(contact_back.count == 1ull << 40);
    CHECK(contact_back.last_campaign == "summer");
}

TEST_CASE("suppression sources read and write by name", "[store]")
{
    for (const auto source : {SuppressionSource::mailto, SuppressionSource::one_click, SuppressionSource::cli,
                              SuppressionSource::import, SuppressionSource::bounce})
        CHECK(store::parse_suppression_source(store::to_string(source)) == source);
    CHECK(store::to_string(SuppressionSource::one_click) == "one-click");
    CHECK_FALSE(store::parse_suppression_source("phone"));
}

TEST_CASE("readers look up while a writer commits, and see each commit at once", "[store]")
{
    TempDir dir;
    auto db = Store::open(options_for(dir));
    constexpr std::size_t total = 20000;
    constexpr std::size_t per_transaction = 500;
    std::vector<Hash> keys;
    for (std::size_t n = 0; n < total; ++n)
        keys.push_back(numbered(n));

    std::atomic<std::size_t> committed{0};  // entries the writer has committed
    std::atomic<bool> done{false};
    std::atomic<int> errors{0};
    std::atomic<int> unseen{0};  // committed entries a later read missed
    std::atomic<long> lookups{0};
    std::string writer_error;

    std::thread writer([&] {
        try {
            auto batch = db->batch(per_transaction);
            for (std::size_t n = 0; n < total; ++n) {
                batch->suppress(keys[n], objection(static_cast<store::Time>(n)));
                if ((n + 1) % per_transaction == 0)
                    committed.store(n + 1);
            }
            batch->commit();
        } catch (const std::exception& e) {
            writer_error = e.what();
        }
        done.store(true);
    });
    std::vector<std::thread> readers;
    for (int r = 0; r < 4; ++r)
        readers.emplace_back([&, r] {
            std::mt19937 random(static_cast<unsigned>(r));
            while (!done.load()) {
                try {
                    const std::size_t seen = committed.load();
                    if (seen > 0) {
                        // The last entry of the last commit, and any earlier one.
                        if (!db->suppression(keys[seen - 1]))
                            ++unseen;
                        if (!db->suppressed(address("prospect-" + std::to_string(random() % seen) + "@example.com")))
                            ++unseen;
                    }
                    db->suppression(keys[random() % total]);  // committed or not
                    lookups += 3;
                } catch (...) {
                    ++errors;
                }
            }
        });
    writer.join();
    for (auto& reader : readers)
        reader.join();
    CHECK(writer_error.empty());
    CHECK(errors == 0);
    CHECK(unseen == 0);
    CHECK(lookups > 0);
    CHECK(db->count(Table::suppression) == total);
}

TEST_CASE("a writer killed at any moment leaves whole transactions", "[store]")
{
    std::random_device seed;
    std::mt19937 random(seed());
    for (int round = 0; round < 3; ++round) {
        TempDir dir;
        auto options = options_for(dir);
        options.durable = round != 1;  // a process crash spares both modes
        const auto commits_before_kill = static_cast<unsigned>(2 + random() % 20);
        const auto extra_microseconds = static_cast<unsigned>(random() % 5000);
        INFO("round " << round << ": kill after " << commits_before_kill << " commits + " << extra_microseconds
                      << " us");

        int progress[2];
        REQUIRE(::pipe(progress) == 0);
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            // The importer: no Catch2 here, and _exit so no parent state unwinds.
            ::close(progress[0]);
            try {
                auto db = Store::open(options);
                auto batch = db->batch(1000);
                for (std::size_t n = 0; n < 200000; ++n) {
                    batch->suppress(numbered(n), objection(static_cast<store::Time>(n), SuppressionSource::import));
                    if ((n + 1) % 1000 == 0 && ::write(progress[1], "c", 1) != 1)
                        ::_exit(2);
                }
                batch->commit();
            } catch (...) {
                ::_exit(1);
            }
            ::_exit(0);
        }
        ::close(progress[1]);
        char byte = 0;
        unsigned seen = 0;
        while (seen < commits_before_kill && ::read(progress[0], &byte, 1) == 1)
            ++seen;
        std::this_thread::sleep_for(std::chrono::microseconds(extra_microseconds));
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        ::close(progress[0]);
        CHECK(seen == commits_before_kill);
        CHECK(WIFSIGNALED(status));

        auto db = Store::open(options);
        const std::uint64_t count = db->count(Table::suppression);
        CHECK(count % 1000 == 0);
        CHECK(count >= 1000ull * commits_before_kill);
        std::uint64_t visited = 0;
        db->for_each_suppression([&](const Hash&, const Suppression& entry) {
            visited += entry.source == SuppressionSource::import;
            return true;
        });
        CHECK(visited == count);
        CHECK(db->suppress(numbered(999999), objection(1)));  // the dead writer's lock is free
    }
}
