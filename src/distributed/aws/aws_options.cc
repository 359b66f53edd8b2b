// The AWS cluster manager's options: validation, `quokka cluster create/describe/terminate`
// flags, instance types and images.
#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "aws/credentials.h"
#include "aws_cluster.h"

namespace quokka::dist {

namespace fs = std::filesystem;

// =============================================================================================
// Options and flags
// =============================================================================================

namespace {

bool Matches(const std::string& text, const char* pattern) {
  return std::regex_match(text, std::regex(pattern));
}

// Printable ASCII without quotes, backslash, '$' and '`': safe inside a single-quoted shell word
// and in JSON without escaping.
bool IsPlainText(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return c > ' ' && c < 127 && c != '\'' && c != '"' && c != '\\' && c != '`' && c != '$';
  });
}

}  // namespace

std::string AwsClusterOptions::ClusterFilePath() const {
  return out.empty() ? name + ".json" : out;
}

std::vector<std::string> AwsClusterOptions::MachineNames() const {
  std::vector<std::string> names;
  for (int i = 0; i < instances; ++i) names.push_back(name + "-" + std::to_string(i));
  return names;
}

Status AwsClusterOptions::Validate() const {
  if (!Matches(name, "[A-Za-z0-9][A-Za-z0-9._-]{0,55}")) {
    return Status::Invalid(
        "--name must be 1 to 56 letters, digits, '.', '-' or '_', starting "
        "with a letter or digit (got '" +
        name + "')");
  }
  if (instances == 0) return Status::Invalid("--instances N is required (1 to 1000)");
  if (instances < 1 || instances > kMaxInstances) {
    return Status::Invalid("--instances must be from 1 to " + std::to_string(kMaxInstances) +
                           " (got " + std::to_string(instances) + ")");
  }
  if (instance_type.empty()) {
    return Status::Invalid("--instance-type is required (e.g. m5.xlarge; docs/aws.md)");
  }
  if (!Matches(instance_type, "[a-z][a-z0-9-]*\\.[a-z0-9-]+")) {
    return Status::Invalid("--instance-type '" + instance_type +
                           "' is not an EC2 instance type (FAMILY.SIZE, e.g. m5.xlarge)");
  }
  if (key_name.empty()) {
    return Status::Invalid(
        "--key-name is required: the name of an EC2 key pair of the region "
        "(SSH to the machines uses it)");
  }
  if (key_name.size() > 255 ||
      !std::all_of(key_name.begin(), key_name.end(), [](char c) { return c >= ' ' && c < 127; })) {
    return Status::Invalid("--key-name must be at most 255 printable ASCII characters");
  }
  if (security_groups.empty()) {
    return Status::Invalid(
        "--security-group is required: the id (sg-...) of a security group "
        "that opens the cluster's ports (docs/aws.md)");
  }
  for (const std::string& group : security_groups) {
    if (group.rfind("sg-", 0) == 0 ? !Matches(group, "sg-[0-9a-f]{8,17}")
                                   : (group.empty() || group.size() > 255 || !IsPlainText(group))) {
      return Status::Invalid("--security-group '" + group +
                             "' is neither a security group id (sg- and 8 or 17 hex digits) "
                             "nor a group name");
    }
  }
  if (!subnet.empty() && !Matches(subnet, "subnet-[0-9a-f]{8,17}")) {
    return Status::Invalid("--subnet '" + subnet + "' is not a subnet id (subnet-...)");
  }
  if (!region.empty() && !Matches(region, "[a-z]{2}(-[a-z]+)+-[0-9]+")) {
    return Status::Invalid("--region '" + region + "' is not an AWS region (e.g. us-east-1)");
  }
  if (!ami.empty() && !Matches(ami, "ami-[0-9a-f]{8,17}")) {
    return Status::Invalid("--ami '" + ami + "' is not an image id (ami- and 8 or 17 hex digits)");
  }
  for (const std::string& package : requirements) {
    if (!Matches(package, "[a-z0-9][a-z0-9+.-]+")) {
      return Status::Invalid("--requirements: '" + package +
                             "' is not a Debian package name (lower-case letters, digits, '+', "
                             "'-', '.'; at least 2 characters)");
    }
  }
  if (source.empty()) {
    return Status::Invalid(
        "--source is required: the git URL the machines clone and build "
        "Quokka from (e.g. https://github.com/YOU/quokka.git; docs/aws.md)");
  }
  if (!IsPlainText(source) || source[0] == '-') {
    return Status::Invalid("--source '" + source +
                           "' must be a git URL without spaces, quotes, '$', '`' or '\\'");
  }
  if (!source_ref.empty() && (!Matches(source_ref, "[A-Za-z0-9_./][A-Za-z0-9_./-]*") ||
                              source_ref.find("..") != std::string::npos)) {
    return Status::Invalid("--source-ref '" + source_ref +
                           "' must be a branch, tag or commit (letters, digits, '.', '_', '/', "
                           "'-')");
  }
  if (cores < 0 || cores > 4096) {
    return Status::Invalid("--cores must be from 1 to 4096 (got " + std::to_string(cores) + ")");
  }
  if (disk_gb < 8 || disk_gb > 16384) {
    return Status::Invalid("--disk-gb must be from 8 to 16384 (got " + std::to_string(disk_gb) +
                           ")");
  }
  if (!Matches(ssh_user, "[a-z_][a-z0-9_-]{0,31}")) {
    return Status::Invalid("--ssh-user '" + ssh_user + "' is not a user name");
  }
  if (data_port < 1 || data_port > 65535 || redis_port < 1 || redis_port > 65535 ||
      data_port == redis_port) {
    return Status::Invalid("the data port and the Redis port must be different, from 1 to 65535");
  }
  if (!(timeout_seconds > 0) || !(poll_seconds > 0)) {
    return Status::Invalid("--timeout must be a positive number of seconds");
  }
  if (!endpoint_url.empty()) {
    QK_RETURN_NOT_OK(ParseEc2Endpoint(endpoint_url, "--endpoint-url").status());
  }
  QK_RETURN_NOT_OK(ValidateMachineNames(MachineNames()));
  return Status::OK();
}

namespace {

// Walks "--flag value" and "--flag=value" arguments.
class FlagReader {
 public:
  explicit FlagReader(const std::vector<std::string>& args) : args_(args) {}

  // Moves to the next flag; false at the end.
  bool Next() {
    if (index_ >= args_.size()) return false;
    flag_ = args_[index_++];
    has_inline_ = false;
    size_t equals = flag_.find('=');
    if (flag_.rfind("--", 0) == 0 && equals != std::string::npos) {
      inline_value_ = flag_.substr(equals + 1);
      flag_ = flag_.substr(0, equals);
      has_inline_ = true;
    }
    return true;
  }
  const std::string& flag() const { return flag_; }

  Result<std::string> Value(const char* what) {
    if (has_inline_) {
      if (inline_value_.empty()) return Status::Invalid(flag_ + " needs " + what);
      return inline_value_;
    }
    if (index_ >= args_.size() || args_[index_].rfind("--", 0) == 0 || args_[index_].empty()) {
      return Status::Invalid(flag_ + " needs " + what);
    }
    return args_[index_++];
  }
  Result<int> Int(const char* what, int min, int max) {
    QK_ASSIGN_OR_RAISE(std::string text, Value(what));
    char* end = nullptr;
    errno = 0;
    long value = std::strtol(text.c_str(), &end, 10);
    if (errno != 0 || end == text.c_str() || *end != '\0' || value < min || value > max) {
      return Status::Invalid(flag_ + " must be a whole number from " + std::to_string(min) +
                             " to " + std::to_string(max) + " (got '" + text + "')");
    }
    return static_cast<int>(value);
  }
  Result<double> Seconds() {
    QK_ASSIGN_OR_RAISE(std::string text, Value("a number of seconds"));
    char* end = nullptr;
    double value = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || !(value > 0) || value > 86400) {
      return Status::Invalid(flag_ + " must be a number of seconds from 0 to 86400 (got '" + text +
                             "')");
    }
    return value;
  }
  Status NoValue() const {
    if (has_inline_) return Status::Invalid(flag_ + " takes no value");
    return Status::OK();
  }

 private:
  const std::vector<std::string>& args_;
  size_t index_ = 0;
  std::string flag_;
  std::string inline_value_;
  bool has_inline_ = false;
};

void AppendList(const std::string& text, std::vector<std::string>& out) {
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
}

}  // namespace

Result<AwsClusterOptions> ParseAwsCreateFlags(const std::vector<std::string>& args) {
  AwsClusterOptions options;
  std::string provider;
  std::set<std::string> seen;
  FlagReader reader(args);
  while (reader.Next()) {
    const std::string flag = reader.flag();
    const bool repeatable = flag == "--security-group" || flag == "--requirements";
    if (!repeatable && !seen.insert(flag).second) {
      return Status::Invalid(flag + " is given twice");
    }
    if (flag == "--provider") {
      QK_ASSIGN_OR_RAISE(provider, reader.Value("a provider (aws)"));
    } else if (flag == "--instances") {
      QK_ASSIGN_OR_RAISE(options.instances,
                         reader.Int("a number of instances", 1, AwsClusterOptions::kMaxInstances));
    } else if (flag == "--instance-type") {
      QK_ASSIGN_OR_RAISE(options.instance_type, reader.Value("an instance type (e.g. m5.xlarge)"));
    } else if (flag == "--key-name") {
      QK_ASSIGN_OR_RAISE(options.key_name, reader.Value("the name of an EC2 key pair"));
    } else if (flag == "--security-group") {
      QK_ASSIGN_OR_RAISE(std::string groups, reader.Value("a security group id (sg-...)"));
      AppendList(groups, options.security_groups);
    } else if (flag == "--subnet") {
      QK_ASSIGN_OR_RAISE(options.subnet, reader.Value("a subnet id (subnet-...)"));
    } else if (flag == "--region") {
      QK_ASSIGN_OR_RAISE(options.region, reader.Value("a region (e.g. us-east-1)"));
    } else if (flag == "--ami") {
      QK_ASSIGN_OR_RAISE(options.ami, reader.Value("an image id (ami-...)"));
    } else if (flag == "--requirements") {
      QK_ASSIGN_OR_RAISE(std::string packages, reader.Value("Debian packages PKG,PKG,..."));
      AppendList(packages, options.requirements);
    } else if (flag == "--source") {
      QK_ASSIGN_OR_RAISE(options.source, reader.Value("a git URL"));
    } else if (flag == "--source-ref") {
      QK_ASSIGN_OR_RAISE(options.source_ref, reader.Value("a branch, tag or commit"));
    } else if (flag == "--name") {
      QK_ASSIGN_OR_RAISE(options.name, reader.Value("a cluster name"));
    } else if (flag == "--out") {
      QK_ASSIGN_OR_RAISE(options.out, reader.Value("a file (CLUSTER.json)"));
    } else if (flag == "--profile") {
      QK_ASSIGN_OR_RAISE(options.profile, reader.Value("an AWS profile name"));
    } else if (flag == "--endpoint-url") {
      QK_ASSIGN_OR_RAISE(options.endpoint_url, reader.Value("a URL"));
    } else if (flag == "--cores") {
      QK_ASSIGN_OR_RAISE(options.cores, reader.Int("a number of cores", 1, 4096));
    } else if (flag == "--disk-gb") {
      QK_ASSIGN_OR_RAISE(options.disk_gb, reader.Int("a size in GB", 8, 16384));
    } else if (flag == "--ssh-user") {
      QK_ASSIGN_OR_RAISE(options.ssh_user, reader.Value("a user name"));
    } else if (flag == "--timeout") {
      QK_ASSIGN_OR_RAISE(options.timeout_seconds, reader.Seconds());
    } else if (flag == "--insecure") {
      QK_RETURN_NOT_OK(reader.NoValue());
      options.insecure = true;
    } else {
      return Status::Invalid("unknown flag '" + flag + "'");
    }
  }
  if (provider.empty()) {
    return Status::Invalid("--provider is required (the only provider is aws)");
  }
  if (provider != "aws") {
    return Status::Invalid("--provider '" + provider +
                           "' is not supported: the only provider "
                           "is aws");
  }
  QK_RETURN_NOT_OK(options.Validate());
  return options;
}

Result<AwsStateOptions> ParseAwsStateFlags(const std::vector<std::string>& args, bool terminate) {
  AwsStateOptions options;
  std::string config;
  std::set<std::string> seen;
  FlagReader reader(args);
  while (reader.Next()) {
    const std::string flag = reader.flag();
    if (!seen.insert(flag).second) return Status::Invalid(flag + " is given twice");
    if (flag == "--config") {
      QK_ASSIGN_OR_RAISE(config, reader.Value("the cluster file (CLUSTER.json)"));
    } else if (flag == "--state") {
      QK_ASSIGN_OR_RAISE(options.state_file, reader.Value("the state file (CLUSTER.aws.json)"));
    } else if (flag == "--profile") {
      QK_ASSIGN_OR_RAISE(options.profile, reader.Value("an AWS profile name"));
    } else if (flag == "--endpoint-url") {
      QK_ASSIGN_OR_RAISE(options.endpoint_url, reader.Value("a URL"));
      QK_RETURN_NOT_OK(ParseEc2Endpoint(options.endpoint_url, "--endpoint-url").status());
    } else if (flag == "--provider") {
      QK_ASSIGN_OR_RAISE(std::string provider, reader.Value("a provider (aws)"));
      if (provider != "aws") {
        return Status::Invalid("--provider '" + provider +
                               "' is not supported: the only "
                               "provider is aws");
      }
    } else if (terminate && flag == "--wait") {
      QK_RETURN_NOT_OK(reader.NoValue());
      options.wait = true;
    } else if (terminate && flag == "--timeout") {
      QK_ASSIGN_OR_RAISE(options.timeout_seconds, reader.Seconds());
    } else {
      return Status::Invalid("unknown flag '" + flag + "'");
    }
  }
  if (config.empty() == options.state_file.empty()) {
    return Status::Invalid(
        "give --config CLUSTER.json (the cluster file `create` wrote) or "
        "--state CLUSTER.aws.json");
  }
  if (!config.empty()) options.state_file = AwsPathsFor(config).state_file;
  return options;
}

AwsClusterPaths AwsPathsFor(const std::string& cluster_file) {
  std::string stem = cluster_file;
  if (stem.size() > 5 && stem.compare(stem.size() - 5, 5, ".json") == 0) {
    stem.resize(stem.size() - 5);
  }
  return {cluster_file, stem + ".aws.json", stem + ".tls", stem + ".redis.pass"};
}

// =============================================================================================
// Instance types and images
// =============================================================================================

int VcpusOfInstanceType(const std::string& instance_type) {
  size_t dot = instance_type.find('.');
  if (dot == std::string::npos) return 0;
  const std::string family = instance_type.substr(0, dot);
  const std::string size = instance_type.substr(dot + 1);
  if (family == "t2") {
    static const std::map<std::string, int> kT2 = {{"nano", 1},   {"micro", 1}, {"small", 1},
                                                   {"medium", 2}, {"large", 2}, {"xlarge", 4},
                                                   {"2xlarge", 8}};
    auto it = kT2.find(size);
    return it == kT2.end() ? 0 : it->second;
  }
  if (family == "t3" || family == "t3a" || family == "t4g") {
    static const std::map<std::string, int> kT3 = {{"nano", 2},   {"micro", 2}, {"small", 2},
                                                   {"medium", 2}, {"large", 2}, {"xlarge", 4},
                                                   {"2xlarge", 8}};
    auto it = kT3.find(size);
    return it == kT3.end() ? 0 : it->second;
  }
  // General purpose, compute, memory and storage families whose sizes follow the usual rule:
  // medium 1 (Graviton), large 2, xlarge 4, Nxlarge 4N.
  static const std::set<std::string> kFamilies = {
      "m5",    "m5a",  "m5d",  "m5ad",     "m5n", "m5dn", "m5zn", "m6i",  "m6id", "m6in",
      "m6idn", "m6a",  "m7i",  "m7i-flex", "m7a", "m6g",  "m6gd", "m7g",  "m7gd", "m8g",
      "c5",    "c5a",  "c5d",  "c5ad",     "c5n", "c6i",  "c6id", "c6in", "c6a",  "c7i",
      "c7a",   "c6g",  "c6gd", "c6gn",     "c7g", "c7gd", "c7gn", "c8g",  "r5",   "r5a",
      "r5d",   "r5ad", "r5n",  "r5dn",     "r6i", "r6id", "r6in", "r6a",  "r7i",  "r7a",
      "r6g",   "r6gd", "r7g",  "r7gd",     "r8g", "i3",   "i3en", "i4i",  "i4g",  "z1d"};
  if (!kFamilies.count(family)) return 0;
  if (size == "medium") return 1;
  if (size == "large") return 2;
  if (size == "xlarge") return 4;
  std::smatch match;
  if (std::regex_match(size, match, std::regex("([0-9]+)xlarge"))) {
    int n = std::atoi(match[1].str().c_str());
    return n >= 1 && n <= 48 ? 4 * n : 0;
  }
  return 0;
}

std::string ArchitectureOfInstanceType(const std::string& instance_type) {
  const std::string family = instance_type.substr(0, instance_type.find('.'));
  if (family == "a1") return "arm64";
  std::smatch match;
  // FAMILY = letters, generation digits, attribute letters; a "g" among the attributes is
  // Graviton (m7g, c6gn, r6gd, t4g, g5g, im4gn); g4dn is a GPU family on x86.
  if (std::regex_match(family, match, std::regex("[a-z]+[0-9]+([a-z-]*)")) &&
      match[1].str().find('g') != std::string::npos) {
    return "arm64";
  }
  return "x86_64";
}

Result<Ec2Image> NewestImage(const std::vector<Ec2Image>& images, const std::string& what) {
  const Ec2Image* newest = nullptr;
  for (const Ec2Image& image : images) {
    if (!image.state.empty() && image.state != "available") continue;
    if (newest == nullptr || image.creation_date > newest->creation_date) newest = &image;
  }
  if (newest == nullptr) return Status::NotFound("no available " + what);
  return *newest;
}

}  // namespace quokka::dist
