// TPC-H query plans. Every plan: readers with projection + predicate pushdown (expressions
// applied in the reader channels), a partial aggregation per reader channel on the same machine
// (default partitioning), and a final one-channel aggregation, projection and sort. Plans hold
// only registered readers, executors and partition functions (no lambdas), so every node can be
// shipped to another machine.
#include "queries.h"

#include <filesystem>
#include <optional>

#include "dbgen.h"
#include "quokka/csv.h"
#include "quokka/executors.h"
#include "quokka/expression.h"
#include "quokka/graph.h"
#include "quokka/ipc.h"

namespace quokka::tpch {
namespace {

namespace fs = std::filesystem;

// What a scan produces: the rows of `columns` where `filter` holds, then `projection` of them
// (no projection: the columns themselves).
struct Scan {
  std::vector<std::string> columns;
  std::optional<Expr> filter;
  std::vector<Expr> projection;
};

// Whether DIR/NAME is a directory with files, locally or as an S3 prefix.
Result<bool> IsDirectory(const std::string& path) {
  if (!IsS3Path(path)) {
    std::error_code error;
    return fs::is_directory(path, error);
  }
  Result<std::vector<FileEntry>> files = ListFiles(path + "/");
  if (files.ok()) return true;
  if (files.status().code() == StatusCode::kNotFound) return false;
  return files.status();
}

// Adds a reader of `table` applying `scan` in the reader channels. Finds DIR/<t>.tbl, DIR/<t>/
// (split files) or DIR/<t>.arrow; DIR may be an S3 prefix (s3://bucket/prefix/).
Result<Stream> ReadTable(TaskGraph& graph, const std::string& dir, TpchTable table, Scan scan,
                         int channels, std::vector<NodeRef> depends_on = {}) {
  const std::string name = TpchTableName(table);
  const std::string base = JoinPath(dir, name);
  NodeOptions options{.name = "scan_" + name};
  options.depends_on = std::move(depends_on);
  if (channels > 0) options.channels = channels;
  QK_ASSIGN_OR_RAISE(const bool single, FileExists(base + ".tbl"));
  QK_ASSIGN_OR_RAISE(const bool split, single ? Result<bool>(false) : IsDirectory(base));
  if (single || split) {
    const std::string input = single ? base + ".tbl" : base;
    CsvReadOptions csv;
    csv.delimiter = '|';
    csv.header = false;
    csv.allow_trailing_delimiter = true;
    csv.quoting = false;
    for (const TpchColumn& column : TpchColumns(table)) {
      csv.column_names.push_back(column.name);
      csv.column_types[column.name] = column.type;
    }
    csv.include_columns = std::move(scan.columns);
    csv.filter = std::move(scan.filter);
    csv.projection = std::move(scan.projection);
    QK_ASSIGN_OR_RAISE(CsvReader reader, CsvReader::Make({input}, csv));
    return graph.NewInputReaderNode(std::move(reader), options);
  }
  QK_ASSIGN_OR_RAISE(const bool arrow, FileExists(base + ".arrow"));
  if (arrow) {
    IpcReadOptions ipc{.filter = std::move(scan.filter), .projection = std::move(scan.projection)};
    if (ipc.projection.empty()) {
      for (const std::string& column : scan.columns) ipc.projection.push_back(col(column));
    }
    return graph.NewInputReaderNode(IpcFileReader(base + ".arrow", std::move(ipc)), options);
  }
  return Status::NotFound("TPC-H table '" + name + "' not found: no " + base + ".tbl, " + base +
                          "/ or " + base + ".arrow");
}

Aggregate Sum(const std::string& column, const std::string& name) {
  return {AggregateFunction::kSum, column, name};
}

// Partial aggregation in every channel of `input`'s node (default partitioning keeps it on the
// producer's machine), a one-channel final aggregation, an optional projection, and a sort.
Dataset Aggregate2(TaskGraph& graph, Stream input, const TpchRunOptions& options,
                   const std::vector<std::string>& keys, std::vector<Aggregate> partial,
                   std::vector<Aggregate> final_aggs, std::vector<Expr> projection,
                   std::vector<compute::SortKey> order) {
  Stream partials = graph.NewNonBlockingNode({{0, input}}, HashAggregate(keys, std::move(partial)),
                                             {.name = "partial_agg", .channels = options.channels});
  Stream result =
      graph.NewNonBlockingNode({{0, partials}}, HashAggregate(keys, std::move(final_aggs)),
                               {.name = "final_agg", .channels = 1});
  if (!projection.empty()) {
    result = graph.NewNonBlockingNode({{0, result}}, ProjectExecutor(std::move(projection)),
                                      {.name = "project", .channels = 1});
  }
  if (order.empty())
    return graph.NewBlockingNode({{0, result}}, Collect(), {.name = "result", .channels = 1});
  return graph.NewBlockingNode({{0, result}}, Sort(std::move(order)),
                               {.name = "sort", .channels = 1});
}

// An inner (or semi) hash join of two streams partitioned by their keys.
Stream Join(TaskGraph& graph, Stream left, const std::string& left_key, Stream right,
            const std::string& right_key, JoinType type, const TpchRunOptions& options) {
  return graph.NewNonBlockingNode(
      {{0, {left, HashPartitionBy({left_key})}}, {1, {right, HashPartitionBy({right_key})}}},
      HashJoin({.left_keys = {left_key}, .right_keys = {right_key}, .type = type}),
      {.name = "join_" + left_key + "_" + right_key, .channels = options.channels});
}

Aggregate Count(const std::string& name) { return {AggregateFunction::kCountAll, "", name}; }

// ------------------------------------------------------------------------------------ Q4

Result<Dataset> Q4(TaskGraph& graph, const TpchRunOptions& options) {
  const Expr in_quarter =
      col("o_orderdate") >= date("1993-07-01") && col("o_orderdate") < date("1993-10-01");
  QK_ASSIGN_OR_RAISE(Stream orders, ReadTable(graph, options.data_dir, TpchTable::kOrders,
                                              {{"o_orderkey", "o_orderdate", "o_orderpriority"},
                                               in_quarter,
                                               {col("o_orderkey"), col("o_orderpriority")}},
                                              options.channels));
  const Expr late = col("l_commitdate") < col("l_receiptdate");
  QK_ASSIGN_OR_RAISE(
      Stream lineitem,
      ReadTable(graph, options.data_dir, TpchTable::kLineitem,
                {{"l_orderkey", "l_commitdate", "l_receiptdate"}, late, {col("l_orderkey")}},
                options.channels));
  Stream matched =
      Join(graph, orders, "o_orderkey", lineitem, "l_orderkey", JoinType::kSemi, options);
  return Aggregate2(graph, matched, options, {"o_orderpriority"}, {Count("order_count")},
                    {Sum("order_count", "order_count")}, {}, {{"o_orderpriority"}});
}

// ------------------------------------------------------------------------------------ Q12

Result<Dataset> Q12(TaskGraph& graph, const TpchRunOptions& options) {
  const Expr predicate =
      col("l_shipmode").isin({"MAIL", "SHIP"}) && col("l_commitdate") < col("l_receiptdate") &&
      col("l_shipdate") < col("l_commitdate") && col("l_receiptdate") >= date("1994-01-01") &&
      col("l_receiptdate") < date("1995-01-01");
  QK_ASSIGN_OR_RAISE(
      Stream lineitem,
      ReadTable(graph, options.data_dir, TpchTable::kLineitem,
                {{"l_orderkey", "l_shipmode", "l_commitdate", "l_receiptdate", "l_shipdate"},
                 predicate,
                 {col("l_orderkey"), col("l_shipmode")}},
                options.channels));
  // Orders are read after the (filtered, small) lineitem side is complete: the join then only
  // probes them instead of keeping 1.5M orders per SF in its hash table.
  QK_ASSIGN_OR_RAISE(Stream orders,
                     ReadTable(graph, options.data_dir, TpchTable::kOrders,
                               {{"o_orderkey", "o_orderpriority"}}, options.channels, {lineitem}));
  Stream joined =
      Join(graph, orders, "o_orderkey", lineitem, "l_orderkey", JoinType::kInner, options);
  const Expr high = (col("o_orderpriority") == "1-URGENT" || col("o_orderpriority") == "2-HIGH")
                        .cast(DataType::Int64());
  Stream flagged = graph.NewNonBlockingNode(
      {{0, joined}},
      ProjectExecutor({col("l_shipmode"), high.alias("high"), (lit(1) - high).alias("low")}),
      {.name = "flags", .channels = options.channels});
  return Aggregate2(
      graph, flagged, options, {"l_shipmode"},
      {Sum("high", "high_line_count"), Sum("low", "low_line_count")},
      {Sum("high_line_count", "high_line_count"), Sum("low_line_count", "low_line_count")}, {},
      {{"l_shipmode"}});
}

// ------------------------------------------------------------------------------------ Q3

Result<Dataset> Q3(TaskGraph& graph, const TpchRunOptions& options) {
  QK_ASSIGN_OR_RAISE(Stream customer, ReadTable(graph, options.data_dir, TpchTable::kCustomer,
                                                {{"c_custkey", "c_mktsegment"},
                                                 col("c_mktsegment") == "BUILDING",
                                                 {col("c_custkey")}},
                                                options.channels));
  QK_ASSIGN_OR_RAISE(Stream orders,
                     ReadTable(graph, options.data_dir, TpchTable::kOrders,
                               {{"o_orderkey", "o_custkey", "o_orderdate", "o_shippriority"},
                                col("o_orderdate") < date("1995-03-15")},
                               options.channels));
  const Expr disc_price = col("l_extendedprice") * (lit(1) - col("l_discount"));
  // lineitem is the big side: read it once the order side is known, so few rows wait.
  QK_ASSIGN_OR_RAISE(Stream lineitem,
                     ReadTable(graph, options.data_dir, TpchTable::kLineitem,
                               {{"l_orderkey", "l_extendedprice", "l_discount", "l_shipdate"},
                                col("l_shipdate") > date("1995-03-15"),
                                {col("l_orderkey"), disc_price.alias("disc_price")}},
                               options.channels, {orders, customer}));
  Stream building_orders =
      Join(graph, orders, "o_custkey", customer, "c_custkey", JoinType::kInner, options);
  Stream lines =
      Join(graph, lineitem, "l_orderkey", building_orders, "o_orderkey", JoinType::kInner, options);
  // Joined by l_orderkey, so every group lives in one channel: one aggregation suffices.
  Stream revenue =
      graph.NewNonBlockingNode({{0, lines}},
                               HashAggregate({"l_orderkey", "o_orderdate", "o_shippriority"},
                                             {Sum("disc_price", "revenue")}),
                               {.name = "revenue", .channels = options.channels});
  const std::vector<compute::SortKey> order = {{"revenue", false}, {"o_orderdate", true}};
  Stream top = graph.NewNonBlockingNode({{0, revenue}}, Sort(order, 10),
                                        {.name = "top10", .channels = options.channels});
  Stream best =
      graph.NewNonBlockingNode({{0, top}}, Sort(order, 10), {.name = "final_top10", .channels = 1});
  return graph.NewBlockingNode({{0, best}},
                               ProjectExecutor({col("l_orderkey"), col("revenue"),
                                                col("o_orderdate"), col("o_shippriority")}),
                               {.name = "result", .channels = 1});
}

// ------------------------------------------------------------------------------------ Q10

Result<Dataset> Q10(TaskGraph& graph, const TpchRunOptions& options) {
  QK_ASSIGN_OR_RAISE(Stream orders, ReadTable(graph, options.data_dir, TpchTable::kOrders,
                                              {{"o_orderkey", "o_custkey", "o_orderdate"},
                                               col("o_orderdate") >= date("1993-10-01") &&
                                                   col("o_orderdate") < date("1994-01-01"),
                                               {col("o_orderkey"), col("o_custkey")}},
                                              options.channels));
  const Expr disc_price = col("l_extendedprice") * (lit(1) - col("l_discount"));
  QK_ASSIGN_OR_RAISE(Stream lineitem,
                     ReadTable(graph, options.data_dir, TpchTable::kLineitem,
                               {{"l_orderkey", "l_extendedprice", "l_discount", "l_returnflag"},
                                col("l_returnflag") == "R",
                                {col("l_orderkey"), disc_price.alias("disc_price")}},
                               options.channels, {orders}));
  Stream lines =
      Join(graph, lineitem, "l_orderkey", orders, "o_orderkey", JoinType::kInner, options);
  Stream revenue =
      graph.NewNonBlockingNode({{0, {lines, HashPartitionBy({"o_custkey"})}}},
                               HashAggregate({"o_custkey"}, {Sum("disc_price", "revenue")}),
                               {.name = "revenue", .channels = options.channels});
  QK_ASSIGN_OR_RAISE(Stream customer, ReadTable(graph, options.data_dir, TpchTable::kCustomer,
                                                {{"c_custkey", "c_name", "c_address", "c_nationkey",
                                                  "c_phone", "c_acctbal", "c_comment"}},
                                                options.channels));
  Stream customers =
      Join(graph, revenue, "o_custkey", customer, "c_custkey", JoinType::kInner, options);
  QK_ASSIGN_OR_RAISE(Stream nation, ReadTable(graph, options.data_dir, TpchTable::kNation,
                                              {{"n_nationkey", "n_name"}}, 1));
  Stream named = graph.NewNonBlockingNode(
      {{0, customers}, {1, {nation, Partitioner::Broadcast()}}},
      HashJoin({.left_keys = {"c_nationkey"}, .right_keys = {"n_nationkey"}}),
      {.name = "nation_join", .channels = options.channels});
  const std::vector<compute::SortKey> order = {{"revenue", false}, {"o_custkey", true}};
  Stream top = graph.NewNonBlockingNode({{0, named}}, Sort(order, 20),
                                        {.name = "top20", .channels = options.channels});
  Stream best =
      graph.NewNonBlockingNode({{0, top}}, Sort(order, 20), {.name = "final_top20", .channels = 1});
  return graph.NewBlockingNode(
      {{0, best}},
      ProjectExecutor({col("o_custkey").alias("c_custkey"), col("c_name"), col("revenue"),
                       col("c_acctbal"), col("n_name"), col("c_address"), col("c_phone"),
                       col("c_comment")}),
      {.name = "result", .channels = 1});
}

// ------------------------------------------------------------------------------------ Q13

Result<Dataset> Q13(TaskGraph& graph, const TpchRunOptions& options) {
  QK_ASSIGN_OR_RAISE(Stream orders, ReadTable(graph, options.data_dir, TpchTable::kOrders,
                                              {{"o_orderkey", "o_custkey", "o_comment"},
                                               !col("o_comment").like("%special%requests%"),
                                               {col("o_custkey"), col("o_orderkey")}},
                                              options.channels));
  // Customers come after the orders, so the left outer join streams them instead of waiting.
  QK_ASSIGN_OR_RAISE(Stream customer, ReadTable(graph, options.data_dir, TpchTable::kCustomer,
                                                {{"c_custkey"}}, options.channels, {orders}));
  Stream joined = Join(graph, customer, "c_custkey", orders, "o_custkey", JoinType::kLeft, options);
  // Joined by customer key: each customer's orders are counted in one channel.
  Stream counts = graph.NewNonBlockingNode(
      {{0, joined}},
      HashAggregate({"c_custkey"}, {{AggregateFunction::kCount, "o_orderkey", "c_count"}}),
      {.name = "orders_per_customer", .channels = options.channels});
  return Aggregate2(graph, counts, options, {"c_count"}, {Count("custdist")},
                    {Sum("custdist", "custdist")}, {}, {{"custdist", false}, {"c_count", false}});
}

// ------------------------------------------------------------------------------------ Q14

Result<Dataset> Q14(TaskGraph& graph, const TpchRunOptions& options) {
  const Expr in_month =
      col("l_shipdate") >= date("1995-09-01") && col("l_shipdate") < date("1995-10-01");
  const Expr disc_price = col("l_extendedprice") * (lit(1) - col("l_discount"));
  QK_ASSIGN_OR_RAISE(Stream lineitem,
                     ReadTable(graph, options.data_dir, TpchTable::kLineitem,
                               {{"l_partkey", "l_extendedprice", "l_discount", "l_shipdate"},
                                in_month,
                                {col("l_partkey"), disc_price.alias("disc_price")}},
                               options.channels));
  QK_ASSIGN_OR_RAISE(Stream part, ReadTable(graph, options.data_dir, TpchTable::kPart,
                                            {{"p_partkey", "p_type"}}, options.channels));
  Stream joined = Join(graph, lineitem, "l_partkey", part, "p_partkey", JoinType::kInner, options);
  const Expr promo = col("p_type").like("PROMO%").cast(DataType::Int64()) * col("disc_price");
  Stream priced = graph.NewNonBlockingNode(
      {{0, joined}}, ProjectExecutor({promo.alias("promo"), col("disc_price")}),
      {.name = "promo", .channels = options.channels});
  return Aggregate2(graph, priced, options, {}, {Sum("promo", "promo"), Sum("disc_price", "total")},
                    {Sum("promo", "promo"), Sum("total", "total")},
                    {(lit(100.0) * col("promo") / col("total")).alias("promo_revenue")}, {});
}

// ------------------------------------------------------------------------------------ Q19

Result<Dataset> Q19(TaskGraph& graph, const TpchRunOptions& options) {
  // Pushed down: what every branch of the OR requires of each table alone.
  const Expr line_filter = col("l_shipmode").isin({"AIR", "AIR REG"}) &&
                           col("l_shipinstruct") == "DELIVER IN PERSON" &&
                           col("l_quantity").between(1, 30);
  QK_ASSIGN_OR_RAISE(
      Stream lineitem,
      ReadTable(graph, options.data_dir, TpchTable::kLineitem,
                {{"l_partkey", "l_quantity", "l_extendedprice", "l_discount", "l_shipinstruct",
                  "l_shipmode"},
                 line_filter,
                 {col("l_partkey"), col("l_quantity"),
                  (col("l_extendedprice") * (lit(1) - col("l_discount"))).alias("disc_price")}},
                options.channels));
  const Expr part_filter =
      col("p_brand").isin({"Brand#12", "Brand#23", "Brand#34"}) && col("p_size").between(1, 15);
  QK_ASSIGN_OR_RAISE(Stream part,
                     ReadTable(graph, options.data_dir, TpchTable::kPart,
                               {{"p_partkey", "p_brand", "p_size", "p_container"}, part_filter},
                               options.channels));
  Stream joined = Join(graph, lineitem, "l_partkey", part, "p_partkey", JoinType::kInner, options);
  auto branch = [](const char* brand, std::vector<Expr> containers, int low_qty, int max_size) {
    return col("p_brand") == brand && col("p_container").isin(std::move(containers)) &&
           col("l_quantity").between(low_qty, low_qty + 10) && col("p_size").between(1, max_size);
  };
  const Expr predicate =
      branch("Brand#12", {"SM CASE", "SM BOX", "SM PACK", "SM PKG"}, 1, 5) ||
      branch("Brand#23", {"MED BAG", "MED BOX", "MED PKG", "MED PACK"}, 10, 10) ||
      branch("Brand#34", {"LG CASE", "LG BOX", "LG PACK", "LG PKG"}, 20, 15);
  Stream matching = graph.NewNonBlockingNode({{0, joined}}, FilterExecutor(predicate),
                                             {.name = "filter", .channels = options.channels});
  return Aggregate2(graph, matching, options, {}, {Sum("disc_price", "revenue")},
                    {Sum("revenue", "revenue")}, {}, {});
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
  QK_ASSIGN_OR_RAISE(Stream lineitem,
                     ReadTable(graph, options.data_dir, TpchTable::kLineitem,
                               {{"l_quantity", "l_extendedprice", "l_discount", "l_tax",
                                 "l_returnflag", "l_linestatus", "l_shipdate"},
                                shipped,
                                projection},
                               options.channels));
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

// ------------------------------------------------------------------------------------ Q5

Result<Dataset> Q5(TaskGraph& graph, const TpchRunOptions& options) {
  // The five Asian nations: region (filtered) joined with nation, both tiny, one channel.
  QK_ASSIGN_OR_RAISE(
      Stream region,
      ReadTable(graph, options.data_dir, TpchTable::kRegion,
                {{"r_regionkey", "r_name"}, col("r_name") == "ASIA", {col("r_regionkey")}}, 1));
  QK_ASSIGN_OR_RAISE(Stream nation, ReadTable(graph, options.data_dir, TpchTable::kNation,
                                              {{"n_nationkey", "n_name", "n_regionkey"}}, 1));
  Stream asia = graph.NewNonBlockingNode(
      {{0, nation}, {1, region}},
      HashJoin({.left_keys = {"n_regionkey"}, .right_keys = {"r_regionkey"}}),
      {.name = "asia_nations", .channels = 1});
  QK_ASSIGN_OR_RAISE(Stream supplier, ReadTable(graph, options.data_dir, TpchTable::kSupplier,
                                                {{"s_suppkey", "s_nationkey"}}, options.channels));
  Stream asian_suppliers = graph.NewNonBlockingNode(
      {{0, supplier}, {1, {asia, Partitioner::Broadcast()}}},
      HashJoin({.left_keys = {"s_nationkey"}, .right_keys = {"n_nationkey"}}),
      {.name = "asian_suppliers", .channels = options.channels});

  QK_ASSIGN_OR_RAISE(Stream orders, ReadTable(graph, options.data_dir, TpchTable::kOrders,
                                              {{"o_orderkey", "o_custkey", "o_orderdate"},
                                               col("o_orderdate") >= date("1994-01-01") &&
                                                   col("o_orderdate") < date("1995-01-01"),
                                               {col("o_orderkey"), col("o_custkey")}},
                                              options.channels));
  QK_ASSIGN_OR_RAISE(Stream customer, ReadTable(graph, options.data_dir, TpchTable::kCustomer,
                                                {{"c_custkey", "c_nationkey"}}, options.channels));
  Stream customer_orders =
      Join(graph, orders, "o_custkey", customer, "c_custkey", JoinType::kInner, options);
  const Expr disc_price = col("l_extendedprice") * (lit(1) - col("l_discount"));
  QK_ASSIGN_OR_RAISE(
      Stream lineitem,
      ReadTable(graph, options.data_dir, TpchTable::kLineitem,
                {{"l_orderkey", "l_suppkey", "l_extendedprice", "l_discount"},
                 std::nullopt,
                 {col("l_orderkey"), col("l_suppkey"), disc_price.alias("disc_price")}},
                options.channels, {orders, customer}));
  Stream lines =
      Join(graph, lineitem, "l_orderkey", customer_orders, "o_orderkey", JoinType::kInner, options);
  // A supplier of the customer's own nation, in Asia.
  Stream local = graph.NewNonBlockingNode(
      {{0, {lines, HashPartitionBy({"l_suppkey", "c_nationkey"})}},
       {1, {asian_suppliers, HashPartitionBy({"s_suppkey", "s_nationkey"})}}},
      HashJoin(
          {.left_keys = {"l_suppkey", "c_nationkey"}, .right_keys = {"s_suppkey", "s_nationkey"}}),
      {.name = "join_supplier", .channels = options.channels});
  return Aggregate2(graph, local, options, {"n_name"}, {Sum("disc_price", "revenue")},
                    {Sum("revenue", "revenue")}, {}, {{"revenue", false}});
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
          {{"l_quantity", "l_extendedprice", "l_discount", "l_shipdate"}, predicate, projection},
          options.channels));
  NodeOptions partial_options{.name = "partial_sum"};
  if (options.channels > 0) partial_options.channels = options.channels;
  Stream partial = graph.NewNonBlockingNode(
      {{0, lineitem}}, HashAggregate({}, {Sum("rev", "revenue")}), partial_options);
  return graph.NewBlockingNode({{0, partial}}, HashAggregate({}, {Sum("revenue", "revenue")}),
                               {.name = "final_sum", .channels = 1});
}

}  // namespace

const std::vector<int>& ImplementedTpchQueries() {
  static const std::vector<int> kQueries = {1, 3, 4, 5, 6, 10, 12, 13, 14, 19};
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
  if (!IsS3Path(options.data_dir) && !fs::is_directory(options.data_dir, error)) {
    return Status::NotFound("--data: " + options.data_dir + " is not a directory");
  }
  try {
    TaskGraph graph(cluster);
    Result<Dataset> result = Status::Invalid("");
    switch (number) {
      case 1:
        result = Q1(graph, options);
        break;
      case 3:
        result = Q3(graph, options);
        break;
      case 4:
        result = Q4(graph, options);
        break;
      case 5:
        result = Q5(graph, options);
        break;
      case 6:
        result = Q6(graph, options);
        break;
      case 10:
        result = Q10(graph, options);
        break;
      case 12:
        result = Q12(graph, options);
        break;
      case 13:
        result = Q13(graph, options);
        break;
      case 14:
        result = Q14(graph, options);
        break;
      case 19:
        result = Q19(graph, options);
        break;
      default:
        return Status::Invalid(
            "TPC-H query " + std::to_string(number) +
            " is not implemented yet (implemented: 1, 3, 4, 5, 6, 10, 12, 13, 14, 19)");
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
