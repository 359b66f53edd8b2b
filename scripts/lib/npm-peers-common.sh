# Shared by scripts/npm-peers.sh and scripts/tpch-peers.sh (source it; do not run it).
# install_peers LABEL SRC DEST POLARS_VERSION installs SRC/package(-lock).json into DEST with
# `npm ci` unless DEST already matches the lock file and the caller's `loads` function succeeds.

install_peers() {
  local label=$1 src=$2 dest=$3 polars_version=$4
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "$label: node and npm are required" >&2
    return 1
  fi
  if cmp -s "$src/package-lock.json" "$dest/package-lock.json" && loads; then
    echo "$label: peers present in $dest"
    return 0
  fi
  mkdir -p "$dest"
  cp "$src/package.json" "$src/package-lock.json" "$dest/"
  (cd "$dest" && npm ci --no-audit --no-fund --loglevel=error)

  # nodejs-polars loads its native code from a per-platform optional dependency, and those
  # declare "engines": {"node": ">= 22"}: npm silently skips them on older Node (Debian
  # bookworm has Node 20), although the binary works there. Install this platform's explicitly.
  if ! loads; then
    local platform
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
    echo "$label: the peers do not load from $dest" >&2
    return 1
  fi
  echo "$label: installed the peers into $dest"
}
