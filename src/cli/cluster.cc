// `quokka cluster up|down|status --config FILE.json`: start, stop and show the workers of a
// cluster file over SSH (OpenSSH), `quokka cluster keys` (cluster_keys.cc) and
// `quokka cluster create|describe|terminate` on AWS EC2 (cluster_aws.cc).
#include "cluster.h"

#include <sys/wait.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "cluster_aws.h"
#include "cluster_keys.h"
#include "distributed/cluster_file.h"
#include "distributed/control.h"
#include "distributed/redis_client.h"

namespace quokka::cli {
namespace {

constexpr const char* kUsage = R"(usage: quokka cluster <command> --config FILE.json
  keys --out DIR --machines A,B,...   make the cluster CA and certificates (docs/security.md)
  up      start `quokka worker` on every machine of the file over SSH
  down    stop the workers started by `up`
  status  show every machine's worker as registered in Redis (alive, address, cores, memory)
  create --provider aws --instances N --instance-type T --key-name K --security-group G
         --source GIT_URL [...]   launch a cluster on EC2 and write its cluster file
  describe|terminate --config FILE.json   show / terminate its instances (docs/aws.md)
options of up/down:
  --binary PATH    the quokka binary on the machines (default: quokka on their PATH)
  --ssh CMD        the SSH command (default: $QUOKKA_SSH or "ssh -o BatchMode=yes")
)";

int Fail(const std::string& message, int code) {
  std::cerr << "quokka cluster: " << message << "\n";
  return code;
}

// Single-quote for the remote shell.
std::string Quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs an ssh command line; its stdin is /dev/null, not ours: ssh forwards what it reads from
// stdin to the remote command, which would eat the input of a script that runs us.
int RunCommand(const std::string& command) {
  int status = std::system((command + " < /dev/null").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

std::string WorkerCommand(const dist::ClusterFile& file, const dist::ClusterFile::Entry& entry,
                          const std::string& binary) {
  std::string command =
      Quote(binary) + " worker --redis " + Quote(file.redis) + " --name " +
      Quote(entry.machine.name) + " --listen " +
      Quote(entry.machine.address + ":" + std::to_string(entry.machine.data_port));
  if (entry.machine.cores > 0) command += " --threads " + std::to_string(entry.machine.cores);
  if (!file.redis_password_file.empty()) {
    command += " --password-file " + Quote(file.redis_password_file);
  }
  command += file.insecure ? " --insecure" : " --tls-dir " + Quote(file.tls_dir);
  return command;
}

std::string PidFile(const std::string& name) { return "/tmp/quokka-worker-" + name + ".pid"; }
std::string LogFile(const std::string& name) { return "/tmp/quokka-worker-" + name + ".log"; }

// Exit status of the remote command of `up` when the machine's pid file names a live process.
constexpr int kRunningAlready = 3;

int Up(const dist::ClusterFile& file, const std::string& ssh, const std::string& binary) {
  int failures = 0;
  for (const auto& entry : file.machines) {
    const std::string& name = entry.machine.name;
    const std::string pid_file = Quote(PidFile(name));
    // A worker started by an earlier `up` keeps its pid file: a second worker would fail (name
    // or port taken) after its pid had replaced the running one's, which `down` then misses.
    std::string remote = "if test -f " + pid_file + " && kill -0 \"$(cat " + pid_file +
                         ")\" 2>/dev/null; then exit " + std::to_string(kRunningAlready) +
                         "; fi; nohup " + WorkerCommand(file, entry, binary) + " > " +
                         Quote(LogFile(name)) + " 2>&1 < /dev/null & echo $! > " + pid_file;
    std::string command = ssh + " " + Quote(entry.ssh) + " " + Quote(remote);
    int code = RunCommand(command);
    std::cout << name << " (" << entry.ssh << "): ";
    if (code == 0) {
      std::cout << "started, log " << LogFile(name) << "\n";
    } else if (code == kRunningAlready) {
      std::cout << "running already (" << PidFile(name) << "); `quokka cluster down` stops it\n";
    } else {
      std::cout << "FAILED, ssh exit " << code << "\n";
      ++failures;
    }
  }
  return failures == 0 ? 0 : 1;
}

int Down(const dist::ClusterFile& file, const std::string& ssh) {
  int failures = 0;
  for (const auto& entry : file.machines) {
    const std::string& name = entry.machine.name;
    const std::string pid_file = Quote(PidFile(name));
    std::string remote =
        "test -f " + pid_file + " && kill \"$(cat " + pid_file + ")\" && rm -f " + pid_file;
    int code = RunCommand(ssh + " " + Quote(entry.ssh) + " " + Quote(remote));
    std::cout << name << ": " << (code == 0 ? "stopped" : "not running (no pid file or no process)")
              << "\n";
    failures += code != 0;
  }
  return failures == 0 ? 0 : 1;
}

int StatusOf(const dist::ClusterFile& file) {
  Result<dist::RedisEndpoint> endpoint = dist::ParseRedisAddress(file.redis, "\"redis\"");
  if (!endpoint.ok()) return Fail(endpoint.status().message(), 1);
  if (!file.redis_password_file.empty()) {
    Result<std::string> password = dist::ReadPasswordFile(file.redis_password_file);
    if (!password.ok()) return Fail(password.status().message(), 1);
    endpoint->password = *password;
  }
  auto client = dist::RedisClient::Connect(*endpoint);
  if (!client.ok()) return Fail(client.status().message(), 1);
  int down = 0;
  for (const auto& entry : file.machines) {
    const std::string& name = entry.machine.name;
    auto alive = (*client)->Command({"EXISTS", dist::AliveKey(name)});
    auto info = (*client)->Command({"HGETALL", dist::WorkerKey(name)});
    std::map<std::string, std::string> fields;
    if (info.ok()) {
      for (size_t i = 0; i + 1 < info->elements.size(); i += 2) {
        fields[info->elements[i].string] = info->elements[i + 1].string;
      }
    }
    bool up = alive.ok() && alive->integer == 1;
    down += !up;
    std::cout << name << ": " << (up ? "alive" : "DOWN");
    if (up) {
      std::cout << "  " << fields["address"] << ":" << fields["data_port"] << "  "
                << fields["cores"] << " cores  " << std::atoll(fields["memory"].c_str()) / (1 << 20)
                << " MiB  pid " << fields["pid"];
    }
    std::cout << "\n";
  }
  return down == 0 ? 0 : 3;
}

}  // namespace

int ClusterCommand(int argc, char** argv) {
  if (argc < 3) return Fail(std::string("no command\n") + kUsage, 2);
  const std::string command = argv[2];
  if (command == "keys") return ClusterKeys(argc, argv);
  if (command == "create" || command == "describe" || command == "terminate") {
    return ClusterAws(argc, argv);
  }
  if (command != "up" && command != "down" && command != "status") {
    return Fail("unknown command '" + command + "'\n" + kUsage, 2);
  }
  std::string config, binary = "quokka";
  const char* env_ssh = std::getenv("QUOKKA_SSH");
  std::string ssh = env_ssh ? env_ssh : "ssh -o BatchMode=yes";
  for (int i = 3; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return Fail(arg + " needs a value (or is unknown)\n" + kUsage, 2);
    if (arg == "--config") {
      config = argv[++i];
    } else if (arg == "--binary") {
      binary = argv[++i];
    } else if (arg == "--ssh") {
      ssh = argv[++i];
    } else {
      return Fail("unknown option '" + arg + "'\n" + kUsage, 2);
    }
  }
  if (config.empty()) return Fail("--config FILE.json is required\n" + std::string(kUsage), 2);
  Result<dist::ClusterFile> file = dist::ReadClusterFile(config);
  if (!file.ok()) return Fail(file.status().message(), 2);
  if (command == "up") return Up(*file, ssh, binary);
  if (command == "down") return Down(*file, ssh);
  return StatusOf(*file);
}

}  // namespace quokka::cli
