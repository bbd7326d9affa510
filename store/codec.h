// codec.h — how an entry is laid out as an LMDB value (internal to store/;
// the format is documented in docs/store.md, "Values").
//
// Every value starts with a format version byte (now 1), then fixed-size
// little-endian integers and length-prefixed strings. A reader ignores bytes
// after the fields it knows, so a later version 1 may append fields; a
// layout that old readers would misread takes a new version byte.
#pragma once

#include <string>
#include <string_view>

#include "store.h"

namespace store::codec {

inline constexpr unsigned char format_version = 1;

std::string encode(const Suppression& entry);
std::string encode(const Consent& entry);
std::string encode(const Contact& entry);

// False when `value` is not a value this version can read (another format
// version, cut short, an unknown suppression source).
bool decode(std::string_view value, Suppression& entry);
bool decode(std::string_view value, Consent& entry);
bool decode(std::string_view value, Contact& entry);

}  // namespace store::codec
