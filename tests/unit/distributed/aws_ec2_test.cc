// Tests for the EC2 cluster manager without an AWS account: request bodies of every action,
// SigV4 signing (the expected Authorization header computed here, step by step, with OpenSSL),
// parsing of realistic EC2 answers and error documents, the retry policy, a real refused
// connection, the user-data script, the state and cluster files, and flag validation.
// Nothing here talks to EC2 or to a stand-in for it.

#include <gtest/gtest.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "distributed/aws/aws_cluster.h"
#include "distributed/aws/ec2_client.h"
#include "distributed/cluster_file.h"
#include "distributed/tls_keys.h"
#include "quokka/status.h"
#include "test_util.h"

namespace quokka::dist {
namespace {

namespace fs = std::filesystem;

// A fresh directory under the system's temporary directory, removed at the end.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "quokka_aws_test_XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code error;
    fs::remove_all(path_, error);
  }
  std::string operator/(const std::string& name) const { return (fs::path(path_) / name).string(); }

 private:
  std::string path_;
};

// Sets (or unsets) environment variables for one test and restores them.
class ScopedEnv {
 public:
  void Set(const std::string& name, const char* value) {
    const char* old = std::getenv(name.c_str());
    saved_.push_back({name, old ? std::optional<std::string>(old) : std::nullopt});
    if (value) {
      setenv(name.c_str(), value, 1);
    } else {
      unsetenv(name.c_str());
    }
  }
  ~ScopedEnv() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second) {
        setenv(it->first.c_str(), it->second->c_str(), 1);
      } else {
        unsetenv(it->first.c_str());
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// ---------------------------------------------------------------------------------------------
// Request bodies
// ---------------------------------------------------------------------------------------------

TEST(Ec2Request, FormBodyEncodesNamesAndValues) {
  Ec2Request request{"DescribeInstances",
                     {{"Filter.1.Name", "tag:quokka cluster"},
                      {"Filter.1.Value.1", "a+b/c=d&e~f_g.h-i"},
                      {"Filter.2.Value.1", "caf\xc3\xa9 100%"}}};
  EXPECT_EQ(FormBody(request),
            "Action=DescribeInstances&Version=2016-11-15"
            "&Filter.1.Name=tag%3Aquokka%20cluster"
            "&Filter.1.Value.1=a%2Bb%2Fc%3Dd%26e~f_g.h-i"
            "&Filter.2.Value.1=caf%C3%A9%20100%25");
}

TEST(Ec2Request, RunInstances) {
  RunInstancesSpec spec;
  spec.image_id = "ami-0123456789abcdef0";
  spec.instance_type = "m5.xlarge";
  spec.count = 1;
  spec.key_name = "my key";
  spec.security_groups = {"sg-0123456789abcdef0", "quokka-sg"};
  spec.availability_zone = "us-east-1b";
  spec.user_data = "#!/bin/bash\necho hi\n";
  spec.tags = {{"Name", "q-0"}, {"quokka-cluster", "q"}};
  spec.client_token = "quokka-abc-0";
  spec.root_device_name = "/dev/xvda";
  spec.root_volume_gb = 30;
  EXPECT_EQ(FormBody(RunInstancesRequest(spec)),
            "Action=RunInstances&Version=2016-11-15"
            "&ImageId=ami-0123456789abcdef0&InstanceType=m5.xlarge&MinCount=1&MaxCount=1"
            "&KeyName=my%20key&SecurityGroupId.1=sg-0123456789abcdef0"
            "&SecurityGroup.1=quokka-sg&Placement.AvailabilityZone=us-east-1b"
            "&UserData=IyEvYmluL2Jhc2gKZWNobyBoaQo%3D&ClientToken=quokka-abc-0"
            "&BlockDeviceMapping.1.DeviceName=%2Fdev%2Fxvda"
            "&BlockDeviceMapping.1.Ebs.VolumeSize=30&BlockDeviceMapping.1.Ebs.VolumeType=gp3"
            "&BlockDeviceMapping.1.Ebs.DeleteOnTermination=true"
            "&InstanceInitiatedShutdownBehavior=terminate"
            "&MetadataOptions.HttpEndpoint=enabled&MetadataOptions.HttpTokens=required"
            "&TagSpecification.1.ResourceType=instance"
            "&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=q-0"
            "&TagSpecification.1.Tag.2.Key=quokka-cluster&TagSpecification.1.Tag.2.Value=q"
            "&TagSpecification.2.ResourceType=volume"
            "&TagSpecification.2.Tag.1.Key=Name&TagSpecification.2.Tag.1.Value=q-0"
            "&TagSpecification.2.Tag.2.Key=quokka-cluster&TagSpecification.2.Tag.2.Value=q");
}

TEST(Ec2Request, RunInstancesMinimalWithSubnet) {
  RunInstancesSpec spec;
  spec.image_id = "ami-12345678";
  spec.instance_type = "t3.micro";
  spec.count = 3;
  spec.subnet_id = "subnet-12345678";
  spec.terminate_on_shutdown = false;
  spec.imdsv2_only = false;
  EXPECT_EQ(FormBody(RunInstancesRequest(spec)),
            "Action=RunInstances&Version=2016-11-15&ImageId=ami-12345678"
            "&InstanceType=t3.micro&MinCount=3&MaxCount=3&SubnetId=subnet-12345678");
}

TEST(Ec2Request, UserDataIsBase64OfTheScript) {
  RunInstancesSpec spec;
  spec.image_id = "ami-12345678";
  spec.instance_type = "t3.micro";
  spec.user_data = std::string("#!/bin/bash\n# \xff\x00 binary too\n", 26);
  Ec2Request request = RunInstancesRequest(spec);
  std::string encoded;
  for (const auto& [name, value] : request.params) {
    if (name == "UserData") encoded = value;
  }
  ASSERT_FALSE(encoded.empty());
  Result<std::string> decoded = Base64Decode(encoded);
  QK_ASSERT_OK(decoded);
  EXPECT_EQ(*decoded, spec.user_data);
}

TEST(Ec2Request, DescribeInstances) {
  EXPECT_EQ(FormBody(DescribeInstancesRequest({"i-1", "i-2"}, {})),
            "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-1&InstanceId.2=i-2");
  EXPECT_EQ(
      FormBody(DescribeInstancesRequest(
          {}, {{"tag:quokka-cluster", {"q"}}, {"instance-state-name", {"pending", "running"}}},
          "tok/en+=")),
      "Action=DescribeInstances&Version=2016-11-15"
      "&Filter.1.Name=tag%3Aquokka-cluster&Filter.1.Value.1=q"
      "&Filter.2.Name=instance-state-name&Filter.2.Value.1=pending"
      "&Filter.2.Value.2=running&NextToken=tok%2Fen%2B%3D");
}

TEST(Ec2Request, TerminateInstances) {
  EXPECT_EQ(FormBody(TerminateInstancesRequest({"i-0abc", "i-0def", "i-0123"})),
            "Action=TerminateInstances&Version=2016-11-15"
            "&InstanceId.1=i-0abc&InstanceId.2=i-0def&InstanceId.3=i-0123");
}

TEST(Ec2Request, DescribeImages) {
  EXPECT_EQ(
      FormBody(DescribeImagesRequest(
          {kDebianAmiOwner}, {}, {{"name", {"debian-12-amd64-*"}}, {"architecture", {"x86_64"}}})),
      "Action=DescribeImages&Version=2016-11-15&Owner.1=136693071363"
      "&Filter.1.Name=name&Filter.1.Value.1=debian-12-amd64-%2A"
      "&Filter.2.Name=architecture&Filter.2.Value.1=x86_64");
  EXPECT_EQ(FormBody(DescribeImagesRequest({}, {"ami-12345678"}, {})),
            "Action=DescribeImages&Version=2016-11-15&ImageId.1=ami-12345678");
}

// ---------------------------------------------------------------------------------------------
// Endpoints and signing
// ---------------------------------------------------------------------------------------------

TEST(Ec2Endpoint, DefaultsAndOverrides) {
  EXPECT_EQ(DefaultEc2Endpoint("eu-west-1"), "https://ec2.eu-west-1.amazonaws.com");
  EXPECT_EQ(DefaultEc2Endpoint("cn-north-1"), "https://ec2.cn-north-1.amazonaws.com.cn");

  Result<Ec2Endpoint> aws = ParseEc2Endpoint("https://ec2.us-east-1.amazonaws.com", "x");
  QK_ASSERT_OK(aws);
  EXPECT_EQ(aws->url, "https://ec2.us-east-1.amazonaws.com/");
  EXPECT_EQ(aws->host, "ec2.us-east-1.amazonaws.com");
  EXPECT_EQ(aws->path, "/");

  Result<Ec2Endpoint> local = ParseEc2Endpoint("http://127.0.0.1:4566/ec2", "x");
  QK_ASSERT_OK(local);
  EXPECT_EQ(local->url, "http://127.0.0.1:4566/ec2");
  EXPECT_EQ(local->host, "127.0.0.1:4566");
  EXPECT_EQ(local->path, "/ec2");

  Result<Ec2Endpoint> default_port = ParseEc2Endpoint("https://example.com:443", "x");
  QK_ASSERT_OK(default_port);
  EXPECT_EQ(default_port->host, "example.com");

  for (const char* bad : {"ec2.amazonaws.com", "ftp://x", "https://", "http://x:0",
                          "http://x:99999", "http://user@x", "http://x/?a=b"}) {
    Result<Ec2Endpoint> endpoint = ParseEc2Endpoint(bad, "--endpoint-url");
    ASSERT_FALSE(endpoint.ok()) << bad;
    QK_EXPECT_CONTAINS(endpoint.status().message(), "--endpoint-url");
  }
}

std::string Hex(const unsigned char* data, size_t size) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 15];
  }
  return out;
}

std::string TestSha256Hex(const std::string& data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return Hex(digest, sizeof digest);
}

std::string TestHmac(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &size);
  return std::string(reinterpret_cast<char*>(out), size);
}

std::string HeaderOf(const PreparedRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return "";
}

aws::Credentials ExampleCredentials() {
  aws::Credentials credentials;
  credentials.access_key_id = "AKIDEXAMPLE";
  credentials.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  credentials.source = "test";
  return credentials;
}

// The Authorization header, derived here from the SigV4 steps (canonical request, string to
// sign, signing key) with OpenSSL, independently of the signer under test.
TEST(Ec2Signing, AuthorizationHeaderMatchesTheSigV4Steps) {
  Result<Ec2Endpoint> endpoint = ParseEc2Endpoint("https://ec2.us-east-1.amazonaws.com", "x");
  QK_ASSERT_OK(endpoint);
  const Ec2Request request = TerminateInstancesRequest({"i-1234567890abcdef0"});
  const int64_t now = 1440938160;  // 2015-08-30T12:36:00Z
  PreparedRequest prepared =
      PrepareEc2Request(*endpoint, "us-east-1", ExampleCredentials(), request, now);

  const std::string body =
      "Action=TerminateInstances&Version=2016-11-15&InstanceId.1=i-1234567890abcdef0";
  EXPECT_EQ(prepared.body, body);
  EXPECT_EQ(prepared.url, "https://ec2.us-east-1.amazonaws.com/");
  EXPECT_EQ(HeaderOf(prepared, "host"), "ec2.us-east-1.amazonaws.com");
  EXPECT_EQ(HeaderOf(prepared, "content-type"), "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_EQ(HeaderOf(prepared, "x-amz-date"), "20150830T123600Z");
  EXPECT_EQ(HeaderOf(prepared, "x-amz-content-sha256"), "");  // S3 only
  EXPECT_EQ(HeaderOf(prepared, "x-amz-security-token"), "");

  const std::string canonical =
      "POST\n/\n\n"
      "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
      "host:ec2.us-east-1.amazonaws.com\n"
      "x-amz-date:20150830T123600Z\n\n"
      "content-type;host;x-amz-date\n" +
      TestSha256Hex(body);
  const std::string string_to_sign =
      "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/ec2/aws4_request\n" +
      TestSha256Hex(canonical);
  std::string key = TestHmac("AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830");
  key = TestHmac(key, "us-east-1");
  key = TestHmac(key, "ec2");
  key = TestHmac(key, "aws4_request");
  const std::string mac = TestHmac(key, string_to_sign);
  const std::string signature = Hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
  EXPECT_EQ(HeaderOf(prepared, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ec2/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, Signature=" +
                signature);
}

TEST(Ec2Signing, DeterministicAndSensitiveToEveryInput) {
  Result<Ec2Endpoint> endpoint = ParseEc2Endpoint("http://127.0.0.1:4566", "x");
  QK_ASSERT_OK(endpoint);
  const Ec2Request request = DescribeInstancesRequest({"i-1"}, {});
  auto signature = [&](const Ec2Request& r, const aws::Credentials& c, const std::string& region,
                       int64_t time) {
    return HeaderOf(PrepareEc2Request(*endpoint, region, c, r, time), "authorization");
  };
  const aws::Credentials credentials = ExampleCredentials();
  const std::string base = signature(request, credentials, "us-east-1", 1700000000);
  EXPECT_EQ(base, signature(request, credentials, "us-east-1", 1700000000));
  EXPECT_NE(base,
            signature(DescribeInstancesRequest({"i-2"}, {}), credentials, "us-east-1", 1700000000));
  EXPECT_NE(base, signature(request, credentials, "us-west-2", 1700000000));
  EXPECT_NE(base, signature(request, credentials, "us-east-1", 1700000001));
  aws::Credentials other = credentials;
  other.secret_access_key += "x";
  EXPECT_NE(base, signature(request, other, "us-east-1", 1700000000));
  // The host header (with its port) is signed.
  QK_EXPECT_CONTAINS(base, "SignedHeaders=content-type;host;x-amz-date,");
  EXPECT_EQ(HeaderOf(PrepareEc2Request(*endpoint, "us-east-1", credentials, request, 0), "host"),
            "127.0.0.1:4566");
}

TEST(Ec2Signing, SessionTokenIsSentAndSignedButTheSecretIsNot) {
  Result<Ec2Endpoint> endpoint = ParseEc2Endpoint("https://ec2.eu-west-1.amazonaws.com", "x");
  QK_ASSERT_OK(endpoint);
  aws::Credentials credentials = ExampleCredentials();
  credentials.session_token = "SESSION/TOKEN+1";
  PreparedRequest prepared = PrepareEc2Request(*endpoint, "eu-west-1", credentials,
                                               DescribeInstancesRequest({}, {}), 1700000000);
  EXPECT_EQ(HeaderOf(prepared, "x-amz-security-token"), "SESSION/TOKEN+1");
  QK_EXPECT_CONTAINS(HeaderOf(prepared, "authorization"),
                     "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,");
  for (const auto& [name, value] : prepared.headers) {
    EXPECT_EQ(value.find(credentials.secret_access_key), std::string::npos) << name;
  }
  EXPECT_EQ(prepared.body.find(credentials.secret_access_key), std::string::npos);
  EXPECT_EQ(prepared.url.find(credentials.secret_access_key), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

// As EC2 answers (the documentation's example, trimmed): nested items (groups, tags, network
// interfaces) carry fields of the same names as the instance's own.
constexpr const char* kRunInstancesResponse = R"(<?xml version="1.0" encoding="UTF-8"?>
<RunInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
  <reservationId>r-1234567890abcdef0</reservationId>
  <ownerId>123456789012</ownerId>
  <groupSet/>
  <instancesSet>
    <item>
      <instanceId>i-1234567890abcdef0</instanceId>
      <imageId>ami-bff32ccc</imageId>
      <instanceState>
        <code>0</code>
        <name>pending</name>
      </instanceState>
      <privateDnsName>ip-192-168-1-88.eu-west-1.compute.internal</privateDnsName>
      <dnsName/>
      <reason/>
      <keyName>my_keypair</keyName>
      <amiLaunchIndex>0</amiLaunchIndex>
      <productCodes/>
      <instanceType>t2.micro</instanceType>
      <launchTime>2018-05-08T16:46:19.000Z</launchTime>
      <placement>
        <availabilityZone>eu-west-1c</availabilityZone>
        <groupName/>
        <tenancy>default</tenancy>
      </placement>
      <monitoring>
        <state>disabled</state>
      </monitoring>
      <subnetId>subnet-56f5f633</subnetId>
      <vpcId>vpc-11112222</vpcId>
      <networkInterfaceSet>
        <item>
          <networkInterfaceId>eni-551ba033</networkInterfaceId>
          <subnetId>subnet-56f5f633</subnetId>
          <vpcId>vpc-11112222</vpcId>
          <description>Primary network interface</description>
          <status>in-use</status>
          <privateIpAddress>192.168.1.99</privateIpAddress>
          <privateIpAddressesSet>
            <item>
              <privateIpAddress>192.168.1.99</privateIpAddress>
              <primary>true</primary>
            </item>
          </privateIpAddressesSet>
        </item>
      </networkInterfaceSet>
      <privateIpAddress>192.168.1.88</privateIpAddress>
      <sourceDestCheck>true</sourceDestCheck>
      <groupSet>
        <item>
          <groupId>sg-e4076980</groupId>
          <groupName>SecurityGroup1</groupName>
        </item>
      </groupSet>
      <stateReason>
        <code>pending</code>
        <message>pending</message>
      </stateReason>
      <architecture>x86_64</architecture>
      <rootDeviceType>ebs</rootDeviceType>
      <rootDeviceName>/dev/xvda</rootDeviceName>
      <blockDeviceMapping/>
      <virtualizationType>hvm</virtualizationType>
      <clientToken>quokka-abc-0</clientToken>
      <tagSet>
        <item>
          <key>Name</key>
          <value>q-0</value>
        </item>
        <item>
          <key>quokka-cluster</key>
          <value>q</value>
        </item>
      </tagSet>
      <hypervisor>xen</hypervisor>
      <ebsOptimized>false</ebsOptimized>
    </item>
  </instancesSet>
</RunInstancesResponse>
)";

TEST(Ec2Response, RunInstances) {
  Result<std::vector<Ec2Instance>> instances = ParseRunInstancesResponse(kRunInstancesResponse);
  QK_ASSERT_OK(instances);
  ASSERT_EQ(instances->size(), 1u);
  const Ec2Instance& instance = (*instances)[0];
  EXPECT_EQ(instance.id, "i-1234567890abcdef0");
  EXPECT_EQ(instance.state, "pending");
  EXPECT_EQ(instance.instance_type, "t2.micro");
  EXPECT_EQ(instance.image_id, "ami-bff32ccc");
  EXPECT_EQ(instance.private_ip, "192.168.1.88");  // the instance's, not the interface's
  EXPECT_EQ(instance.public_ip, "");
  EXPECT_EQ(instance.public_dns, "");
  EXPECT_EQ(instance.private_dns, "ip-192-168-1-88.eu-west-1.compute.internal");
  EXPECT_EQ(instance.subnet_id, "subnet-56f5f633");
  EXPECT_EQ(instance.vpc_id, "vpc-11112222");
  EXPECT_EQ(instance.availability_zone, "eu-west-1c");
  EXPECT_EQ(instance.launch_time, "2018-05-08T16:46:19.000Z");
  EXPECT_EQ(instance.Tag("Name"), "q-0");
  EXPECT_EQ(instance.Tag("quokka-cluster"), "q");
  EXPECT_EQ(instance.Tag("missing"), "");
}

constexpr const char* kDescribeInstancesResponse = R"(<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>8f7724cf-496f-496e-8fe3-example</requestId>
  <reservationSet>
    <item>
      <reservationId>r-1234567890abcdef0</reservationId>
      <ownerId>123456789012</ownerId>
      <groupSet/>
      <instancesSet>
        <item>
          <instanceId>i-0aaa</instanceId>
          <imageId>ami-0bbb</imageId>
          <instanceState><code>16</code><name>running</name></instanceState>
          <privateDnsName>ip-10-0-0-5.ec2.internal</privateDnsName>
          <dnsName>ec2-54-1-2-3.compute-1.amazonaws.com</dnsName>
          <amiLaunchIndex>0</amiLaunchIndex>
          <instanceType>m5.xlarge</instanceType>
          <launchTime>2024-05-01T10:00:00.000Z</launchTime>
          <placement><availabilityZone>us-east-1b</availabilityZone></placement>
          <subnetId>subnet-0ccc</subnetId>
          <vpcId>vpc-0ddd</vpcId>
          <privateIpAddress>10.0.0.5</privateIpAddress>
          <ipAddress>54.1.2.3</ipAddress>
          <tagSet><item><key>Name</key><value>q-0</value></item></tagSet>
          <networkInterfaceSet>
            <item>
              <privateIpAddress>10.0.9.9</privateIpAddress>
              <association><publicIp>54.9.9.9</publicIp></association>
            </item>
          </networkInterfaceSet>
        </item>
      </instancesSet>
    </item>
    <item>
      <reservationId>r-2</reservationId>
      <instancesSet>
        <item>
          <instanceId>i-0eee</instanceId>
          <instanceState><code>48</code><name>terminated</name></instanceState>
          <stateReason>
            <code>Server.InsufficientInstanceCapacity</code>
            <message>Server.InsufficientInstanceCapacity: Insufficient capacity.</message>
          </stateReason>
          <privateDnsName/>
          <dnsName/>
          <instanceType>m5.xlarge</instanceType>
        </item>
        <item>
          <instanceId>i-0fff</instanceId>
          <instanceState><code>0</code><name>pending</name></instanceState>
          <privateIpAddress>10.0.0.6</privateIpAddress>
        </item>
      </instancesSet>
    </item>
  </reservationSet>
  <nextToken>eyJ2IjoiMiJ9</nextToken>
</DescribeInstancesResponse>
)";

TEST(Ec2Response, DescribeInstances) {
  Result<DescribeInstancesPage> page = ParseDescribeInstancesResponse(kDescribeInstancesResponse);
  QK_ASSERT_OK(page);
  ASSERT_EQ(page->instances.size(), 3u);
  const Ec2Instance& head = page->instances[0];
  EXPECT_EQ(head.id, "i-0aaa");
  EXPECT_EQ(head.state, "running");
  EXPECT_EQ(head.private_ip, "10.0.0.5");
  EXPECT_EQ(head.public_ip, "54.1.2.3");
  EXPECT_EQ(head.public_dns, "ec2-54-1-2-3.compute-1.amazonaws.com");
  EXPECT_EQ(head.availability_zone, "us-east-1b");
  EXPECT_EQ(head.Tag("Name"), "q-0");
  EXPECT_EQ(page->instances[1].id, "i-0eee");
  EXPECT_EQ(page->instances[1].state, "terminated");
  EXPECT_EQ(page->instances[1].state_reason,
            "Server.InsufficientInstanceCapacity: Insufficient capacity.");
  EXPECT_EQ(page->instances[2].state, "pending");
  EXPECT_EQ(page->instances[2].private_ip, "10.0.0.6");
  EXPECT_EQ(page->next_token, "eyJ2IjoiMiJ9");

  Result<DescribeInstancesPage> empty = ParseDescribeInstancesResponse(
      "<DescribeInstancesResponse><requestId>x</requestId><reservationSet/>"
      "</DescribeInstancesResponse>");
  QK_ASSERT_OK(empty);
  EXPECT_TRUE(empty->instances.empty());
  EXPECT_EQ(empty->next_token, "");
}

TEST(Ec2Response, TerminateInstances) {
  Result<std::vector<Ec2StateChange>> changes = ParseTerminateInstancesResponse(R"(
<TerminateInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
  <instancesSet>
    <item>
      <instanceId>i-1234567890abcdef0</instanceId>
      <currentState><code>32</code><name>shutting-down</name></currentState>
      <previousState><code>16</code><name>running</name></previousState>
    </item>
    <item>
      <instanceId>i-0598c7d356eba48d7</instanceId>
      <currentState><code>48</code><name>terminated</name></currentState>
      <previousState><code>48</code><name>terminated</name></previousState>
    </item>
  </instancesSet>
</TerminateInstancesResponse>)");
  QK_ASSERT_OK(changes);
  ASSERT_EQ(changes->size(), 2u);
  EXPECT_EQ((*changes)[0].id, "i-1234567890abcdef0");
  EXPECT_EQ((*changes)[0].previous_state, "running");
  EXPECT_EQ((*changes)[0].current_state, "shutting-down");
  EXPECT_EQ((*changes)[1].current_state, "terminated");
}

TEST(Ec2Response, DescribeImagesAndTheNewest) {
  Result<std::vector<Ec2Image>> images = ParseDescribeImagesResponse(R"(
<DescribeImagesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
  <imagesSet>
    <item>
      <imageId>ami-0aaaaaaaaaaaaaaa1</imageId>
      <imageLocation>136693071363/debian-12-amd64-20240201-1644</imageLocation>
      <imageState>available</imageState>
      <imageOwnerId>136693071363</imageOwnerId>
      <creationDate>2024-02-01T17:10:12.000Z</creationDate>
      <architecture>x86_64</architecture>
      <name>debian-12-amd64-20240201-1644</name>
      <rootDeviceType>ebs</rootDeviceType>
      <rootDeviceName>/dev/xvda</rootDeviceName>
      <blockDeviceMapping>
        <item><deviceName>/dev/xvda</deviceName><ebs><volumeSize>8</volumeSize></ebs></item>
      </blockDeviceMapping>
    </item>
    <item>
      <imageId>ami-0aaaaaaaaaaaaaaa2</imageId>
      <imageState>available</imageState>
      <creationDate>2024-07-17T18:55:09.000Z</creationDate>
      <architecture>x86_64</architecture>
      <name>debian-12-amd64-20240717-1811</name>
      <rootDeviceName>/dev/xvda</rootDeviceName>
    </item>
    <item>
      <imageId>ami-0aaaaaaaaaaaaaaa3</imageId>
      <imageState>pending</imageState>
      <creationDate>2024-09-01T00:00:00.000Z</creationDate>
      <name>debian-12-amd64-20240901-0000</name>
    </item>
  </imagesSet>
</DescribeImagesResponse>)");
  QK_ASSERT_OK(images);
  ASSERT_EQ(images->size(), 3u);
  EXPECT_EQ((*images)[0].name, "debian-12-amd64-20240201-1644");
  EXPECT_EQ((*images)[0].root_device_name, "/dev/xvda");
  Result<Ec2Image> newest = NewestImage(*images, "Debian image");
  QK_ASSERT_OK(newest);
  EXPECT_EQ(newest->id, "ami-0aaaaaaaaaaaaaaa2");  // the pending one is skipped

  Result<Ec2Image> none = NewestImage({}, "Debian 12 image in us-east-1");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  QK_EXPECT_CONTAINS(none.status().message(), "no available Debian 12 image in us-east-1");
}

TEST(Ec2Response, ErrorDocuments) {
  Ec2Error error = ParseEc2Error(400, R"(<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code><Message>The instance ID 'i-1a2b3c4d' does not exist</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>)");
  EXPECT_EQ(error.http_status, 400);
  EXPECT_EQ(error.code, "InvalidInstanceID.NotFound");
  EXPECT_EQ(error.message, "The instance ID 'i-1a2b3c4d' does not exist");
  EXPECT_EQ(error.request_id, "ea966190-f9aa-478e-9ede-example");

  Ec2Error other =
      ParseEc2Error(403, R"(<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error>
  <RequestId>4d9fd5f0-example</RequestId></ErrorResponse>)");
  EXPECT_EQ(other.code, "InvalidClientTokenId");
  EXPECT_EQ(other.request_id, "4d9fd5f0-example");

  Ec2Error html = ParseEc2Error(502, "<html><body>Bad gateway\n</body></html>");
  EXPECT_EQ(html.code, "");
  QK_EXPECT_CONTAINS(html.message, "Bad gateway");
  EXPECT_EQ(ParseEc2Error(503, "").message, "(empty body)");
}

TEST(Ec2Response, MalformedAndUnexpectedAnswers) {
  Result<std::vector<Ec2Instance>> truncated =
      ParseRunInstancesResponse("<RunInstancesResponse><instancesSet><item><instanceId>i-1");
  ASSERT_FALSE(truncated.ok());
  QK_EXPECT_CONTAINS(truncated.status().message(), "not valid XML");
  QK_EXPECT_CONTAINS(truncated.status().message(), "RunInstancesResponse");

  Result<DescribeInstancesPage> not_xml = ParseDescribeInstancesResponse("Service Unavailable");
  ASSERT_FALSE(not_xml.ok());
  QK_EXPECT_CONTAINS(not_xml.status().message(), "not valid XML");
  QK_EXPECT_CONTAINS(not_xml.status().message(), "Service Unavailable");

  Result<std::vector<Ec2StateChange>> wrong_root =
      ParseTerminateInstancesResponse("<DescribeInstancesResponse/>");
  ASSERT_FALSE(wrong_root.ok());
  QK_EXPECT_CONTAINS(wrong_root.status().message(), "<DescribeInstancesResponse>");

  Result<std::vector<Ec2Image>> error_document = ParseDescribeImagesResponse(
      "<Response><Errors><Error><Code>AuthFailure</Code><Message>no</Message></Error></Errors>"
      "</Response>");
  ASSERT_FALSE(error_document.ok());
  QK_EXPECT_CONTAINS(error_document.status().message(), "AuthFailure: no");

  Result<std::vector<Ec2Instance>> no_set = ParseRunInstancesResponse("<RunInstancesResponse/>");
  ASSERT_FALSE(no_set.ok());
  QK_EXPECT_CONTAINS(no_set.status().message(), "no <instancesSet>");

  Result<std::vector<Ec2Instance>> no_id = ParseRunInstancesResponse(
      "<RunInstancesResponse><instancesSet><item><imageId>a</imageId></item></instancesSet>"
      "</RunInstancesResponse>");
  ASSERT_FALSE(no_id.ok());
  QK_EXPECT_CONTAINS(no_id.status().message(), "without <instanceId>");
}

// ---------------------------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------------------------

TEST(Ec2Retry, WhatIsRetried) {
  EXPECT_TRUE(IsRetryableEc2Error(503, "Unavailable"));
  EXPECT_TRUE(IsRetryableEc2Error(500, ""));
  EXPECT_TRUE(IsRetryableEc2Error(503, "RequestLimitExceeded"));
  EXPECT_TRUE(IsRetryableEc2Error(400, "RequestLimitExceeded"));
  EXPECT_TRUE(IsRetryableEc2Error(400, "Throttling"));
  EXPECT_TRUE(IsRetryableEc2Error(429, ""));
  EXPECT_FALSE(IsRetryableEc2Error(401, "AuthFailure"));
  EXPECT_FALSE(IsRetryableEc2Error(403, "UnauthorizedOperation"));
  EXPECT_FALSE(IsRetryableEc2Error(400, "InvalidParameterValue"));
  EXPECT_FALSE(IsRetryableEc2Error(400, "InsufficientInstanceCapacity"));
  EXPECT_FALSE(IsRetryableEc2Error(404, ""));
}

TEST(Ec2Retry, BackoffIsExponentialJitteredAndBounded) {
  Ec2RetryPolicy policy;
  policy.initial_backoff_ms = 100;
  policy.max_backoff_ms = 1000;
  EXPECT_EQ(Ec2RetryDelayMs(policy, 1, 0.0), 50);
  EXPECT_EQ(Ec2RetryDelayMs(policy, 1, 1.0), 100);
  EXPECT_EQ(Ec2RetryDelayMs(policy, 2, 1.0), 200);
  EXPECT_EQ(Ec2RetryDelayMs(policy, 3, 0.0), 200);
  EXPECT_EQ(Ec2RetryDelayMs(policy, 4, 1.0), 800);
  EXPECT_EQ(Ec2RetryDelayMs(policy, 5, 1.0), 1000);
  EXPECT_EQ(Ec2RetryDelayMs(policy, 60, 1.0), 1000);
  for (int retry = 1; retry < 100; ++retry) {
    int64_t delay = Ec2RetryDelayMs(policy, retry, 0.5);
    EXPECT_GE(delay, 50);
    EXPECT_LE(delay, 1000);
  }
}

// A real connection to a port nobody listens on: bounded retries, then an error naming the
// action and the endpoint, and no secret.
TEST(Ec2Client, RefusedConnectionFailsAfterBoundedRetries) {
  Ec2ClientOptions options;
  options.region = "us-east-1";
  options.endpoint_url = "http://127.0.0.1:1";
  options.credentials = ExampleCredentials();
  options.retry.max_attempts = 3;
  options.retry.initial_backoff_ms = 10;
  options.retry.max_backoff_ms = 20;
  Result<Ec2Client> client = Ec2Client::Make(options);
  QK_ASSERT_OK(client);
  EXPECT_EQ(client->endpoint(), "http://127.0.0.1:1/");
  const auto start = std::chrono::steady_clock::now();
  Result<std::vector<Ec2Instance>> instances = client->DescribeInstances({"i-1"}, {});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(instances.ok());
  EXPECT_EQ(instances.status().code(), StatusCode::kNetworkError);
  QK_EXPECT_CONTAINS(instances.status().message(),
                     "EC2 DescribeInstances at http://127.0.0.1:1/: failed after 3 attempts");
  EXPECT_EQ(instances.status().message().find(options.credentials.secret_access_key),
            std::string::npos);
  EXPECT_LT(seconds, 20.0);
}

TEST(Ec2Client, MakeChecksItsOptions) {
  Ec2ClientOptions options;
  options.credentials = ExampleCredentials();
  EXPECT_FALSE(Ec2Client::Make(options).ok());  // no region
  options.region = "us-east-1";
  Result<Ec2Client> client = Ec2Client::Make(options);
  QK_ASSERT_OK(client);
  EXPECT_EQ(client->endpoint(), "https://ec2.us-east-1.amazonaws.com/");
  options.credentials = {};
  Result<Ec2Client> anonymous = Ec2Client::Make(options);
  ASSERT_FALSE(anonymous.ok());
  QK_EXPECT_CONTAINS(anonymous.status().message(), "no AWS credentials");
}

TEST(Ec2Base64, RoundTrip) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  std::string binary;
  for (int i = 0; i < 256; ++i) binary += static_cast<char>(i);
  for (size_t size = 0; size <= binary.size(); size += 7) {
    Result<std::string> back = Base64Decode(Base64Encode(binary.substr(0, size)));
    QK_ASSERT_OK(back);
    EXPECT_EQ(*back, binary.substr(0, size));
  }
  EXPECT_FALSE(Base64Decode("abc").ok());
  EXPECT_FALSE(Base64Decode("ab!d").ok());
}

// ---------------------------------------------------------------------------------------------
// Instance types
// ---------------------------------------------------------------------------------------------

TEST(AwsInstanceTypes, VcpusAndArchitecture) {
  EXPECT_EQ(VcpusOfInstanceType("m5.xlarge"), 4);
  EXPECT_EQ(VcpusOfInstanceType("m5.large"), 2);
  EXPECT_EQ(VcpusOfInstanceType("c5n.18xlarge"), 72);
  EXPECT_EQ(VcpusOfInstanceType("r6i.32xlarge"), 128);
  EXPECT_EQ(VcpusOfInstanceType("t3.micro"), 2);
  EXPECT_EQ(VcpusOfInstanceType("t2.micro"), 1);
  EXPECT_EQ(VcpusOfInstanceType("c7g.medium"), 1);
  EXPECT_EQ(VcpusOfInstanceType("m7i-flex.2xlarge"), 8);
  EXPECT_EQ(VcpusOfInstanceType("m5.metal"), 0);
  EXPECT_EQ(VcpusOfInstanceType("p4d.24xlarge"), 0);
  EXPECT_EQ(VcpusOfInstanceType("nonsense"), 0);
  EXPECT_EQ(ArchitectureOfInstanceType("m5.xlarge"), "x86_64");
  EXPECT_EQ(ArchitectureOfInstanceType("m7i-flex.large"), "x86_64");
  EXPECT_EQ(ArchitectureOfInstanceType("g4dn.xlarge"), "x86_64");
  EXPECT_EQ(ArchitectureOfInstanceType("m7g.large"), "arm64");
  EXPECT_EQ(ArchitectureOfInstanceType("c6gn.xlarge"), "arm64");
  EXPECT_EQ(ArchitectureOfInstanceType("t4g.small"), "arm64");
  EXPECT_EQ(ArchitectureOfInstanceType("g5g.xlarge"), "arm64");
  EXPECT_EQ(ArchitectureOfInstanceType("a1.large"), "arm64");
}

// ---------------------------------------------------------------------------------------------
// The user data
// ---------------------------------------------------------------------------------------------

BootstrapSpec SpecWithKeys(const std::string& dir, const std::vector<std::string>& names,
                           size_t index) {
  BootstrapSpec spec;
  spec.cluster = "qc";
  spec.name = names[index];
  spec.head = index == 0;
  spec.head_ip = index == 0 ? "" : "10.0.0.5";
  if (spec.head) spec.machines = names;
  spec.cores = 4;
  spec.source = "https://github.com/example/quokka.git";
  spec.source_ref = "v0.3";
  spec.requirements = {"htop", "python3-numpy"};
  spec.redis_password = "0123456789abcdef0123456789abcdef0123456789abcdef";
  spec.tls = LoadTlsFiles(dir, names[index]).ValueOrThrow();
  if (spec.head) spec.driver_tls = LoadTlsFiles(dir, kDriverName).ValueOrThrow();
  return spec;
}

TEST(AwsUserData, HeadAndWorkerScripts) {
  TempDir temp;
  const std::vector<std::string> names = {"qc-0", "qc-1", "qc-2"};
  QK_ASSERT_OK(MakeClusterKeys(temp / "tls", names));
  const BootstrapSpec head_spec = SpecWithKeys(temp / "tls", names, 0);
  Result<std::string> head = MakeBootstrapScript(head_spec);
  QK_ASSERT_OK(head);
  EXPECT_EQ(head->rfind("#!/bin/bash\n", 0), 0u);
  EXPECT_LE(head->size(), kMaxUserDataBytes);
  for (const char* needle :
       {"QK_NAME='qc-0'", "QK_ROLE='head'", "QK_HEAD_IP=''", "QK_MACHINES='qc-0 qc-1 qc-2'",
        "QK_SOURCE='https://github.com/example/quokka.git'", "QK_SOURCE_REF='v0.3'",
        "QK_REQUIREMENTS='htop python3-numpy'", "QK_CORES='4'", "QK_TLS='1'",
        "bash /opt/quokka/src/scripts/install-deps.sh", "--target quokka_cli",
        "/usr/local/bin/quokka worker --redis $QK_HEAD_IP:$QK_REDIS_PORT "
        "--password-file /etc/quokka/redis.pass --name $QK_NAME "
        "--listen $QK_PRIVATE_IP:$QK_DATA_PORT $QK_FLAGS",
        "--tls-dir /etc/quokka/tls", "requirepass $(cat /etc/quokka/redis.pass)",
        "bind $QK_PRIVATE_IP", "/etc/quokka/cluster.json", "/etc/quokka/tls/qc-0.key",
        "/etc/quokka/tls/driver.key", "/etc/quokka/tls/ca.crt"}) {
    QK_EXPECT_CONTAINS(*head, needle);
  }
  QK_EXPECT_CONTAINS(*head, head_spec.tls.key_pem);
  QK_EXPECT_CONTAINS(*head, head_spec.driver_tls.key_pem);
  QK_EXPECT_CONTAINS(*head, head_spec.redis_password);

  const BootstrapSpec worker_spec = SpecWithKeys(temp / "tls", names, 2);
  Result<std::string> worker = MakeBootstrapScript(worker_spec);
  QK_ASSERT_OK(worker);
  EXPECT_LE(worker->size(), kMaxUserDataBytes);
  QK_EXPECT_CONTAINS(*worker, "QK_NAME='qc-2'");
  QK_EXPECT_CONTAINS(*worker, "QK_ROLE='worker'");
  QK_EXPECT_CONTAINS(*worker, "QK_HEAD_IP='10.0.0.5'");
  QK_EXPECT_CONTAINS(*worker, worker_spec.tls.key_pem);
  // A worker holds only its own key: not the head's, another worker's, or the driver's; and
  // nobody gets the CA key.
  EXPECT_EQ(worker->find(head_spec.tls.key_pem), std::string::npos);
  EXPECT_EQ(worker->find(SpecWithKeys(temp / "tls", names, 1).tls.key_pem), std::string::npos);
  EXPECT_EQ(worker->find(head_spec.driver_tls.key_pem), std::string::npos);
  EXPECT_EQ(worker->find("driver.key"), std::string::npos);
  const std::string ca_key = ReadAll(temp / "tls/ca.key");
  ASSERT_FALSE(ca_key.empty());
  EXPECT_EQ(head->find(ca_key), std::string::npos);
  EXPECT_EQ(worker->find(ca_key), std::string::npos);

  // bash parses both (syntax only: `bash -n` runs nothing).
  for (const auto& [name, script] :
       {std::pair{"head.sh", *head}, std::pair{"worker.sh", *worker}}) {
    const std::string path = temp / name;
    std::ofstream(path) << script;
    EXPECT_EQ(std::system(("bash -n " + path).c_str()), 0) << name;
  }

  // What EC2 receives decodes to the script.
  RunInstancesSpec run;
  run.image_id = "ami-12345678";
  run.instance_type = "m5.large";
  run.user_data = *head;
  for (const auto& [param, value] : RunInstancesRequest(run).params) {
    if (param != "UserData") continue;
    Result<std::string> decoded = Base64Decode(value);
    QK_ASSERT_OK(decoded);
    EXPECT_EQ(*decoded, *head);
  }
}

TEST(AwsUserData, InsecureHasNoKeys) {
  BootstrapSpec spec;
  spec.cluster = "qc";
  spec.name = "qc-0";
  spec.head = true;
  spec.machines = {"qc-0"};
  spec.source = "https://example.com/q.git";
  spec.redis_password = "abc";
  spec.insecure = true;
  Result<std::string> script = MakeBootstrapScript(spec);
  QK_ASSERT_OK(script);
  QK_EXPECT_CONTAINS(*script, "QK_TLS='0'");
  EXPECT_EQ(script->find("/etc/quokka/tls/ca.crt"), std::string::npos);
  EXPECT_EQ(script->find("BEGIN"), std::string::npos);
}

TEST(AwsUserData, RefusesMoreThan16KB) {
  BootstrapSpec spec;
  spec.cluster = "qc";
  spec.name = "qc-1";
  spec.head_ip = "10.0.0.1";
  spec.source = "https://example.com/q.git";
  spec.redis_password = "abc";
  spec.insecure = true;
  for (int i = 0; i < 1000; ++i) spec.requirements.push_back("package-number-" + std::to_string(i));
  Result<std::string> script = MakeBootstrapScript(spec);
  ASSERT_FALSE(script.ok());
  EXPECT_EQ(script.status().code(), StatusCode::kInvalid);
  QK_EXPECT_CONTAINS(script.status().message(), "user data of machine qc-1");
  QK_EXPECT_CONTAINS(script.status().message(), "EC2 allows 16384");
}

// ---------------------------------------------------------------------------------------------
// State and cluster files
// ---------------------------------------------------------------------------------------------

TEST(AwsClusterFiles, ClusterFileIsReadBackByReadClusterFile) {
  TempDir temp;
  ClusterFile file;
  file.redis = "10.0.0.5:6379";
  file.redis_password_file = temp / "c.redis.pass";
  file.tls_dir = temp / "c.tls";
  for (int i = 0; i < 3; ++i) {
    ClusterFile::Entry entry;
    entry.machine.name = "q-" + std::to_string(i);
    entry.machine.address = "10.0.0." + std::to_string(5 + i);
    entry.machine.data_port = 7070;
    entry.machine.cores = 4;
    entry.ssh = "admin@ec2-54-1-2-" + std::to_string(i) + ".compute-1.amazonaws.com";
    file.machines.push_back(entry);
  }
  const std::string path = temp / "c.json";
  std::ofstream(path) << ClusterFileJson(file);
  Result<ClusterFile> back = ReadClusterFile(path);
  QK_ASSERT_OK(back);
  EXPECT_EQ(back->redis, "10.0.0.5:6379");
  EXPECT_EQ(back->redis_password_file, file.redis_password_file);
  EXPECT_EQ(back->tls_dir, file.tls_dir);
  EXPECT_FALSE(back->insecure);
  ASSERT_EQ(back->machines.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(back->machines[i].machine.name, file.machines[i].machine.name);
    EXPECT_EQ(back->machines[i].machine.address, file.machines[i].machine.address);
    EXPECT_EQ(back->machines[i].machine.data_port, 7070);
    EXPECT_EQ(back->machines[i].machine.cores, 4);
    EXPECT_EQ(back->machines[i].ssh, file.machines[i].ssh);
  }

  // Insecure, cores unknown (left to the workers), ssh = the address.
  file.insecure = true;
  file.tls_dir.clear();
  for (auto& entry : file.machines) {
    entry.machine.cores = 0;
    entry.ssh = entry.machine.address;
  }
  std::ofstream(path) << ClusterFileJson(file);
  back = ReadClusterFile(path);
  QK_ASSERT_OK(back);
  EXPECT_TRUE(back->insecure);
  EXPECT_EQ(back->machines[1].machine.cores, 0);
  EXPECT_EQ(back->machines[1].ssh, "10.0.0.6");
  EXPECT_EQ(ReadAll(path).find("\"ssh\""), std::string::npos);
}

TEST(AwsClusterFiles, StateRoundTripAndErrors) {
  TempDir temp;
  AwsClusterState state;
  state.name = "q";
  state.region = "eu-central-1";
  state.endpoint_url = "http://127.0.0.1:4566/";
  state.profile = "work";
  state.cluster_file = temp / "q.json";
  state.instances = {{"i-0aaa", "q-0", "head", "10.0.0.5", "ec2-1.compute.amazonaws.com"},
                     {"i-0bbb", "q-1", "worker", "10.0.0.6", ""}};
  const std::string path = temp / "q.aws.json";
  QK_ASSERT_OK(WriteAwsClusterState(path, state));
  Result<AwsClusterState> back = ReadAwsClusterState(path);
  QK_ASSERT_OK(back);
  EXPECT_EQ(back->name, "q");
  EXPECT_EQ(back->region, "eu-central-1");
  EXPECT_EQ(back->endpoint_url, "http://127.0.0.1:4566/");
  EXPECT_EQ(back->profile, "work");
  EXPECT_FALSE(back->terminated);
  ASSERT_EQ(back->instances.size(), 2u);
  EXPECT_EQ(back->instances[0].id, "i-0aaa");
  EXPECT_EQ(back->instances[0].role, "head");
  EXPECT_EQ(back->instances[0].public_address, "ec2-1.compute.amazonaws.com");
  EXPECT_EQ(back->instances[1].name, "q-1");

  Result<AwsClusterState> missing = ReadAwsClusterState(temp / "nope.aws.json");
  ASSERT_FALSE(missing.ok());
  QK_EXPECT_CONTAINS(missing.status().message(), "nope.aws.json");
  std::ofstream(temp / "bad.aws.json") << R"({"provider": "aws", "name": "q", "instances": []})";
  Result<AwsClusterState> bad = ReadAwsClusterState(temp / "bad.aws.json");
  ASSERT_FALSE(bad.ok());
  QK_EXPECT_CONTAINS(bad.status().message(), "missing field \"region\"");
  std::ofstream(temp / "junk.aws.json") << "{";
  EXPECT_FALSE(ReadAwsClusterState(temp / "junk.aws.json").ok());
}

TEST(AwsClusterFiles, PathsNextToTheClusterFile) {
  AwsClusterPaths paths = AwsPathsFor("/tmp/x/c.json");
  EXPECT_EQ(paths.cluster_file, "/tmp/x/c.json");
  EXPECT_EQ(paths.state_file, "/tmp/x/c.aws.json");
  EXPECT_EQ(paths.tls_dir, "/tmp/x/c.tls");
  EXPECT_EQ(paths.password_file, "/tmp/x/c.redis.pass");
  EXPECT_EQ(AwsPathsFor("cluster").state_file, "cluster.aws.json");
}

// ---------------------------------------------------------------------------------------------
// Flags
// ---------------------------------------------------------------------------------------------

std::vector<std::string> GoodCreateFlags() {
  return {"--provider",       "aws",
          "--instances",      "3",
          "--instance-type",  "m5.xlarge",
          "--key-name",       "my-key",
          "--security-group", "sg-0123456789abcdef0",
          "--source",         "https://github.com/example/quokka.git"};
}

// The flags with `flag` removed (and its value) or replaced.
std::vector<std::string> Without(const std::string& flag) {
  std::vector<std::string> flags = GoodCreateFlags(), out;
  for (size_t i = 0; i < flags.size(); i += 2) {
    if (flags[i] != flag) {
      out.push_back(flags[i]);
      out.push_back(flags[i + 1]);
    }
  }
  return out;
}
std::vector<std::string> With(const std::string& flag, const std::string& value) {
  std::vector<std::string> flags = Without(flag);
  flags.push_back(flag);
  flags.push_back(value);
  return flags;
}

TEST(AwsFlags, CreateAcceptsAFullCommandLine) {
  std::vector<std::string> flags = GoodCreateFlags();
  for (const char* extra : {"--region=eu-west-1",
                            "--ami",
                            "ami-0123456789abcdef0",
                            "--requirements",
                            "htop,jq",
                            "--requirements=python3-numpy",
                            "--security-group",
                            "quokka-sg",
                            "--name",
                            "tpch",
                            "--out",
                            "/tmp/tpch.json",
                            "--profile",
                            "work",
                            "--endpoint-url",
                            "http://127.0.0.1:4566",
                            "--cores",
                            "8",
                            "--disk-gb",
                            "50",
                            "--ssh-user",
                            "debian",
                            "--timeout",
                            "900",
                            "--insecure",
                            "--subnet",
                            "subnet-0123456789abcdef0",
                            "--source-ref",
                            "main"}) {
    flags.push_back(extra);
  }
  Result<AwsClusterOptions> options = ParseAwsCreateFlags(flags);
  QK_ASSERT_OK(options);
  EXPECT_EQ(options->instances, 3);
  EXPECT_EQ(options->instance_type, "m5.xlarge");
  EXPECT_EQ(options->region, "eu-west-1");
  EXPECT_EQ(options->ami, "ami-0123456789abcdef0");
  EXPECT_EQ(options->requirements, (std::vector<std::string>{"htop", "jq", "python3-numpy"}));
  EXPECT_EQ(options->security_groups,
            (std::vector<std::string>{"sg-0123456789abcdef0", "quokka-sg"}));
  EXPECT_EQ(options->name, "tpch");
  EXPECT_EQ(options->ClusterFilePath(), "/tmp/tpch.json");
  EXPECT_EQ(options->MachineNames(), (std::vector<std::string>{"tpch-0", "tpch-1", "tpch-2"}));
  EXPECT_EQ(options->cores, 8);
  EXPECT_EQ(options->disk_gb, 50);
  EXPECT_EQ(options->ssh_user, "debian");
  EXPECT_DOUBLE_EQ(options->timeout_seconds, 900);
  EXPECT_TRUE(options->insecure);
  EXPECT_EQ(options->subnet, "subnet-0123456789abcdef0");
  EXPECT_EQ(options->source_ref, "main");

  Result<AwsClusterOptions> defaults = ParseAwsCreateFlags(GoodCreateFlags());
  QK_ASSERT_OK(defaults);
  EXPECT_EQ(defaults->ClusterFilePath(), "quokka.json");
  EXPECT_FALSE(defaults->insecure);
  EXPECT_EQ(defaults->disk_gb, 30);
}

void ExpectCreateError(const std::vector<std::string>& flags, const std::string& needle) {
  Result<AwsClusterOptions> options = ParseAwsCreateFlags(flags);
  ASSERT_FALSE(options.ok()) << "expected an error containing: " << needle;
  EXPECT_EQ(options.status().code(), StatusCode::kInvalid);
  QK_EXPECT_CONTAINS(options.status().message(), needle);
}

TEST(AwsFlags, CreateErrorsNameTheFlag) {
  ExpectCreateError(Without("--provider"), "--provider is required");
  ExpectCreateError(With("--provider", "gcp"), "--provider 'gcp' is not supported");
  ExpectCreateError(Without("--instances"), "--instances N is required");
  ExpectCreateError(With("--instances", "0"), "--instances must be a whole number from 1");
  ExpectCreateError(With("--instances", "3x"), "--instances must be a whole number");
  ExpectCreateError(With("--instances", "1001"), "--instances must be a whole number");
  ExpectCreateError(Without("--instance-type"), "--instance-type is required");
  ExpectCreateError(With("--instance-type", "huge"), "--instance-type 'huge'");
  ExpectCreateError(Without("--key-name"), "--key-name is required");
  ExpectCreateError(Without("--security-group"), "--security-group is required");
  ExpectCreateError(With("--security-group", "sg-xyz"), "--security-group 'sg-xyz'");
  ExpectCreateError(Without("--source"), "--source is required");
  ExpectCreateError(With("--source", "https://x/'; rm -rf /"), "--source");
  ExpectCreateError(With("--region", "mars"), "--region 'mars'");
  ExpectCreateError(With("--ami", "ubuntu"), "--ami 'ubuntu'");
  ExpectCreateError(With("--subnet", "net-1"), "--subnet 'net-1'");
  ExpectCreateError(With("--requirements", "htop,Foo;rm"), "--requirements: 'Foo;rm'");
  ExpectCreateError(With("--name", "-bad"), "--name must be");
  ExpectCreateError(With("--cores", "0"), "--cores must be");
  ExpectCreateError(With("--disk-gb", "2"), "--disk-gb must be");
  ExpectCreateError(With("--timeout", "-1"), "--timeout must be");
  ExpectCreateError(With("--endpoint-url", "localhost:4566"), "--endpoint-url");
  ExpectCreateError(With("--source-ref", "../x"), "--source-ref");
  std::vector<std::string> unknown = GoodCreateFlags();
  unknown.push_back("--spot");
  ExpectCreateError(unknown, "unknown flag '--spot'");
  std::vector<std::string> twice = GoodCreateFlags();
  twice.insert(twice.end(), {"--instances", "4"});
  ExpectCreateError(twice, "--instances is given twice");
  std::vector<std::string> no_value = GoodCreateFlags();
  no_value.push_back("--region");
  ExpectCreateError(no_value, "--region needs a region");
  std::vector<std::string> flag_as_value = Without("--key-name");
  flag_as_value.insert(flag_as_value.begin(), {"--key-name", "--insecure"});
  ExpectCreateError(flag_as_value, "--key-name needs");
}

TEST(AwsFlags, DescribeAndTerminate) {
  Result<AwsStateOptions> by_config = ParseAwsStateFlags({"--config", "/tmp/c.json"}, false);
  QK_ASSERT_OK(by_config);
  EXPECT_EQ(by_config->state_file, "/tmp/c.aws.json");
  EXPECT_FALSE(by_config->wait);
  Result<AwsStateOptions> by_state =
      ParseAwsStateFlags({"--state=/tmp/c.aws.json", "--wait", "--profile", "p"}, true);
  QK_ASSERT_OK(by_state);
  EXPECT_EQ(by_state->state_file, "/tmp/c.aws.json");
  EXPECT_TRUE(by_state->wait);
  EXPECT_EQ(by_state->profile, "p");

  Result<AwsStateOptions> neither = ParseAwsStateFlags({}, true);
  ASSERT_FALSE(neither.ok());
  QK_EXPECT_CONTAINS(neither.status().message(), "--config CLUSTER.json");
  EXPECT_FALSE(ParseAwsStateFlags({"--config", "a.json", "--state", "b.aws.json"}, true).ok());
  Result<AwsStateOptions> wait_on_describe =
      ParseAwsStateFlags({"--config", "a.json", "--wait"}, false);
  ASSERT_FALSE(wait_on_describe.ok());
  QK_EXPECT_CONTAINS(wait_on_describe.status().message(), "unknown flag '--wait'");
  EXPECT_FALSE(ParseAwsStateFlags({"--config", "a.json", "--endpoint-url", "x"}, false).ok());
}

// ---------------------------------------------------------------------------------------------
// create against an endpoint that refuses connections
// ---------------------------------------------------------------------------------------------

TEST(AwsCreate, FailsClearlyWithoutAnEndpointAndWritesNothing) {
  TempDir temp;
  ScopedEnv env;
  env.Set("AWS_ACCESS_KEY_ID", "AKIAFAKEFAKEFAKE");
  env.Set("AWS_SECRET_ACCESS_KEY", "fake/secret/KEY");
  env.Set("AWS_SESSION_TOKEN", nullptr);
  env.Set("AWS_PROFILE", nullptr);
  env.Set("AWS_ENDPOINT_URL_EC2", nullptr);
  env.Set("AWS_ENDPOINT_URL", nullptr);
  AwsClusterOptions options = ParseAwsCreateFlags(GoodCreateFlags()).ValueOrThrow();
  options.region = "us-east-1";
  options.endpoint_url = "http://127.0.0.1:1";
  options.out = temp / "c.json";
  std::ostringstream log;
  Result<AwsClusterState> state = CreateAwsCluster(options, log);
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.status().code(), StatusCode::kNetworkError);
  QK_EXPECT_CONTAINS(state.status().message(), "EC2 DescribeImages at http://127.0.0.1:1/");
  QK_EXPECT_CONTAINS(state.status().message(), "attempts");
  EXPECT_EQ(state.status().message().find("fake/secret/KEY"), std::string::npos);
  EXPECT_EQ(log.str().find("fake/secret/KEY"), std::string::npos);
  EXPECT_FALSE(fs::exists(temp / "c.json"));
  EXPECT_FALSE(fs::exists(temp / "c.aws.json"));
  EXPECT_FALSE(fs::exists(temp / "c.tls"));
}

TEST(AwsCreate, RefusesToOverwriteALiveCluster) {
  TempDir temp;
  AwsClusterState state;
  state.name = "quokka";
  state.region = "us-east-1";
  state.instances = {{"i-0aaa", "quokka-0", "head", "", ""}};
  QK_ASSERT_OK(WriteAwsClusterState(temp / "c.aws.json", state));
  AwsClusterOptions options = ParseAwsCreateFlags(GoodCreateFlags()).ValueOrThrow();
  options.out = temp / "c.json";
  std::ostringstream log;
  Result<AwsClusterState> created = CreateAwsCluster(options, log);
  ASSERT_FALSE(created.ok());
  QK_EXPECT_CONTAINS(created.status().message(), "is not terminated");
  QK_EXPECT_CONTAINS(created.status().message(), "quokka cluster terminate");
}

}  // namespace
}  // namespace quokka::dist
