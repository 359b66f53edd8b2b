#!/usr/bin/env bash
# Installs the pinned npm peers of the Arrow IPC interop test (tests/interop) into build/npm:
# apache-arrow and nodejs-polars@0.25.2, exactly as tests/interop/package-lock.json pins them
# (`npm ci`, from the npm registry only). Idempotent: an install that matches the lock file and
# loads is kept, so a second run does not touch the network.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/npm-peers-common.sh

src=tests/interop
dest=build/npm
polars_version=0.25.2

loads() {
  (cd "$dest" && node -e 'require("apache-arrow"); require("nodejs-polars")' >/dev/null 2>&1)
}

install_peers npm-peers "$src" "$dest" "$polars_version"
