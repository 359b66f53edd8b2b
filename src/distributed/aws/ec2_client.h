#pragma once
// EC2 through its Query API (version 2016-11-15): building requests, signing them (SigV4,
// service "ec2"), sending them with bounded retries, and parsing the XML answers.
//
// Building (RunInstancesRequest, ...), preparing a signed HTTP request (PrepareEc2Request) and
// parsing (ParseRunInstancesResponse, ...) are pure functions; only Ec2Client::Call talks to the
// network. So the tests cover everything but the wire without a network or an AWS account
// (tests/unit/distributed/aws_ec2_test.cc).
//
// Errors name the action, the endpoint and AWS's error code and message; never credentials
// (at most Credentials::Describe(): the first characters of the access key id and its source).
//
// Thread safety: an Ec2Client is immutable after Make(); its methods may run on several threads.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/credentials.h"
#include "quokka/status.h"

namespace quokka::dist {

/// \brief The EC2 Query API version every request names.
inline constexpr const char* kEc2ApiVersion = "2016-11-15";

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/// \brief One Query API call: the action and its parameters, in order, without Action and
///        Version (FormBody adds those).
struct Ec2Request {
  std::string action;
  std::vector<std::pair<std::string, std::string>> params;
};

/// \brief Return the form-encoded POST body "Action=A&Version=2016-11-15&NAME=VALUE&...", names
///        and values percent-encoded as RFC 3986 (unreserved characters kept, the rest %XX).
std::string FormBody(const Ec2Request& request);

struct Ec2Tag {
  std::string key;
  std::string value;
};

/// \brief A name filter of DescribeInstances / DescribeImages ("tag:quokka-cluster", ...).
struct Ec2Filter {
  std::string name;
  std::vector<std::string> values;
};

/// \brief What RunInstances launches (on-demand instances).
struct RunInstancesSpec {
  std::string image_id;       ///< required
  std::string instance_type;  ///< required
  int count = 1;              ///< MinCount = MaxCount = count
  std::string key_name;       ///< EC2 key pair for SSH; empty = none
  /// Security groups: ids ("sg-...") go to SecurityGroupId.N, other entries are group names
  /// (SecurityGroup.N, default VPC only).
  std::vector<std::string> security_groups;
  std::string subnet_id;          ///< empty = the default subnet of the zone
  std::string availability_zone;  ///< Placement.AvailabilityZone; empty = EC2 chooses
  std::string user_data;          ///< the raw script; base64-encoded into the request
  std::vector<Ec2Tag> tags;       ///< on the instances and their volumes
  /// Idempotency token (at most 64 ASCII characters): a retried call with the same token
  /// does not launch twice.
  std::string client_token;
  std::string root_device_name;       ///< with root_volume_gb: the AMI's root device ("/dev/xvda")
  int root_volume_gb = 0;             ///< 0 = the AMI's default size
  bool terminate_on_shutdown = true;  ///< InstanceInitiatedShutdownBehavior=terminate
  bool imdsv2_only = true;            ///< MetadataOptions.HttpTokens=required
};

/// \brief Build a RunInstances request.
Ec2Request RunInstancesRequest(const RunInstancesSpec& spec);
/// \brief Build a DescribeInstances request (InstanceId.N, Filter.N.Name / Filter.N.Value.M,
///        NextToken when not empty).
Ec2Request DescribeInstancesRequest(const std::vector<std::string>& instance_ids,
                                    const std::vector<Ec2Filter>& filters,
                                    const std::string& next_token = "");
/// \brief Build a TerminateInstances request (InstanceId.N).
Ec2Request TerminateInstancesRequest(const std::vector<std::string>& instance_ids);
/// \brief Build a DescribeImages request (Owner.N, ImageId.N, Filter.N...).
Ec2Request DescribeImagesRequest(const std::vector<std::string>& owners,
                                 const std::vector<std::string>& image_ids,
                                 const std::vector<Ec2Filter>& filters);

// ---------------------------------------------------------------------------------------------
// Endpoint and signing
// ---------------------------------------------------------------------------------------------

/// \brief Return "https://ec2.REGION.amazonaws.com" (".amazonaws.com.cn" for cn-* regions).
std::string DefaultEc2Endpoint(const std::string& region);

/// \brief An endpoint URL taken apart: what the request line and the signature need.
struct Ec2Endpoint {
  std::string url;   ///< scheme://host[:port]path, as requests are sent to it
  std::string host;  ///< host[:port] (the Host header; a default port is left out)
  std::string path;  ///< "/" unless the URL has a path
};

/// \brief Parse "http(s)://host[:port][/path]". Invalid names `what` (e.g. "--endpoint-url").
Result<Ec2Endpoint> ParseEc2Endpoint(const std::string& url, const std::string& what);

/// \brief A request ready for the HTTP client: URL, signed headers and body.
struct PreparedRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

/// \brief Sign `request` for `endpoint` in `region` at `unix_seconds` (SigV4, service "ec2";
///        headers host, content-type, x-amz-date, x-amz-security-token if a session token,
///        authorization). Pure: the same inputs give the same bytes.
PreparedRequest PrepareEc2Request(const Ec2Endpoint& endpoint, const std::string& region,
                                  const aws::Credentials& credentials, const Ec2Request& request,
                                  int64_t unix_seconds);

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

/// \brief An instance as RunInstances and DescribeInstances describe it (fields EC2 leaves out
///        are empty).
struct Ec2Instance {
  std::string id;
  std::string state;         ///< pending, running, shutting-down, terminated, stopping, stopped
  std::string state_reason;  ///< stateReason/message, e.g. why it was terminated
  std::string instance_type;
  std::string image_id;
  std::string private_ip;
  std::string public_ip;
  std::string private_dns;
  std::string public_dns;
  std::string subnet_id;
  std::string vpc_id;
  std::string availability_zone;
  std::string launch_time;
  int launch_index = 0;
  std::vector<Ec2Tag> tags;

  /// \brief The value of tag `key`, or "".
  std::string Tag(const std::string& key) const;
};

struct Ec2Image {
  std::string id;
  std::string name;
  std::string creation_date;  ///< ISO 8601, sorts as text
  std::string architecture;   ///< x86_64, arm64
  std::string state;          ///< available, pending, ...
  std::string root_device_name;
};

struct Ec2StateChange {
  std::string id;
  std::string previous_state;
  std::string current_state;
};

struct DescribeInstancesPage {
  std::vector<Ec2Instance> instances;
  std::string next_token;  ///< empty on the last page
};

/// \brief Parse a RunInstancesResponse (instancesSet/item).
Result<std::vector<Ec2Instance>> ParseRunInstancesResponse(std::string_view xml);
/// \brief Parse a DescribeInstancesResponse (reservationSet/item/instancesSet/item, nextToken).
Result<DescribeInstancesPage> ParseDescribeInstancesResponse(std::string_view xml);
/// \brief Parse a TerminateInstancesResponse (instancesSet/item, previousState, currentState).
Result<std::vector<Ec2StateChange>> ParseTerminateInstancesResponse(std::string_view xml);
/// \brief Parse a DescribeImagesResponse (imagesSet/item).
Result<std::vector<Ec2Image>> ParseDescribeImagesResponse(std::string_view xml);

/// \brief An error answer: <Response><Errors><Error><Code/><Message/></Error></Errors>
///        <RequestID/></Response> (or <ErrorResponse><Error>...). `code` is empty when the
///        body is not such a document (then `message` holds the start of the body).
struct Ec2Error {
  int http_status = 0;
  std::string code;
  std::string message;
  std::string request_id;
};
Ec2Error ParseEc2Error(int http_status, std::string_view body);

// ---------------------------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------------------------

/// \brief Bounded exponential backoff: attempt k (1-based retry) waits about
///        min(max_backoff_ms, initial_backoff_ms * 2^(k-1)), half of it jittered.
struct Ec2RetryPolicy {
  int max_attempts = 5;  ///< all tries, the first included
  int64_t initial_backoff_ms = 200;
  int64_t max_backoff_ms = 5000;
};

/// \brief Is an answer worth another try: HTTP 5xx, or a throttling / transient error code
///        (RequestLimitExceeded, Throttling, InternalError, Unavailable, ...).
bool IsRetryableEc2Error(int http_status, const std::string& code);

/// \brief The wait before retry `retry` (1 = the first retry); `jitter` in [0, 1).
int64_t Ec2RetryDelayMs(const Ec2RetryPolicy& policy, int retry, double jitter);

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// \brief Standard base64 (RFC 4648, with padding).
std::string Base64Encode(std::string_view data);
/// \brief Decode standard base64; Invalid if `text` is not base64.
Result<std::string> Base64Decode(std::string_view text);

// ---------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------

struct Ec2ClientOptions {
  std::string region;        ///< required
  std::string endpoint_url;  ///< empty = DefaultEc2Endpoint(region)
  aws::Credentials credentials;
  Ec2RetryPolicy retry;
  int64_t timeout_ms = 60000;
  int64_t connect_timeout_ms = 5000;
};

class Ec2Client {
 public:
  /// \brief Check the options (region, endpoint URL, credentials present).
  static Result<Ec2Client> Make(Ec2ClientOptions options);

  const std::string& region() const { return options_.region; }
  /// \brief The endpoint URL requests go to.
  const std::string& endpoint() const { return endpoint_.url; }

  /// \brief Sign and send `request`, retrying transient failures (connection errors, 5xx,
  ///        throttling) with backoff; return the body of the 2xx answer. Errors name the
  ///        action, the endpoint, the HTTP status and AWS's code and message.
  Result<std::string> Call(const Ec2Request& request) const;

  Result<std::vector<Ec2Instance>> RunInstances(const RunInstancesSpec& spec) const;
  /// \brief Every page of DescribeInstances.
  Result<std::vector<Ec2Instance>> DescribeInstances(const std::vector<std::string>& instance_ids,
                                                     const std::vector<Ec2Filter>& filters) const;
  Result<std::vector<Ec2StateChange>> TerminateInstances(
      const std::vector<std::string>& instance_ids) const;
  Result<std::vector<Ec2Image>> DescribeImages(const std::vector<std::string>& owners,
                                               const std::vector<std::string>& image_ids,
                                               const std::vector<Ec2Filter>& filters) const;

 private:
  Ec2Client(Ec2ClientOptions options, Ec2Endpoint endpoint)
      : options_(std::move(options)), endpoint_(std::move(endpoint)) {}

  Ec2ClientOptions options_;
  Ec2Endpoint endpoint_;
};

}  // namespace quokka::dist
