// S3's XML answers and s3:// URLs, without a server.
#include "s3/s3_xml.h"

#include <gtest/gtest.h>

#include "s3/s3_client.h"
#include "test_util.h"

namespace quokka::s3 {
namespace {

TEST(S3Xml, ListPageWithContinuation) {
  Result<ListPage> page = ParseListPage(R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>b</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated><NextContinuationToken>tok+/=</NextContinuationToken>
  <Contents><Key>p/a &amp; b.csv</Key><Size>12</Size><ETag>"abc"</ETag></Contents>
  <Contents><Key>p/c.csv</Key><Size>9000000000</Size></Contents>
</ListBucketResult>)");
  QK_ASSERT_OK(page);
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "p/a & b.csv");
  EXPECT_EQ(page->objects[0].size, 12);
  EXPECT_EQ(page->objects[0].etag, "\"abc\"");
  EXPECT_EQ(page->objects[1].size, 9000000000);
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_token, "tok+/=");
}

TEST(S3Xml, MalformedListingsAreErrors) {
  for (const char* body :
       {"", "not xml", "<Error><Code>x</Code></Error>",
        "<ListBucketResult><Contents><Key>a</Key></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>a</Key><Size>-1</Size></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>a</Key><Size>12x</Size></Contents></ListBucketResult>",
        "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"}) {
    Result<ListPage> page = ParseListPage(body);
    EXPECT_FALSE(page.ok()) << body;
  }
  Result<ListPage> empty =
      ParseListPage("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>");
  QK_ASSERT_OK(empty);
  EXPECT_TRUE(empty->objects.empty());
}

TEST(S3Xml, UploadIdAndErrors) {
  Result<std::string> id = ParseUploadId(
      "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>u-1</UploadId>"
      "</InitiateMultipartUploadResult>");
  QK_ASSERT_OK(id);
  EXPECT_EQ(*id, "u-1");
  EXPECT_FALSE(ParseUploadId("<InitiateMultipartUploadResult/>").ok());
  auto [code, message] = ParseError(
      "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not "
      "exist.</Message><Key>x</Key></Error>");
  EXPECT_EQ(code, "NoSuchKey");
  EXPECT_EQ(message, "The specified key does not exist.");
  EXPECT_EQ(ParseError("<html>502 Bad Gateway</html>").first, "");
}

TEST(S3Url, ParsesBucketAndKey) {
  Result<S3Url> url = S3Url::Parse("s3://my-bucket/a/b c.csv");
  QK_ASSERT_OK(url);
  EXPECT_EQ(url->bucket, "my-bucket");
  EXPECT_EQ(url->key, "a/b c.csv");
  Result<S3Url> bare = S3Url::Parse("s3://bucket");
  QK_ASSERT_OK(bare);
  EXPECT_EQ(bare->key, "");
  for (const char* bad : {"s3://", "s3:///key", "s3://ab/x", "s3://b@d/x", "http://b/x"}) {
    Result<S3Url> parsed = S3Url::Parse(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    QK_EXPECT_CONTAINS(parsed.status().message(), bad);
  }
}

}  // namespace
}  // namespace quokka::s3
