// token.h — `prospectctl token make|verify`: the unsubscribe tokens the
// milter puts in List-Unsubscribe (unsubscribe/token.h), made and checked
// by hand with the policy's keys.
#pragma once

namespace ctl {

// argv[0] is "token"; returns the exit status.
int token_command(int argc, char** argv);

}  // namespace ctl
