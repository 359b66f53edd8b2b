// LocalCluster::Processes: a distributed cluster of worker processes on this machine.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "control.h"
#include "distributed/tls_keys.h"
#include "driver.h"
#include "quokka/cluster.h"

namespace quokka {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  int port = 0;
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0) {
    port = ntohs(address.sin_port);
  }
  if (fd >= 0) close(fd);
  return port;
}

std::string RandomToken() {
  std::random_device device;
  std::string token;
  const char* digits = "0123456789abcdef";
  for (int i = 0; i < 32; ++i) token += digits[device() % 16];
  return token;
}

// The processes of a local cluster; stopping them is the destructor's job.
class ProcessGroup {
 public:
  ~ProcessGroup() {
    // Workers first (they deregister in Redis), then Redis; all workers at once.
    for (pid_t pid : pids_) kill(pid, SIGTERM);
    for (pid_t pid : pids_) Stop(pid);
    if (redis_pid_ > 0) Stop(redis_pid_);
    std::error_code ignored;
    // QUOKKA_KEEP_LOCAL_LOGS=1 keeps the workers' logs (for debugging).
    if (!dir_.empty() && std::getenv("QUOKKA_KEEP_LOCAL_LOGS") == nullptr) {
      fs::remove_all(dir_, ignored);
    }
  }

  Result<pid_t> Spawn(const std::vector<std::string>& args, const std::string& log_file) {
    std::vector<char*> argv;
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    pid_t pid = fork();
    if (pid < 0) return Status::IOError("cannot start " + args[0] + ": fork failed");
    if (pid == 0) {
      if (!log_file.empty()) {
        int fd = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
          dup2(fd, STDOUT_FILENO);
          dup2(fd, STDERR_FILENO);
        }
      }
      execvp(argv[0], argv.data());
      _exit(127);
    }
    (args[0] == "redis-server" ? redis_pid_ : pids_.emplace_back()) = pid;
    return pid;
  }

  /// Has `pid` exited? Then `status` is its wait status.
  bool Exited(pid_t pid, int& status) { return waitpid(pid, &status, WNOHANG) == pid; }

  void set_dir(std::string dir) { dir_ = std::move(dir); }
  const std::string& dir() const { return dir_; }

 private:
  static void Stop(pid_t pid) {
    kill(pid, SIGTERM);
    for (int i = 0; i < 500; ++i) {
      if (waitpid(pid, nullptr, WNOHANG) == pid) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }

  std::vector<pid_t> pids_;  // workers
  pid_t redis_pid_ = 0;
  std::string dir_;
};

std::string Tail(const std::string& path) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > 600) text = "..." + text.substr(text.size() - 600);
  return text;
}

Result<std::string> StartRedis(ProcessGroup& group, dist::RedisEndpoint& endpoint) {
  int port = FreePort();
  if (port == 0) return Status::IOError("no free port for redis-server");
  endpoint.host = "127.0.0.1";
  endpoint.port = port;
  endpoint.password = RandomToken();
  const std::string log = group.dir() + "/redis.log";
  QK_ASSIGN_OR_RAISE(
      pid_t pid, group.Spawn({"redis-server", "--port", std::to_string(port), "--bind", "127.0.0.1",
                              "--requirepass", endpoint.password, "--save", "", "--appendonly",
                              "no", "--dir", group.dir()},
                             log));
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    int status = 0;
    if (group.Exited(pid, status)) {
      return Status::IOError(
          "redis-server did not start (is it installed? scripts/install-deps.sh installs it): " +
          Tail(log));
    }
    if (dist::RedisClient::Connect(endpoint, std::chrono::milliseconds(200)).ok()) {
      std::ofstream(group.dir() + "/redis.pass") << endpoint.password << "\n";
      fs::permissions(group.dir() + "/redis.pass", fs::perms::owner_read | fs::perms::owner_write);
      return group.dir() + "/redis.pass";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status::IOError("redis-server did not accept connections within 10 s: " + Tail(log));
}

}  // namespace

Cluster LocalCluster::Processes(const LocalProcessOptions& options) {
  if (options.workers < 1 || options.workers > 256) {
    throw Error(Status::Invalid("LocalProcessOptions.workers must be 1..256"));
  }
  auto group = std::make_shared<ProcessGroup>();
  char pattern[] = "/tmp/quokka-local-XXXXXX";
  if (mkdtemp(pattern) == nullptr)
    throw Error(Status::IOError("cannot make a temporary directory"));
  group->set_dir(pattern);

  dist::RedisEndpoint redis;
  std::string password_file = options.password_file;
  if (options.redis.empty()) {
    password_file = StartRedis(*group, redis).ValueOrThrow();
  } else {
    redis = dist::ParseRedisAddress(options.redis, "LocalProcessOptions.redis").ValueOrThrow();
    if (!password_file.empty())
      redis.password = dist::ReadPasswordFile(password_file).ValueOrThrow();
  }
  const std::string program =
      options.program.empty() ? fs::read_symlink("/proc/self/exe").string() : options.program;
  unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
  const int cores =
      options.cores > 0 ? options.cores : std::max(1, static_cast<int>(hardware) / options.workers);
  // Names unique per cluster, so that several local clusters can share one Redis; with TLS
  // the names of the certificates.
  const std::string prefix =
      options.tls_dir.empty() ? "local-" + RandomToken().substr(0, 6) + "-" : "local-";
  dist::TlsConfig tls{.insecure = options.tls_dir.empty()};
  if (!tls.insecure) {
    dist::TlsFiles files = dist::LoadTlsFiles(options.tls_dir, dist::kDriverName).ValueOrThrow();
    tls.ca_pem = files.ca_pem;
    tls.cert_pem = files.cert_pem;
    tls.key_pem = files.key_pem;
  }
  std::vector<std::string> names;
  std::vector<pid_t> pids;
  for (int w = 0; w < options.workers; ++w) {
    names.push_back(prefix + std::to_string(w));
    std::vector<std::string> args = {
        program,      "--quokka-worker", "--redis",     redis.ToString(), "--name",
        names.back(), "--listen",        "127.0.0.1:0", "--threads",      std::to_string(cores)};
    if (tls.insecure) {
      args.push_back("--insecure");
    } else {
      args.push_back("--tls-dir");
      args.push_back(options.tls_dir);
    }
    if (!password_file.empty()) {
      args.push_back("--password-file");
      args.push_back(password_file);
    }
    pids.push_back(group->Spawn(args, group->dir() + "/" + names.back() + ".log").ValueOrThrow());
  }
  auto backend = dist::DriverBackend::Connect(redis, tls, group).ValueOrThrow();
  // Wait until every worker is registered and alive.
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  std::vector<Machine> machines;
  while (true) {
    for (size_t w = 0; w < pids.size(); ++w) {
      int status = 0;
      if (group->Exited(pids[w], status)) {
        throw Error(Status::IOError("worker process " + names[w] + " (" + program +
                                    " --quokka-worker) exited with " + "status " +
                                    std::to_string(WEXITSTATUS(status)) +
                                    " (does the program call quokka::Init(argc, argv) first?): " +
                                    Tail(group->dir() + "/" + names[w] + ".log")));
      }
    }
    Result<std::vector<Machine>> resolved = backend->Machines(names);
    if (resolved.ok()) {
      machines = std::move(*resolved);
      break;
    }
    if (Clock::now() > deadline) {
      throw Error(resolved.status().WithContext("starting " + std::to_string(options.workers) +
                                                " local worker processes"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  backend->SetMachines(machines);
  return Cluster(machines, backend);
}

}  // namespace quokka
