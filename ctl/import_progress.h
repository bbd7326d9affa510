// import_progress.h — what an import has done so far: the counts of its
// summary line, and, when standard error is a terminal, one line updated in
// place at most twice a second (a million-line file takes a while).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace ctl {

struct ImportCounts {
    std::uint64_t added = 0;    // new entries written
    std::uint64_t already = 0;  // entries that were there and are kept
    std::uint64_t bad = 0;      // lines reported and skipped

    std::uint64_t imported() const { return added + already; }
    ImportCounts& operator+=(const ImportCounts& other);
};

class ImportProgress {
public:
    ImportProgress();
    // Redraws the line if the last drawing is at least half a second old.
    void update(const ImportCounts& counts);
    // Erases the line, before another message goes to standard error and at
    // the end.
    void clear();

private:
    bool m_on_terminal = false;
    bool m_shown = false;
    std::chrono::steady_clock::time_point m_next;
};

// "imported N lines: X new, Y <already_text>, Z bad".
std::string import_summary(const ImportCounts& counts, const char* already_text);

}  // namespace ctl
