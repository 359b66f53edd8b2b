#!/usr/bin/env bash
# Builds the libFuzzer target for the Arrow IPC readers with clang++ (AddressSanitizer and
# UndefinedBehaviorSanitizer) into build/fuzz/ipc_fuzz, and a seed corpus build/fuzz/ipc_seeds
# from the IPC files of the interop test, if it ran (build/tests/interop/work).
#   bash fuzz/build_ipc.sh
#   build/fuzz/ipc_fuzz -max_total_time=300 -rss_limit_mb=2048 build/fuzz/ipc_corpus build/fuzz/ipc_seeds
# Needs: clang, libflatbuffers-dev + flatbuffers-compiler, libmsgpack-dev, libxxhash-dev; and
# the release build configured once (for build/generated/quokka/version.h).
set -euo pipefail
cd "$(dirname "$0")/.."

out=build/fuzz
mkdir -p "$out/obj" "$out/generated" "$out/ipc_corpus" "$out/ipc_seeds"
flatc --cpp --scoped-enums -o "$out/generated" src/io/ipc/arrow_format.fbs
if [ ! -f build/generated/quokka/version.h ]; then
  mkdir -p "$out/generated/quokka"
  sed 's/@[A-Za-z_]*@/0/g' include/quokka/version.h.in > "$out/generated/quokka/version.h"
fi

CXX="${CXX:-clang++}"
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
       -fno-sanitize-recover=undefined -Iinclude -Ibuild/generated -I"$out/generated" -Isrc/io)
# The table core (not its kernels), the object core and the IPC code.
sources=(src/core/*.cc src/table/*.cc src/io/ipc/*.cc fuzz/ipc_fuzz.cc)
compile() {  # source -> object, unless the object is newer
  local o="$out/obj/$(echo "$1" | tr / _).o"
  [ "$o" -nt "$1" ] || "$CXX" "${flags[@]}" -c "$1" -o "$o"
}
running=0
for s in "${sources[@]}"; do  # two compilers at a time
  compile "$s" &
  running=$((running + 1))
  if [ "$running" -ge 2 ]; then wait -n; running=$((running - 1)); fi
done
wait
objects=()
for s in "${sources[@]}"; do objects+=("$out/obj/$(echo "$s" | tr / _).o"); done
"$CXX" -fsanitize=fuzzer,address,undefined "${objects[@]}" -o "$out/ipc_fuzz" -lmsgpackc -lxxhash -lpthread

# Seeds: a mode byte (0 = stream, 1 = file) followed by an IPC file or stream.
for f in build/tests/interop/work/*.arrow build/tests/interop/work/*.arrows; do
  [ -f "$f" ] || continue
  mode='\000'
  case "$f" in *.arrow) mode='\001' ;; esac
  { printf "$mode"; cat "$f"; } > "$out/ipc_seeds/$(basename "$f")"
done
echo "built $out/ipc_fuzz ($(ls "$out/ipc_seeds" | wc -l) seeds in $out/ipc_seeds)"
