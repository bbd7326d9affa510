// key_arguments.h — the command-line arguments of suppress and consent
// commands, each resolved to a store key or reported as invalid.
#pragma once

#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "open_store.h"
#include "store_keys.h"

namespace ctl {

using KeyParser = std::variant<StoreKey, store::Invalid> (*)(std::string_view);

// Calls `act` with each argument's key, in order; an argument that names no
// key is reported on standard error with its reason. Returns false when any
// was invalid (the command then exits 65 after doing the valid ones).
bool for_each_key(const StoreLocation& location, const std::vector<std::string>& arguments, KeyParser parse,
                  const std::function<void(const StoreKey&)>& act);

}  // namespace ctl
