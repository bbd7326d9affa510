// html_entities.h — HTML character references (&amp; &eacute; &#233; &#xE9;)
// decoded as the HTML standard's tokenizer decodes them.
#pragma once

#include <string>
#include <string_view>

namespace policy::html {

// `text` starts with '&'. Appends what the reference there stands for to out
// and returns how many bytes of text it took; a '&' that starts no reference
// is appended as itself and 1 is returned. In an attribute value a legacy
// name written without ';' and followed by '=' or a letter or digit is not a
// reference ("?a=1&copy=2" keeps its "&copy").
std::size_t decode_reference(std::string_view text, bool in_attribute, std::string& out);

}  // namespace policy::html
