// Readers as data: CsvReadOptions / IpcReadOptions filter and projection, and shipping
// CsvReader and IpcFileReader through the type registry (what a worker decodes reads exactly
// what the original reads; a batch_function refuses to ship; corrupt bytes give errors).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "quokka/csv.h"
#include "quokka/ipc.h"
#include "quokka/serialize.h"
#include "quokka/table.h"
#include "test_util.h"

namespace quokka {
namespace {

namespace fs = std::filesystem;

// A fresh directory under /tmp, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "quokka_ship_XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string Write(const std::string& name, const std::string& content) const {
    std::string path = path_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// id,name,price,day rows; some prices empty (null).
std::string CsvRows(int first, int count) {
  std::string text;
  for (int i = first; i < first + count; ++i) {
    text += std::to_string(i) + ",name" + std::to_string(i % 7) + "," +
            (i % 5 == 0 ? "" : std::to_string(i % 50) + "." + std::to_string(i % 10) + "5") +
            ",1995-0" + std::to_string(1 + i % 9) + "-1" + std::to_string(i % 10) + "\n";
  }
  return text;
}

// Two CSV files with a header in a directory.
struct CsvFiles {
  TempDir dir;
  CsvFiles() {
    dir.Write("a.csv", "id,name,price,day\n" + CsvRows(0, 300));
    dir.Write("b.csv", "id,name,price,day\n" + CsvRows(300, 200));
  }
};

// Rows in order as "v1|v2|..." ("null" for nulls), and the same sorted.
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

std::vector<std::string> SortedRows(const Table& table) {
  std::vector<std::string> rows = Rows(table);
  std::sort(rows.begin(), rows.end());
  return rows;
}

const Expr kFilter = col("price") > lit_decimal("20.00") && !col("name").isin({"name3"});
const std::vector<Expr> kProjection = {col("id"), (col("price") * 2).alias("double_price"),
                                       col("day").month().alias("month")};

Table Concat(const std::vector<ReadItem>& items) {
  std::vector<Table> tables;
  for (const ReadItem& item : items) tables.push_back(item.object.As<Table>());
  return Table::Concat(tables);
}

// Every channel's items for several channel counts, as "channel/position: rows".
template <typename R>
std::vector<std::string> Items(const R& reader) {
  std::vector<std::string> out;
  for (int channels : {1, 2, 3}) {
    for (int c = 0; c < channels; ++c) {
      for (const ReadItem& item : test::ReadChannel(reader, c, channels)) {
        std::string line = std::to_string(c) + "/" + std::to_string(channels) + "@" +
                           std::to_string(item.position) + ":";
        const Table& table = item.object.As<Table>();
        line += table.schema()->ToString();
        for (const std::string& row : Rows(table)) line += " [" + row + "]";
        out.push_back(line);
      }
    }
  }
  return out;
}

// A reader made from `bytes` the way a worker makes it.
template <typename R>
std::unique_ptr<InputReader> ShipReader(const R& reader) {
  Result<std::string> bytes = Serialize(Object::Make(reader));
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  Result<Object> decoded = Deserialize(*bytes);
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  const TypeCodec* codec = FindCodec(decoded->type());
  EXPECT_NE(codec, nullptr);
  return codec->make_reader(*decoded);
}

// ---- filter and projection ------------------------------------------------------------------

TEST(CsvFilterProjectionTest, FilterThenProjectInTheChannels) {
  CsvFiles files;
  CsvReadOptions plain;
  plain.column_types["price"] = DataType::Decimal(10, 2);
  plain.stride = 1000;
  Table all = *ReadCsv(files.dir.path(), plain);
  Table expected = *Project(*Filter(all, kFilter), kProjection);
  ASSERT_GT(expected.num_rows(), 0);

  CsvReadOptions options = plain;
  options.filter = kFilter;
  options.projection = kProjection;
  CsvReader reader(files.dir.path(), options);
  EXPECT_TRUE(reader.output_schema()->Equals(*expected.schema()));
  EXPECT_EQ(reader.schema()->num_fields(), 4);
  for (int channels : {1, 3}) {
    std::vector<ReadItem> items;
    for (int c = 0; c < channels; ++c) {
      for (ReadItem& item : test::ReadChannel(reader, c, channels)) items.push_back(item);
    }
    EXPECT_EQ(Rows(Concat(items)), Rows(expected));
    for (const ReadItem& item : items) EXPECT_GT(item.object.As<Table>().num_rows(), 0);
  }
  // Only a filter, only a projection.
  CsvReadOptions only_filter = plain;
  only_filter.filter = kFilter;
  EXPECT_TRUE(ReadCsv(files.dir.path(), only_filter)->Equals(*Filter(all, kFilter)));
  CsvReadOptions only_projection = plain;
  only_projection.projection = kProjection;
  EXPECT_TRUE(ReadCsv(files.dir.path(), only_projection)->Equals(*Project(all, kProjection)));
}

TEST(CsvFilterProjectionTest, EmptyResultsAreNotYielded) {
  CsvFiles files;
  CsvReadOptions options;
  options.filter = col("id") < 0;
  options.projection = {col("name")};
  options.stride = 500;
  CsvReader reader(files.dir.path(), options);
  EXPECT_TRUE(test::ReadChannel(reader, 0, 1).empty());
  Result<Table> read = ReadCsv(files.dir.path(), options);
  QK_ASSERT_OK(read);
  EXPECT_EQ(read->num_rows(), 0);
  EXPECT_EQ(read->schema()->ToString(), "name: utf8");
}

TEST(CsvFilterProjectionTest, BatchFunctionRunsLast) {
  CsvFiles files;
  CsvReadOptions options;
  options.filter = col("id") < 10;
  options.projection = {(col("id") * 10).alias("tens")};
  options.batch_function = [](const Table& batch) {
    EXPECT_EQ(batch.schema()->ToString(), "tens: int64");
    return batch.Slice(0, std::min<int64_t>(1, batch.num_rows()));
  };
  Result<Table> read = ReadCsv(files.dir.path(), options);
  QK_ASSERT_OK(read);
  EXPECT_EQ(Rows(*read), std::vector<std::string>{"0"});
}

TEST(CsvFilterProjectionTest, BadExpressionsFailAtConstruction) {
  CsvFiles files;
  CsvReadOptions unknown;
  unknown.filter = col("nope") > 1;
  Result<CsvReader> made = CsvReader::Make({files.dir.path()}, unknown);
  ASSERT_FALSE(made.ok());
  QK_EXPECT_CONTAINS(made.status().message(), "CSV filter");
  QK_EXPECT_CONTAINS(made.status().message(), "nope");
  CsvReadOptions not_bool;
  not_bool.filter = col("id") + 1;
  made = CsvReader::Make({files.dir.path()}, not_bool);
  ASSERT_FALSE(made.ok());
  QK_EXPECT_CONTAINS(made.status().message(), "not bool");
  CsvReadOptions bad_projection;
  bad_projection.projection = {col("name") * 2};
  made = CsvReader::Make({files.dir.path()}, bad_projection);
  ASSERT_FALSE(made.ok());
  QK_EXPECT_CONTAINS(made.status().message(), "CSV projection");
}

// ---- shipping CsvReader ---------------------------------------------------------------------

TEST(CsvReaderShipTest, ShippedReaderReadsTheSame) {
  CsvFiles files;
  QK_ASSERT_OK(RegisterIoTypes());
  CsvReadOptions options;
  options.filter = kFilter;
  options.projection = kProjection;
  options.infer_decimal = true;  // inferred here; workers get the types pinned
  options.stride = 700;
  options.collect_errors = true;
  CsvReader glob(files.dir.path() + "/*.csv", options);
  std::unique_ptr<InputReader> shipped = ShipReader(glob);
  ASSERT_NE(shipped, nullptr);
  const CsvReader& decoded = dynamic_cast<const CsvReader&>(*shipped);
  EXPECT_EQ(decoded.files(), glob.files());
  EXPECT_TRUE(decoded.schema()->Equals(*glob.schema()));
  EXPECT_TRUE(decoded.output_schema()->Equals(*glob.output_schema()));
  EXPECT_EQ(decoded.options().stride, 700);
  EXPECT_TRUE(decoded.options().collect_errors);
  EXPECT_EQ(decoded.options().column_types.at("price"), glob.schema()->field(2).type);
  EXPECT_EQ(Items(decoded), Items(glob));

  // Headerless '|' files with given names, a projection of columns, no quoting.
  TempDir tbl;
  std::string text;
  for (int i = 0; i < 100; ++i) text += std::to_string(i) + "|x" + std::to_string(i) + "|\n";
  tbl.Write("t.tbl", text);
  CsvReadOptions pipes;
  pipes.delimiter = '|';
  pipes.header = false;
  pipes.quoting = false;
  pipes.column_names = {"k", "v"};
  pipes.include_columns = {"v"};
  pipes.timestamp_unit = TimeUnit::kSecond;
  CsvReader reader(tbl.path() + "/t.tbl", pipes);
  std::unique_ptr<InputReader> shipped_pipes = ShipReader(reader);
  EXPECT_EQ(Items(dynamic_cast<const CsvReader&>(*shipped_pipes)), Items(reader));
}

TEST(CsvReaderShipTest, BatchFunctionCannotShip) {
  CsvFiles files;
  CsvReadOptions options;
  options.batch_function = [](const Table& batch) { return batch; };
  Result<std::string> bytes = Serialize(Object::Make(CsvReader(files.dir.path(), options)));
  ASSERT_FALSE(bytes.ok());
  QK_EXPECT_CONTAINS(bytes.status().message(), "batch_function");
  QK_EXPECT_CONTAINS(bytes.status().message(), "filter");
}

TEST(CsvReaderShipTest, MissingFilesOnTheWorkerAreNamed) {
  std::string bytes;
  {
    CsvFiles files;
    bytes = *Serialize(Object::Make(CsvReader(files.dir.path())));
  }  // the files are gone now
  Result<Object> decoded = Deserialize(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kNotFound);
  QK_EXPECT_CONTAINS(decoded.status().message(), "a.csv");
}

// Decoding may fail (with an Error) or give a reader; reading it may fail too, never crash.
void DecodeAndRead(const std::string& bytes) {
  Result<Object> decoded = Deserialize(bytes);
  if (!decoded.ok()) {
    EXPECT_FALSE(decoded.status().message().empty());
    return;
  }
  const TypeCodec* codec = FindCodec(decoded->type());
  if (codec == nullptr || !codec->make_reader) return;
  try {
    std::unique_ptr<InputReader> reader = codec->make_reader(*decoded);
    reader->Start(0, 2, 0);
    while (reader->Next()) {
    }
  } catch (const Error& error) {
    EXPECT_FALSE(error.status().ok());
  }
}

void CorruptAndDecode(const std::string& bytes) {
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(Deserialize(bytes.substr(0, n)).ok()) << "cut to " << n << " bytes";
  }
  std::mt19937_64 rng(3);
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int variant = 0; variant < 3; ++variant) {
      std::string broken = bytes;
      broken[i] = static_cast<char>(variant < 2 ? broken[i] ^ (variant == 0 ? 0x01 : 0x80)
                                                : static_cast<char>(rng()));
      DecodeAndRead(broken);
    }
  }
}

TEST(CsvReaderShipTest, CorruptEncodingsFailCleanly) {
  CsvFiles files;
  CsvReadOptions options;
  options.filter = kFilter;
  options.projection = kProjection;
  options.stride = 4096;
  CorruptAndDecode(*Serialize(Object::Make(CsvReader(files.dir.path(), options))));
}

// ---- IpcFileReader --------------------------------------------------------------------------

struct IpcFiles {
  TempDir dir;
  Table all;
  IpcFiles() {
    CsvFiles csv;
    CsvReadOptions options;
    options.column_types["price"] = DataType::Decimal(10, 2);
    options.stride = 2000;
    CsvReader reader(csv.dir.path(), options);
    std::vector<Table> batches;
    for (const ReadItem& item : test::ReadChannel(reader, 0, 1)) {
      batches.push_back(item.object.As<Table>());
    }
    all = Table::Concat(batches);
    EXPECT_GT(batches.size(), 3u);
    EXPECT_TRUE(WriteIpcFile(dir.path() + "/part0.arrow", batches).ok());
  }
};

TEST(IpcReaderShipTest, FilterAndProjection) {
  IpcFiles files;
  IpcFileReader reader(files.dir.path(), {.filter = kFilter, .projection = kProjection});
  Table expected = *Project(*Filter(files.all, kFilter), kProjection);
  for (int channels : {1, 2}) {
    std::vector<ReadItem> items;
    for (int c = 0; c < channels; ++c) {
      for (ReadItem& item : test::ReadChannel(reader, c, channels)) items.push_back(item);
    }
    EXPECT_EQ(SortedRows(Concat(items)), SortedRows(expected));
  }
  IpcFileReader none(files.dir.path(), {.filter = col("id") < 0});
  EXPECT_TRUE(test::ReadChannel(none, 0, 1).empty());
  IpcFileReader bad(files.dir.path(), {.filter = col("nope")});
  auto error = test::CatchError([&] { test::ReadChannel(bad, 0, 1); });
  ASSERT_TRUE(error.has_value());
  QK_EXPECT_CONTAINS(error->status().message(), "part0.arrow");
  QK_EXPECT_CONTAINS(error->status().message(), "nope");
}

TEST(IpcReaderShipTest, ShippedReaderReadsTheSame) {
  IpcFiles files;
  for (const IpcFileReader& reader :
       {IpcFileReader(files.dir.path()),
        IpcFileReader(files.dir.path(), {.filter = kFilter, .projection = kProjection})}) {
    std::unique_ptr<InputReader> shipped = ShipReader(reader);
    ASSERT_NE(shipped, nullptr);
    EXPECT_EQ(Items(dynamic_cast<const IpcFileReader&>(*shipped)), Items(reader));
  }
}

TEST(IpcReaderShipTest, CorruptEncodingsFailCleanly) {
  IpcFiles files;
  CorruptAndDecode(*Serialize(Object::Make(
      IpcFileReader(files.dir.path(), {.filter = kFilter, .projection = kProjection}))));
}

}  // namespace
}  // namespace quokka
