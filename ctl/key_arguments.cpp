#include "key_arguments.h"

#include <cstdio>

#include "policy/text.h"

namespace ctl {

bool for_each_key(const StoreLocation& location, const std::vector<std::string>& arguments, KeyParser parse,
                  const std::function<void(const StoreKey&)>& act)
{
    bool all_valid = true;
    for (const auto& argument : arguments) {
        const auto key = parse(argument);
        if (const auto* invalid = std::get_if<store::Invalid>(&key)) {
            std::fprintf(stderr, "prospectctl %s: %s: %s\n", location.command.c_str(),
                         policy::printable(argument).c_str(), invalid->reason.c_str());
            all_valid = false;
            continue;
        }
        act(std::get<StoreKey>(key));
    }
    return all_valid;
}

}  // namespace ctl
