// AWS Signature Version 4 against AWS's published vectors: the SigV4 test suite
// (tests/data/sigv4, see its README) and the S3 documentation's worked examples
// (tests/data/sigv4-s3). Each case's canonical request, string to sign and Authorization header
// must match the published files byte for byte.

#include "aws/sigv4.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace quokka::aws {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Reading the vector files

std::string ReadFile(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// %XX -> byte; anything else (a '%' not followed by two hex digits too) is kept.
std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
        HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

/// An HTTP request as the suite writes it: a request line, headers, a blank line and the body.
/// The request target may contain spaces (get-space), so the method ends at the first space
/// and the HTTP version starts at the last one. A header line that starts with a blank
/// continues the previous header; the suite (get-header-value-multiline) counts each such line
/// as one more value of that header, which the signer joins with ','.
struct HttpText {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

HttpText ParseHttp(const std::string& text) {
  HttpText out;
  size_t header_end = text.find("\n\n");
  std::string head = text.substr(0, header_end);
  if (header_end != std::string::npos) out.body = text.substr(header_end + 2);
  std::istringstream lines(head);
  std::string line;
  std::getline(lines, line);
  size_t first_space = line.find(' ');
  size_t last_space = line.rfind(' ');
  out.method = line.substr(0, first_space);
  out.target = line.substr(first_space + 1, last_space - first_space - 1);
  std::string last_name;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    if (line[0] == ' ' || line[0] == '\t') {
      out.headers.emplace_back(last_name, line);
      continue;
    }
    size_t colon = line.find(':');
    last_name = line.substr(0, colon);
    out.headers.emplace_back(last_name, line.substr(colon + 1));
  }
  return out;
}

/// The request to sign: the target's path as it is (`path_is_encoded` when `wire_path`, else
/// percent-decoded into the raw path), its query split into percent-decoded names and values
/// (the signer encodes them), the headers as they are and the SHA-256 of the body.
SignableRequest ToSignable(const HttpText& http, bool wire_path) {
  SignableRequest request;
  request.method = http.method;
  size_t question = http.target.find('?');
  std::string path = http.target.substr(0, question);
  request.path = wire_path ? path : PercentDecode(path);
  request.path_is_encoded = wire_path;
  if (question != std::string::npos) {
    std::string query = http.target.substr(question + 1);
    size_t start = 0;
    while (start <= query.size()) {
      size_t end = query.find('&', start);
      if (end == std::string::npos) end = query.size();
      std::string part = query.substr(start, end - start);
      if (!part.empty()) {
        size_t equals = part.find('=');
        std::string name = part.substr(0, equals);
        std::string value = equals == std::string::npos ? "" : part.substr(equals + 1);
        request.query.emplace_back(PercentDecode(name), PercentDecode(value));
      }
      start = end + 1;
    }
  }
  request.headers = http.headers;
  request.payload_hash = Sha256Hex(http.body);
  return request;
}

/// A vector: <dir>/<name>.req with .creq, .sts and .authz (and maybe .sreq) beside it.
struct VectorCase {
  std::string id;  // path below the data directory, e.g. "normalize-path/get-slash"
  fs::path dir;
};

void PrintTo(const VectorCase& vector, std::ostream* out) { *out << vector.id; }

std::vector<VectorCase> FindCases(const fs::path& root) {
  std::vector<VectorCase> cases;
  std::error_code error;
  if (!fs::is_directory(root, error)) return cases;
  for (const auto& entry : fs::recursive_directory_iterator(root, error)) {
    if (!entry.is_directory()) continue;
    fs::path req = entry.path() / (entry.path().filename().string() + ".req");
    if (fs::exists(req)) {
      cases.push_back({fs::relative(entry.path(), root).generic_string(), entry.path()});
    }
  }
  std::sort(cases.begin(), cases.end(),
            [](const VectorCase& a, const VectorCase& b) { return a.id < b.id; });
  return cases;
}

std::string TestName(const testing::TestParamInfo<VectorCase>& info) {
  std::string name = info.param.id;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

fs::path SuiteDir() { return fs::path(QK_TEST_DATA_DIR) / "sigv4"; }
fs::path S3Dir() { return fs::path(QK_TEST_DATA_DIR) / "sigv4-s3"; }

/// Line `index` (from 0) of `text`.
std::string Line(const std::string& text, int index) {
  std::istringstream lines(text);
  std::string line;
  for (int i = 0; i <= index; ++i) std::getline(lines, line);
  return line;
}

std::string File(const VectorCase& vector, const char* extension) {
  return ReadFile(vector.dir / (vector.dir.filename().string() + extension));
}

// ---------------------------------------------------------------------------------------------
// The SigV4 test suite

const Credentials kSuiteCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "",
                                    "test"};
const SigningScope kSuiteScope{"us-east-1", "service", "20150830T123600Z"};

TEST(SigV4TestSuite, FindsTheVectors) {
  auto cases = FindCases(SuiteDir());
  ASSERT_FALSE(cases.empty()) << "no SigV4 test vectors under " << SuiteDir();
  std::set<std::string> ids;
  for (const auto& vector : cases) ids.insert(vector.id);
  for (const char* required : {"get-vanilla",
                               "get-vanilla-query",
                               "get-vanilla-query-order-key-case",
                               "get-vanilla-query-unreserved",
                               "get-vanilla-utf8-query",
                               "get-header-key-duplicate",
                               "get-header-value-multiline",
                               "get-header-value-order",
                               "get-header-value-trim",
                               "get-unreserved",
                               "get-utf8",
                               "normalize-path/get-space",
                               "normalize-path/get-slash",
                               "normalize-path/get-slashes",
                               "normalize-path/get-slash-dot-slash",
                               "normalize-path/get-slash-pointless-dot",
                               "normalize-path/get-relative",
                               "normalize-path/get-relative-relative",
                               "post-vanilla",
                               "post-vanilla-query",
                               "post-header-key-case",
                               "post-header-key-sort",
                               "post-header-value-case",
                               "post-x-www-form-urlencoded",
                               "post-x-www-form-urlencoded-parameters",
                               "post-sts-token/post-sts-header-after",
                               "post-sts-token/post-sts-header-before"}) {
    EXPECT_TRUE(ids.count(required)) << "missing vector " << required;
  }
}

class SigV4TestSuiteCase : public testing::TestWithParam<VectorCase> {};

TEST_P(SigV4TestSuiteCase, MatchesPublishedFiles) {
  const VectorCase& vector = GetParam();
  // The suite's "service" follows the rules of every service but S3: the request line's path is
  // the wire path, encoded once more and normalized.
  SignableRequest request = ToSignable(ParseHttp(File(vector, ".req")), /*wire_path=*/true);
  std::string canonical = CanonicalRequest(request, /*double_encode_path=*/true);
  EXPECT_EQ(canonical, File(vector, ".creq"));
  std::string string_to_sign = StringToSign(kSuiteScope, canonical);
  EXPECT_EQ(string_to_sign, File(vector, ".sts"));
  std::string authorization = AuthorizationHeader(kSuiteCredentials, kSuiteScope, request, true);
  EXPECT_EQ(authorization, File(vector, ".authz"));
  if (fs::exists(vector.dir / (vector.dir.filename().string() + ".sreq"))) {
    EXPECT_NE(File(vector, ".sreq").find("\nAuthorization: " + authorization), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Vectors, SigV4TestSuiteCase, testing::ValuesIn(FindCases(SuiteDir())),
                         TestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SigV4TestSuiteCase);

// The suite's post-vanilla-query-nonunreserved and post-vanilla-query-space, whose request lines
// are not valid HTTP, with the queries as the AWS JS SDK (aws-sdk-js-v3 suite.fixture.ts) passes
// them and its published signatures.
TEST(SigV4TestSuite, QueryWithReservedCharacters) {
  SignableRequest request;
  request.method = "POST";
  request.path = "/";
  request.query = {{"@#$%^", ""}, {"+", "/,?><`\";:\\|][{}"}};
  request.headers = {{"host", "example.amazonaws.com"}, {"x-amz-date", "20150830T123600Z"}};
  request.payload_hash = Sha256Hex("");
  EXPECT_EQ(Line(CanonicalRequest(request), 2),
            "%2B=%2F%2C%3F%3E%3C%60%22%3B%3A%5C%7C%5D%5B%7B%7D&%40%23%24%25%5E=");
  EXPECT_EQ(AuthorizationHeader(kSuiteCredentials, kSuiteScope, request),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e");

  request.query = {{"p", ""}};
  EXPECT_EQ(AuthorizationHeader(kSuiteCredentials, kSuiteScope, request),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=e71688addb58a26418614085fb730ba3faa623b461c17f48f2fbdb9361b94a9b");
}

// From the newer edition of the suite (aws-signing-test-suite/v4 in awslabs/aws-c-auth and
// smithy-lang/smithy-kotlin): an already-encoded path is encoded again for services other than
// S3 ("get-percent-encoded") and kept as is otherwise ("get-percent-single-encoded").
TEST(SigV4TestSuite, PercentEncodedPath) {
  SignableRequest request;
  request.method = "GET";
  request.path = "/foo/bar/baz%3Cqux%3Aquux";
  request.path_is_encoded = true;
  request.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
  request.payload_hash = Sha256Hex("");
  std::string canonical = CanonicalRequest(request, true);
  EXPECT_EQ(Line(canonical, 1), "/foo/bar/baz%253Cqux%253Aquux");
  EXPECT_EQ(StringToSign(kSuiteScope, canonical),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "4eb677b0ad9b3c4265bdb9eb11e09772e7ba1a11ef323d6f89800e59186ae790");
  EXPECT_EQ(AuthorizationHeader(kSuiteCredentials, kSuiteScope, request, true),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=64ee2b4fb5e80890c58f8ccc1221231f3e3a556ba0f9c485d32bb2742a74e8ac");
  EXPECT_EQ(AuthorizationHeader(kSuiteCredentials, kSuiteScope, request, false),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=dad1caab96f91a79dbba9fa5b6381af14f5d1be97a92e0dc2210d64cf26ef9d0");

  // The same request given by its raw path: the signer's first encoding gives the wire path.
  request.path = "/foo/bar/baz<qux:quux";
  request.path_is_encoded = false;
  EXPECT_EQ(CanonicalRequest(request, true), canonical);
}

// ---------------------------------------------------------------------------------------------
// Sign(): the headers it adds

std::string HeaderValue(const SignableRequest& request, const std::string& name) {
  std::string found;
  int count = 0;
  for (const auto& [key, value] : request.headers) {
    if (key == name) {
      found = value;
      ++count;
    }
  }
  return count == 1 ? found : "<" + std::to_string(count) + " headers>";
}

TEST(SigV4Sign, AddsDateSessionTokenAndAuthorization) {
  // post-sts-token/post-sts-header-before: the session token is signed.
  auto vector = VectorCase{"post-sts-token/post-sts-header-before",
                           SuiteDir() / "post-sts-token" / "post-sts-header-before"};
  HttpText http = ParseHttp(File(vector, ".req"));
  std::string token;
  for (const auto& [name, value] : http.headers) {
    if (name == "X-Amz-Security-Token") token = value;
  }
  ASSERT_FALSE(token.empty());
  SignableRequest request;
  request.method = "POST";
  request.path = "/";
  request.headers = {{"Host", "example.amazonaws.com"}};
  request.payload_hash = Sha256Hex("");
  Credentials credentials = kSuiteCredentials;
  credentials.session_token = token;
  Sign(credentials, kSuiteScope, request, /*add_content_sha256=*/false,
       /*double_encode_path=*/true);
  EXPECT_EQ(HeaderValue(request, "x-amz-date"), "20150830T123600Z");
  EXPECT_EQ(HeaderValue(request, "x-amz-security-token"), token);
  EXPECT_EQ(HeaderValue(request, "x-amz-content-sha256"), "<0 headers>");
  EXPECT_EQ(HeaderValue(request, "authorization"), File(vector, ".authz"));
}

TEST(SigV4Sign, SessionTokenFromTheNewerSuite) {
  // aws-signing-test-suite/v4/get-vanilla-with-session-token (awslabs/aws-c-auth).
  SignableRequest request;
  request.method = "GET";
  request.path = "/";
  request.headers = {{"Host", "example.amazonaws.com"}};
  request.payload_hash = Sha256Hex("");
  Credentials credentials = kSuiteCredentials;
  credentials.session_token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
  Sign(credentials, kSuiteScope, request, false, true);
  EXPECT_EQ(HeaderValue(request, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date;x-amz-security-token, "
            "Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8");
}

TEST(SigV4Sign, SigningAgainReplacesTheHeaders) {
  SignableRequest request;
  request.method = "GET";
  request.path = "/";
  request.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "19990101T000000Z"}};
  request.payload_hash = Sha256Hex("");
  Sign(kSuiteCredentials, kSuiteScope, request, true, true);
  SignableRequest once = request;
  Sign(kSuiteCredentials, kSuiteScope, request, true, true);
  EXPECT_EQ(request.headers, once.headers);
  EXPECT_EQ(HeaderValue(request, "x-amz-date"), "20150830T123600Z");
  EXPECT_EQ(HeaderValue(request, "x-amz-content-sha256"), Sha256Hex(""));
  EXPECT_EQ(HeaderValue(request, "authorization").rfind("AWS4-HMAC-SHA256 Credential=", 0), 0u);
}

// ---------------------------------------------------------------------------------------------
// The S3 documentation's examples

const Credentials kS3Credentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                 "", "test"};
const SigningScope kS3Scope{"us-east-1", "s3", "20130524T000000Z"};

/// The documentation writes the Authorization header without spaces after the commas.
std::string WithoutSpaceAfterComma(std::string text) {
  size_t at = 0;
  while ((at = text.find(", ", at)) != std::string::npos) text.erase(at + 1, 1);
  return text;
}

TEST(SigV4S3Example, FindsTheExamples) {
  EXPECT_EQ(FindCases(S3Dir()).size(), 4u) << "S3 examples under " << S3Dir();
}

class SigV4S3ExampleCase : public testing::TestWithParam<VectorCase> {};

TEST_P(SigV4S3ExampleCase, MatchesTheDocumentation) {
  const VectorCase& vector = GetParam();
  SignableRequest request = ToSignable(ParseHttp(File(vector, ".req")), /*wire_path=*/false);
  std::string canonical = CanonicalRequest(request, /*double_encode_path=*/false);
  EXPECT_EQ(canonical, File(vector, ".creq"));
  EXPECT_EQ(StringToSign(kS3Scope, canonical), File(vector, ".sts"));
  EXPECT_EQ(WithoutSpaceAfterComma(AuthorizationHeader(kS3Credentials, kS3Scope, request, false)),
            File(vector, ".authz"));
}

INSTANTIATE_TEST_SUITE_P(Examples, SigV4S3ExampleCase, testing::ValuesIn(FindCases(S3Dir())),
                         TestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SigV4S3ExampleCase);

TEST(SigV4S3Example, SignGetObjectWithRange) {
  // "GET Object" with Range: bytes=0-9, as the S3 client would sign it.
  SignableRequest request;
  request.method = "GET";
  request.path = "/test.txt";
  request.headers = {{"Host", "examplebucket.s3.amazonaws.com"}, {"Range", "bytes=0-9"}};
  request.payload_hash = Sha256Hex("");
  Sign(kS3Credentials, kS3Scope, request, /*add_content_sha256=*/true,
       /*double_encode_path=*/false);
  EXPECT_EQ(HeaderValue(request, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4S3Example, PathIsEncodedOnceAndNotNormalized) {
  SignableRequest request;
  request.method = "GET";
  request.path = "/bucket/a b//./c$";
  request.headers = {{"host", "s3.amazonaws.com"}};
  request.payload_hash = "UNSIGNED-PAYLOAD";
  std::string s3 = CanonicalRequest(request, false);
  EXPECT_EQ(Line(s3, 1), "/bucket/a%20b//./c%24");
  EXPECT_EQ(Line(CanonicalRequest(request, true), 1), "/bucket/a%2520b/c%2524");
  EXPECT_EQ(s3.substr(s3.rfind('\n') + 1), "UNSIGNED-PAYLOAD");
}

// ---------------------------------------------------------------------------------------------
// Primitives

TEST(SigV4Primitives, Sha256AndHmac) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231, test case 2.
  std::string mac = HmacSha256("Jefe", "what do ya want for nothing?");
  ASSERT_EQ(mac.size(), 32u);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char byte : mac) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0xf]);
  }
  EXPECT_EQ(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(SigV4Primitives, UriEncode) {
  EXPECT_EQ(UriEncode("AZaz09-_.~", false), "AZaz09-_.~");
  EXPECT_EQ(UriEncode("a b+c=d&e/f", false), "a%20b%2Bc%3Dd%26e%2Ff");
  EXPECT_EQ(UriEncode("/a b/c", true), "/a%20b/c");
  EXPECT_EQ(UriEncode("100%", true), "100%25");
  EXPECT_EQ(UriEncode("\xE1\x88\xB4", false), "%E1%88%B4");
  EXPECT_EQ(UriEncode("", false), "");
}

TEST(SigV4Primitives, AmzDate) {
  EXPECT_EQ(AmzDate(0), "19700101T000000Z");
  EXPECT_EQ(AmzDate(1440938160), "20150830T123600Z");
  EXPECT_EQ(AmzDate(1369353600), "20130524T000000Z");
  EXPECT_EQ(AmzDate(951782400), "20000229T000000Z");
  EXPECT_EQ(AmzDate(4102444799), "20991231T235959Z");
  EXPECT_EQ(AmzDate(-1), "19691231T235959Z");
}

TEST(SigV4Primitives, HeadersAreTrimmedLowerCasedAndMerged) {
  SignableRequest request;
  request.method = "GET";
  request.path = "/";
  request.headers = {{" X-B ", "  two   words  "},
                     {"Host", "h"},
                     {"x-b", "second"},
                     {"Authorization", "not signed"},
                     {"X-A", "\tfirst\t"}};
  request.payload_hash = "UNSIGNED-PAYLOAD";
  EXPECT_EQ(SignedHeaders(request), "host;x-a;x-b");
  EXPECT_EQ(CanonicalRequest(request),
            "GET\n/\n\nhost:h\nx-a:first\nx-b:two words,second\n\nhost;x-a;x-b\nUNSIGNED-PAYLOAD");
}

TEST(SigV4Primitives, QueryIsSortedByEncodedNameThenValue) {
  SignableRequest request;
  request.method = "GET";
  request.path = "/";
  request.query = {{"b", "2"}, {"a", "z"}, {"a", "y"}, {"a b", ""}, {"A", "1"}};
  request.headers = {{"host", "h"}};
  request.payload_hash = "x";
  EXPECT_EQ(CanonicalRequest(request), "GET\n/\nA=1&a=y&a=z&a%20b=&b=2\nhost:h\n\nhost\nx");
}

}  // namespace
}  // namespace quokka::aws
