#!/usr/bin/env bash
# Arrow IPC interop test: quokka <-> apache-arrow (JS) and nodejs-polars, in the file and stream
# formats. Installs the pinned npm peers into build/npm if needed (scripts/npm-peers.sh), writes
# quokka's files with IPC_TOOL, then runs interop.js, which reads them with the peers, has the
# peers write files for quokka to read, and compares everything.
#   tests/interop/run.sh IPC_TOOL WORK_DIR
# Exits 77 (skipped) when node/npm are missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
ipc_tool="$1"
work="$2"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "interop: node/npm not installed; skipping"
  exit 77
fi
bash "$root/scripts/npm-peers.sh"

rm -rf "$work"
mkdir -p "$work"
"$ipc_tool" write "$work"
NODE_PATH="$root/build/npm/node_modules" node "$here/interop.js" "$ipc_tool" "$work"
