// S3Client and the S3 file system against a real s3rver: objects, ranges, listings with
// continuation, multipart uploads, read-ahead, and the errors a user sees.
#include "s3/s3_client.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>

#include "quokka/filesystem.h"
#include "s3_server.h"
#include "test_util.h"

namespace quokka {
namespace {

using s3::S3Client;

std::shared_ptr<S3Client> Client() {
  Result<std::shared_ptr<S3Client>> client = S3Client::Default();
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return *client;
}

std::string RandomBytes(size_t size, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(random());
  return bytes;
}

void MakeBucket(const std::string& bucket) { QK_ASSERT_OK(Client()->CreateBucket(bucket)); }

std::string ReadAll(const std::string& url) {
  Result<std::unique_ptr<RandomAccessFile>> file = OpenInputFile(url);
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  if (!file.ok()) return "";
  std::string out((*file)->size(), '\0');
  EXPECT_TRUE((*file)->ReadAt(0, (*file)->size(), out.data()).ok());
  return out;
}

TEST(S3Client, PutHeadGetDelete) {
  MakeBucket("basics");
  auto client = Client();
  const std::string body = RandomBytes(100000, 1);
  QK_ASSERT_OK(client->Put("basics", "dir/a b+c.bin", body));  // a key that needs encoding
  Result<s3::ObjectInfo> head = client->Head("basics", "dir/a b+c.bin");
  QK_ASSERT_OK(head);
  EXPECT_EQ(head->size, 100000);
  Result<std::string> got = client->Get("basics", "dir/a b+c.bin");
  QK_ASSERT_OK(got);
  EXPECT_EQ(*got, body);
  std::string range(1000, '\0');
  QK_ASSERT_OK(client->GetRange("basics", "dir/a b+c.bin", 5000, 1000, range.data()));
  EXPECT_EQ(range, body.substr(5000, 1000));
  QK_ASSERT_OK(client->Delete("basics", "dir/a b+c.bin"));
  Result<s3::ObjectInfo> gone = client->Head("basics", "dir/a b+c.bin");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound);
  QK_EXPECT_CONTAINS(gone.status().message(), "s3://basics/dir/a b+c.bin");
}

TEST(S3Client, ListFollowsContinuationTokens) {
  MakeBucket("listing");
  auto client = Client();
  for (int i = 0; i < 25; ++i) {
    QK_ASSERT_OK(client->Put("listing", "p/" + std::to_string(100 + i), "x"));
  }
  QK_ASSERT_OK(client->Put("listing", "other", "y"));
  Result<std::vector<s3::ObjectInfo>> listed = client->List("listing", "p/", /*page_size=*/7);
  QK_ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 25u);
  EXPECT_EQ((*listed)[0].key, "p/100");
  EXPECT_EQ((*listed)[24].key, "p/124");
}

TEST(S3Files, ListFilesTreatsPrefixesAsDirectories) {
  MakeBucket("tree");
  auto client = Client();
  QK_ASSERT_OK(client->Put("tree", "t/b.csv", "2"));
  QK_ASSERT_OK(client->Put("tree", "t/a.csv", "1"));
  QK_ASSERT_OK(client->Put("tree", "t.csv", "0"));
  for (const std::string input : {"s3://tree/t/", "s3://tree/t"}) {
    Result<std::vector<FileEntry>> files = ListFiles(input);
    QK_ASSERT_OK(files);
    ASSERT_EQ(files->size(), 2u) << input;
    EXPECT_EQ((*files)[0].path, "s3://tree/t/a.csv");
    EXPECT_EQ((*files)[1].path, "s3://tree/t/b.csv");
  }
  Result<std::vector<FileEntry>> one = ListFiles("s3://tree/t.csv");
  QK_ASSERT_OK(one);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].size, 1);
  Result<std::vector<FileEntry>> none = ListFiles("s3://tree/nothing/");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  QK_EXPECT_CONTAINS(none.status().message(), "s3://tree/nothing/");
  EXPECT_EQ(*FileExists("s3://tree/t.csv"), true);
  EXPECT_EQ(*FileExists("s3://tree/t2.csv"), false);
}

TEST(S3Files, MultipartUploadRoundTrip) {
  MakeBucket("uploads");
  const std::string body = RandomBytes((size_t{5} << 20) * 2 + 12345, 2);  // 3 parts of 5 MiB
  S3Options saved = GetS3Options();
  S3Options options = saved;
  options.part_size = int64_t{5} << 20;
  QK_ASSERT_OK(SetS3Options(options));
  {
    Result<std::unique_ptr<OutputFile>> out = OpenOutputFile("s3://uploads/big.bin");
    QK_ASSERT_OK(out);
    // Odd write sizes cross part boundaries.
    for (size_t at = 0; at < body.size(); at += 777777) {
      QK_ASSERT_OK((*out)->Write(std::string_view(body).substr(at, 777777)));
    }
    QK_ASSERT_OK((*out)->Close());
  }
  QK_ASSERT_OK(SetS3Options(saved));
  EXPECT_EQ(ReadAll("s3://uploads/big.bin"), body);
}

TEST(S3Files, UnclosedWriterLeavesNoObject) {
  MakeBucket("aborted");
  {
    Result<std::unique_ptr<OutputFile>> out = OpenOutputFile("s3://aborted/never.bin");
    QK_ASSERT_OK(out);
    QK_ASSERT_OK((*out)->Write("partial"));
  }
  EXPECT_EQ(*FileExists("s3://aborted/never.bin"), false);
}

TEST(S3Files, SequentialAndRandomReadsMatch) {
  MakeBucket("reads");
  const std::string body = RandomBytes(300000, 3);
  QK_ASSERT_OK(Client()->Put("reads", "r.bin", body));
  S3Options saved = GetS3Options();
  S3Options options = saved;
  options.read_block_size = 4096;  // many blocks: read-ahead crosses block edges often
  options.read_ahead = 3;
  QK_ASSERT_OK(SetS3Options(options));
  Result<std::unique_ptr<RandomAccessFile>> file = OpenInputFile("s3://reads/r.bin");
  QK_ASSERT_OK(file);
  EXPECT_EQ((*file)->size(), 300000);
  // Overlapping sequential reads, as the CSV reader does.
  int64_t at = 0;
  std::mt19937 random(4);
  while (at < 300000) {
    int64_t n = std::min<int64_t>(300000 - at, 1 + random() % 20000);
    std::string got(n, '\0');
    QK_ASSERT_OK((*file)->ReadAt(at, n, got.data()));
    ASSERT_EQ(got, body.substr(at, n)) << "at " << at;
    at += std::max<int64_t>(1, n - static_cast<int64_t>(random() % 100));
  }
  // Random reads.
  for (int i = 0; i < 50; ++i) {
    int64_t offset = random() % 300000;
    int64_t n = std::min<int64_t>(300000 - offset, random() % 9000);
    std::string got(n, '\0');
    QK_ASSERT_OK((*file)->ReadAt(offset, n, got.data()));
    ASSERT_EQ(got, body.substr(offset, n));
  }
  std::string past(10, '\0');
  Status status = (*file)->ReadAt(299995, 10, past.data());
  EXPECT_FALSE(status.ok());
  QK_EXPECT_CONTAINS(status.message(), "s3://reads/r.bin");
  file->reset();
  QK_ASSERT_OK(SetS3Options(saved));
}

TEST(S3Errors, MissingBucketAndKeyNameTheUrl) {
  Result<std::unique_ptr<RandomAccessFile>> no_bucket = OpenInputFile("s3://no-such-bucket/x.csv");
  ASSERT_FALSE(no_bucket.ok());
  QK_EXPECT_CONTAINS(no_bucket.status().message(), "s3://no-such-bucket/x.csv");
  Result<std::vector<FileEntry>> listed = ListFiles("s3://no-such-bucket/x.csv");
  ASSERT_FALSE(listed.ok());
  QK_EXPECT_CONTAINS(listed.status().message(), "NoSuchBucket");
  MakeBucket("present");
  Result<std::unique_ptr<RandomAccessFile>> no_key = OpenInputFile("s3://present/missing.csv");
  ASSERT_FALSE(no_key.ok());
  EXPECT_EQ(no_key.status().code(), StatusCode::kNotFound);
  QK_EXPECT_CONTAINS(no_key.status().message(), "s3://present/missing.csv");
  Result<std::unique_ptr<RandomAccessFile>> bad = OpenInputFile("s3://a/x");
  ASSERT_FALSE(bad.ok());
  QK_EXPECT_CONTAINS(bad.status().message(), "bucket name");
}

TEST(S3Errors, WrongAccessKeyIsRefusedWithoutShowingSecrets) {
  S3Options options = GetS3Options();
  ::setenv("AWS_ACCESS_KEY_ID", "WRONGKEYID", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "TOPSECRETVALUE123", 1);
  ::setenv("AWS_SESSION_TOKEN", "SESSIONTOKENVALUE", 1);
  Result<std::shared_ptr<S3Client>> client = S3Client::Make(options);
  ::setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
  ::unsetenv("AWS_SESSION_TOKEN");
  QK_ASSERT_OK(client);
  Result<std::vector<s3::ObjectInfo>> listed = (*client)->List("present", "");
  ASSERT_FALSE(listed.ok());
  const std::string message = listed.status().message();
  QK_EXPECT_CONTAINS(message, "s3://present/");
  QK_EXPECT_CONTAINS(message, "403");
  EXPECT_EQ(message.find("TOPSECRETVALUE123"), std::string::npos) << message;
  EXPECT_EQ(message.find("SESSIONTOKENVALUE"), std::string::npos) << message;
}

TEST(S3Errors, UnreachableEndpointFailsAfterBoundedRetries) {
  S3Options options = GetS3Options();
  options.endpoint = "http://127.0.0.1:1";  // nothing listens on port 1
  options.max_attempts = 3;
  options.retry_base_ms = 10;
  Result<std::shared_ptr<S3Client>> client = S3Client::Make(options);
  QK_ASSERT_OK(client);
  auto start = std::chrono::steady_clock::now();
  Result<s3::ObjectInfo> head = (*client)->Head("bucket", "key.csv");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(head.ok());
  EXPECT_EQ(head.status().code(), StatusCode::kNetworkError);
  QK_EXPECT_CONTAINS(head.status().message(), "s3://bucket/key.csv");
  QK_EXPECT_CONTAINS(head.status().message(), "3 attempts");
  EXPECT_LT(seconds, 10.0);
}

TEST(S3Options, BadValuesNameTheSetting) {
  S3Options options;
  options.endpoint = "127.0.0.1:4568";
  Status status = SetS3Options(options);
  ASSERT_FALSE(status.ok());
  QK_EXPECT_CONTAINS(status.message(), "http://");
  options = S3Options();
  options.part_size = 1000;
  status = SetS3Options(options);
  ASSERT_FALSE(status.ok());
  QK_EXPECT_CONTAINS(status.message(), "QUOKKA_S3_PART_SIZE");
}

}  // namespace
}  // namespace quokka
