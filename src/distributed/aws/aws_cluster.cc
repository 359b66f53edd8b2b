#include "aws_cluster.h"

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

// =============================================================================================
// The user data
// =============================================================================================

namespace {

std::string Quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string Join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

// The part of every machine's script that does not vary: it reads the QK_* variables set above
// it. Runs as root under cloud-init, once, at the first boot.
constexpr const char* kBootstrapBody = R"BODY(
umask 022
log() { echo "quokka bootstrap: $(date -u +%H:%M:%S) $*"; }
trap 'log "FAILED at line $LINENO (exit $?); the lines above say why"' ERR
log "machine $QK_NAME ($QK_ROLE) of cluster $QK_CLUSTER"
chown -R quokka:quokka /etc/quokka

log "installing git, curl and the requested packages"
apt-get update -q
apt-get install -y -q --no-install-recommends ca-certificates curl git $QK_REQUIREMENTS

imds() {
  local token
  token=$(curl -sSf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' \
          http://169.254.169.254/latest/api/token)
  curl -sSf -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"
}
QK_PRIVATE_IP=$(imds local-ipv4)
[ -n "$QK_HEAD_IP" ] || QK_HEAD_IP=$QK_PRIVATE_IP
log "private address $QK_PRIVATE_IP; Redis at $QK_HEAD_IP:$QK_REDIS_PORT"

log "cloning $QK_SOURCE"
rm -rf /opt/quokka/src
mkdir -p /opt/quokka
git clone --quiet "$QK_SOURCE" /opt/quokka/src
[ -z "$QK_SOURCE_REF" ] || git -C /opt/quokka/src checkout --quiet "$QK_SOURCE_REF"
log "source at commit $(git -C /opt/quokka/src rev-parse HEAD)"

log "installing the Debian dependencies (scripts/install-deps.sh)"
bash /opt/quokka/src/scripts/install-deps.sh

# About 2 GB of memory per compiler job.
jobs=$(awk '/MemTotal/ { j = int($2 / 2000000); print (j < 1) ? 1 : j }' /proc/meminfo)
[ "$jobs" -le "$(nproc)" ] || jobs=$(nproc)
log "building quokka with $jobs jobs"
cmake -S /opt/quokka/src -B /opt/quokka/build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DQK_BUILD_TESTS=OFF -DQK_BUILD_BENCH=OFF
cmake --build /opt/quokka/build --target quokka_cli -j "$jobs"
install -m 0755 /opt/quokka/build/bin/quokka /usr/local/bin/quokka

if [ "$QK_ROLE" = head ]; then
  log "starting Redis on $QK_PRIVATE_IP:$QK_REDIS_PORT (password in /etc/quokka/redis.pass)"
  systemctl disable --now redis-server.service >/dev/null 2>&1 || true
  (
    umask 077
    cat > /etc/redis/quokka.conf <<EOF
bind $QK_PRIVATE_IP
port $QK_REDIS_PORT
requirepass $(cat /etc/quokka/redis.pass)
protected-mode yes
save ""
appendonly no
dir /var/lib/redis
EOF
  )
  chown redis:redis /etc/redis/quokka.conf
  cat > /etc/systemd/system/quokka-redis.service <<EOF
[Unit]
Description=Redis of the Quokka cluster $QK_CLUSTER (control plane)
Wants=network-online.target
After=network-online.target

[Service]
User=redis
Group=redis
ExecStart=/usr/bin/redis-server /etc/redis/quokka.conf --daemonize no
Restart=on-failure

[Install]
WantedBy=multi-user.target
EOF
  systemctl daemon-reload
  systemctl enable --now quokka-redis.service
fi

QK_FLAGS="--tls-dir /etc/quokka/tls"
[ "$QK_TLS" = 1 ] || QK_FLAGS="--insecure"
[ "$QK_THREADS" = 0 ] || QK_FLAGS="$QK_FLAGS --threads $QK_THREADS"
cat > /etc/systemd/system/quokka-worker.service <<EOF
[Unit]
Description=Quokka worker $QK_NAME of cluster $QK_CLUSTER
Wants=network-online.target
After=network-online.target quokka-redis.service
StartLimitIntervalSec=0

[Service]
User=quokka
Group=quokka
ExecStart=/usr/local/bin/quokka worker --redis $QK_HEAD_IP:$QK_REDIS_PORT --password-file /etc/quokka/redis.pass --name $QK_NAME --listen $QK_PRIVATE_IP:$QK_DATA_PORT $QK_FLAGS
Restart=on-failure
RestartSec=5

[Install]
WantedBy=multi-user.target
EOF
systemctl daemon-reload
systemctl enable --now quokka-worker.service
log "worker $QK_NAME started (systemctl status quokka-worker; journalctl -u quokka-worker)"

if [ "$QK_ROLE" = head ]; then
  log "waiting for every machine to register, to write /etc/quokka/cluster.json"
  REDISCLI_AUTH=$(cat /etc/quokka/redis.pass)
  export REDISCLI_AUTH
  entries=""
  for name in $QK_MACHINES; do
    address=""
    for _ in $(seq 720); do
      address=$(redis-cli -h "$QK_HEAD_IP" -p "$QK_REDIS_PORT" \
                HGET "quokka:worker:$name" address 2>/dev/null || true)
      [[ ! $address =~ ^[0-9.]+$ ]] || break
      address=""
      sleep 10
    done
    if [ -z "$address" ]; then
      log "FAILED: $name did not register within 2 hours; no /etc/quokka/cluster.json"
      exit 1
    fi
    entry="{\"name\": \"$name\", \"address\": \"$address\", \"data_port\": $QK_DATA_PORT"
    [ "$QK_CORES" = 0 ] || entry="$entry, \"cores\": $QK_CORES"
    entries="$entries${entries:+,
    }$entry}"
  done
  security="\"tls_dir\": \"/etc/quokka/tls\""
  [ "$QK_TLS" = 1 ] || security="\"insecure\": true"
  cat > /etc/quokka/cluster.json.tmp <<EOF
{
  "redis": "$QK_HEAD_IP:$QK_REDIS_PORT",
  "redis_password_file": "/etc/quokka/redis.pass",
  $security,
  "machines": [
    $entries
  ]
}
EOF
  chown quokka:quokka /etc/quokka/cluster.json.tmp
  mv /etc/quokka/cluster.json.tmp /etc/quokka/cluster.json
  log "wrote /etc/quokka/cluster.json"
fi
log "done"
)BODY";

void AppendFile(std::string& script, const std::string& path, const std::string& content) {
  script += "cat > " + path + " <<'QUOKKA_FILE_EOF'\n" + content;
  if (!content.empty() && content.back() != '\n') script += "\n";
  script += "QUOKKA_FILE_EOF\n";
}

}  // namespace

Result<std::string> MakeBootstrapScript(const BootstrapSpec& spec) {
  std::string script =
      "#!/bin/bash\n"
      "# Quokka bootstrap of machine " +
      spec.name + " of cluster " + spec.cluster +
      ", written by `quokka cluster create`\n"
      "# (docs/aws.md). cloud-init runs it once, as root, at the first boot; it logs to\n"
      "# /var/log/quokka-bootstrap.log.\n"
      "set -eEuo pipefail\n"
      "exec >>/var/log/quokka-bootstrap.log 2>&1\n"
      "export HOME=/root DEBIAN_FRONTEND=noninteractive\n";
  auto var = [&](const char* name, const std::string& value) {
    script += std::string(name) + "=" + Quote(value) + "\n";
  };
  var("QK_CLUSTER", spec.cluster);
  var("QK_NAME", spec.name);
  var("QK_ROLE", spec.head ? "head" : "worker");
  var("QK_HEAD_IP", spec.head_ip);
  var("QK_MACHINES", spec.head ? Join(spec.machines, " ") : "");
  var("QK_DATA_PORT", std::to_string(spec.data_port));
  var("QK_REDIS_PORT", std::to_string(spec.redis_port));
  var("QK_THREADS", std::to_string(spec.threads));
  var("QK_CORES", std::to_string(spec.cores));
  var("QK_SOURCE", spec.source);
  var("QK_SOURCE_REF", spec.source_ref);
  var("QK_REQUIREMENTS", Join(spec.requirements, " "));
  var("QK_TLS", spec.insecure ? "0" : "1");
  script +=
      "\n# Secrets: the Redis password and this machine's TLS key (readable by root and the\n"
      "# quokka user only).\n"
      "umask 077\n"
      "id quokka >/dev/null 2>&1 || useradd --system --create-home --home-dir /var/lib/quokka "
      "--shell /usr/sbin/nologin quokka\n"
      "install -d -m 0700 /etc/quokka /etc/quokka/tls\n";
  AppendFile(script, "/etc/quokka/redis.pass", spec.redis_password);
  if (!spec.insecure) {
    AppendFile(script, "/etc/quokka/tls/ca.crt", spec.tls.ca_pem);
    AppendFile(script, "/etc/quokka/tls/" + spec.name + ".crt", spec.tls.cert_pem);
    AppendFile(script, "/etc/quokka/tls/" + spec.name + ".key", spec.tls.key_pem);
    if (spec.head) {
      AppendFile(script, std::string("/etc/quokka/tls/") + kDriverName + ".crt",
                 spec.driver_tls.cert_pem);
      AppendFile(script, std::string("/etc/quokka/tls/") + kDriverName + ".key",
                 spec.driver_tls.key_pem);
    }
  }
  script += kBootstrapBody;
  if (script.size() > kMaxUserDataBytes) {
    return Status::Invalid("the user data of machine " + spec.name + " has " +
                           std::to_string(script.size()) + " bytes; EC2 allows " +
                           std::to_string(kMaxUserDataBytes) +
                           " (shorten --requirements, or install those packages later)");
  }
  return script;
}

// =============================================================================================
// State and cluster files
// =============================================================================================

namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

// Writes `content` to `path` through a temporary file and a rename; `mode` for new files.
Status WriteFileAtomically(const std::string& path, const std::string& content, mode_t mode) {
  const std::string temporary = path + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Status::IOError("cannot write '" + temporary + "': " + std::strerror(errno));
  bool ok = ::fchmod(fd, mode) == 0;
  size_t done = 0;
  while (ok && done < content.size()) {
    ssize_t written = ::write(fd, content.data() + done, content.size() - done);
    if (written < 0 && errno == EINTR) continue;
    ok = written > 0;
    if (ok) done += static_cast<size_t>(written);
  }
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(temporary.c_str(), path.c_str()) != 0) {
    std::string reason = std::strerror(errno);
    ::unlink(temporary.c_str());
    return Status::IOError("cannot write '" + path + "': " + reason);
  }
  return Status::OK();
}

std::string Absolute(const std::string& path) {
  std::error_code error;
  fs::path absolute = fs::absolute(path, error);
  return error ? path : absolute.lexically_normal().string();
}

Result<std::string> RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    return Status::Internal("OpenSSL RAND_bytes failed");
  }
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : raw) {
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  return hex;
}

}  // namespace

Status WriteAwsClusterState(const std::string& path, const AwsClusterState& state) {
  OrderedJson root;
  root["provider"] = "aws";
  root["name"] = state.name;
  root["region"] = state.region;
  root["endpoint_url"] = state.endpoint_url;
  root["profile"] = state.profile;
  root["cluster_file"] = state.cluster_file;
  root["terminated"] = state.terminated;
  root["instances"] = OrderedJson::array();
  for (const auto& instance : state.instances) {
    OrderedJson entry;
    entry["id"] = instance.id;
    entry["name"] = instance.name;
    entry["role"] = instance.role;
    entry["private_ip"] = instance.private_ip;
    entry["public_address"] = instance.public_address;
    root["instances"].push_back(std::move(entry));
  }
  return WriteFileAtomically(path, root.dump(2) + "\n", 0644);
}

Result<AwsClusterState> ReadAwsClusterState(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return Status::NotFound("cannot read the cluster state file '" + path +
                            "' (written by `quokka cluster create --provider aws`)");
  }
  const std::string where = "cluster state file '" + path + "'";
  Json root;
  try {
    root = Json::parse(in);
  } catch (const Json::exception& error) {
    return Status::Invalid(where + " is not valid JSON: " + error.what());
  }
  auto text = [&](const Json& object, const char* field, bool required,
                  std::string& out) -> Status {
    auto it = object.find(field);
    if (it == object.end()) {
      return required ? Status::Invalid(where + ": missing field \"" + field + "\"") : Status::OK();
    }
    if (!it->is_string()) return Status::Invalid(where + ": \"" + field + "\" must be a string");
    out = it->get<std::string>();
    return Status::OK();
  };
  if (!root.is_object()) return Status::Invalid(where + " must hold an object");
  std::string provider;
  QK_RETURN_NOT_OK(text(root, "provider", true, provider));
  if (provider != "aws") {
    return Status::Invalid(where + ": provider '" + provider + "' is not aws");
  }
  AwsClusterState state;
  QK_RETURN_NOT_OK(text(root, "name", true, state.name));
  QK_RETURN_NOT_OK(text(root, "region", true, state.region));
  QK_RETURN_NOT_OK(text(root, "endpoint_url", false, state.endpoint_url));
  QK_RETURN_NOT_OK(text(root, "profile", false, state.profile));
  QK_RETURN_NOT_OK(text(root, "cluster_file", false, state.cluster_file));
  if (root.contains("terminated")) {
    if (!root["terminated"].is_boolean()) {
      return Status::Invalid(where + ": \"terminated\" must be true or false");
    }
    state.terminated = root["terminated"].get<bool>();
  }
  auto instances = root.find("instances");
  if (instances == root.end() || !instances->is_array()) {
    return Status::Invalid(where + ": \"instances\" must be a list");
  }
  for (const Json& entry : *instances) {
    if (!entry.is_object()) return Status::Invalid(where + ": an instance must be an object");
    AwsClusterState::Instance instance;
    QK_RETURN_NOT_OK(text(entry, "id", true, instance.id));
    QK_RETURN_NOT_OK(text(entry, "name", true, instance.name));
    QK_RETURN_NOT_OK(text(entry, "role", false, instance.role));
    QK_RETURN_NOT_OK(text(entry, "private_ip", false, instance.private_ip));
    QK_RETURN_NOT_OK(text(entry, "public_address", false, instance.public_address));
    state.instances.push_back(std::move(instance));
  }
  return state;
}

std::string ClusterFileJson(const ClusterFile& file) {
  OrderedJson root;
  root["redis"] = file.redis;
  if (!file.redis_password_file.empty()) root["redis_password_file"] = file.redis_password_file;
  if (file.insecure) {
    root["insecure"] = true;
  } else {
    root["tls_dir"] = file.tls_dir;
  }
  root["machines"] = OrderedJson::array();
  for (const ClusterFile::Entry& entry : file.machines) {
    OrderedJson machine;
    machine["name"] = entry.machine.name;
    machine["address"] = entry.machine.address;
    if (entry.machine.data_port > 0) machine["data_port"] = entry.machine.data_port;
    if (entry.machine.cores > 0) machine["cores"] = entry.machine.cores;
    if (!entry.ssh.empty() && entry.ssh != entry.machine.address) machine["ssh"] = entry.ssh;
    root["machines"].push_back(std::move(machine));
  }
  return root.dump(2) + "\n";
}

// =============================================================================================
// EC2 calls
// =============================================================================================

Result<Ec2Client> MakeEc2Client(const std::string& region, const std::string& profile,
                                const std::string& endpoint_url) {
  Result<aws::Credentials> credentials = aws::ResolveCredentials(profile);
  if (!credentials.ok()) {
    return Status(credentials.status().code(),
                  "AWS credentials: " + credentials.status().message());
  }
  Ec2ClientOptions options;
  options.region = region;
  options.credentials = *credentials;
  options.endpoint_url = endpoint_url;
  for (const char* variable : {"AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL"}) {
    const char* value = std::getenv(variable);
    if (options.endpoint_url.empty() && value != nullptr && *value != '\0') {
      options.endpoint_url = value;
    }
  }
  return Ec2Client::Make(std::move(options));
}

namespace {

using Clock = std::chrono::steady_clock;

// DescribeInstances by an instance-id filter, 100 ids a call. A filter (unlike InstanceId.N)
// does not fail on ids EC2 forgot or does not know yet (it is eventually consistent).
Result<std::map<std::string, Ec2Instance>> DescribeByIds(const Ec2Client& client,
                                                         const std::vector<std::string>& ids) {
  std::map<std::string, Ec2Instance> found;
  for (size_t start = 0; start < ids.size(); start += 100) {
    std::vector<std::string> chunk(ids.begin() + start,
                                   ids.begin() + std::min(ids.size(), start + 100));
    QK_ASSIGN_OR_RAISE(std::vector<Ec2Instance> instances,
                       client.DescribeInstances({}, {{"instance-id", chunk}}));
    for (Ec2Instance& instance : instances) found[instance.id] = std::move(instance);
  }
  return found;
}

std::vector<std::string> IdsOf(const AwsClusterState& state) {
  std::vector<std::string> ids;
  for (const auto& instance : state.instances) ids.push_back(instance.id);
  return ids;
}

std::string PublicAddress(const Ec2Instance& instance) {
  return !instance.public_dns.empty() ? instance.public_dns : instance.public_ip;
}

bool IsGone(const std::string& state) {
  return state == "shutting-down" || state == "terminated" || state == "stopping" ||
         state == "stopped";
}

void Sleep(double seconds) {
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000)));
}

}  // namespace

// =============================================================================================
// create
// =============================================================================================

Result<AwsClusterState> CreateAwsCluster(const AwsClusterOptions& options, std::ostream& log) {
  QK_RETURN_NOT_OK(options.Validate());
  const AwsClusterPaths paths = AwsPathsFor(options.ClusterFilePath());
  if (fs::exists(paths.state_file)) {
    Result<AwsClusterState> old = ReadAwsClusterState(paths.state_file);
    if (!old.ok()) {
      return Status::Invalid(paths.state_file + " exists but cannot be read (" +
                             old.status().message() + "); move it away or choose another --out");
    }
    if (!old->terminated && !old->instances.empty()) {
      return Status::Invalid("cluster '" + old->name + "' recorded in " + paths.state_file +
                             " is not terminated: `quokka cluster terminate --state " +
                             paths.state_file + "` first, or choose another --out");
    }
  }
  const std::string region =
      options.region.empty() ? aws::ResolveRegion(options.profile) : options.region;
  QK_ASSIGN_OR_RAISE(Ec2Client client,
                     MakeEc2Client(region, options.profile, options.endpoint_url));
  log << "region " << region << ", EC2 endpoint " << client.endpoint() << "\n";

  // ---- The image -----------------------------------------------------------------------------
  std::vector<Ec2Image> images;
  std::string what;
  if (options.ami.empty()) {
    const std::string arch = ArchitectureOfInstanceType(options.instance_type);
    const std::string pattern =
        std::string("debian-12-") + (arch == "arm64" ? "arm64" : "amd64") + "-*";
    QK_ASSIGN_OR_RAISE(
        images, client.DescribeImages(
                    {kDebianAmiOwner}, {},
                    {{"name", {pattern}}, {"architecture", {arch}}, {"state", {"available"}}}));
    what = "Debian 12 image (" + pattern + " of owner " + kDebianAmiOwner + ") in " + region +
           "; give one with --ami";
  } else {
    QK_ASSIGN_OR_RAISE(images, client.DescribeImages({}, {options.ami}, {}));
    what = "image " + options.ami + " in " + region;
  }
  QK_ASSIGN_OR_RAISE(Ec2Image image, NewestImage(images, what));
  log << "image " << image.id << " (" << image.name << ", " << image.architecture << ")\n";

  // ---- Secrets and user data -----------------------------------------------------------------
  const std::vector<std::string> names = options.MachineNames();
  const fs::path parent = fs::path(paths.cluster_file).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    fs::create_directories(parent, error);
    if (error)
      return Status::IOError("cannot create '" + parent.string() + "': " + error.message());
  }
  QK_ASSIGN_OR_RAISE(std::string password, RandomHex(24));
  QK_RETURN_NOT_OK(WriteFileAtomically(paths.password_file, password + "\n", 0600));
  std::vector<TlsFiles> tls(names.size());
  TlsFiles driver_tls;
  if (options.insecure) {
    log << "WARNING: --insecure: the data plane between the machines is neither encrypted nor "
           "authenticated; anyone who can reach port "
        << options.data_port << " can send and fetch data. Only the security group protects it.\n";
  } else {
    QK_RETURN_NOT_OK(MakeClusterKeys(paths.tls_dir, names, /*overwrite=*/true));
    for (size_t i = 0; i < names.size(); ++i) {
      QK_ASSIGN_OR_RAISE(tls[i], LoadTlsFiles(paths.tls_dir, names[i]));
    }
    QK_ASSIGN_OR_RAISE(driver_tls, LoadTlsFiles(paths.tls_dir, kDriverName));
    log << "made the cluster's TLS keys in " << paths.tls_dir << "\n";
  }
  const int cores = options.cores > 0 ? options.cores : VcpusOfInstanceType(options.instance_type);
  auto script_for = [&](size_t i, const std::string& head_ip) {
    BootstrapSpec spec;
    spec.cluster = options.name;
    spec.name = names[i];
    spec.head = i == 0;
    spec.head_ip = head_ip;
    if (spec.head) spec.machines = names;
    spec.data_port = options.data_port;
    spec.redis_port = options.redis_port;
    spec.threads = options.cores;
    spec.cores = cores;
    spec.source = options.source;
    spec.source_ref = options.source_ref;
    spec.requirements = options.requirements;
    spec.redis_password = password;
    spec.insecure = options.insecure;
    spec.tls = tls[i];
    if (spec.head) spec.driver_tls = driver_tls;
    return MakeBootstrapScript(spec);
  };
  // Every script fits (with the longest head address) before anything is launched.
  for (size_t i = 0; i < names.size(); ++i) {
    QK_RETURN_NOT_OK(script_for(i, i == 0 ? "" : "255.255.255.255").status());
  }

  // ---- Launch: the head, then the workers in its zone ----------------------------------------
  AwsClusterState state;
  state.name = options.name;
  state.region = region;
  state.endpoint_url =
      client.endpoint() == DefaultEc2Endpoint(region) + "/" ? "" : client.endpoint();
  state.profile = options.profile;
  state.cluster_file = Absolute(paths.cluster_file);
  QK_ASSIGN_OR_RAISE(std::string token_base, RandomHex(12));

  // After a launch, every failure terminates what was launched.
  auto rollback = [&](const Status& failure) -> Status {
    if (state.instances.empty()) return failure;
    const std::vector<std::string> ids = IdsOf(state);
    log << "create failed; terminating the " << ids.size() << " instance(s) it launched\n";
    Result<std::vector<Ec2StateChange>> terminated = client.TerminateInstances(ids);
    if (terminated.ok()) {
      state.terminated = true;
      (void)WriteAwsClusterState(paths.state_file, state);
      return Status(failure.code(),
                    failure.message() + " (the " + std::to_string(ids.size()) +
                        " instance(s) launched were terminated: " + Join(ids, ", ") + ")");
    }
    return Status(failure.code(), failure.message() +
                                      "; terminating the launched instances failed too (" +
                                      terminated.status().message() + "): terminate " +
                                      Join(ids, ", ") + " with `quokka cluster terminate --state " +
                                      paths.state_file + "` or the EC2 console");
  };
  auto launch = [&](size_t i, const std::string& head_ip,
                    const std::string& zone) -> Result<Ec2Instance> {
    QK_ASSIGN_OR_RAISE(std::string user_data, script_for(i, head_ip));
    RunInstancesSpec spec;
    spec.image_id = image.id;
    spec.instance_type = options.instance_type;
    spec.key_name = options.key_name;
    spec.security_groups = options.security_groups;
    spec.subnet_id = options.subnet;
    spec.availability_zone = options.subnet.empty() ? zone : "";
    spec.user_data = std::move(user_data);
    spec.tags = {
        {"Name", names[i]}, {kClusterTag, options.name}, {kRoleTag, i == 0 ? "head" : "worker"}};
    spec.client_token = "quokka-" + token_base + "-" + std::to_string(i);
    spec.root_device_name = image.root_device_name;
    spec.root_volume_gb = options.disk_gb;
    QK_ASSIGN_OR_RAISE(std::vector<Ec2Instance> launched, client.RunInstances(spec));
    for (const Ec2Instance& instance : launched) {
      state.instances.push_back({instance.id, names[i], i == 0 ? "head" : "worker",
                                 instance.private_ip, PublicAddress(instance)});
    }
    QK_RETURN_NOT_OK(WriteAwsClusterState(paths.state_file, state));
    if (launched.size() != 1) {
      return Status::IOError("EC2 RunInstances for " + names[i] + " answered with " +
                             std::to_string(launched.size()) + " instances instead of 1");
    }
    log << "launched " << names[i] << ": " << launched[0].id << "\n";
    return launched[0];
  };

  Result<Ec2Instance> head = launch(0, "", "");
  if (!head.ok()) return rollback(head.status());
  const auto deadline =
      Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(options.timeout_seconds * 1e3));
  // A VPC instance has its private address at launch; ask again if the answer lacked it.
  while (head->private_ip.empty() || head->availability_zone.empty()) {
    if (Clock::now() > deadline) {
      return rollback(Status::IOError("EC2 gave the head " + head->id +
                                      " no private address within the timeout"));
    }
    Sleep(options.poll_seconds);
    Result<std::map<std::string, Ec2Instance>> described = DescribeByIds(client, {head->id});
    if (!described.ok()) return rollback(described.status());
    if (described->count(head->id)) *head = (*described)[head->id];
  }
  for (size_t i = 1; i < names.size(); ++i) {
    Result<Ec2Instance> worker = launch(i, head->private_ip, head->availability_zone);
    if (!worker.ok()) return rollback(worker.status());
  }

  // ---- Wait until every instance runs --------------------------------------------------------
  const std::vector<std::string> ids = IdsOf(state);
  std::map<std::string, Ec2Instance> latest;
  std::string last_progress;
  while (true) {
    Result<std::map<std::string, Ec2Instance>> described = DescribeByIds(client, ids);
    if (!described.ok()) return rollback(described.status());
    latest = std::move(*described);
    size_t running = 0;
    for (const auto& instance : state.instances) {
      auto it = latest.find(instance.id);
      if (it == latest.end()) continue;
      if (IsGone(it->second.state)) {
        return rollback(Status::IOError(
            "instance " + instance.name + " (" + instance.id + ") is " + it->second.state +
            (it->second.state_reason.empty() ? "" : ": " + it->second.state_reason)));
      }
      running += it->second.state == "running" && !it->second.private_ip.empty();
    }
    if (running == ids.size()) break;
    std::string progress =
        std::to_string(running) + " of " + std::to_string(ids.size()) + " instances running";
    if (progress != last_progress) log << progress << "\n";
    last_progress = progress;
    if (Clock::now() > deadline) {
      return rollback(Status::IOError("only " + progress + " after " +
                                      std::to_string(static_cast<int>(options.timeout_seconds)) +
                                      " s (--timeout)"));
    }
    Sleep(options.poll_seconds);
  }

  // ---- The cluster file ----------------------------------------------------------------------
  ClusterFile file;
  file.redis = latest[head->id].private_ip + ":" + std::to_string(options.redis_port);
  file.redis_password_file = Absolute(paths.password_file);
  file.insecure = options.insecure;
  if (!options.insecure) file.tls_dir = Absolute(paths.tls_dir);
  for (auto& instance : state.instances) {
    const Ec2Instance& described = latest[instance.id];
    instance.private_ip = described.private_ip;
    instance.public_address = PublicAddress(described);
    ClusterFile::Entry entry;
    entry.machine.name = instance.name;
    entry.machine.address = described.private_ip;
    entry.machine.data_port = options.data_port;
    entry.machine.cores = cores;
    entry.ssh = options.ssh_user + "@" +
                (instance.public_address.empty() ? described.private_ip : instance.public_address);
    file.machines.push_back(std::move(entry));
  }
  Status written = WriteAwsClusterState(paths.state_file, state);
  if (written.ok()) written = WriteFileAtomically(paths.cluster_file, ClusterFileJson(file), 0644);
  if (written.ok()) written = ReadClusterFile(paths.cluster_file).status();
  if (!written.ok()) return rollback(written);

  const std::string head_ssh = file.machines[0].ssh;
  log << "cluster " << options.name << ": " << ids.size() << " instance(s) running in " << region
      << "\n";
  for (size_t i = 0; i < state.instances.size(); ++i) {
    log << "  " << state.instances[i].name << "  " << state.instances[i].id << "  "
        << state.instances[i].private_ip << "  ssh " << file.machines[i].ssh
        << (i == 0 ? "  (head: Redis)" : "") << "\n";
  }
  log << "wrote " << paths.cluster_file << " (cluster file; private addresses), "
      << paths.state_file << " (for describe/terminate), " << paths.password_file
      << (options.insecure ? "" : " and the keys in " + paths.tls_dir) << "\n"
      << "The machines now install the dependencies and build Quokka (10 to 30 minutes); "
         "follow it with\n  ssh "
      << head_ssh << " sudo tail -f /var/log/quokka-bootstrap.log\n"
      << "When the workers have registered, the head has /etc/quokka/cluster.json:\n  ssh "
      << head_ssh << " sudo -u quokka quokka tpch run --query 1 --data DIR --cluster "
      << "/etc/quokka/cluster.json\n"
      << "Stop paying for them: quokka cluster terminate --config " << paths.cluster_file << "\n";
  return state;
}

// =============================================================================================
// terminate and describe
// =============================================================================================

Status TerminateAwsCluster(const AwsStateOptions& options, std::ostream& out) {
  QK_ASSIGN_OR_RAISE(AwsClusterState state, ReadAwsClusterState(options.state_file));
  const std::vector<std::string> ids = IdsOf(state);
  if (ids.empty()) {
    out << "cluster " << state.name << ": no instances recorded in " << options.state_file << "\n";
    state.terminated = true;
    return WriteAwsClusterState(options.state_file, state);
  }
  QK_ASSIGN_OR_RAISE(
      Ec2Client client,
      MakeEc2Client(state.region, options.profile.empty() ? state.profile : options.profile,
                    options.endpoint_url.empty() ? state.endpoint_url : options.endpoint_url));
  QK_ASSIGN_OR_RAISE(auto described, DescribeByIds(client, ids));
  std::vector<std::string> live;
  for (const auto& instance : state.instances) {
    auto it = described.find(instance.id);
    if (it == described.end()) {
      out << instance.name << " (" << instance.id << "): not known to EC2 (any more)\n";
    } else if (it->second.state == "terminated") {
      out << instance.name << " (" << instance.id << "): terminated already\n";
    } else {
      live.push_back(instance.id);
    }
  }
  std::map<std::string, std::string> name_of;
  for (const auto& instance : state.instances) name_of[instance.id] = instance.name;
  for (size_t start = 0; start < live.size(); start += 100) {
    std::vector<std::string> chunk(live.begin() + start,
                                   live.begin() + std::min(live.size(), start + 100));
    QK_ASSIGN_OR_RAISE(std::vector<Ec2StateChange> changes, client.TerminateInstances(chunk));
    for (const Ec2StateChange& change : changes) {
      out << name_of[change.id] << " (" << change.id << "): " << change.previous_state << " -> "
          << change.current_state << "\n";
    }
  }
  state.terminated = true;
  QK_RETURN_NOT_OK(WriteAwsClusterState(options.state_file, state));
  if (options.wait && !live.empty()) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(
                                             static_cast<int64_t>(options.timeout_seconds * 1e3));
    while (true) {
      QK_ASSIGN_OR_RAISE(auto now, DescribeByIds(client, live));
      size_t left = 0;
      for (const std::string& id : live) left += now.count(id) && now[id].state != "terminated";
      if (left == 0) break;
      if (Clock::now() > deadline) {
        return Status::IOError(std::to_string(left) + " instance(s) of cluster " + state.name +
                               " were not terminated yet after the timeout (`quokka cluster "
                               "describe --state " +
                               options.state_file + "`)");
      }
      Sleep(options.poll_seconds);
    }
    out << "all instances terminated\n";
  }
  out << "cluster " << state.name << " terminated (" << live.size()
      << " instance(s) asked to stop). The local files (cluster file, keys, Redis password) are "
         "kept; delete them when no longer needed.\n";
  return Status::OK();
}

Status DescribeAwsCluster(const AwsStateOptions& options, std::ostream& out) {
  QK_ASSIGN_OR_RAISE(AwsClusterState state, ReadAwsClusterState(options.state_file));
  QK_ASSIGN_OR_RAISE(
      Ec2Client client,
      MakeEc2Client(state.region, options.profile.empty() ? state.profile : options.profile,
                    options.endpoint_url.empty() ? state.endpoint_url : options.endpoint_url));
  const std::vector<std::string> ids = IdsOf(state);
  QK_ASSIGN_OR_RAISE(auto described, DescribeByIds(client, ids));
  out << "cluster " << state.name << " in " << state.region << ": " << ids.size() << " instance(s)"
      << (state.terminated ? " (terminate was run)" : "") << "\n";
  std::vector<std::vector<std::string>> rows = {
      {"NAME", "ROLE", "ID", "STATE", "TYPE", "PRIVATE", "PUBLIC", "LAUNCHED"}};
  for (const auto& instance : state.instances) {
    auto it = described.find(instance.id);
    if (it == described.end()) {
      rows.push_back({instance.name, instance.role, instance.id, "gone", "-", "-", "-", "-"});
      continue;
    }
    const Ec2Instance& ec2 = it->second;
    std::string public_address = PublicAddress(ec2);
    if (!ec2.public_dns.empty() && !ec2.public_ip.empty()) public_address += " " + ec2.public_ip;
    rows.push_back({instance.name, instance.role, ec2.id, ec2.state, ec2.instance_type,
                    ec2.private_ip.empty() ? "-" : ec2.private_ip,
                    public_address.empty() ? "-" : public_address,
                    ec2.launch_time.empty() ? "-" : ec2.launch_time});
  }
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - row[c].size() + 2, ' ');
    }
    out << line << "\n";
  }
  // Instances carrying the cluster's tag that this state file does not list (another cluster
  // of the same name, or a launch whose record was lost).
  QK_ASSIGN_OR_RAISE(
      std::vector<Ec2Instance> tagged,
      client.DescribeInstances(
          {}, {{std::string("tag:") + kClusterTag, {state.name}},
               {"instance-state-name", {"pending", "running", "stopping", "stopped"}}}));
  std::set<std::string> known(ids.begin(), ids.end());
  for (const Ec2Instance& instance : tagged) {
    if (known.count(instance.id)) continue;
    out << "also tagged " << kClusterTag << "=" << state.name << " but not in "
        << options.state_file << ": " << instance.id << " (" << instance.Tag("Name") << ", "
        << instance.state << ")\n";
  }
  return Status::OK();
}

}  // namespace quokka::dist
