// environment.cpp — opening the LMDB environment and its tables, and the
// transactions every store operation runs in (environment.h).
#include "environment.h"

#include <sys/stat.h>

#include <cerrno>

namespace store::detail {

namespace {

// Reader slots in the lock file: one per read transaction open at the same
// moment, across all processes. LMDB's default (126) is below what a busy
// milter (a thread per SMTP connection) plus prospectctl can reach.
constexpr unsigned int max_readers = 1024;

// The files hold personal data: only the service user reads them. (LMDB
// readers need write access to lock.mdb too, so a read-only group would
// gain nothing.)
constexpr mdb_mode_t file_mode = 0600;

MDB_val value_of(const Hash& key)
{
    return MDB_val{key.size(), const_cast<unsigned char*>(key.data())};
}

// The directory itself, not its parents: a missing parent means a wrong
// path, better reported than created.
void make_directory(const std::string& path)
{
    if (::mkdir(path.c_str(), 0750) == 0)
        return;
    const int error = errno;
    struct stat status {};
    if (error == EEXIST && ::stat(path.c_str(), &status) == 0 && S_ISDIR(status.st_mode))
        return;
    fail(path, "creating the store directory", error == EEXIST ? ENOTDIR : error);
}

}  // namespace

void fail(const std::string& path, std::string_view what, int rc)
{
    std::string message = path + ": " + std::string(what) + ": " + mdb_strerror(rc);
    // Adopting the larger map needs every transaction of this process
    // ended (mdb_env_set_mapsize); reopening the store is the safe way.
    if (rc == MDB_MAP_RESIZED)
        message += " (another process opened the store with a larger map size and filled it beyond this "
                   "one's: give every process the same map size, and restart this one)";
    throw StoreError(message);
}

std::string_view table_name(Table table)
{
    switch (table) {
    case Table::suppression: return "suppression";
    case Table::consent: return "consent";
    case Table::contacts: return "contacts";
    }
    return "?";
}

Environment::Environment(const StoreOptions& options)
    : m_path(options.path), m_read_only(options.read_only), m_durable(options.durable)
{
    if (m_path.empty())
        throw StoreError("the store path is empty");
    if (!m_read_only)
        make_directory(m_path);
    if (const int rc = mdb_env_create(&m_env))
        fail(m_path, "creating the LMDB environment", rc);
    try {
        if (const int rc = mdb_env_set_maxdbs(m_env, 3))
            fail(m_path, "setting the number of tables", rc);
        if (const int rc = mdb_env_set_mapsize(m_env, options.map_size))
            fail(m_path, "setting the map size", rc);
        if (const int rc = mdb_env_set_maxreaders(m_env, max_readers))
            fail(m_path, "setting the number of readers", rc);
        // Not durable: MDB_NOMETASYNC, not MDB_NOSYNC. Each commit still
        // flushes its data pages before it writes the meta page that points
        // to them, so after a machine crash the store is the one of the
        // last commit or the one before. Under MDB_NOSYNC the kernel may
        // write the new meta page before the pages it points to, and LMDB
        // documents that a machine crash can then corrupt the whole file,
        // the suppressions included. A process crash is harmless under
        // either: the kernel holds every page written.
        unsigned int flags = MDB_NOTLS;
        if (m_read_only)
            flags |= MDB_RDONLY;
        else if (!m_durable)
            flags |= MDB_NOMETASYNC;
        if (const int rc = mdb_env_open(m_env, m_path.c_str(), flags, file_mode))
            fail(m_path, m_read_only ? "opening the store read-only" : "opening the store", rc);
        // Reader slots left by processes that died in a read transaction
        // would keep old pages from being reused.
        int dead = 0;
        mdb_reader_check(m_env, &dead);
        open_tables();
    } catch (...) {
        mdb_env_close(m_env);
        throw;
    }
}

Environment::~Environment()
{
    mdb_env_close(m_env);
}

void Environment::open_tables()
{
    // Table handles opened in a transaction are kept only if it commits,
    // read-only or not; then every later transaction may use them.
    Transaction transaction(*this, m_read_only ? Transaction::Kind::read : Transaction::Kind::write);
    const unsigned int flags = m_read_only ? 0 : MDB_CREATE;
    for (const Table table : {Table::suppression, Table::consent, Table::contacts}) {
        const std::string name(table_name(table));
        if (const int rc = mdb_dbi_open(transaction.handle(), name.c_str(), flags, &m_tables[static_cast<int>(table)]))
            fail(m_path, "opening the " + name + " table", rc);
    }
    transaction.commit();
}

void Environment::flush_objections() const
{
    if (m_durable)
        return;  // the commit flushed everything
    if (const int rc = mdb_env_sync(m_env, 1))
        fail(m_path, "flushing to disk", rc);
}

void Environment::mark_batch_writer()
{
    m_batch_writer.store(std::this_thread::get_id());
}

void Environment::unmark_batch_writer() noexcept
{
    // Only this thread's mark: another thread's batch may hold the lock now.
    auto self = std::this_thread::get_id();
    m_batch_writer.compare_exchange_strong(self, std::thread::id{});
}

void Environment::refuse_write_in_batch_thread() const
{
    if (m_batch_writer.load() == std::this_thread::get_id())
        throw StoreError(m_path + ": a write from the thread whose batch holds the write transaction "
                                  "(commit the batch first)");
}

Transaction::Transaction(const Environment& environment, Kind kind) : m_environment(environment)
{
    if (kind == Kind::write) {
        if (environment.read_only())
            throw StoreError(environment.path() + ": the store is open read-only");
        environment.refuse_write_in_batch_thread();
    }
    const unsigned int flags = kind == Kind::read ? MDB_RDONLY : 0;
    if (const int rc = mdb_txn_begin(environment.handle(), nullptr, flags, &m_txn))
        fail(environment.path(), kind == Kind::read ? "starting a read transaction" : "starting a write transaction",
             rc);
}

void Transaction::commit()
{
    MDB_txn* txn = m_txn;
    m_txn = nullptr;  // LMDB frees it whether the commit succeeds or not
    if (const int rc = mdb_txn_commit(txn))
        fail(m_environment.path(), "committing", rc);
}

void Transaction::abort() noexcept
{
    if (m_txn)
        mdb_txn_abort(m_txn);
    m_txn = nullptr;
}

std::optional<std::string_view> Transaction::get(Table table, const Hash& key) const
{
    MDB_val k = value_of(key);
    MDB_val v{};
    const int rc = mdb_get(m_txn, m_environment.table(table), &k, &v);
    if (rc == MDB_NOTFOUND)
        return std::nullopt;
    if (rc)
        fail(m_environment.path(), "reading the " + std::string(table_name(table)) + " table", rc);
    return std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
}

bool Transaction::insert(Table table, const Hash& key, std::string_view value)
{
    MDB_val k = value_of(key);
    MDB_val v{value.size(), const_cast<char*>(value.data())};
    const int rc = mdb_put(m_txn, m_environment.table(table), &k, &v, MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST)
        return false;
    if (rc)
        fail(m_environment.path(), "writing to the " + std::string(table_name(table)) + " table", rc);
    return true;
}

void Transaction::replace(Table table, const Hash& key, std::string_view value)
{
    MDB_val k = value_of(key);
    MDB_val v{value.size(), const_cast<char*>(value.data())};
    if (const int rc = mdb_put(m_txn, m_environment.table(table), &k, &v, 0))
        fail(m_environment.path(), "writing to the " + std::string(table_name(table)) + " table", rc);
}

bool Transaction::erase(Table table, const Hash& key)
{
    MDB_val k = value_of(key);
    const int rc = mdb_del(m_txn, m_environment.table(table), &k, nullptr);
    if (rc == MDB_NOTFOUND)
        return false;
    if (rc)
        fail(m_environment.path(), "deleting from the " + std::string(table_name(table)) + " table", rc);
    return true;
}

std::uint64_t Transaction::count(Table table) const
{
    MDB_stat stat{};
    if (const int rc = mdb_stat(m_txn, m_environment.table(table), &stat))
        fail(m_environment.path(), "counting the " + std::string(table_name(table)) + " table", rc);
    return stat.ms_entries;
}

}  // namespace store::detail
