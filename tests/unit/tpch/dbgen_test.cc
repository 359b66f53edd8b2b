// The TPC-H generator at SF 0.01: cardinalities, key relationships, value rules of the
// specification, determinism over threads and --files splits, and reading the .tbl files back
// with CsvReader.
#include "dbgen.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "quokka/csv.h"
#include "quokka/table.h"
#include "test_util.h"

namespace quokka::tpch {
namespace {

namespace fs = std::filesystem;

constexpr double kSf = 0.01;
constexpr uint64_t kSeed = 7;
constexpr int64_t kPool = int64_t{1} << 20;  // a small pool keeps the tests fast

std::string TempDir(const std::string& name) {
  fs::path dir =
      fs::temp_directory_path() / ("quokka_tpch_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir.string();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string ReadFiles(const std::vector<std::string>& paths) {
  std::string all;
  for (const std::string& path : paths) all += ReadFile(path);
  return all;
}

CsvReadOptions TblOptions(TpchTable table) {
  CsvReadOptions options;
  options.delimiter = '|';
  options.header = false;
  options.quoting = false;
  for (const TpchColumn& column : TpchColumns(table)) {
    options.column_names.push_back(column.name);
    options.column_types[column.name] = column.type;
  }
  return options;
}

TpchGenOptions GenOptions(const std::string& dir, int files, int threads, uint64_t seed = kSeed) {
  TpchGenOptions options;
  options.scale_factor = kSf;
  options.out_dir = dir;
  options.files = files;
  options.threads = threads;
  options.seed = seed;
  options.text_pool_bytes = kPool;
  return options;
}

// Generates SF 0.01 once and reads every table back.
class TpchSf001Test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(TempDir("sf001"));
    report_ = new TpchGenReport();
    tables_ = new std::map<TpchTable, Table>();
    Status status = GenerateTpch(GenOptions(*dir_, 1, 2), report_);
    ASSERT_TRUE(status.ok()) << status.ToString();
    for (TpchTable table : AllTpchTables()) {
      Result<Table> read = ReadCsv(TpchReaderInput(*dir_, table, 1), TblOptions(table));
      ASSERT_TRUE(read.ok()) << TpchTableName(table) << ": " << read.status().ToString();
      (*tables_)[table] = *read;
    }
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete report_;
    delete tables_;
  }
  void SetUp() override { ASSERT_EQ(tables_->size(), 8u) << "generation or reading failed"; }

  static const Table& T(TpchTable table) { return tables_->at(table); }
  static const Column& C(TpchTable table, const std::string& name) {
    return *T(table).column(name);
  }

  static std::string* dir_;
  static TpchGenReport* report_;
  static std::map<TpchTable, Table>* tables_;
};
std::string* TpchSf001Test::dir_ = nullptr;
TpchGenReport* TpchSf001Test::report_ = nullptr;
std::map<TpchTable, Table>* TpchSf001Test::tables_ = nullptr;

TEST_F(TpchSf001Test, Cardinalities) {
  EXPECT_EQ(T(TpchTable::kRegion).num_rows(), 5);
  EXPECT_EQ(T(TpchTable::kNation).num_rows(), 25);
  EXPECT_EQ(T(TpchTable::kSupplier).num_rows(), 100);
  EXPECT_EQ(T(TpchTable::kCustomer).num_rows(), 1500);
  EXPECT_EQ(T(TpchTable::kPart).num_rows(), 2000);
  EXPECT_EQ(T(TpchTable::kPartSupp).num_rows(), 8000);
  EXPECT_EQ(T(TpchTable::kOrders).num_rows(), 15000);
  int64_t lines = T(TpchTable::kLineitem).num_rows();
  EXPECT_GT(lines, 57000);  // 15000 orders x 4 lines on average
  EXPECT_LT(lines, 63000);
  for (const TpchTableReport& entry : report_->tables) {
    EXPECT_EQ(entry.rows, T(entry.table).num_rows()) << TpchTableName(entry.table);
    EXPECT_EQ(entry.paths.size(), 1u);
    EXPECT_EQ(static_cast<int64_t>(fs::file_size(entry.paths[0])), entry.bytes);
  }
}

TEST_F(TpchSf001Test, SchemasReadBack) {
  for (TpchTable table : AllTpchTables()) {
    const std::vector<TpchColumn>& columns = TpchColumns(table);
    ASSERT_EQ(T(table).num_columns(), static_cast<int>(columns.size()));
    for (int i = 0; i < T(table).num_columns(); ++i) {
      EXPECT_EQ(T(table).column_name(i), columns[i].name);
      EXPECT_EQ(T(table).column(i)->type(), columns[i].type) << columns[i].name;
      EXPECT_EQ(T(table).column(i)->null_count(), 0) << columns[i].name;
    }
  }
  EXPECT_EQ(C(TpchTable::kLineitem, "l_discount").type().ToString(), "decimal(15,2)");
  EXPECT_EQ(C(TpchTable::kLineitem, "l_shipdate").type().ToString(), "date32");
}

TEST_F(TpchSf001Test, FileLayout) {
  std::string line;
  std::ifstream in(TpchReaderInput(*dir_, TpchTable::kLineitem, 1));
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line.back(), '|');
  EXPECT_EQ(std::count(line.begin(), line.end(), '|'), 16);
  std::ifstream region(TpchReaderInput(*dir_, TpchTable::kRegion, 1));
  ASSERT_TRUE(std::getline(region, line));
  EXPECT_EQ(line.rfind("0|AFRICA|", 0), 0u) << line;
}

TEST_F(TpchSf001Test, NationsAndRegions) {
  const Column& names = C(TpchTable::kNation, "n_name");
  const Column& regions = C(TpchTable::kNation, "n_regionkey");
  EXPECT_EQ(names.GetString(0), "ALGERIA");
  EXPECT_EQ(names.GetString(24), "UNITED STATES");
  EXPECT_EQ(regions.GetInt64(24), 1);
  EXPECT_EQ(names.GetString(20), "SAUDI ARABIA");
  EXPECT_EQ(regions.GetInt64(20), 4);
  EXPECT_EQ(C(TpchTable::kRegion, "r_name").GetString(4), "MIDDLE EAST");
  for (int64_t i = 0; i < 25; ++i) {
    EXPECT_EQ(C(TpchTable::kNation, "n_nationkey").GetInt64(i), i);
    EXPECT_GE(regions.GetInt64(i), 0);
    EXPECT_LE(regions.GetInt64(i), 4);
  }
}

TEST_F(TpchSf001Test, SuppliersAndCustomers) {
  for (TpchTable table : {TpchTable::kSupplier, TpchTable::kCustomer}) {
    bool supplier = table == TpchTable::kSupplier;
    std::string prefix = supplier ? "s_" : "c_";
    const Column& key = C(table, prefix + (supplier ? "suppkey" : "custkey"));
    const Column& name = C(table, prefix + "name");
    const Column& address = C(table, prefix + "address");
    const Column& nation = C(table, prefix + "nationkey");
    const Column& phone = C(table, prefix + "phone");
    const Column& balance = C(table, prefix + "acctbal");
    const Column& comment = C(table, prefix + "comment");
    for (int64_t i = 0; i < T(table).num_rows(); ++i) {
      ASSERT_EQ(key.GetInt64(i), i + 1);
      char expected[32];
      std::snprintf(expected, sizeof(expected), "%s#%09lld", supplier ? "Supplier" : "Customer",
                    static_cast<long long>(i + 1));
      EXPECT_EQ(name.GetString(i), expected);
      EXPECT_GE(address.GetString(i).size(), 10u);
      EXPECT_LE(address.GetString(i).size(), 40u);
      int64_t n = nation.GetInt64(i);
      ASSERT_GE(n, 0);
      ASSERT_LE(n, 24);
      std::string_view p = phone.GetString(i);
      ASSERT_EQ(p.size(), 15u) << p;
      EXPECT_EQ(p.substr(0, 3), std::to_string(n + 10) + "-");
      EXPECT_EQ(p[6], '-');
      EXPECT_EQ(p[10], '-');
      EXPECT_GE(balance.GetInt64(i), -99999);
      EXPECT_LE(balance.GetInt64(i), 999999);
      size_t length = comment.GetString(i).size();
      EXPECT_GE(length, supplier ? 25u : 29u);
      EXPECT_LE(length, supplier ? 100u : 116u);
    }
  }
  static const std::set<std::string> kSegments = {"AUTOMOBILE", "BUILDING", "FURNITURE",
                                                  "MACHINERY", "HOUSEHOLD"};
  const Column& segment = C(TpchTable::kCustomer, "c_mktsegment");
  for (int64_t i = 0; i < segment.length(); ++i) {
    EXPECT_TRUE(kSegments.count(std::string(segment.GetString(i)))) << segment.GetString(i);
  }
  // SF * 5 (at least 1) suppliers of each kind of complaint/recommendation comment.
  int complaints = 0, recommends = 0;
  const Column& comment = C(TpchTable::kSupplier, "s_comment");
  for (int64_t i = 0; i < comment.length(); ++i) {
    std::string_view text = comment.GetString(i);
    size_t customer = text.find("Customer");
    if (customer == std::string_view::npos) continue;
    complaints += text.find("Complaints", customer) != std::string_view::npos;
    recommends += text.find("Recommends", customer) != std::string_view::npos;
  }
  EXPECT_GE(complaints, 1);
  EXPECT_GE(recommends, 1);
}

TEST_F(TpchSf001Test, PartsAndPartSupp) {
  const Table& part = T(TpchTable::kPart);
  static const std::set<std::string> kS1 = {"STANDARD", "SMALL",   "MEDIUM",
                                            "LARGE",    "ECONOMY", "PROMO"};
  static const std::set<std::string> kS2 = {"ANODIZED", "BURNISHED", "PLATED", "POLISHED",
                                            "BRUSHED"};
  static const std::set<std::string> kS3 = {"TIN", "NICKEL", "BRASS", "STEEL", "COPPER"};
  for (int64_t i = 0; i < part.num_rows(); ++i) {
    int64_t key = C(TpchTable::kPart, "p_partkey").GetInt64(i);
    ASSERT_EQ(key, i + 1);
    std::istringstream name{std::string(C(TpchTable::kPart, "p_name").GetString(i))};
    std::set<std::string> words;
    std::string word;
    int count = 0;
    while (name >> word) words.insert(word), ++count;
    EXPECT_EQ(count, 5);
    EXPECT_EQ(words.size(), 5u);
    std::string mfgr(C(TpchTable::kPart, "p_mfgr").GetString(i));
    std::string brand(C(TpchTable::kPart, "p_brand").GetString(i));
    ASSERT_EQ(mfgr.size(), 14u);
    ASSERT_EQ(brand.size(), 8u);
    EXPECT_EQ(mfgr.substr(0, 13), "Manufacturer#");
    EXPECT_EQ(brand.substr(0, 6), "Brand#");
    EXPECT_EQ(brand[6], mfgr[13]);
    EXPECT_GE(brand[7], '1');
    EXPECT_LE(brand[7], '5');
    std::istringstream type{std::string(C(TpchTable::kPart, "p_type").GetString(i))};
    std::string s1, s2, s3;
    type >> s1 >> s2 >> s3;
    EXPECT_TRUE(kS1.count(s1) && kS2.count(s2) && kS3.count(s3));
    int64_t size = C(TpchTable::kPart, "p_size").GetInt64(i);
    EXPECT_GE(size, 1);
    EXPECT_LE(size, 50);
    EXPECT_EQ(C(TpchTable::kPart, "p_retailprice").GetInt64(i),
              90000 + (key / 10) % 20001 + 100 * (key % 1000));
  }
  const Table& ps = T(TpchTable::kPartSupp);
  std::set<std::pair<int64_t, int64_t>> pairs;
  for (int64_t i = 0; i < ps.num_rows(); ++i) {
    int64_t partkey = C(TpchTable::kPartSupp, "ps_partkey").GetInt64(i);
    int64_t suppkey = C(TpchTable::kPartSupp, "ps_suppkey").GetInt64(i);
    ASSERT_EQ(partkey, i / 4 + 1);
    int64_t s = 100;
    EXPECT_EQ(suppkey, (partkey + (i % 4) * (s / 4 + (partkey - 1) / s)) % s + 1);
    EXPECT_TRUE(pairs.insert({partkey, suppkey}).second) << "duplicate partsupp key";
    int64_t qty = C(TpchTable::kPartSupp, "ps_availqty").GetInt64(i);
    EXPECT_GE(qty, 1);
    EXPECT_LE(qty, 9999);
    int64_t cost = C(TpchTable::kPartSupp, "ps_supplycost").GetInt64(i);
    EXPECT_GE(cost, 100);
    EXPECT_LE(cost, 100000);
    size_t length = C(TpchTable::kPartSupp, "ps_comment").GetString(i).size();
    EXPECT_GE(length, 49u);
    EXPECT_LE(length, 198u);
  }
}

TEST_F(TpchSf001Test, OrdersAndLineitems) {
  const Table& orders = T(TpchTable::kOrders);
  const Table& lineitem = T(TpchTable::kLineitem);
  const int32_t start = DaysFromCivil(1992, 1, 1);
  const int32_t last_order = DaysFromCivil(1998, 12, 31) - 151;
  const int32_t current = DaysFromCivil(1995, 6, 17);
  static const std::set<std::string> kPriorities = {"1-URGENT", "2-HIGH", "3-MEDIUM",
                                                    "4-NOT SPECIFIED", "5-LOW"};
  static const std::set<std::string> kModes = {"REG AIR", "AIR",  "RAIL", "SHIP",
                                               "TRUCK",   "MAIL", "FOB"};
  static const std::set<std::string> kInstructions = {"DELIVER IN PERSON", "COLLECT COD", "NONE",
                                                      "TAKE BACK RETURN"};

  std::unordered_map<int64_t, int64_t> order_row;
  for (int64_t i = 0; i < orders.num_rows(); ++i) {
    int64_t key = C(TpchTable::kOrders, "o_orderkey").GetInt64(i);
    ASSERT_EQ(key, (i / 8) * 32 + i % 8 + 1);  // sparse: the first 8 of each 32 keys
    ASSERT_LT((key - 1) % 32, 8);
    order_row[key] = i;
    int64_t cust = C(TpchTable::kOrders, "o_custkey").GetInt64(i);
    EXPECT_NE(cust % 3, 0);
    EXPECT_GE(cust, 1);
    EXPECT_LE(cust, 1500);
    int64_t date = C(TpchTable::kOrders, "o_orderdate").GetInt64(i);
    EXPECT_GE(date, start);
    EXPECT_LE(date, last_order);
    EXPECT_TRUE(
        kPriorities.count(std::string(C(TpchTable::kOrders, "o_orderpriority").GetString(i))));
    std::string_view clerk = C(TpchTable::kOrders, "o_clerk").GetString(i);
    ASSERT_EQ(clerk.size(), 15u);
    int64_t clerk_number = std::stoll(std::string(clerk.substr(6)));
    EXPECT_GE(clerk_number, 1);
    EXPECT_LE(clerk_number, 10);  // SF * 1000
    EXPECT_EQ(C(TpchTable::kOrders, "o_shippriority").GetInt64(i), 0);
    size_t length = C(TpchTable::kOrders, "o_comment").GetString(i).size();
    EXPECT_GE(length, 19u);
    EXPECT_LE(length, 78u);
  }

  std::set<std::pair<int64_t, int64_t>> partsupp;
  for (int64_t i = 0; i < T(TpchTable::kPartSupp).num_rows(); ++i) {
    partsupp.insert({C(TpchTable::kPartSupp, "ps_partkey").GetInt64(i),
                     C(TpchTable::kPartSupp, "ps_suppkey").GetInt64(i)});
  }

  // Per order: lines, sum of price * (1 + tax) * (1 - discount) in 1e-6, F/O counts.
  std::vector<int> lines(static_cast<size_t>(orders.num_rows()), 0);
  std::vector<int64_t> total(static_cast<size_t>(orders.num_rows()), 0);
  std::vector<int> shipped(static_cast<size_t>(orders.num_rows()), 0);
  int64_t previous_key = 0;
  int previous_number = 0;
  for (int64_t i = 0; i < lineitem.num_rows(); ++i) {
    int64_t key = C(TpchTable::kLineitem, "l_orderkey").GetInt64(i);
    auto found = order_row.find(key);
    ASSERT_NE(found, order_row.end()) << "l_orderkey " << key << " not in orders";
    int64_t row = found->second;
    int number = static_cast<int>(C(TpchTable::kLineitem, "l_linenumber").GetInt64(i));
    EXPECT_EQ(number, key == previous_key ? previous_number + 1 : 1);
    previous_key = key;
    previous_number = number;
    lines[static_cast<size_t>(row)]++;

    int64_t partkey = C(TpchTable::kLineitem, "l_partkey").GetInt64(i);
    int64_t suppkey = C(TpchTable::kLineitem, "l_suppkey").GetInt64(i);
    EXPECT_TRUE(partsupp.count({partkey, suppkey}))
        << "(" << partkey << ", " << suppkey << ") not in partsupp";
    int64_t quantity = C(TpchTable::kLineitem, "l_quantity").GetInt64(i);  // cents
    ASSERT_EQ(quantity % 100, 0);
    EXPECT_GE(quantity, 100);
    EXPECT_LE(quantity, 5000);
    int64_t price = C(TpchTable::kLineitem, "l_extendedprice").GetInt64(i);
    EXPECT_EQ(price, quantity / 100 * RetailPriceCents(partkey));
    int64_t discount = C(TpchTable::kLineitem, "l_discount").GetInt64(i);
    int64_t tax = C(TpchTable::kLineitem, "l_tax").GetInt64(i);
    EXPECT_GE(discount, 0);
    EXPECT_LE(discount, 10);
    EXPECT_GE(tax, 0);
    EXPECT_LE(tax, 8);
    total[static_cast<size_t>(row)] += price * (100 + tax) * (100 - discount);

    int64_t orderdate = C(TpchTable::kOrders, "o_orderdate").GetInt64(row);
    int64_t ship = C(TpchTable::kLineitem, "l_shipdate").GetInt64(i);
    int64_t commit = C(TpchTable::kLineitem, "l_commitdate").GetInt64(i);
    int64_t receipt = C(TpchTable::kLineitem, "l_receiptdate").GetInt64(i);
    EXPECT_GE(ship - orderdate, 1);
    EXPECT_LE(ship - orderdate, 121);
    EXPECT_GE(commit - orderdate, 30);
    EXPECT_LE(commit - orderdate, 90);
    EXPECT_GE(receipt - ship, 1);
    EXPECT_LE(receipt - ship, 30);
    std::string_view flag = C(TpchTable::kLineitem, "l_returnflag").GetString(i);
    if (receipt <= current) {
      EXPECT_TRUE(flag == "R" || flag == "A") << flag;
    } else {
      EXPECT_EQ(flag, "N");
    }
    std::string_view status = C(TpchTable::kLineitem, "l_linestatus").GetString(i);
    EXPECT_EQ(status, ship > current ? "O" : "F");
    shipped[static_cast<size_t>(row)] += status == "F";
    EXPECT_TRUE(kModes.count(std::string(C(TpchTable::kLineitem, "l_shipmode").GetString(i))));
    EXPECT_TRUE(
        kInstructions.count(std::string(C(TpchTable::kLineitem, "l_shipinstruct").GetString(i))));
    size_t length = C(TpchTable::kLineitem, "l_comment").GetString(i).size();
    EXPECT_GE(length, 10u);
    EXPECT_LE(length, 43u);
  }

  std::map<std::string, int> statuses;
  for (int64_t row = 0; row < orders.num_rows(); ++row) {
    int n = lines[static_cast<size_t>(row)];
    ASSERT_GE(n, 1) << "order row " << row << " has no lineitems";
    ASSERT_LE(n, 7);
    int64_t expected_total = (total[static_cast<size_t>(row)] + 5000) / 10000;
    EXPECT_EQ(C(TpchTable::kOrders, "o_totalprice").GetInt64(row), expected_total);
    std::string status(C(TpchTable::kOrders, "o_orderstatus").GetString(row));
    int f = shipped[static_cast<size_t>(row)];
    EXPECT_EQ(status, f == n ? "F" : (f == 0 ? "O" : "P"));
    statuses[status]++;
  }
  // All three statuses occur in realistic proportions (about half F, half O, a few % P).
  EXPECT_GT(statuses["F"], 5000);
  EXPECT_GT(statuses["O"], 5000);
  EXPECT_GT(statuses["P"], 100);
}

TEST(TpchGenerator, ContextCounts) {
  Result<std::shared_ptr<const TpchContext>> context = TpchContext::Make(1, 1, kPool);
  QK_ASSERT_OK(context);
  EXPECT_EQ((*context)->suppliers(), 10000);
  EXPECT_EQ((*context)->customers(), 150000);
  EXPECT_EQ((*context)->parts(), 200000);
  EXPECT_EQ((*context)->partsupps(), 800000);
  EXPECT_EQ((*context)->orders(), 1500000);
  EXPECT_EQ((*context)->clerks(), 1000);
  std::string_view pool = (*context)->text_pool();
  EXPECT_EQ(static_cast<int64_t>(pool.size()), kPool);
  EXPECT_EQ(pool.find('|'), std::string_view::npos);
  EXPECT_EQ(pool.find('\n'), std::string_view::npos);
  EXPECT_NE(pool.find("special"), std::string_view::npos);
  EXPECT_NE(pool.find("requests"), std::string_view::npos);
}

TEST(TpchGenerator, RowRangesAreIndependent) {
  Result<std::shared_ptr<const TpchContext>> made = TpchContext::Make(kSf, 3, kPool);
  QK_ASSERT_OK(made);
  const TpchContext& context = **made;
  std::string whole_orders, whole_lines, split_orders, split_lines;
  int64_t lines = AppendOrders(context, 0, 500, &whole_orders, &whole_lines);
  int64_t split = AppendOrders(context, 0, 137, &split_orders, &split_lines);
  split += AppendOrders(context, 137, 500, &split_orders, &split_lines);
  EXPECT_EQ(lines, split);
  EXPECT_EQ(whole_orders, split_orders);
  EXPECT_EQ(whole_lines, split_lines);
  std::string only_lines;
  EXPECT_EQ(AppendOrders(context, 0, 500, nullptr, &only_lines), lines);
  EXPECT_EQ(only_lines, whole_lines);

  std::string part_a, ps_a, part_b, ps_b;
  AppendParts(context, 0, 300, &part_a, &ps_a);
  AppendParts(context, 0, 1, &part_b, &ps_b);
  AppendParts(context, 1, 300, &part_b, &ps_b);
  EXPECT_EQ(part_a, part_b);
  EXPECT_EQ(ps_a, ps_b);
}

TEST(TpchGenerator, DeterministicOverThreadsAndFiles) {
  std::string one = TempDir("det1"), again = TempDir("det2"), split = TempDir("det3"),
              other = TempDir("det4");
  QK_ASSERT_OK(GenerateTpch(GenOptions(one, 1, 1)));
  QK_ASSERT_OK(GenerateTpch(GenOptions(again, 1, 2)));
  TpchGenReport split_report;
  QK_ASSERT_OK(GenerateTpch(GenOptions(split, 3, 2), &split_report));
  QK_ASSERT_OK(GenerateTpch(GenOptions(other, 1, 2, kSeed + 1)));
  for (TpchTable table : AllTpchTables()) {
    std::string reference = ReadFile(TpchOutputPaths(one, table, 1)[0]);
    ASSERT_FALSE(reference.empty());
    EXPECT_EQ(reference, ReadFile(TpchOutputPaths(again, table, 1)[0]))
        << TpchTableName(table) << ": 1 vs 2 threads";
    std::vector<std::string> parts = TpchOutputPaths(split, table, 3);
    bool is_split = table != TpchTable::kRegion && table != TpchTable::kNation;
    EXPECT_EQ(parts.size(), is_split ? 3u : 1u);
    EXPECT_EQ(parts, split_report.tables[static_cast<int>(table)].paths);
    EXPECT_EQ(reference, ReadFiles(parts)) << TpchTableName(table) << ": 1 vs 3 files";
    EXPECT_NE(reference, ReadFile(TpchOutputPaths(other, table, 1)[0]))
        << TpchTableName(table) << ": another seed";
  }
  EXPECT_EQ(fs::path(TpchOutputPaths(split, TpchTable::kLineitem, 3)[2]).filename(), "part-3.tbl");
  EXPECT_EQ(fs::path(TpchOutputPaths(split, TpchTable::kLineitem, 12)[0]).filename(),
            "part-01.tbl");

  // The directory of a split table reads back with parallel CsvReader channels.
  CsvReader reader(TpchReaderInput(split, TpchTable::kLineitem, 3),
                   TblOptions(TpchTable::kLineitem));
  EXPECT_EQ(reader.files().size(), 3u);
  int64_t rows = 0;
  for (int channel = 0; channel < 4; ++channel) {
    CsvReader copy(reader);
    copy.Start(channel, 4, 0);
    while (std::optional<ReadItem> item = copy.Next()) {
      rows += item->object.As<Table>().num_rows();
    }
  }
  EXPECT_EQ(rows, split_report.tables[static_cast<int>(TpchTable::kLineitem)].rows);

  // Regenerating with one file removes the split layout.
  QK_ASSERT_OK(GenerateTpch(GenOptions(split, 1, 2)));
  EXPECT_FALSE(fs::exists(fs::path(split) / "lineitem"));
  EXPECT_EQ(ReadFile(TpchOutputPaths(split, TpchTable::kLineitem, 1)[0]),
            ReadFile(TpchOutputPaths(one, TpchTable::kLineitem, 1)[0]));
  for (const std::string& dir : {one, again, split, other}) fs::remove_all(dir);
}

TEST(TpchGenerator, RejectsBadOptions) {
  for (double sf : {0.0, 0.001, -1.0, 5000.0}) {
    Status status = ValidateScaleFactor(sf);
    EXPECT_EQ(status.code(), StatusCode::kInvalid);
    QK_EXPECT_CONTAINS(status.message(), "--sf");
  }
  QK_EXPECT_OK(ValidateScaleFactor(0.01));
  QK_EXPECT_OK(ValidateScaleFactor(10));
  std::string dir = TempDir("bad");
  TpchGenOptions options = GenOptions(dir, 0, 1);
  Status status = GenerateTpch(options);
  EXPECT_EQ(status.code(), StatusCode::kInvalid);
  QK_EXPECT_CONTAINS(status.message(), "--files");
  options = GenOptions(dir, 1, 1);
  options.scale_factor = 0.005;
  QK_EXPECT_CONTAINS(GenerateTpch(options).message(), "--sf");
  options = GenOptions("", 1, 1);
  QK_EXPECT_CONTAINS(GenerateTpch(options).message(), "--out");
  EXPECT_FALSE(fs::exists(dir));
}

}  // namespace
}  // namespace quokka::tpch
