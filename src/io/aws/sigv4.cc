#include "aws/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <utility>
#include <vector>

namespace quokka::aws {

namespace {

constexpr char kAlgorithm[] = "AWS4-HMAC-SHA256";

std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xf];
  }
  return out;
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), ToLower);
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsBlank(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsBlank(text.back())) text.remove_suffix(1);
  return text;
}

/// Trimmed, with every run of blanks inside turned into one space ("Trimall" in the spec).
std::string TrimAll(std::string_view text) {
  text = Trim(text);
  std::string out;
  out.reserve(text.size());
  bool in_blank = false;
  for (char c : text) {
    if (IsBlank(c)) {
      in_blank = true;
      continue;
    }
    if (in_blank) out.push_back(' ');
    in_blank = false;
    out.push_back(c);
  }
  return out;
}

/// RFC 3986 dot-segment removal plus dropping empty segments, as SigV4 wants for services other
/// than S3: "//example//" -> "/example/", "/a/b/../.." -> "/", "/./a" -> "/a".
std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> segments;
  bool trailing_slash = false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    bool last = end == path.size();
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
      trailing_slash = true;
    } else if (segment == ".") {
      trailing_slash = true;
    } else if (!segment.empty()) {
      segments.push_back(segment);
      trailing_slash = false;
    } else {
      // An empty segment: between two slashes, or after a final slash.
      trailing_slash = trailing_slash || last;
    }
    if (last) break;
    start = end + 1;
  }
  std::string out = "/";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out.push_back('/');
    out.append(segments[i]);
  }
  if (!segments.empty() && trailing_slash) out.push_back('/');
  return out;
}

std::string CanonicalUri(const SignableRequest& request, bool double_encode_path) {
  std::string wire = request.path_is_encoded ? request.path : UriEncode(request.path, true);
  if (wire.empty() || wire.front() != '/') wire.insert(wire.begin(), '/');
  if (!double_encode_path) return wire;
  return UriEncode(NormalizePath(wire), true);
}

std::string CanonicalQuery(const SignableRequest& request) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(request.query.size());
  for (const auto& [name, value] : request.query) {
    encoded.emplace_back(UriEncode(name, false), UriEncode(value, false));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out.append(name).append("=").append(value);
  }
  return out;
}

/// Lower-case name -> values joined with ',', sorted by name; "authorization" is left out.
std::vector<std::pair<std::string, std::string>> CanonicalHeaderList(
    const SignableRequest& request) {
  std::vector<std::pair<std::string, std::string>> headers;
  headers.reserve(request.headers.size());
  for (const auto& [name, value] : request.headers) {
    headers.emplace_back(Lower(Trim(name)), TrimAll(value));
  }
  // Stable: the values of one name keep the order in which they were given.
  std::stable_sort(headers.begin(), headers.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::pair<std::string, std::string>> merged;
  for (auto& [name, value] : headers) {
    if (name == "authorization") continue;
    if (!merged.empty() && merged.back().first == name) {
      merged.back().second.append(",").append(value);
    } else {
      merged.emplace_back(std::move(name), std::move(value));
    }
  }
  return merged;
}

std::string JoinNames(const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string out;
  for (const auto& header : headers) {
    if (!out.empty()) out.push_back(';');
    out.append(header.first);
  }
  return out;
}

std::string CredentialScope(const SigningScope& scope) {
  return scope.amz_date.substr(0, 8) + "/" + scope.region + "/" + scope.service + "/aws4_request";
}

void RemoveHeader(std::vector<std::pair<std::string, std::string>>& headers,
                  std::string_view lower_name) {
  headers.erase(
      std::remove_if(headers.begin(), headers.end(),
                     [&](const auto& header) { return Lower(Trim(header.first)) == lower_name; }),
      headers.end());
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Primitives

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  return Hex(digest, size);
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &size);
  return std::string(reinterpret_cast<const char*>(mac), size);
}

std::string UriEncode(std::string_view text, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (IsUnreserved(byte) || (keep_slash && c == '/')) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kDigits[byte >> 4]);
      out.push_back(kDigits[byte & 0xf]);
    }
  }
  return out;
}

std::string AmzDate(int64_t unix_seconds) {
  using std::chrono::days;
  using std::chrono::seconds;
  using std::chrono::sys_seconds;
  sys_seconds time{seconds{unix_seconds}};
  auto day = std::chrono::floor<days>(time);
  std::chrono::year_month_day ymd{day};
  std::chrono::hh_mm_ss hms{time - day};
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buffer;
}

// ---------------------------------------------------------------------------------------------
// Steps 1-4

std::string CanonicalRequest(const SignableRequest& request, bool double_encode_path) {
  auto headers = CanonicalHeaderList(request);
  std::string out = request.method;
  out.append("\n").append(CanonicalUri(request, double_encode_path));
  out.append("\n").append(CanonicalQuery(request));
  out.append("\n");
  for (const auto& [name, value] : headers) out.append(name).append(":").append(value).append("\n");
  out.append("\n").append(JoinNames(headers));
  out.append("\n").append(request.payload_hash);
  return out;
}

std::string SignedHeaders(const SignableRequest& request) {
  return JoinNames(CanonicalHeaderList(request));
}

std::string StringToSign(const SigningScope& scope, std::string_view canonical_request) {
  std::string out = kAlgorithm;
  out.append("\n").append(scope.amz_date);
  out.append("\n").append(CredentialScope(scope));
  out.append("\n").append(Sha256Hex(canonical_request));
  return out;
}

std::string Signature(const Credentials& credentials, const SigningScope& scope,
                      std::string_view string_to_sign) {
  std::string key = HmacSha256("AWS4" + credentials.secret_access_key, scope.amz_date.substr(0, 8));
  key = HmacSha256(key, scope.region);
  key = HmacSha256(key, scope.service);
  key = HmacSha256(key, "aws4_request");
  std::string signature = HmacSha256(key, string_to_sign);
  return Hex(reinterpret_cast<const unsigned char*>(signature.data()), signature.size());
}

std::string AuthorizationHeader(const Credentials& credentials, const SigningScope& scope,
                                const SignableRequest& request, bool double_encode_path) {
  std::string string_to_sign = StringToSign(scope, CanonicalRequest(request, double_encode_path));
  std::string out = kAlgorithm;
  out.append(" Credential=").append(credentials.access_key_id).append("/");
  out.append(CredentialScope(scope));
  out.append(", SignedHeaders=").append(SignedHeaders(request));
  out.append(", Signature=").append(Signature(credentials, scope, string_to_sign));
  return out;
}

void Sign(const Credentials& credentials, const SigningScope& scope, SignableRequest& request,
          bool add_content_sha256, bool double_encode_path) {
  auto& headers = request.headers;
  RemoveHeader(headers, "authorization");
  RemoveHeader(headers, "x-amz-date");
  headers.emplace_back("x-amz-date", scope.amz_date);
  if (add_content_sha256) {
    RemoveHeader(headers, "x-amz-content-sha256");
    headers.emplace_back("x-amz-content-sha256", request.payload_hash);
  }
  if (!credentials.session_token.empty()) {
    RemoveHeader(headers, "x-amz-security-token");
    headers.emplace_back("x-amz-security-token", credentials.session_token);
  }
  std::string authorization = AuthorizationHeader(credentials, scope, request, double_encode_path);
  headers.emplace_back("authorization", std::move(authorization));
}

}  // namespace quokka::aws
