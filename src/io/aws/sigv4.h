#pragma once
// AWS Signature Version 4: signs an HTTP request for S3, EC2 or any AWS-compatible service.
// The steps are exposed separately (canonical request, string to sign, signature) so that the
// tests can check each against AWS's published test vectors (tests/data/sigv4/).

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/credentials.h"

namespace quokka::aws {

/// A request to sign: what SigV4 looks at. Header names may be in any case; the signer
/// lower-cases and trims them. `query` holds raw (not yet URI-encoded) names and values.
struct SignableRequest {
  std::string method;  ///< "GET", "PUT", ...
  std::string path;    ///< raw absolute path, e.g. "/bucket/key with space" (encoded by the signer)
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> headers;  ///< must include "host"
  /// Hex SHA-256 of the body, or "UNSIGNED-PAYLOAD".
  std::string payload_hash;
  /// When true, `path` is already URI-encoded as it goes on the wire (e.g. taken from an HTTP
  /// request line) and the signer skips its first encoding: S3 then signs it as is, other
  /// services encode it once more. AWS's SigV4 test suite is written this way.
  bool path_is_encoded = false;
};

/// Where and when the request is signed.
struct SigningScope {
  std::string region;    ///< e.g. "us-east-1"
  std::string service;   ///< e.g. "s3", "ec2"
  std::string amz_date;  ///< "YYYYMMDDTHHMMSSZ" (UTC); its first 8 characters are the date
};

/// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);
/// HMAC-SHA256 of `data` under `key` (raw 32 bytes).
std::string HmacSha256(std::string_view key, std::string_view data);
/// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters (A-Z a-z 0-9 - _ . ~)
/// kept, everything else %XX (upper case); '/' kept when `keep_slash`.
std::string UriEncode(std::string_view text, bool keep_slash);
/// "YYYYMMDDTHHMMSSZ" for a UNIX time (seconds).
std::string AmzDate(int64_t unix_seconds);

/// The canonical request (step 1). `double_encode_path`: services other than S3 encode the
/// already-encoded path a second time and normalize it (remove "." and ".." segments and empty
/// segments); S3 does neither (pass false for S3). Every header is signed except
/// "authorization"; several values of one name are joined with ','.
std::string CanonicalRequest(const SignableRequest& request, bool double_encode_path = true);
/// "host;x-amz-date;..." (lower-case, sorted).
std::string SignedHeaders(const SignableRequest& request);
/// The string to sign (step 2) for a canonical request.
std::string StringToSign(const SigningScope& scope, std::string_view canonical_request);
/// The hex signature (step 3).
std::string Signature(const Credentials& credentials, const SigningScope& scope,
                      std::string_view string_to_sign);
/// The Authorization header value for the request (steps 1-4).
std::string AuthorizationHeader(const Credentials& credentials, const SigningScope& scope,
                                const SignableRequest& request, bool double_encode_path = true);

/// Adds x-amz-date, x-amz-content-sha256 (when `add_content_sha256`, as S3 wants), the
/// session token header (if any) and Authorization to `request.headers`, replacing any earlier
/// header of those names (so a request can be signed again, e.g. on retry).
void Sign(const Credentials& credentials, const SigningScope& scope, SignableRequest& request,
          bool add_content_sha256, bool double_encode_path);

}  // namespace quokka::aws
