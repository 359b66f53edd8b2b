#include "ec2_client.h"

#include <openssl/evp.h>
#include <tinyxml2.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <random>
#include <thread>

#include "aws/http.h"
#include "aws/sigv4.h"

namespace quokka::dist {

// =============================================================================================
// Building requests
// =============================================================================================

std::string FormBody(const Ec2Request& request) {
  std::string body =
      "Action=" + aws::UriEncode(request.action, false) + "&Version=" + kEc2ApiVersion;
  for (const auto& [name, value] : request.params) {
    body += "&" + aws::UriEncode(name, false) + "=" + aws::UriEncode(value, false);
  }
  return body;
}

namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

void AddList(Params& params, const std::string& prefix, const std::vector<std::string>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    params.emplace_back(prefix + "." + std::to_string(i + 1), values[i]);
  }
}

void AddFilters(Params& params, const std::vector<Ec2Filter>& filters) {
  for (size_t f = 0; f < filters.size(); ++f) {
    const std::string prefix = "Filter." + std::to_string(f + 1);
    params.emplace_back(prefix + ".Name", filters[f].name);
    AddList(params, prefix + ".Value", filters[f].values);
  }
}

bool IsGroupId(const std::string& group) { return group.rfind("sg-", 0) == 0; }

}  // namespace

Ec2Request RunInstancesRequest(const RunInstancesSpec& spec) {
  Ec2Request request{"RunInstances", {}};
  Params& params = request.params;
  params.emplace_back("ImageId", spec.image_id);
  params.emplace_back("InstanceType", spec.instance_type);
  params.emplace_back("MinCount", std::to_string(spec.count));
  params.emplace_back("MaxCount", std::to_string(spec.count));
  if (!spec.key_name.empty()) params.emplace_back("KeyName", spec.key_name);
  int ids = 0, names = 0;
  for (const std::string& group : spec.security_groups) {
    if (IsGroupId(group)) {
      params.emplace_back("SecurityGroupId." + std::to_string(++ids), group);
    } else {
      params.emplace_back("SecurityGroup." + std::to_string(++names), group);
    }
  }
  if (!spec.subnet_id.empty()) params.emplace_back("SubnetId", spec.subnet_id);
  if (!spec.availability_zone.empty()) {
    params.emplace_back("Placement.AvailabilityZone", spec.availability_zone);
  }
  if (!spec.user_data.empty()) params.emplace_back("UserData", Base64Encode(spec.user_data));
  if (!spec.client_token.empty()) params.emplace_back("ClientToken", spec.client_token);
  if (spec.root_volume_gb > 0 && !spec.root_device_name.empty()) {
    params.emplace_back("BlockDeviceMapping.1.DeviceName", spec.root_device_name);
    params.emplace_back("BlockDeviceMapping.1.Ebs.VolumeSize", std::to_string(spec.root_volume_gb));
    params.emplace_back("BlockDeviceMapping.1.Ebs.VolumeType", "gp3");
    params.emplace_back("BlockDeviceMapping.1.Ebs.DeleteOnTermination", "true");
  }
  if (spec.terminate_on_shutdown) {
    params.emplace_back("InstanceInitiatedShutdownBehavior", "terminate");
  }
  if (spec.imdsv2_only) {
    params.emplace_back("MetadataOptions.HttpEndpoint", "enabled");
    params.emplace_back("MetadataOptions.HttpTokens", "required");
  }
  if (!spec.tags.empty()) {
    int spec_index = 0;
    for (const char* resource : {"instance", "volume"}) {
      const std::string prefix = "TagSpecification." + std::to_string(++spec_index);
      params.emplace_back(prefix + ".ResourceType", resource);
      for (size_t t = 0; t < spec.tags.size(); ++t) {
        const std::string tag = prefix + ".Tag." + std::to_string(t + 1);
        params.emplace_back(tag + ".Key", spec.tags[t].key);
        params.emplace_back(tag + ".Value", spec.tags[t].value);
      }
    }
  }
  return request;
}

Ec2Request DescribeInstancesRequest(const std::vector<std::string>& instance_ids,
                                    const std::vector<Ec2Filter>& filters,
                                    const std::string& next_token) {
  Ec2Request request{"DescribeInstances", {}};
  AddList(request.params, "InstanceId", instance_ids);
  AddFilters(request.params, filters);
  if (!next_token.empty()) request.params.emplace_back("NextToken", next_token);
  return request;
}

Ec2Request TerminateInstancesRequest(const std::vector<std::string>& instance_ids) {
  Ec2Request request{"TerminateInstances", {}};
  AddList(request.params, "InstanceId", instance_ids);
  return request;
}

Ec2Request DescribeImagesRequest(const std::vector<std::string>& owners,
                                 const std::vector<std::string>& image_ids,
                                 const std::vector<Ec2Filter>& filters) {
  Ec2Request request{"DescribeImages", {}};
  AddList(request.params, "Owner", owners);
  AddList(request.params, "ImageId", image_ids);
  AddFilters(request.params, filters);
  return request;
}

// =============================================================================================
// Endpoint and signing
// =============================================================================================

std::string DefaultEc2Endpoint(const std::string& region) {
  const bool china = region.rfind("cn-", 0) == 0;
  return "https://ec2." + region + (china ? ".amazonaws.com.cn" : ".amazonaws.com");
}

Result<Ec2Endpoint> ParseEc2Endpoint(const std::string& url, const std::string& what) {
  std::string scheme;
  if (url.rfind("https://", 0) == 0) {
    scheme = "https";
  } else if (url.rfind("http://", 0) == 0) {
    scheme = "http";
  } else {
    return Status::Invalid(what + " '" + url + "' must start with https:// or http://");
  }
  std::string rest = url.substr(scheme.size() + 3);
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "/" : rest.substr(slash);
  if (authority.empty() || authority.find_first_of("@?# ") != std::string::npos ||
      path.find_first_of("?# ") != std::string::npos) {
    return Status::Invalid(what + " '" + url +
                           "' must be scheme://host[:port][/path] (no user, query or fragment)");
  }
  std::string host = authority;
  size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    std::string port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoi(port) < 1 || std::stoi(port) > 65535) {
      return Status::Invalid(what + " '" + url + "': bad port '" + port + "'");
    }
    if ((scheme == "https" && port == "443") || (scheme == "http" && port == "80")) {
      host = authority.substr(0, colon);
    }
  }
  Ec2Endpoint endpoint;
  endpoint.host = host;
  endpoint.path = path;
  endpoint.url = scheme + "://" + host + path;
  return endpoint;
}

PreparedRequest PrepareEc2Request(const Ec2Endpoint& endpoint, const std::string& region,
                                  const aws::Credentials& credentials, const Ec2Request& request,
                                  int64_t unix_seconds) {
  PreparedRequest prepared;
  prepared.url = endpoint.url;
  prepared.body = FormBody(request);
  aws::SignableRequest signable;
  signable.method = "POST";
  signable.path = endpoint.path;
  signable.headers = {{"host", endpoint.host},
                      {"content-type", "application/x-www-form-urlencoded; charset=utf-8"}};
  signable.payload_hash = aws::Sha256Hex(prepared.body);
  aws::SigningScope scope{region, "ec2", aws::AmzDate(unix_seconds)};
  aws::Sign(credentials, scope, signable, /*add_content_sha256=*/false,
            /*double_encode_path=*/true);
  prepared.headers = std::move(signable.headers);
  return prepared;
}

// =============================================================================================
// Parsing responses
// =============================================================================================

namespace {

using tinyxml2::XMLDocument;
using tinyxml2::XMLElement;

std::string ChildText(const XMLElement* parent, const char* name) {
  if (parent == nullptr) return "";
  const XMLElement* child = parent->FirstChildElement(name);
  if (child == nullptr || child->GetText() == nullptr) return "";
  return child->GetText();
}

const XMLElement* Child(const XMLElement* parent, const char* name) {
  return parent == nullptr ? nullptr : parent->FirstChildElement(name);
}

// One line, whitespace runs collapsed, at most 200 characters: for quoting an unexpected body
// in an error.
std::string Excerpt(std::string_view body) {
  std::string text;
  for (char c : body) {
    const bool space = c == ' ' || c == '\n' || c == '\r' || c == '\t';
    if (space && (text.empty() || text.back() == ' ')) continue;
    if (text.size() == 200) return text + "...";
    text += space ? ' ' : c;
  }
  return text;
}

// Parses `xml` and checks that its root is `root_name`; an EC2 error document gives its
// code and message.
Result<const XMLElement*> OpenDocument(XMLDocument& doc, std::string_view xml,
                                       const char* root_name) {
  const std::string what = std::string("EC2 answer (expected <") + root_name + ">)";
  if (doc.Parse(xml.data(), xml.size()) != tinyxml2::XML_SUCCESS) {
    return Status::IOError(what + " is not valid XML: " + doc.ErrorStr() + "; body: '" +
                           Excerpt(xml) + "'");
  }
  const XMLElement* root = doc.RootElement();
  if (root == nullptr) return Status::IOError(what + " is empty");
  if (std::string_view(root->Name()) != root_name) {
    Ec2Error error = ParseEc2Error(200, xml);
    if (!error.code.empty()) {
      return Status::IOError(what + " is an error: " + error.code + ": " + error.message);
    }
    return Status::IOError(what + " has root element <" + root->Name() + ">");
  }
  return root;
}

std::vector<Ec2Tag> ParseTags(const XMLElement* tag_set) {
  std::vector<Ec2Tag> tags;
  for (const XMLElement* item = Child(tag_set, "item"); item != nullptr;
       item = item->NextSiblingElement("item")) {
    tags.push_back({ChildText(item, "key"), ChildText(item, "value")});
  }
  return tags;
}

// Only direct children: an instance item also holds nested items (network interfaces,
// groups, tags) with fields of the same names.
Ec2Instance ParseInstance(const XMLElement* item) {
  Ec2Instance instance;
  instance.id = ChildText(item, "instanceId");
  instance.state = ChildText(Child(item, "instanceState"), "name");
  instance.state_reason = ChildText(Child(item, "stateReason"), "message");
  instance.instance_type = ChildText(item, "instanceType");
  instance.image_id = ChildText(item, "imageId");
  instance.private_ip = ChildText(item, "privateIpAddress");
  instance.public_ip = ChildText(item, "ipAddress");
  instance.private_dns = ChildText(item, "privateDnsName");
  instance.public_dns = ChildText(item, "dnsName");
  instance.subnet_id = ChildText(item, "subnetId");
  instance.vpc_id = ChildText(item, "vpcId");
  instance.availability_zone = ChildText(Child(item, "placement"), "availabilityZone");
  instance.launch_time = ChildText(item, "launchTime");
  instance.launch_index = std::atoi(ChildText(item, "amiLaunchIndex").c_str());
  instance.tags = ParseTags(Child(item, "tagSet"));
  return instance;
}

Result<std::vector<Ec2Instance>> ParseInstanceSet(const XMLElement* instances_set,
                                                  const char* where) {
  std::vector<Ec2Instance> instances;
  for (const XMLElement* item = Child(instances_set, "item"); item != nullptr;
       item = item->NextSiblingElement("item")) {
    instances.push_back(ParseInstance(item));
    if (instances.back().id.empty()) {
      return Status::IOError(std::string("EC2 answer <") + where +
                             ">: an instance item without <instanceId>");
    }
  }
  return instances;
}

}  // namespace

std::string Ec2Instance::Tag(const std::string& key) const {
  for (const Ec2Tag& tag : tags) {
    if (tag.key == key) return tag.value;
  }
  return "";
}

Result<std::vector<Ec2Instance>> ParseRunInstancesResponse(std::string_view xml) {
  XMLDocument doc;
  QK_ASSIGN_OR_RAISE(const XMLElement* root, OpenDocument(doc, xml, "RunInstancesResponse"));
  const XMLElement* set = Child(root, "instancesSet");
  if (set == nullptr) {
    return Status::IOError("EC2 answer <RunInstancesResponse> has no <instancesSet>");
  }
  return ParseInstanceSet(set, "RunInstancesResponse");
}

Result<DescribeInstancesPage> ParseDescribeInstancesResponse(std::string_view xml) {
  XMLDocument doc;
  QK_ASSIGN_OR_RAISE(const XMLElement* root, OpenDocument(doc, xml, "DescribeInstancesResponse"));
  const XMLElement* reservations = Child(root, "reservationSet");
  if (reservations == nullptr) {
    return Status::IOError("EC2 answer <DescribeInstancesResponse> has no <reservationSet>");
  }
  DescribeInstancesPage page;
  for (const XMLElement* reservation = Child(reservations, "item"); reservation != nullptr;
       reservation = reservation->NextSiblingElement("item")) {
    QK_ASSIGN_OR_RAISE(
        std::vector<Ec2Instance> instances,
        ParseInstanceSet(Child(reservation, "instancesSet"), "DescribeInstancesResponse"));
    for (Ec2Instance& instance : instances) page.instances.push_back(std::move(instance));
  }
  page.next_token = ChildText(root, "nextToken");
  return page;
}

Result<std::vector<Ec2StateChange>> ParseTerminateInstancesResponse(std::string_view xml) {
  XMLDocument doc;
  QK_ASSIGN_OR_RAISE(const XMLElement* root, OpenDocument(doc, xml, "TerminateInstancesResponse"));
  const XMLElement* set = Child(root, "instancesSet");
  if (set == nullptr) {
    return Status::IOError("EC2 answer <TerminateInstancesResponse> has no <instancesSet>");
  }
  std::vector<Ec2StateChange> changes;
  for (const XMLElement* item = Child(set, "item"); item != nullptr;
       item = item->NextSiblingElement("item")) {
    changes.push_back({ChildText(item, "instanceId"),
                       ChildText(Child(item, "previousState"), "name"),
                       ChildText(Child(item, "currentState"), "name")});
  }
  return changes;
}

Result<std::vector<Ec2Image>> ParseDescribeImagesResponse(std::string_view xml) {
  XMLDocument doc;
  QK_ASSIGN_OR_RAISE(const XMLElement* root, OpenDocument(doc, xml, "DescribeImagesResponse"));
  const XMLElement* set = Child(root, "imagesSet");
  if (set == nullptr) {
    return Status::IOError("EC2 answer <DescribeImagesResponse> has no <imagesSet>");
  }
  std::vector<Ec2Image> images;
  for (const XMLElement* item = Child(set, "item"); item != nullptr;
       item = item->NextSiblingElement("item")) {
    images.push_back({ChildText(item, "imageId"), ChildText(item, "name"),
                      ChildText(item, "creationDate"), ChildText(item, "architecture"),
                      ChildText(item, "imageState"), ChildText(item, "rootDeviceName")});
  }
  return images;
}

Ec2Error ParseEc2Error(int http_status, std::string_view body) {
  Ec2Error error;
  error.http_status = http_status;
  XMLDocument doc;
  const XMLElement* root = nullptr;
  if (doc.Parse(body.data(), body.size()) == tinyxml2::XML_SUCCESS) root = doc.RootElement();
  const XMLElement* first = nullptr;
  if (root != nullptr && std::string_view(root->Name()) == "Response") {
    first = Child(Child(root, "Errors"), "Error");
    error.request_id = ChildText(root, "RequestID");
  } else if (root != nullptr && std::string_view(root->Name()) == "ErrorResponse") {
    first = Child(root, "Error");
    error.request_id = ChildText(root, "RequestId");
  }
  if (first != nullptr) error.code = ChildText(first, "Code");
  if (error.code.empty()) {
    error.message = body.empty() ? "(empty body)" : "body: '" + Excerpt(body) + "'";
  } else {
    error.message = ChildText(first, "Message");
  }
  return error;
}

// =============================================================================================
// Retries
// =============================================================================================

bool IsRetryableEc2Error(int http_status, const std::string& code) {
  static const char* const kTransient[] = {
      "RequestLimitExceeded",    "Throttling",           "ThrottlingException",
      "RequestThrottled",        "InternalError",        "InternalFailure",
      "ServiceUnavailable",      "Unavailable",          "RequestTimeout",
      "RequestTimeoutException", "EC2ThrottledException"};
  for (const char* transient : kTransient) {
    if (code == transient) return true;
  }
  return http_status >= 500 || http_status == 429;
}

int64_t Ec2RetryDelayMs(const Ec2RetryPolicy& policy, int retry, double jitter) {
  int64_t delay = policy.initial_backoff_ms;
  for (int i = 1; i < retry && delay < policy.max_backoff_ms; ++i) delay *= 2;
  delay = std::min(delay, policy.max_backoff_ms);
  jitter = std::clamp(jitter, 0.0, 1.0);
  return delay / 2 + static_cast<int64_t>(static_cast<double>(delay - delay / 2) * jitter);
}

// =============================================================================================
// Base64
// =============================================================================================

std::string Base64Encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()),
                                static_cast<int>(data.size()));
  out.resize(written);
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return Status::Invalid("base64 text length is not a multiple of 4");
  std::string out(text.size() / 4 * 3 + 1, '\0');
  int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (written < 0) return Status::Invalid("not base64");
  // EVP_DecodeBlock counts the padding as zero bytes.
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++padding;
  out.resize(static_cast<size_t>(written) - padding);
  return out;
}

// =============================================================================================
// The client
// =============================================================================================

Result<Ec2Client> Ec2Client::Make(Ec2ClientOptions options) {
  if (options.region.empty()) return Status::Invalid("EC2 client: no region");
  if (options.credentials.empty()) {
    return Status::Invalid(
        "EC2 client: no AWS credentials (set AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY, or use a profile of ~/.aws/credentials)");
  }
  if (options.retry.max_attempts < 1) options.retry.max_attempts = 1;
  if (options.endpoint_url.empty()) options.endpoint_url = DefaultEc2Endpoint(options.region);
  QK_ASSIGN_OR_RAISE(Ec2Endpoint endpoint, ParseEc2Endpoint(options.endpoint_url, "EC2 endpoint"));
  return Ec2Client(std::move(options), std::move(endpoint));
}

namespace {

// "HTTP 403, AuthFailure: ... (request id ...)", with a hint for credential errors.
std::string ErrorDetail(const Ec2Error& error, const aws::Credentials& credentials) {
  std::string text = "HTTP " + std::to_string(error.http_status);
  if (!error.code.empty()) text += ", " + error.code;
  if (!error.message.empty()) text += ": " + error.message;
  if (!error.request_id.empty()) text += " (request id " + error.request_id + ")";
  static const char* const kCredentialErrors[] = {"AuthFailure",
                                                  "UnauthorizedOperation",
                                                  "SignatureDoesNotMatch",
                                                  "InvalidClientTokenId",
                                                  "RequestExpired",
                                                  "OptInRequired",
                                                  "Blocked",
                                                  "MissingAuthenticationToken"};
  for (const char* code : kCredentialErrors) {
    if (error.code == code) {
      text += "; the request was signed with " + credentials.Describe() +
              " (check the credentials, their IAM permissions (docs/aws.md) and this "
              "machine's clock)";
      break;
    }
  }
  return text;
}

Status ErrorStatus(const std::string& prefix, const Ec2Error& error,
                   const aws::Credentials& credentials) {
  const std::string text = prefix + ": " + ErrorDetail(error, credentials);
  const std::string& code = error.code;
  if (code.size() >= 8 && code.compare(code.size() - 8, 8, "NotFound") == 0) {
    return Status::NotFound(text);
  }
  if (code.rfind("Invalid", 0) == 0 || code.rfind("Missing", 0) == 0) {
    return Status::Invalid(text);
  }
  return Status::IOError(text);
}

}  // namespace

Result<std::string> Ec2Client::Call(const Ec2Request& request) const {
  const std::string prefix = "EC2 " + request.action + " at " + endpoint_.url;
  std::mt19937_64 random(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  std::string last_failure;
  for (int attempt = 1; attempt <= options_.retry.max_attempts; ++attempt) {
    if (attempt > 1) {
      std::this_thread::sleep_for(
          std::chrono::milliseconds(Ec2RetryDelayMs(options_.retry, attempt - 1, jitter(random))));
    }
    PreparedRequest prepared = PrepareEc2Request(endpoint_, options_.region, options_.credentials,
                                                 request, std::time(nullptr));
    aws::HttpRequest http;
    http.method = "POST";
    http.url = prepared.url;
    http.headers = prepared.headers;
    http.body = prepared.body;
    http.timeout_ms = options_.timeout_ms;
    http.connect_timeout_ms = options_.connect_timeout_ms;
    Result<aws::HttpResponse> response = aws::Perform(http);
    if (!response.ok()) {
      last_failure = "no answer: " + response.status().message();
      continue;
    }
    if (response->status >= 200 && response->status < 300) return std::move(response->body);
    Ec2Error error = ParseEc2Error(response->status, response->body);
    if (!IsRetryableEc2Error(error.http_status, error.code)) {
      return ErrorStatus(prefix, error, options_.credentials);
    }
    last_failure = ErrorDetail(error, options_.credentials);
  }
  return Status::NetworkError(prefix + ": failed after " +
                              std::to_string(options_.retry.max_attempts) +
                              " attempts; the last: " + last_failure);
}

namespace {

Status Annotate(const Status& status, const std::string& action, const std::string& endpoint) {
  // Parse errors do not know the call they belong to.
  if (status.ok() || status.message().rfind("EC2 " + action, 0) == 0) return status;
  return Status(status.code(), "EC2 " + action + " at " + endpoint + ": " + status.message());
}

}  // namespace

Result<std::vector<Ec2Instance>> Ec2Client::RunInstances(const RunInstancesSpec& spec) const {
  QK_ASSIGN_OR_RAISE(std::string body, Call(RunInstancesRequest(spec)));
  Result<std::vector<Ec2Instance>> instances = ParseRunInstancesResponse(body);
  if (!instances.ok()) return Annotate(instances.status(), "RunInstances", endpoint_.url);
  return instances;
}

Result<std::vector<Ec2Instance>> Ec2Client::DescribeInstances(
    const std::vector<std::string>& instance_ids, const std::vector<Ec2Filter>& filters) const {
  std::vector<Ec2Instance> all;
  std::string next_token;
  // A bound on pages: a server that keeps answering with a token must not loop forever.
  for (int page_number = 0; page_number < 1000; ++page_number) {
    QK_ASSIGN_OR_RAISE(std::string body,
                       Call(DescribeInstancesRequest(instance_ids, filters, next_token)));
    Result<DescribeInstancesPage> page = ParseDescribeInstancesResponse(body);
    if (!page.ok()) return Annotate(page.status(), "DescribeInstances", endpoint_.url);
    for (Ec2Instance& instance : page->instances) all.push_back(std::move(instance));
    if (page->next_token.empty()) return all;
    next_token = page->next_token;
  }
  return Status::IOError("EC2 DescribeInstances at " + endpoint_.url +
                         ": more than 1000 pages of answers");
}

Result<std::vector<Ec2StateChange>> Ec2Client::TerminateInstances(
    const std::vector<std::string>& instance_ids) const {
  QK_ASSIGN_OR_RAISE(std::string body, Call(TerminateInstancesRequest(instance_ids)));
  Result<std::vector<Ec2StateChange>> changes = ParseTerminateInstancesResponse(body);
  if (!changes.ok()) return Annotate(changes.status(), "TerminateInstances", endpoint_.url);
  return changes;
}

Result<std::vector<Ec2Image>> Ec2Client::DescribeImages(
    const std::vector<std::string>& owners, const std::vector<std::string>& image_ids,
    const std::vector<Ec2Filter>& filters) const {
  QK_ASSIGN_OR_RAISE(std::string body, Call(DescribeImagesRequest(owners, image_ids, filters)));
  Result<std::vector<Ec2Image>> images = ParseDescribeImagesResponse(body);
  if (!images.ok()) return Annotate(images.status(), "DescribeImages", endpoint_.url);
  return images;
}

}  // namespace quokka::dist
