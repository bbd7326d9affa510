// callbacks.h — the filter description handed to smfi_register().
#pragma once

#include <libmilter/mfapi.h>

namespace milter {

smfiDesc filter_description();

}  // namespace milter
