// The TPC-H plans hold only shippable nodes: on two emulated machines (where the channels of
// the second machine get their readers and executors through serialization, and tables cross
// machines serialized) every query gives the same result as on one machine, from .tbl files and
// from .arrow files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "dbgen.h"
#include "queries.h"
#include "quokka/csv.h"
#include "quokka/ipc.h"
#include "test_util.h"

namespace quokka::tpch {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Rows(const Table& table) {
  std::vector<std::string> rows;
  for (int64_t r = 0; r < table.num_rows(); ++r) {
    std::string row;
    for (int c = 0; c < table.num_columns(); ++c) {
      row += (c > 0 ? "|" : "") +
             (table.column(c)->IsNull(r) ? "null" : table.column(c)->ValueToString(r));
    }
    rows.push_back(row);
  }
  return rows;
}

// SF 0.01 as .tbl files, and the same tables as .arrow files of several record batches.
class TpchShipTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new std::string(
        (fs::temp_directory_path() / ("quokka_tpch_ship_" + std::to_string(::getpid()))).string());
    fs::remove_all(*root_);
    TpchGenOptions gen;
    gen.scale_factor = 0.01;
    gen.out_dir = *root_ + "/tbl";
    gen.threads = 2;
    gen.text_pool_bytes = int64_t{1} << 20;
    ASSERT_TRUE(GenerateTpch(gen).ok());
    fs::create_directories(*root_ + "/arrow");
    for (TpchTable table : AllTpchTables()) {
      CsvReadOptions options;
      options.delimiter = '|';
      options.header = false;
      options.quoting = false;
      for (const TpchColumn& column : TpchColumns(table)) {
        options.column_names.push_back(column.name);
        options.column_types[column.name] = column.type;
      }
      Result<Table> read = ReadCsv(TpchReaderInput(gen.out_dir, table, 1), options);
      ASSERT_TRUE(read.ok()) << read.status().ToString();
      std::vector<Table> batches;
      const int64_t step = std::max<int64_t>(1, read->num_rows() / 5);
      for (int64_t row = 0; row < read->num_rows(); row += step) {
        batches.push_back(read->Slice(row, step));
      }
      const std::string path = *root_ + "/arrow/" + TpchTableName(table) + ".arrow";
      ASSERT_TRUE(WriteIpcFile(path, read->schema(), batches).ok());
    }
  }
  static void TearDownTestSuite() {
    fs::remove_all(*root_);
    delete root_;
  }

  static std::vector<std::string> Run(int query, const Cluster& cluster, const std::string& data) {
    TpchRunOptions options;
    options.data_dir = *root_ + "/" + data;
    options.channels = 2;
    Result<TpchQueryResult> result = RunTpchQuery(query, cluster, options);
    EXPECT_TRUE(result.ok()) << "Q" << query << " on " << data << ": "
                             << result.status().ToString();
    return result.ok() ? Rows(result->table) : std::vector<std::string>{};
  }

  static std::string* root_;
};
std::string* TpchShipTest::root_ = nullptr;

TEST_F(TpchShipTest, TwoMachinesGiveTheSameResults) {
  LocalCluster one(2);
  Cluster two({{"a", 1}, {"b", 1}});
  for (int query : ImplementedTpchQueries()) {
    SCOPED_TRACE("Q" + std::to_string(query));
    std::vector<std::string> expected = Run(query, one, "tbl");
    EXPECT_FALSE(expected.empty());
    EXPECT_EQ(Run(query, two, "tbl"), expected);
    EXPECT_EQ(Run(query, two, "arrow"), expected);
  }
}

}  // namespace
}  // namespace quokka::tpch
