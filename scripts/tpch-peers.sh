#!/usr/bin/env bash
# Installs the pinned npm peers of the TPC-H correctness test and benchmark (tests/tpch) into
# build/tpch-npm: @duckdb/node-api (the reference) and nodejs-polars@0.25.2 (the second
# benchmark peer), exactly as tests/tpch/package-lock.json pins them (`npm ci`, from the npm
# registry only). Idempotent: an install that matches the lock file and loads is kept, so a
# second run does not touch the network.
#   bash scripts/tpch-peers.sh        # prints where the peers are; NODE_PATH=<dest>/node_modules
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/npm-peers-common.sh

src=tests/tpch
dest=build/tpch-npm
polars_version=0.25.2

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

install_peers tpch-peers "$src" "$dest" "$polars_version"
