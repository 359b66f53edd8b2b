#include "cluster_file.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "distributed/tls_keys.h"
#include "driver.h"

namespace quokka::dist {
namespace {

using Json = nlohmann::json;

std::string Text(const Json& object, const char* field, const std::string& where, bool required,
                 Status& error) {
  auto it = object.find(field);
  if (it == object.end()) {
    if (required && error.ok())
      error = Status::Invalid(where + ": missing field \"" + field + "\"");
    return "";
  }
  if (!it->is_string() || it->get<std::string>().empty()) {
    if (error.ok())
      error = Status::Invalid(where + ": \"" + field + "\" must be a non-empty string");
    return "";
  }
  return it->get<std::string>();
}

int Number(const Json& object, const char* field, const std::string& where, int min, int max,
           int fallback, Status& error) {
  auto it = object.find(field);
  if (it == object.end()) return fallback;
  if (!it->is_number_integer() || it->get<long long>() < min || it->get<long long>() > max) {
    if (error.ok()) {
      error = Status::Invalid(where + ": \"" + field + "\" must be an integer from " +
                              std::to_string(min) + " to " + std::to_string(max));
    }
    return fallback;
  }
  return it->get<int>();
}

}  // namespace

Result<ClusterFile> ReadClusterFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::IOError("cannot read the cluster file '" + path + "'");
  Json root;
  try {
    root = Json::parse(in);
  } catch (const Json::parse_error& error) {
    return Status::Invalid("cluster file '" + path + "' is not valid JSON: " + error.what());
  }
  if (!root.is_object()) return Status::Invalid("cluster file '" + path + "' must hold an object");
  ClusterFile file;
  file.path = path;
  Status error;
  const std::string where = "cluster file '" + path + "'";
  for (auto& [key, value] : root.items()) {
    static const std::set<std::string> known = {"redis", "redis_password_file", "tls_dir",
                                                "insecure", "machines"};
    if (!known.count(key)) {
      return Status::Invalid(where + ": unknown field \"" + key + "\" (known: redis, " +
                             "redis_password_file, tls_dir, insecure, machines)");
    }
  }
  file.redis = Text(root, "redis", where, true, error);
  file.redis_password_file = Text(root, "redis_password_file", where, false, error);
  file.tls_dir = Text(root, "tls_dir", where, false, error);
  if (root.contains("insecure")) {
    if (!root["insecure"].is_boolean()) {
      return Status::Invalid(where + ": \"insecure\" must be true or false");
    }
    file.insecure = root["insecure"].get<bool>();
  }
  QK_RETURN_NOT_OK(error);
  if (file.insecure == !file.tls_dir.empty()) {
    return Status::Invalid(where + ": give either \"tls_dir\" (certificates from `quokka cluster " +
                           "keys`) or \"insecure\": true");
  }
  auto machines = root.find("machines");
  if (machines == root.end() || !machines->is_array() || machines->empty()) {
    return Status::Invalid(where + ": \"machines\" must be a non-empty list");
  }
  std::set<std::string> names;
  for (size_t i = 0; i < machines->size(); ++i) {
    const Json& entry = (*machines)[i];
    const std::string at = where + " machines[" + std::to_string(i) + "]";
    if (!entry.is_object()) return Status::Invalid(at + " must be an object");
    ClusterFile::Entry machine;
    machine.machine.name = Text(entry, "name", at, true, error);
    machine.machine.address = Text(entry, "address", at, true, error);
    machine.machine.data_port = Number(entry, "data_port", at, 1, 65535, 7070, error);
    machine.machine.cores = Number(entry, "cores", at, 1, 4096, 0, error);
    machine.ssh =
        entry.contains("ssh") ? Text(entry, "ssh", at, false, error) : machine.machine.address;
    QK_RETURN_NOT_OK(error);
    if (!names.insert(machine.machine.name).second) {
      return Status::Invalid(at + ": machine name '" + machine.machine.name + "' repeats");
    }
    file.machines.push_back(std::move(machine));
  }
  return file;
}

}  // namespace quokka::dist

namespace quokka {

Cluster Cluster::FromJson(const std::string& path) {
  dist::ClusterFile file = dist::ReadClusterFile(path).ValueOrThrow();
  dist::RedisEndpoint redis =
      dist::ParseRedisAddress(file.redis, "cluster file '" + path + "' field \"redis\"")
          .ValueOrThrow();
  if (!file.redis_password_file.empty()) {
    redis.password = dist::ReadPasswordFile(file.redis_password_file).ValueOrThrow();
  }
  dist::TlsConfig tls;
  tls.insecure = file.insecure;
  if (!file.insecure) {
    dist::TlsFiles files = dist::LoadTlsFiles(file.tls_dir, dist::kDriverName).ValueOrThrow();
    tls.ca_pem = files.ca_pem;
    tls.cert_pem = files.cert_pem;
    tls.key_pem = files.key_pem;
  }
  auto backend = dist::DriverBackend::Connect(redis, tls).ValueOrThrow();
  std::vector<Machine> machines;
  for (const auto& entry : file.machines) machines.push_back(entry.machine);
  ThrowIfError(backend->Resolve(machines));
  backend->SetMachines(machines);
  return Cluster(machines, backend);
}

}  // namespace quokka
