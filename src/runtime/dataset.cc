#include "quokka/dataset.h"

#include <sstream>

#include "plan.h"
#include "quokka/status.h"

namespace quokka {

void internal::DatasetState::EnsureLocal() {
  std::lock_guard lock(fetch_mutex);
  if (fetched) return;
  Result<std::vector<ObjectList>> fetched_partitions = fetch();
  if (!fetched_partitions.ok()) {
    throw Error(fetched_partitions.status().WithContext("fetching the dataset of node '" +
                                                        node_name + "'"));
  }
  partitions = std::move(*fetched_partitions);
  fetched = true;
}

namespace {
// The state with its partitions present here (fetched from the workers if need be).
const internal::DatasetState& StateOf(const std::shared_ptr<internal::DatasetState>& state) {
  if (!state) throw Error(Status::Invalid("an empty Dataset handle (not returned by a graph)"));
  state->EnsureLocal();
  return *state;
}
// The state without fetching: for partition counts and placement.
const internal::DatasetState& ShapeOf(const std::shared_ptr<internal::DatasetState>& state) {
  if (!state) throw Error(Status::Invalid("an empty Dataset handle (not returned by a graph)"));
  return *state;
}
}  // namespace

int Dataset::num_partitions() const { return static_cast<int>(ShapeOf(state_).machines.size()); }

const ObjectList& Dataset::Partition(int partition) const {
  const auto& state = StateOf(state_);
  if (partition < 0 || partition >= static_cast<int>(state.partitions.size())) {
    throw Error(Status::Invalid("dataset of node '" + state.node_name + "' has no partition " +
                                std::to_string(partition) + " (it has " +
                                std::to_string(state.partitions.size()) + ")"));
  }
  return state.partitions[partition];
}

const std::string& Dataset::machine(int partition) const {
  const auto& state = ShapeOf(state_);
  if (partition < 0 || partition >= static_cast<int>(state.machines.size())) {
    throw Error(Status::Invalid("dataset of node '" + state.node_name + "' has no partition " +
                                std::to_string(partition)));
  }
  return state.machines[partition];
}

size_t Dataset::size() const {
  size_t total = 0;
  for (const ObjectList& partition : StateOf(state_).partitions) total += partition.size();
  return total;
}

ObjectList Dataset::ToList() const {
  StateOf(state_);
  ObjectList all;
  all.reserve(size());
  for (const ObjectList& partition : state_->partitions) {
    all.insert(all.end(), partition.begin(), partition.end());
  }
  return all;
}

bool Dataset::produced() const { return ShapeOf(state_).produced; }
const std::string& Dataset::node_name() const { return ShapeOf(state_).node_name; }

std::string Dataset::ToString(size_t max_objects) const {
  const auto& state = StateOf(state_);
  std::ostringstream out;
  out << "Dataset '" << state.node_name << "': " << size() << " objects in "
      << state.partitions.size() << " partitions\n";
  size_t shown = 0;
  for (size_t p = 0; p < state.partitions.size(); ++p) {
    out << "  partition " << p << " (" << state.machines[p] << "): " << state.partitions[p].size()
        << " objects\n";
    for (const Object& object : state.partitions[p]) {
      if (shown++ >= max_objects) break;
      // Indent every line: tables render as several.
      std::string text = object.ToString();
      if (!text.empty() && text.back() == '\n') text.pop_back();
      out << "    ";
      for (char c : text) {
        out << c;
        if (c == '\n') out << "    ";
      }
      out << "\n";
    }
  }
  return out.str();
}

const Object& Dataset::Iterator::operator*() const {
  return state_->partitions[partition_][index_];
}

Dataset::Iterator& Dataset::Iterator::operator++() {
  ++index_;
  SkipEmpty();
  return *this;
}

void Dataset::Iterator::SkipEmpty() {
  while (partition_ < state_->partitions.size() &&
         index_ >= state_->partitions[partition_].size()) {
    ++partition_;
    index_ = 0;
  }
}

Dataset::Iterator Dataset::begin() const {
  Iterator it;
  it.state_ = &StateOf(state_);
  it.SkipEmpty();
  return it;
}

Dataset::Iterator Dataset::end() const {
  Iterator it;
  it.state_ = &StateOf(state_);
  it.partition_ = it.state_->partitions.size();
  return it;
}

}  // namespace quokka
