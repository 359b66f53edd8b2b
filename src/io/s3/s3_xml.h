#pragma once
// S3's XML answers: ListObjectsV2 pages, CreateMultipartUpload, and <Error> documents. Pure
// functions over the body, so they are tested and fuzzed without a server (fuzz/aws_fuzz.cc).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "quokka/status.h"

namespace quokka::s3 {

struct ObjectInfo {
  std::string key;
  int64_t size = 0;
  std::string etag;
};

struct ListPage {
  std::vector<ObjectInfo> objects;
  bool truncated = false;
  std::string next_token;  ///< set when truncated
};

/// A ListBucketResult. IOError (without the URL: the caller adds it) when the body is not one,
/// an entry lacks Key or a valid Size, or a truncated page has no continuation token.
Result<ListPage> ParseListPage(std::string_view body);
/// The UploadId of an InitiateMultipartUploadResult.
Result<std::string> ParseUploadId(std::string_view body);
/// Code and Message of an <Error> document; empty strings when the body is not one.
std::pair<std::string, std::string> ParseError(std::string_view body);

}  // namespace quokka::s3
