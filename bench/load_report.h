// load_report.h — milter-load's output: a few lines of text to read, or one
// JSON object on one line for a script (bench/milter_run.sh) to pick from.
#pragma once

#include <string>

#include "message_load.h"

namespace bench {

// What the run was, for the first line and the JSON.
struct LoadDescription {
    std::string socket_spec;
    int connections = 0;
    std::string message_file;
    std::size_t message_bytes = 0;
};

std::string text_report(const LoadDescription& load, const MessageLoadResult& result);
std::string json_report(const LoadDescription& load, const MessageLoadResult& result);

}  // namespace bench
