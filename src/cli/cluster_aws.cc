// `quokka cluster create|describe|terminate`: flags and messages; the work is in
// src/distributed/aws/aws_cluster.h.
#include "cluster_aws.h"

#include <iostream>
#include <string>
#include <vector>

#include "distributed/aws/aws_cluster.h"

namespace quokka::cli {
namespace {

constexpr const char* kClusterAwsUsage =
    R"(usage: quokka cluster create --provider aws --instances N --instance-type T --key-name K
                             --security-group G --source GIT_URL [options]
       quokka cluster describe  --config CLUSTER.json | --state CLUSTER.aws.json
       quokka cluster terminate --config CLUSTER.json | --state CLUSTER.aws.json [--wait]

create launches N on-demand EC2 instances (the first also runs Redis) that build Quokka from
GIT_URL and start `quokka worker`, waits until they run, and writes the cluster file
CLUSTER.json (for --cluster; private addresses), CLUSTER.aws.json (instance ids),
CLUSTER.tls/ (TLS keys) and CLUSTER.redis.pass. See docs/aws.md.
  --provider aws          the only provider
  --instances N           number of machines (1 to 1000)
  --instance-type T       e.g. m5.xlarge (at least 4 GB of memory to build Quokka)
  --key-name K            EC2 key pair for SSH (user admin on Debian)
  --security-group G      security group id(s) sg-...,sg-... (or names, default VPC only)
  --source GIT_URL        the repository the machines clone and build
  --source-ref REF        branch, tag or commit to build (default: the default branch)
  --region R              default: AWS_REGION, AWS_DEFAULT_REGION, the profile's, us-east-1
  --ami A                 default: the newest Debian 12 AMI (owner 136693071363)
  --subnet S              subnet id (default: the default subnet of the head's zone)
  --requirements P,...    extra Debian packages for every machine
  --name NAME             cluster name; machines NAME-0 (head), NAME-1, ... (default quokka)
  --out CLUSTER.json      the cluster file (default NAME.json)
  --cores C               cores per worker (default: the instance type's vCPUs)
  --disk-gb G             root volume size (default 30)
  --ssh-user U            login user of the AMI (default admin)
  --timeout SECONDS       wait for "running" at most this long (default 600)
  --insecure              no TLS on the data plane (not recommended)
  --profile P             AWS profile (credentials, region)
  --endpoint-url URL      EC2 endpoint (default: AWS_ENDPOINT_URL_EC2 or EC2's own)
describe/terminate take --profile and --endpoint-url too (default: those used by create).
)";

int Fail(const std::string& command, const std::string& message, int code) {
  std::cerr << "quokka cluster " << command << ": " << message << "\n";
  if (code == 2) std::cerr << "\n" << kClusterAwsUsage;
  return code;
}

}  // namespace

int ClusterAws(int argc, char** argv) {
  const std::string command = argc > 2 ? argv[2] : "";
  std::vector<std::string> args(argv + 3, argv + argc);
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h") {
      std::cout << kClusterAwsUsage;
      return 0;
    }
  }
  if (command == "create") {
    Result<dist::AwsClusterOptions> options = dist::ParseAwsCreateFlags(args);
    if (!options.ok()) return Fail(command, options.status().message(), 2);
    Result<dist::AwsClusterState> state = dist::CreateAwsCluster(*options, std::cout);
    if (!state.ok()) return Fail(command, state.status().message(), 1);
    return 0;
  }
  if (command == "describe" || command == "terminate") {
    Result<dist::AwsStateOptions> options =
        dist::ParseAwsStateFlags(args, /*terminate=*/command == "terminate");
    if (!options.ok()) return Fail(command, options.status().message(), 2);
    Status status = command == "terminate" ? dist::TerminateAwsCluster(*options, std::cout)
                                           : dist::DescribeAwsCluster(*options, std::cout);
    if (!status.ok()) return Fail(command, status.message(), 1);
    return 0;
  }
  return Fail(command, "unknown command", 2);
}

}  // namespace quokka::cli
