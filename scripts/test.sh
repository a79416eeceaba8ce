#!/usr/bin/env bash
# The project's test command: everything CI checks, in the order CI runs it.
#
#   ./scripts/test.sh            # from the repository root
#
# A bare clone needs only Go: the vectors are in memo/testdata. Two suites
# need outside tools (docs/testing.md): the interop tests need the real
# Python hio and its driver, and the Windows build runs under Wine. Where the
# project's workspace kit sits beside the clone (../shared, or
# $MEMOGRAM_SHARED), this script installs both through it (Debian packages;
# root or sudo; idempotent). Elsewhere it uses HIOPEER/HIO_PYTHONPATH and a
# go_windows_amd64_exec on PATH if you set them up, and otherwise says in one
# line what it skipped. Under CI=true nothing may be skipped.
#
# Environment: FUZZTIME (default 60s per fuzz target; 0 skips fuzzing),
# FUZZJOBS (default 2: targets fuzzed at the same time, each with one
# worker, so that the step takes about ceil(targets / FUZZJOBS) × FUZZTIME),
# SKIP_WINE=1 (skip the Windows build under Wine; never in CI).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
shared=${MEMOGRAM_SHARED:-../shared}
fuzztime=${FUZZTIME:-60s}
fuzzjobs=${FUZZJOBS:-2}
step() { printf '\n=== %s\n' "$*"; }
# missing TOOL WHAT: one line, fatal under CI.
missing() {
  if [[ ${CI:-} == true ]]; then
    echo "FAIL: $1 is required in CI: $2" >&2; exit 1
  fi
  echo "SKIPPED: $1: $2"
}
if [[ -f $shared/spec/vectors.json ]]; then
  # The drift test compares memo/testdata/vectors.json with its original.
  export MEMOGRAM_SPEC=$(realpath "$shared/spec")
elif [[ ${CI:-} == true ]]; then
  missing "the spec folder" "no $shared/spec/vectors.json to check memo/testdata/vectors.json against"
fi

step "toolchain"
go version
go mod download

step "gofmt"
unformatted=$(gofmt -l .)
if [[ -n $unformatted ]]; then
  echo "not gofmt-ed:"; echo "$unformatted"; exit 1
fi

step "go vet, staticcheck (linux, windows)"
go vet ./...
GOOS=windows go vet ./...
# 'go tool' would build staticcheck itself for GOOS; build it for the host
# once and point it at each target OS.
staticcheck=$(go tool -n staticcheck)
"$staticcheck" ./...
GOOS=windows "$staticcheck" ./...

step "hio Python peer (interop tests)"
if [[ -f $shared/hio-python/setup.sh ]]; then
  hio_exports=$(bash "$shared/hio-python/setup.sh")
  eval "$hio_exports"
fi
if [[ -n ${HIOPEER:-} && -n ${HIO_PYTHONPATH:-} ]]; then
  export MEMOGRAM_REQUIRE_HIO=1 # interop tests fail instead of skipping
  echo "hio peer: $HIOPEER"
else
  missing "hio interop" "set HIO_PYTHONPATH and HIOPEER (docs/testing.md); the e2e hio tests skip"
fi

step "go test -race (linux)"
go test -race -count=1 -timeout 20m ./...

# Resident-memory proofs skip under -race (its shadow memory would be what
# they measure), so they run once more without it.
step "go test, resident memory (linux, without -race)"
go test -count=1 -timeout 10m -run 'TestReassemblyPeakRSSWithinHoldCap|TestUXDMemoryFlat' ./memo ./e2e

if [[ ${SKIP_WINE:-} == 1 && ${CI:-} != true ]]; then
  step "Windows tests under Wine: SKIPPED (SKIP_WINE=1)"
else
  step "go test (windows, under Wine)"
  (
    if [[ -f $shared/wine/setup.sh ]]; then
      wine_exports=$(bash "$shared/wine/setup.sh")
      eval "$wine_exports"
    fi
    if command -v go_windows_amd64_exec >/dev/null; then
      GOOS=windows go test -count=1 -timeout 20m ./...
    else
      missing "Windows tests" "no go_windows_amd64_exec (a Wine exec wrapper) on PATH (docs/testing.md)"
    fi
  )
fi

# bench/kcp is a module of its own (kcp-go stays out of the library's
# go.mod): vet it and run its quick tests so that it keeps building.
step "bench/kcp (the kcp-go comparison module)"
(cd bench/kcp && go vet ./... && go test -count=1 -timeout 5m ./...)

step "a bare copy of the repository, with nothing beside it"
# What a user gets from 'git clone': the tracked and new files, no ../shared,
# none of the tools above in the environment.
alone=$(mktemp -d)
trap 'rm -rf "$alone"' EXIT
mkdir "$alone/memogram"
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$alone/memogram"
(
  cd "$alone/memogram"
  unset MEMOGRAM_SPEC MEMOGRAM_SHARED MEMOGRAM_REQUIRE_HIO HIOPEER HIO_PYTHONPATH HIO_PYTHON
  go test -count=1 -timeout 15m ./...
  go run ./cmd/memogram demo
)

if [[ $fuzztime != 0 ]]; then
  # Every fuzz target, found by name. Each fuzz test's seed corpus (f.Add
  # and testdata/fuzz/<target>) already ran as a plain test above; here the
  # fuzzer looks for new inputs, FUZZJOBS targets at a time, each with one
  # worker (-parallel 1), so the machine's cores are shared out evenly.
  # -fuzzminimizetime: the fuzzer minimizes every new interesting input for
  # up to 60s by default, and one large input found early took the whole
  # minute (FuzzReceiveIntoPlace ran 8, 9 and 34 inputs in three CI runs);
  # 5s each still took most of it once a run found 16 (FuzzRenderFuse: 1,256
  # inputs), 200 tries each leave the time to looking (24,467 in 30s).
  targets=()
  while read -r pkg target; do targets+=("$pkg $target"); done < <(
    grep -rhoE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]+' . | sort -u | while read -r _ fn; do
      file=$(grep -rlE --include='*_test.go' "^func ${fn}\(" . | head -n1)
      echo "./$(dirname "${file#./}") $fn"
    done)
  step "fuzz (${#targets[@]} targets, $fuzztime each, $fuzzjobs at a time)"
  fuzzlogs=$(mktemp -d)
  fuzzfail=0
  for ((i = 0; i < ${#targets[@]}; i += fuzzjobs)); do
    pids=()
    for t in "${targets[@]:i:fuzzjobs}"; do
      read -r pkg target <<<"$t"
      go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime 200x -parallel 1 -timeout 10m "$pkg" >"$fuzzlogs/$target.log" 2>&1 &
      pids+=("$!:$target")
    done
    for p in "${pids[@]}"; do
      if wait "${p%%:*}"; then
        echo "ok   ${p#*:}: $(grep -E '^fuzz: elapsed' "$fuzzlogs/${p#*:}.log" | tail -n1)"
      else
        echo "FAIL ${p#*:}:"; cat "$fuzzlogs/${p#*:}.log"; fuzzfail=1
      fi
    done
  done
  rm -rf "$fuzzlogs"
  if ((fuzzfail)); then
    echo "a fuzz target failed; its failing input is in testdata/fuzz/ of its package" >&2; exit 1
  fi
fi

step "all checks passed"
