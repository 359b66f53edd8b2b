// TaskGraph::Explain: the graph as Graphviz DOT.
#include <sstream>

#include "graph_impl.h"

namespace quokka {
namespace {

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// "local x2" or "a x2, b x3": where the node's channels are.
std::string Placement(const internal::NodeSpec& node, const Cluster& cluster) {
  std::vector<int> per_machine(cluster.num_machines(), 0);
  for (int machine : node.channel_machine) ++per_machine[machine];
  std::string out;
  for (int m = 0; m < cluster.num_machines(); ++m) {
    if (per_machine[m] == 0) continue;
    if (!out.empty()) out += ", ";
    out += cluster.machines()[m].name + " x" + std::to_string(per_machine[m]);
  }
  return out;
}

}  // namespace

std::string TaskGraph::Explain() const {
  if (!impl_->created) {
    // Placement is only known after validation; explain what can be explained.
    Status status = impl_->Validate();
    if (!status.ok()) return "// invalid graph: " + status.ToString() + "\ndigraph quokka {}\n";
  }
  std::ostringstream dot;
  dot << "digraph quokka {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=Helvetica];\n"
      << "  edge [fontname=Helvetica, fontsize=10];\n";
  for (const auto& node : impl_->nodes) {
    const char* shape = node->is_reader() ? "shape=parallelogram, " : "";
    dot << "  n" << node->id << " [" << shape << "label=\"" << Escape(node->name) << "\\n"
        << internal::NodeKindName(node->kind) << ", " << node->num_channels() << " channels\\n"
        << Escape(Placement(*node, impl_->cluster)) << "\"];\n";
    if (node->output) {
      dot << "  d" << node->id << " [shape=cylinder, label=\"Dataset\"];\n";
      dot << "  n" << node->id << " -> d" << node->id << ";\n";
    }
    for (const auto& source : node->sources) {
      dot << "  n" << source.stream.node_id() << " -> n" << node->id << " [label=\"stream "
          << source.stream_id << ": " << Escape(source.partitioner.ToString()) << "\"];\n";
    }
    for (int dependency : node->dependencies) {
      dot << "  n" << dependency << " -> n" << node->id << " [style=dashed, label=\"before\"];\n";
    }
  }
  dot << "}\n";
  return dot.str();
}

}  // namespace quokka
