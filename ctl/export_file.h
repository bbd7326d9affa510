// export_file.h — where `suppress export` and `consent export` write: standard
// output, or the file --output names, created readable by its owner only
// (the export is personal data: fingerprints of people who objected or
// consented).
#pragma once

#include <cstdio>
#include <string>

namespace ctl {

class ExportFile {
public:
    // `path` empty or "-" = standard output.
    explicit ExportFile(std::string path);
    ~ExportFile();
    ExportFile(const ExportFile&) = delete;
    ExportFile& operator=(const ExportFile&) = delete;

    // Opens the file; prints why not and returns 73 (EX_CANTCREAT), else 0.
    int open(const std::string& command);
    std::FILE* stream() { return m_stream; }
    // Flushes and closes; prints why and returns 74 (EX_IOERR) when a write
    // failed (disk full...), else 0.
    int finish(const std::string& command);

private:
    std::string m_path;
    std::FILE* m_stream = nullptr;
};

}  // namespace ctl
