// The user data of a cluster machine: a bash script run by cloud-init at first boot.
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
// The user data
// =============================================================================================

std::string JoinStrings(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

namespace {

std::string Quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
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
  var("QK_MACHINES", spec.head ? JoinStrings(spec.machines, " ") : "");
  var("QK_DATA_PORT", std::to_string(spec.data_port));
  var("QK_REDIS_PORT", std::to_string(spec.redis_port));
  var("QK_THREADS", std::to_string(spec.threads));
  var("QK_CORES", std::to_string(spec.cores));
  var("QK_SOURCE", spec.source);
  var("QK_SOURCE_REF", spec.source_ref);
  var("QK_REQUIREMENTS", JoinStrings(spec.requirements, " "));
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

}  // namespace quokka::dist
