// usage.h — prospectctl's usage message (prospectctl(8) has the details).
#pragma once

#include <cstdio>

namespace ctl {

void print_usage(std::FILE* out);

}  // namespace ctl
