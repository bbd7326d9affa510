#include "import_progress.h"

#include <unistd.h>

#include <cstdio>

namespace ctl {

namespace {

constexpr std::chrono::milliseconds redraw_interval{500};

unsigned long long ull(std::uint64_t n)
{
    return static_cast<unsigned long long>(n);
}

}  // namespace

ImportCounts& ImportCounts::operator+=(const ImportCounts& other)
{
    added += other.added;
    already += other.already;
    bad += other.bad;
    return *this;
}

ImportProgress::ImportProgress()
    : m_on_terminal(isatty(STDERR_FILENO) == 1), m_next(std::chrono::steady_clock::now())
{
}

void ImportProgress::update(const ImportCounts& counts)
{
    const auto now = std::chrono::steady_clock::now();
    if (!m_on_terminal || now < m_next)
        return;
    std::fprintf(stderr, "\rimported %llu (new %llu, already %llu, bad %llu)\033[K", ull(counts.imported()),
                 ull(counts.added), ull(counts.already), ull(counts.bad));
    std::fflush(stderr);
    m_shown = true;
    m_next = now + redraw_interval;
}

void ImportProgress::clear()
{
    if (!m_shown)
        return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    m_shown = false;
    // Drawn again at the next update, not half a second later: the line
    // should not vanish while bad lines are reported.
    m_next = std::chrono::steady_clock::now();
}

std::string import_summary(const ImportCounts& counts, const char* already_text)
{
    char line[200];
    std::snprintf(line, sizeof line, "imported %llu line%s: %llu new, %llu %s, %llu bad", ull(counts.imported()),
                  counts.imported() == 1 ? "" : "s", ull(counts.added), ull(counts.already), already_text,
                  ull(counts.bad));
    return line;
}

}  // namespace ctl
