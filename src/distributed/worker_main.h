#pragma once

namespace quokka::dist {

/// \brief Parse worker flags (argv[first..]) and serve until SIGTERM/SIGINT. Returns the
///        process exit status: 0 after a clean stop, 1 on errors, 2 on usage errors.
int WorkerMain(int argc, char** argv, int first, const char* program);

}  // namespace quokka::dist
