#pragma once
// A Quokka cluster on EC2 (docs/aws.md): `quokka cluster create --provider aws`, `describe`,
// `terminate`.
//
// CreateAwsCluster launches on-demand instances with one RunInstances call per machine: first
// the head (which also runs Redis), then the workers, in the head's availability zone. Every
// machine gets its own user data: a bash script (cloud-init runs it at the first boot) that
// holds the Redis password, the cluster CA certificate and the machine's own TLS key and
// certificate (the head also gets the driver's), installs the Debian dependencies with the
// project's scripts/install-deps.sh, builds Quokka from a git repository, starts Redis on the
// head and `quokka worker` on every machine, and on the head writes /etc/quokka/cluster.json
// once every worker registered. One call per machine is what lets each user data hold only
// its own machine's key and name the head's private address.
//
// Locally it writes, next to the cluster file CLUSTER.json (the --out):
//   CLUSTER.json         the cluster file (ReadClusterFile's format; private addresses)
//   CLUSTER.aws.json     the state: region, instance ids and names (describe, terminate)
//   CLUSTER.tls/         the cluster's keys (`quokka cluster keys`); ca.key stays here
//   CLUSTER.redis.pass   the Redis password (mode 0600)
//
// Everything but the EC2 calls is a pure function here (options, flags, user data, state and
// cluster file formats), so the tests cover it without an AWS account.

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

#include "distributed/aws/ec2_client.h"
#include "distributed/cluster_file.h"
#include "distributed/tls_keys.h"
#include "quokka/status.h"

namespace quokka::dist {

/// \brief EC2's limit on user data, in bytes before base64.
inline constexpr size_t kMaxUserDataBytes = 16384;
/// \brief The AWS account that publishes Debian's official AMIs.
inline constexpr const char* kDebianAmiOwner = "136693071363";
/// \brief Tag keys on the instances.
inline constexpr const char* kClusterTag = "quokka-cluster";
inline constexpr const char* kRoleTag = "quokka-role";

/// \brief What `quokka cluster create --provider aws` was asked for.
struct AwsClusterOptions {
  std::string name = "quokka";  ///< cluster name; machines are NAME-0 (head), NAME-1, ...
  int instances = 0;            ///< required, 1..kMaxInstances
  std::string instance_type;    ///< required, e.g. "m5.xlarge"
  std::string key_name;         ///< required: the EC2 key pair for SSH
  /// Required: ids (sg-...) or, in the default VPC, names.
  std::vector<std::string> security_groups;
  std::string subnet;                     ///< empty: the default subnet of the head's zone
  std::string region;                     ///< empty: aws::ResolveRegion(profile)
  std::string ami;                        ///< empty: the latest Debian 12 AMI (DescribeImages)
  std::vector<std::string> requirements;  ///< extra Debian packages
  std::string source;                     ///< required: git URL the machines build Quokka from
  std::string source_ref;                 ///< branch, tag or commit; empty = the default branch
  std::string out;                        ///< cluster file; empty = NAME.json
  std::string profile;                    ///< AWS profile; empty = AWS_PROFILE or "default"
  std::string endpoint_url;        ///< empty: AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL, or EC2's
  int cores = 0;                   ///< 0: from the instance type (VcpusOfInstanceType), else all
  int disk_gb = 30;                ///< root volume (gp3, deleted with the instance)
  bool insecure = false;           ///< no TLS on the data plane
  std::string ssh_user = "admin";  ///< the AMI's login user (Debian: admin)
  int data_port = 7070;
  int redis_port = 6379;
  double timeout_seconds = 600;  ///< for the instances to reach "running"
  double poll_seconds = 5;       ///< DescribeInstances interval while waiting

  static constexpr int kMaxInstances = 1000;

  /// \brief Check every field; errors name the CLI flag (e.g. "--instances must be ...").
  Status Validate() const;
  /// \brief The cluster file path: `out`, or NAME.json.
  std::string ClusterFilePath() const;
  /// \brief Machine names: NAME-0 .. NAME-(instances-1).
  std::vector<std::string> MachineNames() const;
};

/// \brief Options of `describe` and `terminate`.
struct AwsStateOptions {
  std::string state_file;    ///< CLUSTER.aws.json
  std::string profile;       ///< empty: the one recorded at create, else the default
  std::string endpoint_url;  ///< empty: the one recorded at create, else as for create
  bool wait = false;         ///< terminate: wait until every instance is terminated
  double timeout_seconds = 600;
  double poll_seconds = 5;
};

/// \brief Parse the flags of `quokka cluster create` (args after "create"). Errors name the
///        flag. Validates the result.
Result<AwsClusterOptions> ParseAwsCreateFlags(const std::vector<std::string>& args);
/// \brief Parse the flags of `describe` / `terminate` (`--config CLUSTER.json` or
///        `--state CLUSTER.aws.json`, `--profile`, `--endpoint-url`, terminate's `--wait`).
Result<AwsStateOptions> ParseAwsStateFlags(const std::vector<std::string>& args, bool terminate);

/// \brief The files of a cluster, derived from its cluster file's path (see above).
struct AwsClusterPaths {
  std::string cluster_file;
  std::string state_file;
  std::string tls_dir;
  std::string password_file;
};
AwsClusterPaths AwsPathsFor(const std::string& cluster_file);

/// \brief vCPUs of common instance types (m5.xlarge: 4, t3.micro: 2, c7g.medium: 1, ...);
///        0 when not known.
int VcpusOfInstanceType(const std::string& instance_type);
/// \brief "arm64" for Graviton types (m7g, c6gn, t4g, ...), else "x86_64".
std::string ArchitectureOfInstanceType(const std::string& instance_type);
/// \brief The newest available image (by creation date), or NotFound.
Result<Ec2Image> NewestImage(const std::vector<Ec2Image>& images, const std::string& what);

/// \brief What one machine's user data needs.
struct BootstrapSpec {
  std::string cluster;  ///< cluster name
  std::string name;     ///< this machine's name (its certificate's, its worker's --name)
  bool head = false;    ///< runs Redis and writes /etc/quokka/cluster.json
  std::string head_ip;  ///< the head's private address (workers; empty on the head)
  std::vector<std::string> machines;  ///< every machine's name (for the head's cluster file)
  int data_port = 7070;
  int redis_port = 6379;
  int threads = 0;  ///< worker --threads; 0 = all cores
  int cores = 0;    ///< "cores" in the head's cluster file; 0 = left out (the worker's own)
  std::string source;
  std::string source_ref;
  std::vector<std::string> requirements;
  std::string redis_password;  ///< hex
  bool insecure = false;
  TlsFiles tls;         ///< ca.crt and this machine's certificate and key (unless insecure)
  TlsFiles driver_tls;  ///< head only: driver.crt and driver.key (ca_pem unused)
};

/// \brief The user data script for one machine. Invalid if it exceeds kMaxUserDataBytes.
Result<std::string> MakeBootstrapScript(const BootstrapSpec& spec);
/// "a, b, c": `items` joined by `separator`.
std::string JoinStrings(const std::vector<std::string>& items, const std::string& separator);

/// \brief What `create` records for `describe` and `terminate`.
struct AwsClusterState {
  std::string name;
  std::string region;
  std::string endpoint_url;  ///< empty = EC2's own
  std::string profile;
  std::string cluster_file;
  struct Instance {
    std::string id;
    std::string name;
    std::string role;  ///< "head" or "worker"
    std::string private_ip;
    std::string public_address;
  };
  std::vector<Instance> instances;
  bool terminated = false;  ///< set by terminate
};

Status WriteAwsClusterState(const std::string& path, const AwsClusterState& state);
Result<AwsClusterState> ReadAwsClusterState(const std::string& path);

/// \brief A cluster file's JSON text (what ReadClusterFile reads).
std::string ClusterFileJson(const ClusterFile& file);

/// \brief The EC2 client for a region, profile and endpoint flag (empty: AWS_ENDPOINT_URL_EC2,
///        AWS_ENDPOINT_URL, or EC2's endpoint for the region).
Result<Ec2Client> MakeEc2Client(const std::string& region, const std::string& profile,
                                const std::string& endpoint_url);

/// \brief Launch the cluster, wait until its instances run, write its files (see above).
///        Progress goes to `log`. On a failure after a launch, terminates what it launched.
Result<AwsClusterState> CreateAwsCluster(const AwsClusterOptions& options, std::ostream& log);
/// \brief Terminate the instances of a state file and mark it terminated.
Status TerminateAwsCluster(const AwsStateOptions& options, std::ostream& out);
/// \brief Print the instances of a state file: name, id, state, type, addresses.
Status DescribeAwsCluster(const AwsStateOptions& options, std::ostream& out);

}  // namespace quokka::dist
