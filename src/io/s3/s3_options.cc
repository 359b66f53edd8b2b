// S3Options (quokka/filesystem.h): defaults from the environment, validation, the process's
// current options.
#include <unistd.h>

#include <cstdlib>
#include <mutex>
#include <string>

#include "quokka/filesystem.h"

namespace quokka {
namespace {

int64_t EnvInt(const char* name, int64_t fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  try {
    return std::stoll(value);
  } catch (...) {
    return -1;  // caught by Validate with the variable's name in the message
  }
}

std::mutex options_mutex;
S3Options& CurrentOptions() {
  static S3Options options = S3Options::FromEnvironment();
  return options;
}

}  // namespace

// ---- Options (public API in quokka/filesystem.h) ----------------------------------------------

S3Options S3Options::FromEnvironment() {
  S3Options options;
  for (const char* name : {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') {
      options.endpoint = value;
      break;
    }
  }
  if (const char* ca = std::getenv("AWS_CA_BUNDLE")) options.ca_bundle = ca;
  options.part_size = EnvInt("QUOKKA_S3_PART_SIZE", options.part_size);
  options.read_block_size = EnvInt("QUOKKA_S3_BLOCK_SIZE", options.read_block_size);
  return options;
}

Status S3Options::Validate() const {
  if (!endpoint.empty() && endpoint.rfind("http://", 0) != 0 &&
      endpoint.rfind("https://", 0) != 0) {
    return Status::Invalid("S3 endpoint '" + endpoint +
                           "' must start with http:// or https:// (from --s3-endpoint, "
                           "AWS_ENDPOINT_URL or S3Options::endpoint)");
  }
  if (max_attempts < 1 || max_attempts > 100) {
    return Status::Invalid("S3Options::max_attempts must be 1..100");
  }
  if (part_size < (int64_t{5} << 20) || part_size > (int64_t{5} << 30)) {
    return Status::Invalid(
        "S3 part size (S3Options::part_size or QUOKKA_S3_PART_SIZE) must be "
        "between 5 MiB and 5 GiB, got " +
        std::to_string(part_size));
  }
  if (read_block_size < 4096 || read_block_size > (int64_t{1} << 30)) {
    return Status::Invalid(
        "S3 read block size (S3Options::read_block_size or "
        "QUOKKA_S3_BLOCK_SIZE) must be between 4 KiB and 1 GiB, got " +
        std::to_string(read_block_size));
  }
  if (!ca_bundle.empty() && ::access(ca_bundle.c_str(), R_OK) != 0) {
    return Status::Invalid("S3 CA bundle (AWS_CA_BUNDLE or S3Options::ca_bundle) '" + ca_bundle +
                           "' cannot be read");
  }
  if (read_ahead < 0 || read_ahead > 64) return Status::Invalid("S3Options::read_ahead: 0..64");
  return Status::OK();
}

Status SetS3Options(const S3Options& options) {
  QK_RETURN_NOT_OK(options.Validate());
  std::lock_guard<std::mutex> lock(options_mutex);
  CurrentOptions() = options;
  return Status::OK();
}

S3Options GetS3Options() {
  std::lock_guard<std::mutex> lock(options_mutex);
  return CurrentOptions();
}

bool IsS3Path(std::string_view path) { return path.rfind("s3://", 0) == 0; }

}  // namespace quokka
