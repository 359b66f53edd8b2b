#pragma once
// An S3 client over aws/http.h and aws/sigv4.h: list, HEAD, ranged GET, PUT, multipart upload,
// DELETE, bucket creation. Requests are retried with exponential backoff on 5xx, throttling,
// connection errors and bodies cut short (S3Options::max_attempts). Error messages name the
// s3:// URL, the HTTP status and S3's error code; never the secret key or session token.
// Thread-safe: the client is immutable; each calling thread uses its own connections.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/credentials.h"
#include "aws/http.h"
#include "quokka/filesystem.h"
#include "s3/s3_xml.h"

namespace quokka::s3 {

/// "s3://bucket/key" split; key may be empty or end in '/'.
struct S3Url {
  std::string bucket;
  std::string key;
  /// Invalid (naming the text) unless "s3://" followed by a bucket name.
  static Result<S3Url> Parse(std::string_view url);
  std::string ToString() const { return "s3://" + bucket + "/" + key; }
};

class S3Client {
 public:
  /// Resolves credentials (environment, profile files; none = anonymous requests) and region.
  static Result<std::shared_ptr<S3Client>> Make(const S3Options& options);
  /// The client for the process's current options (GetS3Options), made once per options.
  static Result<std::shared_ptr<S3Client>> Default();

  /// Objects whose keys start with `prefix`, sorted by key (all pages of ListObjectsV2, of
  /// `page_size` keys each).
  Result<std::vector<ObjectInfo>> List(const std::string& bucket, const std::string& prefix,
                                       int page_size = 1000) const;
  /// NotFound when the object does not exist.
  Result<ObjectInfo> Head(const std::string& bucket, const std::string& key) const;
  /// Exactly `size` bytes at `offset` into `dest`; IOError if the object has fewer.
  Status GetRange(const std::string& bucket, const std::string& key, int64_t offset, int64_t size,
                  char* dest) const;
  /// The whole object.
  Result<std::string> Get(const std::string& bucket, const std::string& key) const;
  Status Put(const std::string& bucket, const std::string& key, std::string_view body) const;
  Status Delete(const std::string& bucket, const std::string& key) const;
  Status CreateBucket(const std::string& bucket) const;

  /// Multipart upload: returns the upload id.
  Result<std::string> CreateMultipartUpload(const std::string& bucket,
                                            const std::string& key) const;
  /// Part numbers start at 1; returns the part's ETag.
  Result<std::string> UploadPart(const std::string& bucket, const std::string& key,
                                 const std::string& upload_id, int part_number,
                                 std::string_view body) const;
  Status CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                 const std::string& upload_id,
                                 const std::vector<std::string>& etags) const;
  Status AbortMultipartUpload(const std::string& bucket, const std::string& key,
                              const std::string& upload_id) const;

  const S3Options& options() const { return options_; }
  const std::string& region() const { return region_; }

 private:
  struct Call;
  S3Client() = default;
  // Signs and sends `call` with retries; a non-2xx answer becomes a Status naming the URL.
  Result<aws::HttpResponse> Send(const Call& call) const;
  Result<aws::HttpResponse> SendOnce(const Call& call) const;

  S3Options options_;
  std::string region_;
  aws::Credentials credentials_;
  std::string credentials_search_;  // where credentials were looked for, when none were found
  std::string scheme_host_;         // "http://127.0.0.1:4568" (endpoint mode)
  bool path_style_ = true;
};

}  // namespace quokka::s3
