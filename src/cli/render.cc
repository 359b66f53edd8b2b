#include "render.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <vector>

extern char** environ;

namespace quokka::cli {

Status RenderSvg(const std::string& dot_path, const std::string& svg_path) {
  if (!std::ifstream(dot_path)) return Status::NotFound("cannot open " + dot_path);
  std::vector<std::string> args = {"dot", "-Tsvg", dot_path, "-o", svg_path};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid;
  if (posix_spawnp(&pid, "dot", nullptr, nullptr, argv.data(), environ) != 0) {
    return Status::NotFound(
        "Graphviz 'dot' is not installed (apt-get install graphviz); the DOT file " + dot_path +
        " can be rendered elsewhere");
  }
  int status = 0;
  if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status::IOError("dot failed to render " + dot_path);
  }
  return Status::OK();
}

}  // namespace quokka::cli
