// TPC-H query plans. Every plan: readers with projection + predicate pushdown (batch function),
// a partial aggregation per reader channel on the same machine (default partitioning), and a
// final one-channel aggregation, projection and sort.
#include "queries.h"

#include <filesystem>

#include "dbgen.h"
#include "quokka/csv.h"
#include "quokka/executors.h"
#include "quokka/expression.h"
#include "quokka/graph.h"
#include "quokka/ipc.h"

namespace quokka::tpch {
namespace {

namespace fs = std::filesystem;
using BatchFunction = std::function<Table(const Table&)>;

// Adds a reader of `table` producing only `columns`, with `batch_function` applied in the
// reader channels. Finds DIR/<t>.tbl, DIR/<t>/ (split files) or DIR/<t>.arrow.
Result<Stream> ReadTable(TaskGraph& graph, const std::string& dir, TpchTable table,
                         const std::vector<std::string>& columns, BatchFunction batch_function,
                         int channels) {
  const std::string name = TpchTableName(table);
  const fs::path base = fs::path(dir) / name;
  NodeOptions options{.name = "scan_" + name};
  if (channels > 0) options.channels = channels;
  std::error_code error;
  if (fs::exists(base.string() + ".tbl", error) || fs::is_directory(base, error)) {
    const std::string input =
        fs::exists(base.string() + ".tbl", error) ? base.string() + ".tbl" : base.string();
    CsvReadOptions csv;
    csv.delimiter = '|';
    csv.header = false;
    csv.allow_trailing_delimiter = true;
    csv.quoting = false;
    for (const TpchColumn& column : TpchColumns(table)) {
      csv.column_names.push_back(column.name);
      csv.column_types[column.name] = column.type;
    }
    csv.include_columns = columns;
    csv.batch_function = std::move(batch_function);
    QK_ASSIGN_OR_RAISE(CsvReader reader, CsvReader::Make({input}, csv));
    return graph.NewInputReaderNode(std::move(reader), options);
  }
  if (fs::exists(base.string() + ".arrow", error)) {
    Stream scan = graph.NewInputReaderNode(IpcFileReader(base.string() + ".arrow"), options);
    auto apply = [columns, batch_function](const Object& object) {
      Table projected = object.As<Table>().Select(columns);
      return Object::Make(batch_function ? batch_function(projected) : projected);
    };
    return graph.NewTask(scan, apply, {.name = "filter_" + name});
  }
  return Status::NotFound("TPC-H table '" + name + "' not found: no " + base.string() + ".tbl, " +
                          base.string() + "/ or " + base.string() + ".arrow");
}

Table Apply(const Table& input, const Expr& predicate, const std::vector<Expr>& projection) {
  return Project(Filter(input, predicate).ValueOrThrow(), projection).ValueOrThrow();
}

Aggregate Sum(const std::string& column, const std::string& name) {
  return {AggregateFunction::kSum, column, name};
}

// ------------------------------------------------------------------------------------ Q1

Result<Dataset> Q1(TaskGraph& graph, const TpchRunOptions& options) {
  const Expr shipped = col("l_shipdate") <= date("1998-12-01").add_days(-90);
  const Expr disc_price = col("l_extendedprice") * (lit(1) - col("l_discount"));
  const std::vector<Expr> projection = {col("l_returnflag"),
                                        col("l_linestatus"),
                                        col("l_quantity"),
                                        col("l_extendedprice"),
                                        col("l_discount"),
                                        disc_price.alias("disc_price"),
                                        (disc_price * (lit(1) + col("l_tax"))).alias("charge")};
  QK_ASSIGN_OR_RAISE(
      Stream lineitem,
      ReadTable(
          graph, options.data_dir, TpchTable::kLineitem,
          {"l_quantity", "l_extendedprice", "l_discount", "l_tax", "l_returnflag", "l_linestatus",
           "l_shipdate"},
          [=](const Table& t) { return Apply(t, shipped, projection); }, options.channels));
  const std::vector<std::string> keys = {"l_returnflag", "l_linestatus"};
  NodeOptions partial_options{.name = "partial_agg"};
  if (options.channels > 0) partial_options.channels = options.channels;
  Stream partial = graph.NewNonBlockingNode(
      {{0, lineitem}},
      HashAggregate(keys, {Sum("l_quantity", "sum_qty"),
                           Sum("l_extendedprice", "sum_base_price"),
                           Sum("disc_price", "sum_disc_price"),
                           Sum("charge", "sum_charge"),
                           Sum("l_discount", "sum_disc"),
                           {AggregateFunction::kCountAll, "", "count_order"}}),
      partial_options);
  Stream final_sums = graph.NewNonBlockingNode(
      {{0, partial}},
      HashAggregate(keys, {Sum("sum_qty", "sum_qty"), Sum("sum_base_price", "sum_base_price"),
                           Sum("sum_disc_price", "sum_disc_price"), Sum("sum_charge", "sum_charge"),
                           Sum("sum_disc", "sum_disc"), Sum("count_order", "count_order")}),
      {.name = "final_agg", .channels = 1});
  Stream result = graph.NewNonBlockingNode(
      {{0, final_sums}},
      ProjectExecutor({col("l_returnflag"), col("l_linestatus"), col("sum_qty"),
                       col("sum_base_price"), col("sum_disc_price"), col("sum_charge"),
                       (col("sum_qty") / col("count_order")).alias("avg_qty"),
                       (col("sum_base_price") / col("count_order")).alias("avg_price"),
                       (col("sum_disc") / col("count_order")).alias("avg_disc"),
                       col("count_order")}),
      {.name = "averages", .channels = 1});
  return graph.NewBlockingNode({{0, result}}, Sort({{"l_returnflag"}, {"l_linestatus"}}),
                               {.name = "sort", .channels = 1});
}

// ------------------------------------------------------------------------------------ Q6

Result<Dataset> Q6(TaskGraph& graph, const TpchRunOptions& options) {
  const Expr predicate =
      col("l_shipdate") >= date("1994-01-01") && col("l_shipdate") < date("1995-01-01") &&
      col("l_discount").between(lit_decimal("0.05"), lit_decimal("0.07")) && col("l_quantity") < 24;
  const std::vector<Expr> projection = {(col("l_extendedprice") * col("l_discount")).alias("rev")};
  QK_ASSIGN_OR_RAISE(
      Stream lineitem,
      ReadTable(
          graph, options.data_dir, TpchTable::kLineitem,
          {"l_quantity", "l_extendedprice", "l_discount", "l_shipdate"},
          [=](const Table& t) { return Apply(t, predicate, projection); }, options.channels));
  NodeOptions partial_options{.name = "partial_sum"};
  if (options.channels > 0) partial_options.channels = options.channels;
  Stream partial = graph.NewNonBlockingNode(
      {{0, lineitem}}, HashAggregate({}, {Sum("rev", "revenue")}), partial_options);
  return graph.NewBlockingNode({{0, partial}}, HashAggregate({}, {Sum("revenue", "revenue")}),
                               {.name = "final_sum", .channels = 1});
}

}  // namespace

const std::vector<int>& ImplementedTpchQueries() {
  static const std::vector<int> kQueries = {1, 6};
  return kQueries;
}

Result<TpchQueryResult> RunTpchQuery(int number, const Cluster& cluster,
                                     const TpchRunOptions& given) {
  TpchRunOptions options = given;
  if (options.channels <= 0) options.channels = cluster.total_cores();
  if (number < 1 || number > 22) {
    return Status::Invalid("--query must be a TPC-H query number from 1 to 22, got " +
                           std::to_string(number));
  }
  std::error_code error;
  if (!fs::is_directory(options.data_dir, error)) {
    return Status::NotFound("--data: " + options.data_dir + " is not a directory");
  }
  try {
    TaskGraph graph(cluster);
    Result<Dataset> result = Status::Invalid("");
    switch (number) {
      case 1:
        result = Q1(graph, options);
        break;
      case 6:
        result = Q6(graph, options);
        break;
      default:
        return Status::Invalid("TPC-H query " + std::to_string(number) +
                               " is not implemented yet (implemented: 1, 6)");
    }
    if (!result.ok()) return result.status();
    RunOptions run;
    run.progress = options.progress ? Progress::kAuto : Progress::kOff;
    TpchQueryResult out;
    out.stats = graph.Run(run);
    out.table = ToTable(*result);
    return out;
  } catch (const Error& error) {
    return error.status().WithContext("TPC-H query " + std::to_string(number));
  }
}

}  // namespace quokka::tpch
