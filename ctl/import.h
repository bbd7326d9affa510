// import.h — `prospectctl suppress import` and `prospectctl consent import`:
// a file of addresses or hashes (import_reader.h) into the store, in
// transactions of `batch` entries.
//
// Idempotent: an entry already in the store is kept as it is and counted
// "already", so the same file can be imported again after an interruption.
// A bad line is reported as "FILE:LINE: value: reason" and skipped (exit 65
// at the end); with `strict` the whole input is checked first and nothing
// is written when any line is bad.
#pragma once

#include <cstddef>
#include <string>

#include "import_reader.h"
#include "open_store.h"
#include "store/store.h"

namespace ctl {

struct ImportOptions {
    std::string input;          // a file name, or "-" for standard input
    ImportFormat format;
    bool strict = false;        // check every line before writing any
    std::size_t batch = 10000;  // entries per write transaction
};

// Each new suppression records `entry` (its `when` is now).
int suppress_import(const StoreLocation& location, const ImportOptions& options, const store::Suppression& entry);
// Each new consent records `entry`, its proof replaced by the line's proof
// column when there is one.
int consent_import(const StoreLocation& location, const ImportOptions& options, const store::Consent& entry);

}  // namespace ctl
