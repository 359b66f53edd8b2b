// The S3 tests' main: starts s3rver (scripts/s3rver.sh, installed from the npm registry into the
// build tree) before the tests and stops it after. Without s3rver the tests fail: they are the
// proof that quokka speaks S3 to a real server.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "quokka/filesystem.h"
#include "quokka/init.h"
#include "s3_server.h"

namespace quokka::testing {
namespace {
std::string endpoint;
}
const std::string& S3Endpoint() { return endpoint; }
}  // namespace quokka::testing

namespace {

std::string Run(const std::string& command, int* status) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    *status = -1;
    return out;
  }
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  *status = ::pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  quokka::Init(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  // s3rver's only key pair; the tests of wrong credentials change them per request.
  ::setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
  ::setenv("AWS_REGION", "us-east-1", 1);
  const std::string script = std::string(QK_SOURCE_DIR) + "/scripts/s3rver.sh";
  const std::string data =
      std::string(QK_BINARY_DIR) + "/s3_tests_data_" + std::to_string(::getpid());
  int status = 0;
  Run("bash " + script + " install " + QK_BINARY_DIR + " >&2", &status);
  if (status != 0) {
    std::cerr << "quokka_s3_tests: cannot install s3rver (scripts/s3rver.sh install)\n";
    return 1;
  }
  quokka::testing::endpoint =
      Run("bash " + script + " start " + QK_BINARY_DIR + " " + data, &status);
  if (status != 0 || quokka::testing::endpoint.rfind("http://", 0) != 0) {
    std::cerr << "quokka_s3_tests: cannot start s3rver: " << quokka::testing::endpoint << "\n";
    return 1;
  }
  std::cerr << "s3rver at " << quokka::testing::endpoint << "\n";
  quokka::S3Options options;
  options.endpoint = quokka::testing::endpoint;
  options.retry_base_ms = 20;
  if (!quokka::SetS3Options(options).ok()) return 1;
  int result = RUN_ALL_TESTS();
  Run("bash " + script + " stop " + data + " && rm -rf " + data, &status);
  return result;
}
