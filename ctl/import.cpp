#include "import.h"

#include <sysexits.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "import_progress.h"
#include "policy/text.h"

namespace ctl {

namespace {

// What an import writes: suppressions or consents.
class ImportTarget {
public:
    virtual ~ImportTarget() = default;
    virtual KeyParser parser() const = 0;
    virtual const char* already_text() const = 0;
    // Writes the chunk's lines (all valid) in one transaction and commits.
    virtual ImportCounts write(store::Store& store, const std::vector<ImportLine>& chunk) = 0;
};

class SuppressionTarget : public ImportTarget {
public:
    explicit SuppressionTarget(const store::Suppression& entry) : m_entry(entry) {}
    KeyParser parser() const override { return parse_key; }
    const char* already_text() const override { return "already suppressed"; }
    ImportCounts write(store::Store& store, const std::vector<ImportLine>& chunk) override
    {
        ImportCounts counts;
        const auto batch = store.batch(chunk.size());
        for (const auto& line : chunk) {
            if (batch->suppress(std::get<StoreKey>(line.key).hash, m_entry))
                ++counts.added;
            else
                ++counts.already;
        }
        batch->commit();
        return counts;
    }

private:
    store::Suppression m_entry;
};

// Unlike `consent add`, an import keeps a consent already recorded: the
// first proof of consent stands, and a re-import cannot replace a web
// form's proof with a bare "import".
class ConsentTarget : public ImportTarget {
public:
    explicit ConsentTarget(const store::Consent& entry) : m_entry(entry) {}
    KeyParser parser() const override { return parse_consent_key; }
    const char* already_text() const override { return "already had consent"; }
    ImportCounts write(store::Store& store, const std::vector<ImportLine>& chunk) override
    {
        ImportCounts counts;
        // Looked up before the batch's write transaction starts: LMDB wants
        // one transaction at a time per thread.
        std::vector<const ImportLine*> missing;
        for (const auto& line : chunk)
            if (store.consent(std::get<StoreKey>(line.key).hash))
                ++counts.already;
            else
                missing.push_back(&line);
        const auto batch = store.batch(chunk.size());
        for (const auto* line : missing) {
            // false: the same address twice in this chunk.
            if (batch->add_consent(std::get<StoreKey>(line->key).hash, entry_for(*line)))
                ++counts.added;
            else
                ++counts.already;
        }
        batch->commit();
        return counts;
    }

private:
    store::Consent entry_for(const ImportLine& line) const
    {
        store::Consent entry = m_entry;
        if (!line.proof.empty())
            entry.proof = line.proof;
        return entry;
    }

    store::Consent m_entry;
};

std::string input_name(const ImportOptions& options)
{
    return options.input == "-" ? "(standard input)" : options.input;
}

// The whole input: imports are read twice under --strict, and standard
// input cannot be.
int read_input(const StoreLocation& location, const ImportOptions& options, std::string& bytes)
{
    std::FILE* file = options.input == "-" ? stdin : std::fopen(options.input.c_str(), "rb");
    int error = file == nullptr ? errno : 0;
    char buffer[65536];
    for (bool end = file == nullptr; !end;) {
        const std::size_t got = std::fread(buffer, 1, sizeof buffer, file);
        bytes.append(buffer, got);
        end = got < sizeof buffer;
        if (end && std::ferror(file) != 0)
            error = errno != 0 ? errno : EIO;  // a directory: EISDIR
    }
    if (file != nullptr && file != stdin)
        std::fclose(file);
    if (error == 0)
        return EX_OK;
    std::fprintf(stderr, "prospectctl %s: cannot read %s: %s\n", location.command.c_str(),
                 input_name(options).c_str(), std::strerror(error));
    return EX_NOINPUT;
}

void report_bad(const ImportOptions& options, const ImportLine& line)
{
    const auto& invalid = std::get<store::Invalid>(line.key);
    if (line.value.empty())
        std::fprintf(stderr, "%s:%zu: %s\n", input_name(options).c_str(), line.number, invalid.reason.c_str());
    else
        std::fprintf(stderr, "%s:%zu: %s: %s\n", input_name(options).c_str(), line.number,
                     policy::printable(line.value).c_str(), invalid.reason.c_str());
}

bool is_bad(const ImportLine& line)
{
    return std::holds_alternative<store::Invalid>(line.key);
}

// --strict: the first bad line, reported, or none.
bool first_bad_line(std::string_view bytes, const ImportOptions& options, const ImportTarget& target)
{
    ImportReader reader(bytes, options.format, target.parser());
    ImportLine line;
    if (!reader.read_header(line)) {
        report_bad(options, line);
        return true;
    }
    while (reader.next(line))
        if (is_bad(line)) {
            report_bad(options, line);
            return true;
        }
    return false;
}

class Importer {
public:
    Importer(const ImportOptions& options, ImportTarget& target) : m_options(options), m_target(target) {}

    // Reads every line, writes the valid ones chunk by chunk; prints the
    // summary, also when a store error interrupts it (what was committed
    // stays: importing the file again completes it).
    int run(std::string_view bytes, store::Store& store)
    {
        try {
            import_all(bytes, store);
        } catch (const store::StoreError&) {
            finish();
            throw;
        }
        finish();
        return m_counts.bad == 0 && m_header_ok ? EX_OK : EX_DATAERR;
    }

private:
    void import_all(std::string_view bytes, store::Store& store)
    {
        ImportReader reader(bytes, m_options.format, m_target.parser());
        ImportLine line;
        m_header_ok = reader.read_header(line);
        if (!m_header_ok) {
            report_bad(m_options, line);
            return;
        }
        while (reader.next(line)) {
            if (is_bad(line)) {
                m_progress.clear();
                report_bad(m_options, line);
                ++m_counts.bad;
            } else {
                m_chunk.push_back(std::move(line));
                if (m_chunk.size() >= m_options.batch)
                    write_chunk(store);
            }
            m_progress.update(m_counts);
        }
        write_chunk(store);
    }

    void write_chunk(store::Store& store)
    {
        if (m_chunk.empty())
            return;
        m_counts += m_target.write(store, m_chunk);
        m_chunk.clear();
    }

    void finish()
    {
        m_progress.clear();
        std::printf("%s\n", import_summary(m_counts, m_target.already_text()).c_str());
    }

    const ImportOptions& m_options;
    ImportTarget& m_target;
    ImportCounts m_counts;
    ImportProgress m_progress;
    std::vector<ImportLine> m_chunk;  // valid lines not yet written
    bool m_header_ok = true;
};

int run_import(const StoreLocation& location, const ImportOptions& options, ImportTarget& target)
{
    std::string bytes;
    const auto prepare = [&] {
        if (const int status = read_input(location, options, bytes); status != EX_OK)
            return status;
        if (options.strict && first_bad_line(bytes, options, target)) {
            std::fprintf(stderr, "prospectctl %s: --strict: nothing imported\n", location.command.c_str());
            std::printf("%s\n", import_summary(ImportCounts{0, 0, 1}, target.already_text()).c_str());
            return EX_DATAERR;
        }
        return EX_OK;
    };
    return with_store(
        location, Access::read_write, [&](store::Store& store) { return Importer(options, target).run(bytes, store); },
        prepare);
}

}  // namespace

int suppress_import(const StoreLocation& location, const ImportOptions& options, const store::Suppression& entry)
{
    SuppressionTarget target(entry);
    return run_import(location, options, target);
}

int consent_import(const StoreLocation& location, const ImportOptions& options, const store::Consent& entry)
{
    ConsentTarget target(entry);
    return run_import(location, options, target);
}

}  // namespace ctl
