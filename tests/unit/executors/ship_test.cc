// Shipping the canned executors and HashPartitionBy through the type registry: each one,
// serialized and deserialized and made into a channel's executor by its codec (as a worker
// does), produces what the original produces; only configuration travels, not channel state;
// and truncated or corrupted encodings give errors, never a crash.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <sstream>

#include "executor_test_util.h"
#include "quokka/ipc.h"
#include "quokka/serialize.h"
#include "test_util.h"

namespace quokka {
namespace {

namespace fs = std::filesystem;

std::string TempDir(const std::string& name) {
  return (fs::temp_directory_path() / ("quokka_ship_" + name + "_" + std::to_string(::getpid())))
      .string();
}

// A channel's executor made the way a worker makes it: by the codec of the decoded object.
class Shipped : public Executor {
 public:
  explicit Shipped(Object decoded)
      : decoded_(std::move(decoded)), inner_(FindCodec(decoded_.type())->make_executor(decoded_)) {}
  Shipped(const Shipped& other) : Shipped(other.decoded_) {}
  void Execute(ObjectList& batches, int stream_id, int channel, Output& out) override {
    inner_->Execute(batches, stream_id, channel, out);
  }
  void Done(int channel, Output& out) override { inner_->Done(channel, out); }

 private:
  Object decoded_;
  std::unique_ptr<Executor> inner_;
};

using Inputs = std::map<int, ObjectList>;

// What a one-channel node emits, rendered: the rows of tables (with their schema), and the
// contents of the files that sinks report.
std::vector<std::string> Render(const Dataset& dataset, bool ordered) {
  std::vector<std::string> lines;
  for (const Object& object : dataset) {
    if (const Table* table = object.GetIf<Table>()) {
      lines.push_back("schema " + table->schema()->ToString());
      for (std::string& row : test::RowList(*table)) lines.push_back(std::move(row));
      continue;
    }
    const std::string& path = object.As<std::string>();
    if (path.ends_with(".arrow")) {
      auto tables = ReadIpcFile(path);
      EXPECT_TRUE(tables.ok()) << tables.status().ToString();
      for (const Table& table : *tables) {
        for (std::string& row : test::RowList(table)) lines.push_back(std::move(row));
      }
    } else {
      std::ifstream in(path, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      lines.push_back(text.str());
    }
  }
  if (!ordered) std::sort(lines.begin(), lines.end());
  return lines;
}

template <typename E>
std::vector<std::string> RunOn(E executor, const Inputs& inputs, bool ordered) {
  LocalCluster cluster(2);
  TaskGraph graph(cluster);
  std::map<int, Source> sources;
  for (const auto& [stream, batches] : inputs) {
    sources.emplace(stream, graph.NewInputReaderNode(
                                VectorReader(batches),
                                {.name = "input" + std::to_string(stream), .channels = 1}));
  }
  Dataset out = graph.NewBlockingNode(std::move(sources), std::move(executor),
                                      {.name = "shipped", .channels = 1});
  graph.Run(test::QuietRun());
  return Render(out, ordered);
}

struct Case {
  std::string name;  // the registered type name
  Object prototype;
  Inputs inputs;
  bool ordered = true;
  bool writes_files = false;
  std::function<std::vector<std::string>()> run_original;
};

template <typename E>
Case MakeCase(std::string name, E executor, Inputs inputs, bool ordered = true) {
  Case c{std::move(name), Object::Make<E>(executor), inputs, ordered};
  c.run_original = [executor, inputs, ordered] { return RunOn(executor, inputs, ordered); };
  return c;
}

// Small tables with every kind of column the executors handle (and nulls).
struct Data {
  Table left, right, left_asof, right_asof;
};

Table AsofSide(const std::string& prefix, int64_t rows, int step) {
  TableBuilder builder(test::MakeSchema({{prefix + "g", DataType::Int64()},
                                         {prefix + "t", DataType::Int64()},
                                         {prefix + "v", DataType::Utf8()}}));
  for (int64_t r = 0; r < rows; ++r) {
    builder.column(0).AppendInt64(r % 3);
    builder.column(1).AppendInt64(r * step);
    builder.column(2).AppendString(prefix + std::to_string(r));
  }
  return builder.Finish();
}

const Data& TestData() {
  static const Data data = [] {
    std::mt19937_64 rng(42);
    Data d;
    d.left = test::RandomTable(rng, 300, 20, true, "l_");
    d.right = test::RandomTable(rng, 200, 20, true, "r_");
    d.left_asof = AsofSide("l_", 40, 7);
    d.right_asof = AsofSide("r_", 30, 5);
    return d;
  }();
  return data;
}

std::vector<Case> Cases() {
  const Data& d = TestData();
  const Inputs one = {{0, test::Batches(d.left, 41)}};
  const Inputs two = {{0, test::Batches(d.left, 41)}, {1, test::Batches(d.right, 29)}};
  const Inputs asof = {{0, test::Batches(d.left_asof, 9)}, {1, test::Batches(d.right_asof, 7)}};
  std::vector<Case> cases;
  cases.push_back(
      MakeCase("quokka.filter_executor",
               FilterExecutor(col("l_val") > 0 && col("l_name").isin({"s1", "s2", "s3"})), one));
  cases.push_back(MakeCase("quokka.project_executor",
                           ProjectExecutor({col("l_key"), (col("l_val") * 2).alias("v2"),
                                            (col("l_price") * lit_decimal("1.5")).alias("p"),
                                            col("l_name").like("s%1").alias("like")}),
                           one));
  for (JoinType type : {JoinType::kInner, JoinType::kLeft, JoinType::kSemi, JoinType::kAnti}) {
    cases.push_back(
        MakeCase("quokka.hash_join", HashJoin({{"l_key"}, {"r_key"}, type, "_x"}), two, false));
  }
  cases.push_back(MakeCase("quokka.asof_join", AsofJoin({"l_t", "r_t", {"l_g"}, {"r_g"}, "_right"}),
                           asof, false));
  cases.push_back(
      MakeCase("quokka.hash_aggregate",
               HashAggregate({"l_name"}, {{AggregateFunction::kSum, "l_val", "sum"},
                                          {AggregateFunction::kCount, "l_val", "count"},
                                          {AggregateFunction::kCountAll, "", "rows"},
                                          {AggregateFunction::kCountDistinct, "l_key", "keys"},
                                          {AggregateFunction::kMin, "l_price", "min"},
                                          {AggregateFunction::kMax, "l_price", "max"},
                                          {AggregateFunction::kMean, "l_val", "mean"}}),
               one, false));
  cases.push_back(MakeCase("quokka.count", Count(), one));
  cases.push_back(MakeCase("quokka.distinct", Distinct({"l_key", "l_name"}), one, false));
  cases.push_back(
      MakeCase("quokka.sort", Sort({{"l_val", false, true}, {"l_key", true, false}}, 17), one));
  cases.push_back(MakeCase("quokka.sort", Sort({{"l_name"}, {"l_key"}}), one));
  cases.push_back(MakeCase("quokka.limit", Limit(25), one));
  cases.push_back(MakeCase("quokka.collect", Collect(), one));
  CsvWriteOptions csv;
  csv.delimiter = ';';
  csv.line_terminator = "\r\n";
  cases.push_back(MakeCase("quokka.csv_sink", CsvSink(TempDir("csv"), csv), one));
  cases.push_back(MakeCase("quokka.ipc_sink", IpcSink(TempDir("ipc")), one));
  cases.back().writes_files = cases[cases.size() - 2].writes_files = true;
  return cases;
}

TEST(ShipTest, RegistrationIsIdempotent) {
  QK_ASSERT_OK(RegisterExecutorTypes());
  QK_ASSERT_OK(RegisterExecutorTypes());
  QK_ASSERT_OK(RegisterIoTypes());
  for (const char* name :
       {"quokka.hash_partition", "quokka.filter_executor", "quokka.project_executor",
        "quokka.hash_join", "quokka.asof_join", "quokka.hash_aggregate", "quokka.count",
        "quokka.distinct", "quokka.sort", "quokka.limit", "quokka.csv_sink", "quokka.ipc_sink",
        "quokka.table", "quokka.csv_reader", "quokka.ipc_file_reader"}) {
    EXPECT_NE(FindCodec(name), nullptr) << name;
  }
  EXPECT_NE(FindCodec("quokka.hash_partition")->make_partitioner, nullptr);
  EXPECT_NE(FindCodec("quokka.hash_join")->make_executor, nullptr);
  EXPECT_NE(FindCodec("quokka.csv_reader")->make_reader, nullptr);
}

TEST(ShipTest, EveryExecutorBehavesLikeTheOriginal) {
  std::set<std::string> covered;
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    Result<std::string> bytes = Serialize(c.prototype);
    QK_ASSERT_OK(bytes);
    Result<Object> decoded = Deserialize(*bytes);
    QK_ASSERT_OK(decoded);
    const TypeCodec* codec = FindCodec(c.name);
    ASSERT_NE(codec, nullptr);
    ASSERT_EQ(FindCodec(decoded->type()), codec);
    ASSERT_NE(codec->make_executor, nullptr);
    // The decoded object encodes to the same bytes: nothing was lost or added.
    EXPECT_EQ(*Serialize(*decoded), *bytes);
    std::vector<std::string> expected = c.run_original();
    EXPECT_FALSE(expected.empty());
    EXPECT_EQ(RunOn(Shipped(*decoded), c.inputs, c.ordered), expected);
    covered.insert(c.name);
  }
  EXPECT_EQ(covered.size(), 12u);
  fs::remove_all(TempDir("csv"));
  fs::remove_all(TempDir("ipc"));
}

TEST(ShipTest, OnlyConfigurationTravels) {
  const Data& d = TestData();
  ObjectList batches = test::Batches(d.left, 50);
  Output ignored;
  // A Count that has counted and a Limit that has passed rows on ship as new ones.
  Count count;
  ObjectList first = {batches[0]};
  count.Execute(first, 0, 0, ignored);
  Limit limit(60);
  ObjectList more = {batches[0]};
  limit.Execute(more, 0, 0, ignored);
  const Inputs one = {{0, batches}};
  EXPECT_EQ(RunOn(Shipped(*Deserialize(*Serialize(Object::Make(count)))), one, true),
            RunOn(Count(), one, true));
  EXPECT_EQ(RunOn(Shipped(*Deserialize(*Serialize(Object::Make(limit)))), one, true),
            RunOn(Limit(60), one, true));
}

// The rows of a 3-channel join of the test tables, the left side partitioned by `left_by`.
std::vector<std::string> JoinRows(const Partitioner& left_by) {
  const Data& d = TestData();
  LocalCluster cluster(2);
  TaskGraph graph(cluster);
  Stream left = graph.NewInputReaderNode(VectorReader(test::Batches(d.left, 30)),
                                         {.name = "left", .channels = 2});
  Stream right = graph.NewInputReaderNode(VectorReader(test::Batches(d.right, 30)),
                                          {.name = "right", .channels = 2});
  Dataset joined =
      graph.NewBlockingNode({{0, {left, left_by}}, {1, {right, HashPartitionBy({"r_key"})}}},
                            HashJoin({{"l_key"}, {"r_key"}}), {.name = "join", .channels = 3});
  graph.Run(test::QuietRun());
  return test::RowSet(ToTable(joined));
}

TEST(ShipTest, HashPartitionByIsShippable) {
  const Data& d = TestData();
  Partitioner original = HashPartitionBy({"l_key", "l_name"});
  ASSERT_FALSE(original.function_object().is_null());
  EXPECT_EQ(original.ToString(), FindCodec("quokka.hash_partition")->name);
  Result<std::string> bytes = Serialize(original.function_object());
  QK_ASSERT_OK(bytes);
  Result<Object> decoded = Deserialize(*bytes);
  QK_ASSERT_OK(decoded);
  EXPECT_EQ(decoded->As<HashPartitionFunction>().keys(),
            (std::vector<std::string>{"l_key", "l_name"}));
  Partitioner shipped = FindCodec("quokka.hash_partition")->make_partitioner(*decoded);
  for (int channels : {1, 4}) {
    std::vector<Target> a, b;
    original.custom()(Object::Make(d.left), 0, channels, a);
    shipped.custom()(Object::Make(d.left), 0, channels, b);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].channel, b[i].channel);
      EXPECT_TRUE(a[i].object.As<Table>().Equals(b[i].object.As<Table>()));
    }
  }
  // Used in a graph, the decoded partitioner routes equal keys to one join channel.
  Partitioner left_by = FindCodec("quokka.hash_partition")
                            ->make_partitioner(*Deserialize(
                                *Serialize(HashPartitionBy({"l_key"}).function_object())));
  EXPECT_EQ(JoinRows(left_by), JoinRows(HashPartitionBy({"l_key"})));
}

// Runs a decoded executor directly on the inputs: it may throw quokka::Error (bad columns,
// types), nothing else.
void RunDirectly(const Object& decoded, const Inputs& inputs) {
  const TypeCodec* codec = FindCodec(decoded.type());
  if (codec == nullptr || !codec->make_executor) return;
  std::unique_ptr<Executor> executor = codec->make_executor(decoded);
  Output out;
  try {
    for (const auto& [stream, batches] : inputs) {
      ObjectList copy = batches;
      executor->Execute(copy, stream, 0, out);
    }
    executor->Done(0, out);
  } catch (const Error& error) {
    EXPECT_FALSE(error.status().ok());
  }
}

TEST(ShipTest, CorruptEncodingsFailCleanly) {
  std::mt19937_64 rng(9);
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    const std::string bytes = *Serialize(c.prototype);
    for (size_t n = 0; n < bytes.size(); ++n) {
      EXPECT_FALSE(Deserialize(bytes.substr(0, n)).ok()) << "cut to " << n << " bytes";
    }
    EXPECT_FALSE(Deserialize(bytes + '\0').ok());
    for (size_t i = 0; i < bytes.size(); ++i) {
      for (int variant = 0; variant < 4; ++variant) {
        std::string broken = bytes;
        broken[i] = static_cast<char>(variant < 3 ? broken[i] ^ (0x01 << (variant * 3))
                                                  : static_cast<char>(rng()));
        Result<Object> decoded = Deserialize(broken);
        if (!decoded.ok()) {
          EXPECT_FALSE(decoded.status().message().empty());
          continue;
        }
        // Sinks would write wherever the corrupted path points: decode them only.
        if (!c.writes_files) RunDirectly(*decoded, c.inputs);
      }
    }
  }
}

TEST(ShipTest, MalformedConfigurationsAreRefused) {
  auto body = [](const char* name, const std::function<void(Encoder&)>& write) {
    // A registered value: MessagePack ext type 1 holding the name and the payload.
    Encoder payload;
    payload.String(name);
    write(payload);
    std::string bytes(payload.bytes());
    std::string out = "\xc7";
    out += static_cast<char>(bytes.size());
    out += '\x01';
    return out + bytes;
  };
  auto strings = [](Encoder& out, std::vector<std::string> values) {
    out.ArrayHeader(static_cast<uint32_t>(values.size()));
    for (const std::string& value : values) out.String(value);
  };
  Result<Object> bad_join = Deserialize(body("quokka.hash_join", [&](Encoder& out) {
    out.ArrayHeader(4);
    strings(out, {"a"});
    strings(out, {"b"});
    out.Int(7);
    out.String("_r");
  }));
  ASSERT_FALSE(bad_join.ok());
  QK_EXPECT_CONTAINS(bad_join.status().message(), "unknown join type 7");
  Result<Object> bad_aggregate = Deserialize(body("quokka.hash_aggregate", [&](Encoder& out) {
    out.ArrayHeader(2);
    strings(out, {});
    out.ArrayHeader(1);
    out.ArrayHeader(3);
    out.Int(-1);
    out.String("x");
    out.String("y");
  }));
  ASSERT_FALSE(bad_aggregate.ok());
  QK_EXPECT_CONTAINS(bad_aggregate.status().message(), "unknown aggregate function -1");
  Result<Object> short_sort = Deserialize(body("quokka.sort", [&](Encoder& out) {
    out.ArrayHeader(1);
    out.ArrayHeader(0);
  }));
  ASSERT_FALSE(short_sort.ok());
  QK_EXPECT_CONTAINS(short_sort.status().message(), "quokka.sort: expected 2 fields, got 1");
  Result<Object> bad_sink = Deserialize(body("quokka.csv_sink", [&](Encoder& out) {
    out.ArrayHeader(5);
    out.String("/tmp/x");
    out.Int(',');
    out.Int(',');
    out.Bool(true);
    out.String("\n");
  }));
  ASSERT_FALSE(bad_sink.ok());
  QK_EXPECT_CONTAINS(bad_sink.status().message(), "quote character");
}

}  // namespace
}  // namespace quokka
