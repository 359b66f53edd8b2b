#pragma once
// Dataset: the materialized output of a blocking node, one partition per channel.
//
// A Dataset handle is returned by TaskGraph::NewBlockingNode before the graph runs; Run() fills
// it. It is a shared handle (copying it is cheap) and outlives the graph that produced it; a
// later graph reads it as a stream with TaskGraph::NewInputDataset. Read it only after Run()
// returned; it is then immutable and may be read from any thread.

#include <cstddef>
#include <memory>
#include <string>

#include "quokka/object.h"

namespace quokka {

namespace internal {
struct DatasetState;
}

class Dataset {
 public:
  /// \brief Number of partitions (the producing node's channel count).
  int num_partitions() const;
  /// \brief The objects channel `partition` produced, in emission order.
  const ObjectList& Partition(int partition) const;
  /// \brief Name of the machine holding `partition`.
  const std::string& machine(int partition) const;
  /// \brief Total number of objects over all partitions.
  size_t size() const;
  bool empty() const { return size() == 0; }
  /// \brief All objects, partition 0 first.
  ObjectList ToList() const;
  /// \brief Has a Run() of the producing graph completed?
  bool produced() const;
  /// \brief Name of the node that produces this dataset.
  const std::string& node_name() const;
  /// \brief Partition sizes and the first objects, for printing.
  std::string ToString(size_t max_objects = 10) const;

  class Iterator {
   public:
    const Object& operator*() const;
    Iterator& operator++();
    bool operator==(const Iterator& other) const = default;

   private:
    friend class Dataset;
    const internal::DatasetState* state_ = nullptr;
    size_t partition_ = 0, index_ = 0;
    void SkipEmpty();
  };
  Iterator begin() const;
  Iterator end() const;

 private:
  friend class TaskGraph;
  friend struct NodeRef;
  explicit Dataset(std::shared_ptr<internal::DatasetState> state) : state_(std::move(state)) {}
  std::shared_ptr<internal::DatasetState> state_;
};

}  // namespace quokka
