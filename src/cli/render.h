#pragma once
// Rendering a Graphviz DOT drawing (TaskGraph::Explain) to SVG with the `dot` program.

#include <string>

#include "quokka/status.h"

namespace quokka::cli {

/// \brief Run `dot -Tsvg` on `dot_path`, writing `svg_path`. A clear error if dot is missing.
Status RenderSvg(const std::string& dot_path, const std::string& svg_path);

}  // namespace quokka::cli
