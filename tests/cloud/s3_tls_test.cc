// HTTPS: a second s3rver serving TLS with its own self-signed certificate. With the certificate
// as the CA bundle (AWS_CA_BUNDLE / S3Options::ca_bundle) requests succeed; without it the
// client refuses the server, with an error naming the URL.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "s3/s3_client.h"
#include "test_util.h"

namespace quokka {
namespace {

class S3Tls : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string dir = std::string(QK_BINARY_DIR) + "/s3_tls_" + std::to_string(::getpid());
    tls_dir_ = dir + "_keys";
    data_ = dir + "_data";
    const std::string command = "S3RVER_TLS_DIR=" + tls_dir_ + " bash " + QK_SOURCE_DIR +
                                "/scripts/s3rver.sh start " + QK_BINARY_DIR + " " + data_;
    FILE* pipe = ::popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    char line[256] = {0};
    if (std::fgets(line, sizeof line, pipe) != nullptr) endpoint_ = line;
    ASSERT_EQ(::pclose(pipe), 0) << "cannot start s3rver with TLS";
    while (!endpoint_.empty() && endpoint_.back() == '\n') endpoint_.pop_back();
    ASSERT_EQ(endpoint_.rfind("https://127.0.0.1:", 0), 0u) << endpoint_;
  }
  void TearDown() override {
    std::string command = "bash " + std::string(QK_SOURCE_DIR) + "/scripts/s3rver.sh stop " +
                          data_ + "; rm -rf " + data_ + " " + tls_dir_;
    (void)std::system(command.c_str());
  }
  std::string tls_dir_, data_, endpoint_;
};

TEST_F(S3Tls, TrustedThroughTheCaBundle) {
  S3Options options;
  options.endpoint = endpoint_;
  options.ca_bundle = tls_dir_ + "/cert.pem";
  Result<std::shared_ptr<s3::S3Client>> client = s3::S3Client::Make(options);
  QK_ASSERT_OK(client);
  QK_ASSERT_OK((*client)->CreateBucket("secure"));
  QK_ASSERT_OK((*client)->Put("secure", "k.txt", "over TLS"));
  Result<std::string> got = (*client)->Get("secure", "k.txt");
  QK_ASSERT_OK(got);
  EXPECT_EQ(*got, "over TLS");
}

TEST_F(S3Tls, UntrustedServerIsRefused) {
  S3Options options;
  options.endpoint = endpoint_;
  options.max_attempts = 2;
  options.retry_base_ms = 10;
  Result<std::shared_ptr<s3::S3Client>> client = s3::S3Client::Make(options);
  QK_ASSERT_OK(client);
  Result<s3::ObjectInfo> head = (*client)->Head("secure", "k.txt");
  ASSERT_FALSE(head.ok());
  EXPECT_EQ(head.status().code(), StatusCode::kNetworkError);
  QK_EXPECT_CONTAINS(head.status().message(), "s3://secure/k.txt");
  QK_EXPECT_CONTAINS(head.status().message(), "certificate");
}

TEST(S3TlsOptions, UnreadableCaBundleIsNamed) {
  S3Options options;
  options.ca_bundle = "/nonexistent/ca.pem";
  Status status = options.Validate();
  ASSERT_FALSE(status.ok());
  QK_EXPECT_CONTAINS(status.message(), "AWS_CA_BUNDLE");
  QK_EXPECT_CONTAINS(status.message(), "/nonexistent/ca.pem");
}

}  // namespace
}  // namespace quokka
