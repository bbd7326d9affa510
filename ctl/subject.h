// subject.h — `prospectctl subject show|erase ADDR`: a person's right of
// access (GDPR art. 15) and to erasure (art. 17) over what the store holds
// about them. An objection survives erasure unless explicitly confirmed:
// erasing it would let the next campaign write to them again.
#pragma once

namespace ctl {

// argv[0] is "subject"; returns the exit status.
int subject_command(int argc, char** argv);

}  // namespace ctl
