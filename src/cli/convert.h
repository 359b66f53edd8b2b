#pragma once
// `quokka convert` and `quokka head`: CSV <-> Arrow IPC, reading in parallel channels.

namespace quokka::cli {

/// \brief `quokka convert INPUT OUTPUT [options]`; returns the process exit code.
int Convert(int argc, char** argv);
/// \brief `quokka head FILE [-n N] [options]`; returns the process exit code.
int Head(int argc, char** argv);

}  // namespace quokka::cli
