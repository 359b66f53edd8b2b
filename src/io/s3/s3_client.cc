// S3 REST calls: addressing, signing, retries, error mapping, XML answers.
#include "s3/s3_client.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>

#include "aws/sigv4.h"

namespace quokka::s3 {
namespace {

constexpr const char* kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

bool ValidBucketName(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
           (c >= 'A' && c <= 'Z');
  });
}

bool RetryableStatus(int status, const std::string& code) {
  if (status >= 500 || status == 429) return true;
  return code == "SlowDown" || code == "Throttling" || code == "ThrottlingException" ||
         code == "RequestTimeout";
}

}  // namespace

// ---- URLs ---------------------------------------------------------------------------------------

Result<S3Url> S3Url::Parse(std::string_view url) {
  if (!IsS3Path(url)) return Status::Invalid("'" + std::string(url) + "' is not an s3:// URL");
  std::string_view rest = url.substr(5);
  size_t slash = rest.find('/');
  S3Url out;
  out.bucket = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) out.key = std::string(rest.substr(slash + 1));
  if (!ValidBucketName(out.bucket)) {
    return Status::Invalid("'" + std::string(url) +
                           "': not a valid S3 bucket name (3-63 letters, digits, '-', '.')");
  }
  return out;
}

// ---- Client -------------------------------------------------------------------------------------

struct S3Client::Call {
  std::string method = "GET";
  std::string bucket, key;
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;
  std::function<bool(const char*, size_t)> on_body;
  std::function<void()> on_retry;  // resets what on_body collected
  std::string what;                // "GET", "list", ...
  std::string shown_key;           // the key part of the URL in messages, when not `key`
  std::string Url() const { return "s3://" + bucket + "/" + (shown_key.empty() ? key : shown_key); }
};

Result<std::shared_ptr<S3Client>> S3Client::Make(const S3Options& options) {
  QK_RETURN_NOT_OK(options.Validate());
  std::shared_ptr<S3Client> client(new S3Client());
  client->options_ = options;
  client->region_ = options.region.empty() ? aws::ResolveRegion(options.profile) : options.region;
  Result<aws::Credentials> credentials = aws::ResolveCredentials(options.profile);
  if (credentials.ok()) {
    client->credentials_ = std::move(*credentials);
  } else if (credentials.status().code() == StatusCode::kNotFound) {
    client->credentials_search_ = credentials.status().message();  // anonymous requests
  } else {
    return credentials.status().WithContext("S3 credentials");
  }
  if (!options.endpoint.empty()) {
    std::string endpoint = options.endpoint;
    while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
    client->scheme_host_ = endpoint;
    client->path_style_ = true;
  } else {
    client->path_style_ = false;
  }
  return client;
}

Result<std::shared_ptr<S3Client>> S3Client::Default() {
  static std::mutex mutex;
  static std::shared_ptr<S3Client> cached;
  static std::string cached_key;
  S3Options options = GetS3Options();
  std::string key =
      options.endpoint + "|" + options.region + "|" + options.profile + "|" + options.ca_bundle +
      "|" + std::to_string(options.max_attempts) + "|" + std::to_string(options.part_size) + "|" +
      std::to_string(options.read_block_size) + "|" + std::to_string(options.read_ahead) + "|" +
      std::to_string(options.retry_base_ms);
  std::lock_guard<std::mutex> lock(mutex);
  if (cached == nullptr || cached_key != key) {
    QK_ASSIGN_OR_RAISE(cached, Make(options));
    cached_key = key;
  }
  return cached;
}

Result<aws::HttpResponse> S3Client::SendOnce(const Call& call) const {
  // Address: path-style against an endpoint, virtual-host style against AWS.
  std::string host, path;
  std::string scheme = "https://";
  if (path_style_) {
    std::string rest = scheme_host_;
    size_t colon_slash = rest.find("://");
    scheme = rest.substr(0, colon_slash + 3);
    host = rest.substr(colon_slash + 3);
    std::string base;
    size_t slash = host.find('/');
    if (slash != std::string::npos) {  // an endpoint with a path prefix
      base = host.substr(slash);
      host = host.substr(0, slash);
    }
    path = base + "/" + call.bucket + "/" + call.key;
  } else {
    host = call.bucket + ".s3." + region_ + ".amazonaws.com";
    path = "/" + call.key;
  }
  aws::SignableRequest request;
  request.method = call.method;
  request.path = path;
  request.query = call.query;
  request.headers = call.headers;
  request.headers.emplace_back("host", host);
  request.payload_hash = call.body.empty() ? kEmptySha256 : aws::Sha256Hex(call.body);
  if (!credentials_.empty()) {
    auto now = std::chrono::system_clock::now();
    int64_t seconds =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    aws::SigningScope scope{region_, "s3", aws::AmzDate(seconds)};
    aws::Sign(credentials_, scope, request, /*add_content_sha256=*/true,
              /*double_encode_path=*/false);
  }
  aws::HttpRequest http;
  http.method = call.method;
  http.url = scheme + host + aws::UriEncode(path, true);
  // The query as signed: names and values encoded, sorted.
  std::vector<std::pair<std::string, std::string>> query;
  for (const auto& [name, value] : call.query) {
    query.emplace_back(aws::UriEncode(name, false), aws::UriEncode(value, false));
  }
  std::sort(query.begin(), query.end());
  for (size_t i = 0; i < query.size(); ++i) {
    http.url += (i == 0 ? "?" : "&") + query[i].first + "=" + query[i].second;
  }
  http.headers = std::move(request.headers);
  http.body = call.body;
  http.on_body = call.on_body;
  http.ca_file = options_.ca_bundle;
  return aws::Perform(http);
}

Result<aws::HttpResponse> S3Client::Send(const Call& call) const {
  std::mt19937_64 jitter(std::random_device{}());
  Status last;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    if (attempt > 1) {
      int64_t wait = std::min<int64_t>(options_.retry_base_ms << std::min(attempt - 2, 16), 5000);
      wait = wait / 2 + static_cast<int64_t>(jitter() % static_cast<uint64_t>(wait / 2 + 1));
      std::this_thread::sleep_for(std::chrono::milliseconds(wait));
      if (call.on_retry) call.on_retry();
    }
    Result<aws::HttpResponse> response = SendOnce(call);
    std::string endpoint = path_style_ ? " at " + scheme_host_ : "";
    std::string tries =
        attempt > 1 ? " (after " + std::to_string(attempt) + " attempts)" : std::string();
    if (!response.ok()) {
      if (response.status().code() == StatusCode::kCancelled) return response.status();
      last = Status::NetworkError("S3 " + call.what + " " + call.Url() + endpoint + ": " +
                                  response.status().message() + tries);
      continue;  // connection refused/reset, timeout, body cut short: retry
    }
    if (response->status >= 200 && response->status < 300) return response;
    auto [code, message] = ParseError(response->body);
    if (code.empty() && response->status == 403) code = "Forbidden";
    std::string text = "S3 " + call.what + " " + call.Url() + endpoint + ": HTTP " +
                       std::to_string(response->status) + (code.empty() ? "" : " " + code) +
                       (message.empty() ? "" : ": " + message);
    if (response->status == 403 || response->status == 400 || response->status == 401) {
      text += credentials_.empty() ? " (no credentials: " + credentials_search_ + ")"
                                   : " (credentials: " + credentials_.Describe() + ")";
    }
    text += tries;
    if (RetryableStatus(response->status, code)) {
      last = Status::IOError(text);
      continue;
    }
    // A missing bucket is a mistake to show, not an absent file to skip (FileExists).
    if (response->status == 404 && code != "NoSuchBucket") {
      if (code.empty()) text += call.method == "HEAD" ? " (no such object)" : "";
      return Status::NotFound(text);
    }
    return Status::IOError(text);
  }
  return last;
}

Result<std::vector<ObjectInfo>> S3Client::List(const std::string& bucket, const std::string& prefix,
                                               int page_size) const {
  std::vector<ObjectInfo> objects;
  std::string token;
  while (true) {
    Call call;
    call.what = "list";
    call.bucket = bucket;
    call.shown_key = prefix;
    call.query = {{"list-type", "2"}, {"prefix", prefix}, {"max-keys", std::to_string(page_size)}};
    if (!token.empty()) call.query.emplace_back("continuation-token", token);
    QK_ASSIGN_OR_RAISE(aws::HttpResponse response, Send(call));
    Result<ListPage> page = ParseListPage(response.body);
    if (!page.ok()) return page.status().WithContext("S3 list s3://" + bucket + "/" + prefix);
    for (ObjectInfo& object : page->objects) objects.push_back(std::move(object));
    if (!page->truncated) break;
    if (page->next_token == token) {
      return Status::IOError("S3 list s3://" + bucket + "/" + prefix +
                             ": the server repeats its continuation token");
    }
    token = std::move(page->next_token);
  }
  std::sort(objects.begin(), objects.end(),
            [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return objects;
}

Result<ObjectInfo> S3Client::Head(const std::string& bucket, const std::string& key) const {
  Call call;
  call.what = "HEAD";
  call.method = "HEAD";
  call.bucket = bucket;
  call.key = key;
  QK_ASSIGN_OR_RAISE(aws::HttpResponse response, Send(call));
  ObjectInfo info;
  info.key = key;
  std::string length = response.Header("content-length");
  try {
    info.size = std::stoll(length);
  } catch (...) {
    return Status::IOError("S3 HEAD " + call.Url() + ": no Content-Length in the answer");
  }
  info.etag = response.Header("etag");
  return info;
}

Status S3Client::GetRange(const std::string& bucket, const std::string& key, int64_t offset,
                          int64_t size, char* dest) const {
  if (size == 0) return Status::OK();
  Call call;
  call.what = "GET";
  call.bucket = bucket;
  call.key = key;
  call.headers.emplace_back(
      "range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + size - 1));
  int64_t received = 0;
  call.on_body = [&](const char* data, size_t n) {
    if (received + static_cast<int64_t>(n) > size) return false;  // more than asked: refuse
    std::copy_n(data, n, dest + received);
    received += static_cast<int64_t>(n);
    return true;
  };
  call.on_retry = [&] { received = 0; };
  // A short answer (a truncated object, or a range past the end) is retried once more by the
  // loop only when the transfer itself failed; a complete but short answer is an error.
  for (int attempt = 0; attempt < 2; ++attempt) {
    received = 0;
    Result<aws::HttpResponse> response = Send(call);
    if (!response.ok()) {
      if (response.status().code() == StatusCode::kCancelled) {
        return Status::IOError("S3 GET " + call.Url() + ": the server sent more than the " +
                               std::to_string(size) + " bytes asked for at offset " +
                               std::to_string(offset));
      }
      return response.status();
    }
    if (response->status != 206 && !(response->status == 200 && offset == 0)) {
      return Status::IOError("S3 GET " + call.Url() + ": expected a partial answer (206), got " +
                             std::to_string(response->status));
    }
    if (received == size) return Status::OK();
  }
  return Status::IOError("S3 GET " + call.Url() + ": got " + std::to_string(received) + " of the " +
                         std::to_string(size) + " bytes at offset " + std::to_string(offset) +
                         " (object truncated, or changed while being read)");
}

Result<std::string> S3Client::Get(const std::string& bucket, const std::string& key) const {
  Call call;
  call.what = "GET";
  call.bucket = bucket;
  call.key = key;
  QK_ASSIGN_OR_RAISE(aws::HttpResponse response, Send(call));
  return std::move(response.body);
}

Status S3Client::Put(const std::string& bucket, const std::string& key,
                     std::string_view body) const {
  Call call;
  call.what = "PUT";
  call.method = "PUT";
  call.bucket = bucket;
  call.key = key;
  call.body = body;
  return Send(call).status();
}

Status S3Client::Delete(const std::string& bucket, const std::string& key) const {
  Call call;
  call.what = "DELETE";
  call.method = "DELETE";
  call.bucket = bucket;
  call.key = key;
  return Send(call).status();
}

Status S3Client::CreateBucket(const std::string& bucket) const {
  Call call;
  call.what = "create bucket";
  call.method = "PUT";
  call.bucket = bucket;
  return Send(call).status();
}

Result<std::string> S3Client::CreateMultipartUpload(const std::string& bucket,
                                                    const std::string& key) const {
  Call call;
  call.what = "create multipart upload";
  call.method = "POST";
  call.bucket = bucket;
  call.key = key;
  call.query = {{"uploads", ""}};
  QK_ASSIGN_OR_RAISE(aws::HttpResponse response, Send(call));
  Result<std::string> id = ParseUploadId(response.body);
  if (!id.ok()) return id.status().WithContext("S3 create multipart upload " + call.Url());
  return id;
}

Result<std::string> S3Client::UploadPart(const std::string& bucket, const std::string& key,
                                         const std::string& upload_id, int part_number,
                                         std::string_view body) const {
  Call call;
  call.what = "upload part " + std::to_string(part_number);
  call.method = "PUT";
  call.bucket = bucket;
  call.key = key;
  call.query = {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}};
  call.body = body;
  QK_ASSIGN_OR_RAISE(aws::HttpResponse response, Send(call));
  std::string etag = response.Header("etag");
  if (etag.empty()) return Status::IOError("S3 " + call.what + " " + call.Url() + ": no ETag");
  return etag;
}

Status S3Client::CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                         const std::string& upload_id,
                                         const std::vector<std::string>& etags) const {
  std::string body = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags.size(); ++i) {
    body += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + etags[i] +
            "</ETag></Part>";
  }
  body += "</CompleteMultipartUpload>";
  Call call;
  call.what = "complete multipart upload";
  call.method = "POST";
  call.bucket = bucket;
  call.key = key;
  call.query = {{"uploadId", upload_id}};
  call.body = body;
  QK_ASSIGN_OR_RAISE(aws::HttpResponse response, Send(call));
  // S3 may answer 200 with an <Error> body when the completion fails late.
  auto [code, message] = ParseError(response.body);
  if (!code.empty()) {
    return Status::IOError("S3 complete multipart upload " + call.Url() + ": " + code + ": " +
                           message);
  }
  return Status::OK();
}

Status S3Client::AbortMultipartUpload(const std::string& bucket, const std::string& key,
                                      const std::string& upload_id) const {
  Call call;
  call.what = "abort multipart upload";
  call.method = "DELETE";
  call.bucket = bucket;
  call.key = key;
  call.query = {{"uploadId", upload_id}};
  return Send(call).status();
}

}  // namespace quokka::s3
