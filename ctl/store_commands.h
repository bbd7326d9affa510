// store_commands.h — `prospectctl suppress ...` and `prospectctl consent ...`
// on single entries: add, remove, check, export, count (import.h does the
// files). Each prints one line per argument and returns the exit status
// documented in prospectctl(8).
#pragma once

#include <string>
#include <vector>

#include "open_store.h"
#include "store/store.h"

namespace ctl {

// Exit status of `check` when an argument is suppressed, or lacks consent.
inline constexpr int exit_found = 1;

// `entry` is what each new suppression records (its `when` is now).
int suppress_add(const StoreLocation& location, const std::vector<std::string>& arguments,
                 const store::Suppression& entry);
int suppress_remove(const StoreLocation& location, const std::vector<std::string>& arguments);
int suppress_check(const StoreLocation& location, const std::vector<std::string>& arguments);
int suppress_export(const StoreLocation& location, const std::string& output);
int suppress_count(const StoreLocation& location);

int consent_add(const StoreLocation& location, const std::vector<std::string>& arguments,
                const store::Consent& entry);
int consent_remove(const StoreLocation& location, const std::vector<std::string>& arguments);
int consent_check(const StoreLocation& location, const std::vector<std::string>& arguments);
int consent_export(const StoreLocation& location, const std::string& output);
int consent_count(const StoreLocation& location);

}  // namespace ctl
