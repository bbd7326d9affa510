// store.cpp — the store's operations (store.h), each one transaction on the
// LMDB environment (environment.h), entries encoded by codec.h.
#include "store.h"

#include <algorithm>

#include "codec.h"
#include "environment.h"

namespace store {

using detail::Transaction;

struct Store::Impl {
    explicit Impl(const StoreOptions& options) : environment(options) {}
    detail::Environment environment;
};

namespace {

template <typename Entry>
Entry decoded(const detail::Environment& environment, Table table, const Hash& key, std::string_view value)
{
    Entry entry;
    if (!codec::decode(value, entry))
        throw StoreError(environment.path() + ": the " + std::string(detail::table_name(table)) + " entry " +
                         to_hex(key) + " cannot be read (format version " +
                         std::to_string(value.empty() ? 0 : static_cast<unsigned char>(value[0])) + ")");
    return entry;
}

template <typename Entry>
std::optional<Entry> find(const detail::Environment& environment, Table table, const Hash& key)
{
    Transaction transaction(environment, Transaction::Kind::read);
    const auto value = transaction.get(table, key);
    if (!value)
        return std::nullopt;
    return decoded<Entry>(environment, table, key, *value);
}

// One write transaction on a table of objections or consents: flushed to
// disk before returning, whatever `durable` says.
template <typename Change>
bool write_objection(detail::Environment& environment, Change change)
{
    Transaction transaction(environment, Transaction::Kind::write);
    const bool changed = change(transaction);
    transaction.commit();
    environment.flush_objections();
    return changed;
}

template <typename Entry>
void walk(const detail::Environment& environment, Table table,
          const std::function<bool(const Hash&, const Entry&)>& visit)
{
    Transaction transaction(environment, Transaction::Kind::read);
    MDB_cursor* cursor = nullptr;
    if (const int rc = mdb_cursor_open(transaction.handle(), environment.table(table), &cursor))
        detail::fail(environment.path(), "reading the " + std::string(detail::table_name(table)) + " table", rc);
    const std::unique_ptr<MDB_cursor, void (*)(MDB_cursor*)> closer(cursor, mdb_cursor_close);
    MDB_val key{};
    MDB_val value{};
    for (int rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST); rc != MDB_NOTFOUND;
         rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)) {
        if (rc)
            detail::fail(environment.path(), "reading the " + std::string(detail::table_name(table)) + " table",
                         rc);
        Hash hash{};
        if (key.mv_size != hash.size())
            throw StoreError(environment.path() + ": a key of " + std::to_string(key.mv_size) + " bytes in the " +
                             std::string(detail::table_name(table)) + " table");
        std::copy_n(static_cast<const unsigned char*>(key.mv_data), hash.size(), hash.begin());
        const std::string_view bytes(static_cast<const char*>(value.mv_data), value.mv_size);
        if (!visit(hash, decoded<Entry>(environment, table, hash, bytes)))
            break;
    }
}

// Writes entries in transactions of a fixed number of entries. The open
// transaction holds LMDB's write lock, for every thread and process, until
// it is committed: the batch belongs to the one thread that uses it.
// One more contact with `key` at `when`, in an open write transaction.
void add_contact(const detail::Environment& environment, Transaction& transaction, const Hash& key, Time when,
                 std::string_view campaign)
{
    Contact contact;
    contact.first = contact.last = when;
    if (const auto value = transaction.get(Table::contacts, key))
        contact = decoded<Contact>(environment, Table::contacts, key, *value);
    // A message that waited in a queue may be recorded after a later one.
    contact.first = std::min(contact.first, when);
    if (when >= contact.last) {
        contact.last = when;
        contact.last_campaign = campaign;
    }
    ++contact.count;
    transaction.replace(Table::contacts, key, codec::encode(contact));
}

class StoreBatch final : public Store::Batch {
public:
    StoreBatch(detail::Environment& environment, std::size_t entries_per_transaction)
        : m_environment(environment), m_per_transaction(std::max<std::size_t>(entries_per_transaction, 1))
    {
        if (environment.read_only())
            throw StoreError(environment.path() + ": the store is open read-only");
    }

    ~StoreBatch() override { drop(); }

    bool suppress(const Hash& key, const Suppression& entry) override
    {
        m_objections = true;
        return write([&](Transaction& transaction) {
            return transaction.insert(Table::suppression, key, codec::encode(entry));
        });
    }

    bool add_consent(const Hash& key, const Consent& entry) override
    {
        m_objections = true;
        return write([&](Transaction& transaction) {
            const std::string value = codec::encode(entry);
            if (transaction.insert(Table::consent, key, value))
                return true;
            transaction.replace(Table::consent, key, value);
            return false;
        });
    }

    bool erase_contact(const Hash& key) override
    {
        m_objections = true;  // an erasure is flushed like an objection
        return write([&](Transaction& transaction) { return transaction.erase(Table::contacts, key); });
    }

    bool remove_consent(const Hash& key) override
    {
        m_objections = true;
        return write([&](Transaction& transaction) { return transaction.erase(Table::consent, key); });
    }

    void record_contact(const Hash& key, Time when, std::string_view campaign) override
    {
        write([&](Transaction& transaction) {
            add_contact(m_environment, transaction, key, when, campaign);
            return true;
        });
    }

    void commit() override
    {
        if (!m_transaction)
            return;
        const std::size_t pending = m_pending;
        try {
            m_transaction->commit();
        } catch (const StoreError& e) {
            drop();
            throw lost(e, pending);
        }
        drop();
        if (m_objections)
            m_environment.flush_objections();
        m_objections = false;
    }

private:
    template <typename Change>
    bool write(Change change)
    {
        if (!m_transaction) {
            m_transaction.emplace(m_environment, Transaction::Kind::write);
            m_environment.mark_batch_writer();
        }
        bool added = false;
        try {
            added = change(*m_transaction);
        } catch (const StoreError& e) {
            const std::size_t pending = m_pending;
            drop();
            throw lost(e, pending);
        }
        if (++m_pending >= m_per_transaction)
            commit();
        return added;
    }

    // The error, saying what it cost: an importer can resume from there.
    static StoreError lost(const StoreError& error, std::size_t entries)
    {
        return StoreError(std::string(error.what()) + " (the " + std::to_string(entries) +
                          " entries written since the batch's last commit are lost)");
    }

    // Ends the open transaction, if any, without its entries.
    void drop() noexcept
    {
        if (!m_transaction)
            return;
        m_transaction.reset();
        m_environment.unmark_batch_writer();
        m_pending = 0;
    }

    detail::Environment& m_environment;
    std::size_t m_per_transaction;              // entries per write transaction
    std::optional<Transaction> m_transaction;   // open since the last commit
    std::size_t m_pending = 0;                  // entries written in it
    bool m_objections = false;                  // it holds more than contact history
};

}  // namespace

std::string_view to_string(SuppressionSource source)
{
    switch (source) {
    case SuppressionSource::mailto: return "mailto";
    case SuppressionSource::one_click: return "one-click";
    case SuppressionSource::cli: return "cli";
    case SuppressionSource::import: return "import";
    case SuppressionSource::bounce: return "bounce";
    }
    return "?";
}

std::optional<SuppressionSource> parse_suppression_source(std::string_view text)
{
    for (const auto source : {SuppressionSource::mailto, SuppressionSource::one_click, SuppressionSource::cli,
                              SuppressionSource::import, SuppressionSource::bounce})
        if (text == to_string(source))
            return source;
    return std::nullopt;
}

std::unique_ptr<Store> Store::open(const StoreOptions& options)
{
    return std::unique_ptr<Store>(new Store(std::make_unique<Impl>(options)));
}

Store::Store(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

Store::~Store() = default;

const std::string& Store::path() const
{
    return m_impl->environment.path();
}

std::optional<Refusal> Store::suppressed(const Address& recipient) const
{
    const auto& environment = m_impl->environment;
    // Both keys in one snapshot.
    Transaction transaction(environment, Transaction::Kind::read);
    const Hash by_address = address_key(recipient);
    if (const auto value = transaction.get(Table::suppression, by_address))
        return Refusal{false, decoded<Suppression>(environment, Table::suppression, by_address, *value)};
    const Hash by_token = partial_key(by_address);
    if (const auto value = transaction.get(Table::suppression, by_token))
        return Refusal{false, decoded<Suppression>(environment, Table::suppression, by_token, *value)};
    const Hash by_domain = domain_key(recipient.domain);
    if (const auto value = transaction.get(Table::suppression, by_domain))
        return Refusal{true, decoded<Suppression>(environment, Table::suppression, by_domain, *value)};
    return std::nullopt;
}

std::optional<Suppression> Store::suppression(const Hash& key) const
{
    return find<Suppression>(m_impl->environment, Table::suppression, key);
}

std::optional<Consent> Store::consent(const Hash& key) const
{
    return find<Consent>(m_impl->environment, Table::consent, key);
}

std::optional<Contact> Store::contact(const Hash& key) const
{
    return find<Contact>(m_impl->environment, Table::contacts, key);
}

std::optional<Hash> Store::contact_with_prefix(const Hash& prefix) const
{
    const auto& environment = m_impl->environment;
    Transaction transaction(environment, Transaction::Kind::read);
    MDB_cursor* cursor = nullptr;
    if (const int rc = mdb_cursor_open(transaction.handle(), environment.table(Table::contacts), &cursor))
        detail::fail(environment.path(), "reading the contacts table", rc);
    const std::unique_ptr<MDB_cursor, void (*)(MDB_cursor*)> closer(cursor, mdb_cursor_close);
    // Keys are sorted: the first at or after the prefix is the only
    // candidate (two hashes sharing 144 bits do not happen).
    Hash start = partial_key(prefix);
    MDB_val key{start.size(), start.data()};
    MDB_val value{};
    const int rc = mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE);
    if (rc == MDB_NOTFOUND)
        return std::nullopt;
    if (rc)
        detail::fail(environment.path(), "reading the contacts table", rc);
    Hash found{};
    if (key.mv_size != found.size())
        return std::nullopt;
    std::copy_n(static_cast<const unsigned char*>(key.mv_data), found.size(), found.begin());
    if (!std::equal(found.begin(), found.begin() + partial_key_length, prefix.begin()))
        return std::nullopt;
    return found;
}

bool Store::suppress(const Hash& key, const Suppression& entry)
{
    return write_objection(m_impl->environment, [&](Transaction& transaction) {
        return transaction.insert(Table::suppression, key, codec::encode(entry));
    });
}

bool Store::unsuppress(const Hash& key)
{
    return write_objection(m_impl->environment,
                           [&](Transaction& transaction) { return transaction.erase(Table::suppression, key); });
}

bool Store::add_consent(const Hash& key, const Consent& entry)
{
    return write_objection(m_impl->environment, [&](Transaction& transaction) {
        const std::string value = codec::encode(entry);
        if (transaction.insert(Table::consent, key, value))
            return true;
        transaction.replace(Table::consent, key, value);
        return false;
    });
}

bool Store::remove_consent(const Hash& key)
{
    return write_objection(m_impl->environment,
                           [&](Transaction& transaction) { return transaction.erase(Table::consent, key); });
}

void Store::record_contact(const Hash& key, Time when, std::string_view campaign)
{
    const auto& environment = m_impl->environment;
    Transaction transaction(environment, Transaction::Kind::write);
    add_contact(environment, transaction, key, when, campaign);
    transaction.commit();  // contact history: flushed only where `durable`
}

bool Store::erase_contact(const Hash& key)
{
    // An erasure (a subject's request) is flushed like an objection.
    return write_objection(m_impl->environment,
                           [&](Transaction& transaction) { return transaction.erase(Table::contacts, key); });
}

std::unique_ptr<Store::Batch> Store::batch(std::size_t entries_per_transaction)
{
    return std::make_unique<StoreBatch>(m_impl->environment, entries_per_transaction);
}

void Store::for_each_suppression(const std::function<bool(const Hash&, const Suppression&)>& visit) const
{
    walk(m_impl->environment, Table::suppression, visit);
}

void Store::for_each_consent(const std::function<bool(const Hash&, const Consent&)>& visit) const
{
    walk(m_impl->environment, Table::consent, visit);
}

void Store::for_each_contact(const std::function<bool(const Hash&, const Contact&)>& visit) const
{
    walk(m_impl->environment, Table::contacts, visit);
}

std::uint64_t Store::count(Table table) const
{
    Transaction transaction(m_impl->environment, Transaction::Kind::read);
    return transaction.count(table);
}

}  // namespace store
