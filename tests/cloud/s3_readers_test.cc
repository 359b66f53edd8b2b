// Readers and sinks on S3 give what they give on local disk: the CSV reader split across
// channels by ranged GETs, the IPC reader, and the CSV/IPC sinks writing one object per channel.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "quokka/csv.h"
#include "quokka/executors.h"
#include "quokka/graph.h"
#include "quokka/ipc.h"
#include "s3/s3_client.h"
#include "test_util.h"

namespace quokka {
namespace {

std::string MakeCsv(int rows, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::ostringstream out;
  out << "id,name,amount\n";
  for (int i = 0; i < rows; ++i) {
    out << i << ",\"n " << random() % 1000 << "\"," << (random() % 100000) / 100.0 << "\n";
  }
  return out.str();
}

std::string LocalDir(const std::string& name) {
  std::string dir = std::filesystem::temp_directory_path() / ("quokka_s3_readers_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// The same files locally and under s3://BUCKET/csv/.
std::pair<std::string, std::string> TwinFiles(const std::string& bucket) {
  auto client = *s3::S3Client::Default();
  QK_EXPECT_OK(client->CreateBucket(bucket));
  std::string dir = LocalDir(bucket);
  for (int f = 0; f < 3; ++f) {
    std::string text = MakeCsv(20000 + 1000 * f, f);
    std::string name = "part-" + std::to_string(f) + ".csv";
    std::ofstream(dir + "/" + name) << text;
    QK_EXPECT_OK(client->Put(bucket, "csv/" + name, text));
  }
  return {dir, "s3://" + bucket + "/csv/"};
}

// Rows read by all channels, in a canonical order.
std::vector<std::string> AllRows(const CsvReader& reader, int channels) {
  std::vector<std::string> rows;
  for (int c = 0; c < channels; ++c) {
    for (const ReadItem& item : test::ReadChannel(reader, c, channels)) {
      std::ostringstream text;
      QK_EXPECT_OK(WriteCsv(item.object.As<Table>(), text, {.header = false}));
      std::istringstream lines(text.str());
      for (std::string line; std::getline(lines, line);) rows.push_back(line);
    }
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

TEST(S3Readers, CsvOnS3EqualsLocalForAnyChannelCount) {
  auto [local, remote] = TwinFiles("csvtwins");
  CsvReadOptions options;
  options.stride = 100000;  // many batches per channel
  CsvReader from_disk(local, options);
  CsvReader from_s3(remote, options);
  EXPECT_EQ(from_s3.files().size(), 3u);
  EXPECT_TRUE(from_s3.schema()->Equals(*from_disk.schema()));
  const std::vector<std::string> expected = AllRows(from_disk, 1);
  EXPECT_GT(expected.size(), 60000u);
  for (int channels : {1, 2, 5}) {
    EXPECT_EQ(AllRows(from_s3, channels), expected) << channels << " channels";
  }
}

TEST(S3Readers, SinksWriteOneObjectPerChannelAndReadBack) {
  auto [local, remote] = TwinFiles("sinks");
  auto client = *s3::S3Client::Default();
  QK_ASSERT_OK(client->CreateBucket("sinkout"));
  LocalCluster cluster(2);
  TaskGraph graph(cluster);
  CsvReadOptions options;
  options.stride = 200000;
  Stream rows = graph.NewInputReaderNode(CsvReader(remote, options), {.channels = 2});
  Dataset csv_parts =
      graph.NewBlockingNode({{0, rows}}, CsvSink("s3://sinkout/csv/"), {.channels = 2});
  Dataset ipc_parts =
      graph.NewBlockingNode({{0, rows}}, IpcSink("s3://sinkout/ipc"), {.channels = 2});
  graph.Run(test::Quiet());
  std::vector<std::string> csv_paths, ipc_paths;
  for (const Object& path : csv_parts.ToList()) csv_paths.push_back(path.As<std::string>());
  for (const Object& path : ipc_parts.ToList()) ipc_paths.push_back(path.As<std::string>());
  std::sort(csv_paths.begin(), csv_paths.end());
  std::sort(ipc_paths.begin(), ipc_paths.end());
  ASSERT_EQ(csv_paths, (std::vector<std::string>{"s3://sinkout/csv/part-0.csv",
                                                 "s3://sinkout/csv/part-1.csv"}));
  ASSERT_EQ(ipc_paths, (std::vector<std::string>{"s3://sinkout/ipc/part-0.arrow",
                                                 "s3://sinkout/ipc/part-1.arrow"}));
  // Both written copies hold every row of the input.
  CsvReader original(local, options);
  const int64_t expected = AllRows(original, 1).size();
  Result<Table> csv_back = ReadCsv("s3://sinkout/csv/", options);
  QK_ASSERT_OK(csv_back);
  EXPECT_EQ(csv_back->num_rows(), expected);
  int64_t ipc_rows = 0;
  IpcFileReader ipc_back("s3://sinkout/ipc/");
  for (const ReadItem& item : test::ReadChannel(ipc_back, 0, 1)) {
    ipc_rows += item.object.As<Table>().num_rows();
  }
  EXPECT_EQ(ipc_rows, expected);
}

TEST(S3Readers, IpcFileOnS3EqualsLocal) {
  auto client = *s3::S3Client::Default();
  QK_ASSERT_OK(client->CreateBucket("ipcfiles"));
  std::string dir = LocalDir("ipc");
  std::ofstream(dir + "/in.csv") << MakeCsv(5000, 9);
  Result<Table> table = ReadCsv(dir + "/in.csv");
  QK_ASSERT_OK(table);
  QK_ASSERT_OK(WriteIpcFile(dir + "/t.arrow", {*table, table->Slice(0, 100)}));
  QK_ASSERT_OK(WriteIpcFile("s3://ipcfiles/t.arrow", {*table, table->Slice(0, 100)}));
  std::ifstream local_file(dir + "/t.arrow", std::ios::binary);
  std::string local_bytes((std::istreambuf_iterator<char>(local_file)), {});
  Result<std::string> remote_bytes = client->Get("ipcfiles", "t.arrow");
  QK_ASSERT_OK(remote_bytes);
  EXPECT_EQ(*remote_bytes, local_bytes);
  Result<std::vector<Table>> back = ReadIpcFile("s3://ipcfiles/t.arrow");
  QK_ASSERT_OK(back);
  ASSERT_EQ(back->size(), 2u);
  EXPECT_TRUE((*back)[0].Equals(*table));
}

TEST(S3Readers, MissingInputNamesTheUrl) {
  Result<CsvReader> reader = CsvReader::Make({"s3://csvtwins/absent/"});
  ASSERT_FALSE(reader.ok());
  QK_EXPECT_CONTAINS(reader.status().message(), "s3://csvtwins/absent/");
}

}  // namespace
}  // namespace quokka
