// Writes the seed corpus of dataplane_fuzz (fuzz/dataplane_fuzz.cc): valid inputs for every
// decoder, each prefixed with the mode byte that selects it. Built by fuzz/build_dataplane.sh.
//   build-fuzz/dataplane_seeds fuzz/corpus/dataplane
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "distributed/control.h"
#include "distributed/frame.h"
#include "distributed/plan_codec.h"
#include "quokka/csv.h"
#include "quokka/executors.h"
#include "quokka/expression.h"
#include "quokka/graph.h"
#include "quokka/reader.h"
#include "quokka/serialize.h"
#include "quokka/table.h"
#include "runtime/graph_impl.h"

namespace {

using namespace quokka;  // NOLINT
namespace dist = quokka::dist;

std::string directory;

Result<std::shared_ptr<internal::DatasetState>> NoDatasets(const std::string&,
                                                           const std::vector<std::string>&) {
  return Status::NotFound("no datasets");
}

// Every seed must decode with the decoder its mode byte selects (as dataplane_fuzz does).
Status CheckSeed(char mode, std::string_view bytes) {
  switch (mode) {
    case 0:
    case 1: {
      std::string message(bytes);
      if (mode == 1) {
        message = std::string(bytes.substr(0, dist::kFrameHeaderSize));
        message[3] = static_cast<char>(dist::FrameKind::kDataZstd);
        message += dist::CompressBody(bytes.substr(dist::kFrameHeaderSize));
      }
      auto header = dist::DecodeFrameHeader(message);
      if (!header.ok()) return header.status();
      if (header->kind != dist::FrameKind::kData && header->kind != dist::FrameKind::kDataZstd) {
        return Status::OK();
      }
      return dist::DecodeDataBody(*header, std::string_view(message).substr(dist::kFrameHeaderSize))
          .status();
    }
    case 2:
      return dist::DecodePlan(bytes, NoDatasets).status();
    case 3:
      return dist::DecodeMessage(bytes).status();
    default:
      return dist::DecodeStats(bytes).status();
  }
}

void Write(const std::string& name, char mode, const std::string& bytes) {
  Status status = CheckSeed(mode, bytes);
  if (!status.ok()) {
    std::cerr << name << " does not decode: " << status.message() << "\n";
    std::exit(1);
  }
  std::string path = directory + "/" + name;
  std::ofstream out(path, std::ios::binary);
  out.put(mode);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::cerr << "cannot write " << path << "\n";
    std::exit(1);
  }
  std::cout << path << " (" << bytes.size() + 1 << " bytes)\n";
}

// A small table with a column of every type, and nulls.
Table SampleTable() {
  std::vector<Field> fields = {{"id", DataType::Int64()},
                               {"name", DataType::Utf8()},
                               {"price", DataType::Float64()},
                               {"flag", DataType::Bool()},
                               {"amount", DataType::Decimal(10, 2)},
                               {"day", DataType::Date32()},
                               {"at", DataType::Timestamp(TimeUnit::kMilli)},
                               {"small", DataType::Int8()}};
  TableBuilder builder(std::make_shared<Schema>(fields));
  for (int64_t row = 0; row < 3; ++row) {
    builder.column(0).AppendInt64(row - 1);
    if (row == 1) {
      builder.column(1).AppendNull();
    } else {
      builder.column(1).AppendString(row == 0 ? "alpha" : "\xc3\xa9t\xc3\xa9");
    }
    builder.column(2).AppendDouble(row * 1.5);
    builder.column(3).AppendBool(row % 2 == 0);
    builder.column(4).AppendInt64(12345 * row);
    builder.column(5).AppendInt64(19000 + row);
    builder.column(6).AppendInt64(1700000000000 + row);
    if (row == 2) {
      builder.column(7).AppendNull();
    } else {
      builder.column(7).AppendInt64(-100 + row);
    }
  }
  return builder.Finish();
}

std::string Body(const ObjectList& objects) {
  Encoder out;
  out.ArrayHeader(static_cast<uint32_t>(objects.size()));
  for (const Object& object : objects) out.WriteObject(object);
  return std::string(out.bytes());
}

std::string Header(dist::FrameKind kind, uint32_t count) {
  // Link ids: producer node << 40 | stream << 32 ... any value decodes; use a realistic one.
  return dist::EncodeFrameHeader({kind, count, (uint64_t{3} << 40) | (uint64_t{1} << 20) | 2});
}

std::vector<const internal::NodeSpec*> Specs(const TaskGraph& graph) {
  std::vector<const internal::NodeSpec*> specs;
  for (const auto& node : internal::GraphAccess::Nodes(graph)) specs.push_back(node.get());
  return specs;
}

std::string Plan(uint64_t run_id, const Cluster& cluster, const TaskGraph& graph,
                 Compression compression) {
  RunOptions options;
  options.threads = 2;
  options.compression = compression;
  auto bytes = dist::EncodePlan(run_id, cluster.machines(), options, Specs(graph));
  if (!bytes.ok()) {
    std::cerr << "EncodePlan: " << bytes.status().message() << "\n";
    std::exit(1);
  }
  return *bytes;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " DIRECTORY\n";
    return 2;
  }
  directory = argv[1];
  Status registered = RegisterIoTypes();
  if (registered.ok()) registered = RegisterExecutorTypes();
  if (!registered.ok()) {
    std::cerr << registered.message() << "\n";
    return 1;
  }

  // ---- data-plane frames (mode 0; mode 1: plain body compressed by the target)
  ObjectList values = {Object(int64_t{42}),
                       Object(int64_t{-7}),
                       Object(3.25),
                       Object("text"),
                       Object(Bytes{std::string("\x00\x01\xff", 3)}),
                       Object(ObjectList{Object(int64_t{1}), Object("a"), Object()}),
                       Object(ObjectMap{{"k", Object(int64_t{1})}, {"m", Object(ObjectList{})}}),
                       Object::Make(std::vector<int64_t>{1, 2, 3}),
                       Object::Make(std::vector<double>{0.5, -1}),
                       Object()};
  std::string values_body = Body(values);
  Write("frame_values", 0, Header(dist::FrameKind::kData, values.size()) + values_body);

  ObjectList tables = {Object::Make(SampleTable()), Object::Make(SampleTable().Slice(1, 1)),
                       Object::Make(Table())};
  std::string tables_body = Body(tables);
  Write("frame_tables", 0, Header(dist::FrameKind::kData, tables.size()) + tables_body);
  Write("frame_tables_zstd", 0,
        Header(dist::FrameKind::kDataZstd, tables.size()) + dist::CompressBody(tables_body));
  Write("zstd_plain_tables", 1, Header(dist::FrameKind::kDataZstd, tables.size()) + tables_body);
  Write("zstd_plain_values", 1, Header(dist::FrameKind::kDataZstd, values.size()) + values_body);

  // Registered non-table types can travel in frames too (any object on a link).
  ObjectList typed = {
      Object::Make(RangeReader(0, 100, 7)),
      Object::Make(VectorReader({Object(int64_t{1}), Object::Make(SampleTable())})),
      Object::Make(FilterExecutor((col("id") > lit(int64_t{3})) && !(col("name") == lit("x")))),
      Object::Make(ProjectExecutor({col("id") * lit(2.5), date("2024-02-29"), lit_decimal("12.34"),
                                    null_literal(DataType::Utf8())})),
      Object::Make(HashPartitionFunction({"id", "name"}))};
  Write("frame_typed", 0, Header(dist::FrameKind::kData, typed.size()) + Body(typed));

  Write("frame_end", 0, Header(dist::FrameKind::kEnd, 0));
  Write("frame_credit", 0, Header(dist::FrameKind::kCredit, 8));
  Write("frame_close", 0, Header(dist::FrameKind::kClose, 0));

  // ---- plans (mode 2)
  Cluster cluster({Machine{"a", 1, "h", 1}, Machine{"b", 1, "h", 2}});
  {
    TaskGraph graph(cluster);
    Stream left = graph.NewInputReaderNode(RangeReader(0, 10), {.name = "left"});
    Stream right =
        graph.NewInputReaderNode(RangeReader(0, 10, 4), {.name = "right", .depends_on = {left}});
    Stream joined = graph.NewNonBlockingNode(
        {{0, {left, HashPartitionBy({"key"})}}, {1, {right, Partitioner::Broadcast()}}},
        HashJoin({.left_keys = {"key"}, .right_keys = {"key"}}), {.name = "join"});
    graph.NewBlockingNode({{0, {joined, Partitioner::ToChannel(0)}}}, Count(),
                          {.name = "count", .channels = 1});
    graph.Create();
    Write("plan_join", 2, Plan(7, cluster, graph, Compression::kNone));
  }
  {
    TaskGraph graph(cluster);
    Stream rows = graph.NewInputReaderNode(
        VectorReader({Object::Make(SampleTable()), Object::Make(SampleTable().Slice(0, 2))}),
        {.name = "rows", .channels_per_machine = {1, 1}});
    Stream filtered = graph.NewNonBlockingNode(
        {{0, rows}}, FilterExecutor(col("price") >= lit(1.0) || col("name") == lit("alpha")),
        {.name = "filter"});
    Stream projected = graph.NewNonBlockingNode(
        {{0, {filtered, Partitioner::RoundRobin()}}},
        ProjectExecutor({col("id"), col("amount") + lit_decimal("1.50"), col("day")}),
        {.name = "project"});
    Stream grouped = graph.NewNonBlockingNode(
        {{0, {projected, HashPartitionBy({"id"})}}},
        HashAggregate({"id"}, {{AggregateFunction::kSum, "amount", "total"},
                               {AggregateFunction::kCountAll, "", "n"},
                               {AggregateFunction::kMean, "amount", "mean"}}),
        {.name = "aggregate"});
    Stream distinct =
        graph.NewNonBlockingNode({{0, grouped}}, Distinct({"id"}), {.name = "distinct"});
    Stream sorted = graph.NewNonBlockingNode({{0, {distinct, Partitioner::ToChannel(0)}}},
                                             Sort({{"total", false, true}, {"id"}}, 10),
                                             {.name = "sort", .channels = 1});
    Stream limited =
        graph.NewNonBlockingNode({{0, sorted}}, Limit(5), {.name = "limit", .channels = 1});
    Stream asof = graph.NewNonBlockingNode(
        {{0, {limited, Partitioner::Broadcast()}}, {1, {rows, Partitioner::Broadcast()}}},
        AsofJoin({.left_on = "id", .right_on = "id", .left_by = {"id"}, .right_by = {"id"}}),
        {.name = "asof"});
    graph.NewBlockingNode({{0, asof}}, CsvSink("/nonexistent/out"), {.name = "csv_sink"});
    graph.NewBlockingNode({{0, limited}}, IpcSink("/nonexistent/ipc"), {.name = "ipc_sink"});
    graph.Create();
    Write("plan_executors", 2, Plan(12345, cluster, graph, Compression::kZstd));
  }

  // ---- control messages (mode 3)
  Write("control_node_done", 3, dist::EncodeMessage({"node_done", 42, 3, "", "a"}));
  Write("control_error", 3,
        dist::EncodeMessage({"error", 7, 0, std::string("Invalid\0node 'x' failed", 23), "b"}));

  // ---- statistics (mode 4)
  RunStats stats;
  stats.wall_seconds = 1.25;
  stats.memory_budget_bytes = 256u << 20;
  stats.peak_queued_bytes = 4096;
  stats.threads = 2;
  stats.nodes.push_back(
      {"scan",
       "reader",
       {{.channel = 0, .machine = "a", .objects_out = 9, .bytes_out = 900, .execute_seconds = 0.5},
        {.channel = 1, .machine = "b", .objects_out = 3, .finished_early = true}}});
  stats.nodes.push_back({"join",
                         "non-blocking",
                         {{.channel = 0,
                           .machine = "a",
                           .objects_in = 12,
                           .batches_in = 4,
                           .max_queue_depth = 5,
                           .backpressure_stalls = 1}}});
  Write("stats", 4, dist::EncodeStats(stats));
  return 0;
}
