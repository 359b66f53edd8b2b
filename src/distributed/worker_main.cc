#include "worker_main.h"

#include <execinfo.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>

#include "distributed/tls_keys.h"
#include "log.h"
#include "worker.h"

namespace quokka::dist {
namespace {

std::atomic<bool> stop_requested{false};
void OnSignal(int) { stop_requested = true; }

// A worker that dies of std::terminate leaves its stack in its log (a crash on a remote machine
// is otherwise only "terminate called ..."); symbols need -rdynamic or addr2line on the offsets.
[[noreturn]] void OnTerminate() {
  static const char kHeader[] = "quokka worker: std::terminate, stack:\n";
  (void)!::write(STDERR_FILENO, kHeader, sizeof kHeader - 1);
  void* frames[64];
  int count = ::backtrace(frames, 64);
  ::backtrace_symbols_fd(frames, count, STDERR_FILENO);
  std::abort();
}

constexpr const char* kWorkerUsage = R"(worker flags:
  --redis HOST:PORT        the cluster's Redis (required)
  --password-file FILE     the Redis password
  --tls-dir DIR            cluster certificates (quokka cluster keys); uses DIR/ca.crt,
                           DIR/NAME.crt and DIR/NAME.key
  --insecure               no TLS on the data plane (local experiments only)
  --name NAME              machine name (default: the host name)
  --listen ADDR:PORT       data-plane address (default 127.0.0.1:0, a free port)
  --advertise HOST:PORT    address peers use (default: the listen address)
  --threads N              cores to use (default: all)
)";

}  // namespace

int WorkerMain(int argc, char** argv, int first, const char* program) {
  WorkerOptions options;
  std::string redis, password_file, tls_dir;
  bool insecure = false;
  auto fail = [&](const std::string& message) {
    std::cerr << program << ": " << message << "\n" << kWorkerUsage;
    return 2;
  };
  for (int i = first; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    std::string text;
    if (flag == "--redis") {
      if (!value(redis)) return fail("--redis needs HOST:PORT");
    } else if (flag == "--password-file") {
      if (!value(password_file)) return fail("--password-file needs a file");
    } else if (flag == "--tls-dir") {
      if (!value(tls_dir)) return fail("--tls-dir needs a directory");
    } else if (flag == "--insecure") {
      insecure = true;
    } else if (flag == "--name") {
      if (!value(options.name)) return fail("--name needs a name");
    } else if (flag == "--listen") {
      if (!value(options.listen)) return fail("--listen needs ADDR:PORT");
    } else if (flag == "--advertise") {
      if (!value(options.advertise)) return fail("--advertise needs HOST:PORT");
    } else if (flag == "--threads") {
      if (!value(text)) return fail("--threads needs a number");
      options.cores = std::atoi(text.c_str());
      if (options.cores < 1 || options.cores > 4096) return fail("--threads must be 1..4096");
    } else if (flag == "--quokka-worker") {
      continue;
    } else if (flag == "--help" || flag == "-h") {
      std::cout << "usage: " << program << " --redis HOST:PORT [flags]\n" << kWorkerUsage;
      return 0;
    } else {
      return fail("unknown worker flag '" + flag + "'");
    }
  }
  if (redis.empty()) return fail("--redis HOST:PORT is required");
  Result<RedisEndpoint> endpoint = ParseRedisAddress(redis, "--redis");
  if (!endpoint.ok()) return fail(endpoint.status().message());
  options.redis = *endpoint;
  if (!password_file.empty()) {
    Result<std::string> password = ReadPasswordFile(password_file);
    if (!password.ok()) return fail(password.status().message());
    options.redis.password = *password;
  }
  if (insecure && !tls_dir.empty()) return fail("give either --tls-dir or --insecure, not both");
  if (!insecure && tls_dir.empty()) {
    return fail(
        "the data plane uses TLS: give --tls-dir DIR (made by `quokka cluster keys`), "
        "or --insecure for local experiments");
  }
  options.tls.insecure = insecure;
  if (insecure) {
    std::cerr << program << ": WARNING: --insecure: the data plane is unencrypted and accepts "
              << "any peer\n";
  } else {
    if (options.name.empty()) return fail("with --tls-dir, give --name (its certificate's name)");
    Result<TlsFiles> files = LoadTlsFiles(tls_dir, options.name);
    if (!files.ok()) {
      std::cerr << program << ": " << files.status().message() << "\n";
      return 1;
    }
    options.tls.ca_pem = files->ca_pem;
    options.tls.cert_pem = files->cert_pem;
    options.tls.key_pem = files->key_pem;
  }

  std::set_terminate(OnTerminate);
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);
  Result<std::unique_ptr<Worker>> worker = Worker::Start(options);
  if (!worker.ok()) {
    std::cerr << program << ": cannot start the worker: " << worker.status().message() << "\n";
    return 1;
  }
  Status served = (*worker)->Serve(&stop_requested);
  worker->reset();
  if (!served.ok()) {
    std::cerr << program << ": " << served.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace quokka::dist
