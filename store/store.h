// store.h — the objections, consents and contact history prospect-milter
// keeps: one LMDB environment with three tables (docs/store.md).
//
//   suppression  recipient or whole domain -> when, source, campaign, note
//   consent      recipient -> when, source, proof
//   contacts     recipient -> first contact, last contact, count, last campaign
//
// Keys are SHA-256 hashes of normalised addresses (address.h), never the
// addresses themselves. Any number of threads and processes may read and
// write at once (LMDB: readers never block, writers take turns); a write is
// seen by the next lookup that starts after its commit, with no reload. A
// crash or kill -9 at any moment leaves the store as of its last commit.
//
// One Store per directory per process: LMDB forbids opening the same
// environment twice in one process (closing one handle drops the other's
// locks). Threads share the one Store.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "address.h"

namespace store {

// Seconds since the epoch (UTC).
using Time = std::int64_t;

// Something went wrong with the store itself (cannot open, disk full,
// map full, corrupt): the caller applies its failure action. The message
// names the store's path.
class StoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class SuppressionSource { mailto, one_click, cli, import, bounce };
std::string_view to_string(SuppressionSource source);
std::optional<SuppressionSource> parse_suppression_source(std::string_view text);

struct Suppression {
    Time when = 0;
    SuppressionSource source = SuppressionSource::cli;
    std::string campaign;  // the campaign the objection came from, may be empty
    std::string note;      // free text, may be empty
};

struct Consent {
    Time when = 0;
    std::string source;  // e.g. "web-form", "import", "cli"
    std::string proof;   // e.g. the opt-in form and IP address
};

struct Contact {
    Time first = 0;
    Time last = 0;
    std::uint64_t count = 0;
    std::string last_campaign;
};

// A recipient's suppression: by its own address (or its partial key, see
// address.h) or by its whole domain.
struct Refusal {
    bool whole_domain = false;
    Suppression entry;
};

enum class Table { suppression, consent, contacts };

struct StoreOptions {
    std::string path;                     // a directory; created if missing (not its parents)
    std::size_t map_size = 4ull << 30;    // bytes LMDB may map: the most the store can hold
    bool read_only = false;
    // Whether contact-history commits (record_contact) are on disk before
    // they return. Suppressions, consents and erasures always are: an
    // objection acknowledged is never lost. With false, a crash of the
    // machine may undo the last contact updates (LMDB's MDB_NOMETASYNC),
    // never the store's consistency; a crash of the process loses nothing.
    // The daemon uses false (a contact per message), prospectctl true.
    bool durable = true;
};

class Store {
public:
    // Opens (creating if needed) the store; throws StoreError.
    static std::unique_ptr<Store> open(const StoreOptions& options);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    const std::string& path() const;

    // --- Lookups (any thread; each is one read transaction) ---------------
    std::optional<Refusal> suppressed(const Address& recipient) const;
    std::optional<Suppression> suppression(const Hash& key) const;  // an address or domain key
    std::optional<Consent> consent(const Hash& key) const;
    std::optional<Contact> contact(const Hash& key) const;
    // The recipient in the contact history whose key starts with the first
    // partial_key_length bytes of `prefix` (address.h): how an unsubscribe
    // token, which carries only those, finds the whole key.
    std::optional<Hash> contact_with_prefix(const Hash& prefix) const;

    // --- Writes (any thread or process; each is one write transaction) ----
    // Each throws StoreError on a read-only store, and when the map is full.
    // Adding a suppression that exists keeps the earlier one (returns false).
    bool suppress(const Hash& key, const Suppression& entry);
    bool unsuppress(const Hash& key);  // false when there was none
    bool add_consent(const Hash& key, const Consent& entry);  // replaces; false when it existed
    bool remove_consent(const Hash& key);
    // One more contact with this recipient at `when`: count + 1, first and
    // last widened to `when`, last_campaign that of the latest contact (a
    // message held in a queue may be recorded after a later one).
    void record_contact(const Hash& key, Time when, std::string_view campaign);
    bool erase_contact(const Hash& key);

    // --- Bulk ------------------------------------------------------------
    // Writes many entries in transactions of `entries_per_transaction`
    // entries each; suppress() and add_consent() return whether the entry
    // was new, as the single writes do; commit() ends the last transaction
    // (a Batch destroyed without commit() drops the uncommitted entries).
    // From its first entry to its commit a batch holds the store's write
    // lock, in every process: use it from one thread, keep batches short
    // (the default 10,000 entries take well under a second), and do not
    // write through the Store from that thread meanwhile (StoreError rather
    // than a deadlock). A StoreError from a batch drops the entries since
    // its last commit and says how many. A Batch must not outlive its Store.
    class Batch {
    public:
        virtual ~Batch() = default;
        virtual bool suppress(const Hash& key, const Suppression& entry) = 0;
        virtual bool add_consent(const Hash& key, const Consent& entry) = 0;
        // Erasures (a purge of what is past its retention): false when there
        // was nothing under the key.
        virtual bool erase_contact(const Hash& key) = 0;
        virtual bool remove_consent(const Hash& key) = 0;
        // As Store::record_contact, many per transaction: how the daemon
        // writes its contact history (one commit, one flush, per group).
        virtual void record_contact(const Hash& key, Time when, std::string_view campaign) = 0;
        virtual void commit() = 0;
    };
    std::unique_ptr<Batch> batch(std::size_t entries_per_transaction = 10000);

    // Every entry of a table, in key order, in one read transaction; stop by
    // returning false. While a walk is open, space freed by writes is not
    // reused: walk, don't linger.
    void for_each_suppression(const std::function<bool(const Hash&, const Suppression&)>& visit) const;
    void for_each_consent(const std::function<bool(const Hash&, const Consent&)>& visit) const;
    void for_each_contact(const std::function<bool(const Hash&, const Contact&)>& visit) const;
    std::uint64_t count(Table table) const;

private:
    struct Impl;
    explicit Store(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace store
