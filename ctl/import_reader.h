// import_reader.h — the lines of an import file (`prospectctl suppress|consent
// import`), each resolved to a store key or to the reason it is bad.
//
// Formats: one address, "@domain" or hash per line; with `hashes` only
// hashes; with `column`, CSV (csv.h) whose first line names the columns.
// Blank lines and lines starting with '#' are skipped in every format, as
// are a UTF-8 byte order mark and the CR of CRLF line ends (spreadsheets
// write both).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "key_arguments.h"

namespace ctl {

struct ImportFormat {
    bool hashes = false;       // every value must be a 64-hex hash
    std::string column;        // CSV: the column holding the address or hash; empty = one per line
    std::string proof_column;  // CSV: the column holding a consent's proof; empty = none
};

struct ImportLine {
    std::size_t number = 0;                          // 1 for the first line of the input
    std::string value;                               // as written, for error messages
    std::variant<StoreKey, store::Invalid> key;
    std::string proof;                               // from proof_column
};

class ImportReader {
public:
    // `bytes` must outlive the reader; `parse` resolves a value unless
    // `format.hashes` asks for hashes only.
    ImportReader(std::string_view bytes, ImportFormat format, KeyParser parse);

    // For CSV, reads the header line; false with `why` set when a column is
    // missing (every line would be bad). Call once, before next().
    bool read_header(ImportLine& why);
    // The next data line; false at the end of the input.
    bool next(ImportLine& line);

private:
    // The next line that is neither blank nor a comment.
    std::optional<std::string_view> next_content_line();
    void read_csv_fields(std::string_view text, ImportLine& line) const;

    std::string_view m_rest;            // what is left of the input
    std::size_t m_number = 0;           // of the last line read
    ImportFormat m_format;
    KeyParser m_parse;
    std::size_t m_column = 0;           // index of format.column
    std::optional<std::size_t> m_proof;  // index of format.proof_column
};

}  // namespace ctl
