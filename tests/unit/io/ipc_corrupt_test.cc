// Arrow IPC: corrupt and truncated input gives clear errors and never crashes. Every truncation
// of a small stream and file, random byte flips, and hand-made bad offsets and lengths.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "quokka/ipc.h"
#include "quokka/table.h"
#include "test_util.h"

namespace quokka {
namespace {

Table SmallTable() {
  SchemaPtr schema = std::make_shared<const Schema>(std::vector<Field>{
      {"id", DataType::Int64()},
      {"name", DataType::Utf8()},
      {"ok", DataType::Bool()},
      {"price", DataType::Decimal(10, 2)},
      {"day", DataType::Date32()},
      {"at", DataType::Timestamp(TimeUnit::kMilli)},
      {"x", DataType::Float64()},
  });
  TableBuilder builder(schema);
  for (int r = 0; r < 11; ++r) {
    builder.column(0).AppendInt64(r * 7);
    if (r % 4 == 2) {
      builder.column(1).AppendNull();
    } else {
      builder.column(1).AppendString("name" + std::to_string(r));
    }
    builder.column(2).AppendBool(r % 2 == 0);
    builder.column(3).AppendInt64(r * 1234 - 5000);
    builder.column(4).AppendInt64(19000 + r);
    builder.column(5).AppendInt64(r * 1'000'000);
    builder.column(6).AppendDouble(r * 0.5);
  }
  return builder.Finish();
}

// Touch every value so that a bad table would show up under the sanitizers.
void TouchEverything(const std::vector<Table>& tables) {
  for (const Table& table : tables) {
    for (int c = 0; c < table.num_columns(); ++c) {
      for (int64_t r = 0; r < table.num_rows(); ++r) (void)table.column(c)->ValueToString(r);
    }
    (void)table.ToString();
  }
}

TEST(IpcCorruptTest, EveryTruncatedStreamFails) {
  std::vector<Table> tables = {SmallTable(), SmallTable().Slice(3, 5)};
  auto stream = WriteIpcStream(tables);
  QK_ASSERT_OK(stream);
  for (size_t size = 0; size < stream->size(); ++size) {
    auto read = ReadIpcStream(std::string_view(*stream).substr(0, size));
    EXPECT_FALSE(read.ok()) << "truncated to " << size << " of " << stream->size();
    if (!read.ok()) EXPECT_EQ(read.status().code(), StatusCode::kInvalid);
  }
}

TEST(IpcCorruptTest, EveryTruncatedFileFails) {
  std::vector<Table> tables = {SmallTable(), SmallTable().Slice(3, 5)};
  auto file = WriteIpcFileBytes(tables[0].schema(), tables);
  QK_ASSERT_OK(file);
  for (size_t size = 0; size < file->size(); ++size) {
    auto read = ReadIpcFileBytes(std::string_view(*file).substr(0, size), nullptr, "cut.arrow");
    ASSERT_FALSE(read.ok()) << "truncated to " << size << " of " << file->size();
    EXPECT_EQ(read.status().code(), StatusCode::kInvalid);
    QK_EXPECT_CONTAINS(read.status().message(), "cut.arrow");
  }
}

TEST(IpcCorruptTest, TruncatedFileOnDiskNamesThePath) {
  auto file = WriteIpcFileBytes(SmallTable().schema(), {SmallTable()});
  QK_ASSERT_OK(file);
  std::string path = (std::filesystem::temp_directory_path() /
                      ("quokka_ipc_truncated_" + std::to_string(::getpid()) + ".arrow"))
                         .string();
  for (size_t size : {size_t{0}, size_t{7}, file->size() / 2, file->size() - 1}) {
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(file->data(), size);
    auto read = ReadIpcFile(path);
    ASSERT_FALSE(read.ok());
    QK_EXPECT_CONTAINS(read.status().message(), path);
  }
  std::filesystem::remove(path);
}

void FlipBytes(const std::string& original, bool is_file, uint32_t seed, int iterations) {
  std::mt19937 rng(seed);
  int errors = 0;
  for (int i = 0; i < iterations; ++i) {
    std::string bytes = original;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      size_t at = rng() % bytes.size();
      if (rng() % 2) {
        bytes[at] = static_cast<char>(rng());
      } else {
        bytes[at] ^= static_cast<char>(1 << (rng() % 8));
      }
    }
    auto read = is_file ? ReadIpcFileBytes(bytes) : ReadIpcStream(bytes);
    if (read.ok()) {
      TouchEverything(*read);
    } else {
      ++errors;
      EXPECT_FALSE(read.status().message().empty());
    }
  }
  // Most flips land in metadata or framing and are detected; values may change silently.
  EXPECT_GT(errors, 0);
}

TEST(IpcCorruptTest, RandomByteFlipsInStreamNeverCrash) {
  auto stream = WriteIpcStream({SmallTable(), SmallTable().Slice(2, 7)});
  QK_ASSERT_OK(stream);
  FlipBytes(*stream, false, 1234, 3000);
}

TEST(IpcCorruptTest, RandomByteFlipsInFileNeverCrash) {
  auto file = WriteIpcFileBytes(SmallTable().schema(), {SmallTable(), SmallTable().Slice(2, 7)});
  QK_ASSERT_OK(file);
  FlipBytes(*file, true, 5678, 3000);
}

// Find the int32 sequence `values` in `bytes` (the offsets buffer of a string column).
size_t FindInts(const std::string& bytes, const std::vector<int32_t>& values) {
  std::string needle(values.size() * 4, '\0');
  std::memcpy(needle.data(), values.data(), needle.size());
  return bytes.find(needle);
}

Table Strings(const std::vector<std::string>& values) {
  SchemaPtr schema = std::make_shared<const Schema>(std::vector<Field>{{"s", DataType::Utf8()}});
  TableBuilder builder(schema);
  for (const std::string& value : values) builder.column(0).AppendString(value);
  return builder.Finish();
}

TEST(IpcCorruptTest, BadStringOffsetsAreRejected) {
  auto stream = WriteIpcStream({Strings({"ab", "cde", "fghi"})});
  QK_ASSERT_OK(stream);
  size_t at = FindInts(*stream, {0, 2, 5, 9});
  ASSERT_NE(at, std::string::npos);
  {
    std::string bytes = *stream;  // decreasing offsets
    int32_t bad[] = {0, 5, 2, 9};
    std::memcpy(bytes.data() + at, bad, sizeof(bad));
    auto read = ReadIpcStream(bytes);
    ASSERT_FALSE(read.ok());
    QK_EXPECT_CONTAINS(read.status().message(), "field 's'");
    QK_EXPECT_CONTAINS(read.status().message(), "decrease");
  }
  {
    std::string bytes = *stream;  // past the data buffer
    int32_t bad[] = {0, 2, 5, 900};
    std::memcpy(bytes.data() + at, bad, sizeof(bad));
    auto read = ReadIpcStream(bytes);
    ASSERT_FALSE(read.ok());
    QK_EXPECT_CONTAINS(read.status().message(), "past the");
  }
  {
    std::string bytes = *stream;  // negative start
    int32_t bad[] = {-4, 2, 5, 9};
    std::memcpy(bytes.data() + at, bad, sizeof(bad));
    auto read = ReadIpcStream(bytes);
    ASSERT_FALSE(read.ok());
    QK_EXPECT_CONTAINS(read.status().message(), "negative");
  }
}

TEST(IpcCorruptTest, NotIpcAtAll) {
  for (std::string bytes : {std::string(), std::string("hello world"), std::string(64, '\0'),
                            std::string(64, '\xff'), std::string("ARROW1\0\0ARROW1", 14)}) {
    EXPECT_FALSE(ReadIpcStream(bytes).ok());
    EXPECT_FALSE(ReadIpcFileBytes(bytes).ok());
  }
  // A stream is not a file and vice versa.
  auto stream = WriteIpcStream({SmallTable()});
  auto file = WriteIpcFileBytes(SmallTable().schema(), {SmallTable()});
  auto as_file = ReadIpcFileBytes(*stream);
  ASSERT_FALSE(as_file.ok());
  QK_EXPECT_CONTAINS(as_file.status().message(), "ARROW1");
  EXPECT_FALSE(ReadIpcStream(*file).ok());
}

TEST(IpcCorruptTest, MessageLengthsBeyondTheData) {
  auto stream = WriteIpcStream({SmallTable()});
  QK_ASSERT_OK(stream);
  std::string bytes = *stream;
  int32_t huge = 0x7ffffff0;
  std::memcpy(bytes.data() + 4, &huge, 4);
  auto read = ReadIpcStream(bytes);
  ASSERT_FALSE(read.ok());
  QK_EXPECT_CONTAINS(read.status().message(), "metadata length");
  int32_t negative = -16;
  std::memcpy(bytes.data() + 4, &negative, 4);
  EXPECT_FALSE(ReadIpcStream(bytes).ok());
}

}  // namespace
}  // namespace quokka
