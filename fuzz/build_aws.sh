#!/usr/bin/env bash
# Build the libFuzzer target for the S3/AWS answer parsers (fuzz/aws_fuzz.cc) with clang++,
# AddressSanitizer and UBSan, straight from the sources it needs; no CMake involved.
#   bash fuzz/build_aws.sh   -> build-fuzz/aws_fuzz
#   build-fuzz/aws_fuzz -max_total_time=300 fuzz/corpus/aws
# Needs: clang, libtinyxml2-dev.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${root}/build-fuzz"
mkdir -p "${out}/generated/quokka" "${root}/fuzz/corpus/aws"
CXX="${CXX:-clang++}"
version="$(sed -n 's/^project(Quokka VERSION \([0-9.]*\).*/\1/p' "${root}/CMakeLists.txt")"
sed -e "s/@PROJECT_VERSION@/${version}/g" -e "s/@PROJECT_VERSION_MAJOR@/${version%%.*}/g" \
    -e "s/@PROJECT_VERSION_MINOR@/$(echo "${version}" | cut -d. -f2)/g" \
    -e "s/@PROJECT_VERSION_PATCH@/$(echo "${version}" | cut -d. -f3)/g" \
    "${root}/include/quokka/version.h.in" > "${out}/generated/quokka/version.h"
# S3Url::Parse lives in s3_client.cc, which pulls in the HTTP and SigV4 code: link them all.
"${CXX}" -std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=undefined -I"${root}/include" -I"${out}/generated" -I"${root}/src/io" \
  "${root}/fuzz/aws_fuzz.cc" "${root}"/src/io/s3/*.cc "${root}"/src/io/aws/*.cc \
  "${root}/src/core/status.cc" -ltinyxml2 -lcurl -lcrypto -pthread -o "${out}/aws_fuzz"
echo "built ${out}/aws_fuzz"
