#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Configures and builds mod_authdiag, the authdiag CLI and the tests into build/ (Ninja,
# RelWithDebInfo). --asan also builds everything with AddressSanitizer and UndefinedBehavior-
# Sanitizer into build-asan/ (with gcc, so that the libasan of `gcc -print-file-name=libasan.so`
# can be preloaded into httpd). --target NAME builds only that target (repeatable).
set -euo pipefail

usage() { echo "usage: $0 [--asan] [--target NAME]..." >&2; exit 2; }
asan=0
targets=()
while (($#)); do
  case $1 in
    --asan) asan=1 ;;
    --target) (($# >= 2)) || usage; targets+=(--target "$2"); shift ;;
    *) usage ;;
  esac
  shift
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

configure_and_build() {
  local dir=$1; shift
  echo "build: $dir"
  cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
  cmake --build "$dir" "${targets[@]}"
}

configure_and_build "$root/build"
if ((asan)); then
  # Warnings are errors in build/ only: GCC's manual advises against -Werror with sanitizers,
  # whose instrumentation causes false positives (e.g. -Wmaybe-uninitialized inside std::regex).
  configure_and_build "$root/build-asan" -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ \
    "-DAUTHDIAG_SANITIZE=address;undefined" -DAUTHDIAG_WERROR=OFF
fi
