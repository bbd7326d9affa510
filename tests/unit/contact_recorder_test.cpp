// The daemon's contact history writer (milter/contact_recorder.h) on a real
// store: group commits within the window, flush() at once, pending() until
// written, nothing lost to concurrency, stop() and back-pressure.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "temp_dir.h"
#include "milter/contact_recorder.h"
#include "store/store.h"

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using milter::ContactGrouping;
using milter::ContactRecorder;

namespace {

constexpr store::Time when = 1780000000;

std::shared_ptr<store::Store> open_store(const test::TempDir& dir)
{
    store::StoreOptions options;
    options.path = dir.store_path();
    options.map_size = 64ull << 20;
    options.durable = false;  // as the daemon opens it
    return store::Store::open(options);
}

store::Hash numbered(std::size_t n)
{
    return store::address_key(
        std::get<store::Address>(store::normalise_address("prospect-" + std::to_string(n) + "@example.com")));
}

ContactGrouping grouping(std::chrono::milliseconds window, std::size_t group_size = 1000,
                         std::size_t max_queued = 100000)
{
    ContactGrouping result;
    result.window = window;
    result.group_size = group_size;
    result.max_queued = max_queued;
    return result;
}

std::uint64_t count_of(const store::Store& store, std::size_t n)
{
    const auto contact = store.contact(numbered(n));
    return contact ? contact->count : 0;
}

bool all_written(const store::Store& store, std::size_t from, std::size_t to)
{
    for (std::size_t n = from; n < to; ++n)
        if (count_of(store, n) == 0)
            return false;
    return true;
}

// Polls until [from, to) are all in the store, or `limit` has passed;
// returns how long it took.
Clock::duration wait_written(const store::Store& store, std::size_t from, std::size_t to, Clock::time_point since,
                             Clock::duration limit = 5s)
{
    while (!all_written(store, from, to) && Clock::now() - since < limit)
        std::this_thread::sleep_for(1ms);
    return Clock::now() - since;
}

}  // namespace

TEST_CASE("contacts are written within the window, without flush()", "[contacts]")
{
    test::TempDir dir;
    const auto store = open_store(dir);
    ContactRecorder recorder;  // the daemon's grouping: 100 ms
    const auto window = ContactGrouping{}.window;
    REQUIRE(window == 100ms);
    const auto start = Clock::now();
    for (std::size_t n = 0; n < 3; ++n)
        recorder.record(store, numbered(n), when, "spring");
    for (std::size_t n = 0; n < 3; ++n)
        CHECK(recorder.pending(numbered(n)));
    // Grouped, not written one by one: nothing is on disk before the window
    // ends (checked only where this thread was quick enough to know).
    std::this_thread::sleep_for(window / 4);
    const bool early = all_written(*store, 0, 1);
    if (Clock::now() - start < window)
        CHECK_FALSE(early);
    const auto took = wait_written(*store, 0, 3, start);
    CHECK(all_written(*store, 0, 3));
    CHECK(took >= window);
    CHECK(took < window + 2s);  // the window plus a commit, on a busy machine
    for (std::size_t n = 0; n < 3; ++n)
        CHECK(count_of(*store, n) == 1);
}

TEST_CASE("flush() has the writer write now, not at the window's end", "[contacts]")
{
    test::TempDir dir;
    const auto store = open_store(dir);
    ContactRecorder recorder(grouping(60s));
    for (std::size_t n = 0; n < 50; ++n)
        recorder.record(store, numbered(n), when, "spring");
    const auto start = Clock::now();
    recorder.flush();
    const auto took = Clock::now() - start;
    CHECK(took < 5s);  // well under the window of a minute
    CHECK(all_written(*store, 0, 50));
    for (std::size_t n = 0; n < 50; ++n)
        CHECK_FALSE(recorder.pending(numbered(n)));
    // A second flush with nothing queued returns at once; the next group
    // gets a window of its own.
    recorder.flush();
    recorder.record(store, numbered(50), when, "spring");
    std::this_thread::sleep_for(50ms);
    CHECK(count_of(*store, 50) == 0);
    CHECK(recorder.pending(numbered(50)));
    recorder.flush();
    CHECK(count_of(*store, 50) == 1);
}

TEST_CASE("pending() holds until the contact is written", "[contacts]")
{
    test::TempDir dir;
    const auto store = open_store(dir);
    ContactRecorder recorder(grouping(200ms));
    const auto key = numbered(1);
    recorder.record(store, key, when, "spring");
    const auto start = Clock::now();
    int seen_pending = 0;
    for (;;) {
        // pending() first: once it says false, the store must have it.
        if (!recorder.pending(key)) {
            CHECK(store->contact(key));
            break;
        }
        ++seen_pending;
        REQUIRE(Clock::now() - start < 10s);
        std::this_thread::sleep_for(1ms);
    }
    CHECK(seen_pending > 0);
    CHECK(count_of(*store, 1) == 1);
}

TEST_CASE("a full group is written before the window ends", "[contacts]")
{
    test::TempDir dir;
    const auto store = open_store(dir);
    ContactRecorder recorder(grouping(3600s, 10));
    const auto start = Clock::now();
    for (std::size_t n = 0; n < 10; ++n)
        recorder.record(store, numbered(n), when, "spring");
    wait_written(*store, 0, 10, start);
    CHECK(all_written(*store, 0, 10));
    // Fewer than a group wait for the window, or for stop().
    for (std::size_t n = 10; n < 15; ++n)
        recorder.record(store, numbered(n), when, "spring");
    std::this_thread::sleep_for(100ms);
    CHECK(count_of(*store, 10) == 0);
    recorder.stop();
    CHECK(all_written(*store, 10, 15));
}

TEST_CASE("stop() writes everything queued, and later contacts at once", "[contacts]")
{
    test::TempDir dir;
    const auto store = open_store(dir);
    ContactRecorder recorder(grouping(3600s));
    for (std::size_t n = 0; n < 20; ++n)
        recorder.record(store, numbered(n), when, "spring");
    recorder.stop();
    CHECK(all_written(*store, 0, 20));
    recorder.record(store, numbered(20), when, "spring");
    CHECK(count_of(*store, 20) == 1);
    CHECK_FALSE(recorder.pending(numbered(20)));
    recorder.flush();  // nothing to wait for
    recorder.stop();   // twice is harmless
}

TEST_CASE("many threads recording at once lose no contact", "[contacts][threads]")
{
    test::TempDir dir;
    const auto store = open_store(dir);
    ContactRecorder recorder(grouping(20ms, 64));
    constexpr std::size_t threads = 8;
    constexpr std::size_t per_thread = 300;
    constexpr std::size_t recipients = 120;
    std::atomic<int> unknown{0};  // a contact just recorded that neither pending() nor the store knew
    std::vector<std::thread> workers;
    for (std::size_t t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            for (std::size_t i = 0; i < per_thread; ++i) {
                const std::size_t n = (t * per_thread + i) % recipients;
                recorder.record(store, numbered(n), when + static_cast<store::Time>(i), "spring");
                if (!recorder.pending(numbered(n)) && count_of(*store, n) == 0)
                    ++unknown;
                if (i % 97 == 0)
                    recorder.flush();
            }
        });
    for (auto& worker : workers)
        worker.join();
    recorder.flush();
    CHECK(unknown == 0);
    std::uint64_t total = 0;
    for (std::size_t n = 0; n < recipients; ++n) {
        INFO("recipient " << n);
        CHECK(count_of(*store, n) == threads * per_thread / recipients);
        CHECK_FALSE(recorder.pending(numbered(n)));
        total += count_of(*store, n);
    }
    CHECK(total == threads * per_thread);
}

TEST_CASE("record() waits while max_queued contacts wait for the disk", "[contacts]")
{
    test::TempDir dir;
    const auto store = open_store(dir);
    ContactRecorder recorder(grouping(10ms, 4, 8));
    // A batch holds the store's write lock from its first entry: the
    // writer's commit waits for it, as for a stalled disk.
    auto held = store->batch();
    held->record_contact(numbered(1000), when, "other");
    constexpr int total = 30;
    std::atomic<int> recorded{0};
    std::thread producer([&] {
        for (int n = 0; n < total; ++n) {
            recorder.record(store, numbered(static_cast<std::size_t>(n)), when, "spring");
            ++recorded;
        }
    });
    std::this_thread::sleep_for(300ms);
    // At most the group stuck in its commit and a full queue behind it.
    CHECK(recorded < total);
    CHECK(recorded <= 8 + 8);
    held->commit();
    producer.join();
    recorder.flush();
    CHECK(recorded == total);
    CHECK(all_written(*store, 0, total));
    CHECK(count_of(*store, 1000) == 1);
}
