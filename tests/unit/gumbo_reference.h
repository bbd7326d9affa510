// gumbo_reference.h — HTML read into visible text and links through Gumbo's
// HTML5 tree: the reference for policy/html.cpp (see gumbo_reference.cpp).
#pragma once

#include <string_view>

#include "policy/content.h"

namespace reference {

policy::VisibleText gumbo_to_visible(std::string_view html);

}  // namespace reference
