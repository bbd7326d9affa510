// environment.h — the LMDB side of the store (internal to store/): the
// environment with its three tables, and transactions that end themselves.
//
// One Environment per store directory per process: LMDB forbids opening the
// same environment twice in one process (closing either handle would drop
// the other's file locks). Its handle is shared by every thread: it is
// opened with MDB_NOTLS, so a read transaction belongs to its Transaction
// object, not to the thread that started it.
#pragma once

#include <lmdb.h>

#include <atomic>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "store.h"

namespace store::detail {

// Throws StoreError("<path>: <what>: <LMDB's or the system's message>").
[[noreturn]] void fail(const std::string& path, std::string_view what, int rc);

class Environment {
public:
    explicit Environment(const StoreOptions& options);  // opens; throws StoreError
    ~Environment();
    Environment(const Environment&) = delete;
    Environment& operator=(const Environment&) = delete;

    const std::string& path() const { return m_path; }
    bool read_only() const { return m_read_only; }
    MDB_env* handle() const { return m_env; }
    MDB_dbi table(Table table) const { return m_tables[static_cast<int>(table)]; }

    // After a commit that wrote suppressions or consents: flushes it to disk
    // where `durable` is false and the commit itself did not (store.h).
    void flush_objections() const;

    // LMDB's write lock is not re-entrant: a thread that holds a Batch's
    // write transaction and starts another write would wait for itself
    // forever. The Batch marks its thread; other writes check the mark.
    void mark_batch_writer();
    void unmark_batch_writer() noexcept;
    void refuse_write_in_batch_thread() const;

private:
    void open_tables();

    std::string m_path;
    bool m_read_only = false;
    bool m_durable = true;
    MDB_env* m_env = nullptr;
    MDB_dbi m_tables[3] = {};  // indexed by Table
    std::atomic<std::thread::id> m_batch_writer{};  // the thread with an open batch transaction
};

// A read or write transaction, aborted on destruction unless committed.
class Transaction {
public:
    enum class Kind { read, write };

    Transaction(const Environment& environment, Kind kind);  // throws StoreError
    ~Transaction() { abort(); }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    MDB_txn* handle() const { return m_txn; }
    // Ends the transaction; a write becomes visible to transactions started
    // afterwards. Throws StoreError (the transaction is then gone anyway).
    void commit();
    void abort() noexcept;

    // The value stored under `key`, valid until the transaction ends.
    std::optional<std::string_view> get(Table table, const Hash& key) const;
    // Adds `value` unless `key` has one; false when it had.
    bool insert(Table table, const Hash& key, std::string_view value);
    void replace(Table table, const Hash& key, std::string_view value);
    // False when `key` had no value.
    bool erase(Table table, const Hash& key);
    std::uint64_t count(Table table) const;

private:
    const Environment& m_environment;
    MDB_txn* m_txn = nullptr;
};

std::string_view table_name(Table table);

}  // namespace store::detail
