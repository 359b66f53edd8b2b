#!/usr/bin/env bash
# The whole test suite: install what is missing, build and test the release preset, then build
# and test again under the sanitizer presets asan (AddressSanitizer + UBSan) and tsan.
#   QK_SANITIZERS=asan bash scripts/test.sh   # one sanitizer preset
#   QK_SANITIZERS= bash scripts/test.sh       # release only
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

run_preset() {
  local preset=$1
  shift
  echo "== preset $preset: configure, build, test"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  ctest --preset "$preset" -j2 --timeout 900 "$@"
}

run_preset release
# The whole-process scripts (label multihost: network namespaces, SSH, the CLI on worker
# processes; label scripts: the S3 interop through the CLI) run once, in release; under the
# sanitizers the same code paths are covered by quokka_dist_tests and quokka_s3_tests.
for preset in ${QK_SANITIZERS-asan tsan}; do
  run_preset "$preset" -LE "multihost|scripts"
done
echo "== all tests passed"
