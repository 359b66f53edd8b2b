#!/usr/bin/env bash
# Installs the pinned npm peers of the Arrow IPC interop test (tests/interop) into build/npm:
# apache-arrow and nodejs-polars@0.25.2, exactly as tests/interop/package-lock.json pins them
# (`npm ci`, from the npm registry only). Idempotent: an install that matches the lock file and
# loads is kept, so a second run does not touch the network.
set -euo pipefail
cd "$(dirname "$0")/.."

src=tests/interop
dest=build/npm
polars_version=0.25.2

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "npm-peers: node and npm are required" >&2
  exit 1
fi

loads() {
  (cd "$dest" && node -e 'require("apache-arrow"); require("nodejs-polars")' >/dev/null 2>&1)
}

if cmp -s "$src/package-lock.json" "$dest/package-lock.json" && loads; then
  echo "npm-peers: apache-arrow and nodejs-polars@$polars_version present in $dest"
  exit 0
fi

mkdir -p "$dest"
cp "$src/package.json" "$src/package-lock.json" "$dest/"
(cd "$dest" && npm ci --no-audit --no-fund --loglevel=error)

# nodejs-polars loads its native code from a per-platform optional dependency, and those
# declare "engines": {"node": ">= 22"}: npm silently skips them on older Node (Debian bookworm
# has Node 20), although the binary works there. Install the one for this platform explicitly.
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
  echo "npm-peers: apache-arrow / nodejs-polars do not load from $dest" >&2
  exit 1
fi
echo "npm-peers: installed apache-arrow and nodejs-polars@$polars_version into $dest"
