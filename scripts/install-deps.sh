#!/usr/bin/env bash
# Installs every Debian package the build, tests, examples and benchmarks use. Idempotent:
# packages already present are skipped, so a second run does not touch the network.
set -euo pipefail

packages=(
  build-essential g++ cmake ninja-build ccache pkg-config
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  libmsgpack-dev libxxhash-dev libflatbuffers-dev flatbuffers-compiler
  graphviz
  # distributed runtime: gRPC data plane, Redis control plane (client and server), TLS keys,
  # compression, cluster files; network namespaces and SSH for the multi-host launcher/tests
  libgrpc++-dev libhiredis-dev redis-server libssl-dev openssl libzstd-dev nlohmann-json3-dev
  iproute2 openssh-client openssh-server
  # cloud: S3 and EC2 over HTTPS (libcurl with OpenSSL), their XML answers (tinyxml2), and boto3
  # as the real S3 client in the interop tests
  libcurl4-openssl-dev ca-certificates libtinyxml2-dev python3-boto3
)
# The interop tests run npm peers (apache-arrow, nodejs-polars) with Node.js; use the machine's
# Node.js when there is one, else Debian's.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
