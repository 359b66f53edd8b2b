// `quokka cluster keys`: argument parsing and the summary of what was written.
#include "cluster_keys.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>

#include "distributed/tls_keys.h"

namespace quokka::cli {
namespace {

constexpr const char* kClusterKeysUsage =
    R"(usage: quokka cluster keys --out DIR --machines NAME,NAME,... [--force]

Make the cluster's TLS keys: a private CA (DIR/ca.key, DIR/ca.crt) and, for every machine
named and for "driver", DIR/<name>.key and DIR/<name>.crt signed by that CA. Workers and the
driver use them for gRPC mutual TLS (see docs/security.md).
  --out DIR          output directory (created with mode 0700 if missing)
  --machines LIST    comma-separated machine names (letters, digits, '.', '-', '_'); may be
                     given more than once
  --force            make a new CA and new keys for every name, replacing existing files
                     (key rotation); without it, an existing CA in DIR is kept and only
                     machines without keys get new ones (adding machines)
)";

int UsageError(const std::string& message) {
  std::cerr << "quokka cluster keys: " << message << "\n\n" << kClusterKeysUsage;
  return 2;
}

void SplitNames(const std::string& list, std::vector<std::string>* names) {
  size_t start = 0;
  while (true) {
    size_t comma = list.find(',', start);
    names->push_back(list.substr(start, comma == std::string::npos ? comma : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
}

bool Contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

}  // namespace

int ClusterKeys(int argc, char** argv) {
  if (argc < 3 || std::string(argv[2]) == "help" || std::string(argv[2]) == "--help" ||
      std::string(argv[2]) == "-h") {
    (argc < 3 ? std::cerr : std::cout) << kClusterKeysUsage;
    return argc < 3 ? 2 : 0;
  }
  if (std::string(argv[2]) != "keys") {
    std::cerr << "quokka cluster: unknown subcommand '" << argv[2] << "'\n\n" << kClusterKeysUsage;
    return 2;
  }

  std::string out_dir;
  bool have_out = false;
  bool have_machines = false;
  bool force = false;
  std::vector<std::string> names;
  for (int i = 3; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool inline_value = false;
    size_t equals = arg.find('=');
    if (arg.rfind("--", 0) == 0 && equals != std::string::npos) {
      value = arg.substr(equals + 1);
      arg = arg.substr(0, equals);
      inline_value = true;
    }
    auto take_value = [&]() -> bool {
      if (inline_value) return true;
      if (i + 1 >= argc) return false;
      value = argv[++i];
      return true;
    };
    if (arg == "--help" || arg == "-h") {
      std::cout << kClusterKeysUsage;
      return 0;
    } else if (arg == "--out") {
      if (have_out) return UsageError("--out given twice");
      if (!take_value() || value.empty()) return UsageError("--out needs a directory");
      out_dir = value;
      have_out = true;
    } else if (arg == "--machines") {
      if (!take_value() || value.empty()) {
        return UsageError("--machines needs a comma-separated list of names");
      }
      SplitNames(value, &names);
      have_machines = true;
    } else if (arg == "--force" && !inline_value) {
      force = true;
    } else {
      return UsageError("unexpected argument '" + std::string(argv[i]) + "'");
    }
  }
  if (!have_out) return UsageError("--out DIR is required");
  if (!have_machines) return UsageError("--machines NAME,NAME,... is required");
  Status valid = dist::ValidateMachineNames(names);
  if (!valid.ok()) return UsageError(valid.message());

  std::vector<std::string> written;
  Status status = dist::MakeClusterKeys(out_dir, names, force, &written);
  if (!status.ok()) {
    std::cerr << "quokka cluster keys: " << status.message() << "\n";
    return 1;
  }

  namespace fs = std::filesystem;
  const std::string ca_key = (fs::path(out_dir) / "ca.key").string();
  const std::string ca_cert = (fs::path(out_dir) / "ca.crt").string();
  if (Contains(written, ca_key)) {
    std::cout << "made a new cluster CA in " << out_dir << "\n";
  } else {
    std::cout << "signed with the existing cluster CA " << ca_cert << "\n";
  }
  for (const std::string& path : written) {
    std::cout << "  wrote " << path;
    if (path == ca_key) {
      std::cout << "  (mode 0600; stays here: it signs machines added later)";
    } else if (path.size() > 4 && path.compare(path.size() - 4, 4, ".key") == 0) {
      std::cout << "  (mode 0600)";
    }
    std::cout << "\n";
  }
  std::vector<std::string> all_names = names;
  if (!Contains(all_names, dist::kDriverName)) all_names.push_back(dist::kDriverName);
  for (const std::string& name : all_names) {
    const std::string cert = (fs::path(out_dir) / (name + ".crt")).string();
    if (!Contains(written, cert)) {
      std::cout << "  kept " << cert << " and " << name << ".key (already signed by this CA)\n";
    }
  }
  if (force) {
    // Certificates of names not given were signed by the replaced CA.
    std::error_code error;
    for (const fs::directory_entry& entry : fs::directory_iterator(out_dir, error)) {
      const std::string path = entry.path().string();
      if (entry.path().extension() != ".crt" || path == ca_cert || Contains(written, path)) {
        continue;
      }
      std::cout << "note: " << path
                << " was signed by the replaced CA and no longer verifies; delete it with its "
                   ".key, or re-run with its name in --machines\n";
    }
  }
  std::cout << "Copy ca.crt, <name>.crt and <name>.key to each machine <name> (driver.* to the "
               "driver), keeping the .key files at mode 0600 (e.g. scp -p); never copy ca.key. "
               "See docs/security.md.\n";
  return 0;
}

}  // namespace quokka::cli
