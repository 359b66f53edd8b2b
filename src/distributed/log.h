#pragma once
// One-line log messages of workers and launchers on stderr: "quokka worker NAME: message".

#include <string>

namespace quokka::dist {

void SetLogPrefix(std::string prefix);
void Log(const std::string& message);

}  // namespace quokka::dist
