#include "channel_actor.h"

#include "quokka/partition.h"
#include "run_state.h"

namespace quokka::internal {
namespace {

// Objects a reader yields per step: large enough to amortize scheduling, small enough that
// other channels on the same thread get their turn quickly.
constexpr int kReaderQuantum = 1024;
// How often a reader looks whether its consumers still want data within a quantum.
constexpr int kConsumerCheckInterval = 128;
// Sweeps over the input links per executor step before yielding the thread.
constexpr int kExecutorRounds = 8;

using Clock = std::chrono::steady_clock;
double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

ChannelActor::ChannelActor(Scheduler* scheduler, RunState* run, NodeRuntime* node, int channel,
                           const std::string& machine_name)
    : Actor(scheduler),
      run_(run),
      node_(node),
      spec_(*node->spec),
      channel_(channel),
      machine_(machine_name) {
  stats_.channel = channel;
  stats_.machine = machine_name;
}

void ChannelActor::AddInput(Link* link, int stream_id) {
  inputs_.push_back({link, stream_id});
  ++open_inputs_;
  for (auto& [stream, open] : open_links_per_stream_) {
    if (stream == stream_id) {
      ++open;
      return;
    }
  }
  open_links_per_stream_.emplace_back(stream_id, 1);
}

void ChannelActor::LinkEnded(int stream_id) {
  for (auto& [stream, open] : open_links_per_stream_) {
    if (stream == stream_id && --open == 0) out_.ended_streams_.push_back(stream_id);
  }
}

void ChannelActor::AddOutputEdge(OutputEdge edge) {
  for (Link* link : edge.links) output_links_.push_back(link);
  outputs_.push_back(std::move(edge));
}

void ChannelActor::Start() {
  started_.store(true, std::memory_order_release);
  Wake();
}

std::string ChannelActor::Where() const {
  return "node '" + spec_.name + "' channel " + std::to_string(channel_) + " (machine " + machine_ +
         ")";
}

// ------------------------------------------------------------------------------- stepping

void ChannelActor::Step() {
  if (run_->failed()) {
    Retire();
    return;
  }
  if (!started_.load(std::memory_order_acquire)) return;
  try {
    if (spec_.is_reader()) {
      ReaderStep();
    } else {
      ExecutorStep();
    }
  } catch (const Error& error) {
    run_->Fail(error.status().WithContext(Where()));
    Retire();
  } catch (const std::exception& error) {
    run_->Fail(Status::Internal(error.what()).WithContext(Where()));
    Retire();
  } catch (...) {
    run_->Fail(Status::Internal("unknown exception").WithContext(Where()));
    Retire();
  }
  FlushOutputs();
  PublishProgress();
}

void ChannelActor::OnRetired() { run_->ChannelRetired(node_); }

void ChannelActor::ReaderStep() {
  if (!FlushPending()) return;
  if (phase_ == Phase::kEnding) return Finish();
  if (AllConsumersGone()) {
    stats_.finished_early = true;
    return Finish();
  }
  Clock::time_point start = Clock::now();
  if (!reader_started_) {
    reader_->Start(channel_, spec_.num_channels(), 0);
    reader_started_ = true;
  }
  bool exhausted = false;
  for (int i = 0; i < kReaderQuantum; ++i) {
    std::optional<ReadItem> item = reader_->Next();
    if (!item) {
      exhausted = true;
      break;
    }
    Route(std::move(item->object));
    if (pending_head_ < pending_.size()) break;  // an output link is full: park
    if (i % kConsumerCheckInterval == kConsumerCheckInterval - 1 && AllConsumersGone()) break;
  }
  stats_.execute_seconds += SecondsSince(start);
  if (exhausted) phase_ = Phase::kEnding;
  if (!FlushPending()) return;  // parked: the consumer wakes us when it drained the link
  if (phase_ == Phase::kEnding) return Finish();
  Wake();  // more to read: yield the thread, then continue
}

void ChannelActor::ExecutorStep() {
  if (!FlushPending()) return;
  if (phase_ == Phase::kEnding) return Finish();
  if (AllConsumersGone()) {
    // Nobody downstream wants more: stop our producers too.
    stats_.finished_early = true;
    CloseInputs();
    return Finish();
  }
  bool more_input = false;
  for (int round = 0; round < kExecutorRounds && open_inputs_ > 0; ++round) {
    bool took = false;
    for (size_t k = 0; k < inputs_.size(); ++k) {
      InputLink& input = inputs_[(next_input_ + k) % inputs_.size()];
      if (input.ended) continue;
      const bool ended = input.link->Take(batch_);
      if (ended) {
        input.ended = true;
        --open_inputs_;
      }
      if (!batch_.empty()) {
        took = true;
        RunExecute(input.stream_id);
      }
      if (ended) LinkEnded(input.stream_id);  // after its last objects were executed
      if (out_.finished_early()) return FinishEarly();
      if (!FlushPending()) return;  // parked until the consumer drains
    }
    next_input_ = (next_input_ + 1) % inputs_.size();
    if (!took) break;
    more_input = round == kExecutorRounds - 1;
  }
  if (open_inputs_ == 0) {
    CallDone();
    phase_ = Phase::kEnding;
    if (FlushPending()) Finish();
    return;
  }
  if (more_input) Wake();
}

void ChannelActor::RunExecute(int stream_id) {
  stats_.objects_in += batch_.size();
  ++stats_.batches_in;
  if (batch_.size() > stats_.max_queue_depth) stats_.max_queue_depth = batch_.size();
  Clock::time_point start = Clock::now();
  executor_->Execute(batch_, stream_id, channel_, out_);
  stats_.execute_seconds += SecondsSince(start);
  batch_.clear();
  RouteOutput();
}

void ChannelActor::CallDone() {
  Clock::time_point start = Clock::now();
  executor_->Done(channel_, out_);
  stats_.done_seconds += SecondsSince(start);
  RouteOutput();
}

void ChannelActor::FinishEarly() {
  stats_.finished_early = true;
  CloseInputs();
  CallDone();
  phase_ = Phase::kEnding;
  if (FlushPending()) Finish();
}

void ChannelActor::Finish() {
  for (Link* link : output_links_) link->End();
  Retire();
}

void ChannelActor::CloseInputs() {
  for (InputLink& input : inputs_) {
    if (!input.ended) input.link->Close();
    input.ended = true;
  }
  open_inputs_ = 0;
}

bool ChannelActor::AllConsumersGone() const {
  if (output_links_.empty()) return false;
  for (Link* link : output_links_) {
    if (!link->closed()) return false;
  }
  return true;
}

void ChannelActor::PublishProgress() {
  live_in_.store(stats_.objects_in, std::memory_order_relaxed);
  live_out_.store(stats_.objects_out, std::memory_order_relaxed);
  live_bytes_.store(stats_.bytes_out, std::memory_order_relaxed);
}

ChannelStats ChannelActor::stats() const { return stats_; }

// -------------------------------------------------------------------------------- routing

void ChannelActor::RouteOutput() {
  for (Object& object : out_.buffer_) Route(std::move(object));
  out_.buffer_.clear();
}

void ChannelActor::Route(Object object) {
  int64_t bytes = static_cast<int64_t>(object.byte_size());
  ++stats_.objects_out;
  stats_.bytes_out += bytes;
  if (dataset_ != nullptr) {
    dataset_->push_back(std::move(object));
    return;
  }
  if (outputs_.size() == 1) return RouteEdge(outputs_[0], std::move(object), bytes);
  for (size_t e = 0; e < outputs_.size(); ++e) {
    if (e + 1 == outputs_.size()) {
      RouteEdge(outputs_[e], std::move(object), bytes);
    } else {
      RouteEdge(outputs_[e], object, bytes);
    }
  }
}

void ChannelActor::RouteEdge(OutputEdge& edge, Object object, int64_t bytes) {
  const int n = static_cast<int>(edge.links.size());
  switch (edge.partitioner->kind()) {
    case Partitioner::Kind::kDefault:
      return Send(edge.links[edge.default_target], std::move(object), bytes);
    case Partitioner::Kind::kToChannel:
      return Send(edge.links[edge.partitioner->fixed_channel()], std::move(object), bytes);
    case Partitioner::Kind::kRoundRobin: {
      Link* link = edge.links[edge.next_round_robin];
      if (++edge.next_round_robin == n) edge.next_round_robin = 0;
      return Send(link, std::move(object), bytes);
    }
    case Partitioner::Kind::kBroadcast:
      for (int c = 0; c + 1 < n; ++c) Send(edge.links[c], object, bytes);
      return Send(edge.links[n - 1], std::move(object), bytes);
    case Partitioner::Kind::kHash: {
      uint64_t hash = HashObject(edge.partitioner->key()(object));
      return Send(edge.links[hash % static_cast<uint64_t>(n)], std::move(object), bytes);
    }
    case Partitioner::Kind::kCustom: {
      targets_.clear();
      edge.partitioner->custom()(object, channel_, n, targets_);
      for (Target& target : targets_) {
        if (target.channel < 0 || target.channel >= n) {
          throw Error(Status::Invalid(
              "the partition function of the stream into node '" + edge.consumer->name +
              "' sent an object to channel " + std::to_string(target.channel) + ", but '" +
              edge.consumer->name + "' has " + std::to_string(n) + " channels"));
        }
        int64_t target_bytes = static_cast<int64_t>(target.object.byte_size());
        Send(edge.links[target.channel], std::move(target.object), target_bytes);
      }
      return;
    }
  }
}

void ChannelActor::Send(Link* link, Object object, int64_t bytes) {
  // Once something waits, everything after it waits too: that keeps every link in order.
  if (pending_head_ < pending_.size()) {
    pending_.push_back({link, std::move(object), bytes});
    return;
  }
  if (link->closed()) return;
  if (!link->TryPush(object, bytes)) pending_.push_back({link, std::move(object), bytes});
}

bool ChannelActor::FlushPending() {
  while (pending_head_ < pending_.size()) {
    Pending& item = pending_[pending_head_];
    if (item.link->closed() || item.link->TryPush(item.object, item.bytes)) {
      item.object = Object();
      ++pending_head_;
      continue;
    }
    FlushOutputs();                           // the consumer can only drain what it can see
    if (item.link->ParkProducer()) continue;  // drained meanwhile: retry
    ++stats_.backpressure_stalls;
    return false;
  }
  pending_.clear();
  pending_head_ = 0;
  return true;
}

void ChannelActor::FlushOutputs() {
  for (Link* link : output_links_) {
    if (link->has_open_chunk()) link->Flush();
  }
}

}  // namespace quokka::internal
