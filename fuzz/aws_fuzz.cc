// libFuzzer target for what quokka parses from S3 and AWS: ListObjectsV2 pages, multipart
// upload ids, <Error> documents, s3:// URLs. Byte 0 picks the parser, the rest is the input.
// Beyond "no crash, no sanitizer report", it checks the parsers' promises: listed sizes are
// never negative, a truncated page always has a token, a parsed URL has a valid bucket.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "s3/s3_client.h"
#include "s3/s3_xml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      auto page = quokka::s3::ParseListPage(text);
      if (page.ok()) {
        for (const auto& object : page->objects) {
          if (object.size < 0) std::abort();
        }
        if (page->truncated && page->next_token.empty()) std::abort();
      }
      break;
    }
    case 1: {
      auto id = quokka::s3::ParseUploadId(text);
      if (id.ok() && id->empty()) std::abort();
      break;
    }
    case 2:
      (void)quokka::s3::ParseError(text);
      break;
    case 3: {
      auto url = quokka::s3::S3Url::Parse(text);
      if (url.ok() && (url->bucket.size() < 3 || url->ToString().rfind("s3://", 0) != 0)) {
        std::abort();
      }
      break;
    }
  }
  return 0;
}
