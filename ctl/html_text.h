// html_text.h — text from a policy or the records, made safe inside HTML
// element content and quoted attribute values (register and report pages).
#pragma once

#include <string>
#include <string_view>

namespace ctl {

std::string html_escape(std::string_view raw);

}  // namespace ctl
