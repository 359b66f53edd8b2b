// `quokka cluster create/describe/terminate --provider aws`: state and cluster files, launching,
// waiting, rolling back and terminating instances.
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
                        " instance(s) launched were terminated: " + JoinStrings(ids, ", ") + ")");
    }
    return Status(failure.code(),
                  failure.message() + "; terminating the launched instances failed too (" +
                      terminated.status().message() + "): terminate " + JoinStrings(ids, ", ") +
                      " with `quokka cluster terminate --state " + paths.state_file +
                      "` or the EC2 console");
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
