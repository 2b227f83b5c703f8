#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole test run: install dependencies, build (normal and ASan+UBSan), run every ctest of
# the normal build, then the integration tests against the sanitized module (libasan preloaded
# into httpd) and the unit tests and fuzz-corpus replays of the sanitized build. Exits non-zero
# if any step fails and ends with ctest's summary line of each step.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
logs=$(mktemp -d "${TMPDIR:-/tmp}/authdiag-test.XXXXXX")
trap 'rm -rf "$logs"' EXIT
jobs=${AUTHDIAG_TEST_JOBS:-2}

"$root/scripts/install-deps.sh" || exit 1
"$root/scripts/build.sh" --asan || exit 1

failed=0
summaries=()

# run_step NAME COMMAND...: runs a ctest invocation, keeps its output for the summary.
run_step() {
  local name=$1; shift
  echo
  echo "=== $name: $*"
  "$@" 2>&1 | tee "$logs/$name.log"
  local rc=${PIPESTATUS[0]}
  local summary
  summary=$(grep -E 'tests passed|No tests were found' "$logs/$name.log" | tail -n 1)
  summaries+=("$(printf '%-22s %s' "$name:" "${summary:-no summary (ctest exited $rc)}")")
  if ((rc != 0)); then
    failed=1
    summaries+=("$(printf '%-22s %s' "" "FAILED (exit $rc)")")
  fi
  # Failed test names, as ctest lists them after "The following tests FAILED:".
  if grep -q 'The following tests FAILED' "$logs/$name.log"; then
    while read -r line; do
      summaries+=("$(printf '%-22s %s' "" "$line")")
    done < <(sed -n '/The following tests FAILED/,$p' "$logs/$name.log" | grep -E '^\s+[0-9]+ - ')
  fi
}

run_step all ctest --test-dir "$root/build" --output-on-failure --no-tests=error -j "$jobs"

asan_runtime=$(gcc -print-file-name=libasan.so)
if [[ ! -e $asan_runtime ]]; then
  echo "test: libasan not found (gcc -print-file-name=libasan.so gave '$asan_runtime')" >&2
  exit 1
fi
run_step asan-integration env AUTHDIAG_HTTPD_PRELOAD="$asan_runtime" \
  ctest --test-dir "$root/build-asan" -L integration --output-on-failure --no-tests=error -j "$jobs"
run_step asan-unit-fuzz ctest --test-dir "$root/build-asan" -L '^(unit|fuzz-replay)$' \
  --output-on-failure --no-tests=error -j "$jobs"

echo
echo "=== summary"
printf '%s\n' "${summaries[@]}"
if ((failed)); then
  echo "test: FAILED"
  exit 1
fi
echo "test: all passed"
