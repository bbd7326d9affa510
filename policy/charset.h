// charset.h — text bytes in a declared charset to UTF-8, the way the
// content rules read a text part (see mime.h for the fallback).
#pragma once

#include <string>
#include <vector>

namespace policy {

// `bytes` in `declared` (nullptr or empty: none declared) as UTF-8. Bytes not
// valid in the declared charset, or undeclared bytes that are not UTF-8, are
// read as Windows-1252 and a note says so. NUL bytes become spaces.
std::string to_utf8(std::string bytes, const char* declared, std::vector<std::string>& notes);

}  // namespace policy
