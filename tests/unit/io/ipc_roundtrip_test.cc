// Arrow IPC: write then read back, in the stream and file formats, every supported type with
// nulls, empty tables, sliced columns, several batches; the streaming file writer; object
// serialization of tables; the IpcFileReader input reader.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "quokka/ipc.h"
#include "quokka/quokka.h"
#include "quokka/table.h"
#include "test_util.h"

namespace quokka {
namespace {

namespace fs = std::filesystem;

SchemaPtr AllTypesSchema() {
  return std::make_shared<const Schema>(std::vector<Field>{
      {"b", DataType::Bool()},
      {"i8", DataType::Int8()},
      {"i16", DataType::Int16()},
      {"i32", DataType::Int32()},
      {"i64", DataType::Int64()},
      {"f64", DataType::Float64()},
      {"dec", DataType::Decimal(18, 3)},
      {"s", DataType::Utf8()},
      {"d", DataType::Date32()},
      {"ts_s", DataType::Timestamp(TimeUnit::kSecond)},
      {"ts_ms", DataType::Timestamp(TimeUnit::kMilli)},
      {"ts_us", DataType::Timestamp(TimeUnit::kMicro)},
      {"ts_ns", DataType::Timestamp(TimeUnit::kNano), false},
  });
}

// Row r of the all-types table; column c is null when (r + c) % 7 == 3 (except ts_ns).
Table MakeAllTypes(int64_t rows, int64_t first = 0) {
  TableBuilder builder(AllTypesSchema());
  for (int64_t i = 0; i < rows; ++i) {
    int64_t r = first + i;
    for (int c = 0; c < builder.num_columns(); ++c) {
      ColumnBuilder& column = builder.column(c);
      if (c != 12 && (r + c) % 7 == 3) {
        column.AppendNull();
        continue;
      }
      int64_t sign = r % 2 ? -1 : 1;
      switch (c) {
        case 0:
          column.AppendBool(r % 3 == 0);
          break;
        case 1:
          column.AppendInt64(sign * (r % 128));
          break;
        case 2:
          column.AppendInt64(sign * (r * 301 % 32768));
          break;
        case 3:
          column.AppendInt64(sign * r * 100'003);
          break;
        case 4:
          column.AppendInt64(sign * r * 1'000'000'000'007);
          break;
        case 5:
          column.AppendDouble(sign * r / 8.0);
          break;
        case 6:
          column.AppendInt64(r == 5 ? 999'999'999'999'999'999 : sign * r * 12'345);
          break;
        case 7:
          column.AppendString(r % 4 == 0 ? std::string() : "v" + std::to_string(r) + "\xc3\xa9");
          break;
        case 8:
          column.AppendInt64(sign * r * 400);
          break;
        default:
          column.AppendInt64(sign * r * 1'000'003);
          break;
      }
    }
  }
  return builder.Finish();
}

std::string TempPath(const std::string& name) {
  fs::path dir =
      fs::temp_directory_path() / ("quokka_ipc_test_" + std::to_string(::getpid()) + "_" +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::create_directories(dir);
  return (dir / name).string();
}

void ExpectTablesEqual(const std::vector<Table>& expected, const std::vector<Table>& actual) {
  ASSERT_EQ(expected.size(), actual.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_TRUE(expected[i].Equals(actual[i])) << "table " << i << "\nexpected:\n"
                                               << expected[i].ToString() << "\nactual:\n"
                                               << actual[i].ToString();
  }
}

// Writes `tables` in both formats (stream bytes, file bytes, file on disk) and reads them back.
void ExpectRoundTrip(const std::vector<Table>& tables) {
  SchemaPtr schema = tables.at(0).schema();
  auto stream = WriteIpcStream(tables);
  QK_ASSERT_OK(stream);
  SchemaPtr read_schema;
  auto from_stream = ReadIpcStream(*stream, &read_schema);
  QK_ASSERT_OK(from_stream);
  EXPECT_TRUE(read_schema->Equals(*schema)) << read_schema->ToString();
  ExpectTablesEqual(tables, *from_stream);

  auto file_bytes = WriteIpcFileBytes(schema, tables);
  QK_ASSERT_OK(file_bytes);
  auto from_bytes = ReadIpcFileBytes(*file_bytes);
  QK_ASSERT_OK(from_bytes);
  ExpectTablesEqual(tables, *from_bytes);

  std::string path = TempPath("roundtrip.arrow");
  QK_ASSERT_OK(WriteIpcFile(path, tables));
  auto from_file = ReadIpcFile(path, &read_schema);
  QK_ASSERT_OK(from_file);
  EXPECT_TRUE(read_schema->Equals(*schema));
  ExpectTablesEqual(tables, *from_file);
}

TEST(IpcRoundTripTest, AllTypesWithNulls) {
  Table table = MakeAllTypes(37);
  ASSERT_EQ(table.num_rows(), 37);
  ExpectRoundTrip({table});
}

TEST(IpcRoundTripTest, EveryTypeAlone) {
  Table table = MakeAllTypes(19);
  for (int c = 0; c < table.num_columns(); ++c) {
    SCOPED_TRACE(table.column_name(c));
    ExpectRoundTrip({table.Project({c})});
  }
}

TEST(IpcRoundTripTest, NoNullsHasNoValidityBitmap) {
  SchemaPtr schema = std::make_shared<const Schema>(
      std::vector<Field>{{"x", DataType::Int32(), false}, {"s", DataType::Utf8(), false}});
  TableBuilder builder(schema);
  for (int i = 0; i < 10; ++i) {
    builder.column(0).AppendInt64(i);
    builder.column(1).AppendString(std::string(i, 'a'));
  }
  Table table = builder.Finish();
  ExpectRoundTrip({table});
  auto tables = ReadIpcStream(*WriteIpcStream({table}));
  QK_ASSERT_OK(tables);
  EXPECT_EQ((*tables)[0].column(0)->null_count(), 0);
}

TEST(IpcRoundTripTest, AllNullColumn) {
  SchemaPtr schema = std::make_shared<const Schema>(std::vector<Field>{{"n", DataType::Utf8()}});
  TableBuilder builder(schema);
  for (int i = 0; i < 9; ++i) builder.column(0).AppendNull();
  ExpectRoundTrip({builder.Finish()});
}

TEST(IpcRoundTripTest, EmptyTables) {
  Table empty = Table::Empty(AllTypesSchema());
  ASSERT_EQ(empty.num_rows(), 0);
  ExpectRoundTrip({empty});
  ExpectRoundTrip({empty, MakeAllTypes(3), empty});
  // A table without columns.
  Table none = Table::Empty(std::make_shared<const Schema>(std::vector<Field>{}));
  ExpectRoundTrip({none});
}

TEST(IpcRoundTripTest, SchemaOnlyStreamAndFile) {
  SchemaPtr schema = AllTypesSchema();
  auto stream = WriteIpcStream(schema, {});
  QK_ASSERT_OK(stream);
  SchemaPtr read_schema;
  auto tables = ReadIpcStream(*stream, &read_schema);
  QK_ASSERT_OK(tables);
  EXPECT_TRUE(tables->empty());
  EXPECT_TRUE(read_schema->Equals(*schema));

  std::string path = TempPath("empty.arrow");
  QK_ASSERT_OK(WriteIpcFile(path, schema, {}));
  auto from_file = ReadIpcFile(path, &read_schema);
  QK_ASSERT_OK(from_file);
  EXPECT_TRUE(from_file->empty());
  EXPECT_TRUE(read_schema->Equals(*schema));
}

TEST(IpcRoundTripTest, SlicedColumnsAreRebased) {
  Table table = MakeAllTypes(64);
  for (int64_t offset : {0, 1, 3, 7, 8, 9, 13, 31, 63}) {
    for (int64_t length : {0, 1, 5, 8, 17, 40}) {
      SCOPED_TRACE("offset " + std::to_string(offset) + " length " + std::to_string(length));
      Table slice = table.Slice(offset, length);
      ExpectRoundTrip({slice});
      // The written bytes do not depend on where the slice came from.
      TableBuilder copy(slice.schema());
      for (int c = 0; c < slice.num_columns(); ++c) {
        for (int64_t r = 0; r < slice.num_rows(); ++r)
          copy.column(c).AppendFrom(*slice.column(c), r);
      }
      auto a = WriteIpcStream({slice});
      auto b = WriteIpcStream({copy.Finish()});
      QK_ASSERT_OK(a);
      QK_ASSERT_OK(b);
      EXPECT_EQ(*a, *b);
    }
  }
}

TEST(IpcRoundTripTest, MultipleBatches) {
  std::vector<Table> tables;
  for (int i = 0; i < 6; ++i) tables.push_back(MakeAllTypes(i * 11 + 1, i * 100));
  ExpectRoundTrip(tables);
}

TEST(IpcRoundTripTest, StreamLayoutIsAligned) {
  auto stream = WriteIpcStream({MakeAllTypes(13)});
  QK_ASSERT_OK(stream);
  const std::string& bytes = *stream;
  ASSERT_EQ(bytes.size() % 8, 0u);
  // Continuation marker and end-of-stream marker.
  EXPECT_EQ(bytes.substr(0, 4), std::string("\xff\xff\xff\xff", 4));
  EXPECT_EQ(bytes.substr(bytes.size() - 8), std::string("\xff\xff\xff\xff\0\0\0\0", 8));
  auto file = WriteIpcFileBytes(AllTypesSchema(), {MakeAllTypes(13)});
  QK_ASSERT_OK(file);
  EXPECT_EQ(file->substr(0, 8), std::string("ARROW1\0\0", 8));
  EXPECT_EQ(file->substr(file->size() - 6), "ARROW1");
}

TEST(IpcRoundTripTest, LargeStrings) {
  SchemaPtr schema = std::make_shared<const Schema>(std::vector<Field>{{"s", DataType::Utf8()}});
  TableBuilder builder(schema);
  for (int i = 0; i < 50; ++i) builder.column(0).AppendString(std::string(1000 + i, 'a' + i % 26));
  ExpectRoundTrip({builder.Finish()});
}

TEST(IpcRoundTripTest, SchemaMismatchIsRefused) {
  Table a = MakeAllTypes(3);
  Table b = a.Project({0, 1});
  auto stream = WriteIpcStream({a, b});
  ASSERT_FALSE(stream.ok());
  QK_EXPECT_CONTAINS(stream.status().message(), "table 1");
  EXPECT_FALSE(WriteIpcStream(std::vector<Table>{}).ok());
  EXPECT_FALSE(WriteIpcFile(TempPath("x.arrow"), std::vector<Table>{}).ok());
}

TEST(IpcFileWriterTest, StreamingWrites) {
  std::string path = TempPath("streaming.arrow");
  IpcFileWriter writer;
  QK_ASSERT_OK(writer.Open(path));
  std::vector<Table> tables;
  for (int i = 0; i < 4; ++i) {
    tables.push_back(MakeAllTypes(10 + i, i * 10));
    QK_ASSERT_OK(writer.Write(tables.back()));
  }
  EXPECT_EQ(writer.num_batches(), 4);
  Status mismatch = writer.Write(tables[0].Project({1}));
  EXPECT_FALSE(mismatch.ok());
  QK_EXPECT_CONTAINS(mismatch.message(), path);
  QK_ASSERT_OK(writer.Close());
  EXPECT_FALSE(writer.is_open());
  auto read = ReadIpcFile(path);
  QK_ASSERT_OK(read);
  ExpectTablesEqual(tables, *read);

  // Close with no schema at all is refused; with a schema it gives an empty file.
  QK_ASSERT_OK(writer.Open(path));
  EXPECT_FALSE(writer.Close().ok());
  QK_ASSERT_OK(writer.Open(path, AllTypesSchema()));
  QK_ASSERT_OK(writer.Close());
  SchemaPtr schema;
  auto empty = ReadIpcFile(path, &schema);
  QK_ASSERT_OK(empty);
  EXPECT_TRUE(empty->empty());
  EXPECT_TRUE(schema->Equals(*AllTypesSchema()));
}

TEST(IpcFileWriterTest, DestructorCloses) {
  std::string path = TempPath("destructor.arrow");
  {
    IpcFileWriter writer;
    QK_ASSERT_OK(writer.Open(path));
    QK_ASSERT_OK(writer.Write(MakeAllTypes(4)));
  }
  auto read = ReadIpcFile(path);
  QK_ASSERT_OK(read);
  ExpectTablesEqual({MakeAllTypes(4)}, *read);
}

TEST(IpcFileWriterTest, UnwritablePathNamesThePath) {
  IpcFileWriter writer;
  Status status = writer.Open("/nonexistent-dir/x.arrow");
  EXPECT_EQ(status.code(), StatusCode::kIOError);
  QK_EXPECT_CONTAINS(status.message(), "/nonexistent-dir/x.arrow");
  auto missing = ReadIpcFile("/nonexistent-dir/x.arrow");
  EXPECT_FALSE(missing.ok());
  QK_EXPECT_CONTAINS(missing.status().message(), "/nonexistent-dir/x.arrow");
}

TEST(IpcSerializeTest, TableIsRegistered) {
  QK_ASSERT_OK(RegisterIpcTypes());
  ASSERT_NE(FindCodec("quokka.table"), nullptr);
  for (const Table& table :
       {MakeAllTypes(21), MakeAllTypes(30).Slice(7, 11), Table::Empty(AllTypesSchema())}) {
    auto bytes = Serialize(Object::Make(table));
    QK_ASSERT_OK(bytes);
    auto object = Deserialize(*bytes);
    QK_ASSERT_OK(object);
    EXPECT_TRUE(object->As<Table>().Equals(table));
  }
  // Nested in a list, and the default (empty) table.
  auto bytes = Serialize(Object(ObjectList{Object::Make(MakeAllTypes(3)), Object(7)}));
  QK_ASSERT_OK(bytes);
  auto object = Deserialize(*bytes);
  QK_ASSERT_OK(object);
  EXPECT_TRUE(object->As<ObjectList>()[0].As<Table>().Equals(MakeAllTypes(3)));
  auto empty = Deserialize(*Serialize(Object::Make(Table())));
  QK_ASSERT_OK(empty);
  EXPECT_EQ(empty->As<Table>().num_columns(), 0);
}

// ---- IpcFileReader --------------------------------------------------------------------------

// Two files of 5 and 3 batches (batch k of file f has first row f * 1000 + k * 10) in a folder
// together with a file that is not an Arrow file name.
std::string MakeReaderFolder() {
  fs::path dir = fs::path(TempPath("x")).parent_path() / "files";
  fs::create_directories(dir);
  for (int f = 0; f < 2; ++f) {
    std::vector<Table> tables;
    for (int k = 0; k < (f == 0 ? 5 : 3); ++k) tables.push_back(MakeAllTypes(4, f * 1000 + k * 10));
    EXPECT_TRUE(
        WriteIpcFile((dir / ("part" + std::to_string(f) + ".arrow")).string(), tables).ok());
  }
  std::ofstream((dir / "README.txt").string()) << "not arrow";
  return dir.string();
}

// The first row number of a batch, from the never-null column ts_ns.
int64_t FirstId(const Table& table) {
  return std::abs(table.column("ts_ns")->GetInt64(0) / 1'000'003);
}

TEST(IpcFileReaderTest, ChannelsSplitBatches) {
  std::string dir = MakeReaderFolder();
  for (int channels : {1, 2, 3, 8}) {
    std::multiset<int64_t> seen;
    for (int c = 0; c < channels; ++c) {
      IpcFileReader reader(dir);
      reader.Start(c, channels, 0);
      int64_t last_position = 0;
      while (auto item = reader.Next()) {
        EXPECT_GT(item->position, last_position);
        last_position = item->position;
        const Table& table = item->object.As<Table>();
        int64_t first = FirstId(table);
        seen.insert(first);
        // Channel c gets batches c, c + n, ... of each file.
        EXPECT_EQ((first % 1000 / 10) % channels, c) << "channels " << channels;
      }
    }
    EXPECT_EQ(seen, (std::multiset<int64_t>{0, 10, 20, 30, 40, 1000, 1010, 1020}))
        << "channels " << channels;
  }
}

TEST(IpcFileReaderTest, RestartsAfterPosition) {
  std::string dir = MakeReaderFolder();
  for (int channels : {1, 2, 3}) {
    for (int c = 0; c < channels; ++c) {
      IpcFileReader reader(dir);
      reader.Start(c, channels, 0);
      std::vector<ReadItem> items;
      while (auto item = reader.Next()) items.push_back(*item);
      for (size_t k = 0; k < items.size(); ++k) {
        IpcFileReader restarted(std::vector<std::string>{dir});
        restarted.Start(c, channels, items[k].position);
        std::vector<int64_t> rest;
        while (auto item = restarted.Next()) rest.push_back(FirstId(item->object.As<Table>()));
        std::vector<int64_t> expected;
        for (size_t j = k + 1; j < items.size(); ++j) {
          expected.push_back(FirstId(items[j].object.As<Table>()));
        }
        EXPECT_EQ(rest, expected) << "channel " << c << " of " << channels << " after " << k;
      }
    }
  }
}

TEST(IpcFileReaderTest, ErrorsNameTheFile) {
  std::string dir = MakeReaderFolder();
  std::string bad = dir + "/zz_bad.arrow";
  std::ofstream(bad) << "ARROW1 but not really an arrow file";
  IpcFileReader reader(dir);
  reader.Start(0, 1, 0);
  auto error = test::CatchError([&] {
    while (reader.Next()) {
    }
  });
  ASSERT_TRUE(error.has_value());
  QK_EXPECT_CONTAINS(error->status().message(), bad);

  IpcFileReader missing(dir + "/missing.arrow");
  auto missing_error = test::CatchError([&] { missing.Start(0, 1, 0); });
  ASSERT_TRUE(missing_error.has_value());
  QK_EXPECT_CONTAINS(missing_error->status().message(), "missing.arrow");
}

TEST(IpcFileReaderTest, RunsInAGraphAndShips) {
  std::string dir = MakeReaderFolder();
  // Serializable, so it could run on another machine.
  auto bytes = Serialize(Object::Make(IpcFileReader(dir)));
  QK_ASSERT_OK(bytes);
  QK_ASSERT_OK(Deserialize(*bytes));

  LocalCluster cluster;
  TaskGraph graph(cluster);
  Stream tables = graph.NewInputReaderNode(IpcFileReader(dir), test::Named("ipc", 3));
  class RowCounter : public Executor {
   public:
    void Execute(ObjectList& batches, int, int, Output&) override {
      for (const Object& object : batches) rows_ += object.As<Table>().num_rows();
    }
    void Done(int, Output& out) override { out.Emit(rows_); }

   private:
    int64_t rows_ = 0;
  };
  Dataset counts = graph.NewBlockingNode({{0, tables}}, RowCounter());
  graph.Create();
  graph.Run(test::Quiet());
  int64_t rows = 0;
  for (const Object& count : counts) rows += count.As<int64_t>();
  EXPECT_EQ(rows, 8 * 4);
}

}  // namespace
}  // namespace quokka
