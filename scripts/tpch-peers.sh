#!/usr/bin/env bash
# Installs the pinned npm peers of the TPC-H correctness test and benchmark (tests/tpch) into
# build/tpch-npm: @duckdb/node-api (the reference) and nodejs-polars@0.25.2 (the second
# benchmark peer), exactly as tests/tpch/package-lock.json pins them (`npm ci`, from the npm
# registry only). Idempotent: an install that matches the lock file and loads is kept, so a
# second run does not touch the network.
#   bash scripts/tpch-peers.sh        # prints where the peers are; NODE_PATH=<dest>/node_modules
set -euo pipefail
cd "$(dirname "$0")/.."

src=tests/tpch
dest=build/tpch-npm
polars_version=0.25.2

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "tpch-peers: node and npm are required" >&2
  exit 1
fi

loads() {
  (cd "$dest" && node -e '
    const duckdb = require("@duckdb/node-api");
    require("nodejs-polars");
    duckdb.DuckDBInstance.create(":memory:")
      .then((db) => db.connect())
      .then((con) => con.runAndReadAll("SELECT 42"))
      .then(() => process.exit(0), () => process.exit(1));
  ' >/dev/null 2>&1)
}

if cmp -s "$src/package-lock.json" "$dest/package-lock.json" && loads; then
  echo "tpch-peers: @duckdb/node-api and nodejs-polars@$polars_version present in $dest"
  exit 0
fi

mkdir -p "$dest"
cp "$src/package.json" "$src/package-lock.json" "$dest/"
(cd "$dest" && npm ci --no-audit --no-fund --loglevel=error)

# nodejs-polars loads its native code from a per-platform optional dependency, and those
# declare "engines": {"node": ">= 22"}: npm silently skips them on older Node (Debian bookworm
# has Node 20), although the binary works there. Install the one for this platform explicitly
# (same workaround as scripts/npm-peers.sh).
if ! loads; then
  platform="$(node -p 'process.platform + "-" + process.arch')"
  case "$platform" in
    linux-*)
      if ldd --version 2>&1 | grep -qi musl; then platform="$platform-musl"; else platform="$platform-gnu"; fi
      ;;
    win32-*) platform="$platform-msvc" ;;
  esac
  (cd "$dest" && npm install --no-save --no-audit --no-fund --loglevel=error \
    "nodejs-polars-$platform@$polars_version")
fi

if ! loads; then
  echo "tpch-peers: @duckdb/node-api / nodejs-polars do not load from $dest" >&2
  exit 1
fi
echo "tpch-peers: installed @duckdb/node-api and nodejs-polars@$polars_version into $dest"
