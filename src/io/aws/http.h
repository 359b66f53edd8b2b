#pragma once
// A small HTTP(S) client over libcurl for the AWS APIs: one request at a time per calling
// thread, connections kept alive and reused per thread. No retries here (S3Client and the EC2
// client decide what is worth retrying).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "quokka/status.h"

namespace quokka::aws {

struct HttpRequest {
  std::string method = "GET";
  std::string url;  ///< fully encoded URL, including the query string
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;  ///< sent as is (PUT/POST); must outlive Perform()
  /// When set, a successful (2xx) response body is handed to it in pieces instead of kept in
  /// HttpResponse::body (a GET straight into the caller's buffer). Return false to abort. Error
  /// bodies always go to HttpResponse::body.
  std::function<bool(const char* data, size_t size)> on_body;
  int64_t timeout_ms = 0;              ///< whole transfer; 0 = no limit (see stall_seconds)
  int64_t connect_timeout_ms = 10000;  ///< TCP + TLS handshake
  /// A transfer slower than 1 KiB/s for this long is a stalled connection (NetworkError), so
  /// large uploads have no overall time limit but a dead peer is noticed.
  int64_t stall_seconds = 30;
  /// PEM file of trusted certificate authorities for https (empty: the system's).
  std::string ca_file;
};

struct HttpResponse {
  int status = 0;                                            ///< HTTP status code
  std::vector<std::pair<std::string, std::string>> headers;  ///< names lower-cased
  std::string body;                                          ///< unless on_body was set
  /// The header's value, or "" (name in lower case).
  std::string Header(std::string_view name) const;
};

/// Perform the request. A non-2xx status is not an error here (see HttpResponse::status);
/// NetworkError (naming the URL without its query string) when no response arrived: refused or
/// reset connection, timeout, TLS failure, a body cut short.
Result<HttpResponse> Perform(const HttpRequest& request);

}  // namespace quokka::aws
